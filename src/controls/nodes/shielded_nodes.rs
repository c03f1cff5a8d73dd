//! `shielded-nodes`: shielded GKE nodes.

use crate::controls::common::Want;
use crate::controls::gke_common::{ClusterFields, GkeField, UnlessAutopilot};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status, Verdict};

pub static CONTROL: Control = Control {
    id: "shielded-nodes",
    title: "Shielded GKE nodes",
    severity: Severity::High,
    family: "nodes",
    rationale: "Shielded nodes give each node a verifiable identity, so a stolen bootstrap credential cannot register an impostor node with the control plane.",
    source: "GKE hardening guide; CIS GKE 5.5.5",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.5" }],
    kops_fields: &[],
    detection: "Fails unless shieldedNodes.enabled is true. Changed in place with clusters.update desiredShieldedNodes (nodes are re-created). Autopilot clusters always use Shielded GKE Nodes (GKE's Autopilot and Standard feature comparison: pre-configured) and a request for one may not set it, so Palisade sets it on Standard clusters only and an Autopilot cluster that does not show it passes.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&UnlessAutopilot {
        fields: ClusterFields {
            fields: &[GkeField::new(&["shieldedNodes", "enabled"], Want::Bool(true))],
            doc: &["shieldedNodes.enabled"],
        },
        absent: Verdict::Pass,
        says: "Autopilot clusters always use Shielded GKE Nodes (Autopilot manages shieldedNodes.enabled; the API does not show it)",
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
