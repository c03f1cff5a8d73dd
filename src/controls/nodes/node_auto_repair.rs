//! `node-auto-repair`: node auto-repair on every node pool.

use crate::controls::common::Want;
use crate::controls::gke_common::{GkeField, PoolFields};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "node-auto-repair",
    title: "Node auto-repair on every node pool",
    severity: Severity::Low,
    family: "nodes",
    rationale: "Unhealthy nodes are drained and re-created instead of lingering half-patched.",
    source: "GKE hardening guide; CIS GKE 5.5.2",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.2" }],
    kops_fields: &[],
    detection: "Fails for each pool whose management.autoRepair is not true. Changed in place with nodePools.setManagement.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&PoolFields {
        fields: &[GkeField::new(&["management", "autoRepair"], Want::Bool(true))],
        doc: &["nodePools[].management.autoRepair"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
