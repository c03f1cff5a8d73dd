//! A fake of the container v1 REST API on loopback, for the GKE tests. It checks every request
//! body against the discovery facts the way GKE would see it from the Rust client (enums as
//! proto numbers, no deprecated or output-only field, no unknown field), keeps clusters in
//! memory, runs each mutating call as an Operation that is DONE after a few polls (or fails,
//! when told to), and refuses a second mutating call on a cluster while one is running, as GKE
//! does. Responses carry enums as numbers, as GKE answers `$alt=json;enum-encoding=int`.

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use palisade::gke::discovery::{convert_enums, validate, Enums, Rules};
use serde_json::{json, Value};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// `clusters.update desiredShieldedNodes`, `clusters.setLegacyAbac`, `nodePools.update`, …
    pub call: String,
    pub body: Value,
}

struct Op {
    cluster: String,
    call: String,
    polls_left: u32,
    fail: Option<String>,
    /// The cluster as it will be when the operation succeeds.
    result: Value,
    done: bool,
}

#[derive(Default)]
struct State {
    clusters: BTreeMap<String, Value>,
    ops: BTreeMap<String, Op>,
    next_op: u32,
    seen: Vec<Seen>,
    rejected: Vec<String>,
    /// A call (as in `Seen::call`, prefix match) whose operation fails.
    fail_call: Option<String>,
    polls: u32,
}

#[derive(Clone)]
pub struct FakeGke {
    pub url: String,
    state: Arc<Mutex<State>>,
    /// The Kubernetes API of the clusters it creates (one, for the tests).
    pub kube: super::kube_fake::FakeKube,
}

fn status_name(code: u16) -> &'static str {
    match code {
        400 => "INVALID_ARGUMENT",
        404 => "NOT_FOUND",
        409 => "ALREADY_EXISTS",
        412 => "FAILED_PRECONDITION",
        _ => "INTERNAL",
    }
}

fn error(code: u16, message: &str) -> (u16, Value) {
    (
        code,
        json!({"error": {"code": code, "message": message, "status": status_name(code)}}),
    )
}

impl FakeGke {
    pub fn start() -> FakeGke {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let state = Arc::new(Mutex::new(State {
            polls: 3,
            ..State::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let s = shared.clone();
                std::thread::spawn(move || serve(stream, s));
            }
        });
        // the clusters it creates run 1.33 (see `created`)
        let kube = super::kube_fake::FakeKube::start(&super::python(), 33);
        FakeGke { url, state, kube }
    }

    /// `palisade` pointed at this fake and its Kubernetes API, run from the project's root.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"));
        cmd.current_dir(super::root())
            .env("NO_COLOR", "1")
            .env("PALISADE_GKE_ENDPOINT", &self.url)
            .env("PALISADE_GKE_POLL_MS", "2")
            .env("PALISADE_KUBE_ENDPOINT", &self.kube.url)
            .env("PALISADE_KUBE_TOKEN", &self.kube.token);
        cmd
    }

    /// `palisade ARGS` against this fake.
    pub fn run(&self, args: &[&str]) -> std::process::Output {
        self.command().args(args).output().expect("run palisade")
    }

    /// Stores a cluster as `gcloud describe` prints it (enum names), e.g. a fixture.
    pub fn put_cluster(&self, parent: &str, cluster: Value) {
        let name = cluster["name"].as_str().expect("cluster name").to_string();
        self.state
            .lock()
            .expect("lock")
            .clusters
            .insert(format!("{parent}/clusters/{name}"), cluster);
    }

    pub fn cluster(&self, name: &str) -> Option<Value> {
        self.state.lock().expect("lock").clusters.get(name).cloned()
    }

    /// Every mutating call received, in order.
    pub fn calls(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter(|s| s.method != "GET")
            .map(|s| s.call)
            .collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().expect("lock").seen.clone()
    }

    /// Requests the fake refused as invalid input.
    pub fn rejected(&self) -> Vec<String> {
        self.state.lock().expect("lock").rejected.clone()
    }

    pub fn fail_call(&self, call: &str) {
        self.state.lock().expect("lock").fail_call = Some(call.to_string());
    }
}

fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    super::http::serve_json(stream, |r| handle(&state, &r.method, &r.target, &r.body));
}

/// (request schema, call name) of a mutating route, from the method and the path's tail.
fn route(method: &str, rest: &[&str]) -> Option<(&'static str, &'static str)> {
    let last = rest.last().copied().unwrap_or("");
    let verb = last.split_once(':').map(|(_, v)| v);
    let pool = rest.len() >= 2 && rest[rest.len() - 2] == "nodePools";
    Some(match (method, verb, pool, last) {
        ("POST", None, _, "clusters") => ("CreateClusterRequest", "clusters.create"),
        ("PUT", None, false, _) => ("UpdateClusterRequest", "clusters.update"),
        ("POST", Some("setLegacyAbac"), _, _) => ("SetLegacyAbacRequest", "clusters.setLegacyAbac"),
        ("POST", Some("setAddons"), _, _) => ("SetAddonsConfigRequest", "clusters.setAddons"),
        ("POST", Some("setNetworkPolicy"), _, _) => {
            ("SetNetworkPolicyRequest", "clusters.setNetworkPolicy")
        }
        ("POST", None, _, "nodePools") => ("CreateNodePoolRequest", "nodePools.create"),
        ("PUT", None, true, _) => ("UpdateNodePoolRequest", "nodePools.update"),
        ("POST", Some("setManagement"), true, _) => {
            ("SetNodePoolManagementRequest", "nodePools.setManagement")
        }
        ("POST", Some("setAutoscaling"), true, _) => {
            ("SetNodePoolAutoscalingRequest", "nodePools.setAutoscaling")
        }
        _ => return None,
    })
}

fn handle(state: &Arc<Mutex<State>>, method: &str, target: &str, raw: &[u8]) -> (u16, Value) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(path) = path.strip_prefix("/v1/") else {
        return error(404, "not a v1 path");
    };
    let mut st = state.lock().expect("lock");
    if !query.contains("enum-encoding%3Dint") && !query.contains("enum-encoding=int") {
        st.rejected.push(format!(
            "{method} {path}: no enum-encoding=int in {query:?}"
        ));
        return error(400, "expected $alt=json;enum-encoding=int");
    }
    let body: Value = if raw.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(raw) {
            Ok(v) => v,
            Err(e) => {
                st.rejected
                    .push(format!("{method} {path}: body is not JSON: {e}"));
                return error(400, "body is not JSON");
            }
        }
    };
    let segments: Vec<&str> = path.split('/').collect();
    if method == "GET" {
        st.seen.push(Seen {
            method: method.into(),
            path: path.into(),
            call: "get".into(),
            body: body.clone(),
        });
        return get(&mut st, path, &segments);
    }
    let routed = if segments.len() > 4 {
        route(method, &segments[4..])
    } else {
        None
    };
    let Some((schema, call)) = routed else {
        st.rejected
            .push(format!("{method} {path}: no such route in the fake"));
        return error(404, "no such route");
    };
    let issues = validate(
        schema,
        &body,
        Rules {
            enums: Enums::Numbers,
            request: true,
        },
    );
    let mut label = call.to_string();
    if call == "clusters.update" {
        let desired: Vec<String> = body["update"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if desired.len() != 1 {
            st.rejected.push(format!(
                "{method} {path}: clusters.update with {} desired fields (send one per call)",
                desired.len()
            ));
            return error(400, "one desired field per update");
        }
        label = format!("clusters.update {}", desired[0]);
    }
    st.seen.push(Seen {
        method: method.into(),
        path: path.into(),
        call: label.clone(),
        body: body.clone(),
    });
    if !issues.is_empty() {
        let text: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
        st.rejected.push(format!("{label}: {}", text.join("; ")));
        return error(400, &text.join("; "));
    }
    // the body in names, as the server model sees it
    let mut named = body.clone();
    convert_enums(schema, &mut named, Enums::Names);
    let cluster_name = if call == "clusters.create" {
        format!(
            "{}/clusters/{}",
            path.trim_end_matches("/clusters"),
            named["cluster"]["name"].as_str().unwrap_or("")
        )
    } else {
        segments[..6]
            .join("/")
            .split(':')
            .next()
            .unwrap_or("")
            .to_string()
    };
    if st
        .ops
        .values()
        .any(|o| o.cluster == cluster_name && !o.done)
    {
        return error(412, "Cluster is running incompatible operation");
    }
    let current = st.clusters.get(&cluster_name).cloned();
    let autopilot_refusal = match (call, &current) {
        ("clusters.create", None) => autopilot_create(&cluster_name, &named["cluster"]),
        (_, Some(c)) => autopilot_call(&label, &named, c),
        _ => None,
    };
    if let Some(why) = autopilot_refusal {
        st.rejected.push(format!("{label}: {why}"));
        return error(400, &why);
    }
    let result = match (call, current) {
        ("clusters.create", Some(_)) => return error(409, "Already exists"),
        ("clusters.create", None) => created(&named["cluster"]),
        (_, None) => return error(404, "Not found: cluster"),
        (_, Some(c)) => {
            let pool = segments.get(7).map(|p| p.split(':').next().unwrap_or(""));
            match mutate(call, &named, c, pool) {
                Ok(v) => v,
                Err(why) => return error(412, &why),
            }
        }
    };
    st.next_op += 1;
    let id = format!("operation-{}", st.next_op);
    let fail = st
        .fail_call
        .as_deref()
        .filter(|f| label.starts_with(f))
        .map(|_| format!("{label} failed on the fake's orders"));
    let polls = st.polls;
    if call == "clusters.create" {
        // GKE lists a cluster being created as PROVISIONING
        let mut provisioning = result.clone();
        provisioning["status"] = json!("PROVISIONING");
        st.clusters.insert(cluster_name.clone(), provisioning);
    }
    st.ops.insert(
        id.clone(),
        Op {
            cluster: cluster_name,
            call: label,
            polls_left: polls,
            fail,
            result,
            done: false,
        },
    );
    (200, operation(&id, "RUNNING", None))
}

fn operation(id: &str, status: &str, error: Option<&str>) -> Value {
    let mut op = json!({"name": id, "status": status, "operationType": "UPDATE_CLUSTER"});
    if let Some(e) = error {
        op["error"] = json!({"code": 9, "message": e});
    }
    convert_enums("Operation", &mut op, Enums::Numbers);
    op
}

fn get(st: &mut State, path: &str, segments: &[&str]) -> (u16, Value) {
    if segments.len() == 6 && segments[4] == "operations" {
        let Some(op) = st.ops.get_mut(segments[5]) else {
            return error(404, "no such operation");
        };
        if op.polls_left > 0 {
            op.polls_left -= 1;
            return (200, operation(segments[5], "RUNNING", None));
        }
        let first_time = !op.done;
        op.done = true;
        let (cluster, result, fail) = (op.cluster.clone(), op.result.clone(), op.fail.clone());
        if first_time && fail.is_none() {
            st.clusters.insert(cluster, result);
        } else if first_time
            && st
                .clusters
                .get(&cluster)
                .is_some_and(|c| c["status"] == "PROVISIONING")
        {
            let mut c = st.clusters[&cluster].clone();
            c["status"] = json!("ERROR");
            st.clusters.insert(cluster, c);
        }
        return (200, operation(segments[5], "DONE", fail.as_deref()));
    }
    if segments.len() == 6 && segments[4] == "clusters" {
        return match st.clusters.get(path) {
            Some(c) => {
                let mut v = c.clone();
                convert_enums("Cluster", &mut v, Enums::Numbers);
                (200, v)
            }
            None => error(404, &format!("Not found: {path}")),
        };
    }
    error(404, "no such resource")
}

/// What GKE adds to a new cluster: output-only fields and the defaults that matter here.
/// What GKE refuses in an Autopilot create, with the messages it gives where they are public:
/// a zonal location ("Autopilot clusters must be regional clusters."), Standard's kubelet
/// defaults (the error GoogleCloudPlatform/ai-on-gke#820 shows), and the network-policy
/// add-on, Calico or a datapath other than Dataplane V2 (fields terraform-provider-google marks
/// as conflicting with enable_autopilot; Autopilot enforces NetworkPolicy with Dataplane V2).
fn autopilot_create(name: &str, cluster: &Value) -> Option<String> {
    if cluster["autopilot"]["enabled"] != json!(true) {
        return None;
    }
    let location = name.split('/').nth(3).unwrap_or("");
    if location.split('-').count() == 3 {
        return Some("Autopilot clusters must be regional clusters.".into());
    }
    if !cluster["nodePoolDefaults"]["nodeConfigDefaults"]["nodeKubeletConfig"].is_null() {
        return Some("Setting node_pool_defaults.node_config_defaults.node_kubelet_config is not allowed on GKE Autopilot clusters.".into());
    }
    if !cluster["networkPolicy"].is_null()
        || !cluster["addonsConfig"]["networkPolicyConfig"].is_null()
    {
        return Some("Network policy and the network policy add-on cannot be configured on Autopilot clusters.".into());
    }
    match cluster["networkConfig"]["datapathProvider"].as_str() {
        None | Some("ADVANCED_DATAPATH") => {}
        Some(other) => {
            return Some(format!(
                "Autopilot clusters use ADVANCED_DATAPATH, not {other}."
            ))
        }
    }
    None
}

/// What GKE refuses on a running Autopilot cluster: any change to its node pools ("Autopilot
/// node pools cannot be accessed or modified.", turbot/steampipe-plugin-gcp#585), Standard's
/// kubelet defaults, the network-policy add-on.
fn autopilot_call(label: &str, body: &Value, cluster: &Value) -> Option<String> {
    if cluster["autopilot"]["enabled"] != json!(true) {
        return None;
    }
    if label.starts_with("nodePools.") {
        return Some("Autopilot node pools cannot be accessed or modified.".into());
    }
    match label {
        "clusters.update desiredNodeKubeletConfig" => Some("Setting node_pool_defaults.node_config_defaults.node_kubelet_config is not allowed on GKE Autopilot clusters.".into()),
        "clusters.setNetworkPolicy" => Some("Network policy cannot be configured on Autopilot clusters.".into()),
        "clusters.setAddons" | "clusters.update desiredAddonsConfig"
            if !body["addonsConfig"]["networkPolicyConfig"].is_null()
                || !body["update"]["desiredAddonsConfig"]["networkPolicyConfig"].is_null() =>
        {
            Some("The network policy add-on cannot be configured on Autopilot clusters.".into())
        }
        _ => None,
    }
}

/// An Autopilot cluster as GKE shows it once made: node auto-provisioning on with its limits,
/// Dataplane V2, intranode visibility, Shielded nodes, Workload Identity, and a pool of its own
/// whose nodes carry the auto-provisioning defaults (as tests/fixtures/gke-captures shows).
fn autopilot_made(c: &mut Value) {
    let project = c["network"]
        .as_str()
        .and_then(|n| n.split('/').nth(1))
        .unwrap_or("p")
        .to_string();
    c["autoscaling"]["enableNodeAutoprovisioning"] = json!(true);
    c["autoscaling"]["resourceLimits"] = json!([
        {"resourceType": "cpu", "maximum": "1000000000"},
        {"resourceType": "memory", "maximum": "1000000000"},
    ]);
    c["autoscaling"]["autoscalingProfile"] = json!("OPTIMIZE_UTILIZATION");
    let defaults = c["autoscaling"]["autoprovisioningNodePoolDefaults"].clone();
    for (k, v) in [
        ("imageType", json!("COS_CONTAINERD")),
        (
            "management",
            json!({"autoUpgrade": true, "autoRepair": true}),
        ),
        ("upgradeSettings", json!({"maxSurge": 1})),
    ] {
        if c["autoscaling"]["autoprovisioningNodePoolDefaults"][k].is_null() {
            c["autoscaling"]["autoprovisioningNodePoolDefaults"][k] = v;
        }
    }
    c["networkConfig"]["datapathProvider"] = json!("ADVANCED_DATAPATH");
    c["networkConfig"]["enableIntraNodeVisibility"] = json!(true);
    c["shieldedNodes"] = json!({"enabled": true});
    if c["workloadIdentityConfig"].is_null() {
        c["workloadIdentityConfig"] = json!({"workloadPool": format!("{project}.svc.id.goog")});
    }
    c["verticalPodAutoscaling"] = json!({"enabled": true});
    let mut config = json!({
        "machineType": "e2-medium",
        "imageType": "COS_CONTAINERD",
        "serviceAccount": defaults.get("serviceAccount").cloned().unwrap_or(json!("default")),
        "oauthScopes": defaults.get("oauthScopes").cloned().unwrap_or(json!([])),
        "workloadMetadataConfig": {"mode": "GKE_METADATA"},
        "shieldedInstanceConfig": {"enableSecureBoot": true, "enableIntegrityMonitoring": true},
    });
    if let Some(port) =
        c["nodePoolAutoConfig"]["nodeKubeletConfig"].get("insecureKubeletReadonlyPortEnabled")
    {
        config["kubeletConfig"] = json!({"insecureKubeletReadonlyPortEnabled": port});
    }
    c["nodePools"] = json!([{
        "name": "default-pool",
        "config": config,
        "initialNodeCount": 1,
        "autoscaling": {"enabled": true, "maxNodeCount": 1000, "autoprovisioned": true},
        "management": {"autoUpgrade": true, "autoRepair": true},
        "maxPodsConstraint": {"maxPodsPerNode": "32"},
        "upgradeSettings": {"maxSurge": 1},
    }]);
}

fn created(request: &Value) -> Value {
    let mut c = request.clone();
    if c["autopilot"]["enabled"] == json!(true) {
        autopilot_made(&mut c);
    }
    c["status"] = json!("RUNNING");
    c["currentMasterVersion"] = json!("1.33.5-gke.1201000");
    c["endpoint"] = json!("10.0.0.2");
    if c["controlPlaneEndpointsConfig"]["dnsEndpointConfig"].is_object() {
        c["controlPlaneEndpointsConfig"]["dnsEndpointConfig"]["endpoint"] =
            json!("gke-0123456789abcdef-123456789012.europe-west1.gke.goog");
    }
    if let Some(pools) = c["nodePools"].as_array_mut() {
        for p in pools {
            p["status"] = json!("RUNNING");
            p["version"] = json!("1.33.5-gke.1201000");
        }
    }
    c
}

fn pool_mut<'a>(c: &'a mut Value, name: &str) -> Result<&'a mut Value, String> {
    c["nodePools"]
        .as_array_mut()
        .and_then(|l| l.iter_mut().find(|p| p["name"] == name))
        .ok_or_else(|| format!("Not found: node pool {name}"))
}

/// A message field given in a request replaces the stored one (proto3 JSON drops false and 0,
/// so `{"disabled": false}` arrives as `{}`: merging would keep the old `true`).
fn replace_keys(target: &mut Value, patch: &Value) {
    if !target.is_object() {
        *target = json!({});
    }
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            t.insert(k.clone(), v.clone());
        }
    }
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// The cluster after a mutating call; `Err` is a precondition GKE would refuse.
fn mutate(call: &str, body: &Value, mut c: Value, pool: Option<&str>) -> Result<Value, String> {
    match call {
        "clusters.update" => {
            let (field, value) = body["update"]
                .as_object()
                .and_then(|m| m.iter().next())
                .ok_or("empty update")?;
            let target: &[&str] = match field.as_str() {
                "desiredControlPlaneEndpointsConfig" => &["controlPlaneEndpointsConfig"],
                "desiredDefaultEnablePrivateNodes" => {
                    &["networkConfig", "defaultEnablePrivateNodes"]
                }
                "desiredIntraNodeVisibilityConfig" => {
                    c["networkConfig"]["enableIntraNodeVisibility"] = value["enabled"].clone();
                    return Ok(c);
                }
                "desiredShieldedNodes" => &["shieldedNodes"],
                "desiredWorkloadIdentityConfig" => &["workloadIdentityConfig"],
                "desiredDatabaseEncryption" => &["databaseEncryption"],
                "desiredReleaseChannel" => &["releaseChannel"],
                "desiredLoggingConfig" => &["loggingConfig"],
                "desiredBinaryAuthorization" => &["binaryAuthorization"],
                "desiredSecurityPostureConfig" => &["securityPostureConfig"],
                "desiredAnonymousAuthenticationConfig" => &["anonymousAuthenticationConfig"],
                "desiredRbacBindingConfig" => &["rbacBindingConfig"],
                "desiredNodeKubeletConfig" => &[
                    "nodePoolDefaults",
                    "nodeConfigDefaults",
                    "nodeKubeletConfig",
                ],
                "desiredAddonsConfig" => &["addonsConfig"],
                "desiredNodePoolAutoConfigKubeletConfig" => {
                    c["nodePoolAutoConfig"]["nodeKubeletConfig"] = value.clone();
                    // GKE rolls the change out to the nodes it made
                    if let Some(pools) = c["nodePools"].as_array_mut() {
                        for p in pools {
                            p["config"]["kubeletConfig"] = value.clone();
                        }
                    }
                    return Ok(c);
                }
                other => return Err(format!("the fake does not model {other}")),
            };
            let mut node = &mut c;
            for k in target {
                node = &mut node[*k];
            }
            if field == "desiredAddonsConfig" {
                replace_keys(node, value);
            } else {
                *node = value.clone();
            }
        }
        "clusters.setLegacyAbac" => {
            c["legacyAbac"] = json!({"enabled": body["enabled"].as_bool().unwrap_or(false)});
        }
        "clusters.setAddons" => replace_keys(&mut c["addonsConfig"], &body["addonsConfig"]),
        "clusters.setNetworkPolicy" => {
            let enabling = body["networkPolicy"]["enabled"].as_bool().unwrap_or(false);
            if enabling && c["addonsConfig"]["networkPolicyConfig"]["disabled"] == json!(true) {
                return Err(
                    "Network policy add-on must be enabled before enabling network policy".into(),
                );
            }
            c["networkPolicy"] = body["networkPolicy"].clone();
        }
        "nodePools.create" => {
            let mut p = body["nodePool"].clone();
            p["status"] = json!("RUNNING");
            p["version"] = c["currentMasterVersion"].clone();
            c["nodePools"].as_array_mut().ok_or("no pools")?.push(p);
        }
        "nodePools.update" => {
            let p = pool_mut(&mut c, pool.ok_or("no pool")?)?;
            if body.get("nodeVersion").is_none() || body.get("imageType").is_none() {
                return Err("nodeVersion and imageType are required".into());
            }
            p["config"]["imageType"] = body["imageType"].clone();
            for (field, target) in [
                ("workloadMetadataConfig", "workloadMetadataConfig"),
                ("kubeletConfig", "kubeletConfig"),
                ("machineType", "machineType"),
                ("diskType", "diskType"),
                ("diskSizeGb", "diskSizeGb"),
            ] {
                if let Some(v) = body.get(field) {
                    merge(&mut p["config"][target], v);
                }
            }
            if let Some(v) = body.get("nodeNetworkConfig") {
                merge(&mut p["networkConfig"], v);
            }
            if let Some(v) = body.get("upgradeSettings") {
                merge(&mut p["upgradeSettings"], v);
            }
        }
        "nodePools.setManagement" => {
            let p = pool_mut(&mut c, pool.ok_or("no pool")?)?;
            p["management"] = body["management"].clone();
        }
        "nodePools.setAutoscaling" => {
            let p = pool_mut(&mut c, pool.ok_or("no pool")?)?;
            p["autoscaling"] = body["autoscaling"].clone();
        }
        other => return Err(format!("the fake does not model {other}")),
    }
    Ok(c)
}
