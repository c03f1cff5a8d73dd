//! The calls that bring a live GKE cluster to the rendered one: one step per field group, each
//! naming its RPC (`clusters.update` with one `desired*` field, `setLegacyAbac`, `setAddons`,
//! `setNetworkPolicy`, `nodePools.update`, `nodePools.setManagement`, …) and the fields it
//! changes. What cannot change in place is listed apart ("needs a new node pool" / "needs a new
//! cluster"), never dropped.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::render::leaves;
use crate::gke::view::at;

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

/// How a field is changed: the routes below map field prefixes to these.
#[derive(Clone, Copy)]
enum Route {
    /// `clusters.update` with one `desired*` field, or `nodePools.update` with one field (plus
    /// the two the API requires), its value built from the desired cluster or pool.
    Update(&'static str, fn(&Value) -> Value),
    /// Another call, its whole body built from the desired cluster or pool.
    Call(&'static str, fn(&Value) -> Value),
    /// Set only at creation: needs a new cluster (or node pool).
    Recreate,
    /// No call changes it; the remedy is done by hand.
    Manual(&'static str),
    Ignore,
}

fn sub(c: &Value, path: &[&str]) -> Value {
    at(c, path).cloned().unwrap_or(Value::Null)
}

/// Basic auth is gone from the API: the deprecated fields are never sent.
const BASIC_AUTH_REMEDY: &str =
    "basic auth is removed by upgrading the cluster past GKE 1.19; Palisade never sends the deprecated masterAuth fields";

/// The auto-provisioned nodes' identity (Autopilot's service account and scopes): GKE's
/// hardening guide lists the node service account among the settings made only at creation,
/// and an update of the defaults reaches only node pools made after it.
const AUTOPROVISIONING_REMEDY: &str =
    "the auto-provisioned nodes' service account and scopes are set when the cluster is created (an update reaches only pools made later): create a new cluster with them and move the workloads";

/// Cluster-level routes by field prefix, in the order the steps run. Order matters once: the
/// network-policy add-on must be on before `setNetworkPolicy` turns enforcement on.
static CLUSTER_ROUTES: &[(&str, Route)] = &[
    ("description", Route::Ignore),
    // Standard and Autopilot are two kinds of cluster: no call turns one into the other
    ("autopilot.", Route::Recreate),
    (
        "autoscaling.autoprovisioningNodePoolDefaults.",
        Route::Manual(AUTOPROVISIONING_REMEDY),
    ),
    ("network", Route::Recreate),
    ("subnetwork", Route::Recreate),
    ("ipAllocationPolicy.", Route::Recreate),
    ("masterAuth.clientCertificateConfig.", Route::Recreate),
    ("masterAuth.username", Route::Manual(BASIC_AUTH_REMEDY)),
    ("masterAuth.password", Route::Manual(BASIC_AUTH_REMEDY)),
    ("networkConfig.datapathProvider", Route::Recreate),
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
        "nodePoolAutoConfig.nodeKubeletConfig.",
        Route::Update("desiredNodePoolAutoConfigKubeletConfig", |c| {
            sub(c, &["nodePoolAutoConfig", "nodeKubeletConfig"])
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

/// Node-pool routes by field prefix (relative to the pool), in the order the steps run.
static POOL_ROUTES: &[(&str, Route)] = &[
    ("initialNodeCount", Route::Ignore),
    ("config.serviceAccount", Route::Recreate),
    ("config.oauthScopes", Route::Recreate),
    ("config.shieldedInstanceConfig.", Route::Recreate),
    ("config.metadata", Route::Recreate),
    (
        "management.",
        Route::Call(
            "nodePools.setManagement",
            |p| json!({"management": sub(p, &["management"])}),
        ),
    ),
    (
        "autoscaling.",
        Route::Call(
            "nodePools.setAutoscaling",
            |p| json!({"autoscaling": sub(p, &["autoscaling"])}),
        ),
    ),
    (
        "config.workloadMetadataConfig.",
        Route::Update("workloadMetadataConfig", |p| {
            sub(p, &["config", "workloadMetadataConfig"])
        }),
    ),
    (
        "config.kubeletConfig.",
        Route::Update("kubeletConfig", |p| sub(p, &["config", "kubeletConfig"])),
    ),
    (
        "networkConfig.enablePrivateNodes",
        Route::Update(
            "nodeNetworkConfig",
            |p| json!({"enablePrivateNodes": sub(p, &["networkConfig", "enablePrivateNodes"])}),
        ),
    ),
    (
        "config.imageType",
        Route::Update("imageType", |p| sub(p, &["config", "imageType"])),
    ),
    (
        "config.machineType",
        Route::Update("machineType", |p| sub(p, &["config", "machineType"])),
    ),
    (
        "config.diskType",
        Route::Update("diskType", |p| sub(p, &["config", "diskType"])),
    ),
    (
        "config.diskSizeGb",
        Route::Update("diskSizeGb", |p| sub(p, &["config", "diskSizeGb"])),
    ),
    (
        "upgradeSettings.",
        Route::Update("upgradeSettings", |p| sub(p, &["upgradeSettings"])),
    ),
];

/// The first route whose prefix covers `path` (a prefix ending in `.` covers what is under
/// it; any other covers the field itself and what is under it), with its index: the order.
fn route(routes: &[(&str, Route)], path: &str) -> Option<(usize, Route)> {
    routes.iter().enumerate().find_map(|(i, (prefix, r))| {
        let hit = if prefix.ends_with('.') {
            path.starts_with(prefix)
        } else {
            path == *prefix || path.starts_with(&format!("{prefix}."))
        };
        hit.then_some((i, *r))
    })
}

fn pool_by_name<'a>(cluster: &'a Value, name: &str) -> Option<&'a Value> {
    cluster
        .get("nodePools")?
        .as_array()?
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
}

/// The body of a `nodePools.update` setting `field` to `value`. `nodeVersion` and `imageType`
/// are required by the API: the pool's current version (so no upgrade rides along) and, unless
/// the image is what changes, its current image.
fn pool_update_body(field: &str, value: Value, desired: &Value, live: &Value) -> Value {
    let version = live
        .get("version")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .unwrap_or("-");
    let image = at(live, &["config", "imageType"])
        .cloned()
        .unwrap_or_else(|| sub(desired, &["config", "imageType"]));
    let mut body = json!({"nodeVersion": version, "imageType": image});
    body[field] = value;
    body
}

/// The differences between the desired and the live cluster, sorted by how each is changed.
#[derive(Default)]
struct Sorted {
    /// Cluster changes by route index: one call each, in route order.
    cluster: BTreeMap<usize, Vec<FieldChange>>,
    /// Set only at creation: needs a new cluster.
    new_cluster: Vec<FieldChange>,
    /// Pool changes by (pool, route index).
    pools: BTreeMap<(String, usize), Vec<FieldChange>>,
    /// Pool fields set only when a pool is created.
    new_pool: BTreeMap<String, Vec<FieldChange>>,
    /// Pools of the cluster file the live cluster does not have.
    missing_pools: Vec<String>,
    /// Fields no known call changes: reported, never dropped.
    unrouted: Vec<FieldChange>,
    /// Fields changed by hand, by remedy.
    manual: BTreeMap<&'static str, Vec<FieldChange>>,
}

fn sort_changes(desired: &Value, live: &Value, trace: &BTreeMap<String, String>) -> Sorted {
    let live_leaves = leaves(live);
    let because = |path: &str| {
        trace
            .get(path)
            .cloned()
            .unwrap_or_else(|| "cluster file".into())
    };
    let mut out = Sorted::default();
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
                if !out.missing_pools.contains(&pool.to_string()) {
                    out.missing_pools.push(pool.to_string());
                }
                continue;
            }
            match route(POOL_ROUTES, rest) {
                Some((_, Route::Ignore)) => {}
                // a pool field no call changes is set at creation
                Some((_, Route::Recreate | Route::Manual(_))) | None => out
                    .new_pool
                    .entry(pool.to_string())
                    .or_default()
                    .push(change),
                Some((order, _)) => out
                    .pools
                    .entry((pool.to_string(), order))
                    .or_default()
                    .push(change),
            }
            continue;
        }
        match route(CLUSTER_ROUTES, &path) {
            Some((_, Route::Ignore)) => {}
            Some((_, Route::Manual(remedy))) => out.manual.entry(remedy).or_default().push(change),
            None => out.unrouted.push(change),
            Some((_, Route::Recreate)) => out.new_cluster.push(change),
            Some((order, _)) => out.cluster.entry(order).or_default().push(change),
        }
    }
    out
}

/// The calls, in the order apply makes them: cluster calls in route order, then the pools
/// to create, then pool calls.
fn calls(
    desired: &Value,
    live: &Value,
    sorted: &mut Sorted,
    trace: &BTreeMap<String, String>,
) -> Vec<Step> {
    let name = desired.get("name").and_then(Value::as_str).unwrap_or("?");
    let mut out = Vec::new();
    for (order, fields) in std::mem::take(&mut sorted.cluster) {
        let (call, body) = match CLUSTER_ROUTES[order].1 {
            Route::Update(field, build) => (
                "clusters.update",
                json!({"update": {field: build(desired)}}),
            ),
            Route::Call(call, build) => (call, build(desired)),
            Route::Recreate | Route::Manual(_) | Route::Ignore => continue,
        };
        out.push(Step {
            call: call.into(),
            object: format!("Cluster/{name}"),
            body,
            fields,
        });
    }
    for pool in &sorted.missing_pools {
        if let Some(p) = pool_by_name(desired, pool) {
            out.push(Step {
                call: "nodePools.create".into(),
                object: format!("NodePool/{name}/{pool}"),
                body: json!({"nodePool": p}),
                fields: vec![FieldChange {
                    path: format!("nodePools[{pool}]"),
                    old: None,
                    new: Value::from("created"),
                    because: trace
                        .get(&format!("nodePools[{pool}].name"))
                        .cloned()
                        .unwrap_or_else(|| "cluster file".into()),
                }],
            });
        }
    }
    for ((pool, order), fields) in std::mem::take(&mut sorted.pools) {
        let (Some(d), Some(l)) = (pool_by_name(desired, &pool), pool_by_name(live, &pool)) else {
            continue;
        };
        let (call, body) = match POOL_ROUTES[order].1 {
            Route::Update(field, build) => {
                ("nodePools.update", pool_update_body(field, build(d), d, l))
            }
            Route::Call(call, build) => (call, build(d)),
            Route::Recreate | Route::Manual(_) | Route::Ignore => continue,
        };
        out.push(Step {
            call: call.into(),
            object: format!("NodePool/{name}/{pool}"),
            body,
            fields,
        });
    }
    out
}

/// What cannot change in place, each with its remedy.
fn blocked(desired: &Value, live: &Value, sorted: Sorted) -> Vec<Blocked> {
    let name = desired.get("name").and_then(Value::as_str).unwrap_or("?");
    let cluster_object = format!("Cluster/{name}");
    let mut out = Vec::new();
    if let Some(user) = at(live, &["masterAuth", "username"])
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        out.push(Blocked {
            object: cluster_object.clone(),
            remedy: format!("basic auth (user {user:?}) is on: upgrade the cluster past GKE 1.19, which removes it; Palisade never sends the deprecated masterAuth fields"),
            fields: Vec::new(),
        });
    }
    if !sorted.new_cluster.is_empty() {
        out.push(Blocked {
            object: cluster_object.clone(),
            remedy: "needs a new cluster (set only at creation)".into(),
            fields: sorted.new_cluster,
        });
    }
    for (remedy, fields) in sorted.manual {
        out.push(Blocked {
            object: cluster_object.clone(),
            remedy: remedy.to_string(),
            fields,
        });
    }
    if !sorted.unrouted.is_empty() {
        out.push(Blocked {
            object: cluster_object.clone(),
            remedy: "no GKE call Palisade knows changes these fields in place: change them with gcloud or the console, or recreate the cluster".into(),
            fields: sorted.unrouted,
        });
    }
    for (pool, fields) in sorted.new_pool {
        out.push(Blocked {
            object: format!("NodePool/{name}/{pool}"),
            remedy: "needs a new node pool (set only when a pool is created): create one beside it, move the workloads, delete the old pool".into(),
            fields,
        });
    }
    out
}

/// The steps from `live` to `desired` (both `Cluster` JSON with enum names). `trace` says what
/// wants each desired leaf.
pub fn diff(desired: &Value, live: &Value, trace: &BTreeMap<String, String>) -> Steps {
    if let Some(blocked) = other_kind(desired, live) {
        return Steps {
            steps: Vec::new(),
            blocked: vec![blocked],
            notes: Vec::new(),
        };
    }
    let shown = autopilot_shown(live);
    let live = shown.as_ref().unwrap_or(live);
    let mut sorted = sort_changes(desired, live, trace);
    let steps = calls(desired, live, &mut sorted, trace);
    let blocked = blocked(desired, live, sorted);
    let mut notes = Vec::new();
    let autopilot = at(live, &["autopilot", "enabled"]) == Some(&Value::Bool(true));
    if let Some(pools) = live.get("nodePools").and_then(Value::as_array) {
        if autopilot && !pools.is_empty() {
            let names: Vec<&str> = pools
                .iter()
                .map(|p| p.get("name").and_then(Value::as_str).unwrap_or("?"))
                .collect();
            notes.push(format!(
                "node pools {} are Autopilot's own: GKE makes and changes them from the cluster's auto-provisioning settings",
                names.join(", ")
            ));
        }
        for p in pools.iter().filter(|_| !autopilot) {
            let pool = p.get("name").and_then(Value::as_str).unwrap_or("?");
            if pool_by_name(desired, pool).is_none() {
                notes.push(format!(
                    "node pool {pool} is not in the cluster file: Palisade leaves it alone (it is not deleted, and its findings stay in the audit)"
                ));
            }
        }
    }
    Steps {
        steps,
        blocked,
        notes,
    }
}

/// A live Autopilot cluster with what Autopilot always runs and the API may not show filled in
/// (Dataplane V2: real Autopilot clusters are read without `networkConfig.datapathProvider`,
/// tests/fixtures/gke-captures), so plan does not ask for a new cluster to get it.
fn autopilot_shown(live: &Value) -> Option<Value> {
    let path = ["networkConfig", "datapathProvider"];
    if at(live, &["autopilot", "enabled"]) != Some(&Value::Bool(true)) || at(live, &path).is_some()
    {
        return None;
    }
    let mut filled = live.clone();
    crate::gke::view::set(&mut filled, &path, Value::from("ADVANCED_DATAPATH"));
    Some(filled)
}

/// A Standard cluster file against a live Autopilot cluster, or the other way round: no call
/// turns one kind into the other, and the calls of one kind are refused by the other, so the
/// plan is that one blocked change and nothing else.
fn other_kind(desired: &Value, live: &Value) -> Option<Blocked> {
    let autopilot = |c: &Value| at(c, &["autopilot", "enabled"]) == Some(&Value::Bool(true));
    let (want, have) = (autopilot(desired), autopilot(live));
    if want == have {
        return None;
    }
    let name = desired.get("name").and_then(Value::as_str).unwrap_or("?");
    let kind = |a: bool| if a { "an Autopilot" } else { "a Standard" };
    Some(Blocked {
        object: format!("Cluster/{name}"),
        remedy: format!(
            "needs a new cluster: the cluster file asks for {} cluster and the live one is {} cluster (gke.mode); no call turns one kind into the other, so no other change is planned",
            kind(want),
            kind(have)
        ),
        fields: vec![FieldChange {
            path: "autopilot.enabled".into(),
            old: Some(Value::Bool(have)),
            new: Value::Bool(want),
            because: "gke.mode".into(),
        }],
    })
}

/// How a `Cluster` field (a control's GKE field: `nodePools[].` for every pool) is changed on a
/// live cluster: the call, "needs a new cluster / node pool", or `None` when nothing changes it.
pub fn how_changed(field: &str) -> Option<String> {
    let (routes, path, update, recreate) = match field.strip_prefix("nodePools[].") {
        Some(rest) => (
            POOL_ROUTES,
            rest,
            "nodePools.update",
            "needs a new node pool",
        ),
        None => (
            CLUSTER_ROUTES,
            field,
            "clusters.update",
            "needs a new cluster",
        ),
    };
    // a field naming a whole message is routed by the routes of what is under it
    let found = route(routes, path).or_else(|| route(routes, &format!("{path}.")));
    match found {
        Some((_, Route::Update(desired, _))) => Some(format!("{update} {desired}")),
        Some((_, Route::Manual(remedy))) => Some(remedy.to_string()),
        Some((_, Route::Call(call, _))) => Some(call.to_string()),
        Some((_, Route::Recreate)) => Some(recreate.to_string()),
        // a pool field no call changes is set at creation (see `diff`)
        None if update == "nodePools.update" => Some(recreate.to_string()),
        Some((_, Route::Ignore)) | None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gke_field_a_control_sets_has_a_route() {
        let mut checked = 0;
        let mut missing = Vec::new();
        for c in crate::controls::all() {
            for field in c.gke.map(|g| g.fields()).unwrap_or(&[]) {
                checked += 1;
                if how_changed(field).is_none() {
                    missing.push(format!("{}: {field}", c.id));
                }
            }
        }
        assert!(checked > 25, "only {checked} fields");
        assert!(missing.is_empty(), "no route: {missing:?}");
    }

    #[test]
    fn a_cluster_field_without_a_route_is_reported_not_dropped() {
        assert_eq!(how_changed("notAFieldAnyCallChanges"), None);
        let desired = json!({"name": "c", "notAFieldAnyCallChanges": true});
        let live = json!({"name": "c"});
        let steps = diff(&desired, &live, &BTreeMap::new());
        assert!(steps.steps.is_empty());
        assert_eq!(steps.blocked.len(), 1, "{:?}", steps.blocked);
        assert_eq!(steps.blocked[0].fields[0].path, "notAFieldAnyCallChanges");
        assert!(steps.blocked[0].remedy.contains("no GKE call"));
    }

    #[test]
    fn routes_name_the_call() {
        assert_eq!(
            how_changed("legacyAbac.enabled").as_deref(),
            Some("clusters.setLegacyAbac")
        );
        assert_eq!(
            how_changed("ipAllocationPolicy.useIpAliases").as_deref(),
            Some("needs a new cluster")
        );
        assert!(
            how_changed("nodePools[].config.shieldedInstanceConfig.enableSecureBoot").is_some()
        );
    }
}
