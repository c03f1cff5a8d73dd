//! GKE end to end: rendered requests against the discovery facts, plan → apply → plan against
//! a fake container v1 API driven by the real client, remediation order, a failing operation,
//! and audit of cluster JSON fixtures against an independent list of expected verdicts.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::gke_fake::FakeGke;
use common::{palisade, root, text};
use palisade::gke::discovery::{convert_enums, validate, Enums, Rules};
use serde_json::{json, Value};

const EXAMPLE: &str = "examples/gke-private.yaml";
const PARENT: &str = "projects/acme-payments-prod/locations/europe-west1";
const CLUSTER: &str = "projects/acme-payments-prod/locations/europe-west1/clusters/payments-prod";

fn against(fake: &FakeGke, args: &[&str]) -> Output {
    fake.run(args)
}

fn rendered(file: &str) -> Value {
    let out = palisade(&["render", "-f", file, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("render prints JSON")
}

fn fixture(name: &str) -> Value {
    let path = root()
        .join("tests/fixtures/gke-clusters")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
}

/// A fixture cluster as if it were the example's: same name, network (GKE reports short
/// names) and first pool name; everything else as the fixture has it.
fn as_example(name: &str) -> Value {
    let mut c = fixture(name);
    c["name"] = json!("payments-prod");
    c["network"] = json!("prod-vpc");
    c["subnetwork"] = json!("gke-europe-west1");
    c["nodePools"][0]["name"] = json!("system");
    c
}

#[test]
fn enum_numbers_agree_with_the_client_crate() {
    use google_cloud_container_v1::model;
    // the derived facts carry proto numbers; the crate serialises enums as those numbers
    let cases: Vec<(&str, Value, Value)> = vec![
        (
            "WorkloadMetadataConfig",
            json!({"mode": "GKE_METADATA"}),
            serde_json::to_value(
                model::WorkloadMetadataConfig::new()
                    .set_mode(model::workload_metadata_config::Mode::GkeMetadata),
            )
            .unwrap(),
        ),
        (
            "NetworkConfig",
            json!({"datapathProvider": "ADVANCED_DATAPATH"}),
            serde_json::to_value(
                model::NetworkConfig::new()
                    .set_datapath_provider(model::DatapathProvider::AdvancedDatapath),
            )
            .unwrap(),
        ),
        (
            "DatabaseEncryption",
            json!({"state": "ENCRYPTED"}),
            serde_json::to_value(
                model::DatabaseEncryption::new()
                    .set_state(model::database_encryption::State::Encrypted),
            )
            .unwrap(),
        ),
        (
            "ReleaseChannel",
            json!({"channel": "STABLE"}),
            serde_json::to_value(
                model::ReleaseChannel::new().set_channel(model::release_channel::Channel::Stable),
            )
            .unwrap(),
        ),
        (
            "BinaryAuthorization",
            json!({"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}),
            serde_json::to_value(model::BinaryAuthorization::new().set_evaluation_mode(
                model::binary_authorization::EvaluationMode::ProjectSingletonPolicyEnforce,
            ))
            .unwrap(),
        ),
        (
            "GatewayAPIConfig",
            json!({"channel": "CHANNEL_STANDARD"}),
            serde_json::to_value(
                model::GatewayAPIConfig::new()
                    .set_channel(model::gateway_api_config::Channel::Standard),
            )
            .unwrap(),
        ),
        (
            "LoggingComponentConfig",
            json!({"enableComponents": ["APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"]}),
            serde_json::to_value(model::LoggingComponentConfig::new().set_enable_components([
                model::logging_component_config::Component::Apiserver,
                model::logging_component_config::Component::Scheduler,
                model::logging_component_config::Component::ControllerManager,
            ]))
            .unwrap(),
        ),
    ];
    for (schema, mut named, from_crate) in cases {
        convert_enums(schema, &mut named, Enums::Numbers);
        assert_eq!(
            named, from_crate,
            "{schema}: derived numbers differ from the crate's"
        );
        let issues = validate(
            schema,
            &from_crate,
            Rules {
                enums: Enums::Numbers,
                request: true,
            },
        );
        assert!(issues.is_empty(), "{schema}: {issues:?}");
    }
}

#[test]
fn the_validator_catches_what_gke_would_refuse() {
    let good = json!({"cluster": {"name": "c", "legacyAbac": {"enabled": false}}});
    let rules = Rules {
        enums: Enums::Names,
        request: true,
    };
    assert!(validate("CreateClusterRequest", &good, rules).is_empty());
    let bad = [
        (json!({"cluster": {"nmae": "c"}}), "unknown field"),
        (
            json!({"cluster": {"releaseChannel": {"channel": "REGULARR"}}}),
            "is not one of",
        ),
        (
            json!({"cluster": {"releaseChannel": {"channel": 2}}}),
            "expected an enum name",
        ),
        (
            json!({"cluster": {"masterAuthorizedNetworksConfig": {"enabled": true}}}),
            "deprecated field",
        ),
        (json!({"cluster": {"status": "RUNNING"}}), "output-only"),
        (
            json!({"cluster": {"nodePools": [{"initialNodeCount": "three"}]}}),
            "int32",
        ),
        (
            json!({"cluster": {"legacyAbac": {"enabled": "false"}}}),
            "boolean",
        ),
    ];
    for (body, expected) in bad {
        let issues = validate("CreateClusterRequest", &body, rules);
        assert!(
            issues.iter().any(|i| i.problem.contains(expected)),
            "{body}: expected {expected:?}, got {issues:?}"
        );
    }
    let numbers = Rules {
        enums: Enums::Numbers,
        request: true,
    };
    let wrong_number = json!({"cluster": {"releaseChannel": {"channel": 17}}});
    assert!(!validate("CreateClusterRequest", &wrong_number, numbers).is_empty());
    let name_sent = json!({"cluster": {"releaseChannel": {"channel": "REGULAR"}}});
    assert!(!validate("CreateClusterRequest", &name_sent, numbers).is_empty());
}

#[test]
fn rendered_requests_are_valid_container_v1_input() {
    for file in [EXAMPLE, "tests/fixtures/gke-files/baseline-dpv2.yaml"] {
        let request = rendered(file);
        let issues = validate(
            "CreateClusterRequest",
            &request,
            Rules {
                enums: Enums::Names,
                request: true,
            },
        );
        assert!(issues.is_empty(), "{file}: {issues:?}");
        // the client crate takes it as its own model, enum names and all
        let model: google_cloud_container_v1::model::CreateClusterRequest =
            serde_json::from_value(request.clone()).expect("fits the client model");
        assert_eq!(model.parent, request["parent"].as_str().unwrap());
        // and what the crate would send is valid with enums as numbers
        let wire = serde_json::to_value(&model).unwrap();
        let issues = validate(
            "CreateClusterRequest",
            &wire,
            Rules {
                enums: Enums::Numbers,
                request: true,
            },
        );
        assert!(issues.is_empty(), "{file} on the wire: {issues:?}");
    }
    insta::assert_json_snapshot!("gke_private_request", rendered(EXAMPLE));
}

#[test]
fn plan_apply_plan_reaches_no_changes() {
    let fake = FakeGke::start();
    let plan = against(&fake, &["plan", "-f", EXAMPLE, "--detailed-exitcode"]);
    assert_eq!(plan.status.code(), Some(2), "{}", text(&plan.stderr));
    let shown = text(&plan.stdout);
    assert!(shown.contains("+ clusters.create"), "{shown}");
    assert!(shown.contains("[control secure-boot]"), "{shown}");
    assert!(
        fake.calls().is_empty(),
        "plan made calls: {:?}",
        fake.calls()
    );

    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        text(&apply.stdout),
        text(&apply.stderr)
    );
    assert!(
        text(&apply.stderr).contains("operation operation-1 DONE"),
        "{}",
        text(&apply.stderr)
    );
    assert_eq!(fake.calls(), ["clusters.create"]);
    assert_eq!(fake.rejected(), Vec::<String>::new());

    let again = against(&fake, &["plan", "-f", EXAMPLE, "--detailed-exitcode"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        text(&again.stdout),
        text(&again.stderr)
    );
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        text(&again.stdout)
    );

    // the stored cluster passes every enforced control, read back as audit reads it live
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
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}{}",
        text(&audit.stdout),
        text(&audit.stderr)
    );
}

#[test]
fn a_weak_cluster_is_remediated_one_call_at_a_time() {
    let fake = FakeGke::start();
    fake.put_cluster(PARENT, as_example("weak-defaults"));
    // the text a reviewer reads in a pull request
    let shown = against(&fake, &["plan", "-f", EXAMPLE]);
    insta::assert_snapshot!(
        "weak_cluster_plan_text",
        text(&shown.stdout).replace(&fake.url, "FAKE")
    );
    let plan = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    let plan: Value = serde_json::from_slice(&plan.stdout).unwrap();
    assert_eq!(plan["format_version"], 2);
    assert_eq!(plan["provider"], "gke");
    let changes = plan["changes"].as_array().unwrap();
    // the calls first, then the 14 Kubernetes objects of the cluster file's two namespaces
    let rpcs = changes
        .iter()
        .take_while(|s| s["via"]["kind"] == "rpc")
        .count();
    assert_eq!(changes.len() - rpcs, 14, "{changes:?}");
    assert!(changes[rpcs..]
        .iter()
        .all(|s| s["via"]["kind"] == "server-side-apply"));
    let labels: Vec<String> = changes[..rpcs]
        .iter()
        .map(|s| {
            let call = s["via"]["call"].as_str().unwrap().to_string();
            match s["via"]["body"]["update"].as_object() {
                Some(u) if call == "clusters.update" => {
                    format!("{call} {}", u.keys().next().unwrap())
                }
                _ => call,
            }
        })
        .collect();
    insta::assert_json_snapshot!(
        "weak_cluster_steps",
        json!({"steps": labels, "blocked": plan["cannot_change_in_place"]})
    );
    // the add-on comes before enforcement, as GKE requires
    let addons = labels
        .iter()
        .position(|l| l == "clusters.setAddons")
        .expect("setAddons step");
    let policy = labels
        .iter()
        .position(|l| l == "clusters.setNetworkPolicy")
        .expect("setNetworkPolicy step");
    assert!(addons < policy, "{labels:?}");
    // what cannot change in place is reported, never planned
    let blocked = plan["cannot_change_in_place"].to_string();
    assert!(
        blocked.contains("needs a new node pool") && blocked.contains("config.serviceAccount"),
        "{blocked}"
    );

    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        text(&apply.stdout),
        text(&apply.stderr)
    );
    assert_eq!(fake.rejected(), Vec::<String>::new());
    assert_eq!(
        fake.calls(),
        labels,
        "apply made the planned calls in the planned order"
    );

    let again = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["changes"], json!([]), "{again:#}");
    assert_eq!(
        again["cannot_change_in_place"], plan["cannot_change_in_place"],
        "immutable differences stay reported"
    );
}

#[test]
fn a_failing_operation_stops_apply_and_says_what_was_applied() {
    let fake = FakeGke::start();
    fake.put_cluster(PARENT, as_example("weak-defaults"));
    fake.fail_call("clusters.setNetworkPolicy");
    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(1), "{}", text(&apply.stdout));
    let err = text(&apply.stderr);
    assert!(err.contains("clusters.setNetworkPolicy) failed"), "{err}");
    assert!(
        err.contains("applied: clusters.update desiredControlPlaneEndpointsConfig"),
        "{err}"
    );
    assert!(
        err.contains("not applied: clusters.setNetworkPolicy"),
        "{err}"
    );
    let calls = fake.calls();
    assert_eq!(
        calls.last().map(String::as_str),
        Some("clusters.setNetworkPolicy"),
        "nothing after the failure: {calls:?}"
    );
    // the failed change did not land
    let stored = fake.cluster(CLUSTER).unwrap();
    assert_ne!(stored["networkPolicy"]["enabled"], json!(true));
}

fn verdicts(report: &Value) -> BTreeMap<String, String> {
    // a control passes for a cluster only if it passes on every object it judged
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let control = f["control"].as_str().unwrap().to_string();
        let verdict = f["verdict"].as_str().unwrap().to_string();
        let entry = out.entry(control).or_insert_with(|| verdict.clone());
        if verdict == "fail" {
            *entry = verdict;
        }
    }
    out
}

#[test]
fn audit_of_cluster_json_gives_the_expected_verdicts() {
    let expected: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/gke-expected.json")).unwrap(),
    )
    .unwrap();
    assert!(expected.len() >= 10, "at least 10 fixtures");
    let out = palisade(&[
        "audit",
        "--gke-json",
        "tests/fixtures/gke-clusters",
        "--profile",
        "strict",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let reports: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports.len(), expected.len());
    let mut mismatches = Vec::new();
    for r in &reports {
        let source = r["source"].as_str().unwrap();
        let stem = Path::new(source)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let want = &expected[&stem];
        let got = verdicts(r);
        for (control, verdict) in want {
            if got.get(control) != Some(verdict) {
                mismatches.push(format!(
                    "{stem} {control}: expected {verdict}, got {:?}",
                    got.get(control)
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // what each failure says, per fixture, for review
    let mut lines = Vec::new();
    for r in &reports {
        let source = r["source"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        lines.push(format!("{source}: {}", r["summary"]));
        for f in r["findings"].as_array().unwrap() {
            if f["verdict"] != "pass" {
                lines.push(format!(
                    "  {} {} {} [{}] {}",
                    f["verdict"].as_str().unwrap(),
                    f["control"].as_str().unwrap(),
                    f["object"].as_str().unwrap(),
                    f["path"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ));
            }
        }
    }
    insta::assert_snapshot!("gke_fixture_findings", lines.join("\n"));
}

#[test]
fn a_waived_weakening_renders_and_the_plan_shows_the_waiver() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("tests/fixtures/gke-files/baseline-dpv2.yaml"))
        .unwrap();
    let weak = base.replace(
        "nodeServiceAccount: nodes@acme-dev-1234.iam.gserviceaccount.com",
        "nodeServiceAccount: 123-compute@developer.gserviceaccount.com",
    );
    let refused = dir.path().join("refused.yaml");
    std::fs::write(&refused, &weak).unwrap();
    let out = palisade(&["render", "-f", refused.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("control `node-service-account`"),
        "{}",
        text(&out.stderr)
    );

    let waived = dir.path().join("waived.yaml");
    std::fs::write(
        &waived,
        format!("{weak}waivers:\n- control: node-service-account\n  reason: sandbox project, no custom service accounts yet\n  expires: 2099-01-01\n"),
    )
    .unwrap();
    let out = palisade(&["render", "-f", waived.to_str().unwrap(), "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("waived: node-service-account"),
        "{}",
        text(&out.stderr)
    );
    let fake = FakeGke::start();
    let plan = against(&fake, &["plan", "-f", waived.to_str().unwrap()]);
    let shown = text(&plan.stdout);
    assert!(
        shown.contains("Waivers in effect:") && shown.contains("sandbox project"),
        "{shown}"
    );
}

#[test]
fn an_old_cluster_gets_the_calls_it_can_take_and_the_rest_is_flagged() {
    let fake = FakeGke::start();
    fake.put_cluster(PARENT, as_example("legacy-old"));
    let out = against(&fake, &["plan", "-f", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    for expected in [
        "clusters.setLegacyAbac",
        "clusters.update desiredShieldedNodes",
        "clusters.update desiredReleaseChannel",
        "clusters.update desiredControlPlaneEndpointsConfig",
        "needs a new cluster",
        "ipAllocationPolicy.useIpAliases",
        "masterAuth.clientCertificateConfig.issueClientCertificate",
        "basic auth (user \"admin\") is on",
        "Still failing after apply:",
    ] {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in:\n{shown}"
        );
    }
    // the password of the old cluster never reaches the plan
    assert!(!shown.contains("not-a-real-password"), "{shown}");
    let apply = against(&fake, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", text(&apply.stderr));
    assert_eq!(fake.rejected(), Vec::<String>::new());
    let stored = fake.cluster(CLUSTER).unwrap();
    assert_ne!(stored["legacyAbac"]["enabled"], json!(true));
    // still routes-based: that was flagged, not attempted
    assert_eq!(stored["ipAllocationPolicy"]["useRoutes"], json!(true));
}

/// Issue 13: off Google Cloud (the DMI product name of an ordinary VM, no GCE_METADATA_HOST)
/// and without a credentials file, a GKE command fails at once: no metadata server can hand
/// out a token, so there is nothing to wait 15 seconds for.
#[test]
fn without_credentials_off_google_cloud_plan_fails_at_once() {
    let home = tempfile::tempdir().unwrap();
    let dmi = home.path().join("product_name");
    std::fs::write(&dmi, "Standard PC (Q35 + ICH9, 2009)\n").unwrap();
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["plan", "-f", "examples/gke-private.yaml"])
        .current_dir(root())
        .env("HOME", home.path())
        .env("PALISADE_DMI_PRODUCT_NAME", &dmi)
        .env_remove("GCE_METADATA_HOST")
        .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
        .env_remove("CLOUDSDK_CONFIG")
        .env_remove("PALISADE_GKE_ENDPOINT")
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no Google credentials")
            && err.contains("not on Google Cloud")
            && err.contains("gcloud auth application-default login"),
        "{err}"
    );
    assert!(
        elapsed < std::time::Duration::from_secs(1),
        "took {elapsed:?}: it waited for a metadata server that cannot exist here"
    );
}

/// `palisade schema --plan`, compiled.
fn plan_schema() -> jsonschema::Validator {
    let out = palisade(&["schema", "--plan"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("schema JSON");
    jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{doc:#}");
}

#[test]
fn both_providers_plans_carry_format_version_and_validate_against_the_published_schema() {
    let v = plan_schema();
    // GKE: a create, and the remediation of a weak cluster
    let fake = FakeGke::start();
    let create = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(create.status.code(), Some(0), "{}", text(&create.stderr));
    let create: Value = serde_json::from_slice(&create.stdout).expect("json");
    assert_valid(&v, &create, "GKE create plan");
    assert_eq!(
        (&create["format_version"], &create["provider"]),
        (&json!(2), &json!("gke"))
    );
    assert_eq!(create["cluster"], CLUSTER);
    assert_eq!(create["changes"][0]["via"]["call"], "clusters.create");
    assert_eq!(create["changes"][0]["action"], "create");
    fake.put_cluster(PARENT, as_example("weak-defaults"));
    let weak = against(&fake, &["plan", "-f", EXAMPLE, "-o", "json"]);
    let weak: Value = serde_json::from_slice(&weak.stdout).expect("json");
    assert_valid(&v, &weak, "GKE remediation plan");
    assert!(weak["changes"].as_array().expect("changes").len() > 5);
    assert!(!weak["cannot_change_in_place"]
        .as_array()
        .expect("blocked")
        .is_empty());

    // kops: a new cluster on a file:// store
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    let out = palisade(&[
        "plan",
        "-f",
        "examples/kops-minimal.yaml",
        "--state",
        &state,
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let kops: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_valid(&v, &kops, "kops plan");
    assert_eq!(
        (&kops["format_version"], &kops["provider"]),
        (&json!(2), &json!("kops"))
    );
    assert_eq!(kops["target"], state);
    let vias: Vec<&str> = kops["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["via"]["kind"].as_str().expect("kind"))
        .collect();
    assert!(
        !vias.is_empty() && vias.iter().all(|k| *k == "store-write"),
        "{vias:?}"
    );
    let secret = kops["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["object"] == "Secret/encryptionconfig")
        .expect("the encryption secret is planned");
    assert_eq!(secret["sensitive"], true);

    // the schema is strict: a field of the old shape is refused
    let mut old = kops.clone();
    old["state"] = json!(state);
    assert!(!v.is_valid(&old), "unknown top-level fields are refused");
    let mut bad = weak.clone();
    bad["changes"][0]["via"] = json!({"kind": "rpc"});
    assert!(!v.is_valid(&bad), "an rpc names its call and body");
}

#[test]
fn a_list_response_gives_the_same_reports_as_the_array_of_its_clusters() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut clusters = Vec::new();
    for entry in std::fs::read_dir(root().join("tests/fixtures/gke-clusters")).expect("dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "json") {
            clusters.push(fixture(path.file_stem().unwrap().to_str().unwrap()));
        }
    }
    assert!(clusters.len() >= 10);
    let array = dir.path().join("array.json");
    std::fs::write(&array, serde_json::to_string(&clusters).unwrap()).unwrap();
    let list = dir.path().join("list.json");
    std::fs::write(&list, json!({"clusters": clusters}).to_string()).unwrap();
    let partial = dir.path().join("partial.json");
    std::fs::write(
        &partial,
        json!({"clusters": clusters, "missingZones": ["us-central1-f", "asia-east1-a"]})
            .to_string(),
    )
    .unwrap();
    let audit = |p: &Path| {
        palisade(&[
            "audit",
            "--gke-json",
            &p.display().to_string(),
            "-o",
            "json",
        ])
    };
    let (a, l, p) = (audit(&array), audit(&list), audit(&partial));
    let reports =
        |o: &Output, path: &Path| text(&o.stdout).replace(&path.display().to_string(), "FILE");
    assert_eq!(reports(&a, &array), reports(&l, &list));
    assert_eq!(reports(&a, &array), reports(&p, &partial));
    assert_eq!(a.status.code(), l.status.code());
    assert!(text(&l.stderr).is_empty(), "{}", text(&l.stderr));
    // an incomplete inventory is said, with the locations it lacks
    assert!(
        text(&p.stderr).contains("could not reach some locations (us-central1-f, asia-east1-a)"),
        "{}",
        text(&p.stderr)
    );
    // a response whose clusters are not a list is refused with the shapes it takes
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"clusters": {"name": "x"}}"#).unwrap();
    let b = audit(&bad);
    assert_eq!(b.status.code(), Some(1));
    assert!(
        text(&b.stderr).contains("ListClustersResponse"),
        "{}",
        text(&b.stderr)
    );
}
