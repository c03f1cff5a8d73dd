//! `node-auto-upgrade`: node auto-upgrade on every node pool.

use crate::controls::common::Want;
use crate::controls::gke_common::{GkeField, PoolFields};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "node-auto-upgrade",
    title: "Node auto-upgrade on every node pool",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "Nodes that follow the control plane get kernel, containerd and kubelet security fixes without anyone having to remember.",
    source: "GKE hardening guide; CIS GKE 5.5.3",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.3" }],
    kops_fields: &[],
    detection: "Fails for each pool whose management.autoUpgrade is not true. Changed in place with nodePools.setManagement.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&PoolFields {
        fields: &[GkeField::new(&["management", "autoUpgrade"], Want::Bool(true))],
        doc: &["nodePools[].management.autoUpgrade"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
