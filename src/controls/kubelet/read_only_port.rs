//! `kubelet-read-only-port`: no unauthenticated read-only kubelet port.

use crate::controls::common::{KubeletRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity};

pub static CONTROL: Control = Control {
    id: "kubelet-read-only-port",
    title: "Close the kubelet's unauthenticated read-only port",
    severity: Severity::Medium,
    family: "kubelet",
    rationale: "Port 10255 serves pod specs, environment variables included, to anyone who can \
                reach the node, with no authentication at all.",
    source: "CIS Kubernetes Benchmark 4.2.4; kops PR 3303",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "4.2.4",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "4.2.4",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "4.2.4",
        },
    ],
    kops_fields: &[
        "spec.kubelet.readOnlyPort",
        "spec.masterKubelet.readOnlyPort",
        "InstanceGroup spec.kubelet.readOnlyPort",
    ],
    detection: "Fails unless readOnlyPort is 0 in every kubelet scope that sets it; unset fails \
                because kops before 1.36 leaves the port open.",
    params: &[],
    kops: &KubeletRule {
        fields: &[(
            "readOnlyPort",
            Want::Int(0),
            WhenUnset::Fail("kops before 1.36 leaves port 10255 open"),
        )],
    },
};
