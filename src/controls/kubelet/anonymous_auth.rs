//! `kubelet-anonymous-auth`: the kubelet API rejects requests without credentials.

use crate::controls::common::{KubeletRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "kubelet-anonymous-auth",
    title: "Turn off anonymous requests to the kubelet API",
    severity: Severity::Critical,
    family: "kubelet",
    rationale: "An anonymous kubelet API lets anything that reaches port 10250, any pod \
                included, list pods and run commands in them (kops issue 2790).",
    source: "CIS Kubernetes Benchmark 4.2.1; kops issues 2790 and 3998",
    references: &[
        Reference { benchmark: "cis-1.12", id: "4.2.1" },
        Reference { benchmark: "cis-1.10", id: "4.2.1" },
        Reference { benchmark: "cis-1.8", id: "4.2.1" },
    ],
    kops_fields: &["spec.kubelet.anonymousAuth", "spec.masterKubelet.anonymousAuth", "InstanceGroup spec.kubelet.anonymousAuth"],
    detection: "Fails unless spec.kubelet.anonymousAuth is false, and wherever masterKubelet or an \
                InstanceGroup sets it, it is false too. Unset fails: kops only warns.",
    params: &[],
    kops: &KubeletRule {
        fields: &[(
            "anonymousAuth",
            Want::Bool(false),
            WhenUnset::Fail("kops leaves the kubelet's own default, which before kops 1.36 allows anonymous requests"),
        )],
    },
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};
