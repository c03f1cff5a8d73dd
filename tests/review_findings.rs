//! Regression tests for the reviewer's reproductions of this session's work (issues 13, 14):
//! each test is named after what it found.

mod common;

use std::process::Command;

use common::{palisade_in, root, text, write};

fn kops(name: &str) -> String {
    std::fs::read_to_string(root().join("examples/kops-minimal.yaml"))
        .expect("example")
        .replace("name: minimal.example.com", &format!("name: {name}"))
}

#[test]
fn a_cluster_file_that_cannot_be_loaded_is_reported_not_skipped() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("c");
    std::fs::create_dir(&c).expect("dir");
    write(&c, "a.yaml", &kops("a.example.com"));
    // too large to load, but it says what it is
    let big = kops("big.example.com") + &"# padding\n".repeat(120_000);
    write(&c, "big.yaml", &big);
    // a byte-order mark and a space before the colon still say it
    write(
        &c,
        "bom.yaml",
        &format!(
            "\u{feff}{}",
            kops("bom.example.com").replacen("apiVersion:", "apiVersion :", 1)
        ),
    );
    let state = format!("file://{}/state", dir.path().display());
    let out = palisade_in(
        dir.path(),
        &["plan", "-f", "c", "-f", "missing.yaml", "--state", &state],
    );
    assert_eq!(out.status.code(), Some(1), "the worst code");
    let shown = text(&out.stdout);
    assert!(
        shown.contains("== c/a.yaml (kops a.example.com) =="),
        "{shown}"
    );
    assert!(
        shown.contains("== c/bom.yaml (kops bom.example.com) =="),
        "{shown}"
    );
    assert!(
        shown.contains("== c/big.yaml ==") && shown.contains("larger than"),
        "{shown}"
    );
    assert!(shown.contains("== missing.yaml =="), "{shown}");
    assert!(
        shown.contains("Summary: 4 cluster file(s): 2 planned"),
        "{shown}"
    );
    // waivers sees the large file too: an error, not "No waivers"
    let w = palisade_in(dir.path(), &["waivers", "-f", "c"]);
    assert_eq!(w.status.code(), Some(1), "{}", text(&w.stdout));
}

#[test]
fn a_file_name_cannot_forge_a_document_or_a_section() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("c");
    std::fs::create_dir(&c).expect("dir");
    write(&c, "a.yaml", &kops("a.example.com"));
    let forged =
        "b\n---\n{apiVersion: v1, kind: ClusterRoleBinding, metadata: {name: pwn}}\n#.yaml";
    write(&c, forged, &kops("b.example.com"));
    let out = palisade_in(dir.path(), &["render", "-f", "c"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stream = text(&out.stdout);
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(&stream)
        .map(|d| serde::Deserialize::deserialize(d).expect("a YAML document"))
        .collect();
    assert!(
        docs.iter().all(|d| d["kind"] != "ClusterRoleBinding"),
        "a file name became a document"
    );
    let state = format!("file://{}/state", dir.path().display());
    let plan = text(&palisade_in(dir.path(), &["plan", "-f", "c", "--state", &state]).stdout);
    assert!(
        !plan.lines().any(|l| l.starts_with("{apiVersion")),
        "a file name started a line: {plan}"
    );
}

#[test]
fn audit_over_many_files_keeps_the_failures_in_json_and_markdown() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("c");
    std::fs::create_dir(&c).expect("dir");
    write(&c, "a.yaml", &kops("a.example.com"));
    write(
        &c,
        "bad.yaml",
        "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: bad\nkops: [\n",
    );
    let out = palisade_in(dir.path(), &["audit", "-f", "c", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["reports"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["errors"][0]["file"], "c/bad.yaml", "{doc}");
    assert_eq!(doc["errors"][0]["errors"][0]["line"], 4, "{doc}");
    let md = text(&palisade_in(dir.path(), &["audit", "-f", "c", "-o", "markdown"]).stdout);
    assert!(md.contains("| c/bad.yaml | error: c/bad.yaml:4:"), "{md}");
    let rendered = palisade_in(dir.path(), &["render", "-f", "c", "-o", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&rendered.stdout).expect("json");
    assert!(
        all.as_array().is_some_and(|a| a
            .iter()
            .any(|e| e["file"] == "c/bad.yaml" && e["errors"].is_array())),
        "{all}"
    );
    // and a one-file markdown plan is a comment with the error in its table
    let md = text(&palisade_in(dir.path(), &["plan", "-f", "c/bad.yaml", "-o", "markdown"]).stdout);
    assert!(md.contains("| error: c/bad.yaml:4:"), "{md}");
}

#[test]
fn two_files_describing_one_cluster_are_refused_before_apply() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = dir.path().join("c");
    std::fs::create_dir(&c).expect("dir");
    write(&c, "one.yaml", &kops("same.example.com"));
    write(&c, "two.yaml", &kops("same.example.com"));
    let state = format!("file://{}/state", dir.path().display());
    let out = palisade_in(
        dir.path(),
        &[
            "apply",
            "-f",
            "c",
            "-f",
            "./c",
            "--state",
            &state,
            "--yes",
            "--lock-timeout",
            "30s",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("both describe cluster same.example.com; nothing was applied"),
        "{err}"
    );
    // the same directory named twice is planned once
    let plan = text(
        &palisade_in(
            dir.path(),
            &["plan", "-f", "c", "-f", "./c", "--state", &state],
        )
        .stdout,
    );
    assert!(plan.contains("Summary: 2 cluster file(s)"), "{plan}");
}

#[test]
fn waivers_show_the_whole_reason() {
    let dir = tempfile::tempdir().expect("tmp");
    let reason =
        "public subnets until the VPN lands in Q3, agreed with security in ticket SEC-4411";
    let body = kops("w.example.com").replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]")
        + &format!("waivers:\n- control: api-access-restricted\n  reason: \"{reason}\"\n");
    write(dir.path(), "w.yaml", &body);
    let out = palisade_in(dir.path(), &["waivers", "-f", "w.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains(reason), "{}", text(&out.stdout));
}

#[test]
fn a_credentials_file_that_is_not_a_file_fails_at_once() {
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["plan", "-f", "examples/gke-private.yaml"])
        .current_dir(root())
        .env("GOOGLE_APPLICATION_CREDENTIALS", "/dev/zero")
        .env_remove("PALISADE_GKE_ENDPOINT")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("which is not a regular file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn init_refuses_the_state_bucket_as_the_public_discovery_store() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = palisade_in(
        dir.path(),
        &[
            "init",
            "--no-input",
            "-o",
            "x.yaml",
            "--name",
            "dev.example.com",
            "--region",
            "us-east-1",
            "--zones",
            "us-east-1a",
            "--api-cidr",
            "203.0.113.0/24",
            "--profile",
            "strict",
            "--state-store",
            "s3://kstate-one",
            "--state-store-region",
            "us-east-1",
            "--discovery-store",
            "s3://kstate-one",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is the state store's bucket"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("x.yaml").exists());
}
