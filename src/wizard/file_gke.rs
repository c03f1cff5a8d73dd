//! The `gke:` section and the access a GKE cluster file gets.

use super::answers::{CommonAnswers, GkeAnswers, NodeAccount, SecretsKey};
use super::answers_gke::{GkeNodes, POOL_NAME};
use super::file::{line, list, scalar};

pub(super) fn write(t: &mut String, g: &GkeAnswers, c: &CommonAnswers) {
    if c.profile == "strict" {
        line(t, "# strict: baseline plus no public IP endpoint (admins use the VPC or the IAM-checked DNS endpoint),");
        line(
            t,
            "# Binary Authorization (its API and a project policy needed) and restricted pods",
        );
    } else {
        line(t, "# baseline: private nodes, authorized networks, Workload Identity, Shielded nodes with Secure Boot,");
        line(t, "# Secrets encrypted with your KMS key, control-plane logs, a release channel (palisade profiles show baseline)");
    }
    line(t, &format!("profile: {}", c.profile));
    line(t, "gke:");
    if g.autopilot() {
        line(t, "  # Autopilot: GKE makes and patches the nodes, billed per pod request; regional, no node pools");
        line(t, "  mode: autopilot");
    }
    line(t, &format!("  project: {}", scalar(&g.project)));
    if g.region() == g.location {
        line(
            t,
            "  # a region: the control plane is replicated across its zones",
        );
    } else {
        line(
            t,
            "  # a zone: one control plane, down while it is upgraded or the zone is out",
        );
    }
    line(t, &format!("  location: {}", scalar(&g.location)));
    line(t, "  # VPC-native: pods and Services get addresses from the subnetwork's two secondary ranges");
    line(t, &format!("  network: {}", scalar(&g.network)));
    line(t, &format!("  subnetwork: {}", scalar(&g.subnetwork)));
    line(t, &format!("  podsRange: {}", scalar(&g.pods_range)));
    line(
        t,
        &format!("  servicesRange: {}", scalar(&g.services_range)),
    );
    line(t, "  # GKE upgrades the control plane and the nodes along this channel (control release-channel)");
    line(t, &format!("  releaseChannel: {}", g.release_channel));
    match &g.nodes {
        GkeNodes::Autopilot => line(
            t,
            "  # NetworkPolicy: enforced by Dataplane V2, which every Autopilot cluster runs",
        ),
        GkeNodes::Standard { network_policy, .. } if network_policy == "calico" => {
            line(
                t,
                "  # NetworkPolicy enforced by Calico (the network-policy add-on)",
            );
            line(t, "  networkPolicy: calico");
        }
        GkeNodes::Standard { network_policy, .. } => {
            line(t, "  # NetworkPolicy enforced by Dataplane V2 (eBPF, with policy logging; chosen at creation only)");
            line(t, &format!("  networkPolicy: {network_policy}"));
        }
    }
    match &g.secrets {
        SecretsKey::Kms(key) => {
            line(t, "  # Secrets encrypted with this key; the GKE service agent needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it");
            line(t, &format!("  secretsKmsKey: {}", scalar(key)));
        }
        SecretsKey::Waived(_) => line(
            t,
            "  # no secretsKmsKey: Secrets are encrypted at the storage layer only (waived below)",
        ),
    }
    match &g.node_account {
        NodeAccount::Own(account) => {
            line(t, "  # the nodes' account: roles/container.defaultNodeServiceAccount, roles/artifactregistry.reader");
            line(t, &format!("  nodeServiceAccount: {}", scalar(account)));
        }
        NodeAccount::ComputeDefault(_) => line(t, "  # no nodeServiceAccount: the nodes run as the Compute Engine default, a project Editor (waived below)"),
    }
    if let GkeNodes::Standard { pool, .. } = &g.nodes {
        line(
            t,
            "  # sizes per zone: a regional cluster has the pool in each of its zones",
        );
        line(t, "  nodePools:");
        line(t, &format!("  - name: {POOL_NAME}"));
        line(
            t,
            &format!("    machineType: {}", scalar(&pool.machine_type)),
        );
        line(t, &format!("    minNodes: {}", pool.min_nodes));
        line(t, &format!("    maxNodes: {}", pool.max_nodes));
    }
    line(t, "access:");
    line(t, "  # only these networks reach the control plane (authorized networks; control api-access-restricted)");
    line(t, &format!("  apiCidrs: {}", list(&c.api_cidrs)));
}
