//! `private-endpoint`: the control plane has no public IP endpoint.

use serde_json::Value;

use crate::controls::{Check, Control, GkeRule, NotOnKops, Params, Reference, Severity, Status};
use crate::gke::view::set;
use crate::gke::{ClusterView, GkeCtx};

pub static CONTROL: Control = Control {
    id: "private-endpoint",
    title: "No public IP endpoint for the control plane",
    severity: Severity::High,
    family: "network",
    rationale: "An API server on the internet is probed by everyone; with no public IP endpoint \
                admins come in through the VPC or the IAM-checked DNS endpoint.",
    source: "GKE hardening guide (control plane access); CIS GKE 5.6.4",
    references: &[Reference {
        benchmark: "cis-gke",
        id: "5.6.4",
    }],
    kops_fields: &[],
    detection: "Passes when controlPlaneEndpointsConfig.ipEndpointsConfig.enabled is false or \
                enablePublicEndpoint is false (older clusters: \
                privateClusterConfig.enablePrivateEndpoint is true). Changed in place with \
                clusters.update desiredControlPlaneEndpointsConfig.",
    params: &[],
    kops: &NotOnKops,
    gke: Some(&Rule),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

const IP: &[&str] = &["controlPlaneEndpointsConfig", "ipEndpointsConfig"];

/// Whether the control plane has no public IP endpoint, and the field that says so.
pub fn no_public_endpoint(cluster: &ClusterView<'_>) -> (bool, &'static str) {
    if cluster.get(&["controlPlaneEndpointsConfig"]).is_some() {
        let ip = cluster.get(IP);
        let enabled = ip.and_then(|v| v.get("enabled")).and_then(Value::as_bool);
        let public = ip
            .and_then(|v| v.get("enablePublicEndpoint"))
            .and_then(Value::as_bool);
        if enabled == Some(false) {
            return (
                true,
                "controlPlaneEndpointsConfig.ipEndpointsConfig.enabled",
            );
        }
        return (
            public == Some(false),
            "controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint",
        );
    }
    (
        cluster.flag(&["privateClusterConfig", "enablePrivateEndpoint"]) == Some(true),
        "privateClusterConfig.enablePrivateEndpoint",
    )
}

impl GkeRule for Rule {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "controlPlaneEndpointsConfig.ipEndpointsConfig.enablePublicEndpoint",
            "controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic",
        ]
    }

    fn check(&self, cluster: &ClusterView<'_>, _: &Params) -> Vec<Check> {
        let object = cluster.object();
        let (private, path) = no_public_endpoint(cluster);
        vec![if private {
            Check::pass(&object, path, "the control plane has no public IP endpoint")
        } else {
            Check::fail(&object, path, "the control plane has a public IP endpoint")
        }]
    }

    fn apply(&self, cluster: &mut Value, _: &Params, _: &GkeCtx) -> Result<(), String> {
        set(cluster, &[IP[0], IP[1], "enabled"], Value::from(true));
        set(
            cluster,
            &[IP[0], IP[1], "enablePublicEndpoint"],
            Value::from(false),
        );
        set(cluster, &[IP[0], IP[1], "globalAccess"], Value::from(false));
        // admins reach the API through the IAM-checked DNS endpoint
        set(
            cluster,
            &[IP[0], "dnsEndpointConfig", "allowExternalTraffic"],
            Value::from(true),
        );
        Ok(())
    }
}
