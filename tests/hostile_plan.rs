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
        tree::set(d, &["spec", "maxSize"], Value::from(7));
        tree::set(d, &["spec", "rootVolumeSize"], Value::from(200));
    });
    let path = write_plan(dir.path(), &plan, true);
    let out = palisade(&["apply", &path.display().to_string(), "--yes"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("spec.maxSize: 7") && !stdout.contains("spec.maxSize: 4"),
        "{stdout}"
    );
    // a field the plan's trace does not name is not credited to the cluster file
    let line = stdout
        .lines()
        .find(|l| l.contains("spec.rootVolumeSize: 200"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("[no reason in the plan's trace]"), "{line}");
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

#[test]
fn review_a_built_in_profile_cannot_be_disguised_in_the_plan() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    // api-access-restricted: a control baseline enforces but lets a waiver carry
    let open_api = |p: &mut Json| {
        p["plan"]["profile"]["controls"]["api-access-restricted"]["level"] = "off".into();
        edit_document(p, &config(), |d| {
            tree::set(
                d,
                &["spec", "kubernetesApiAccess"],
                tree::str_seq(&["0.0.0.0/0"]),
            )
        });
    };
    let weaken = |p: &mut Json| {
        p["plan"]["profile"]["controls"]["apiserver-anonymous-auth"]["level"] = "off".into();
        edit_document(p, &config(), |d| {
            tree::set(
                d,
                &["spec", "kubeAPIServer", "anonymousAuth"],
                Value::from(true),
            )
        });
    };
    // the names of the merged profiles are not what is checked: the references are
    for names in [
        serde_json::json!(["baseline", "baseline"]),
        serde_json::json!([]),
        serde_json::json!(["baseline "]),
    ] {
        let mut plan = saved.clone();
        open_api(&mut plan);
        plan["plan"]["profile"]["names"] = names.clone();
        let path = write_plan(dir.path(), &plan, true);
        refused(
            dir.path(),
            &path,
            &[
                "the plan's profile",
                "differs from the built-in profile baseline in api-access-restricted",
            ],
        );
    }
    // a reference that is neither a built-in profile nor a file is not one
    let mut plan = saved.clone();
    open_api(&mut plan);
    plan["plan"]["profile_refs"] = serde_json::json!(["baseline "]);
    let path = write_plan(dir.path(), &plan, true);
    refused(
        dir.path(),
        &path,
        &["neither a built-in profile nor a profile file"],
    );
    // a control whose waivers the profile forbids cannot be off in it either
    let mut plan = saved.clone();
    plan["plan"]["profile_refs"] = serde_json::json!(["./team.yaml"]);
    plan["plan"]["profile"]["forbidWaivers"] = serde_json::json!(["apiserver-anonymous-auth"]);
    weaken(&mut plan);
    let path = write_plan(dir.path(), &plan, true);
    refused(
        dir.path(),
        &path,
        &["apiserver-anonymous-auth may not be waived, and is set to off"],
    );
    // a profile file's copy cannot be checked: apply says so, loudly, before asking
    let mut plan = saved.clone();
    plan["plan"]["profile_refs"] = serde_json::json!(["./team.yaml"]);
    plan["plan"]["profile"]["names"] = serde_json::json!(["team"]);
    open_api(&mut plan);
    let path = write_plan(dir.path(), &plan, true);
    let out = palisade(&["apply", &path.display().to_string()]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "profile file \"./team.yaml\" as the plan carries it: nothing checks that copy"
        ),
        "{stdout}"
    );
}

#[test]
fn review_an_honest_plan_of_two_built_in_profiles_applies() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = std::fs::read_to_string(example("kops-minimal.yaml"))
        .expect("example")
        .replace("profile: baseline", "profile: [baseline, baseline]");
    let file = dir.path().join("two.yaml");
    std::fs::write(&file, body).expect("write");
    let path = dir.path().join("two.json");
    let out = palisade(&[
        "plan",
        "-f",
        &file.display().to_string(),
        "--state",
        &state(dir.path()),
        "--out",
        &path.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = palisade(&["apply", &path.display().to_string(), "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn review_state_locations_secrets_base_texts_and_dates_are_checked() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-minimal.yaml");
    type Edit = Box<dyn Fn(&mut Json)>;
    let secret = format!("{CLUSTER}/secrets/encryptionconfig");
    let cases: Vec<(Edit, Vec<&str>)> = vec![
        (
            Box::new(|p| {
                edit_document(p, &config(), |d| {
                    tree::set(
                        d,
                        &["spec", "secretStore"],
                        Value::from("s3://evil/secrets"),
                    )
                })
            }),
            vec!["spec.secretStore points away from the state store"],
        ),
        (
            Box::new(|p| {
                edit_document(p, &config(), |d| {
                    tree::set(d, &["spec", "keyStore"], Value::from("s3://evil/pki"))
                })
            }),
            vec!["spec.keyStore points away from the state store"],
        ),
        (
            Box::new(move |p| {
                p["plan"]["base"]
                    .as_object_mut()
                    .expect("base")
                    .remove(&secret);
                p["plan"]["generated"] = serde_json::json!([]);
            }),
            vec!["the plan did not read it"],
        ),
        (
            Box::new(|p| p["plan"]["warnings"] = serde_json::json!(["fine\u{1b}[2K\rOVERWRITTEN"])),
            vec!["a text holds a control character"],
        ),
        (
            Box::new(|p| {
                let object = format!("Cluster/{CLUSTER}");
                p["plan"]["trace"][&object]["spec.kubelet.anonymousAuth"] =
                    serde_json::json!({"kind": "control", "name": "made-up"});
            }),
            vec!["unknown control \"made-up\""],
        ),
        (
            Box::new(|p| {
                p["plan"]["waivers"] =
                    serde_json::json!([{"control": "rbac", "reason": "r", "expires": "2020-1-1"}]);
            }),
            vec!["expiry that is not a date"],
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
fn review_a_saved_plan_cannot_change_what_a_running_cluster_keeps() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = palisade(&[
        "apply",
        "-f",
        &example("kops-minimal.yaml"),
        "--state",
        &state(dir.path()),
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // a plan against the applied store, with a harmless change to have something to write
    let variant = dir.path().join("v.yaml");
    std::fs::write(
        &variant,
        std::fs::read_to_string(example("kops-minimal.yaml"))
            .expect("example")
            .replace("maxSize: 4", "maxSize: 6"),
    )
    .expect("write");
    let path = dir.path().join("plan.json");
    let out = palisade(&[
        "plan",
        "-f",
        &variant.display().to_string(),
        "--state",
        &state(dir.path()),
        "--out",
        &path.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved: Json =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("plan")).expect("json");
    let stored = std::fs::read_to_string(dir.path().join("state").join(config())).expect("config");
    for (field, value) in [
        (
            "networking",
            serde_yaml::from_str::<Value>("cilium: {}").expect("yaml"),
        ),
        ("networkCIDR", Value::from("10.30.0.0/16")),
    ] {
        let mut plan = saved.clone();
        plan["plan"]["writes"][config()] = stored.clone().into();
        edit_document(&mut plan, &config(), |d| {
            tree::set(d, &["spec", field], value.clone())
        });
        let path = write_plan(dir.path(), &plan, true);
        refused(
            dir.path(),
            &path,
            &[&format!("it changes spec.{field}"), "running cluster"],
        );
    }
    // a cluster file asking for another networkCIDR plans it as kept, not as a change
    let moved = dir.path().join("moved.yaml");
    std::fs::write(
        &moved,
        std::fs::read_to_string(example("kops-minimal.yaml"))
            .expect("example")
            .replace("10.10.0.0/16", "10.30.0.0/16"),
    )
    .expect("write");
    let out = palisade(&[
        "plan",
        "-f",
        &moved.display().to_string(),
        "--state",
        &state(dir.path()),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("spec.networkCIDR is kept as stored"),
        "{stdout}"
    );
    assert!(!stdout.contains("~ spec.networkCIDR"), "{stdout}");
}

#[test]
fn review_a_plan_ships_only_palisades_own_objects() {
    let dir = tempfile::tempdir().expect("tmp");
    let saved = saved_plan(dir.path(), "kops-private-ha.yaml");
    let key = "prod.k8s.example.com/clusteraddons/default";
    let admin = |labelled: bool| {
        let labels = if labelled {
            "  labels: {app.kubernetes.io/managed-by: palisade}\n"
        } else {
            ""
        };
        format!("---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: all-admin\n{labels}roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}}\nsubjects:\n- {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:authenticated'}}\n")
    };
    let allow_all = "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-all\n  namespace: payments\n  labels: {app.kubernetes.io/managed-by: palisade}\nspec:\n  podSelector: {}\n  ingress: [{}]\n";
    for (extra, expected) in [
        (admin(false), "an object Palisade does not own"),
        (admin(true), "Palisade ships no such object"),
        (allow_all.to_string(), "Palisade ships no such object"),
    ] {
        let mut plan = saved.clone();
        let text = plan["plan"]["writes"][key]
            .as_str()
            .expect("addons")
            .to_string();
        plan["plan"]["writes"][key] = (text + &extra).into();
        let path = write_plan(dir.path(), &plan, true);
        refused(dir.path(), &path, &[expected]);
    }
}
