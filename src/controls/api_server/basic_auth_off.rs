//! `basic-auth-off`: no static username and password on the API server.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "basic-auth-off",
    title: "No basic authentication (static username and password) on the API server",
    severity: Severity::Critical,
    family: "api-server",
    rationale: "A static password never expires, cannot be scoped and is not tied to a person; \
                anyone who learns it is cluster-admin.",
    source: "GKE hardening guide (basic authentication, removed in GKE 1.19); CIS GKE 5.8.1",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.8.1",
    }],
    kops_fields: &[],
    detection: "Fails when masterAuth.username or masterAuth.password is set (clusters created \
                before GKE 1.19). Palisade never sends the deprecated fields: upgrading the \
                cluster past 1.19 removes basic auth.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl GkeRule for Rule {
    fn fields(&self) -> &'static [&'static str] {
        &["masterAuth.username", "masterAuth.password"]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = "masterAuth.username";
        let user = cluster.text(&["masterAuth", "username"]);
        let password = cluster.text(&["masterAuth", "password"]).is_some();
        vec![match (user, password) {
            (Some(u), _) => Check::fail(
                &object,
                path,
                format!("basic auth is on for user {u:?}; upgrade past GKE 1.19 or clear it with setMasterAuth"),
            ),
            (None, true) => Check::fail(&object, "masterAuth.password", "a basic-auth password is set"),
            (None, false) => Check::pass(&object, path, "no basic-auth username or password"),
        }]
    }

    fn apply(&self, _: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        // a new cluster has no basic auth; the fields are deprecated and never sent
        Ok(())
    }
}
