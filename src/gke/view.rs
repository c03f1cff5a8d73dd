//! Reading a GKE `Cluster` (JSON with enum names, as `gcloud … describe --format=json` prints it
//! and as Palisade renders it). Proto3 JSON drops plain fields at their zero value, so a missing
//! bool reads as false and a missing enum as its `*_UNSPECIFIED` value.

use serde_json::{Map, Value};

use crate::guardrails::InCluster;

/// A field of a JSON tree by path.
pub fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |node, key| node.get(key))
}

/// A bool field; `None` when absent (the caller decides what absence means).
pub fn flag(v: &Value, path: &[&str]) -> Option<bool> {
    at(v, path).and_then(Value::as_bool)
}

/// A string field; absent and empty both read as `None`.
pub fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// Sets a field, making the objects on the way.
pub fn set(v: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *v = value;
        return;
    };
    let mut node = v;
    for key in parents {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(m) = node else { return };
        node = m
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !node.is_object() {
        *node = Value::Object(Map::new());
    }
    if let Value::Object(m) = node {
        m.insert(last.to_string(), value);
    }
}

/// The node pools of a desired cluster, for controls that set a field on every pool.
pub fn pools_mut(cluster: &mut Value) -> impl Iterator<Item = &mut Value> {
    cluster
        .get_mut("nodePools")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// A cluster as the controls judge it: the container API's `Cluster`, and the Kubernetes
/// objects of its own API when they were read (or are to be applied).
#[derive(Debug, Clone, Copy)]
pub struct ClusterView<'a> {
    pub json: &'a Value,
    pub in_cluster: Option<&'a InCluster>,
}

impl<'a> ClusterView<'a> {
    pub fn new(json: &'a Value) -> Self {
        ClusterView {
            json,
            in_cluster: None,
        }
    }

    /// The cluster with the Kubernetes objects it carries.
    pub fn with_objects(json: &'a Value, in_cluster: &'a InCluster) -> Self {
        ClusterView {
            json,
            in_cluster: Some(in_cluster),
        }
    }

    pub fn name(&self) -> &'a str {
        text(self.json, &["name"]).unwrap_or("unnamed")
    }

    /// `Cluster/NAME`, the object findings about the cluster name.
    pub fn object(&self) -> String {
        format!("Cluster/{}", self.name())
    }

    pub fn get(&self, path: &[&str]) -> Option<&'a Value> {
        at(self.json, path)
    }

    pub fn flag(&self, path: &[&str]) -> Option<bool> {
        flag(self.json, path)
    }

    pub fn text(&self, path: &[&str]) -> Option<&'a str> {
        text(self.json, path)
    }

    /// An enum field's name; absent reads as `None` (the `*_UNSPECIFIED` value).
    pub fn enum_name(&self, path: &[&str]) -> Option<&'a str> {
        self.text(path).filter(|s| !s.ends_with("UNSPECIFIED"))
    }

    pub fn pools(&self) -> Vec<PoolView<'a>> {
        let cluster = self.name();
        self.json
            .get("nodePools")
            .and_then(Value::as_array)
            .map(|pools| {
                pools
                    .iter()
                    .map(|json| PoolView {
                        cluster,
                        json,
                        auto: false,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `v1.N` of the control plane (`currentMasterVersion`), when it shows one.
    pub fn minor(&self) -> Option<String> {
        self.text(&["currentMasterVersion"])
            .and_then(crate::version::minor_label)
    }

    /// Whether GKE manages the nodes (Autopilot): per-pool settings are Google's, not the user's.
    pub fn autopilot(&self) -> bool {
        self.flag(&["autopilot", "enabled"]) == Some(true)
    }
}

/// One node pool of a cluster, or its auto-provisioned nodes in a pool's shape.
#[derive(Debug, Clone, Copy)]
pub struct PoolView<'a> {
    cluster: &'a str,
    pub json: &'a Value,
    /// The auto-provisioned nodes (Autopilot, node auto-provisioning), not a pool.
    auto: bool,
}

impl<'a> PoolView<'a> {
    /// A node pool of `cluster` held outside the cluster's JSON (an Autopilot pool with what
    /// Autopilot fixes filled in, see `gke::autopilot`).
    pub fn of(cluster: &'a str, json: &'a Value) -> Self {
        PoolView {
            cluster,
            json,
            auto: false,
        }
    }

    /// The auto-provisioned nodes of `cluster`, gathered into `json` (see `gke::autopilot`).
    pub fn auto(cluster: &'a str, json: &'a Value) -> Self {
        PoolView {
            cluster,
            json,
            auto: true,
        }
    }

    pub fn name(&self) -> &'a str {
        text(self.json, &["name"]).unwrap_or("unnamed")
    }

    /// `NodePool/CLUSTER/NAME`, or `Cluster/CLUSTER/autoprovisioning` for the nodes no pool
    /// describes.
    pub fn object(&self) -> String {
        if self.auto {
            format!("Cluster/{}/autoprovisioning", self.cluster)
        } else {
            format!("NodePool/{}/{}", self.cluster, self.name())
        }
    }

    pub fn flag(&self, path: &[&str]) -> Option<bool> {
        flag(self.json, path)
    }

    pub fn text(&self, path: &[&str]) -> Option<&'a str> {
        text(self.json, path)
    }
}
