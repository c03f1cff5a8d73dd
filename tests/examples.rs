//! The examples render to kops documents that validate against the kops schema, pass audit,
//! and stay as the snapshots show them.

mod common;

use std::path::Path;

use common::{palisade, text};
use palisade::cluster_file::{load, Date};
use palisade::kops::schema::validate_document;
use palisade::kops::KopsSpec;
use palisade::profile::resolve;
use palisade::provider::kops::render::render;
use palisade::yaml::tree;

const EXAMPLES: &[&str] = &[
    "examples/kops-minimal.yaml",
    "examples/kops-private-ha.yaml",
];

#[test]
fn examples_render_valid_documents_and_pass_audit() {
    for ex in EXAMPLES {
        let out = palisade(&["render", "-f", ex]);
        assert_eq!(out.status.code(), Some(0), "{ex}: {}", text(&out.stderr));
        let spec = KopsSpec::parse(&text(&out.stdout), ex).expect("rendered YAML parses");
        for doc in spec.documents() {
            let issues = validate_document(doc);
            assert!(issues.is_empty(), "{ex}: {issues:?}");
        }
        for ig in spec.instance_groups() {
            assert_eq!(
                tree::get_str(ig, &["metadata", "labels", "kops.k8s.io/cluster"]),
                Some(spec.cluster_name())
            );
        }
        let audit = palisade(&["audit", "-f", ex]);
        assert_eq!(
            audit.status.code(),
            Some(0),
            "{ex}: {}",
            text(&audit.stdout)
        );
        // the rendered file audits clean as a plain kops spec too
        let tmp = tempfile::NamedTempFile::new().expect("tmp");
        std::fs::write(tmp.path(), &out.stdout).expect("write");
        let audit = palisade(&[
            "audit",
            "--kops",
            &tmp.path().display().to_string(),
            "--fail-on",
            "low",
        ]);
        assert_eq!(
            audit.status.code(),
            Some(0),
            "{ex}: {}",
            text(&audit.stdout)
        );

        let json = palisade(&["render", "-f", ex, "-o", "json"]);
        let docs: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
        assert_eq!(docs.as_array().map(Vec::len), Some(spec.documents().len()));
        insta::assert_snapshot!(ex.replace(['/', '.'], "_"), text(&out.stdout));
    }
}

#[test]
fn private_ha_has_three_zones_private_subnets_and_a_bastion() {
    let (file, map) = load(
        Path::new("examples/kops-private-ha.yaml"),
        Date::today(),
        palisade::controls::is_known,
    )
    .expect("load");
    let profile = resolve(&file.profile.list(), Path::new("examples")).expect("profile");
    let r = render(&file, &profile, &map)
        .expect("render")
        .accepted()
        .expect("accepted");
    let masters: Vec<_> = r
        .spec
        .instance_groups()
        .filter(|ig| tree::get_str(ig, &["spec", "role"]) == Some("Master"))
        .collect();
    assert_eq!(masters.len(), 3);
    let bastion = r
        .spec
        .instance_groups()
        .find(|ig| tree::get_str(ig, &["spec", "role"]) == Some("Bastion"))
        .expect("bastion");
    assert!(tree::get_str_list(bastion, &["spec", "subnets"])
        .expect("subnets")
        .iter()
        .all(|s| s.starts_with("utility-")));
    let subnets = tree::get(r.spec.cluster(), &["spec", "subnets"])
        .and_then(|s| s.as_sequence())
        .expect("subnets");
    assert_eq!(
        subnets
            .iter()
            .filter(|s| tree::get_str(s, &["type"]) == Some("Private"))
            .count(),
        3
    );
    assert_eq!(
        subnets
            .iter()
            .filter(|s| tree::get_str(s, &["type"]) == Some("Utility"))
            .count(),
        3
    );
    let members = tree::get(r.spec.cluster(), &["spec", "etcdClusters"])
        .and_then(|e| e[0]["etcdMembers"].as_sequence().cloned())
        .expect("members");
    assert_eq!(members.len(), 3);
    // the trace names the control behind the fields it set
    let cluster = KopsSpec::object_name(r.spec.cluster());
    assert_eq!(
        r.trace
            .source_of(&cluster, "spec.kubelet.anonymousAuth")
            .map(ToString::to_string)
            .as_deref(),
        Some("control kubelet-anonymous-auth")
    );
    assert_eq!(
        r.trace
            .source_of(&cluster, "spec.subnets[0].type")
            .map(ToString::to_string)
            .as_deref(),
        Some("control private-topology")
    );
    assert_eq!(
        r.trace
            .source_of(&cluster, "spec.kubernetesApiAccess[0]")
            .map(ToString::to_string)
            .as_deref(),
        Some("cluster file")
    );
}

#[test]
fn a_waiver_lets_a_weakening_through_and_shows_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let base = std::fs::read_to_string("examples/kops-minimal.yaml").expect("example");
    let body = base.replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]")
        + "waivers:\n- control: api-access-restricted\n  reason: public demo cluster, torn down nightly\n  expires: 2999-12-31\n";
    let f = dir.path().join("c.yaml");
    std::fs::write(&f, body).expect("write");
    let out = palisade(&["render", "-f", &f.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("- \"0.0.0.0/0\""),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("waived: api-access-restricted"),
        "{}",
        text(&out.stderr)
    );
    let audit = palisade(&["audit", "-f", &f.display().to_string(), "-o", "json"]);
    assert_eq!(audit.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&audit.stdout).expect("json");
    let waived: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["verdict"] == "waived")
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(
        waived[0]["waiver"]["reason"],
        "public demo cluster, torn down nightly"
    );
    assert_eq!(waived[0]["waiver"]["expires"], "2999-12-31");
}
