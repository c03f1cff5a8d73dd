//! `security-posture`: GKE's security posture dashboard checks workloads.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "security-posture",
    title: "Security posture management on",
    severity: Severity::Low,
    family: "workloads",
    rationale: "Posture management reports workload misconfigurations (privileged pods, host \
                namespaces) continuously, at no cost in BASIC mode.",
    source: "GKE security posture docs; CIS GKE 5.10.5",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.10.5",
    }],
    kops_fields: &[],
    detection: "Fails unless securityPostureConfig.mode is BASIC or ENTERPRISE. The deprecated \
                vulnerabilityMode is neither sent nor judged. Changed in place with \
                clusters.update desiredSecurityPostureConfig.",
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
        &["securityPostureConfig.mode"]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = "securityPostureConfig.mode";
        vec![
            match cluster.enum_name(&["securityPostureConfig", "mode"]) {
                Some(m @ ("BASIC" | "ENTERPRISE")) => {
                    Check::pass(&object, path, format!("{path} is {m}"))
                }
                Some(other) => Check::fail(&object, path, format!("{path} is {other}")),
                None => Check::fail(&object, path, "security posture is not set"),
            },
        ]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        set(
            cluster,
            &["securityPostureConfig", "mode"],
            Value::from("BASIC"),
        );
        Ok(())
    }
}
