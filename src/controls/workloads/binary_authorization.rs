//! `binary-authorization`: only images the project policy admits may run.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "binary-authorization",
    title: "Binary Authorization enforces the project's image policy",
    severity: Severity::Medium,
    family: "workloads",
    rationale: "Admission checks that images come from trusted registries or carry \
                attestations; without it any image a user can name will run.",
    source: "GKE hardening guide; CIS GKE 5.10.4",
    references: &[Reference { benchmark: "cis-gke", id: "5.10.4" }],
    kops_fields: &[],
    detection: "Fails unless binaryAuthorization.evaluationMode is set to a mode other than \
                DISABLED (older clusters: the deprecated binaryAuthorization.enabled is true). \
                Needs the Binary Authorization API and a project policy (the default policy \
                admits everything). Changed in place with clusters.update desiredBinaryAuthorization.",
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
        &["binaryAuthorization.evaluationMode"]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = "binaryAuthorization.evaluationMode";
        vec![
            match cluster.enum_name(&["binaryAuthorization", "evaluationMode"]) {
                Some("DISABLED") => Check::fail(&object, path, format!("{path} is DISABLED")),
                Some(mode) => Check::pass(&object, path, format!("{path} is {mode}")),
                None if cluster.flag(&["binaryAuthorization", "enabled"]) == Some(true) => {
                    Check::pass(
                        &object,
                        "binaryAuthorization.enabled",
                        "binaryAuthorization.enabled is true (deprecated form)",
                    )
                }
                None => Check::fail(&object, path, "Binary Authorization is not enabled"),
            },
        ]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        set(
            cluster,
            &["binaryAuthorization", "evaluationMode"],
            Value::from("PROJECT_SINGLETON_POLICY_ENFORCE"),
        );
        Ok(())
    }
}
