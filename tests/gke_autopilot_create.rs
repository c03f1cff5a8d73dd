//! Creating and keeping an Autopilot cluster: the example renders a request with no node pools
//! and the auto-provisioned nodes' settings where Autopilot reads them; plan → apply → plan
//! against the fake container API (which refuses what GKE refuses on Autopilot) reaches no
//! changes; a weakened Autopilot cluster gets the calls Autopilot takes and is told what cannot
//! change in place; what an Autopilot cluster file cannot say is refused at its line.

mod common;

use std::process::Output;

use common::gke_fake::FakeGke;
use common::{palisade, root, text, write};
use serde_json::{json, Value};

const EXAMPLE: &str = "examples/gke-autopilot.yaml";
const PARENT: &str = "projects/acme-storefront-prod/locations/us-central1";
const CLUSTER: &str =
    "projects/acme-storefront-prod/locations/us-central1/clusters/storefront-prod";

fn against(fake: &FakeGke, args: &[&str]) -> Output {
    fake.run(args)
}

fn both(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

fn rendered(file: &str) -> Value {
    let out = palisade(&["render", "-f", file, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("render prints JSON")
}

/// The plan's RPC steps as `call` or `clusters.update desiredX`.
fn calls(plan: &Value) -> Vec<String> {
    plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|s| s["via"]["kind"] == "rpc")
        .map(|s| {
            let call = s["via"]["call"].as_str().unwrap_or("").to_string();
            match s["via"]["body"]["update"].as_object() {
                Some(u) if call == "clusters.update" => {
                    format!("{call} {}", u.keys().next().cloned().unwrap_or_default())
                }
                _ => call,
            }
        })
        .collect()
}

#[test]
fn the_autopilot_request_sets_what_autopilot_reads_and_nothing_it_refuses() {
    let request = rendered(EXAMPLE);
    let c = &request["cluster"];
    assert_eq!(c["autopilot"], json!({"enabled": true}));
    assert!(c.get("nodePools").is_none(), "{c:#}");
    let defaults = &c["autoscaling"]["autoprovisioningNodePoolDefaults"];
    assert_eq!(
        defaults["serviceAccount"],
        json!("gke-nodes@acme-storefront-prod.iam.gserviceaccount.com")
    );
    assert_eq!(
        defaults["oauthScopes"],
        json!(["https://www.googleapis.com/auth/cloud-platform"])
    );
    assert_eq!(
        c["nodePoolAutoConfig"]["nodeKubeletConfig"]["insecureKubeletReadonlyPortEnabled"],
        json!(false)
    );
    assert_eq!(
        c["networkConfig"]["datapathProvider"],
        json!("ADVANCED_DATAPATH")
    );
    assert_eq!(c["networkConfig"]["defaultEnablePrivateNodes"], json!(true));
    assert_eq!(c["databaseEncryption"]["state"], json!("ENCRYPTED"));
    assert_eq!(
        c["binaryAuthorization"]["evaluationMode"],
        json!("PROJECT_SINGLETON_POLICY_ENFORCE")
    );
    // what GKE refuses on Autopilot is not sent
    for absent in [
        "nodePoolDefaults",
        "networkPolicy",
        "addonsConfig",
        "shieldedNodes",
    ] {
        assert!(c.get(absent).is_none(), "{absent} sent: {c:#}");
    }
    assert!(
        c["networkConfig"]
            .get("enableIntraNodeVisibility")
            .is_none(),
        "{c:#}"
    );
    // the request judged as audit judges a cluster: every pool-level control on the
    // auto-provisioned nodes, passing on the fields that govern them
    let path = std::env::temp_dir().join(format!("palisade-ap-{}.json", std::process::id()));
    std::fs::write(&path, c.to_string()).expect("write");
    let out = palisade(&[
        "audit",
        "--gke-json",
        &path.display().to_string(),
        "--profile",
        "strict",
        "-o",
        "json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    let auto: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["object"] == "Cluster/storefront-prod/autoprovisioning")
        .map(|f| {
            (
                f["control"].as_str().unwrap_or("").to_string(),
                f["verdict"].as_str().unwrap_or("").to_string(),
                f["path"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (control, path) in [
        (
            "node-service-account",
            "autoscaling.autoprovisioningNodePoolDefaults.serviceAccount",
        ),
        (
            "kubelet-read-only-port",
            "nodePoolAutoConfig.nodeKubeletConfig.insecureKubeletReadonlyPortEnabled",
        ),
    ] {
        assert!(
            auto.contains(&(control.into(), "pass".into(), path.into())),
            "{control} at {path}: {auto:?}"
        );
    }
    assert!(auto.iter().all(|(_, v, _)| v == "pass"), "{auto:?}");
}

#[test]
fn plan_apply_plan_on_autopilot_reaches_no_changes() {
    let fake = FakeGke::start();
    let plan = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", both(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).expect("plan");
    assert_eq!(calls(&plan), ["clusters.create"], "{plan:#}");

    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    assert_eq!(fake.rejected(), Vec::<String>::new());
    assert_eq!(fake.calls(), ["clusters.create"]);
    // GKE made the cluster its Autopilot way: a pool of its own, Dataplane V2
    let live = fake.cluster(CLUSTER).expect("created");
    assert_eq!(live["nodePools"][0]["name"], json!("default-pool"));
    assert_eq!(
        live["networkConfig"]["datapathProvider"],
        json!("ADVANCED_DATAPATH")
    );
    // the guardrails went to the cluster's Kubernetes API like on Standard
    assert!(fake.kube.object("/api/v1/namespaces/storefront").is_some());
    assert_eq!(fake.kube.rejected(), Vec::<String>::new());

    let again = against(&fake, &["plan", "-f", EXAMPLE, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
    let shown = text(&again.stdout);
    assert!(shown.contains("Plan: no changes."), "{}", both(&again));
    // Autopilot's own pool is named as Autopilot's, not as one the cluster file forgot
    assert!(
        shown.contains("node pools default-pool are Autopilot's own"),
        "{shown}"
    );
    assert!(!shown.contains("is not in the cluster file"), "{shown}");

    let audit = against(&fake, &["audit", "--gke", CLUSTER, "--profile", "strict"]);
    assert_eq!(audit.status.code(), Some(0), "{}", both(&audit));
}

#[test]
fn a_weakened_autopilot_cluster_gets_the_calls_autopilot_takes() {
    let fake = FakeGke::start();
    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    // as a cluster made by hand would be: the default compute account, the port left to
    // GKE's default
    let mut live = fake.cluster(CLUSTER).expect("created");
    live["autoscaling"]["autoprovisioningNodePoolDefaults"]["serviceAccount"] = json!("default");
    live.as_object_mut()
        .expect("cluster")
        .remove("nodePoolAutoConfig");
    live["nodePools"][0]["config"]
        .as_object_mut()
        .expect("config")
        .remove("kubeletConfig");
    fake.put_cluster(PARENT, live);

    let plan = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", both(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).expect("plan");
    assert_eq!(
        calls(&plan),
        ["clusters.update desiredNodePoolAutoConfigKubeletConfig"],
        "{plan:#}"
    );
    let blocked = plan["cannot_change_in_place"].to_string();
    assert!(
        blocked.contains("autoscaling.autoprovisioningNodePoolDefaults.serviceAccount")
            && blocked.contains("set when the cluster is created"),
        "{blocked}"
    );

    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    assert_eq!(fake.rejected(), Vec::<String>::new());
    let live = fake.cluster(CLUSTER).expect("cluster");
    assert_eq!(
        live["nodePools"][0]["config"]["kubeletConfig"]["insecureKubeletReadonlyPortEnabled"],
        json!(false),
        "GKE rolls the port change out to its pool"
    );
    let again = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    let again: Value = serde_json::from_slice(&again.stdout).expect("plan");
    assert_eq!(again["changes"], json!([]), "{again:#}");
    assert_eq!(
        again["cannot_change_in_place"],
        plan["cannot_change_in_place"]
    );
}

#[test]
fn what_autopilot_fixes_is_not_planned_and_a_standard_file_gets_only_a_new_cluster() {
    let fake = FakeGke::start();
    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    // the API showing none of what Autopilot fixes, on the cluster or on its own pool
    let mut live = fake.cluster(CLUSTER).expect("created");
    let obj = live.as_object_mut().expect("cluster");
    obj.remove("shieldedNodes");
    let network = obj["networkConfig"].as_object_mut().expect("networkConfig");
    network.remove("enableIntraNodeVisibility");
    // as the real Autopilot captures read: Dataplane V2 runs, the field is not shown
    network.remove("datapathProvider");
    let config = live["nodePools"][0]["config"]
        .as_object_mut()
        .expect("config");
    config.remove("shieldedInstanceConfig");
    config.remove("workloadMetadataConfig");
    fake.put_cluster(PARENT, live);

    let plan = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", both(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).expect("plan");
    assert_eq!(plan["changes"], json!([]), "{plan:#}");
    assert_eq!(plan["cannot_change_in_place"], json!([]), "{plan:#}");

    let audit = against(
        &fake,
        &[
            "audit",
            "--gke",
            CLUSTER,
            "--profile",
            "strict",
            "-o",
            "json",
        ],
    );
    assert_eq!(audit.status.code(), Some(0), "{}", both(&audit));
    let report: Value = serde_json::from_slice(&audit.stdout).expect("report");
    let finding = |control: &str, object: &str| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["control"] == control && f["object"] == object)
            .cloned()
            .unwrap_or_else(|| panic!("no {control} finding on {object}: {report:#}"))
    };
    let pool = "NodePool/storefront-prod/default-pool";
    for control in [
        "metadata-api-blocked",
        "secure-boot",
        "integrity-monitoring",
    ] {
        let f = finding(control, pool);
        assert_eq!(f["verdict"], json!("pass"), "{f:#}");
        assert!(f.to_string().contains("Autopilot manages it"), "{f:#}");
    }
    assert_eq!(
        finding("shielded-nodes", "Cluster/storefront-prod")["verdict"],
        json!("pass")
    );
    assert_eq!(
        finding("network-policy", "Cluster/storefront-prod")["verdict"],
        json!("pass")
    );
    assert_eq!(
        finding("intranode-visibility", "Cluster/storefront-prod")["verdict"],
        json!("not-applicable")
    );

    // a Standard cluster file against this Autopilot cluster: one blocked change, no calls
    let dir = tempfile::tempdir().expect("tempdir");
    let standard = std::fs::read_to_string(root().join(EXAMPLE))
        .expect("example")
        .replace("  mode: autopilot\n", "")
        .replace(
            "  releaseChannel: regular\n",
            "  releaseChannel: regular\n  nodePools:\n  - {name: system, machineType: e2-standard-4, minNodes: 1, maxNodes: 3}\n",
        );
    let file = dir.path().join("standard.yaml");
    std::fs::write(&file, standard).expect("write");
    let file = file.display().to_string();
    let plan = against(&fake, &["plan", "-f", &file, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", both(&plan));
    let plan: Value = serde_json::from_slice(&plan.stdout).expect("plan");
    assert_eq!(plan["changes"], json!([]), "{plan:#}");
    let blocked = plan["cannot_change_in_place"].to_string();
    assert!(
        blocked.contains("needs a new cluster") && blocked.contains("autopilot.enabled"),
        "{blocked}"
    );
    let before = fake.calls().len();
    let _ = against(&fake, &["apply", "-f", &file, "--yes"]);
    assert_eq!(fake.calls().len(), before, "{:?}", fake.calls());
    assert_eq!(fake.rejected(), Vec::<String>::new());
}

#[test]
fn the_fake_refuses_what_gke_refuses_on_autopilot() {
    let fake = FakeGke::start();
    // a Standard request with Autopilot switched on: the kubelet defaults, the network-policy
    // add-on and Calico are what GKE refuses there
    let mut standard = rendered("examples/gke-private.yaml");
    standard["cluster"]["autopilot"] = json!({"enabled": true});
    let post = |body: &Value, parent: &str| {
        common::http::request(
            &fake.url,
            "POST",
            &format!("/v1/{parent}/clusters?%24alt=json%3Benum-encoding%3Dint"),
            &[("content-type", "application/json")],
            &body.to_string(),
        )
    };
    let mut numbers = standard.clone();
    palisade::gke::discovery::convert_enums(
        "CreateClusterRequest",
        &mut numbers,
        palisade::gke::discovery::Enums::Numbers,
    );
    let (code, answer) = post(
        &numbers,
        "projects/acme-payments-prod/locations/europe-west1",
    );
    assert_eq!(code, 400, "{answer}");
    assert!(
        answer.contains("node_kubelet_config is not allowed"),
        "{answer}"
    );
    // a zone
    let mut zonal = rendered(EXAMPLE);
    zonal["parent"] = json!("projects/acme-storefront-prod/locations/us-central1-a");
    palisade::gke::discovery::convert_enums(
        "CreateClusterRequest",
        &mut zonal,
        palisade::gke::discovery::Enums::Numbers,
    );
    let (code, answer) = post(
        &zonal,
        "projects/acme-storefront-prod/locations/us-central1-a",
    );
    assert_eq!(code, 400, "{answer}");
    assert!(answer.contains("must be regional"), "{answer}");
    assert_eq!(fake.rejected().len(), 2, "{:?}", fake.rejected());

    // on a running Autopilot cluster, its pools are GKE's
    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let (code, answer) = common::http::request(
        &fake.url,
        "POST",
        &format!(
            "/v1/{CLUSTER}/nodePools/default-pool:setManagement?%24alt=json%3Benum-encoding%3Dint"
        ),
        &[("content-type", "application/json")],
        &json!({"management": {"autoUpgrade": true}}).to_string(),
    );
    assert_eq!(code, 400, "{answer}");
    assert!(
        answer.contains("cannot be accessed or modified"),
        "{answer}"
    );
}

#[test]
fn what_an_autopilot_cluster_file_cannot_say_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    let cases = [
        (
            "pools",
            base.replace(
                "  nodeServiceAccount:",
                "  nodePools:\n  - {name: a, machineType: e2-medium, minNodes: 1, maxNodes: 3}\n  nodeServiceAccount:",
            ),
            "autopilot-node-pools",
            "nodePools",
        ),
        (
            "zonal",
            base.replace("location: us-central1", "location: us-central1-a"),
            "autopilot-zonal",
            "us-central1-a",
        ),
        (
            "calico",
            base.replace("  releaseChannel: regular", "  releaseChannel: regular\n  networkPolicy: calico"),
            "autopilot-calico",
            "networkPolicy",
        ),
        (
            "no-account",
            base.replace(
                "  nodeServiceAccount: gke-nodes@acme-storefront-prod.iam.gserviceaccount.com\n",
                "",
            ),
            "node-service-account",
            "Autopilot nodes",
        ),
    ];
    for (name, body, code, said) in cases {
        assert_ne!(body, base, "{name}: the case changed nothing");
        let file = write(dir.path(), &format!("{name}.yaml"), &body);
        let out = palisade(&["render", "-f", &file]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(code) && err.contains(said), "{name}: {err}");
        assert!(err.contains(&format!("{name}.yaml:")), "{name}: {err}");
    }
    // Standard still needs its pools
    let standard = base.replace("  mode: autopilot\n", "");
    let file = write(dir.path(), "standard.yaml", &standard);
    let out = palisade(&["render", "-f", &file]);
    assert!(
        text(&out.stderr).contains("no-node-pools"),
        "{}",
        text(&out.stderr)
    );
}
