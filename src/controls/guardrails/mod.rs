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

/// Whether `found` is `want` as Palisade ships it: every field but metadata (labels,
/// annotations, server fields) and status equal, so that nothing added beside Palisade's fields
/// (an allow-all rule, a narrowing selector, a match condition) passes unseen.
pub(crate) fn same_object(found: &Value, want: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Some(m) = v.as_mapping_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    strip(found) == strip(want)
}

/// Every object of `docs` with `kind`, `namespace` and `name`.
fn all_named<'a>(
    docs: &'a [Value],
    kind: &str,
    namespace: Option<&str>,
    name: &str,
) -> Vec<&'a Value> {
    docs.iter()
        .filter(|d| {
            tree::get_str(d, &["kind"]) == Some(kind)
                && tree::get_str(d, &["metadata", "name"]) == Some(name)
                && tree::get_str(d, &["metadata", "namespace"]) == namespace
        })
        .collect()
}

/// Checks that every object of `want` is in the spec exactly as built, once: one check per
/// object (a second copy would be applied after the first and win).
pub(crate) fn check_objects(spec: &KopsSpec, want: &[Value], what: &str) -> Vec<Check> {
    let have = objects(spec);
    want.iter()
        .map(|w| {
            let id = guardrails::object_id(w);
            let kind = tree::get_str(w, &["kind"]).unwrap_or("");
            let name = tree::get_str(w, &["metadata", "name"]).unwrap_or("");
            let ns = tree::get_str(w, &["metadata", "namespace"]);
            match all_named(&have, kind, ns, name).as_slice() {
                [found] if same_object(found, w) => {
                    Check::pass(&id, kind, format!("in place ({what})"))
                }
                [_] => Check::fail(
                    &id,
                    kind,
                    format!(
                        "{id} is not {what} as Palisade ships it (a field differs or was added)"
                    ),
                ),
                [] => Check::fail(
                    &id,
                    kind,
                    match ns {
                        Some(ns) => format!("namespace {ns} has no {kind} {name} ({what})"),
                        None => format!("the cluster has no {kind} {name} ({what})"),
                    },
                ),
                many => Check::fail(
                    &id,
                    kind,
                    format!(
                        "{id} is there {} times; the last one applied wins, so only one may be",
                        many.len()
                    ),
                ),
            }
        })
        .collect()
}

/// The admission policies mean nothing when the API server does not run them: the plugin
/// disabled (kops joins list entries with commas, so `"A,ValidatingAdmissionPolicy"` counts),
/// the deprecated `admissionControl` list naming the plugins without it (it replaces the
/// defaults), or `runtimeConfig` turning off the API they are written in.
pub(crate) fn admission_plugin_off(spec: &KopsSpec) -> Option<Check> {
    const PLUGIN: &str = "ValidatingAdmissionPolicy";
    const API: &str = "admissionregistration.k8s.io/v1";
    let object = KopsSpec::object_name(spec.cluster());
    let list = |field: &str| -> Option<Vec<String>> {
        tree::get_str_list(spec.cluster(), &["spec", "kubeAPIServer", field]).map(|l| {
            l.iter()
                .flat_map(|e| {
                    e.split(',')
                        .map(|p| p.trim().to_string())
                        .collect::<Vec<_>>()
                })
                .collect()
        })
    };
    let fail = |path: &str, why: &str| Some(Check::fail(&object, path, why.to_string()));
    if list("disableAdmissionPlugins").is_some_and(|l| l.iter().any(|p| p == PLUGIN)) {
        return fail(
            "spec.kubeAPIServer.disableAdmissionPlugins",
            "the ValidatingAdmissionPolicy admission plugin is disabled: no admission policy is enforced",
        );
    }
    if list("admissionControl").is_some_and(|l| !l.is_empty() && !l.iter().any(|p| p == PLUGIN)) {
        return fail(
            "spec.kubeAPIServer.admissionControl",
            "admissionControl lists the admission plugins without ValidatingAdmissionPolicy (it replaces the defaults): no admission policy is enforced",
        );
    }
    let runtime = |key: &str| {
        tree::get(spec.cluster(), &["spec", "kubeAPIServer", "runtimeConfig"])
            .and_then(|m| m.get(key))
            .map(|v| match v {
                Value::String(s) => s.trim().to_string(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
    };
    let api_off = runtime(API).as_deref() == Some("false")
        || (runtime("api/all").as_deref() == Some("false")
            && runtime(API).as_deref() != Some("true"));
    if api_off {
        return fail(
            "spec.kubeAPIServer.runtimeConfig",
            "runtimeConfig turns off admissionregistration.k8s.io/v1: the admission policies cannot exist",
        );
    }
    None
}

/// Whether Palisade's guardrails ship an object of this kind and name (a saved plan may carry
/// no other as Palisade's: an extra allow-all NetworkPolicy would undo the default deny).
pub fn is_shipped(kind: &str, name: &str) -> bool {
    match kind {
        "Namespace" => true,
        "NetworkPolicy" => default_deny_network_policy::NAMES.contains(&name),
        "ServiceAccount" => name == "default",
        "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding" => {
            [service_type_restricted::NAME, image_pinned::NAME].contains(&name)
        }
        _ => false,
    }
}
