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

/// What the key will hold: the stored objects in their order, each of Palisade's replaced by
/// what it renders now (or dropped when it renders it no more), every other kept; then the new
/// ones. An object of the store's with the id of one Palisade ships is replaced by Palisade's:
/// otherwise it would shadow the guardrail. Returns it with the ids of objects Palisade shipped
/// before and no longer does, and of the store's own objects it replaced.
pub fn desired(stored: &[Value], rendered: &[Value]) -> (Vec<Value>, Vec<String>, Vec<String>) {
    let rendered_ids: Vec<String> = rendered.iter().map(object_id).collect();
    let mut out: Vec<Value> = Vec::new();
    let mut placed: Vec<String> = Vec::new();
    let (mut dropped, mut replaced) = (Vec::new(), Vec::new());
    for o in stored {
        let id = object_id(o);
        match rendered_ids.iter().position(|r| *r == id) {
            Some(i) if !placed.contains(&id) => {
                if !is_managed(o) {
                    replaced.push(id.clone());
                }
                out.push(rendered[i].clone());
                placed.push(id);
            }
            // a second copy of an object Palisade ships: gone
            Some(_) => {}
            None if is_managed(o) => dropped.push(id),
            None => out.push(o.clone()),
        }
    }
    for (r, id) in rendered.iter().zip(&rendered_ids) {
        if !placed.contains(id) {
            out.push(r.clone());
            placed.push(id.clone());
        }
    }
    (out, dropped, replaced)
}

/// What to do about an object Palisade no longer ships, which kops leaves in the cluster.
pub fn removal_advice(id: &str) -> String {
    let parts: Vec<&str> = id.split('/').collect();
    match parts.as_slice() {
        ["Namespace", name] => format!("`kubectl delete namespace {name}` removes it, and everything in it: only once nothing there is used"),
        ["ServiceAccount", ns, "default"] => format!("Kubernetes keeps a default service account; to let it mount tokens again: `kubectl patch serviceaccount default -n {ns} -p '{{\"automountServiceAccountToken\": null}}'`"),
        _ => format!("`{}` removes it", delete_command(id)),
    }
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
