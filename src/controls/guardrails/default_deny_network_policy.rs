//! `default-deny-network-policy`: every declared namespace starts from deny, ingress and
//! egress, with DNS to kube-system's resolvers let through.

use serde_yaml::Value;

use super::{check_objects, namespaces, no_namespaces};
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, Params, Reference, Severity, Status, Verdict,
};
use crate::kops::KopsSpec;

pub static CONTROL: Control = Control {
    id: "default-deny-network-policy",
    title: "Deny all traffic in every namespace unless a policy allows it",
    severity: Severity::Medium,
    family: "guardrails",
    rationale: "Without a NetworkPolicy every pod can reach every other pod and the internet: \
                a compromised pod scans the cluster. Starting each namespace from deny makes \
                every flow an explicit decision; DNS is let through so that allowing a flow is \
                enough to use it.",
    source: "Kubernetes NetworkPolicy (default deny); CIS Kubernetes 5.3.2",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "5.3.2",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "5.3.2",
        },
    ],
    kops_fields: &[
        "NetworkPolicy palisade-default-deny",
        "NetworkPolicy palisade-allow-dns",
    ],
    detection: "Fails for every declared namespace without a NetworkPolicy selecting all pods \
                that denies ingress and egress (palisade-default-deny) and one allowing egress \
                to kube-system's DNS pods (k8s-app: kube-dns) on 53/UDP and 53/TCP \
                (palisade-allow-dns). Not applicable where the CNI does not enforce \
                NetworkPolicy (network-policy fails): the policies would do nothing.",
    params: &[],
    kops: &Rule,
    gke: None,
    live: None,
    status: Status::Stable,
};

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or(Value::Null)
}

/// The two policies of `namespace`.
pub fn policies(namespace: &str) -> [Value; 2] {
    let meta = |name: &str| crate::guardrails::metadata(name, Some(namespace), CONTROL.id, &[]);
    let mut deny = yaml(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    );
    crate::yaml::tree::set(&mut deny, &["metadata"], meta("palisade-default-deny"));
    let mut dns = yaml(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n",
    );
    crate::yaml::tree::set(&mut dns, &["metadata"], meta("palisade-allow-dns"));
    [deny, dns]
}

struct Rule;

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("namespaces")
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let declared = namespaces(spec);
        if declared.is_empty() {
            return vec![no_namespaces(spec)];
        }
        if let Err(why) = crate::controls::network::network_policy::enforced(spec) {
            return vec![Check::new(
                Verdict::NotApplicable,
                &KopsSpec::object_name(spec.cluster()),
                "spec.networking",
                format!("no default-deny policies: {why}, so they would do nothing"),
            )];
        }
        let want: Vec<Value> = declared.iter().flat_map(|(n, _)| policies(n)).collect();
        check_objects(spec, &want, "the default-deny policies")
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        if crate::controls::network::network_policy::enforced(spec).is_err() {
            return Ok(());
        }
        for (name, _) in namespaces(spec) {
            for p in policies(&name) {
                spec.put_object(p);
            }
        }
        Ok(())
    }
}
