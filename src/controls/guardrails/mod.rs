//! In-cluster guardrails: controls that ship Kubernetes objects with the cluster (kops: in the
//! spec's stream, stored as `clusteraddons/default`). The per-namespace ones act on the
//! namespaces the cluster declares (its Namespace objects); the admission policies on every
//! namespace but the system ones.

pub mod default_deny_network_policy;
pub mod image_pinned;
pub mod namespace_pod_security;
pub mod service_account_token_automount;
pub mod service_type_restricted;

use serde_yaml::Value;

use crate::controls::{Check, Verdict};
use crate::guardrails;
use crate::kops::KopsSpec;
use crate::yaml::tree;

/// The Kubernetes objects of a spec, owned.
pub(crate) fn objects(spec: &KopsSpec) -> Vec<Value> {
    spec.objects().cloned().collect()
}

/// The namespaces the spec declares (name, ingress).
pub(crate) fn namespaces(spec: &KopsSpec) -> Vec<(String, bool)> {
    guardrails::namespaces(&objects(spec))
}

/// The check for a spec that declares no namespace.
pub(crate) fn no_namespaces(spec: &KopsSpec) -> Check {
    Check::new(
        Verdict::NotApplicable,
        &KopsSpec::object_name(spec.cluster()),
        "namespaces",
        "the cluster declares no namespace (namespaces: in the cluster file)",
    )
}

/// `v1.MINOR` of the spec's kubernetesVersion, for the Pod Security version labels.
pub(crate) fn minor_version(spec: &KopsSpec) -> Option<String> {
    let v = tree::get_str(spec.cluster(), &["spec", "kubernetesVersion"])?;
    let (major, minor, _) = crate::version::kubernetes_version(v)?;
    Some(format!("v{major}.{minor}"))
}

/// Whether `found` (an object of the spec) holds everything `want` sets, recursively: extra
/// fields (a status, server defaults) do not matter.
pub(crate) fn covers(found: &Value, want: &Value) -> bool {
    match (found, want) {
        (Value::Mapping(f), Value::Mapping(w)) => w
            .iter()
            .all(|(k, v)| f.get(k).is_some_and(|fv| covers(fv, v))),
        (a, b) => a == b,
    }
}

/// Checks that every object of `want` is in the spec as built: one check per object.
pub(crate) fn check_objects(spec: &KopsSpec, want: &[Value], what: &str) -> Vec<Check> {
    let have = objects(spec);
    want.iter()
        .map(|w| {
            let id = guardrails::object_id(w);
            let kind = tree::get_str(w, &["kind"]).unwrap_or("");
            let name = tree::get_str(w, &["metadata", "name"]).unwrap_or("");
            let ns = tree::get_str(w, &["metadata", "namespace"]);
            // what the object does, not how Palisade labels it
            let mut essential = w.clone();
            tree::remove(&mut essential, &["metadata", "labels"]);
            match guardrails::find(&have, kind, ns, name) {
                Some(found) if covers(found, &essential) => {
                    Check::pass(&id, kind, format!("in place ({what})"))
                }
                Some(_) => Check::fail(
                    &id,
                    kind,
                    format!("{id} differs from {what}; Palisade would write it as it ships it"),
                ),
                None => Check::fail(
                    &id,
                    kind,
                    match ns {
                        Some(ns) => format!("namespace {ns} has no {kind} {name} ({what})"),
                        None => format!("the cluster has no {kind} {name} ({what})"),
                    },
                ),
            }
        })
        .collect()
}
