//! `intranode-visibility`: route pod-to-pod traffic on the same node through the VPC (intranode visibility).

use crate::controls::common::Want;
use crate::controls::gke_common::{ClusterFields, GkeField};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "intranode-visibility",
    title: "Route pod-to-pod traffic on the same node through the VPC (intranode visibility)",
    severity: Severity::Low,
    family: "network",
    rationale: "Without it traffic between pods on one node never reaches the VPC, so firewall rules and flow logs do not see it.",
    source: "GKE hardening guide; CIS GKE 5.6.1",
    references: &[Reference { benchmark: "cis-gke", id: "5.6.1" }],
    kops_fields: &[],
    detection: "Fails unless networkConfig.enableIntraNodeVisibility is true. Changed in place with clusters.update desiredIntraNodeVisibilityConfig.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&ClusterFields {
        fields: &[GkeField::new(&["networkConfig", "enableIntraNodeVisibility"], Want::Bool(true))],
        doc: &["networkConfig.enableIntraNodeVisibility"],
    }),
    live: None,
    status: Status::Stable,
};
