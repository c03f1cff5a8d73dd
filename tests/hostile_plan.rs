//! A saved plan is not trusted as written (issue class 2): its digest is checked; every change
//! apply shows is derived from the documents the plan writes and what the store holds; every
//! document is checked (kind, name, cluster, kops schema, configBase) and the result judged by
//! the plan's profile again before the first write. A plan edited and sealed anew (anyone who
//! can write the file can do that: it is not signed) is refused when the result would fail a
//! control that no waiver of the plan carries, and otherwise shows what it really writes.

mod common;

use std::path::{Path, PathBuf};

use common::{palisade, root, snapshot, text};
use palisade::yaml::tree;
use serde_json::Value as Json;
use serde_yaml::Value;

const CLUSTER: &str = "minimal.example.com";

fn config() -> String {
    format!("{CLUSTER}/config")
}

fn nodes() -> String {
    format!("{CLUSTER}/instancegroup/nodes")
}

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

fn state(dir: &Path) -> String {
    format!("file://{}/state", dir.display())
}

/// `plan --out` of `example` against `DIR/state`, as JSON.
fn saved_plan(dir: &Path, example_name: &str) -> Json {
    let path = dir.join("plan.json");
    let out = palisade(&[
        "plan",
        "-f",
        &example(example_name),
        "--state",
        &state(dir),
        "--out",
        &path.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("plan")).expect("json")
}

/// Writes `plan` to DIR/tampered.json, sealed anew when `reseal`.
fn write_plan(dir: &Path, plan: &Json, reseal: bool) -> PathBuf {
    let path = dir.join("tampered.json");
    let mut body = serde_json::to_string_pretty(plan).expect("json");
    if reseal {
        body = palisade::plan::reseal(&body).expect("reseal");
    }
    std::fs::write(&path, body).expect("write");
    path
}

/// Edits the document the plan writes at `key`.
fn edit_document(plan: &mut Json, key: &str, edit: impl FnOnce(&mut Value)) {
    let text = plan["plan"]["writes"][key].as_str().expect("document");
    let mut doc: Value = serde_yaml::from_str(text).expect("yaml");
    edit(&mut doc);
    plan["plan"]["writes"][key] = serde_yaml::to_string(&doc).expect("yaml").into();
}

/// `apply PLAN --yes` exits 1 with every one of `expected` in its error, and writes nothing.
fn refused(dir: &Path, plan: &Path, expected: &[&str]) {
    let before = snapshot(dir);
    let out = palisade(&["apply", &plan.display().to_string(), "--yes"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in: {err}");
    }
    let after = snapshot(dir);
    assert_eq!(
        after.keys().filter(|k| k.starts_with("state/")).count(),
        before.keys().filter(|k| k.starts_with("state/")).count(),
        "the store changed: {err}"
    );
    assert_eq!(after, before, "something was written: {err}");
}

#[test]
fn an_edit_without_a_new_digest_is_detected() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut plan = saved_plan(dir.path(), "kops-minimal.yaml");
    edit_document(&mut plan, &nodes(), |d| {
        tree::set(d, &["spec", "maxSize"], Value::from(40))
    });
    let path = write_plan(dir.path(), &plan, false);
    refused(
        dir.path(),
        &path,
        &["does not match its digest", "make the plan again"],
    );

    // cut short, or no JSON at all: said with its line and column, never applied
    let whole = std::fs::read_to_string(dir.path().join("plan.json")).expect("plan");
    std::fs::write(&path, &whole[..whole.len() / 2]).expect("write");
    refused(dir.path(), &path, &["is not a saved Palisade plan", "line"]);
}

#[test]
fn writes_that_open_the_api_or_turn_on_anonymous_auth_are_refused_even_sealed_anew() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "api-access-restricted",
            Box::new(|d| {
                tree::set(
                    d,
                    &["spec", "kubernetesApiAccess"],
                    tree::str_seq(&["0.0.0.0/1", "128.0.0.0/1"]),
                )
            }),
        ),
        (
            "kubelet-anonymous-auth",
            Box::new(|d| tree::set(d, &["spec", "kubelet", "anonymousAuth"], Value::from(true))),
        ),
        (
            "rbac",
            Box::new(|d| {
                tree::set(
                    d,
                    &["spec", "authorization"],
                    serde_yaml::from_str("alwaysAllow: {}").expect("yaml"),
                )
            }),
        ),
    ];
    for (control, edit) in edits {
        let mut plan = saved.clone();
        edit_document(&mut plan, &config(), edit);
        let path = write_plan(dir.path(), &plan, true);
        refused(
            dir.path(),
            &path,
            &[
                "would fail what the profile enforces",
                "carries no waiver",
                control,
            ],
        );
    }
}

#[test]
fn what_apply_shows_is_derived_from_what_it_writes() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut plan = saved_plan(dir.path(), "kops-minimal.yaml");
    // a harmless edit, sealed anew: shown as what it is, then written as shown
    edit_document(&mut plan, &nodes(), |d| {
        tree::set(d, &["spec", "maxSize"], Value::from(7))
    });
    let path = write_plan(dir.path(), &plan, true);
    let out = palisade(&["apply", &path.display().to_string(), "--yes"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("spec.maxSize: 7") && !stdout.contains("spec.maxSize: 4"),
        "{stdout}"
    );
    assert!(stdout.contains("digest checked"), "{stdout}");
    let stored = std::fs::read_to_string(dir.path().join("state").join(nodes())).expect("stored");
    assert!(stored.contains("maxSize: 7"), "{stored}");
}

#[test]
fn fields_that_are_derived_cannot_be_set_in_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    // the display, the sensitive flag and the encryption provider are not in a saved plan:
    // a file that carries them is not one
    for (field, value) in [
        ("changes", serde_json::json!([])),
        ("sensitive", serde_json::json!(false)),
        ("encryption_provider", serde_json::json!("identity")),
        ("still_failing", serde_json::json!([])),
    ] {
        let mut plan = saved.clone();
        plan["plan"][field] = value;
        let path = write_plan(dir.path(), &plan, false);
        refused(
            dir.path(),
            &path,
            &["is not a saved Palisade plan", "unknown field", field],
        );
    }
    // the provider comes from the profile's typed parameter
    let mut plan = saved.clone();
    plan["plan"]["profile"]["controls"]["secrets-encryption-at-rest"]["params"]["provider"] =
        "identity".into();
    let path = write_plan(dir.path(), &plan, true);
    refused(
        dir.path(),
        &path,
        &["the plan's profile", "secretbox, aescbc"],
    );
}

#[test]
fn documents_are_checked_before_the_first_write() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    type Edit = Box<dyn Fn(&mut Json)>;
    let cases: Vec<(Edit, Vec<&str>)> = vec![
        (
            Box::new(|p| {
                edit_document(p, &config(), |d| {
                    tree::set(d, &["spec", "kubelet", "anonymousAuht"], Value::from(false))
                })
            }),
            vec!["not a valid kops document", "anonymousAuht"],
        ),
        (
            Box::new(|p| {
                edit_document(p, &config(), |d| {
                    tree::set(d, &["spec", "configBase"], Value::from("s3://elsewhere/x"))
                })
            }),
            vec!["spec.configBase must be"],
        ),
        (
            Box::new(|p| {
                edit_document(p, &nodes(), |d| {
                    tree::set(d, &["metadata", "name"], Value::from("other"))
                })
            }),
            vec!["is named \"other\""],
        ),
        (
            Box::new(|p| {
                edit_document(p, &nodes(), |d| {
                    tree::set(
                        d,
                        &["metadata", "labels", "kops.k8s.io/cluster"],
                        Value::from("other.example.com"),
                    )
                })
            }),
            vec!["kops.k8s.io/cluster must be minimal.example.com"],
        ),
        (
            Box::new(|p| {
                let body = p["plan"]["writes"][config()].clone();
                p["plan"]["writes"][nodes()] = body;
            }),
            vec!["of kind \"Cluster\"", "holds a InstanceGroup"],
        ),
        (
            Box::new(|p| {
                let key = format!("{CLUSTER}/secrets/encryptionconfig");
                p["plan"]["writes"][&key] = "{\"Data\": \"eA==\"}".into();
            }),
            vec!["never carries a secret"],
        ),
        (
            Box::new(|p| {
                let key = format!("{CLUSTER}/instancegroup/extra");
                p["plan"]["writes"][&key] = p["plan"]["writes"][nodes()].clone();
            }),
            vec!["did not read it first"],
        ),
        (
            Box::new(|p| {
                p["plan"]["generated"] = serde_json::json!([]);
            }),
            vec![
                "turns on encryption at rest",
                "creates no encryptionconfig secret",
            ],
        ),
        (
            Box::new(|p| {
                p["plan"]["waivers"] =
                    serde_json::json!([{"control": "api-access-restricted", "reason": " "}]);
            }),
            vec!["has no reason"],
        ),
    ];
    for (edit, expected) in cases {
        let mut plan = saved.clone();
        edit(&mut plan);
        let path = write_plan(dir.path(), &plan, true);
        refused(dir.path(), &path, &expected);
    }
}

#[test]
fn a_waiver_added_to_the_plan_is_shown_and_expired_ones_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    let mut plan = saved.clone();
    edit_document(&mut plan, &config(), |d| {
        tree::set(
            d,
            &["spec", "kubernetesApiAccess"],
            tree::str_seq(&["0.0.0.0/0"]),
        )
    });
    plan["plan"]["waivers"] =
        serde_json::json!([{"control": "api-access-restricted", "reason": "a tamperer's reason"}]);
    let path = write_plan(dir.path(), &plan, true);
    // a weakening is never silent: the waiver and what it lets through are shown
    let shown = palisade(&["apply", &path.display().to_string()]);
    let stdout = text(&shown.stdout);
    assert!(stdout.contains("a tamperer's reason"), "{stdout}");
    assert!(stdout.contains("0.0.0.0/0"), "{stdout}");

    plan["plan"]["waivers"][0]["expires"] = "2020-01-01".into();
    let path = write_plan(dir.path(), &plan, true);
    refused(dir.path(), &path, &["expired on 2020-01-01"]);
}

#[test]
fn a_plan_made_by_another_format_or_for_a_moved_store_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut plan = saved_plan(dir.path(), "kops-minimal.yaml");
    let mut old = plan.clone();
    old["format_version"] = 1.into();
    let path = write_plan(dir.path(), &old, false);
    refused(dir.path(), &path, &["plan format 1", "make the plan again"]);

    // the base says the config exists at some version: the store disagrees
    plan["plan"]["base"][config()] = "2026-01-01T00:00:00Z".into();
    let path = write_plan(dir.path(), &plan, true);
    refused(
        dir.path(),
        &path,
        &["changed in", "since the plan was made"],
    );
}

#[test]
fn a_built_in_profile_in_the_plan_is_the_built_in_profile() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut plan = saved_plan(dir.path(), "kops-minimal.yaml");
    // switching a control off in the plan's copy of `baseline` to let an open API through
    plan["plan"]["profile"]["controls"]["api-access-restricted"]["level"] = "off".into();
    edit_document(&mut plan, &config(), |d| {
        tree::set(
            d,
            &["spec", "kubernetesApiAccess"],
            tree::str_seq(&["0.0.0.0/0"]),
        )
    });
    let path = write_plan(dir.path(), &plan, true);
    refused(
        dir.path(),
        &path,
        &[
            "profile",
            "differs from the built-in profile baseline",
            "api-access-restricted",
        ],
    );
}
