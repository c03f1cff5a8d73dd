//! `api-access-restricted`: only named networks reach the Kubernetes API.

use crate::controls::common::cluster_object;
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Severity};
use crate::kops::{tree, KopsSpec};

const PATH: [&str; 2] = ["spec", "kubernetesApiAccess"];

pub static CONTROL: Control = Control {
    id: "api-access-restricted",
    title: "Restrict access to the Kubernetes API to named CIDRs",
    severity: Severity::Critical,
    family: "network",
    rationale: "kops opens the API to 0.0.0.0/0 and ::/0 by default. An API reachable from \
                everywhere is one leaked credential or one API server bug away from compromise.",
    source:
        "kops docs/security.md (restrict API access); GKE hardening guide (authorized networks)",
    references: &[],
    kops_fields: &["spec.kubernetesApiAccess"],
    detection: "Fails when spec.kubernetesApiAccess is unset or empty, includes 0.0.0.0/0 or \
                ::/0, or holds an entry that is not a canonical CIDR or an AWS prefix list.",
    params: &[],
    kops: &Rule,
};

struct Rule;

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        vec![super::check_access(
            &object,
            &PATH.join("."),
            tree::get_str_list(spec.cluster(), &PATH),
            None,
        )]
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let Some(check) = self.check(spec, params).into_iter().next() else {
            return Ok(());
        };
        super::apply_access(
            spec,
            &PATH,
            &ctx.api_cidrs,
            check,
            "name the networks allowed to reach the API (--api-cidr, or access.apiCidrs in the cluster file)",
        )
    }
}
