//! `api-load-balancer-internal`: the API load balancer has no public address.

use crate::controls::common::cluster_object;
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Severity, Status};
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "api-load-balancer-internal",
    title: "Keep the API load balancer internal to the VPC",
    severity: Severity::Medium,
    family: "network",
    rationale: "An internal load balancer has no public address at all, so the API is reached \
                only through the VPC (VPN, peering, a bastion) whatever the access lists say.",
    source: "kops docs/cluster_spec.md (api.loadBalancer.type Internal); GKE hardening guide (private endpoint)",
    references: &[],
    kops_fields: &["spec.api.loadBalancer.type"],
    detection: "Fails unless api.loadBalancer.type is Internal. An internal load balancer needs \
                a Private subnet, so a cluster without one cannot be fixed in place.",
    params: &[],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl KopsRule for Rule {
    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let path = "spec.api.loadBalancer.type";
        vec![
            match tree::get_str(spec.cluster(), &["spec", "api", "loadBalancer", "type"]) {
                Some("Internal") => Check::pass(&object, path, "the API load balancer is internal"),
                Some(other) => Check::fail(
                    &object,
                    path,
                    format!("{path} is {other}; expected Internal"),
                ),
                None => Check::fail(
                    &object,
                    path,
                    format!("{path} is not set; kops makes it Public"),
                ),
            },
        ]
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let c = spec.cluster();
        let has_private = tree::get(c, &["spec", "subnets"])
            .and_then(|s| s.as_sequence())
            .is_some_and(|s| {
                s.iter()
                    .any(|n| tree::get_str(n, &["type"]) == Some("Private"))
            });
        if !has_private {
            return Err(
                "an internal API load balancer needs a Private subnet, and this cluster has none"
                    .into(),
            );
        }
        let has_lb = tree::get(c, &["spec", "api", "loadBalancer"]).is_some();
        if ctx.mode == crate::controls::Mode::Harden && !has_lb {
            return Err("the API is published without a load balancer; adding an internal one moves the API endpoint, which is a migration".into());
        }
        let c = spec.cluster_mut();
        tree::set(
            c,
            &["spec", "api", "loadBalancer", "type"],
            "Internal".into(),
        );
        // kops fills an empty class with Classic (rejected since 1.37), and forbids
        // useForInternalApi with an internal NLB
        tree::set(
            c,
            &["spec", "api", "loadBalancer", "class"],
            "Network".into(),
        );
        tree::remove(c, &["spec", "api", "loadBalancer", "useForInternalApi"]);
        tree::remove(c, &["spec", "api", "dns"]);
        Ok(())
    }
}
