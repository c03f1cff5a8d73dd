//! `profiling-disabled`: no pprof endpoints on the control-plane components.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity, Status};
use crate::kops::Cloud;

const UPSTREAM_ON: WhenUnset = WhenUnset::Fail("the upstream default turns profiling on");

pub static CONTROL: Control = Control {
    id: "profiling-disabled",
    title: "Turn off profiling endpoints on the API server, controller manager and scheduler",
    severity: Severity::Medium,
    family: "api-server",
    rationale: "Profiling endpoints expose program internals and can be used to slow a \
                component down; production clusters do not need them.",
    source: "CIS Kubernetes Benchmark 1.2.15, 1.3.2, 1.4.1",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.15",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.3.2",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.4.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.15",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.3.2",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.4.1",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.16",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.3.2",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.4.1",
        },
    ],
    kops_fields: &[
        "spec.kubeAPIServer.enableProfiling",
        "spec.kubeControllerManager.enableProfiling",
        "spec.kubeScheduler.enableProfiling",
    ],
    detection: "Fails unless enableProfiling is false on all three components; unset fails \
                because the upstream default is true.",
    params: &[],
    kops: &FieldRule {
        fields: &[
            Field {
                path: &["spec", "kubeAPIServer", "enableProfiling"],
                want: Want::Bool(false),
                unset: UPSTREAM_ON,
            },
            Field {
                path: &["spec", "kubeControllerManager", "enableProfiling"],
                want: Want::Bool(false),
                unset: UPSTREAM_ON,
            },
            Field {
                path: &["spec", "kubeScheduler", "enableProfiling"],
                want: Want::Bool(false),
                unset: UPSTREAM_ON,
            },
        ],
        clouds: &[Cloud::Aws, Cloud::Gce, Cloud::Other],
    },
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};
