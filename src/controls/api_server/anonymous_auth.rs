//! `apiserver-anonymous-auth`: requests without credentials are rejected by the API server.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::gke_common::{ClusterFields, GkeField};
use crate::controls::{Control, Reference, Severity, Status};
use crate::kops::Cloud;

pub static CONTROL: Control = Control {
    id: "apiserver-anonymous-auth",
    title: "Turn off anonymous requests to the API server",
    severity: Severity::High,
    family: "api-server",
    rationale:
        "Anonymous requests reach every endpoint that RBAC grants to system:unauthenticated; \
                a mistaken binding then exposes the cluster to anyone who can reach the API.",
    source: "CIS Kubernetes Benchmark 1.2.1",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.1",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.1",
        },
    ],
    kops_fields: &["spec.kubeAPIServer.anonymousAuth"],
    detection: concat!(
        "Fails when spec.kubeAPIServer.anonymousAuth is true. Unset passes: kops' API \
                server builder sets it to false.",
        " GKE: fails unless anonymousAuthenticationConfig.mode is LIMITED (anonymous requests reach only the health-check endpoints); changed in place with clusters.update desiredAnonymousAuthenticationConfig."
    ),
    params: &[],
    kops: &FieldRule {
        fields: &[Field {
            path: &["spec", "kubeAPIServer", "anonymousAuth"],
            want: Want::Bool(false),
            unset: WhenUnset::Pass("kops sets --anonymous-auth=false by default"),
        }],
        clouds: &[Cloud::Aws, Cloud::Gce, Cloud::Other],
    },
    gke: Some(&ClusterFields { fields: &[GkeField::new(&["anonymousAuthenticationConfig", "mode"], Want::Str("LIMITED"))], doc: &["anonymousAuthenticationConfig.mode"] }),
    live: None,
    store: None,
    status: Status::Stable,
};
