//! `integrity-monitoring`: integrity monitoring on every node pool.

use crate::controls::common::Want;
use crate::controls::gke_common::{GkeField, PoolFields};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "integrity-monitoring",
    title: "Integrity monitoring on every node pool",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "Measured boot lets Cloud Monitoring flag a node whose boot sequence changed.",
    source: "GKE hardening guide; CIS GKE 5.5.6",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.6" }],
    kops_fields: &[],
    detection: "Fails for each pool whose config.shieldedInstanceConfig.enableIntegrityMonitoring is not true. Fixed when a pool is created: an existing pool needs a new pool.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&PoolFields {
        fields: &[GkeField::new(&["config", "shieldedInstanceConfig", "enableIntegrityMonitoring"], Want::Bool(true))],
        doc: &["nodePools[].config.shieldedInstanceConfig.enableIntegrityMonitoring"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
