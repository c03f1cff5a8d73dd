//! `vpc-native`: pods get VPC alias IPs (not routes).

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "vpc-native",
    title: "VPC-native networking (alias IP ranges for pods and services)",
    severity: Severity::Medium,
    family: "network",
    rationale: "Pod addresses become first-class VPC addresses: firewall rules, anti-spoofing and \
                private access apply to them, and private clusters require it.",
    source: "GKE hardening guide; CIS GKE 5.6.2",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.6.2",
    }],
    kops_fields: &[],
    detection: "Fails unless ipAllocationPolicy.useIpAliases is true. Routes-based clusters \
                cannot be converted: fixing it needs a new cluster.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl GkeRule for Rule {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "ipAllocationPolicy.useIpAliases",
            "ipAllocationPolicy.clusterSecondaryRangeName",
            "ipAllocationPolicy.servicesSecondaryRangeName",
        ]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = "ipAllocationPolicy.useIpAliases";
        vec![
            if cluster.flag(&["ipAllocationPolicy", "useIpAliases"]) == Some(true) {
                Check::pass(&object, path, "the cluster is VPC-native")
            } else {
                Check::fail(
                    &object,
                    path,
                    "the cluster is routes-based (useIpAliases is not true)",
                )
            },
        ]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, ctx: &GkeCtx) -> Result<(), String> {
        let policy = ["ipAllocationPolicy"];
        set(cluster, &[policy[0], "useIpAliases"], Value::from(true));
        set(
            cluster,
            &[policy[0], "clusterSecondaryRangeName"],
            Value::from(ctx.section.pods_range.as_str()),
        );
        set(
            cluster,
            &[policy[0], "servicesSecondaryRangeName"],
            Value::from(ctx.section.services_range.as_str()),
        );
        set(cluster, &[policy[0], "stackType"], Value::from("IPV4"));
        Ok(())
    }
}
