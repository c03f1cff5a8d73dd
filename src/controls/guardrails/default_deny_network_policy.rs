//! `default-deny-network-policy`: every declared namespace starts from deny, ingress and
//! egress, with DNS to kube-system's resolvers let through.

use serde_yaml::Value;

use super::{check_objects, Guardrail, OnGke, OnKops};
use crate::controls::{Check, Control, Params, Reference, Severity, Status, Verdict};
use crate::guardrails::Scope;
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
    kops: &OnKops(&Rule),
    gke: Some(&OnGke(&Rule)),
    live: None,
    store: None,
    status: Status::Stable,
};

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or(Value::Null)
}

/// The names of the two policies.
pub const NAMES: &[&str] = &["palisade-default-deny", "palisade-allow-dns"];

/// Where pods resolve names when kops runs NodeLocal DNSCache: a host-network address no pod
/// selector matches, so the DNS policy names it (kops' default 169.254.20.10).
pub fn node_local_dns(spec: &KopsSpec) -> Option<String> {
    let node_local = crate::yaml::tree::get(spec.cluster(), &["spec", "kubeDNS", "nodeLocalDNS"])?;
    (crate::yaml::tree::get_bool(node_local, &["enabled"]) == Some(true)).then(|| {
        crate::yaml::tree::get_str(node_local, &["localIP"])
            .unwrap_or("169.254.20.10")
            .to_string()
    })
}

/// The two policies of `namespace` (DNS also to the NodeLocal DNSCache at `node_local`).
pub fn policies(namespace: &str, node_local: Option<&str>) -> [Value; 2] {
    let meta = |name: &str| crate::guardrails::metadata(name, Some(namespace), CONTROL.id, &[]);
    let mut deny = yaml(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
    );
    crate::yaml::tree::set(&mut deny, &["metadata"], meta("palisade-default-deny"));
    let mut dns = yaml(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - to:\n    - namespaceSelector:\n        matchLabels:\n          kubernetes.io/metadata.name: kube-system\n      podSelector:\n        matchLabels:\n          k8s-app: kube-dns\n    ports:\n    - {protocol: UDP, port: 53}\n    - {protocol: TCP, port: 53}\n",
    );
    crate::yaml::tree::set(&mut dns, &["metadata"], meta("palisade-allow-dns"));
    if let Some(ip) = node_local {
        let mut rule =
            yaml("to: []\nports:\n- {protocol: UDP, port: 53}\n- {protocol: TCP, port: 53}\n");
        crate::yaml::tree::set(
            &mut rule,
            &["to"],
            Value::Sequence(vec![yaml(&format!("ipBlock: {{cidr: {ip}/32}}"))]),
        );
        if let Some(Value::Sequence(egress)) = dns.get_mut("spec").and_then(|s| s.get_mut("egress"))
        {
            egress.push(rule);
        }
    }
    [deny, dns]
}

struct Rule;

impl Guardrail for Rule {
    fn objects(&self) -> &'static [&'static str] {
        CONTROL.kops_fields
    }

    fn check(&self, scope: &Scope, _: &Params) -> Vec<Check> {
        let declared = scope.namespaces();
        if declared.is_empty() {
            return vec![super::no_namespaces(scope)];
        }
        if let Err(why) = &scope.network_policy {
            return vec![Check::new(
                Verdict::NotApplicable,
                &scope.cluster,
                scope.network_field,
                format!("no default-deny policies: {why}, so they would do nothing"),
            )];
        }
        // with NodeLocal DNSCache the DNS policy also names the cache's address; both forms
        // deny everything else (an override that turns the cache on comes after this control)
        let local = scope.node_local_dns.as_deref();
        let want: Vec<Value> = declared
            .iter()
            .flat_map(|(n, _)| policies(n, local))
            .collect();
        let checks = check_objects(scope, &want, "the default-deny policies");
        if local.is_some() && checks.iter().any(|c| c.verdict == Verdict::Fail) {
            let plain: Vec<Value> = declared
                .iter()
                .flat_map(|(n, _)| policies(n, None))
                .collect();
            let without = check_objects(scope, &plain, "the default-deny policies");
            if without.iter().all(|c| c.verdict == Verdict::Pass) {
                return without;
            }
        }
        checks
    }

    fn build(&self, scope: &Scope, _: &Params) -> Result<Vec<Value>, String> {
        if scope.network_policy.is_err() {
            return Ok(Vec::new());
        }
        Ok(scope
            .namespaces()
            .iter()
            .flat_map(|(n, _)| policies(n, scope.node_local_dns.as_deref()))
            .collect())
    }
}
