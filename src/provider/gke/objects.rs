//! The Kubernetes objects a GKE plan applies through the cluster's API: each one the guardrail
//! controls ship, compared with what the API holds, in apply order (namespaces, then service
//! accounts and policies, then bindings).

use serde::Serialize;
use serde_json::Value;

use super::kube::{self, KubeApi, KubeError};
use super::steps::FieldChange;
use crate::guardrails::CONTROL_LABEL;

/// One object to server-side apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectStep {
    /// `Kind/NAME` or `Kind/NAMESPACE/NAME`.
    pub object: String,
    /// The API path it is applied at.
    pub path: String,
    /// The object as applied (JSON).
    pub body: Value,
    /// Whether the API does not have it yet (or was not read: `None`).
    pub exists: Option<bool>,
    /// The fields that differ from what the API holds (all of them for a new object).
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

/// Whether `have` holds everything of `want`: server-side apply leaves fields other managers
/// own (and the server's defaults) in place, so only Palisade's fields are compared; a list
/// must have as many items, each covering Palisade's.
pub fn covers(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(h), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| h.get(k).is_some_and(|hv| covers(hv, wv))),
        (Value::Array(h), Value::Array(w)) => {
            h.len() == w.len() && h.iter().zip(w).all(|(a, b)| covers(a, b))
        }
        (h, w) => h == w,
    }
}

/// Palisade's fields of `want` that `have` (when there is one) does not hold.
fn differing(have: Option<&Value>, want: &Value, because: &str) -> Vec<FieldChange> {
    let mut all = Vec::new();
    leaves(want, String::new(), &mut all);
    let mut old_leaves = Vec::new();
    if let Some(h) = have {
        leaves(h, String::new(), &mut old_leaves);
    }
    all.into_iter()
        .filter_map(|(path, new)| {
            let old = old_leaves
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, v)| v.clone());
            (old.as_ref() != Some(&new)).then(|| FieldChange {
                path,
                old,
                new,
                because: because.to_string(),
            })
        })
        .collect()
}

fn step(body: Value, have: Option<Option<&Value>>) -> Result<ObjectStep, KubeError> {
    let because = crate::gke::view::text(&body, &["metadata", "labels", CONTROL_LABEL])
        .unwrap_or("cluster file")
        .to_string();
    let object = crate::guardrails::object_id(&serde_yaml::to_value(&body).unwrap_or_default());
    Ok(ObjectStep {
        path: kube::path(&body)?,
        // not read: nothing to compare with
        fields: match have {
            Some(have) => differing(have, &body, &because),
            None => Vec::new(),
        },
        exists: have.map(|h| h.is_some()),
        object,
        because,
        body,
    })
}

/// The objects of a cluster that does not exist yet: all of them, after `clusters.create`.
pub fn for_new_cluster(objects: &[serde_yaml::Value]) -> Result<Vec<ObjectStep>, KubeError> {
    ordered(objects)?
        .into_iter()
        .map(|o| step(o, Some(None)))
        .collect()
}

/// The objects the API does not hold as Palisade ships them.
pub async fn for_live_cluster(
    api: &KubeApi,
    objects: &[serde_yaml::Value],
) -> Result<Vec<ObjectStep>, KubeError> {
    let mut out = Vec::new();
    for o in ordered(objects)? {
        let have = api.get(&o).await?;
        if have.as_ref().is_some_and(|h| covers(h, &o)) {
            continue;
        }
        out.push(step(o, Some(have.as_ref()))?);
    }
    Ok(out)
}

/// The objects when the API could not be read: every one is applied (the apply is
/// idempotent), none shown as unchanged.
pub fn unread(objects: &[serde_yaml::Value]) -> Result<Vec<ObjectStep>, KubeError> {
    ordered(objects)?
        .into_iter()
        .map(|o| step(o, None))
        .collect()
}

/// What a live cluster holds of Palisade's objects: its Namespaces labelled as Palisade's and,
/// for them and the cluster, every object the guardrails may have put there (those found).
pub async fn read_in_cluster(api: &KubeApi) -> Result<Vec<serde_yaml::Value>, KubeError> {
    let namespaces = api.managed_namespaces().await?;
    let names: Vec<String> = namespaces
        .iter()
        .filter_map(|n| crate::gke::view::text(n, &["metadata", "name"]).map(str::to_string))
        .collect();
    let mut found = namespaces;
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
