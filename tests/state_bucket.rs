//! Issue 13: the state store's own bucket, against the real S3 server (moto). The control
//! `state-store-protected` fails on each weakening with its own message and passes on a bucket
//! made by `palisade state-bucket create`; the create command changes nothing the second time
//! and leaves a bucket holding other things alone without --yes; plan and audit --state judge
//! the bucket, an enforced failure refuses the plan, and a waiver carries it (shown).
//!
//! (moto judges a bucket policy's conditions as always true, so the TLS-only policy makes it
//! refuse every object request over its plain-HTTP endpoint: the end-to-end plans below run on
//! buckets without that policy, and the protected bucket is judged by `state-bucket check`,
//! which reads only the bucket's settings.)

mod common;

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketVersioningStatus, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    VersioningConfiguration,
};
use common::{moto, palisade, text};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().expect("runtime")
}

/// A bucket name of its own for each test.
fn name(tag: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!("{tag}-{}", nanos % 1_000_000_000_000)
}

fn check(url: &str, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["state-bucket", "check", url];
    args.extend_from_slice(extra);
    let out = palisade(&args);
    (out.status.code(), text(&out.stdout) + &text(&out.stderr))
}

fn failing_lines(report: &str) -> Vec<String> {
    report
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .map(str::to_string)
        .collect()
}

fn create(url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["state-bucket", "create", url, "--region", "eu-west-1"];
    args.extend_from_slice(extra);
    palisade(&args)
}

#[test]
fn a_created_bucket_passes_and_a_second_create_changes_nothing() {
    let b = name("made");
    let url = format!("s3://{b}");
    let first = create(&url, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("5 change(s) made"),
        "{}",
        text(&first.stdout)
    );
    let (code, report) = check(&url, &[]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("0 failed, 5 passed"), "{report}");

    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    let policy_before = rt
        .block_on(s3.get_bucket_policy().bucket(&b).send())
        .expect("policy")
        .policy()
        .map(str::to_string);
    let second = create(&url, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("nothing changed"),
        "{}",
        text(&second.stdout)
    );
    assert!(
        text(&second.stderr).trim().is_empty(),
        "no step was carried out: {}",
        text(&second.stderr)
    );
    let policy_after = rt
        .block_on(s3.get_bucket_policy().bucket(&b).send())
        .expect("policy")
        .policy()
        .map(str::to_string);
    assert_eq!(policy_before, policy_after);
}

/// Each weakening of a protected bucket fails the check on its own, with its own message.
#[test]
fn each_weakening_fails_with_its_own_message() {
    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    type Weaken = fn(&tokio::runtime::Runtime, &aws_sdk_s3::Client, &str);
    let cases: [(&str, Weaken, &str); 4] = [
        (
            "vers",
            |rt, s3, b| {
                rt.block_on(
                    s3.put_bucket_versioning()
                        .bucket(b)
                        .versioning_configuration(
                            VersioningConfiguration::builder()
                                .status(BucketVersioningStatus::Suspended)
                                .build(),
                        )
                        .send(),
                )
                .expect("suspend");
            },
            "versioning is suspended",
        ),
        (
            "bpa",
            |rt, s3, b| {
                rt.block_on(s3.delete_public_access_block().bucket(b).send())
                    .expect("delete block");
            },
            "Block Public Access is not configured",
        ),
        (
            "acl",
            |rt, s3, b| {
                rt.block_on(
                    s3.put_bucket_acl()
                        .bucket(b)
                        .acl(BucketCannedAcl::PublicRead)
                        .send(),
                )
                .expect("public-read");
            },
            "the ACL grants READ to AllUsers",
        ),
        (
            "tls",
            |rt, s3, b| {
                rt.block_on(s3.delete_bucket_policy().bucket(b).send())
                    .expect("delete policy");
            },
            "no bucket policy denies requests without TLS",
        ),
    ];
    let mut messages = Vec::new();
    for (tag, weaken, expected) in cases {
        let b = name(tag);
        let url = format!("s3://{b}");
        assert_eq!(create(&url, &[]).status.code(), Some(0));
        weaken(&rt, &s3, &b);
        let (code, report) = check(&url, &[]);
        assert_eq!(code, Some(2), "{tag}: {report}");
        let failing = failing_lines(&report);
        assert_eq!(
            failing.len(),
            1,
            "{tag}: only its own setting fails:\n{report}"
        );
        assert!(failing[0].contains(expected), "{tag}: {report}");
        messages.push(failing[0].clone());
        // and create puts it back
        let fixed = create(&url, &[]);
        assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed.stderr));
        assert_eq!(check(&url, &[]).0, Some(0), "{tag}: create repairs it");
    }
    messages.dedup();
    assert_eq!(messages.len(), 4, "four different messages: {messages:?}");
}

#[test]
fn a_bucket_holding_other_things_is_left_alone_without_yes() {
    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    let b = name("busy");
    rt.block_on(s3.create_bucket().bucket(&b).send())
        .expect("bucket");
    rt.block_on(
        s3.put_object()
            .bucket(&b)
            .key("photos/cat.jpg")
            .body(b"meow".to_vec().into())
            .send(),
    )
    .expect("object");
    let url = format!("s3://{b}");
    let refused = create(&url, &[]);
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(
        err.contains("photos/cat.jpg")
            && err.contains("--yes")
            && err.contains("nothing was changed"),
        "{err}"
    );
    let versioning = rt
        .block_on(s3.get_bucket_versioning().bucket(&b).send())
        .expect("versioning");
    assert_eq!(versioning.status(), None, "nothing was changed");
    let forced = create(&url, &["--yes"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    assert_eq!(check(&url, &[]).0, Some(0));
}

#[test]
fn a_kops_state_store_bucket_is_not_other_things() {
    // a bucket that already holds a cluster (applied before it was protected)
    let b = common::bucket("held");
    let url = format!("s3://{b}/kops");
    let f = common::root().join("examples/kops-minimal.yaml");
    let f = f.display().to_string();
    let out = palisade(&["apply", "-f", &f, "--state", &url, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let made = create(&url, &[]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
}

fn protect_without_policy(rt: &tokio::runtime::Runtime, s3: &aws_sdk_s3::Client, b: &str) {
    rt.block_on(
        s3.put_public_access_block()
            .bucket(b)
            .public_access_block_configuration(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send(),
    )
    .expect("block");
    let rule = ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            ServerSideEncryptionByDefault::builder()
                .sse_algorithm(ServerSideEncryption::Aes256)
                .build()
                .expect("sse"),
        )
        .build();
    rt.block_on(
        s3.put_bucket_encryption()
            .bucket(b)
            .server_side_encryption_configuration(
                ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .expect("rules"),
            )
            .send(),
    )
    .expect("encryption");
}

/// A cluster file whose profile enforces the control (baseline only reports it).
fn enforcing_file(dir: &std::path::Path, waiver: bool) -> String {
    common::write(
        dir,
        "team.yaml",
        "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  state-store-protected: enforce\n",
    );
    let example = std::fs::read_to_string(common::root().join("examples/kops-minimal.yaml"))
        .expect("example");
    let mut body = example.replace("profile: baseline", "profile: ./team.yaml");
    assert_ne!(body, example, "the example names its profile");
    if waiver {
        body.push_str("waivers:\n- control: state-store-protected\n  reason: \"the platform team owns this bucket; ticket OPS-12\"\n");
    }
    common::write(dir, "cluster.yaml", &body)
}

#[test]
fn plan_judges_the_bucket_refuses_when_enforced_and_shows_a_waiver() {
    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    let b = common::bucket("planned");
    protect_without_policy(&rt, &s3, &b);
    let url = format!("s3://{b}/kops");
    let dir = tempfile::tempdir().expect("tmp");

    // baseline: reported, not refused
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let out = palisade(&["plan", "-f", &f, "--state", &url]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout) + &text(&out.stderr);
    assert!(
        shown.contains("state-store-protected")
            && shown.contains("versioning is off")
            && shown.contains("no bucket policy denies requests without TLS"),
        "{shown}"
    );
    assert!(
        !shown.contains("Block Public Access is"),
        "set here: {shown}"
    );

    // enforced: refused before anything is written, at the store's line
    let enforced = enforcing_file(dir.path(), false);
    let out = palisade(&["apply", "-f", &enforced, "--state", &url, "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("state-store-protected")
            && err.contains("versioning is off")
            && err.contains("palisade state-bucket create")
            && err.contains("cluster.yaml:"),
        "{err}"
    );
    let listed = rt
        .block_on(s3.list_objects_v2().bucket(&b).send())
        .expect("list");
    assert!(listed.contents().is_empty(), "nothing was written");

    // waived: planned, and the plan shows the waiver with its reason
    let waived = enforcing_file(dir.path(), true);
    let out = palisade(&["plan", "-f", &waived, "--state", &url, "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let waivers = doc["waivers"].as_array().expect("waivers");
    assert!(
        waivers
            .iter()
            .any(|w| w["control"] == "state-store-protected"
                && w["reason"].as_str().is_some_and(|r| r.contains("OPS-12"))
                && w["finding"]
                    .as_str()
                    .is_some_and(|f| f.contains("versioning"))),
        "{waivers:?}"
    );
}

#[test]
fn audit_state_reports_the_bucket() {
    let b = common::bucket("audited");
    let url = format!("s3://{b}");
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let out = palisade(&["apply", "-f", &f, "--state", &url, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = palisade(&[
        "audit",
        "--state",
        &url,
        "--name",
        "minimal.example.com",
        "-o",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let bucket_findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["control"] == "state-store-protected")
        .collect();
    assert_eq!(bucket_findings.len(), 5, "{bucket_findings:?}");
    assert!(bucket_findings
        .iter()
        .all(|f| f["object"] == format!("Bucket/{b}")));
    // a new moto bucket has none of the protections, and an ACL for its owner only
    let failing: Vec<&str> = bucket_findings
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(
        failing,
        [
            "PublicAccessBlock",
            "ServerSideEncryptionConfiguration",
            "VersioningConfiguration.Status",
            "Policy"
        ],
        "{bucket_findings:?}"
    );
}

#[test]
fn the_discovery_bucket_holds_only_the_issuer_documents() {
    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    let state = name("st");
    let state_url = format!("s3://{state}");
    assert_eq!(create(&state_url, &[]).status.code(), Some(0));
    let oidc = common::bucket("oidc");
    for key in [
        "irsa/.well-known/openid-configuration",
        "irsa/openid/v1/jwks",
    ] {
        rt.block_on(
            s3.put_object()
                .bucket(&oidc)
                .key(key)
                .body(b"{}".to_vec().into())
                .send(),
        )
        .expect("put");
    }
    let discovery = format!("s3://{oidc}/irsa");
    let (code, report) = check(&state_url, &["--discovery-store", &discovery]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("6 passed"), "{report}");

    rt.block_on(
        s3.put_object()
            .bucket(&oidc)
            .key("backup/etcd.db")
            .body(b"secret".to_vec().into())
            .send(),
    )
    .expect("put");
    let (code, report) = check(&state_url, &["--discovery-store", &discovery]);
    assert_eq!(code, Some(2), "{report}");
    assert!(
        report.contains(&format!("Bucket/{oidc}")) && report.contains("backup/etcd.db"),
        "{report}"
    );

    let (code, report) = check(
        &state_url,
        &["--discovery-store", &format!("{state_url}/oidc")],
    );
    assert_eq!(code, Some(2), "{report}");
    assert!(
        report.contains("is in the state store's bucket"),
        "{report}"
    );
}

/// Review: keys shaped like a state store's under a name that is no kops cluster's
/// (`payments/config`, `payments/secrets/…`) are someone else's objects.
#[test]
fn an_application_bucket_is_not_taken_for_a_state_store() {
    let rt = runtime();
    let s3 = common::s3_client(&rt, &moto());
    let b = name("app");
    rt.block_on(s3.create_bucket().bucket(&b).send())
        .expect("bucket");
    for key in ["payments/config", "payments/secrets/db-password"] {
        rt.block_on(
            s3.put_object()
                .bucket(&b)
                .key(key)
                .body(b"x".to_vec().into())
                .send(),
        )
        .expect("object");
    }
    let refused = create(&format!("s3://{b}"), &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("payments/secrets/db-password"),
        "{}",
        text(&refused.stderr)
    );
}

/// Review: a bucket that cannot be read is not shown to pass.
#[test]
fn check_of_a_missing_bucket_exits_2() {
    let (code, report) = check(&format!("s3://{}", name("absent")), &[]);
    assert_eq!(code, Some(2), "{report}");
    assert!(report.contains("5 unknown"), "{report}");
    let (code, report) = check("s3://b1", &[]);
    assert_eq!(code, Some(1), "{report}");
}
