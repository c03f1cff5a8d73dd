//! `node-service-account`: nodes run as a service account made for them.

use serde_json::Value;

use crate::controls::gke_common::each_pool;
use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::{pools_mut, set, text};
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "node-service-account",
    title: "Nodes run as a dedicated service account, not the Compute Engine default",
    severity: Severity::High,
    family: "nodes",
    rationale: "The Compute Engine default service account is a project Editor: any pod that \
                reaches node credentials can change most of the project.",
    source: "GKE hardening guide; CIS GKE 5.2.1",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.2.1",
    }],
    kops_fields: &[],
    detection: "Fails for each pool whose config.serviceAccount is unset, `default` or \
                *-compute@developer.gserviceaccount.com. Set only when a pool is created: an \
                existing pool needs a new pool. On Autopilot (and for node auto-provisioning) the \
                account is autoscaling.autoprovisioningNodePoolDefaults.serviceAccount, set \
                only when the cluster is created (GKE hardening guide, immutable settings).",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

/// Where an Autopilot cluster's (and node auto-provisioning's) nodes get their account.
const AUTO_SA: &[&str] = &[
    "autoscaling",
    "autoprovisioningNodePoolDefaults",
    "serviceAccount",
];

pub fn is_default_account(sa: &str) -> bool {
    sa == "default" || sa.ends_with("-compute@developer.gserviceaccount.com")
}

impl GkeRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("gke.nodeServiceAccount")
    }
    fn fields(&self) -> &'static [&'static str] {
        &[
            "nodePools[].config.serviceAccount",
            "autoscaling.autoprovisioningNodePoolDefaults.serviceAccount",
        ]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        each_pool(cluster, |pool| {
            let object = pool.object();
            let path = "config.serviceAccount";
            vec![match pool.text(&["config", "serviceAccount"]) {
                None => Check::fail(
                    &object,
                    path,
                    "no service account: the pool runs as the Compute Engine default (project Editor)",
                ),
                Some(sa) if is_default_account(sa) => Check::fail(
                    &object,
                    path,
                    format!("{sa} is the Compute Engine default service account (project Editor)"),
                ),
                Some(sa) => Check::pass(&object, path, format!("nodes run as {sa}")),
            }]
        })
    }

    fn apply(&self, cluster: &mut Value, _: &Params, ctx: &GkeCtx) -> Result<(), String> {
        if ctx.autopilot() {
            let Some(sa) = ctx.section.node_service_account.as_deref() else {
                return Err("no service account for the Autopilot nodes: set gke.nodeServiceAccount (a service account with roles/container.defaultNodeServiceAccount); it is set only when the cluster is created".into());
            };
            set(cluster, AUTO_SA, Value::from(sa));
            return Ok(());
        }
        let mut missing = Vec::new();
        for pool in pools_mut(cluster) {
            let name = text(pool, &["name"]).unwrap_or("").to_string();
            match ctx.pool_service_account(&name) {
                Some(sa) => set(pool, &["config", "serviceAccount"], Value::from(sa)),
                None => missing.push(name),
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "no service account for node pool(s) {}: set gke.nodeServiceAccount (a service account with roles/container.defaultNodeServiceAccount)",
                missing.join(", ")
            ))
        }
    }
}
