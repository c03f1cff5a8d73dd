//! What a running kops cluster on AWS shows besides its spec: the metadata options of its
//! instances and the ingress rules of its security groups, as EC2 reports them. `aws` reads
//! it; the controls' live halves judge it.

use serde::Deserialize;

/// The live state of one cluster (deserialisable for test fixtures: EC2's facts under these
/// names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveState {
    /// Instances tagged `KubernetesCluster=NAME`.
    pub instances: Vec<InstanceMetadata>,
    /// Ingress permissions of the cluster's security groups.
    pub ingress: Vec<IngressRule>,
}

/// An instance's metadata-service settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceMetadata {
    pub id: String,
    pub http_tokens: Option<String>,
    pub hop_limit: Option<i32>,
}

/// One ingress permission of a security group, with its source networks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngressRule {
    pub group_id: String,
    /// `-1` for all protocols.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidrs: Vec<String>,
}

impl IngressRule {
    /// Whether the rule lets TCP traffic reach `port`.
    pub fn covers(&self, port: i32) -> bool {
        match self.protocol.as_str() {
            "-1" => true,
            "tcp" | "6" => match (self.from_port, self.to_port) {
                (Some(from), Some(to)) => from <= port && port <= to,
                _ => true,
            },
            _ => false,
        }
    }
}
