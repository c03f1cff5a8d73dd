//! What the wizard learns for a kops cluster on AWS.

/// The Kubernetes version a new kops cluster gets.
pub const KUBERNETES_VERSION: &str = "1.34.1";
/// The instance type the wizard offers for the control plane and the nodes.
pub const KOPS_MACHINE_TYPE: &str = "m6i.large";
/// The node group's sizes, unless told otherwise (the largest at least the smallest).
pub const KOPS_NODES_MIN: u32 = 2;
pub const KOPS_NODES_MAX: u32 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KopsAnswers {
    pub dns_zone: Option<String>,
    pub region: String,
    pub zones: Vec<String>,
    pub kubernetes_version: String,
    pub control_plane_count: u32,
    pub control_plane_type: String,
    pub node_type: String,
    pub nodes_min: u32,
    pub nodes_max: u32,
    pub ssh: SshAccess,
    /// IRSA's public bucket, for the strict profile.
    pub discovery_store: Option<String>,
    pub state_store: StateStore,
}

/// How administrators reach the nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SshAccess {
    /// No SSH at all (the recommended default).
    None,
    /// A bastion host in the utility subnets, reachable from these networks.
    Bastion { cidrs: Vec<String> },
}

/// Where kops keeps the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateStore {
    /// No `stateStore` in the file: `file://./.palisade/state`, for reviewing plans offline.
    Local,
    /// `s3://BUCKET[/PREFIX]` and the bucket's region.
    S3 { url: String, region: String },
}
