//! Autopilot and node auto-provisioning judged on what governs their nodes: real and derived
//! GKE API captures (tests/fixtures/gke-captures, see NOTICE) against verdicts written by hand,
//! each with the field that decides it; every finding on the auto-provisioned nodes is listed.

mod common;

use std::collections::BTreeMap;

use common::{palisade, root, text};
use serde_json::Value;

fn audit(file: &str) -> Value {
    let path = root().join("tests/fixtures/gke-captures").join(file);
    let out = palisade(&[
        "audit",
        "--gke-json",
        &path.display().to_string(),
        "--profile",
        "strict",
        "-o",
        "json",
    ]);
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "{}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report")
}

#[test]
fn auto_provisioned_nodes_are_judged_on_the_fields_that_govern_them() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/gke-captures/expected.json"))
            .expect("expected"),
    )
    .expect("json");
    let files = expected.as_object().expect("object");
    let mut checked = 0;
    for (file, controls) in files.iter().filter(|(k, _)| !k.starts_with('_')) {
        let report = audit(file);
        // (control, object) -> (verdict, path)
        let mut found: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
        for f in report["findings"].as_array().expect("findings") {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            found
                .entry((s("control"), s("object")))
                .or_default()
                .push((s("verdict"), s("path")));
        }
        for (control, objects) in controls.as_object().expect("controls") {
            for (object, want) in objects.as_object().expect("objects") {
                let want = (
                    want[0].as_str().unwrap_or("").to_string(),
                    want[1].as_str().unwrap_or("").to_string(),
                );
                let got = found
                    .get(&(control.clone(), object.clone()))
                    .unwrap_or_else(|| panic!("{file}: no {control} finding on {object}"));
                assert!(
                    got.contains(&want),
                    "{file}: {control} on {object}: {got:?}, expected {want:?}"
                );
                checked += 1;
            }
        }
        // nothing on the auto-provisioned nodes goes unjudged by hand
        for (control, object) in found
            .keys()
            .filter(|(_, o)| o.ends_with("/autoprovisioning"))
        {
            assert!(
                controls[control.as_str()][object.as_str()].is_array(),
                "{file}: {control} on {object} has no hand-written verdict: {:?}",
                found[&(control.clone(), object.clone())]
            );
        }
    }
    assert!(checked >= 30, "{checked}");
}

#[test]
fn autopilot_says_what_it_manages_and_the_list_is_read_as_the_api_returns_it() {
    let report = audit("krun-autopilot-list.json");
    let findings = report["findings"].as_array().expect("findings");
    let on = |control: &str| {
        findings
            .iter()
            .find(|f| f["control"] == control && f["object"] == "Cluster/istio/autoprovisioning")
            .unwrap_or_else(|| panic!("{control}"))
    };
    // the capture shows no Secure Boot setting for the auto-provisioned nodes: Autopilot's own
    assert!(
        on("secure-boot")["message"]
            .as_str()
            .is_some_and(|m| m.contains("Autopilot manages")),
        "{}",
        on("secure-boot")
    );
    // and the default service account is named where it is set
    assert!(
        on("node-service-account")["path"]
            == "autoscaling.autoprovisioningNodePoolDefaults.serviceAccount"
    );
    // a Standard cluster without auto-provisioning has no such object
    let plain = palisade(&[
        "audit",
        "--gke-json",
        &root()
            .join("tests/fixtures/gke-clusters/hardened-calico.json")
            .display()
            .to_string(),
        "-o",
        "json",
    ]);
    assert!(!text(&plain.stdout).contains("/autoprovisioning"));
}
