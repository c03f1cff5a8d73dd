//! What the GKE halves of the controls draw on besides the cluster itself.

use crate::cluster_file::{ClusterFile, GkeSection};

#[derive(Debug, Clone)]
pub struct GkeCtx {
    pub section: GkeSection,
    /// `access.apiCidrs` of the cluster file.
    pub api_cidrs: Vec<String>,
}

impl GkeCtx {
    pub fn new(file: &ClusterFile, section: &GkeSection) -> Self {
        GkeCtx {
            section: section.clone(),
            api_cidrs: file
                .access
                .api_cidrs
                .iter()
                .map(|c| c.to_string())
                .collect(),
        }
    }

    /// `projects/P/locations/L`: the parent of the cluster.
    pub fn parent(&self) -> String {
        format!(
            "projects/{}/locations/{}",
            self.section.project, self.section.location
        )
    }

    /// The service account of a pool: its own, else the cluster file's default.
    pub fn pool_service_account(&self, pool: &str) -> Option<&str> {
        self.section
            .node_pools
            .iter()
            .find(|p| p.name == pool)
            .and_then(|p| p.service_account.as_deref())
            .or(self.section.node_service_account.as_deref())
    }

    /// Whether NetworkPolicy is enforced by Dataplane V2 rather than Calico.
    pub fn dataplane_v2(&self) -> bool {
        self.section.network_policy() == "dataplane-v2"
    }

    /// Whether GKE runs the nodes (Autopilot): no node pools to set, their settings go to the
    /// cluster's auto-provisioning defaults.
    pub fn autopilot(&self) -> bool {
        self.section.autopilot()
    }
}
