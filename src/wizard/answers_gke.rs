//! What the wizard learns for a GKE cluster.

use super::answers::WaiverAnswer;

/// The one node pool a Standard cluster starts with.
pub const POOL_NAME: &str = "nodes";
/// The machine type the wizard offers for it.
pub const POOL_MACHINE_TYPE: &str = "e2-standard-4";
/// Nodes per zone the pool keeps at least and may grow to, unless told otherwise.
pub const POOL_MIN_NODES: u32 = 1;
pub const POOL_MAX_NODES: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GkeAnswers {
    pub project: String,
    /// A region (regional control plane) or a zone.
    pub location: String,
    pub nodes: GkeNodes,
    pub network: String,
    pub subnetwork: String,
    pub pods_range: String,
    pub services_range: String,
    /// `regular`, `stable`, `rapid` or `extended`.
    pub release_channel: String,
    pub node_account: NodeAccount,
    pub secrets: SecretsKey,
}

/// Who runs the nodes: the node pools the file sizes, or Autopilot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GkeNodes {
    Standard {
        /// `calico` or `dataplane-v2`.
        network_policy: String,
        pool: GkePoolAnswers,
    },
    /// GKE makes the nodes; always Dataplane V2, no node pools.
    Autopilot,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GkePoolAnswers {
    pub machine_type: String,
    /// Per zone.
    pub min_nodes: u32,
    pub max_nodes: u32,
}

/// The service account the nodes run as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeAccount {
    /// `NAME@PROJECT.iam.gserviceaccount.com`, made for the nodes.
    Own(String),
    /// The Compute Engine default (a project Editor), accepted with a waiver: the file names no
    /// account, so GKE uses the default.
    ComputeDefault(WaiverAnswer),
}

/// Application-layer encryption of Secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretsKey {
    /// `projects/P/locations/L/keyRings/R/cryptoKeys/K`.
    Kms(String),
    /// No key: Secrets are encrypted at the storage layer only, accepted with a waiver.
    Waived(WaiverAnswer),
}

impl GkeAnswers {
    pub fn autopilot(&self) -> bool {
        self.nodes == GkeNodes::Autopilot
    }

    /// The region of the location (a zone's region, or the region itself).
    pub fn region(&self) -> &str {
        region_of(&self.location)
    }
}

/// `europe-west1-b` → `europe-west1`; a region is its own region.
pub fn region_of(location: &str) -> &str {
    match location.rsplit_once('-') {
        Some((region, zone)) if location.split('-').count() == 3 && zone.len() == 1 => region,
        _ => location,
    }
}
