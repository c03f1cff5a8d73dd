//! The internet split into pieces is the internet: every entry point that judges an access list
//! judges the union of its entries (cluster file for kops and GKE, overrides, harden
//! `--api-cidr`, init, `audit --kops`, `audit --gke-json`).

mod common;

use common::{palisade, root, text};
use serde_json::{json, Value};

const KOPS: &str = "examples/kops-minimal.yaml";
const GKE: &str = "examples/gke-private.yaml";

fn variant(dir: &std::path::Path, example: &str, from: &str, to: &str) -> String {
    let body = std::fs::read_to_string(root().join(example)).expect("example");
    assert!(body.contains(from), "{example} has no {from:?}");
    let p = dir.join("c.yaml");
    std::fs::write(&p, body.replace(from, to)).expect("write");
    p.display().to_string()
}

fn line_of(path: &str, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .position(|l| l.contains(needle))
        .expect("line")
        + 1
}

const SPLIT_V4: &str = "[0.0.0.0/1, 128.0.0.0/1]";
const SPLIT_V6: &str = "[\"::/1\", \"8000::/1\"]";

#[test]
fn a_cluster_file_that_opens_the_api_in_pieces_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let eights: Vec<String> = (1..=255).map(|i| format!("{i}.0.0.0/8")).collect();
    let eights = format!("[{}]", eights.join(", "));
    for (example, list) in [
        (KOPS, SPLIT_V4),
        (KOPS, SPLIT_V6),
        (KOPS, eights.as_str()),
        (GKE, SPLIT_V4),
    ] {
        let from = if example == KOPS {
            "apiCidrs: [203.0.113.0/24]"
        } else {
            "apiCidrs: [10.200.0.0/24]"
        };
        let f = variant(dir.path(), example, from, &format!("apiCidrs: {list}"));
        // baseline keeps GKE's public endpoint (strict makes it private, and then the control
        // passes whatever the list: nothing public is reachable)
        let body = std::fs::read_to_string(&f)
            .expect("read")
            .replace("profile: strict", "profile: baseline");
        std::fs::write(&f, body).expect("write");
        let line = line_of(&f, "apiCidrs:");
        let out = palisade(&["render", "-f", &f]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{example} {list}: {err}");
        assert!(
            err.contains(&format!("{f}:{line}:")) && err.contains("[control-refused]"),
            "{example} {list}: {err}"
        );
        assert!(
            err.contains("control `api-access-restricted`")
                && err.contains("% of the public IPv")
                && err.contains("more than at most one /8"),
            "{example} {list}: {err}"
        );
        // a waiver with a reason carries it, and the plan shows the waiver
        let waived = dir.path().join("waived.yaml");
        let body = std::fs::read_to_string(&f).expect("read")
            + "waivers:\n- control: api-access-restricted\n  reason: public demo, torn down nightly\n";
        std::fs::write(&waived, body).expect("write");
        let out = palisade(&["render", "-f", &waived.display().to_string()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(text(&out.stderr).contains("waived: api-access-restricted"));
    }
}

#[test]
fn ssh_opened_in_pieces_is_refused_and_private_networks_are_not_counted() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = variant(
        dir.path(),
        KOPS,
        "apiCidrs: [203.0.113.0/24]",
        &format!("apiCidrs: [203.0.113.0/24]\n  sshCidrs: {SPLIT_V6}"),
    );
    let out = palisade(&["render", "-f", &f]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("control `ssh-access-restricted`")
            && err.contains("100.0% of the public IPv6 internet"),
        "{err}"
    );
    // a VPN's private ranges expose nothing to the internet, however large
    let f = variant(
        dir.path(),
        KOPS,
        "apiCidrs: [203.0.113.0/24]",
        "apiCidrs: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, \"fd00::/8\"]",
    );
    let out = palisade(&["render", "-f", &f]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn an_override_that_opens_the_api_in_pieces_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = variant(
        dir.path(),
        KOPS,
        "apiCidrs: [203.0.113.0/24]",
        "apiCidrs: [203.0.113.0/24]\noverrides:\n  cluster:\n    kubernetesApiAccess: [0.0.0.0/1, 128.0.0.0/1]",
    );
    let out = palisade(&["render", "-f", &f]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("control `api-access-restricted`") && err.contains("together opens"),
        "{err}"
    );
}

fn spec_with_api_access(dir: &std::path::Path, list: &str) -> String {
    let body = std::fs::read_to_string(root().join("tests/fixtures/kops-specs/minimal-aws.yaml"))
        .expect("spec");
    let body = body.replace("  kubernetesApiAccess:\n  - 0.0.0.0/0\n", "");
    let body = body.replacen(
        "spec:\n",
        &format!("spec:\n  kubernetesApiAccess: {list}\n"),
        1,
    );
    let p = dir.join("spec.yaml");
    std::fs::write(&p, body).expect("write");
    p.display().to_string()
}

#[test]
fn audit_and_harden_of_a_kops_spec_judge_the_union() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec = spec_with_api_access(dir.path(), SPLIT_V4);
    let out = palisade(&["audit", "--kops", &spec, "-o", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == "api-access-restricted")
        .expect("finding")
        .clone();
    assert_eq!(f["verdict"], "fail", "{f}");
    assert!(
        f["message"]
            .as_str()
            .expect("message")
            .contains("100.0% of the public IPv4 internet"),
        "{f}"
    );

    // harden does not take the pieces as the networks to allow either
    let out = palisade(&[
        "harden",
        "kops",
        &spec,
        "--api-cidr",
        "0.0.0.0/1",
        "--api-cidr",
        "128.0.0.0/1",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("not fixed: api-access-restricted") && err.contains("would open"),
        "{err}"
    );
    // narrow networks given with --api-cidr replace the split list
    let out = palisade(&["harden", "kops", &spec, "--api-cidr", "198.51.100.0/24"]);
    assert!(
        text(&out.stdout).contains("198.51.100.0/24"),
        "{}",
        text(&out.stderr)
    );
}

fn gke_cluster(dir: &std::path::Path, blocks: Value) -> String {
    let mut c: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/gke-clusters/an-public-narrow.json"))
            .expect("fixture"),
    )
    .expect("json");
    c["controlPlaneEndpointsConfig"]["ipEndpointsConfig"]["authorizedNetworksConfig"]
        ["cidrBlocks"] = blocks;
    let p = dir.join("cluster.json");
    std::fs::write(&p, serde_json::to_string(&c).expect("json")).expect("write");
    p.display().to_string()
}

fn gke_verdict(path: &str) -> (String, String) {
    let out = palisade(&["audit", "--gke-json", path, "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let f = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["control"] == "api-access-restricted")
        .expect("finding")
        .clone();
    (
        f["verdict"].as_str().unwrap_or("").to_string(),
        f["message"].as_str().unwrap_or("").to_string(),
    )
}

#[test]
fn gke_authorized_networks_are_judged_as_a_union_and_must_be_cidrs() {
    let dir = tempfile::tempdir().expect("tmp");
    let narrow = gke_cluster(
        dir.path(),
        json!([{"displayName": "vpn", "cidrBlock": "10.200.0.0/24"}]),
    );
    assert_eq!(gke_verdict(&narrow).0, "pass");
    let split = gke_cluster(
        dir.path(),
        json!([{"cidrBlock": "0.0.0.0/1"}, {"cidrBlock": "128.0.0.0/1"}]),
    );
    let (verdict, message) = gke_verdict(&split);
    assert_eq!(verdict, "fail", "{message}");
    assert!(
        message.contains("together open 100.0% of the public IPv4 internet"),
        "{message}"
    );
    let banana = gke_cluster(dir.path(), json!([{"cidrBlock": "banana"}]));
    let (verdict, message) = gke_verdict(&banana);
    assert_eq!(verdict, "fail", "{message}");
    assert!(message.contains("\"banana\" is not a CIDR"), "{message}");
}

#[test]
fn init_asks_for_a_waiver_reason_for_an_api_opened_in_pieces() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_file = dir.path().join("palisade.yaml");
    let args = [
        "init",
        "--no-input",
        "-o",
        out_file.to_str().expect("path"),
        "--name",
        "demo.example.com",
        "--region",
        "eu-west-1",
        "--zones",
        "eu-west-1a",
        "--api-cidr",
        "0.0.0.0/1",
        "--api-cidr",
        "128.0.0.0/1",
    ];
    let out = palisade(&args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("opens the API to 100.0% of the public IPv4 internet")
            && err.contains("give --api-waiver-reason"),
        "{err}"
    );
    assert!(!out_file.exists(), "nothing is written");
    // SSH through the bastion is never opened to the internet, whole or in pieces
    let mut ssh = args.to_vec();
    ssh.truncate(ssh.len() - 4);
    ssh.extend([
        "--api-cidr",
        "203.0.113.0/24",
        "--bastion-cidr",
        "0.0.0.0/1",
        "--bastion-cidr",
        "128.0.0.0/1",
    ]);
    let out = palisade(&ssh);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("SSH open to the internet is not offered"),
        "{err}"
    );
    assert!(!out_file.exists(), "nothing is written");
}

#[test]
fn gke_json_with_a_field_of_the_wrong_type_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().expect("tmp");
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/gke-clusters/weak-defaults.json"))
            .expect("fixture"),
    )
    .expect("json");
    for (field, value, named) in [
        ("nodePools", json!("x"), "nodePools"),
        (
            "legacyAbac",
            json!({"enabled": "yes"}),
            "legacyAbac.enabled",
        ),
        (
            "masterAuthorizedNetworksConfig",
            json!([]),
            "masterAuthorizedNetworksConfig",
        ),
    ] {
        let mut c = base.clone();
        c[field] = value;
        let p = dir.path().join("c.json");
        std::fs::write(&p, serde_json::to_string(&c).expect("json")).expect("write");
        let out = palisade(&["audit", "--gke-json", &p.display().to_string()]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{field}: {err}");
        assert!(
            err.contains(named) && err.contains("a field of the wrong type cannot be judged"),
            "{field}: {err}"
        );
    }
}
