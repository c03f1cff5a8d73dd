//! `secure-boot`: secure Boot on every node pool.

use crate::controls::common::Want;
use crate::controls::gke_common::{GkeField, PoolFields};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "secure-boot",
    title: "Secure Boot on every node pool",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "Secure Boot refuses unsigned boot components and kernel modules, closing off boot-level rootkits on nodes. GKE leaves it off by default.",
    source: "GKE hardening guide; CIS GKE 5.5.7",
    references: &[Reference { benchmark: "cis-gke", id: "5.5.7" }],
    kops_fields: &[],
    detection: "Fails for each pool whose config.shieldedInstanceConfig.enableSecureBoot is not true. It is fixed when a pool is created: an existing pool needs a new pool.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&PoolFields {
        fields: &[GkeField::new(&["config", "shieldedInstanceConfig", "enableSecureBoot"], Want::Bool(true))],
        doc: &["nodePools[].config.shieldedInstanceConfig.enableSecureBoot"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
