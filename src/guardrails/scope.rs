//! What a guardrail control judges and builds on, whichever provider runs the cluster: its
//! Kubernetes objects, its Kubernetes minor version, whether its CNI enforces NetworkPolicy,
//! which namespaces are the provider's own, and whether the API server runs the admission
//! policies at all. kops fills it in from the spec (`controls::guardrails::kops_scope`), GKE
//! from the cluster and the objects read from (or to be applied to) its Kubernetes API.

use serde_yaml::Value;

use std::collections::BTreeMap;

use super::{namespaces_except, object_id, Exempt};

/// The Kubernetes minor version the Pod Security `-version` labels are pinned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MinorVersion {
    /// `v1.N`.
    Pinned(String),
    /// Known only once the cluster exists (a new GKE cluster takes its version from the
    /// release channel): pinned when the objects are applied.
    Pending,
    /// Not known, and it should be: why.
    Missing(String),
}

/// The Kubernetes objects a GKE cluster carries for Palisade (read from its API, or to be
/// applied to it) and its minor version, for the GKE halves of the guardrail controls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InCluster {
    pub objects: Vec<Value>,
    /// `v1.N` of the cluster, when known.
    pub minor: Option<String>,
    /// Why the objects could not be read from the cluster's API, when they could not.
    pub unread: Option<String>,
    /// The namespaces a cluster file declares (name, ingress), when the objects are judged
    /// against one: then a declared namespace the cluster lacks is judged too.
    pub declared: Option<Vec<(String, bool)>>,
}

/// What one provider's cluster shows the guardrail controls.
#[derive(Debug, Clone)]
pub struct Scope<'a> {
    /// The object cluster-level findings are about (`Cluster/NAME`).
    pub cluster: String,
    /// Every Kubernetes object the cluster carries (for kops: the spec's stream).
    pub objects: Vec<&'a Value>,
    pub version: MinorVersion,
    /// `Ok` when the CNI enforces NetworkPolicy, else why not.
    pub network_policy: Result<(), String>,
    /// Where the CNI is chosen (`spec.networking`, `networkPolicy`).
    pub network_field: &'static str,
    /// The NodeLocal DNSCache address pods resolve names at, when there is one.
    pub node_local_dns: Option<String>,
    /// Why the API server does not run the admission policies, when it does not: the field
    /// that says so and what it means.
    pub admission_off: Option<(String, String)>,
    /// The namespaces no admission policy judges: Kubernetes' own and the provider's.
    pub system: &'static Exempt,
    /// The namespaces the cluster must have, when a cluster file says (else those it has).
    pub declared: Option<Vec<(String, bool)>>,
    /// Whether the API server applies a Pod Security level to namespaces without labels (kops:
    /// its admission configuration). Without one (GKE), an admission policy refuses namespaces
    /// without an enforce label.
    pub pod_security_default: bool,
}

impl Scope<'_> {
    /// The namespaces the cluster declares (its Namespace objects but the system ones), with
    /// whether each is an ingress one.
    pub fn namespaces(&self) -> Vec<(String, bool)> {
        match &self.declared {
            Some(d) => d.clone(),
            None => namespaces_except(self.objects.iter().copied(), self.system),
        }
    }

    /// The names of the ingress namespaces.
    pub fn ingress_namespaces(&self) -> Vec<String> {
        self.namespaces()
            .into_iter()
            .filter(|(_, ingress)| *ingress)
            .map(|(n, _)| n)
            .collect()
    }

    /// The objects by id (`Kind/NS/NAME`), each id with every copy, in order: what the checks
    /// look objects up in (once per check, not once per object wanted).
    pub fn by_id(&self) -> BTreeMap<String, Vec<&Value>> {
        let mut out: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
        for o in &self.objects {
            out.entry(object_id(o)).or_default().push(*o);
        }
        out
    }
}
