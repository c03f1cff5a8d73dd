//! The Kubernetes objects a GKE plan applies through the cluster's API: each one the guardrail
//! controls ship, compared with what the API holds, in apply order (namespaces, then service
//! accounts and policies, then bindings).
//!
//! The comparison is as strict as the controls' own: everything but metadata and status must be
//! what Palisade ships (after the server's defaults are set aside), and its labels must be there.
//! Server-side apply sets Palisade's fields and drops the ones it set before and no longer sends,
//! but keeps fields another manager added (an allow-all rule in a default-deny policy, a match
//! condition that narrows an admission policy): an object with such additions is replaced
//! instead (PUT, conditional on the resourceVersion read), which removes them.

use serde::Serialize;
use serde_json::{Map, Value};

use super::kube::{self, KubeApi, KubeError};
use super::steps::FieldChange;
use crate::guardrails::CONTROL_LABEL;

/// One object to write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectStep {
    /// `Kind/NAME` or `Kind/NAMESPACE/NAME`.
    pub object: String,
    /// The API path it is written at.
    pub path: String,
    /// The object as written (JSON); for a replace, with the resourceVersion read.
    pub body: Value,
    /// Whether the API has it already (`None`: not read).
    pub exists: Option<bool>,
    /// Replaced (PUT) rather than applied: the live object carries fields Palisade does not
    /// set, named in `added`.
    pub replace: bool,
    pub added: Vec<String>,
    /// The fields that differ from what the API holds (all of them for a new object; a field
    /// that goes has no new value).
    pub fields: Vec<FieldChange>,
    /// The control behind it.
    pub because: String,
}

/// Apply order: a namespace before what lives in it, a policy before its binding.
fn rank(object: &Value) -> u8 {
    match object.get("kind").and_then(Value::as_str) {
        Some("Namespace") => 0,
        Some("ValidatingAdmissionPolicyBinding") => 2,
        _ => 1,
    }
}

/// The objects as JSON, in apply order (stable within a rank).
pub fn ordered(objects: &[serde_yaml::Value]) -> Result<Vec<Value>, KubeError> {
    let mut out: Vec<Value> = objects
        .iter()
        .map(|o| serde_json::to_value(o).map_err(|e| KubeError::Kind(format!("an object: {e}"))))
        .collect::<Result<_, _>>()?;
    out.sort_by_key(rank);
    Ok(out)
}

/// Every leaf of an object, by dotted path (list items by index).
fn leaves(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                leaves(child, join(k), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, child) in items.iter().enumerate() {
                leaves(child, format!("{path}[{i}]"), out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

/// The labels Palisade decides: its own and the Pod Security ones. Any other label (the
/// server's `kubernetes.io/metadata.name`, a team's) is left alone.
fn decided(label: &str) -> bool {
    label.starts_with("pod-security.kubernetes.io/")
        || label.starts_with("palisade.dev/")
        || label == crate::guardrails::MANAGED_BY.0
}

fn labels(v: &Value) -> Map<String, Value> {
    v.get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// The object without metadata and status: what must be exactly Palisade's.
fn body_of(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

/// A live object as JSON, without the server's defaults.
fn read_back(have: &Value) -> Value {
    serde_json::from_value::<serde_yaml::Value>(have.clone())
        .ok()
        .map(crate::guardrails::without_server_defaults)
        .map(crate::guardrails::without_foreign_fields)
        .and_then(|y| serde_json::to_value(y).ok())
        .unwrap_or_else(|| have.clone())
}

/// How the live object differs from `want`: the field changes, and the fields it has that
/// Palisade does not set.
fn compare(have: &Value, want: &Value, because: &str) -> (Vec<FieldChange>, Vec<String>) {
    let have = read_back(have);
    let change = |path: String, old: Option<Value>, new: Value| FieldChange {
        path,
        old,
        new,
        because: because.to_string(),
    };
    let mut want_leaves = Vec::new();
    leaves(&body_of(want), String::new(), &mut want_leaves);
    let mut have_leaves = Vec::new();
    leaves(&body_of(&have), String::new(), &mut have_leaves);
    let mut fields: Vec<FieldChange> = want_leaves
        .iter()
        .filter_map(|(path, new)| {
            let old = have_leaves.iter().find(|(p, _)| p == path).map(|(_, v)| v);
            (old != Some(new)).then(|| change(path.clone(), old.cloned(), new.clone()))
        })
        .collect();
    let added: Vec<String> = have_leaves
        .iter()
        .filter(|(p, _)| !want_leaves.iter().any(|(w, _)| w == p))
        .map(|(p, _)| p.clone())
        .collect();
    // labels: Palisade's must be there; those it decides and no longer sets go
    let (want_labels, have_labels) = (labels(want), labels(&have));
    for (k, v) in &want_labels {
        if have_labels.get(k) != Some(v) {
            fields.push(change(
                format!("metadata.labels.{k}"),
                have_labels.get(k).cloned(),
                v.clone(),
            ));
        }
    }
    for (k, v) in &have_labels {
        if decided(k) && !want_labels.contains_key(k) {
            fields.push(change(
                format!("metadata.labels.{k}"),
                Some(v.clone()),
                Value::Null,
            ));
        }
    }
    (fields, added)
}

fn because_of(body: &Value) -> String {
    crate::gke::view::text(body, &["metadata", "labels", CONTROL_LABEL])
        .unwrap_or("cluster file")
        .to_string()
}

fn id_of(body: &Value) -> String {
    crate::guardrails::object_id(&serde_yaml::to_value(body).unwrap_or_default())
}

/// A new object (`exists`: `Some(false)`), or one not read (`None`).
fn whole(body: Value, exists: Option<bool>) -> Result<ObjectStep, KubeError> {
    let because = because_of(&body);
    let fields = if exists.is_some() {
        let mut all = Vec::new();
        leaves(&body, String::new(), &mut all);
        all.into_iter()
            .map(|(path, new)| FieldChange {
                path,
                old: None,
                new,
                because: because.clone(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(ObjectStep {
        object: id_of(&body),
        path: kube::path(&body)?,
        exists,
        replace: false,
        added: Vec::new(),
        fields,
        because,
        body,
    })
}

/// The step that brings `have` to `want`, or `None` when it is there as Palisade ships it.
fn change(have: &Value, want: Value) -> Result<Option<ObjectStep>, KubeError> {
    let because = because_of(&want);
    let (fields, added) = compare(have, &want, &because);
    if fields.is_empty() && added.is_empty() {
        return Ok(None);
    }
    // an apply removes only what Palisade set before: a field another client added, or a label
    // Palisade decides that another client set, stays unless the object is replaced
    let replace = !added.is_empty() || fields.iter().any(|f| f.new.is_null());
    let mut body = want;
    if replace {
        // a replace keeps what others may own (labels and annotations Palisade does not decide,
        // finalizers, owner references, a kind's foreign fields), and is conditional on the
        // version read
        let meta = have.get("metadata").cloned().unwrap_or_default();
        for key in ["finalizers", "ownerReferences"] {
            if let Some(v) = meta.get(key) {
                body["metadata"][key] = v.clone();
            }
        }
        let kind = body
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        for f in crate::guardrails::foreign_fields(&kind) {
            if let Some(v) = have.get(*f) {
                body[*f] = v.clone();
            }
        }
        let mut labels = labels(&body);
        for (k, v) in meta
            .get("labels")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !decided(k) {
                labels.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        body["metadata"]["labels"] = Value::Object(labels);
        if let Some(a) = meta.get("annotations").filter(|a| a.is_object()) {
            body["metadata"]["annotations"] = a.clone();
        }
        body["metadata"]["resourceVersion"] =
            meta.get("resourceVersion").cloned().unwrap_or_default();
    }
    Ok(Some(ObjectStep {
        object: id_of(&body),
        path: kube::path(&body)?,
        exists: Some(true),
        replace,
        added,
        fields,
        because,
        body,
    }))
}

/// The objects of a cluster that does not exist yet: all of them, after `clusters.create`.
pub fn for_new_cluster(objects: &[serde_yaml::Value]) -> Result<Vec<ObjectStep>, KubeError> {
    ordered(objects)?
        .into_iter()
        .map(|o| whole(o, Some(false)))
        .collect()
}

/// The objects the API does not hold as Palisade ships them.
pub async fn for_live_cluster(
    api: &KubeApi,
    objects: &[serde_yaml::Value],
) -> Result<Vec<ObjectStep>, KubeError> {
    let mut out = Vec::new();
    for o in ordered(objects)? {
        let step = match api.get(&o).await? {
            None => Some(whole(o, Some(false))?),
            Some(have) => change(&have, o)?,
        };
        out.extend(step);
    }
    Ok(out)
}

/// The objects when the API could not be read: every one is applied (the apply is
/// idempotent), none shown as unchanged.
pub fn unread(objects: &[serde_yaml::Value]) -> Result<Vec<ObjectStep>, KubeError> {
    ordered(objects)?
        .into_iter()
        .map(|o| whole(o, None))
        .collect()
}

/// What a live cluster holds of Palisade's objects: its Namespaces labelled as Palisade's and,
/// for them and the cluster, every object the guardrails may have put there (those found),
/// without the server's defaults.
pub async fn read_in_cluster(
    api: &KubeApi,
    declared: &[String],
) -> Result<Vec<serde_yaml::Value>, KubeError> {
    let mut found = api.managed_namespaces().await?;
    let mut names: Vec<String> = found
        .iter()
        .filter_map(|n| crate::gke::view::text(n, &["metadata", "name"]).map(str::to_string))
        .collect();
    // and the ones a cluster file declares, labelled or not
    for d in declared {
        if names.contains(d) {
            continue;
        }
        let stub =
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": d}});
        if let Some(ns) = api.get(&stub).await? {
            found.push(ns);
        }
        names.push(d.clone());
    }
    for stub in crate::controls::guardrails::shipped_objects(&names) {
        let stub = serde_json::to_value(&stub).map_err(|e| KubeError::Kind(e.to_string()))?;
        if let Some(o) = api.get(&stub).await? {
            found.push(o);
        }
    }
    found
        .into_iter()
        .map(|o| {
            serde_json::from_value::<serde_yaml::Value>(o)
                .map(crate::guardrails::without_server_defaults)
                .map_err(|e| KubeError::Kind(format!("an object read back: {e}")))
        })
        .collect()
}
