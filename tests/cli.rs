//! The command-line contract: help texts, the control catalogue, profiles, exit codes.

mod common;

use common::{palisade, text};

#[test]
fn help_of_every_subcommand() {
    for args in [
        &["--help"][..],
        &["render", "--help"],
        &["plan", "--help"],
        &["apply", "--help"],
        &["harden", "kops", "--help"],
        &["audit", "--help"],
        &["controls", "--help"],
        &["profiles", "--help"],
        &["init", "--help"],
        &["force-unlock", "--help"],
        &["state-bucket", "create", "--help"],
        &["state-bucket", "check", "--help"],
        &["waivers", "--help"],
    ] {
        let out = palisade(args);
        assert_eq!(out.status.code(), Some(0));
        insta::assert_snapshot!(format!("help_{}", args.join("_")), text(&out.stdout));
    }
}

#[test]
fn control_ids_are_stable() {
    // a control id is a public name: renaming one breaks profiles and waivers in the field
    let out = palisade(&["controls", "list", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["format_version"], 1);
    let ids: Vec<&str> = doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    insta::assert_snapshot!("control_ids", ids.join("\n"));
    for required in [
        "rbac",
        "apiserver-anonymous-auth",
        "kubelet-anonymous-auth",
        "kubelet-webhook-auth",
        "kubelet-read-only-port",
        "audit-logging",
        "api-access-restricted",
        "ssh-access-restricted",
        "network-policy",
        "private-topology",
        "metadata-api-blocked",
        "secrets-encryption-at-rest",
        "profiling-disabled",
        "tls-min-version",
        "api-load-balancer-class",
        "iam-legacy-off",
        "kubelet-certificate-authority",
        "etcd-volume-encryption",
        "pod-security-admission",
    ] {
        assert!(ids.contains(&required), "{required} missing");
    }
}

#[test]
fn explain_prints_the_controls_documentation() {
    let out = palisade(&["controls", "explain", "audit-logging"]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out.stdout);
    for needle in [
        "Why it matters",
        "spec.kubeAPIServer.auditPolicyFile",
        "How audit decides",
        "cis-1.12 1.2.16",
        "maxAge",
    ] {
        assert!(t.contains(needle), "{needle} missing:\n{t}");
    }
    let out = palisade(&["controls", "explain", "no-such"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unknown control `no-such`"));
}

#[test]
fn profiles_list_and_show() {
    let out = palisade(&["profiles", "list"]);
    assert!(text(&out.stdout).contains("baseline") && text(&out.stdout).contains("strict"));
    let out = palisade(&["profiles", "show", "strict"]);
    assert_eq!(out.status.code(), Some(0));
    let shown: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).expect("yaml");
    assert_eq!(shown["names"][0], "strict");
    assert_eq!(shown["controls"]["irsa"]["level"], "enforce");
    assert_eq!(
        shown["controls"]["tls-min-version"]["params"]["version"],
        "VersionTLS13"
    );
    let out = palisade(&["profiles", "show", "nope"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_user_profile_extends_a_builtin_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let profile = dir.path().join("team.yaml");
    std::fs::write(
        &profile,
        "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  tls-min-version: audit\n  audit-logging:\n    params: {maxAge: 365}\nforbidWaivers: [api-access-restricted]\n",
    )
    .expect("write");
    let p = profile.display().to_string();
    let out = palisade(&["profiles", "show", &p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown: serde_yaml::Value = serde_yaml::from_slice(&out.stdout).expect("yaml");
    assert_eq!(shown["controls"]["tls-min-version"]["level"], "audit");
    assert_eq!(shown["controls"]["audit-logging"]["params"]["maxAge"], 365);
    assert_eq!(shown["controls"]["audit-logging"]["params"]["maxSize"], 100);

    // a profile error names the profile file and line
    std::fs::write(&profile, "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\ncontrols:\n  rbac: enforced\n").expect("write");
    let out = palisade(&["profiles", "show", &p]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(&format!("{p}:5:")),
        "{}",
        text(&out.stderr)
    );

    // with a stricter audit-logging floor, the minimal spec's defaults no longer pass
    std::fs::write(&profile, "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  audit-logging:\n    params: {maxAge: 365}\n").expect("write");
    let rendered = palisade(&["render", "-f", "examples/kops-minimal.yaml"]);
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, &rendered.stdout).expect("write");
    let out = palisade(&[
        "audit",
        "--kops",
        &spec.display().to_string(),
        "--profile",
        &p,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("auditLogMaxAge is 30; expected at least 365"));
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    // hardened privatecalico still fails etcd-volume-encryption (high), which harden cannot fix
    let hardened = palisade(&[
        "harden",
        "kops",
        "tests/fixtures/kops-specs/privatecalico.yaml",
        "--api-cidr",
        "203.0.113.0/24",
        "--ssh-cidr",
        "198.51.100.0/24",
    ]);
    let dir = tempfile::tempdir().expect("tmp");
    let spec = dir.path().join("spec.yaml");
    std::fs::write(&spec, &hardened.stdout).expect("write");
    let spec = spec.display().to_string();
    let crit = palisade(&["audit", "--kops", &spec, "--fail-on", "critical"]);
    assert_eq!(crit.status.code(), Some(0), "{}", text(&crit.stdout));
    let high = palisade(&["audit", "--kops", &spec, "--fail-on", "high"]);
    assert_eq!(high.status.code(), Some(2), "{}", text(&high.stdout));
    assert!(text(&high.stdout).contains("etcd-volume-encryption"));
}

#[test]
fn usage_errors_exit_1_not_2() {
    // 2 means "findings" or "changes pending"; a bad command line is an error
    let out = palisade(&["audit", "--kops", "x.yaml", "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("expected low, medium, high or critical"));
    let out = palisade(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(1));
    let out = palisade(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("palisade "));
}

#[test]
fn audit_as_sarif_and_junit() {
    let spec = "tests/fixtures/kops-specs/minimal-aws.yaml";
    let json = palisade(&["audit", "--kops", spec, "-o", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let fails = report["summary"]["fail"].as_u64().expect("fail count");
    let total = report["findings"].as_array().expect("findings").len();

    let sarif = palisade(&["audit", "--kops", spec, "-o", "sarif"]);
    assert_eq!(sarif.status.code(), Some(2));
    let s: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif json");
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "palisade");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len() as u64, fails);
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().expect("ruleId")));
        assert!(matches!(
            r["level"].as_str(),
            Some("error" | "warning" | "note")
        ));
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            spec
        );
    }
    let api = results
        .iter()
        .find(|r| r["ruleId"] == "api-access-restricted")
        .expect("api finding");
    assert_eq!(api["level"], "error");

    let junit = palisade(&["audit", "--kops", spec, "-o", "junit"]);
    let x = text(&junit.stdout);
    assert!(x.starts_with("<?xml"));
    assert!(
        x.contains(&format!("tests=\"{total}\" failures=\"{fails}\"")),
        "{x}"
    );
    assert_eq!(x.matches("<testcase ").count(), total);
    assert_eq!(x.matches("<failure ").count() as u64, fails);
}
