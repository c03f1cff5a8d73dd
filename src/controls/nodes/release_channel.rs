//! `release-channel`: the cluster follows a GKE release channel.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "release-channel",
    title: "Enrolled in a release channel",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "A release channel keeps the control plane and nodes on supported versions that \
                receive security patches, instead of versions someone picked once.",
    source: "GKE hardening guide; CIS GKE 5.5.4",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.5.4",
    }],
    kops_fields: &[],
    detection: "Fails unless releaseChannel.channel is RAPID, REGULAR, STABLE or EXTENDED. \
                Changed in place with clusters.update desiredReleaseChannel.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl GkeRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("gke.releaseChannel")
    }
    fn fields(&self) -> &'static [&'static str] {
        &["releaseChannel.channel"]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let path = "releaseChannel.channel";
        vec![match cluster.enum_name(&["releaseChannel", "channel"]) {
            Some(c @ ("RAPID" | "REGULAR" | "STABLE" | "EXTENDED")) => Check::pass(
                &object,
                path,
                format!("the cluster follows the {c} channel"),
            ),
            Some(other) => Check::fail(&object, path, format!("{path} is {other}")),
            None => Check::fail(
                &object,
                path,
                "the cluster is not enrolled in a release channel",
            ),
        }]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, ctx: &GkeCtx) -> Result<(), String> {
        let channel = ctx.section.release_channel.to_ascii_uppercase();
        set(
            cluster,
            &["releaseChannel", "channel"],
            Value::from(channel),
        );
        Ok(())
    }
}
