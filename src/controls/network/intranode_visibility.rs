//! `intranode-visibility`: route pod-to-pod traffic on the same node through the VPC (intranode visibility).

use crate::controls::common::Want;
use crate::controls::gke_common::{ClusterFields, GkeField, UnlessAutopilot};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status, Verdict};

pub static CONTROL: Control = Control {
    id: "intranode-visibility",
    title: "Route pod-to-pod traffic on the same node through the VPC (intranode visibility)",
    severity: Severity::Low,
    family: "network",
    rationale: "Without it traffic between pods on one node never reaches the VPC, so firewall rules and flow logs do not see it.",
    source: "GKE hardening guide; CIS GKE 5.6.1",
    references: &[Reference { benchmark: "cis-gke", id: "5.6.1" }],
    kops_fields: &[],
    detection: "Fails unless networkConfig.enableIntraNodeVisibility is true. Changed in place with clusters.update desiredIntraNodeVisibilityConfig. A request for an Autopilot cluster may not set it (the Terraform provider's enable_intranode_visibility conflicts with enable_autopilot): Palisade sets it on Standard clusters only, judges an Autopilot cluster that shows it as shown, and one that does not as not applicable.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&UnlessAutopilot {
        fields: ClusterFields {
            fields: &[GkeField::new(&["networkConfig", "enableIntraNodeVisibility"], Want::Bool(true))],
            doc: &["networkConfig.enableIntraNodeVisibility"],
        },
        absent: Verdict::NotApplicable,
        says: "Autopilot decides intranode visibility itself and a request for an Autopilot cluster may not set it; the API does not show it here",
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
