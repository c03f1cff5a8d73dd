//! Validation of kops documents against Palisade's copy of the kops v1alpha2 CRD schemas.
//!
//! kops drops keys it does not know without a word, so a typo in a security field (an override
//! of `kubelet.anonymousAuht`) would vanish and leave the cluster weak. Every rendered or
//! hardened document is checked here for unknown keys, wrong types, missing required fields and
//! pattern mismatches. The schema files are derived from the CRDs by
//! `scripts/derive-kops-schema.py` (DESIGN.md §7).

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::Value as Json;
use serde_yaml::Value;

static CLUSTER_SCHEMA: &str = include_str!("../../schemas/kops/cluster.json");
static INSTANCE_GROUP_SCHEMA: &str = include_str!("../../schemas/kops/instancegroup.json");

/// One problem found in one document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaIssue {
    /// `Cluster/NAME` or `InstanceGroup/NAME`.
    pub object: String,
    /// Dotted path inside the document, e.g. `spec.kubelet.anonymousAuht`.
    pub path: String,
    pub problem: String,
}

impl fmt::Display for SchemaIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.object, self.path, self.problem)
    }
}

fn schema(kind: &str) -> Option<&'static Json> {
    static CLUSTER: OnceLock<Json> = OnceLock::new();
    static GROUP: OnceLock<Json> = OnceLock::new();
    let (cell, text) = match kind {
        "Cluster" => (&CLUSTER, CLUSTER_SCHEMA),
        "InstanceGroup" => (&GROUP, INSTANCE_GROUP_SCHEMA),
        _ => return None,
    };
    // The schema files are part of the source tree and checked by the tests.
    Some(cell.get_or_init(|| serde_json::from_str(text).unwrap_or(Json::Null)))
}

/// Checks one document; documents of other kinds have no schema here and pass.
pub fn validate_document(doc: &Value) -> Vec<SchemaIssue> {
    let kind = crate::yaml::tree::get_str(doc, &["kind"]).unwrap_or("");
    let Some(schema) = schema(kind) else {
        return Vec::new();
    };
    let object = super::spec::KopsSpec::object_name(doc);
    let mut out = Vec::new();
    if crate::yaml::tree::get_str(doc, &["apiVersion"]) != Some("kops.k8s.io/v1alpha2") {
        out.push(SchemaIssue {
            object: object.clone(),
            path: "apiVersion".into(),
            problem: "expected kops.k8s.io/v1alpha2".into(),
        });
    }
    if let Value::Mapping(m) = doc {
        for (k, v) in m {
            let Some(key) = k.as_str() else { continue };
            // metadata is not described by the CRD
            if key == "metadata" {
                continue;
            }
            match schema.get("properties").and_then(|p| p.get(key)) {
                Some(sub) => check(v, sub, &mut key.to_string(), &object, &mut out),
                None => out.push(unknown(&object, key)),
            }
        }
    }
    out.sort();
    out
}

fn unknown(object: &str, path: &str) -> SchemaIssue {
    SchemaIssue {
        object: object.to_string(),
        path: path.to_string(),
        problem: "unknown field (kops would silently drop it)".into(),
    }
}

fn issue(object: &str, path: &str, problem: String) -> SchemaIssue {
    SchemaIssue {
        object: object.to_string(),
        path: path.to_string(),
        problem,
    }
}

fn type_ok(v: &Value, ty: &str) -> bool {
    match ty {
        "object" => v.is_mapping(),
        "array" => v.is_sequence(),
        "string" => v.is_string(),
        "boolean" => v.is_bool(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        _ => true,
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Checks `v` against `s`; `path` (where `v` is) is extended for each child and restored.
fn check(v: &Value, s: &Json, path: &mut String, object: &str, out: &mut Vec<SchemaIssue>) {
    if s.get("x-kubernetes-int-or-string").and_then(Json::as_bool) == Some(true) {
        if !(v.is_string() || v.is_i64() || v.is_u64()) {
            out.push(issue(
                object,
                path,
                format!("expected an integer or a string, found {}", describe(v)),
            ));
        } else if let (Some(p), Some(text)) = (s.get("pattern").and_then(Json::as_str), v.as_str())
        {
            check_pattern(text, p, path, object, out);
        }
        return;
    }
    if let Some(any) = s.get("anyOf").and_then(Json::as_array) {
        let ok = any.iter().any(|alt| {
            let mut scratch = Vec::new();
            check(v, alt, path, object, &mut scratch);
            scratch.is_empty()
        });
        if !ok {
            out.push(issue(
                object,
                path,
                "matches none of the allowed forms".into(),
            ));
        }
        return;
    }
    if let Some(ty) = s.get("type").and_then(Json::as_str) {
        if !type_ok(v, ty) {
            out.push(issue(
                object,
                path,
                format!("expected {ty}, found {}", describe(v)),
            ));
            return;
        }
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Json::as_str), v.as_str()) {
        check_pattern(text, p, path, object, out);
    }
    match v {
        Value::Mapping(m) => {
            if let Some(req) = s.get("required").and_then(Json::as_array) {
                for r in req.iter().filter_map(Json::as_str) {
                    if !m.contains_key(r) {
                        out.push(issue(
                            object,
                            &format!("{path}.{r}"),
                            "required field missing".into(),
                        ));
                    }
                }
            }
            let props = s.get("properties").and_then(Json::as_object);
            let additional = s.get("additionalProperties");
            let preserve = s
                .get("x-kubernetes-preserve-unknown-fields")
                .and_then(Json::as_bool)
                == Some(true);
            let at = path.len();
            for (k, sub) in m {
                let text;
                let key = match k.as_str() {
                    Some(key) => key,
                    None => {
                        text = crate::yaml::tree::text_of(k);
                        &text
                    }
                };
                path.push('.');
                path.push_str(key);
                if let Some(ps) = props.and_then(|p| p.get(key)) {
                    check(sub, ps, path, object, out);
                } else if let Some(a) = additional.filter(|a| a.is_object()) {
                    check(sub, a, path, object, out);
                } else if props.is_some() && !preserve {
                    out.push(unknown(object, path));
                }
                path.truncate(at);
            }
        }
        Value::Sequence(items) => {
            if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
                let at = path.len();
                for (i, item) in items.iter().enumerate() {
                    use std::fmt::Write;
                    let _ = write!(path, "[{i}]");
                    check(item, item_schema, path, object, out);
                    path.truncate(at);
                }
            }
        }
        _ => {}
    }
}

/// Compiled patterns by source text; a pattern that does not compile is skipped.
type PatternCache = Vec<(String, Option<Regex>)>;

fn check_pattern(text: &str, pattern: &str, path: &str, object: &str, out: &mut Vec<SchemaIssue>) {
    static CACHE: OnceLock<std::sync::Mutex<PatternCache>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let re = match guard.iter().find(|(p, _)| p == pattern) {
        Some((_, re)) => re.clone(),
        None => {
            let re = Regex::new(pattern).ok();
            guard.push((pattern.to_string(), re.clone()));
            re
        }
    };
    if let Some(re) = re {
        if !re.is_match(text) {
            out.push(issue(
                object,
                path,
                format!("{text:?} does not match the pattern {pattern}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Value {
        serde_yaml::from_str(s).expect("yaml")
    }

    #[test]
    fn schemas_load() {
        assert!(schema("Cluster").is_some_and(Json::is_object));
        assert!(schema("InstanceGroup").is_some_and(Json::is_object));
    }

    #[test]
    fn finds_unknown_keys_and_wrong_types() {
        let d = doc("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: a.b}\nspec:\n  kubelet: {anonymousAuht: false, readOnlyPort: \"x\"}\n");
        let issues = validate_document(&d);
        let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
        assert!(paths.contains(&"spec.kubelet.anonymousAuht"), "{issues:?}");
        assert!(paths.contains(&"spec.kubelet.readOnlyPort"), "{issues:?}");
    }

    #[test]
    fn accepts_a_valid_instance_group() {
        let d = doc("apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {name: n}\nspec: {role: Node, minSize: 1, maxSize: 2, subnets: [a], instanceMetadata: {httpTokens: required, httpPutResponseHopLimit: 1}}\n");
        assert_eq!(validate_document(&d), vec![]);
    }
}
