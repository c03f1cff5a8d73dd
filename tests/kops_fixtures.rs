//! The 26 real kops cluster specs of kops' own integration tests (tests/fixtures/kops-specs,
//! copied by scripts/sync-kops-fixtures.py) as the corpus for `harden` and `audit`.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{fixtures, palisade, rel, text};
use palisade::audit::evaluate;
use palisade::controls::{self, ApplyCtx, Mode, Verdict};
use palisade::kops::schema::validate_document;
use palisade::kops::{Cloud, KopsSpec};
use palisade::profile::{resolve, ResolvedProfile};
use palisade::provider::kops::harden::harden;
use palisade::yaml::tree;

/// Controls whose fix cannot be made on a running cluster: subnet topology, the CNI, and etcd
/// volumes that already exist (kops docs: encryption cannot be added to a running cluster).
const NOT_IN_PLACE: &[&str] = &[
    "private-topology",
    "network-policy",
    "etcd-volume-encryption",
];

/// Field paths a hardening control may change; everything else must survive byte for byte.
const OWNED: &[&str] = &[
    r"^Cluster\.spec\.(authorization|kubelet|masterKubelet|kubeAPIServer|kubeControllerManager|kubeScheduler|kubernetesApiAccess|sshAccess|nodePortAccess|networking|api|encryptionConfig|fileAssets|iam|serviceAccountIssuerDiscovery|podIdentityWebhook|certManager|topology|subnets|kubeProxy|etcdClusters\[\d+\]\.etcdMembers\[\d+\]\.(encryptedVolume|kmsKeyId))",
    r"^InstanceGroup/[^.]+\.spec\.(instanceMetadata|rootVolumeEncryption|rootVolumeEncryptionKey|kubelet)",
];

fn profile(name: &str) -> ResolvedProfile {
    resolve(&[name.to_string()], std::path::Path::new(".")).expect("profile")
}

fn ctx() -> ApplyCtx {
    let mut c = ApplyCtx::new(Mode::Harden);
    c.api_cidrs = vec!["203.0.113.0/24".into()];
    c.ssh_cidrs = vec!["198.51.100.0/24".into()];
    c
}

fn load(path: &std::path::Path) -> KopsSpec {
    KopsSpec::parse(
        &std::fs::read_to_string(path).expect("read"),
        &path.display().to_string(),
    )
    .expect("parse")
}

fn schema_issues(spec: &KopsSpec) -> BTreeSet<String> {
    spec.documents()
        .flat_map(validate_document)
        .map(|i| i.to_string())
        .collect()
}

fn keyed_leaves(spec: &KopsSpec) -> BTreeMap<String, serde_yaml::Value> {
    let mut out = BTreeMap::new();
    for d in spec.documents() {
        let prefix = match tree::get_str(d, &["kind"]) {
            Some("Cluster") => "Cluster".to_string(),
            Some("InstanceGroup") => KopsSpec::object_name(d),
            _ => continue,
        };
        for (p, v) in tree::leaves(d) {
            out.insert(format!("{prefix}.{p}"), v);
        }
    }
    out
}

#[test]
fn corpus_is_complete() {
    assert_eq!(fixtures("kops-specs").len(), 26);
}

#[test]
fn harden_keeps_schema_audit_fields_and_is_idempotent() {
    let owned: Vec<regex::Regex> = OWNED
        .iter()
        .map(|r| regex::Regex::new(r).expect("regex"))
        .collect();
    for name in ["baseline", "strict"] {
        let p = profile(name);
        for f in fixtures("kops-specs") {
            let input = load(&f);
            let out = harden(&input, &p, &ctx());
            let who = format!("{} ({name})", f.display());

            // (a) no schema error the input did not have
            let before = schema_issues(&input);
            let added: Vec<_> = schema_issues(&out.spec)
                .difference(&before)
                .cloned()
                .collect();
            assert!(added.is_empty(), "{who}: new schema errors {added:?}");

            // (b) passes audit, except what cannot be fixed in place (or needs input harden
            // was not given), each of which is reported
            let unfixable: BTreeSet<&str> =
                out.unfixable.iter().map(|(id, _)| id.as_str()).collect();
            for f in out.findings.iter().filter(|f| f.is_blocking()) {
                assert!(
                    unfixable.contains(f.control.as_str()),
                    "{who}: {} fails but was not reported: {}",
                    f.control,
                    f.message
                );
            }
            for id in &unfixable {
                let allowed = NOT_IN_PLACE.contains(id)
                    || (name == "strict" && matches!(*id, "irsa" | "api-load-balancer-internal"));
                assert!(
                    allowed,
                    "{who}: {id} reported as not fixable: {:?}",
                    out.unfixable
                );
            }

            // (c) every field no control owns is kept exactly
            let after = keyed_leaves(&out.spec);
            for (path, value) in keyed_leaves(&input) {
                if owned.iter().any(|r| r.is_match(&path)) {
                    continue;
                }
                assert_eq!(after.get(&path), Some(&value), "{who}: {path} changed");
            }
            // non-kops documents are kept too
            let others = |s: &KopsSpec| {
                s.documents()
                    .filter(|d| {
                        !tree::get_str(d, &["apiVersion"]).is_some_and(|v| v.starts_with("kops"))
                    })
                    .cloned()
                    .collect::<Vec<_>>()
            };
            // kept as they were, and what harden adds is Palisade's own (its guardrails)
            let (before, after) = (others(&input), others(&out.spec));
            for d in &before {
                assert!(after.contains(d), "{who}: a document changed: {d:?}");
            }
            for d in after.iter().filter(|d| !before.contains(d)) {
                assert!(
                    palisade::guardrails::is_managed(d),
                    "{who}: harden added a foreign document {d:?}"
                );
            }

            // (d) idempotent, and the YAML reads back to the same spec
            let again = harden(&out.spec, &p, &ctx());
            assert_eq!(
                again.spec.to_yaml(),
                out.spec.to_yaml(),
                "{who}: not idempotent"
            );
            let reread = KopsSpec::parse(&out.spec.to_yaml(), "hardened").expect("reparse");
            assert_eq!(reread, out.spec, "{who}: YAML does not read back");
        }
    }
}

#[test]
fn aws_only_controls_are_not_applicable_on_gce() {
    let p = profile("baseline");
    let aws_only: Vec<&str> = controls::all()
        .iter()
        .filter(|c| !c.kops.clouds().contains(&Cloud::Gce))
        .map(|c| c.id)
        .collect();
    assert!(aws_only.contains(&"metadata-api-blocked") && aws_only.contains(&"iam-legacy-off"));
    let mut gce = 0;
    for f in fixtures("kops-specs") {
        let spec = load(&f);
        if spec.cloud() != Cloud::Gce {
            continue;
        }
        gce += 1;
        for finding in evaluate(&spec, &p, &[]) {
            if aws_only.contains(&finding.control.as_str()) {
                assert_eq!(
                    finding.verdict,
                    Verdict::NotApplicable,
                    "{}: {}",
                    f.display(),
                    finding.control
                );
            }
        }
    }
    assert_eq!(gce, 4);
}

#[test]
fn harden_cli_exit_codes() {
    // a private Calico spec: only the etcd volumes cannot be fixed in place → 2, listed on stderr
    let f = common::root().join("tests/fixtures/kops-specs/privatecalico.yaml");
    let out = palisade(&[
        "harden",
        "kops",
        &rel(&f),
        "--api-cidr",
        "203.0.113.0/24",
        "--ssh-cidr",
        "198.51.100.0/24",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("not fixed: etcd-volume-encryption"), "{err}");
    assert!(KopsSpec::parse(&text(&out.stdout), "stdout").is_ok());

    // GCE with cilium and private subnets: everything fixable → 0
    let f = common::root().join("tests/fixtures/kops-specs/minimal_gce_ilb_cilium_etcd.yaml");
    let out = palisade(&[
        "harden",
        "kops",
        &rel(&f),
        "--api-cidr",
        "203.0.113.0/24",
        "--ssh-cidr",
        "198.51.100.0/24",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // open API access and no --api-cidr: harden cannot invent the networks
    let f = common::root().join("tests/fixtures/kops-specs/minimal-aws.yaml");
    let out = palisade(&["harden", "kops", &rel(&f)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("not fixed: api-access-restricted") && err.contains("--api-cidr"),
        "{err}"
    );

    // a file that is not YAML: exit 1 with file and line
    let out = palisade(&[
        "harden",
        "kops",
        "tests/fixtures/malformed/bad-yaml-unclosed-flow.yaml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("bad-yaml-unclosed-flow.yaml:11:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn audit_of_an_unhardened_spec_reports_the_real_findings() {
    let out = palisade(&[
        "audit",
        "--kops",
        "tests/fixtures/kops-specs/minimal-aws.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["format_version"], 1);
    let failing: BTreeSet<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| {
            for key in ["control", "verdict", "severity", "object", "message"] {
                assert!(f.get(key).is_some(), "finding without {key}: {f}");
            }
            f["control"].as_str().expect("control").to_string()
        })
        .collect();
    for id in [
        "audit-logging",
        "api-access-restricted",
        "ssh-access-restricted",
        "rbac",
        "kubelet-anonymous-auth",
        "secrets-encryption-at-rest",
        "private-topology",
        "network-policy",
    ] {
        assert!(failing.contains(id), "{id} not reported: {failing:?}");
    }
    // kops' own defaults that are already right are not reported as failures
    for id in [
        "apiserver-anonymous-auth",
        "iam-legacy-off",
        "metadata-api-blocked",
        "kubelet-webhook-auth",
    ] {
        assert!(!failing.contains(id), "{id} reported: {failing:?}");
    }
    insta::assert_snapshot!(
        "audit_minimal_aws_text",
        text(
            &palisade(&[
                "audit",
                "--kops",
                "tests/fixtures/kops-specs/minimal-aws.yaml"
            ])
            .stdout
        )
    );
}
