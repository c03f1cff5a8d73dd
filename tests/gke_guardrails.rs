//! The in-cluster guardrails on GKE: plan → apply → plan against the fake container API and a
//! fake Kubernetes API server (tests/common/kube_fake.rs) that checks every request as the
//! real one would (server-side apply only, field manager, force, path by kind and scope, a
//! bearer token, the body against the Kubernetes OpenAPI schema of the cluster's version); an
//! unreachable API stops apply with what was and was not applied; drift is planned back.

mod common;

use std::process::Output;

use common::gke_fake::FakeGke;
use common::kube_fake::FakeKube;
use common::{root, text};
use serde_json::{json, Value};

const EXAMPLE: &str = "examples/gke-private.yaml";

/// `palisade ARGS` against the fakes, the Kubernetes API at `kube_url`.
fn run(fake: &FakeGke, kube_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("PALISADE_GKE_ENDPOINT", &fake.url)
        .env("PALISADE_GKE_POLL_MS", "2")
        .env("PALISADE_KUBE_ENDPOINT", kube_url)
        .env("PALISADE_KUBE_TOKEN", &fake.kube.token)
        .output()
        .expect("run palisade")
}

fn both(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

/// Every object the example ships, by path.
const OBJECTS: &[&str] = &[
    "/api/v1/namespaces/payments",
    "/api/v1/namespaces/ingress",
    "/api/v1/namespaces/payments/serviceaccounts/default",
    "/api/v1/namespaces/ingress/serviceaccounts/default",
    "/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/palisade-default-deny",
    "/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/palisade-allow-dns",
    "/apis/networking.k8s.io/v1/namespaces/ingress/networkpolicies/palisade-default-deny",
    "/apis/networking.k8s.io/v1/namespaces/ingress/networkpolicies/palisade-allow-dns",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/palisade-namespace-pod-security",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/palisade-namespace-pod-security",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/palisade-service-type-restricted",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/palisade-service-type-restricted",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/palisade-image-pinned",
    "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/palisade-image-pinned",
];

#[test]
fn plan_apply_plan_applies_the_objects_and_reaches_no_changes() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE, "-o", "json"]);
    assert_eq!(plan.status.code(), Some(0), "{}", both(&plan));
    let doc: Value = serde_json::from_slice(&plan.stdout).expect("json");
    let applies: Vec<&Value> = doc["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["via"]["kind"] == "server-side-apply")
        .collect();
    assert_eq!(applies.len(), OBJECTS.len(), "{doc}");
    // a new cluster: nothing was read from an API that does not exist yet
    assert!(
        fake.kube.requests().is_empty(),
        "{:?}",
        fake.kube.requests()
    );
    assert!(
        doc["notes"]
            .to_string()
            .contains("pinned to the new cluster's minor version"),
        "{doc}"
    );

    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    assert_eq!(fake.kube.rejected(), Vec::<String>::new());
    for path in OBJECTS {
        assert!(fake.kube.object(path).is_some(), "{path} not applied");
    }
    // every write was a server-side apply, namespaces before what lives in them
    let patches: Vec<String> = fake
        .kube
        .requests()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| {
            assert_eq!(r.content_type, "application/apply-patch+yaml");
            assert!(r.query.contains("fieldManager=palisade"), "{}", r.query);
            r.path
        })
        .collect();
    assert_eq!(patches.len(), OBJECTS.len(), "{patches:?}");
    let ns = patches
        .iter()
        .position(|p| p == "/api/v1/namespaces/payments")
        .expect("namespace applied");
    let inside = patches
        .iter()
        .position(|p| p.starts_with("/api/v1/namespaces/payments/"))
        .expect("object in it applied");
    assert!(ns < inside, "{patches:?}");
    // the new cluster's version (the fake creates 1.33) is pinned on its namespaces
    let payments = fake
        .kube
        .object("/api/v1/namespaces/payments")
        .expect("namespace");
    let labels = &payments["metadata"]["labels"];
    for mode in ["enforce", "audit", "warn"] {
        assert_eq!(
            labels[format!("pod-security.kubernetes.io/{mode}")],
            json!("restricted")
        );
        assert_eq!(
            labels[format!("pod-security.kubernetes.io/{mode}-version")],
            json!("v1.33"),
            "{labels}"
        );
    }
    // the token is never shown
    assert!(!both(&apply).contains(&fake.kube.token));

    let again = run(
        &fake,
        &kube,
        &["plan", "-f", EXAMPLE, "--detailed-exitcode"],
    );
    assert_eq!(again.status.code(), Some(0), "{}", both(&again));
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        both(&again)
    );
}

#[test]
fn an_unreachable_api_stops_apply_and_the_next_plan_shows_the_objects_pending() {
    let fake = FakeGke::start();
    // a port nothing listens on
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let apply = run(&fake, &dead, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(1), "{}", both(&apply));
    let said = both(&apply);
    assert!(said.contains("applied: clusters.create"), "{said}");
    assert!(
        said.contains("not applied: server-side apply Namespace/payments"),
        "{said}"
    );
    assert!(said.contains("PALISADE_KUBE_ENDPOINT"), "{said}");
    assert!(said.contains("stay pending"), "{said}");
    assert!(fake.cluster(common_cluster()).is_some());

    // from a machine that reaches it: the objects are still to apply, the cluster is done
    let kube = fake.kube.url.clone();
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    let shown = text(&plan.stdout);
    assert!(
        shown.contains("+ Namespace/payments   server-side apply (new)"),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 14 Kubernetes object(s) to apply through the cluster's API."),
        "{shown}"
    );
    // an existing cluster's version is read, so the plan shows it pinned
    let json = run(&fake, &kube, &["plan", "-f", EXAMPLE, "-o", "json"]);
    let doc: Value = serde_json::from_slice(&json.stdout).expect("json");
    let ns = doc["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["object"] == "Namespace/payments")
        .expect("namespace planned");
    assert_eq!(
        ns["via"]["body"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"],
        "v1.33"
    );
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let again = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        both(&again)
    );

    // a plan that cannot read the API says so and shows every object to apply
    let blind = run(&fake, &dead, &["plan", "-f", EXAMPLE]);
    let shown = both(&blind);
    assert!(
        shown.contains("the cluster's Kubernetes objects were not read"),
        "{shown}"
    );
    assert!(
        shown.contains("~ Namespace/payments   server-side apply"),
        "{shown}"
    );
}

fn common_cluster() -> &'static str {
    "projects/acme-payments-prod/locations/europe-west1/clusters/payments-prod"
}

#[test]
fn drift_in_the_cluster_is_planned_back() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    // someone deletes a default-deny policy and relabels a namespace by hand
    fake.kube.delete(
        "/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/palisade-default-deny",
    );
    fake.kube.edit("/api/v1/namespaces/payments", |ns| {
        ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("privileged");
    });
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    let shown = text(&plan.stdout);
    assert!(
        shown.contains("+ NetworkPolicy/payments/palisade-default-deny   server-side apply (new)"),
        "{shown}"
    );
    assert!(
        shown.contains("~ Namespace/payments   server-side apply"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "metadata.labels.pod-security.kubernetes.io/enforce: privileged → restricted"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 2 Kubernetes object(s) to apply"),
        "{shown}"
    );
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let again = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        both(&again)
    );
}

/// One HTTP request to the fake; (status, body).
fn raw(
    kube: &FakeKube,
    method: &str,
    target: &str,
    content_type: &str,
    token: &str,
    body: &str,
) -> (u16, String) {
    common::http::request(
        &kube.url,
        method,
        target,
        &[
            ("content-type", content_type),
            ("authorization", &format!("Bearer {token}")),
        ],
        body,
    )
}

#[test]
fn the_fake_api_refuses_what_the_real_one_would() {
    let fake = FakeGke::start();
    let kube = &fake.kube;
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}});
    let apply = "application/apply-patch+yaml";
    let ok = "/api/v1/namespaces/team-a?fieldManager=palisade&force=true";
    let cases: Vec<(&str, String, &str, String, Value, u16)> = vec![
        // a merge patch is not an apply
        (
            "PATCH",
            ok.into(),
            "application/merge-patch+json",
            kube.token.clone(),
            ns.clone(),
            415,
        ),
        // no field manager, or no force
        (
            "PATCH",
            "/api/v1/namespaces/team-a?force=true".into(),
            apply,
            kube.token.clone(),
            ns.clone(),
            400,
        ),
        (
            "PATCH",
            "/api/v1/namespaces/team-a?fieldManager=palisade".into(),
            apply,
            kube.token.clone(),
            ns.clone(),
            400,
        ),
        // a wrong token
        ("PATCH", ok.into(), apply, "nope".into(), ns.clone(), 401),
        // the body at another object's path
        (
            "PATCH",
            "/api/v1/namespaces/team-b?fieldManager=palisade&force=true".into(),
            apply,
            kube.token.clone(),
            ns.clone(),
            400,
        ),
        // a namespaced kind at a cluster-scoped path
        (
            "PATCH",
            "/api/v1/serviceaccounts/default?fieldManager=palisade&force=true".into(),
            apply,
            kube.token.clone(),
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}}),
            400,
        ),
        // into a namespace that does not exist
        (
            "PATCH",
            "/api/v1/namespaces/nowhere/serviceaccounts/default?fieldManager=palisade&force=true"
                .into(),
            apply,
            kube.token.clone(),
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "nowhere"}}),
            404,
        ),
        // a field the schema does not have
        (
            "PATCH",
            ok.into(),
            apply,
            kube.token.clone(),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}, "spec": {"colour": "red"}}),
            422,
        ),
        // and the good one
        (
            "PATCH",
            ok.into(),
            apply,
            kube.token.clone(),
            ns.clone(),
            201,
        ),
        (
            "GET",
            "/api/v1/namespaces/team-a".into(),
            "",
            kube.token.clone(),
            Value::Null,
            200,
        ),
        (
            "GET",
            "/api/v1/namespaces/team-a".into(),
            "",
            "nope".into(),
            Value::Null,
            401,
        ),
    ];
    for (method, target, ct, token, body, want) in cases {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let (code, answer) = raw(kube, method, &target, ct, &token, &body);
        assert_eq!(code, want, "{method} {target} {ct}: {answer}");
    }
}

#[test]
fn a_cluster_file_below_the_profile_needs_a_waiver_on_gke_too() {
    let dir = tempfile::tempdir().expect("tmp");
    let example = std::fs::read_to_string(root().join(EXAMPLE)).expect("example");
    let lower = example.replace(
        "- name: payments\n",
        "- name: payments\n  podSecurity: baseline\n",
    );
    assert_ne!(lower, example);
    let file = common::write(dir.path(), "lower.yaml", &lower);
    let (code, _, err) = common::run(&["render", "-f", &file]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("namespace-pod-security"), "{err}");
    assert!(
        err.contains("Namespace/payments") || err.contains("namespace payments"),
        "{err}"
    );
    let waived = format!(
        "{lower}waivers:\n- control: namespace-pod-security\n  reason: the payments batch jobs need baseline until they drop root (TICKET-12)\n"
    );
    let file = common::write(dir.path(), "waived.yaml", &waived);
    let dir_m = dir.path().join("m");
    let (code, _, err) = common::run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &dir_m.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let ns = std::fs::read_to_string(dir_m.join("001-namespace-payments.yaml")).expect("ns");
    assert!(
        ns.contains("pod-security.kubernetes.io/enforce: baseline"),
        "{ns}"
    );
    // the other namespace keeps the profile's level
    let ingress = std::fs::read_to_string(dir_m.join("002-namespace-ingress.yaml")).expect("ns");
    assert!(
        ingress.contains("pod-security.kubernetes.io/enforce: restricted"),
        "{ingress}"
    );
}

#[test]
fn additions_that_an_apply_would_keep_are_replaced_away() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let deny =
        "/apis/networking.k8s.io/v1/namespaces/payments/networkpolicies/palisade-default-deny";
    let vap =
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/palisade-image-pinned";
    let binding = "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/palisade-service-type-restricted";
    // an allow-all rule, a narrowing selector, a match condition that turns the policy off,
    // an object selector on a binding: each undoes a guardrail, none is Palisade's field
    fake.kube.edit(deny, |o| {
        o["spec"]["ingress"] = json!([{}]);
        o["spec"]["podSelector"] = json!({"matchLabels": {"nothing": "x"}});
    });
    fake.kube.edit(vap, |o| {
        o["spec"]["matchConditions"]
            .as_array_mut()
            .expect("conditions")
            .push(json!({"name": "off", "expression": "false"}));
    });
    fake.kube.edit(binding, |o| {
        o["spec"]["matchResources"]["objectSelector"] = json!({"matchLabels": {"x": "y"}});
    });
    // and a label Palisade sets, dropped
    fake.kube.edit("/api/v1/namespaces/ingress", |o| {
        o["metadata"]["labels"]
            .as_object_mut()
            .expect("labels")
            .remove("pod-security.kubernetes.io/warn-version");
    });
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    let shown = text(&plan.stdout);
    for (object, field) in [
        (
            "NetworkPolicy/payments/palisade-default-deny",
            "spec.ingress[0]",
        ),
        (
            "ValidatingAdmissionPolicy/palisade-image-pinned",
            "spec.matchConditions[1].expression",
        ),
        (
            "ValidatingAdmissionPolicyBinding/palisade-service-type-restricted",
            "spec.matchResources.objectSelector.matchLabels.x",
        ),
    ] {
        assert!(
            shown.contains(&format!("~ {object}   replace")),
            "{object}: {shown}"
        );
        assert!(shown.contains(field), "{field}: {shown}");
    }
    assert!(
        shown.contains("spec.podSelector.matchLabels.nothing"),
        "{shown}"
    );
    assert!(
        shown.contains("~ Namespace/ingress   server-side apply")
            && shown.contains("metadata.labels.pod-security.kubernetes.io/warn-version: v1.33"),
        "{shown}"
    );
    assert!(
        shown.contains("Plan: 4 Kubernetes object(s) to apply"),
        "{shown}"
    );
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    assert_eq!(fake.kube.rejected(), Vec::<String>::new());
    let replaced = fake.kube.object(deny).expect("policy");
    assert!(replaced["spec"].get("ingress").is_none(), "{replaced}");
    assert_eq!(replaced["spec"]["podSelector"], json!({}));
    let again = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        both(&again)
    );

    // a label Palisade decides, set by another client, is shown going and goes: an apply
    // would keep it (another manager owns it), so the object is replaced
    fake.kube.edit("/api/v1/namespaces/payments", |o| {
        o["metadata"]["labels"]["palisade.dev/ingress"] = json!("true");
        o["metadata"]["labels"]["team"] = json!("payments");
    });
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    let shown = text(&plan.stdout);
    assert!(
        shown.contains("metadata.labels.palisade.dev/ingress: true → (removed)")
            && shown.contains("~ Namespace/payments   replace"),
        "{}",
        both(&plan)
    );
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let ns = fake.kube.object("/api/v1/namespaces/payments").expect("ns");
    assert!(
        ns["metadata"]["labels"]
            .get("palisade.dev/ingress")
            .is_none(),
        "{ns}"
    );
    // a label Palisade does not decide stays
    assert_eq!(ns["metadata"]["labels"]["team"], "payments");
    let again = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert!(
        text(&again.stdout).contains("Plan: no changes."),
        "{}",
        both(&again)
    );

    // a team's registry credentials on the default service account are theirs: no change, and
    // kept through a replace
    let sa = "/api/v1/namespaces/payments/serviceaccounts/default";
    fake.kube.edit(sa, |o| {
        o["imagePullSecrets"] = json!([{"name": "registry-creds"}]);
    });
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert!(
        text(&plan.stdout).contains("Plan: no changes."),
        "{}",
        both(&plan)
    );
    fake.kube.edit(sa, |o| {
        o["metadata"]["labels"]["palisade.dev/ingress"] = json!("true");
        o["metadata"]["finalizers"] = json!(["example.com/keep"]);
    });
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let account = fake.kube.object(sa).expect("sa");
    assert_eq!(
        account["imagePullSecrets"],
        json!([{"name": "registry-creds"}]),
        "{account}"
    );
    assert_eq!(
        account["metadata"]["finalizers"],
        json!(["example.com/keep"]),
        "{account}"
    );
    assert!(account["metadata"]["labels"]
        .get("palisade.dev/ingress")
        .is_none());
    assert_eq!(account["automountServiceAccountToken"], json!(false));
}

#[test]
fn audit_gke_judges_the_objects_read_back_from_the_cluster() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let cluster = common_cluster();
    let guardrails = |report: &Value| -> Vec<(String, String, String)> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| {
                [
                    "namespace-pod-security",
                    "default-deny-network-policy",
                    "service-type-restricted",
                    "image-pinned",
                    "service-account-token-automount",
                ]
                .contains(&f["control"].as_str().unwrap_or(""))
            })
            .map(|f| {
                (
                    f["control"].as_str().unwrap_or("").to_string(),
                    f["verdict"].as_str().unwrap_or("").to_string(),
                    f["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let audit = run(
        &fake,
        &kube,
        &[
            "audit",
            "--gke",
            cluster,
            "--profile",
            "strict",
            "-o",
            "json",
        ],
    );
    let report: Value = serde_json::from_slice(&audit.stdout).expect("json");
    let found = guardrails(&report);
    assert!(found.len() >= 14, "{found:?}");
    assert!(found.iter().all(|(_, v, _)| v == "pass"), "{found:?}");
    assert_eq!(audit.status.code(), Some(0), "{}", both(&audit));

    // without the image policy, and with a namespace relabelled: each named
    fake.kube.delete(
        "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/palisade-image-pinned",
    );
    fake.kube.edit("/api/v1/namespaces/payments", |o| {
        o["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = json!("baseline");
    });
    let audit = run(
        &fake,
        &kube,
        &[
            "audit",
            "--gke",
            cluster,
            "--profile",
            "strict",
            "-o",
            "json",
            "--fail-on",
            "medium",
        ],
    );
    assert_eq!(audit.status.code(), Some(2), "{}", both(&audit));
    let report: Value = serde_json::from_slice(&audit.stdout).expect("json");
    let found = guardrails(&report);
    assert!(
        found.iter().any(|(c, v, m)| c == "image-pinned"
            && v == "fail"
            && m.contains("the cluster has no ValidatingAdmissionPolicy palisade-image-pinned")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(c, v, m)| c == "namespace-pod-security"
            && v == "fail"
            && m.contains("namespace payments")
            && m.contains("below the profile's restricted")),
        "{found:?}"
    );

    // an API it cannot reach: the controls say they could not judge, and why
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let audit = run(
        &fake,
        &dead,
        &[
            "audit",
            "--gke",
            cluster,
            "--profile",
            "strict",
            "-o",
            "json",
        ],
    );
    let report: Value = serde_json::from_slice(&audit.stdout).expect("json");
    let found = guardrails(&report);
    assert!(
        found.len() == 5
            && found
                .iter()
                .all(|(_, v, m)| v == "unknown" && m.contains("could not be read")),
        "{found:?}"
    );
}

#[test]
fn a_cluster_older_than_the_admission_api_gets_no_objects_and_is_told_why() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let mut cluster = fake.cluster(common_cluster()).expect("cluster");
    cluster["currentMasterVersion"] = json!("1.29.8-gke.1000000");
    fake.put_cluster(
        "projects/acme-payments-prod/locations/europe-west1",
        cluster.clone(),
    );
    let before = fake.kube.requests().len();
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    let shown = text(&plan.stdout);
    assert!(
        shown.contains("! Kubernetes objects: the cluster runs Kubernetes 1.29")
            && shown.contains("needs 1.30 or newer"),
        "{shown}"
    );
    assert!(!shown.contains("server-side apply"), "{shown}");
    assert_eq!(fake.kube.requests().len(), before, "the API was asked");
    // a version that cannot be read: refused, not applied unpinned
    cluster["currentMasterVersion"] = json!("banana");
    fake.put_cluster(
        "projects/acme-payments-prod/locations/europe-west1",
        cluster,
    );
    let plan = run(&fake, &kube, &["plan", "-f", EXAMPLE]);
    assert_eq!(plan.status.code(), Some(1), "{}", both(&plan));
    assert!(
        both(&plan).contains("no usable currentMasterVersion (\"banana\")"),
        "{}",
        both(&plan)
    );
}

#[test]
fn audit_of_the_cluster_file_live_judges_the_namespaces_it_declares() {
    let fake = FakeGke::start();
    let kube = fake.kube.url.clone();
    let apply = run(&fake, &kube, &["apply", "-f", EXAMPLE, "--yes"]);
    assert_eq!(apply.status.code(), Some(0), "{}", both(&apply));
    let live = |fake: &FakeGke| {
        let out = run(
            fake,
            &kube,
            &[
                "audit",
                "-f",
                EXAMPLE,
                "--live",
                "-o",
                "json",
                "--fail-on",
                "medium",
            ],
        );
        let report: Value = serde_json::from_slice(&out.stdout).expect("json");
        (out.status.code(), report)
    };
    let (code, report) = live(&fake);
    assert_eq!(code, Some(0), "{report}");
    // someone removes the label audit --gke finds namespaces by, and weakens the namespace
    fake.kube.edit("/api/v1/namespaces/payments", |o| {
        let labels = o["metadata"]["labels"].as_object_mut().expect("labels");
        labels.remove("app.kubernetes.io/managed-by");
        labels.insert(
            "pod-security.kubernetes.io/enforce".into(),
            json!("privileged"),
        );
    });
    // and deletes the ingress namespace's default-deny policy
    fake.kube.delete(
        "/apis/networking.k8s.io/v1/namespaces/ingress/networkpolicies/palisade-default-deny",
    );
    let (code, report) = live(&fake);
    assert_eq!(code, Some(2), "{report}");
    let failing: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| format!("{} {} {}", f["control"], f["object"], f["message"]))
        .collect();
    assert!(
        failing.iter().any(|f| f.contains("namespace-pod-security")
            && f.contains("Namespace/payments")
            && f.contains("privileged")),
        "{failing:?}"
    );
    assert!(
        failing
            .iter()
            .any(|f| f.contains("default-deny-network-policy")
                && f.contains("namespace ingress has no NetworkPolicy palisade-default-deny")),
        "{failing:?}"
    );
}
