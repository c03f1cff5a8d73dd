//! In-cluster guardrails: controls that ship Kubernetes objects with the cluster (kops: in the
//! spec's stream, stored as `clusteraddons/default`; GKE: server-side applied through the
//! cluster's Kubernetes API). The per-namespace ones act on the namespaces the cluster declares
//! (its Namespace objects); the admission policies on every namespace but the system ones.
//!
//! Each control is written once, as a [`Guardrail`] over a provider-neutral [`Scope`];
//! [`OnKops`] and [`OnGke`] are its two halves.

pub mod default_deny_network_policy;
pub mod image_pinned;
pub mod namespace_pod_security;
pub mod service_account_token_automount;
pub mod service_type_restricted;

use serde_yaml::Value;

use crate::controls::{ApplyCtx, Check, GkeRule, KopsRule, Params, Verdict};
use crate::gke::{ClusterView, GkeCtx};
use crate::guardrails::{self, MinorVersion, Scope};
use crate::kops::KopsSpec;
use crate::yaml::tree;

/// One guardrail control, whichever provider: what it judges and what objects it ships.
pub trait Guardrail: Sync {
    /// The cluster-file field a refusal points to.
    fn fix_field(&self) -> Option<&'static str> {
        Some("namespaces")
    }
    /// Whether its objects are still built when a waiver carries its failure.
    fn applies_when_waived(&self) -> bool {
        false
    }
    /// The objects it ships on GKE, for `controls explain`.
    fn objects(&self) -> &'static [&'static str];
    /// One check per object it wants (or one for the cluster when nothing applies).
    fn check(&self, scope: &Scope, params: &Params) -> Vec<Check>;
    /// The objects it ships, to be put among the scope's (replacing those of the same id).
    fn build(&self, scope: &Scope, params: &Params) -> Result<Vec<Value>, String>;
}

/// The kops half of a guardrail: the objects live in the spec's stream.
pub struct OnKops(pub &'static dyn Guardrail);

impl KopsRule for OnKops {
    fn fix_field(&self) -> Option<&'static str> {
        self.0.fix_field()
    }

    fn applies_when_waived(&self) -> bool {
        self.0.applies_when_waived()
    }

    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        self.0.check(&kops_scope(spec), params)
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        for o in self.0.build(&kops_scope(spec), params)? {
            spec.put_object(o);
        }
        Ok(())
    }
}

/// The GKE half of a guardrail: the objects are those read from (or to be applied through)
/// the cluster's Kubernetes API, which the container API's `Cluster` does not show.
pub struct OnGke(pub &'static dyn Guardrail);

impl GkeRule for OnGke {
    // no `Cluster` field: the objects are the control's
    fn fields(&self) -> &'static [&'static str] {
        &[]
    }

    fn objects(&self) -> &'static [&'static str] {
        self.0.objects()
    }

    fn fix_field(&self) -> Option<&'static str> {
        self.0.fix_field()
    }

    fn check(&self, cluster: &ClusterView<'_>, params: &Params) -> Vec<Check> {
        if let Some(why) = cluster.in_cluster.and_then(|c| c.unread.as_ref()) {
            return vec![Check::new(
                Verdict::Unknown,
                &cluster.object(),
                "",
                format!("the cluster's Kubernetes objects could not be read: {why}"),
            )];
        }
        match gke_scope(cluster) {
            Some(scope) => self.0.check(&scope, params),
            None => vec![Check::new(
                Verdict::NotApplicable,
                &cluster.object(),
                "",
                "the cluster's Kubernetes objects were not read (the container API does not show them; plan and apply read them through the cluster's Kubernetes API)",
            )],
        }
    }

    fn apply(&self, _: &mut serde_json::Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        Ok(())
    }

    fn build_objects(
        &self,
        cluster: &ClusterView<'_>,
        params: &Params,
    ) -> Result<Vec<Value>, String> {
        let scope = gke_scope(cluster).unwrap_or_else(|| gke_scope_of(cluster, &[], None));
        self.0.build(&scope, params)
    }
}

/// What a kops spec shows the guardrails.
pub fn kops_scope(spec: &KopsSpec) -> Scope<'_> {
    let version = match minor_version(spec) {
        Some(v) => MinorVersion::Pinned(v),
        None => MinorVersion::Missing(
            "the Cluster names no kubernetesVersion to pin the Pod Security labels to".into(),
        ),
    };
    Scope {
        cluster: KopsSpec::object_name(spec.cluster()),
        objects: spec.objects().collect(),
        version,
        network_policy: crate::controls::network::network_policy::enforced(spec),
        network_field: "spec.networking",
        node_local_dns: default_deny_network_policy::node_local_dns(spec),
        admission_off: admission_plugin_off(spec).map(|c| (c.path, c.message)),
        system: &guardrails::KOPS_EXEMPT,
        declared: None,
        pod_security_default: true,
    }
}

/// What a GKE cluster shows the guardrails; `None` when its Kubernetes objects were not read.
pub fn gke_scope<'a>(cluster: &ClusterView<'a>) -> Option<Scope<'a>> {
    let in_cluster = cluster.in_cluster?;
    let mut scope = gke_scope_of(cluster, &in_cluster.objects, in_cluster.minor.clone());
    scope.declared = in_cluster.declared.clone();
    Some(scope)
}

fn gke_scope_of<'a>(
    cluster: &ClusterView<'_>,
    objects: &'a [Value],
    minor: Option<String>,
) -> Scope<'a> {
    let minor = minor.or_else(|| cluster.minor());
    let network_policy = match crate::controls::network::network_policy::CONTROL
        .check_gke(cluster, &Params::default())
        .into_iter()
        .next()
    {
        Some(c) if c.verdict == Verdict::Pass => Ok(()),
        Some(c) => Err(c.message),
        None => Err("nothing enforces NetworkPolicy".into()),
    };
    Scope {
        cluster: cluster.object(),
        objects: objects.iter().collect(),
        version: minor.map_or(MinorVersion::Pending, MinorVersion::Pinned),
        network_policy,
        network_field: "networkPolicy",
        node_local_dns: None,
        admission_off: None,
        system: &guardrails::GKE_EXEMPT,
        declared: None,
        pod_security_default: false,
    }
}

/// The check for a cluster that declares no namespace.
pub(crate) fn no_namespaces(scope: &Scope) -> Check {
    Check::new(
        Verdict::NotApplicable,
        &scope.cluster,
        "namespaces",
        "the cluster declares no namespace (namespaces: in the cluster file)",
    )
}

/// The admission policies' check where the API server does not run them.
pub(crate) fn admission_off(scope: &Scope) -> Option<Check> {
    scope
        .admission_off
        .as_ref()
        .map(|(path, why)| Check::fail(&scope.cluster, path, why.clone()))
}

/// `v1.MINOR` of the spec's kubernetesVersion, for the Pod Security version labels.
pub(crate) fn minor_version(spec: &KopsSpec) -> Option<String> {
    tree::get_str(spec.cluster(), &["spec", "kubernetesVersion"])
        .and_then(crate::version::minor_label)
}

/// Whether `found` is `want` as Palisade ships it: every field but metadata (labels,
/// annotations, server fields), status and the fields others may own beside Palisade's equal,
/// so that nothing added beside Palisade's fields (an allow-all rule, a narrowing selector, a
/// match condition) passes unseen.
pub(crate) fn same_object(found: &Value, want: &Value) -> bool {
    match (compared_fields(found), compared_fields(want)) {
        (Some(a), Some(b)) => {
            // key order does not matter, as in a mapping's own equality
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.iter().any(|(bk, bv)| bk == k && bv == v))
        }
        _ => found == want,
    }
}

/// The fields of an object [`same_object`] compares: all but metadata, status and its kind's
/// foreign ones; `None` for what is not a mapping.
fn compared_fields(v: &Value) -> Option<Vec<(&Value, &Value)>> {
    let kind = tree::get_str(v, &["kind"]).unwrap_or("");
    let skipped = guardrails::foreign_fields(kind);
    Some(
        v.as_mapping()?
            .iter()
            .filter(|(k, _)| {
                k.as_str()
                    .is_none_or(|k| k != "metadata" && k != "status" && !skipped.contains(&k))
            })
            .collect(),
    )
}

/// Checks that every object of `want` is in the spec exactly as built, once: one check per
/// object (a second copy would be applied after the first and win).
pub(crate) fn check_objects(scope: &Scope, want: &[Value], what: &str) -> Vec<Check> {
    let have = scope.by_id();
    want.iter()
        .map(|w| {
            let id = guardrails::object_id(w);
            let kind = tree::get_str(w, &["kind"]).unwrap_or("");
            let name = tree::get_str(w, &["metadata", "name"]).unwrap_or("");
            let ns = tree::get_str(w, &["metadata", "namespace"]);
            match have.get(&id).map(Vec::as_slice).unwrap_or_default() {
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

/// The objects (kind, apiVersion, namespace, name only) Palisade's guardrails may have put in
/// a cluster whose declared namespaces are `namespaces`: what a live audit reads back.
pub fn shipped_objects(namespaces: &[String]) -> Vec<Value> {
    let stub = |api: &str, kind: &str, ns: Option<&str>, name: &str| {
        let mut meta = serde_yaml::Mapping::new();
        meta.insert("name".into(), name.into());
        if let Some(ns) = ns {
            meta.insert("namespace".into(), ns.into());
        }
        let mut m = serde_yaml::Mapping::new();
        m.insert("apiVersion".into(), api.into());
        m.insert("kind".into(), kind.into());
        m.insert("metadata".into(), Value::Mapping(meta));
        Value::Mapping(m)
    };
    let mut out = Vec::new();
    for ns in namespaces {
        for name in default_deny_network_policy::NAMES {
            out.push(stub(
                "networking.k8s.io/v1",
                "NetworkPolicy",
                Some(ns),
                name,
            ));
        }
        out.push(stub("v1", "ServiceAccount", Some(ns), "default"));
    }
    for name in [
        namespace_pod_security::NAME,
        service_type_restricted::NAME,
        image_pinned::NAME,
    ] {
        for kind in [
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
        ] {
            out.push(stub("admissionregistration.k8s.io/v1", kind, None, name));
        }
    }
    out
}

/// Whether Palisade's guardrails ship an object of this kind and name (a saved plan may carry
/// no other as Palisade's: an extra allow-all NetworkPolicy would undo the default deny).
pub fn is_shipped(kind: &str, name: &str) -> bool {
    match kind {
        "Namespace" => true,
        "NetworkPolicy" => default_deny_network_policy::NAMES.contains(&name),
        "ServiceAccount" => name == "default",
        "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding" => [
            service_type_restricted::NAME,
            image_pinned::NAME,
            namespace_pod_security::NAME,
        ]
        .contains(&name),
        _ => false,
    }
}
