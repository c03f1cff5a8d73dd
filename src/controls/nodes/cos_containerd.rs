//! `cos-containerd`: container-Optimized OS with containerd on every node pool.

use crate::controls::common::Want;
use crate::controls::gke_common::{GkeField, PoolFields};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "cos-containerd",
    title: "Container-Optimized OS with containerd on every node pool",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "COS has a read-only root, a minimal package set and Google-managed patches; it is the image GKE hardens and tests first.",
    source: "GKE hardening guide; CIS GKE 5.5.1",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.1" }],
    kops_fields: &[],
    detection: "Fails for each pool whose config.imageType is not COS_CONTAINERD (compared without case). Changed in place with nodePools.update imageType (nodes are re-created).",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&PoolFields {
        fields: &[GkeField::new(&["config", "imageType"], Want::Str("COS_CONTAINERD"))],
        doc: &["nodePools[].config.imageType"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
