//! `insecure-rbac-bindings-off`: block RBAC bindings to system:anonymous, system:unauthenticated and system:authenticated.

use crate::controls::common::Want;
use crate::controls::gke_common::{ClusterFields, GkeField};
use crate::controls::{Control, NotOnKops, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "insecure-rbac-bindings-off",
    title: "Block RBAC bindings to system:anonymous, system:unauthenticated and system:authenticated",
    severity: Severity::High,
    family: "api-server",
    rationale: "A binding to system:authenticated grants a role to every Google account, not just the organization\'s; GKE can refuse such bindings outright.",
    source: "GKE hardening guide (RBAC binding guard); CIS GKE 4.1.9-4.1.10",
    references: &[Reference { benchmark: "cis-gke", id: "4.1.9" }, Reference { benchmark: "cis-gke", id: "4.1.10" }],
    kops_fields: &[],
    detection: "Fails unless rbacBindingConfig.enableInsecureBindingSystemUnauthenticated and enableInsecureBindingSystemAuthenticated are both explicitly false (unset means allowed). Changed in place with clusters.update desiredRbacBindingConfig.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&ClusterFields {
        fields: &[GkeField::explicit(&["rbacBindingConfig", "enableInsecureBindingSystemUnauthenticated"], Want::Bool(false)), GkeField::explicit(&["rbacBindingConfig", "enableInsecureBindingSystemAuthenticated"], Want::Bool(false))],
        doc: &["rbacBindingConfig.enableInsecureBindingSystemUnauthenticated", "rbacBindingConfig.enableInsecureBindingSystemAuthenticated"],
    }),
    live: None,
    store: None,
    status: Status::Stable,
};
