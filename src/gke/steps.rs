//! The calls that bring a live GKE cluster to the rendered one: one step per field group, each
//! naming its RPC (`clusters.update` with one `desired*` field, `setLegacyAbac`, `setAddons`,
//! `setNetworkPolicy`, `nodePools.update`, `nodePools.setManagement`, …) and the fields it
//! changes. What cannot change in place is listed apart ("needs a new node pool" / "needs a new
//! cluster"), never dropped.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::render::leaves;
use super::view::at;

/// A field a step changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    pub new: Value,
    /// The control or cluster-file setting that wants the new value.
    pub because: String,
}

/// One RPC.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// `clusters.update`, `clusters.setLegacyAbac`, `nodePools.update`, …
    pub call: String,
    /// `Cluster/NAME` or `NodePool/CLUSTER/POOL`.
    pub object: String,
    /// The request's fields besides the resource name, with enum names.
    pub body: Value,
    pub fields: Vec<FieldChange>,
}

impl Step {
    /// The call with its one `desired*` field, as the plan shows it.
    pub fn label(&self) -> String {
        match self.body.get("update").and_then(Value::as_object) {
            Some(u) if self.call == "clusters.update" => {
                let keys: Vec<&str> = u.keys().map(String::as_str).collect();
                format!("{} {}", self.call, keys.join(" "))
            }
            _ => self.call.clone(),
        }
    }

    /// The resource the call names: the cluster, or the node pool under it.
    pub fn resource(&self, cluster: &str) -> String {
        match self.object.strip_prefix("NodePool/") {
            Some(rest) if !self.call.starts_with("nodePools.create") => {
                let pool = rest.rsplit('/').next().unwrap_or(rest);
                format!("{cluster}/nodePools/{pool}")
            }
            _ => cluster.to_string(),
        }
    }
}

/// A difference that cannot be made in place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocked {
    pub object: String,
    /// "needs a new node pool", "needs a new cluster", or what to do by hand.
    pub remedy: String,
    pub fields: Vec<FieldChange>,
}

/// What plan found for an existing cluster.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Steps {
    pub steps: Vec<Step>,
    pub blocked: Vec<Blocked>,
    /// Things a reviewer should know that are not changes (pools Palisade does not manage).
    pub notes: Vec<String>,
}

/// Proto `optional` fields: absent means "GKE's default", not false.
const OPTIONAL: &[&str] = &[
    "ipEndpointsConfig.enabled",
    "enablePublicEndpoint",
    "globalAccess",
    "allowExternalTraffic",
    "gcpPublicCidrsAccessEnabled",
    "privateEndpointEnforcementEnabled",
    "defaultEnablePrivateNodes",
    "insecureKubeletReadonlyPortEnabled",
    "enableInsecureBindingSystemUnauthenticated",
    "enableInsecureBindingSystemAuthenticated",
    "enablePrivateNodes",
];

fn optional(path: &str) -> bool {
    OPTIONAL
        .iter()
        .any(|o| path == *o || path.ends_with(&format!(".{o}")))
}

fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty() || s.ends_with("UNSPECIFIED"),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

fn canonical(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_ascii_uppercase(),
        Value::Array(items) => {
            let mut parts: Vec<String> = items.iter().map(canonical).collect();
            parts.sort();
            parts.join("\u{0}")
        }
        other => other.to_string(),
    }
}

/// Whether the live value already means what the desired one says.
fn same(path: &str, desired: &Value, live: Option<&Value>) -> bool {
    if path == "network" || path == "subnetwork" {
        // GKE reports the short name; the request carries the full path
        let last = |v: &Value| {
            v.as_str()
                .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        };
        return live.is_some_and(|l| last(l) == last(desired));
    }
    match live {
        None => !optional(path) && is_zero(desired),
        Some(l) => canonical(l) == canonical(desired),
    }
}

/// How a cluster-level field is changed.
enum Route {
    /// `clusters.update` with one `desired*` field built from the desired cluster.
    Update(&'static str, fn(&Value) -> Value),
    Call(&'static str, fn(&Value) -> Value),
    NewCluster,
    Ignore,
}

fn sub(c: &Value, path: &[&str]) -> Value {
    at(c, path).cloned().unwrap_or(Value::Null)
}

/// Cluster-level routes by field prefix, in the order the steps run. Order matters once: the
/// network-policy add-on must be on before `setNetworkPolicy` turns enforcement on.
fn cluster_route(path: &str) -> (usize, Route) {
    let routes: &[(&str, Route)] = &[
        ("description", Route::Ignore),
        ("network", Route::NewCluster),
        ("subnetwork", Route::NewCluster),
        ("ipAllocationPolicy.", Route::NewCluster),
        ("masterAuth.clientCertificateConfig.", Route::NewCluster),
        ("networkConfig.datapathProvider", Route::NewCluster),
        (
            "legacyAbac.",
            Route::Call(
                "clusters.setLegacyAbac",
                |c| json!({"enabled": sub(c, &["legacyAbac", "enabled"]).as_bool().unwrap_or(false)}),
            ),
        ),
        (
            "controlPlaneEndpointsConfig.",
            Route::Update("desiredControlPlaneEndpointsConfig", |c| {
                sub(c, &["controlPlaneEndpointsConfig"])
            }),
        ),
        (
            "anonymousAuthenticationConfig.",
            Route::Update("desiredAnonymousAuthenticationConfig", |c| {
                sub(c, &["anonymousAuthenticationConfig"])
            }),
        ),
        (
            "rbacBindingConfig.",
            Route::Update("desiredRbacBindingConfig", |c| {
                sub(c, &["rbacBindingConfig"])
            }),
        ),
        (
            "networkConfig.defaultEnablePrivateNodes",
            Route::Update("desiredDefaultEnablePrivateNodes", |c| {
                sub(c, &["networkConfig", "defaultEnablePrivateNodes"])
            }),
        ),
        (
            "networkConfig.enableIntraNodeVisibility",
            Route::Update(
                "desiredIntraNodeVisibilityConfig",
                |c| json!({"enabled": sub(c, &["networkConfig", "enableIntraNodeVisibility"])}),
            ),
        ),
        (
            "workloadIdentityConfig.",
            Route::Update("desiredWorkloadIdentityConfig", |c| {
                sub(c, &["workloadIdentityConfig"])
            }),
        ),
        (
            "shieldedNodes.",
            Route::Update("desiredShieldedNodes", |c| sub(c, &["shieldedNodes"])),
        ),
        (
            "databaseEncryption.",
            Route::Update("desiredDatabaseEncryption", |c| {
                sub(c, &["databaseEncryption"])
            }),
        ),
        (
            "releaseChannel.",
            Route::Update("desiredReleaseChannel", |c| sub(c, &["releaseChannel"])),
        ),
        (
            "loggingConfig.",
            Route::Update("desiredLoggingConfig", |c| sub(c, &["loggingConfig"])),
        ),
        (
            "binaryAuthorization.",
            Route::Update("desiredBinaryAuthorization", |c| {
                sub(c, &["binaryAuthorization"])
            }),
        ),
        (
            "securityPostureConfig.",
            Route::Update("desiredSecurityPostureConfig", |c| {
                sub(c, &["securityPostureConfig"])
            }),
        ),
        (
            "nodePoolDefaults.nodeConfigDefaults.nodeKubeletConfig.",
            Route::Update("desiredNodeKubeletConfig", |c| {
                sub(
                    c,
                    &[
                        "nodePoolDefaults",
                        "nodeConfigDefaults",
                        "nodeKubeletConfig",
                    ],
                )
            }),
        ),
        (
            "addonsConfig.",
            Route::Call(
                "clusters.setAddons",
                |c| json!({"addonsConfig": sub(c, &["addonsConfig"])}),
            ),
        ),
        (
            "networkPolicy.",
            Route::Call(
                "clusters.setNetworkPolicy",
                |c| json!({"networkPolicy": sub(c, &["networkPolicy"])}),
            ),
        ),
    ];
    for (i, (prefix, route)) in routes.iter().enumerate() {
        let hit = if prefix.ends_with('.') {
            path.starts_with(prefix)
        } else {
            path == *prefix || path.starts_with(&format!("{prefix}."))
        };
        if hit {
            let r = match route {
                Route::Update(d, f) => Route::Update(d, *f),
                Route::Call(c, f) => Route::Call(c, *f),
                Route::NewCluster => Route::NewCluster,
                Route::Ignore => Route::Ignore,
            };
            return (i, r);
        }
    }
    (usize::MAX, Route::Ignore)
}

/// How a node-pool field is changed: `(order, call, group)`; `None` call = needs a new pool.
fn pool_route(rest: &str) -> Option<(usize, Option<&'static str>, &'static str)> {
    let routes: &[(&str, Option<&str>, &str)] = &[
        ("initialNodeCount", None, "ignore"),
        ("config.serviceAccount", None, "new pool"),
        ("config.oauthScopes", None, "new pool"),
        ("config.shieldedInstanceConfig.", None, "new pool"),
        ("config.metadata", None, "new pool"),
        ("management.", Some("nodePools.setManagement"), "management"),
        (
            "autoscaling.",
            Some("nodePools.setAutoscaling"),
            "autoscaling",
        ),
        (
            "config.workloadMetadataConfig.",
            Some("nodePools.update"),
            "workloadMetadataConfig",
        ),
        (
            "config.kubeletConfig.",
            Some("nodePools.update"),
            "kubeletConfig",
        ),
        (
            "networkConfig.enablePrivateNodes",
            Some("nodePools.update"),
            "nodeNetworkConfig",
        ),
        ("config.imageType", Some("nodePools.update"), "imageType"),
        (
            "config.machineType",
            Some("nodePools.update"),
            "machineType",
        ),
        ("config.diskType", Some("nodePools.update"), "diskType"),
        ("config.diskSizeGb", Some("nodePools.update"), "diskSizeGb"),
        (
            "upgradeSettings.",
            Some("nodePools.update"),
            "upgradeSettings",
        ),
    ];
    routes
        .iter()
        .enumerate()
        .find_map(|(i, (prefix, call, group))| {
            let hit = if prefix.ends_with('.') {
                rest.starts_with(prefix)
            } else {
                rest == *prefix || rest.starts_with(&format!("{prefix}."))
            };
            hit.then_some((i, *call, *group))
        })
}

fn pool_by_name<'a>(cluster: &'a Value, name: &str) -> Option<&'a Value> {
    cluster
        .get("nodePools")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

/// The body of a `nodePools.update` for one field group. `nodeVersion` and `imageType` are
/// required by the API: the pool's current version (so no upgrade rides along) and, unless the
/// image is what changes, its current image.
fn pool_update_body(group: &str, desired: &Value, live: &Value) -> Value {
    let version = live
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .unwrap_or("-");
    let image = if group == "imageType" {
        sub(desired, &["config", "imageType"])
    } else {
        at(live, &["config", "imageType"])
            .cloned()
            .unwrap_or_else(|| sub(desired, &["config", "imageType"]))
    };
    let mut body = json!({"nodeVersion": version, "imageType": image});
    let value = match group {
        "workloadMetadataConfig" => sub(desired, &["config", "workloadMetadataConfig"]),
        "kubeletConfig" => sub(desired, &["config", "kubeletConfig"]),
        "nodeNetworkConfig" => {
            json!({"enablePrivateNodes": sub(desired, &["networkConfig", "enablePrivateNodes"])})
        }
        "machineType" => sub(desired, &["config", "machineType"]),
        "diskType" => sub(desired, &["config", "diskType"]),
        "diskSizeGb" => sub(desired, &["config", "diskSizeGb"]),
        "upgradeSettings" => sub(desired, &["upgradeSettings"]),
        _ => Value::Null,
    };
    if group != "imageType" && !value.is_null() {
        body[group] = value;
    }
    body
}

/// The steps from `live` to `desired` (both `Cluster` JSON with enum names). `trace` says what
/// wants each desired leaf.
pub fn diff(desired: &Value, live: &Value, trace: &BTreeMap<String, String>) -> Steps {
    let name = desired.get("name").and_then(Value::as_str).unwrap_or("?");
    let cluster_object = format!("Cluster/{name}");
    let live_leaves = leaves(live);
    let because = |path: &str| {
        trace
            .get(path)
            .cloned()
            .unwrap_or_else(|| "cluster file".into())
    };

    let mut cluster_groups: BTreeMap<(usize, String), Vec<FieldChange>> = BTreeMap::new();
    let mut new_cluster = Vec::new();
    let mut pool_groups: BTreeMap<(String, usize, String), Vec<FieldChange>> = BTreeMap::new();
    let mut new_pool: BTreeMap<String, Vec<FieldChange>> = BTreeMap::new();
    let mut missing_pools = Vec::new();

    for (path, value) in leaves(desired) {
        let live_value = live_leaves.get(&path);
        if same(&path, &value, live_value) {
            continue;
        }
        let change = FieldChange {
            path: path.clone(),
            old: live_value.cloned(),
            new: value.clone(),
            because: because(&path),
        };
        if let Some(rest) = path.strip_prefix("nodePools[") {
            let Some((pool, rest)) = rest.split_once("].") else {
                continue;
            };
            if pool_by_name(live, pool).is_none() {
                if !missing_pools.contains(&pool.to_string()) {
                    missing_pools.push(pool.to_string());
                }
                continue;
            }
            match pool_route(rest) {
                Some((_, _, "ignore")) => {}
                Some((_, None, _)) => new_pool.entry(pool.to_string()).or_default().push(change),
                Some((order, Some(call), group)) => pool_groups
                    .entry((pool.to_string(), order, format!("{call}|{group}")))
                    .or_default()
                    .push(change),
                None => new_pool.entry(pool.to_string()).or_default().push(change),
            }
            continue;
        }
        match cluster_route(&path) {
            (_, Route::Ignore) => {}
            (_, Route::NewCluster) => new_cluster.push(change),
            (order, Route::Update(field, _)) => cluster_groups
                .entry((order, format!("clusters.update|{field}")))
                .or_default()
                .push(change),
            (order, Route::Call(call, _)) => cluster_groups
                .entry((order, call.to_string()))
                .or_default()
                .push(change),
        }
    }

    let mut out = Steps::default();
    if let Some(user) = at(live, &["masterAuth", "username"])
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        out.blocked.push(Blocked {
            object: cluster_object.clone(),
            remedy: format!("basic auth (user {user:?}) is on: upgrade the cluster past GKE 1.19, which removes it; Palisade never sends the deprecated masterAuth fields"),
            fields: Vec::new(),
        });
    }
    for ((order, key), fields) in cluster_groups {
        let _ = order;
        let (call, body) = match key.split_once('|') {
            Some((call, field)) => {
                let build = match cluster_route(&fields[0].path) {
                    (_, Route::Update(_, f)) => f,
                    _ => continue,
                };
                (call.to_string(), json!({"update": {field: build(desired)}}))
            }
            None => {
                let build = match cluster_route(&fields[0].path) {
                    (_, Route::Call(_, f)) => f,
                    _ => continue,
                };
                (key.clone(), build(desired))
            }
        };
        out.steps.push(Step {
            call,
            object: cluster_object.clone(),
            body,
            fields,
        });
    }
    for pool in &missing_pools {
        if let Some(p) = pool_by_name(desired, pool) {
            out.steps.push(Step {
                call: "nodePools.create".into(),
                object: format!("NodePool/{name}/{pool}"),
                body: json!({"nodePool": p}),
                fields: vec![FieldChange {
                    path: format!("nodePools[{pool}]"),
                    old: None,
                    new: Value::from("created"),
                    because: because(&format!("nodePools[{pool}].name")),
                }],
            });
        }
    }
    for ((pool, _, key), fields) in pool_groups {
        let (Some(d), Some(l)) = (pool_by_name(desired, &pool), pool_by_name(live, &pool)) else {
            continue;
        };
        let (call, group) = key.split_once('|').unwrap_or((key.as_str(), ""));
        let body = match call {
            "nodePools.setManagement" => json!({"management": sub(d, &["management"])}),
            "nodePools.setAutoscaling" => json!({"autoscaling": sub(d, &["autoscaling"])}),
            _ => pool_update_body(group, d, l),
        };
        out.steps.push(Step {
            call: call.to_string(),
            object: format!("NodePool/{name}/{pool}"),
            body,
            fields,
        });
    }
    if !new_cluster.is_empty() {
        out.blocked.push(Blocked {
            object: cluster_object.clone(),
            remedy: "needs a new cluster (set only at creation)".into(),
            fields: new_cluster,
        });
    }
    for (pool, fields) in new_pool {
        out.blocked.push(Blocked {
            object: format!("NodePool/{name}/{pool}"),
            remedy: "needs a new node pool (set only when a pool is created): create one beside it, move the workloads, delete the old pool".into(),
            fields,
        });
    }
    if let Some(pools) = live.get("nodePools").and_then(Value::as_array) {
        for p in pools {
            let pool = p.get("name").and_then(Value::as_str).unwrap_or("?");
            if pool_by_name(desired, pool).is_none() {
                out.notes.push(format!(
                    "node pool {pool} is not in the cluster file: Palisade leaves it alone (it is not deleted, and its findings stay in the audit)"
                ));
            }
        }
    }
    out
}
