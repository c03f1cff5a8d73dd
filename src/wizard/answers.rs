//! What the wizard learns: enough for a complete cluster file.

/// How administrators reach the nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshAccess {
    /// No SSH at all (the recommended default).
    None,
    /// A bastion host in the utility subnets, reachable from these networks.
    Bastion { cidrs: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub name: String,
    pub dns_zone: Option<String>,
    pub region: String,
    pub zones: Vec<String>,
    pub kubernetes_version: String,
    pub control_plane_count: u32,
    pub control_plane_type: String,
    pub node_type: String,
    pub nodes_min: u32,
    pub nodes_max: u32,
    pub api_cidrs: Vec<String>,
    /// Set when `api_cidrs` opens the API to everyone: why that is accepted.
    pub api_waiver_reason: Option<String>,
    pub ssh: SshAccess,
    pub profile: String,
    /// IRSA's public bucket, for the strict profile.
    pub discovery_store: Option<String>,
    /// The teams' namespaces (the in-cluster guardrails act on them).
    pub namespaces: Vec<String>,
    /// The one of them where Services may be exposed (LoadBalancer, NodePort).
    pub ingress_namespace: Option<String>,
}

/// The Kubernetes version a new cluster gets.
pub const KUBERNETES_VERSION: &str = "1.34.1";
