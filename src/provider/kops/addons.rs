//! `CLUSTER/clusteraddons/default`: the Kubernetes objects kops applies with the cluster.
//!
//! kops reads the key on every `kops update cluster` and applies what it holds on the control
//! plane (as addon `cluster-addons.kops.k8s.io`, kops 1.19 and later). Palisade writes its own
//! objects there and keeps every object it does not own (a KubeSchedulerConfiguration, say).
//! kops never prunes these objects: one Palisade stops shipping stays in the cluster until
//! deleted, and the plan says how.

use serde::Deserialize;
use serde_yaml::Value;

use crate::guardrails::{is_managed, object_id};

/// The objects of a stored stream: mappings each with an apiVersion and a kind.
pub fn parse(text: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let doc =
            Value::deserialize(de).map_err(|e| crate::yaml::strip_location(&e.to_string()))?;
        if doc.is_null() {
            continue;
        }
        // kops keeps well-known kinds here without metadata (a KubeSchedulerConfiguration)
        let typed = ["apiVersion", "kind"]
            .iter()
            .all(|k| crate::yaml::tree::get_str(&doc, &[k]).is_some());
        if !typed {
            return Err(format!(
                "document {} is not a Kubernetes object (apiVersion and kind)",
                out.len() + 1
            ));
        }
        if !crate::guardrails::is_kubernetes_object(&doc) {
            return Err(format!(
                "document {} is a kops document, which belongs in its own key",
                out.len() + 1
            ));
        }
        out.push(doc);
    }
    Ok(out)
}

/// The stream kops reads.
pub fn emit(objects: &[Value]) -> String {
    let mut out = String::new();
    for (i, o) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&crate::kops::emit::to_yaml(o));
    }
    out
}

/// What the key will hold: every stored object Palisade does not own, in its place, then
/// Palisade's. Returns it with the ids of objects Palisade shipped before and no longer does.
pub fn desired(stored: &[Value], rendered: &[Value]) -> (Vec<Value>, Vec<String>) {
    let mut out: Vec<Value> = stored.iter().filter(|o| !is_managed(o)).cloned().collect();
    let foreign: Vec<String> = out.iter().map(object_id).collect();
    for r in rendered {
        if !foreign.contains(&object_id(r)) {
            out.push(r.clone());
        }
    }
    let kept: Vec<String> = out.iter().map(object_id).collect();
    let dropped = stored
        .iter()
        .filter(|o| is_managed(o))
        .map(object_id)
        .filter(|id| !kept.contains(id))
        .collect();
    (out, dropped)
}

/// `kubectl delete KIND NAME [-n NAMESPACE]` for an object id.
pub fn delete_command(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        [kind, ns, name] => format!("kubectl delete {} {name} -n {ns}", kind.to_lowercase()),
        [kind, name] => format!("kubectl delete {} {name}", kind.to_lowercase()),
        _ => format!("kubectl delete {id}"),
    }
}
