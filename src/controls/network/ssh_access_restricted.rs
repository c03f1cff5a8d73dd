//! `ssh-access-restricted`: SSH to nodes (or the bastion) only from named networks.

use crate::controls::common::cluster_object;
use crate::controls::{ApplyCtx, Check, Control, KopsRule, LiveRule, Params, Severity, Status};
use crate::kops::live::LiveState;
use crate::kops::KopsSpec;
use crate::yaml::tree;

const PATH: [&str; 2] = ["spec", "sshAccess"];

pub static CONTROL: Control = Control {
    id: "ssh-access-restricted",
    title: "Restrict SSH access to named CIDRs, or allow none",
    severity: Severity::High,
    family: "network",
    rationale: "kops opens SSH to 0.0.0.0/0 by default. Brute force and key theft then need no \
                foothold in the network; no SSH at all is better still.",
    source: "kops docs/security.md (sshAccess, no SSH key by default)",
    references: &[],
    kops_fields: &["spec.sshAccess"],
    detection: "Fails when spec.sshAccess opens more than one /8 of public IPv4 space or one \
                /32 of public IPv6 space (the union of its entries: the internet in pieces is \
                the internet; private ranges count for nothing) or holds an entry that is not a \
                canonical CIDR or prefix list. Unset or empty passes: no SSH rule is opened.",
    params: &[],
    kops: &Rule,
    gke: None,
    live: Some(&Live),
    store: None,
    status: Status::Stable,
};

struct Rule;

/// The live half: the security groups' rules for port 22.
struct Live;

impl LiveRule for Live {
    fn fields(&self) -> &'static [&'static str] {
        &["SecurityGroup IpPermissions (port 22)"]
    }
    fn check(&self, spec: &KopsSpec, live: &LiveState, _: &Params) -> Vec<Check> {
        super::check_live_port(spec, live, 22, "sshAccess")
    }
}

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("access.sshCidrs")
    }
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        vec![super::check_access(
            &object,
            &PATH.join("."),
            tree::get_str_list(spec.cluster(), &PATH),
            Some("no SSH access from outside the VPC"),
        )]
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let Some(check) = self.check(spec, params).into_iter().next() else {
            return Ok(());
        };
        super::apply_access(
            spec,
            &PATH,
            &ctx.ssh_cidrs,
            check,
            "name the admin networks (--ssh-cidr, or access.sshCidrs in the cluster file), or remove sshAccess",
        )
    }
}
