//! `kubelet-certificate-authority`: the API server verifies kubelet serving certificates.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity, Status};
use crate::kops::Cloud;

/// Where nodeup puts the cluster CA on control-plane nodes.
pub const KOPS_CA_PATH: &str = "/srv/kubernetes/ca.crt";

pub static CONTROL: Control = Control {
    id: "kubelet-certificate-authority",
    title: "Verify kubelet serving certificates from the API server",
    severity: Severity::Medium,
    family: "api-server",
    rationale: "Without a CA to check against, the API server talks to kubelets (exec, logs, \
                port-forward) without verifying who answers, so a spoofed node sees the traffic.",
    source: "CIS Kubernetes Benchmark 1.2.5 (--kubelet-certificate-authority)",
    references: &[
        Reference { benchmark: "cis-1.12", id: "1.2.5" },
        Reference { benchmark: "cis-1.10", id: "1.2.5" },
        Reference { benchmark: "cis-1.8", id: "1.2.5" },
    ],
    kops_fields: &["spec.kubeAPIServer.kubeletCertificateAuthority"],
    detection: "Fails unless spec.kubeAPIServer.kubeletCertificateAuthority is /srv/kubernetes/ca.crt \
                (kops signs kubelet serving certificates with that CA). Unset fails: kops leaves it off.",
    params: &[],
    kops: &FieldRule {
        fields: &[Field {
            path: &["spec", "kubeAPIServer", "kubeletCertificateAuthority"],
            want: Want::Str(KOPS_CA_PATH),
            unset: WhenUnset::Fail("kops does not verify kubelet serving certificates by default"),
        }],
        clouds: &[Cloud::Aws, Cloud::Gce, Cloud::Other],
    },
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};
