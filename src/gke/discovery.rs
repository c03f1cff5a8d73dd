//! What Palisade knows of the container v1 API: every field of every schema its calls use, with
//! types, enum names and their proto numbers, and which fields are deprecated or output-only.
//! Derived from the discovery document and the client crate by `scripts/derive-gke-discovery.py`
//! into `schemas/gke/container-v1.json` (CI re-derives it and fails when it is stale).
//!
//! Used three ways: rendered requests are checked before they are printed or sent; the tests'
//! fake API checks what the client sends (enums as proto numbers); live clusters read through the
//! client (enums as numbers) are turned back into enum names for the controls.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

static FACTS_JSON: &str = include_str!("../../schemas/gke/container-v1.json");

#[derive(Debug, Deserialize)]
pub struct Facts {
    pub methods: BTreeMap<String, Method>,
    pub schemas: BTreeMap<String, BTreeMap<String, Field>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Method {
    pub http_method: String,
    pub path: String,
    pub request: Option<String>,
    pub response: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub items: Option<Box<Field>>,
    pub values: Option<Box<Field>>,
    #[serde(rename = "enum")]
    /// Name → proto number; `None` for a value newer than the client crate (it cannot send it).
    pub enumeration: Option<BTreeMap<String, Option<i64>>>,
    #[serde(default)]
    pub deprecated_values: Vec<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub output_only: bool,
}

/// The facts; the embedded file is checked by the tests, so a parse failure cannot ship.
pub fn facts() -> &'static Facts {
    static FACTS: OnceLock<Facts> = OnceLock::new();
    FACTS.get_or_init(|| {
        serde_json::from_str(FACTS_JSON).unwrap_or_else(|e| {
            // the embedded file is checked by a test; reaching this is a build defect
            panic!("schemas/gke/container-v1.json does not parse: {e}")
        })
    })
}

/// How enum values must be written in what is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enums {
    /// Names (`"GKE_METADATA"`): what Palisade prints and what gcloud shows.
    Names,
    /// Proto numbers (`2`): what the client crate sends.
    Numbers,
}

/// What a check of a body looks for.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub enums: Enums,
    /// A request: deprecated and output-only fields (and deprecated enum values) are errors.
    pub request: bool,
}

/// One thing wrong with a body, at a JSON path like `cluster.nodePools[0].config.imageType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub problem: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.problem)
    }
}

/// Checks `body` against schema `schema` (e.g. `CreateClusterRequest`).
pub fn validate(schema: &str, body: &Value, rules: Rules) -> Vec<Issue> {
    let mut out = Vec::new();
    let facts = facts();
    match facts.schemas.get(schema) {
        Some(fields) => walk_object(facts, fields, body, "", rules, &mut out),
        None => out.push(Issue {
            path: String::new(),
            problem: format!("unknown schema {schema}"),
        }),
    }
    out
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk_object(
    facts: &Facts,
    fields: &BTreeMap<String, Field>,
    node: &Value,
    path: &str,
    rules: Rules,
    out: &mut Vec<Issue>,
) {
    let Some(map) = node.as_object() else {
        out.push(Issue {
            path: path.to_string(),
            problem: format!("expected an object, found {}", kind_of(node)),
        });
        return;
    };
    for (key, value) in map {
        let here = join(path, key);
        match fields.get(key) {
            Some(field) => {
                if rules.request && field.deprecated {
                    out.push(Issue {
                        path: here.clone(),
                        problem: "deprecated field; use its replacement".into(),
                    });
                }
                if rules.request && field.output_only {
                    out.push(Issue {
                        path: here.clone(),
                        problem: "output-only field cannot be sent".into(),
                    });
                }
                walk_field(facts, field, value, &here, rules, out);
            }
            None => out.push(Issue {
                path: here,
                problem: "unknown field".into(),
            }),
        }
    }
}

fn walk_field(
    facts: &Facts,
    field: &Field,
    node: &Value,
    path: &str,
    rules: Rules,
    out: &mut Vec<Issue>,
) {
    let mut bad = |expected: &str| {
        out.push(Issue {
            path: path.to_string(),
            problem: format!("expected {expected}, found {}", kind_of(node)),
        })
    };
    match field.kind.as_str() {
        "string" if !node.is_string() => bad("a string"),
        "boolean" if !node.is_boolean() => bad("a boolean"),
        "int32" | "uint32" => {
            let ok = node.as_i64().is_some_and(|n| {
                if field.kind == "uint32" {
                    (0..=i64::from(u32::MAX)).contains(&n)
                } else {
                    i32::try_from(n).is_ok()
                }
            });
            if !ok {
                bad(&format!("an {} number", field.kind));
            }
        }
        "int64" | "uint64" => {
            // proto3 JSON writes 64-bit integers as decimal strings; numbers are accepted too
            let ok = match node {
                Value::String(s) => s.parse::<i128>().is_ok(),
                Value::Number(n) => n.is_i64() || n.is_u64(),
                _ => false,
            };
            if !ok {
                bad("a 64-bit integer (decimal string)");
            }
        }
        "double" | "float" if !node.is_number() => bad("a number"),
        "enum" => check_enum(field, node, path, rules, out),
        "object" => match field
            .reference
            .as_deref()
            .and_then(|r| facts.schemas.get(r))
        {
            Some(fields) => walk_object(facts, fields, node, path, rules, out),
            None => bad("an object of a known schema"),
        },
        "array" => match (node.as_array(), &field.items) {
            (Some(items), Some(item)) => {
                for (i, v) in items.iter().enumerate() {
                    walk_field(facts, item, v, &format!("{path}[{i}]"), rules, out);
                }
            }
            _ => bad("an array"),
        },
        "map" => match (node.as_object(), &field.values) {
            (Some(map), Some(value)) => {
                for (k, v) in map {
                    walk_field(facts, value, v, &format!("{path}[{k:?}]"), rules, out);
                }
            }
            _ => bad("a map"),
        },
        _ => {}
    }
}

fn check_enum(field: &Field, node: &Value, path: &str, rules: Rules, out: &mut Vec<Issue>) {
    let Some(values) = &field.enumeration else {
        return;
    };
    let name = match (rules.enums, node) {
        (Enums::Names, Value::String(s)) => match values.get(s) {
            Some(_) => s.clone(),
            None => {
                out.push(Issue {
                    path: path.to_string(),
                    problem: format!(
                        "{s:?} is not one of {}",
                        values.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                });
                return;
            }
        },
        (Enums::Numbers, Value::Number(n)) => {
            match values
                .iter()
                .find(|(_, v)| v.is_some() && **v == n.as_i64())
            {
                Some((name, _)) => name.clone(),
                None => {
                    out.push(Issue {
                        path: path.to_string(),
                        problem: format!("{n} is not the number of any value of this enum"),
                    });
                    return;
                }
            }
        }
        (Enums::Names, _) => {
            out.push(Issue {
                path: path.to_string(),
                problem: format!("expected an enum name, found {}", kind_of(node)),
            });
            return;
        }
        (Enums::Numbers, _) => {
            out.push(Issue {
                path: path.to_string(),
                problem: format!(
                    "expected an enum number (the client sends enum-encoding=int), found {}",
                    kind_of(node)
                ),
            });
            return;
        }
    };
    if rules.request && field.deprecated_values.contains(&name) {
        out.push(Issue {
            path: path.to_string(),
            problem: format!("{name} is a deprecated value"),
        });
    }
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Rewrites enum fields between names and numbers, following schema `schema`. Values that do
/// not match (unknown numbers, wrong types) are left as they are for `validate` to report.
pub fn convert_enums(schema: &str, node: &mut Value, to: Enums) {
    let facts = facts();
    if let Some(fields) = facts.schemas.get(schema) {
        convert_object(facts, fields, node, to);
    }
}

fn convert_object(facts: &Facts, fields: &BTreeMap<String, Field>, node: &mut Value, to: Enums) {
    let Some(map) = node.as_object_mut() else {
        return;
    };
    for (key, value) in map.iter_mut() {
        if let Some(field) = fields.get(key) {
            convert_field(facts, field, value, to);
        }
    }
}

fn convert_field(facts: &Facts, field: &Field, node: &mut Value, to: Enums) {
    match field.kind.as_str() {
        "enum" => {
            let Some(values) = &field.enumeration else {
                return;
            };
            let replacement = match (to, &*node) {
                (Enums::Names, Value::Number(n)) => values
                    .iter()
                    .find(|(_, v)| v.is_some() && **v == n.as_i64())
                    .map(|(name, _)| Value::from(name.as_str())),
                (Enums::Numbers, Value::String(s)) => {
                    values.get(s).copied().flatten().map(Value::from)
                }
                _ => None,
            };
            if let Some(r) = replacement {
                *node = r;
            }
        }
        "object" => {
            if let Some(fields) = field
                .reference
                .as_deref()
                .and_then(|r| facts.schemas.get(r))
            {
                convert_object(facts, fields, node, to);
            }
        }
        "array" => {
            if let (Some(items), Some(item)) = (node.as_array_mut(), &field.items) {
                for v in items {
                    convert_field(facts, item, v, to);
                }
            }
        }
        "map" => {
            if let (Some(map), Some(value)) = (node.as_object_mut(), &field.values) {
                for v in map.values_mut() {
                    convert_field(facts, value, v, to);
                }
            }
        }
        _ => {}
    }
}
