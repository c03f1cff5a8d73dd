//! `api-load-balancer-class`: the API load balancer is a Network Load Balancer.

use crate::controls::common::{cluster_object, group_subnets, subnet_types};
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Severity, Status};
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "api-load-balancer-class",
    title: "Front the API with a Network Load Balancer, not a Classic one",
    severity: Severity::Medium,
    family: "network",
    rationale: "kops fills an empty class with Classic, which kops 1.37 rejects and which cannot \
                pass client certificates through; the NLB keeps TLS end to end to the API server.",
    source:
        "kops docs/cluster_spec.md (api.loadBalancer.class); kops NOTES (Classic removed in 1.37)",
    references: &[],
    kops_fields: &["spec.api.loadBalancer.class", "spec.api.loadBalancer.type"],
    detection: "Passes when api.loadBalancer.class is Network, or when the API is published by \
                DNS (api.dns) with no load balancer. Fails when the class is Classic or empty, \
                or when there is no api block (kops then picks a Classic load balancer for a \
                private control plane).",
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
        let c = spec.cluster();
        let lb = tree::get(c, &["spec", "api", "loadBalancer"]);
        let path = "spec.api.loadBalancer.class";
        let check = match (lb, tree::get(c, &["spec", "api", "dns"])) {
            (None, Some(_)) => Check::pass(&object, "spec.api.dns", "the API is published by DNS; no load balancer"),
            (None, None) if private_control_plane(spec) => Check::fail(
                &object,
                "spec.api",
                "spec.api is not set; for a control plane in private subnets kops picks a load balancer of class Classic",
            ),
            (None, None) => Check::pass(&object, "spec.api", "spec.api is not set; kops publishes a public control plane by DNS, with no load balancer"),
            (Some(lb), _) => match tree::get_str(lb, &["class"]) {
                Some("Network") => Check::pass(&object, path, "the API load balancer is a Network Load Balancer"),
                Some(other) => Check::fail(&object, path, format!("{path} is {other}; expected Network")),
                None => Check::fail(&object, path, format!("{path} is not set; kops defaults it to Classic")),
            },
        };
        vec![check]
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        let c = spec.cluster();
        let no_lb = tree::get(c, &["spec", "api", "loadBalancer"]).is_none();
        let dns_only = no_lb && tree::get(c, &["spec", "api", "dns"]).is_some();
        if dns_only || (no_lb && !private_control_plane(spec)) {
            return Ok(());
        }
        let c = spec.cluster_mut();
        if tree::get_str(c, &["spec", "api", "loadBalancer", "type"]).is_none() {
            tree::set(c, &["spec", "api", "loadBalancer", "type"], "Public".into());
        }
        tree::set(
            c,
            &["spec", "api", "loadBalancer", "class"],
            "Network".into(),
        );
        Ok(())
    }
}

/// Whether a control-plane group sits in a Private subnet (kops then fronts it with a load
/// balancer even when the spec has no api block).
fn private_control_plane(spec: &KopsSpec) -> bool {
    let subnets = subnet_types(spec);
    spec.instance_groups()
        .filter(|ig| {
            matches!(
                tree::get_str(ig, &["spec", "role"]),
                Some("Master" | "ControlPlane")
            )
        })
        .any(|ig| {
            group_subnets(ig, &subnets)
                .iter()
                .any(|n| subnets.iter().any(|(sn, t)| sn == n && t == "Private"))
        })
}
