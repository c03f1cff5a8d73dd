//! `kubelet-webhook-auth`: the kubelet asks the API server who a caller is and what it may do.

use crate::controls::common::{KubeletRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "kubelet-webhook-auth",
    title: "Authenticate and authorize kubelet API calls through the API server",
    severity: Severity::High,
    family: "kubelet",
    rationale: "With AlwaysAllow any client the kubelet authenticates may exec into any pod on \
                the node; Webhook mode applies the cluster's RBAC to kubelet calls.",
    source: "CIS Kubernetes Benchmark 4.2.2",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "4.2.2",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "4.2.2",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "4.2.2",
        },
    ],
    kops_fields: &[
        "spec.kubelet.authenticationTokenWebhook",
        "spec.kubelet.authorizationMode",
    ],
    detection: "Fails when authenticationTokenWebhook is false or authorizationMode is not \
                Webhook in any kubelet scope. Unset passes: nodeup sets true and Webhook.",
    params: &[],
    kops: &KubeletRule {
        fields: &[
            (
                "authenticationTokenWebhook",
                Want::Bool(true),
                WhenUnset::Pass("nodeup sets it to true"),
            ),
            (
                "authorizationMode",
                Want::Str("Webhook"),
                WhenUnset::Pass("nodeup sets Webhook"),
            ),
        ],
    },
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};
