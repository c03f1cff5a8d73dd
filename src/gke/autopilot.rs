//! The nodes no node pool describes: Autopilot's, and those node auto-provisioning creates on a
//! Standard cluster. Their settings live in `autoscaling.autoprovisioningNodePoolDefaults`,
//! `nodePoolAutoConfig` and `nodePoolDefaults`; [`auto_pool`] gathers them into the shape of a
//! node pool, so that every pool-level control judges those nodes as it judges a pool, and
//! [`AutoPool::real_path`] names the cluster field a finding is really about.
//!
//! What Autopilot fixes and the API does not show is filled in and said so: its nodes always run
//! Container-Optimized OS with containerd, are always auto-upgraded and auto-repaired
//! ("Pre-configured" in GKE's Autopilot and Standard feature comparison,
//! docs.cloud.google.com/kubernetes-engine/docs/resources/autopilot-standard-feature-comparison,
//! for every Autopilot version), and are Shielded GKE Nodes with Secure Boot and integrity
//! monitoring (GKE's Autopilot security measures; the pools Autopilot makes show it), and run the
//! GKE metadata server (Workload Identity Federation is always on in Autopilot). Everything
//! else — the service account, the OAuth scopes, the kubelet read-only port — is judged as the
//! API shows it: those are the user's to set, and an unset one is GKE's default.

use serde_json::Value;

use super::view::{at, set};

/// Where a node-pool field of the auto-provisioned nodes comes from: the pool path, then the
/// cluster paths that may hold it, the first being the one to set.
const SOURCES: &[(&[&str], &[&[&str]])] = &[
    (
        &["config", "serviceAccount"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "serviceAccount",
        ]],
    ),
    (
        &["config", "oauthScopes"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "oauthScopes",
        ]],
    ),
    (
        &["config", "imageType"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "imageType",
        ]],
    ),
    (
        &["config", "shieldedInstanceConfig"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "shieldedInstanceConfig",
        ]],
    ),
    (
        &["config", "bootDiskKmsKey"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "bootDiskKmsKey",
        ]],
    ),
    (
        &["management"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "management",
        ]],
    ),
    (
        &["upgradeSettings"],
        &[&[
            "autoscaling",
            "autoprovisioningNodePoolDefaults",
            "upgradeSettings",
        ]],
    ),
    (
        &[
            "config",
            "kubeletConfig",
            "insecureKubeletReadonlyPortEnabled",
        ],
        &[
            &[
                "nodePoolAutoConfig",
                "nodeKubeletConfig",
                "insecureKubeletReadonlyPortEnabled",
            ],
            &[
                "autoscaling",
                "autoprovisioningNodePoolDefaults",
                "insecureKubeletReadonlyPortEnabled",
            ],
        ],
    ),
    (
        &["config", "tags"],
        &[&["nodePoolAutoConfig", "networkTags", "tags"]],
    ),
    (
        &["config", "resourceManagerTags"],
        &[&["nodePoolAutoConfig", "resourceManagerTags"]],
    ),
];

/// A pool field Autopilot fixes, its value, and what to say of it.
type Fixed = (&'static [&'static str], fn() -> Value, &'static str);

/// What Autopilot fixes for its nodes.
const AUTOPILOT_FIXED: &[Fixed] = &[
    (
        &["config", "imageType"],
        || Value::from("COS_CONTAINERD"),
        "Autopilot nodes always run Container-Optimized OS with containerd",
    ),
    (
        &["management", "autoUpgrade"],
        || Value::from(true),
        "Autopilot always auto-upgrades its nodes",
    ),
    (
        &["management", "autoRepair"],
        || Value::from(true),
        "Autopilot always auto-repairs its nodes",
    ),
    // Workload Identity Federation is always on for Autopilot, its nodes always run the GKE
    // metadata server (GKE security overview; the pools Autopilot makes show GKE_METADATA)
    (
        &["config", "workloadMetadataConfig", "mode"],
        || Value::from("GKE_METADATA"),
        "Autopilot nodes always run the GKE metadata server (Workload Identity Federation)",
    ),
    // Shielded GKE Nodes with secure boot and integrity monitoring: what the pools Autopilot
    // makes carry even where its defaults do not say so (tests/fixtures/gke-captures)
    (
        &["config", "shieldedInstanceConfig", "enableSecureBoot"],
        || Value::from(true),
        "Autopilot nodes always boot with Secure Boot",
    ),
    (
        &[
            "config",
            "shieldedInstanceConfig",
            "enableIntegrityMonitoring",
        ],
        || Value::from(true),
        "Autopilot nodes always run with integrity monitoring",
    ),
];

/// The auto-provisioned nodes as a node pool.
#[derive(Debug, Clone)]
pub struct AutoPool {
    /// A node pool's shape: `config`, `management`, `upgradeSettings`.
    pub json: Value,
    /// Pool path → the cluster path it was read from (or is to be set at).
    paths: Vec<(String, String)>,
    /// Pool paths Autopilot fixes and the API did not show, with what to say.
    fixed: Vec<(String, &'static str)>,
}

/// Whether the cluster has nodes no pool describes: Autopilot, or node auto-provisioning.
pub fn provisions_nodes(cluster: &Value) -> bool {
    at(cluster, &["autopilot", "enabled"]).and_then(Value::as_bool) == Some(true)
        || at(cluster, &["autoscaling", "enableNodeAutoprovisioning"]).and_then(Value::as_bool)
            == Some(true)
}

/// The auto-provisioned nodes of `cluster` as a node pool, when it has such nodes.
pub fn auto_pool(cluster: &Value) -> Option<AutoPool> {
    if !provisions_nodes(cluster) {
        return None;
    }
    let autopilot = at(cluster, &["autopilot", "enabled"]).and_then(Value::as_bool) == Some(true);
    let mut json = serde_json::json!({"name": "autoprovisioning"});
    let mut paths = Vec::new();
    for (pool_path, sources) in SOURCES {
        let found = sources
            .iter()
            .find_map(|src| at(cluster, src).map(|v| (*src, v.clone())));
        let from = found.as_ref().map_or(sources[0], |(src, _)| *src);
        if let Some((_, v)) = found {
            set(&mut json, pool_path, v);
        }
        paths.push((pool_path.join("."), from.join(".")));
    }
    let (json, fixed) = if autopilot {
        autopilot_pool(&json)
    } else {
        (json, Vec::new())
    };
    Some(AutoPool { json, paths, fixed })
}

/// A node pool Autopilot made, with what Autopilot fixes filled in where the pool does not show
/// it, and the pool paths so filled with what to say of each.
pub fn autopilot_pool(pool: &Value) -> (Value, Vec<(String, &'static str)>) {
    let mut json = pool.clone();
    let mut fixed = Vec::new();
    for (path, value, what) in AUTOPILOT_FIXED {
        if at(&json, path).is_none() {
            set(&mut json, path, value());
            fixed.push((path.join("."), *what));
        }
    }
    (json, fixed)
}

impl AutoPool {
    /// The cluster field a pool path of these nodes is about (`config.serviceAccount` →
    /// `autoscaling.autoprovisioningNodePoolDefaults.serviceAccount`).
    pub fn real_path(&self, pool_path: &str) -> String {
        self.paths
            .iter()
            .filter(|(p, _)| pool_path == p || pool_path.starts_with(&format!("{p}.")))
            .max_by_key(|(p, _)| p.len())
            .map_or_else(
                || pool_path.to_string(),
                |(p, real)| format!("{real}{}", &pool_path[p.len()..]),
            )
    }

    /// What Autopilot fixes at this pool path, if it filled it in.
    pub fn fixed(&self, pool_path: &str) -> Option<&'static str> {
        self.fixed
            .iter()
            .find(|(p, _)| p == pool_path)
            .map(|(_, what)| *what)
    }
}
