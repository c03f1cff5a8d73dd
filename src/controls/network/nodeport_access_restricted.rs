//! `nodeport-access-restricted`: NodePort Services reachable from outside the cluster only from
//! named networks, or from none.

use crate::controls::common::cluster_object;
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Severity, Status};
use crate::kops::KopsSpec;
use crate::yaml::tree;

const PATH: [&str; 2] = ["spec", "nodePortAccess"];

pub static CONTROL: Control = Control {
    id: "nodeport-access-restricted",
    title: "Open NodePorts to named CIDRs only, or to none",
    severity: Severity::High,
    family: "network",
    rationale: "spec.nodePortAccess opens the NodePort range (30000-32767) of every node to \
                the networks it names. Opened to the internet, any Service of type NodePort, \
                including one a team creates for a quick test, is public, bypassing the \
                ingress and the load balancer in front of it.",
    source: "kops docs/cluster_spec.md (nodePortAccess)",
    references: &[],
    kops_fields: &["spec.nodePortAccess"],
    detection: "Fails when spec.nodePortAccess opens more than one /8 of public IPv4 space or \
                one /32 of public IPv6 space (the union of its entries, as for the API and \
                SSH) or holds an entry that is not a canonical CIDR. Unset or empty passes: \
                kops opens no NodePort rule then. Not fixed by harden: which networks need the \
                NodePorts is the cluster owner's to say.",
    params: &[],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("overrides.cluster.nodePortAccess")
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        vec![super::check_access(
            &object,
            &PATH.join("."),
            tree::get_str_list(spec.cluster(), &PATH),
            Some("no NodePort is reachable from outside the cluster's network"),
        )]
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        match self.check(spec, params).into_iter().next() {
            Some(c) if c.verdict == crate::controls::Verdict::Fail => Err(format!(
                "{}; name the networks that need the NodePorts in spec.nodePortAccess, or remove it",
                c.message
            )),
            _ => Ok(()),
        }
    }
}
