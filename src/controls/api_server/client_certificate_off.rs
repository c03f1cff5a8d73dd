//! `client-certificate-off`: no long-lived client certificate issued for the cluster.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "client-certificate-off",
    title: "No legacy client certificate issued for the cluster",
    severity: Severity::High,
    family: "api-server",
    rationale: "The issued certificate authenticates as a cluster admin and cannot be revoked \
                short of rotating the cluster CA.",
    source: "GKE hardening guide; CIS GKE 5.8.1",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.8.1",
    }],
    kops_fields: &[],
    detection: "Fails when masterAuth.clientCertificateConfig.issueClientCertificate is true or \
                a masterAuth.clientCertificate was issued. Set only at creation: fixing it needs \
                a new cluster.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

const PATH: &[&str] = &[
    "masterAuth",
    "clientCertificateConfig",
    "issueClientCertificate",
];

impl GkeRule for Rule {
    fn fields(&self) -> &'static [&'static str] {
        &["masterAuth.clientCertificateConfig.issueClientCertificate"]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = PATH.join(".");
        vec![if cluster.flag(PATH) == Some(true) {
            Check::fail(&object, &path, format!("{path} is true"))
        } else if cluster.text(&["masterAuth", "clientCertificate"]).is_some() {
            Check::fail(
                &object,
                "masterAuth.clientCertificate",
                "a client certificate was issued for this cluster",
            )
        } else {
            Check::pass(&object, &path, "no client certificate is issued")
        }]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        set(cluster, PATH, Value::from(false));
        Ok(())
    }
}
