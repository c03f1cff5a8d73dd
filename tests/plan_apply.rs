//! plan and apply on the file:// kops state store: convergence, stale plans, faults, races,
//! existing clusters.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use common::{palisade, plan_for, snapshot, text, Hooked};
use palisade::kops::schema::validate_document;
use palisade::provider::kops::apply;
use palisade::state::{FileStore, Precondition, StateStore, StoreError};
use palisade::yaml::tree;

fn url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

fn example(name: &str) -> PathBuf {
    common::root().join("examples").join(name)
}

/// A cluster file derived from an example, with one text replaced.
fn variant(dir: &Path, example_name: &str, from: &str, to: &str) -> PathBuf {
    let body = std::fs::read_to_string(example(example_name)).expect("example");
    assert!(body.contains(from), "{from} not in {example_name}");
    let p = dir.join(format!("{}.yaml", to.replace([' ', ':', '/'], "_")));
    std::fs::write(&p, body.replace(from, to)).expect("write");
    p
}

#[test]
fn plan_apply_plan_reaches_no_changes() {
    for ex in ["kops-minimal.yaml", "kops-private-ha.yaml"] {
        let dir = tempfile::tempdir().expect("tmp");
        let state = url(dir.path());
        let f = example(ex).display().to_string();
        let plan = palisade(&["plan", "-f", &f, "--state", &state, "--detailed-exitcode"]);
        assert_eq!(plan.status.code(), Some(2), "{ex}: {}", text(&plan.stderr));
        assert!(snapshot(dir.path()).is_empty(), "plan wrote to the store");
        let out = palisade(&["apply", "-f", &f, "--state", &state, "--yes"]);
        assert_eq!(out.status.code(), Some(0), "{ex}: {}", text(&out.stderr));
        let after_first = snapshot(dir.path());
        let again = palisade(&["plan", "-f", &f, "--state", &state, "--detailed-exitcode"]);
        assert_eq!(
            again.status.code(),
            Some(0),
            "{ex}: {}",
            text(&again.stdout)
        );
        assert!(text(&again.stdout).contains("No changes."));
        let second = palisade(&["apply", "-f", &f, "--state", &state, "--yes"]);
        assert_eq!(second.status.code(), Some(0));
        assert_eq!(
            snapshot(dir.path()),
            after_first,
            "{ex}: a second apply wrote something"
        );

        // what the store holds validates against the kops CRDs and reads back as planned
        let (planned, _) = {
            let empty = tempfile::tempdir().expect("tmp");
            plan_for(&example(ex), &url(empty.path()))
        };
        let cluster = planned.cluster();
        let mut seen = 0;
        for (key, bytes) in &after_first {
            if key.contains("/secrets/") {
                continue;
            }
            if key.ends_with("/clusteraddons/default") {
                // a stream of Kubernetes objects, written as planned
                let objects =
                    palisade::provider::kops::addons::parse(&String::from_utf8_lossy(bytes))
                        .expect("objects");
                assert!(objects.len() >= 4, "{key}: {} objects", objects.len());
                let written = planned.intent.writes.get(key).expect("planned write");
                assert_eq!(&String::from_utf8_lossy(bytes), written, "{key}");
                seen += 1;
                continue;
            }
            let doc: serde_yaml::Value = serde_yaml::from_slice(bytes).expect("yaml");
            assert!(
                validate_document(&doc).is_empty(),
                "{key}: {:?}",
                validate_document(&doc)
            );
            let planned_key = key.clone();
            let written = planned
                .intent
                .writes
                .get(&planned_key)
                .expect("planned write");
            let mut expected: serde_yaml::Value = serde_yaml::from_str(written).expect("yaml");
            if tree::get_str(&doc, &["kind"]) == Some("Cluster") {
                // the two plans differ only in where the store is
                tree::set(
                    &mut expected,
                    &["spec", "configBase"],
                    serde_yaml::Value::from(format!("{state}/{cluster}")),
                );
            }
            assert_eq!(doc, expected, "{key} does not read back as planned");
            seen += 1;
        }
        assert!(seen >= 3, "{ex}: {seen} documents stored");
        assert!(after_first
            .keys()
            .any(|k| k.ends_with("/secrets/encryptionconfig")));
    }
}

#[test]
fn a_saved_plan_is_refused_when_the_store_changed() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = url(dir.path());
    let work = tempfile::tempdir().expect("tmp");
    let base = example("kops-minimal.yaml").display().to_string();
    assert_eq!(
        palisade(&["apply", "-f", &base, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );

    let bigger = variant(work.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 6")
        .display()
        .to_string();
    let saved = work.path().join("plan.json");
    let plan = palisade(&[
        "plan",
        "-f",
        &bigger,
        "--state",
        &state,
        "--out",
        &saved.display().to_string(),
    ]);
    assert_eq!(plan.status.code(), Some(0));
    assert!(
        text(&plan.stdout).contains("spec.maxSize: 4 → 6"),
        "{}",
        text(&plan.stdout)
    );

    // someone else changes the store in between
    let other = variant(work.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 5")
        .display()
        .to_string();
    assert_eq!(
        palisade(&["apply", "-f", &other, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    let before = snapshot(dir.path());
    let out = palisade(&["apply", &saved.display().to_string(), "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("changed")
            && err.contains("since the plan")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(snapshot(dir.path()), before, "the store was touched");

    // a fresh saved plan applies
    let plan = palisade(&[
        "plan",
        "-f",
        &bigger,
        "--state",
        &state,
        "--out",
        &saved.display().to_string(),
    ]);
    assert_eq!(plan.status.code(), Some(0));
    let out = palisade(&["apply", &saved.display().to_string(), "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stored =
        std::fs::read_to_string(dir.path().join("minimal.example.com/instancegroup/nodes"))
            .expect("ig");
    assert!(stored.contains("maxSize: 6"));
}

#[test]
fn apply_asks_for_yes() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = url(dir.path());
    let f = example("kops-minimal.yaml").display().to_string();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["apply", "-f", &f, "--state", &state])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"y\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("apply cancelled"),
        "{}",
        text(&out.stderr)
    );
    assert!(snapshot(dir.path()).is_empty());
}

fn encryption_invariant(dir: &Path, cluster: &str) {
    let config = dir.join(cluster).join("config");
    if let Ok(text) = std::fs::read_to_string(&config) {
        if text.contains("encryptionConfig: true") {
            assert!(
                dir.join(cluster).join("secrets/encryptionconfig").exists(),
                "config asks for encryption, secret missing"
            );
        }
    }
}

#[test]
fn an_apply_stopped_after_any_write_converges_on_the_next_one() {
    let reference = tempfile::tempdir().expect("tmp");
    let (plan, store) = plan_for(&example("kops-private-ha.yaml"), &url(reference.path()));
    let total = plan.changes.len();
    assert!(total >= 6, "{total} writes");
    apply(&plan, store.as_ref()).expect("reference apply");
    let want = snapshot(reference.path());

    for allow in 0..total {
        let dir = tempfile::tempdir().expect("tmp");
        let u = url(dir.path());
        let (plan, _) = plan_for(&example("kops-private-ha.yaml"), &u);
        let done = std::sync::Mutex::new(0usize);
        let faulty = Hooked {
            inner: FileStore::open(&u, dir.path().to_path_buf()).expect("open"),
            before_put: Box::new(move |_, key| {
                let mut n = done.lock().expect("lock");
                if *n >= allow {
                    return Err(StoreError::io(
                        key,
                        "injected fault: the process stopped here",
                    ));
                }
                *n += 1;
                Ok(())
            }),
        };
        let err = apply(&plan, &faulty).expect_err("the fault stops the apply");
        assert!(
            err.to_string()
                .contains(&format!("{allow} of {total} writes done")),
            "{err}"
        );
        encryption_invariant(dir.path(), plan.cluster());
        assert!(
            !dir.path().join(plan.cluster()).join("config").exists() || allow == total,
            "config written before the end"
        );

        let (again, store) = plan_for(&example("kops-private-ha.yaml"), &u);
        assert_eq!(again.changes.len(), total - allow, "after {allow} writes");
        apply(&again, store.as_ref()).expect("second apply");
        let (after, _) = plan_for(&example("kops-private-ha.yaml"), &u);
        assert!(
            !after.has_changes(),
            "not converged after a fault at {allow}: {:?}",
            after.changes
        );
        let got = snapshot(dir.path());
        // the stores differ in where they are (configBase) and in the random key, nothing else
        let normal = |bytes: Option<&Vec<u8>>| {
            bytes.map(|b| {
                let text = String::from_utf8_lossy(b);
                let mut v: serde_yaml::Value = match serde_yaml::from_str(&text) {
                    Ok(v) => v,
                    // the cluster addons: a stream
                    Err(_) => serde_yaml::Value::Sequence(
                        palisade::provider::kops::addons::parse(&text).expect("objects"),
                    ),
                };
                tree::remove(&mut v, &["spec", "configBase"]);
                v
            })
        };
        let differing: Vec<&String> = want
            .keys()
            .filter(|k| !k.contains("/secrets/") && normal(got.get(*k)) != normal(want.get(*k)))
            .collect();
        assert!(
            differing.is_empty(),
            "fault at {allow}: {differing:?} differ"
        );
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn two_applies_racing_one_wins_nothing_is_lost() {
    let work = tempfile::tempdir().expect("tmp");
    let five = variant(work.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 5");
    let six = variant(work.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 6");
    for round in 0..10 {
        let dir = tempfile::tempdir().expect("tmp");
        let u = url(dir.path());
        let (p0, s0) = plan_for(&example("kops-minimal.yaml"), &u);
        apply(&p0, s0.as_ref()).expect("base");
        let plans = vec![plan_for(&five, &u).0, plan_for(&six, &u).0];
        let barrier = Arc::new(Barrier::new(2));
        let handles: Vec<_> = plans
            .into_iter()
            .map(|p| {
                let (b, u, root) = (barrier.clone(), u.clone(), dir.path().to_path_buf());
                std::thread::spawn(move || {
                    let store = FileStore::open(&u, root).expect("open");
                    b.wait();
                    apply(&p, &store).map_err(|e| e.to_string())
                })
            })
            .collect();
        let results: Vec<Result<_, String>> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let winners: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| i)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let loser = &results[1 - winners[0]];
        let msg = loser.as_ref().expect_err("loser");
        assert!(
            msg.contains("run plan again") || msg.contains("since the plan"),
            "round {round}: {msg}"
        );
        let stored =
            std::fs::read_to_string(dir.path().join("minimal.example.com/instancegroup/nodes"))
                .expect("ig");
        let want = if winners[0] == 0 {
            "maxSize: 5"
        } else {
            "maxSize: 6"
        };
        assert!(
            stored.contains(want),
            "round {round}: the winner's write is not there"
        );
        // the loser's change is not lost: a new plan still shows it
        let loser_file = if winners[0] == 0 { &six } else { &five };
        assert!(plan_for(loser_file, &u).0.has_changes());
    }
}

#[test]
fn store_compare_and_swap_under_contention() {
    let dir = tempfile::tempdir().expect("tmp");
    let (u, root) = (url(dir.path()), dir.path().to_path_buf());
    common::check_compare_and_swap(move || FileStore::open(&u, root.clone()).expect("open"));
}

#[test]
fn an_existing_kops_cluster_keeps_every_field_palisade_does_not_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let cluster_dir = dir.path().join("minimal-aws.example.com");
    std::fs::create_dir_all(cluster_dir.join("instancegroup")).expect("mkdir");
    let fixture =
        std::fs::read_to_string(common::root().join("tests/fixtures/kops-specs/minimal-aws.yaml"))
            .expect("fixture");
    let spec = palisade::kops::KopsSpec::parse(&fixture, "minimal-aws.yaml").expect("parse");
    std::fs::write(
        cluster_dir.join("config"),
        serde_yaml::to_string(spec.cluster()).expect("yaml"),
    )
    .expect("write");
    for ig in spec.instance_groups() {
        let name = palisade::kops::spec::name_of(ig).expect("name");
        std::fs::write(
            cluster_dir.join("instancegroup").join(name),
            serde_yaml::to_string(ig).expect("yaml"),
        )
        .expect("write");
    }
    let file = dir.path().join("palisade.yaml");
    std::fs::write(
        &file,
        "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: minimal-aws.example.com\nkops:\n  cloud: aws\n  region: us-test-1\n  zones: [us-test-1a]\n  kubernetesVersion: 1.34.0\n  networkCIDR: 172.20.0.0/16\n  controlPlane: {machineType: m3.medium}\n  nodeGroups:\n  - {name: nodes, machineType: t2.medium, minSize: 2, maxSize: 2}\naccess:\n  apiCidrs: [203.0.113.0/24]\n",
    )
    .expect("write");
    let state = url(dir.path());
    let f = file.display().to_string();
    let plan = palisade(&["plan", "-f", &f, "--state", &state]);
    let t = text(&plan.stdout);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    for needle in [
        "spec.kubernetesApiAccess[0]: 0.0.0.0/0 → 203.0.113.0/24",
        "spec.kubelet.anonymousAuth: false   [control kubelet-anonymous-auth]",
        "Cannot change in place (not attempted):",
        "spec.networking is kept as stored",
        "control-plane group control-plane-us-test-1a is stored as minimal-aws.example.com/instancegroup/master-us-test-1a",
        "Still failing after apply:",
        "  - private-topology on InstanceGroup/nodes: placed in public subnets",
    ] {
        assert!(t.contains(needle), "{needle} missing:\n{t}");
    }
    assert!(
        !t.contains("instancegroup/control-plane-us-test-1a (create"),
        "a second control plane was planned:\n{t}"
    );
    // the JSON carries the same facts in their own fields, as a GKE plan does
    let json = palisade(&["plan", "-f", &f, "--state", &state, "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("plan JSON");
    let blocked = &doc["cannot_change_in_place"];
    assert_eq!(
        blocked[0]["object"], "Cluster/minimal-aws.example.com",
        "{doc:#}"
    );
    assert_eq!(
        blocked[0]["fields"][0]["path"], "spec.networking",
        "{doc:#}"
    );
    assert!(
        doc["still_failing"]
            .as_array()
            .expect("still_failing")
            .iter()
            .any(|s| s
                .as_str()
                .is_some_and(|s| s.starts_with("private-topology on "))),
        "{doc:#}"
    );
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    let config = std::fs::read_to_string(cluster_dir.join("config")).expect("config");
    for kept in [
        "channel: stable",
        "masterPublicName: api.minimal-aws.example.com",
        "cni: {}",
        "creationTimestamp",
    ] {
        assert!(config.contains(kept), "{kept} lost:\n{config}");
    }
    let nodes = std::fs::read_to_string(cluster_dir.join("instancegroup/nodes")).expect("nodes");
    for kept in [
        "associatePublicIp: true",
        "maxInstanceLifetime: \"48h20m\"",
        "httpTokens: required",
    ] {
        assert!(nodes.contains(kept), "{kept} missing:\n{nodes}");
    }
    let again = palisade(&["plan", "-f", &f, "--state", &state, "--detailed-exitcode"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

#[test]
fn an_ssh_public_key_is_stored_under_its_fingerprint() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8ZkYbLiqQnwQYb1HGzqWGzW2hBQm0bCuEHfmPWl8hM admin@example\n";
    std::fs::write(dir.path().join("admin.pub"), key).expect("key");
    let body = std::fs::read_to_string(example("kops-minimal.yaml"))
        .expect("example")
        .replace("  nodeGroups:", "  sshPublicKey: admin.pub\n  nodeGroups:");
    let f = dir.path().join("palisade.yaml");
    std::fs::write(&f, body).expect("write");
    let state = url(&dir.path().join("state"));
    let plan = palisade(&["plan", "-f", &f.display().to_string(), "--state", &state]);
    assert!(
        text(&plan.stdout).contains("(create: SSHPublicKey/admin)"),
        "{}",
        text(&plan.stdout)
    );
    assert_eq!(
        palisade(&[
            "apply",
            "-f",
            &f.display().to_string(),
            "--state",
            &state,
            "--yes"
        ])
        .status
        .code(),
        Some(0)
    );
    let fp = palisade::secrets::fingerprint(key).expect("fingerprint");
    // what `ssh-keygen -l -E md5` prints for this key, colons removed
    assert_eq!(fp, "921efa5e9f627346fb20a29e7d66c95b");
    let stored = std::fs::read_to_string(
        dir.path()
            .join("state/minimal.example.com/pki/ssh/public/admin")
            .join(&fp),
    )
    .expect("stored key");
    assert_eq!(stored, key);
    let again = palisade(&[
        "plan",
        "-f",
        &f.display().to_string(),
        "--state",
        &state,
        "--detailed-exitcode",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}

// Regression tests for the review of plan/apply (session 1): each names the fault it pins.

fn applied_minimal(dir: &Path) -> (String, String) {
    let state = url(&dir.join("state"));
    let f = example("kops-minimal.yaml").display().to_string();
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    (state, f)
}

#[test]
fn review_a_node_group_named_like_a_stored_control_plane_group_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let (state, _) = applied_minimal(dir.path());
    let c = dir.path().join("state/minimal.example.com");
    std::fs::rename(
        c.join("instancegroup/control-plane-eu-west-1a"),
        c.join("instancegroup/master-eu-west-1a"),
    )
    .expect("rename");
    let ig = std::fs::read_to_string(c.join("instancegroup/master-eu-west-1a"))
        .expect("ig")
        .replace("name: control-plane-eu-west-1a", "name: master-eu-west-1a");
    std::fs::write(c.join("instancegroup/master-eu-west-1a"), ig).expect("write");
    let f = variant(
        dir.path(),
        "kops-minimal.yaml",
        "  - name: nodes",
        "  - name: master-eu-west-1a",
    );
    let before = snapshot(&dir.path().join("state"));
    let out = palisade(&[
        "apply",
        "-f",
        &f.display().to_string(),
        "--state",
        &state,
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("cannot change a group's role"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(snapshot(&dir.path().join("state")), before);
}

#[test]
fn review_a_stored_encryption_config_gets_its_secret_even_when_waived() {
    let dir = tempfile::tempdir().expect("tmp");
    let (state, _) = applied_minimal(dir.path());
    let secret = dir
        .path()
        .join("state/minimal.example.com/secrets/encryptionconfig");
    std::fs::remove_file(&secret).expect("rm");
    let body = std::fs::read_to_string(example("kops-minimal.yaml")).expect("example")
        + "waivers:\n- control: secrets-encryption-at-rest\n  reason: testing the merge\n";
    let f = dir.path().join("waived.yaml");
    std::fs::write(&f, body).expect("write");
    let out = palisade(&[
        "apply",
        "-f",
        &f.display().to_string(),
        "--state",
        &state,
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = std::fs::read_to_string(dir.path().join("state/minimal.example.com/config"))
        .expect("config");
    assert!(config.contains("encryptionConfig: true"));
    assert!(
        secret.exists(),
        "config asks for encryption and the secret is missing"
    );
}

#[test]
fn review_a_second_ssh_key_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = url(&dir.path().join("state"));
    let write = |key: &str| {
        std::fs::write(dir.path().join("admin.pub"), key).expect("key");
        let body = std::fs::read_to_string(example("kops-minimal.yaml"))
            .expect("example")
            .replace("  nodeGroups:", "  sshPublicKey: admin.pub\n  nodeGroups:");
        let f = dir.path().join("c.yaml");
        std::fs::write(&f, body).expect("write");
        f.display().to_string()
    };
    let f = write("ssh-ed25519 YWJj one@example\n");
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    let f = write("ssh-ed25519 ZGVm two@example\n");
    let out = palisade(&["plan", "-f", &f, "--state", &state]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("kops allows one admin key"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn review_a_stale_saved_plan_that_creates_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = url(&dir.path().join("state"));
    let saved = dir.path().join("p.json");
    let f = example("kops-minimal.yaml").display().to_string();
    assert_eq!(
        palisade(&[
            "plan",
            "-f",
            &f,
            "--state",
            &state,
            "--out",
            &saved.display().to_string()
        ])
        .status
        .code(),
        Some(0)
    );
    let ig = dir.path().join("state/minimal.example.com/instancegroup");
    std::fs::create_dir_all(&ig).expect("mkdir");
    std::fs::write(ig.join("nodes"), "made by hand\n").expect("write");
    let before = snapshot(&dir.path().join("state"));
    let out = palisade(&["apply", &saved.display().to_string(), "--yes"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("nothing was written"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(snapshot(&dir.path().join("state")), before);
}

#[test]
fn review_a_users_own_file_assets_are_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let (state, f) = applied_minimal(dir.path());
    let config = dir.path().join("state/minimal.example.com/config");
    let mut doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&config).expect("config")).expect("yaml");
    let assets = doc["spec"]["fileAssets"].as_sequence_mut().expect("assets");
    assets.insert(
        0,
        serde_yaml::from_str("{name: corp-ca, path: /etc/ssl/corp.pem, content: CA}")
            .expect("yaml"),
    );
    std::fs::write(&config, serde_yaml::to_string(&doc).expect("yaml")).expect("write");
    let plan = palisade(&["plan", "-f", &f, "--state", &state, "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "the user's asset is not a change:\n{}",
        text(&plan.stdout)
    );
    let bigger = variant(dir.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 5");
    assert_eq!(
        palisade(&[
            "apply",
            "-f",
            &bigger.display().to_string(),
            "--state",
            &state,
            "--yes"
        ])
        .status
        .code(),
        Some(0)
    );
    assert!(std::fs::read_to_string(&config)
        .expect("config")
        .contains("corp-ca"));
}

#[test]
fn review_a_key_changed_alongside_an_apply_is_reported() {
    let dir = tempfile::tempdir().expect("tmp");
    let u = url(dir.path());
    let (p0, s0) = plan_for(&example("kops-minimal.yaml"), &u);
    apply(&p0, s0.as_ref()).expect("base");
    let work = tempfile::tempdir().expect("tmp");
    // a change to the nodes group only: config and the control-plane group are read, not written
    let f = variant(work.path(), "kops-minimal.yaml", "maxSize: 4", "maxSize: 7");
    let (plan, _) = plan_for(&f, &u);
    assert_eq!(plan.changes.len(), 1);
    let victim = "minimal.example.com/instancegroup/control-plane-eu-west-1a";
    let store = Hooked {
        inner: FileStore::open(&u, dir.path().to_path_buf()).expect("open"),
        before_put: Box::new(move |inner: &FileStore, key| {
            if key == "minimal.example.com/instancegroup/nodes" {
                // another writer changes a group this apply only read
                let o = inner.get(victim)?.expect("victim exists");
                let mut changed = o.data.clone();
                changed.extend_from_slice(b"# changed by another apply\n");
                inner.put(victim, &changed, &Precondition::Matches(o.version))?;
            }
            Ok(())
        }),
    };
    let err = apply(&plan, &store).expect_err("the interleaving is reported");
    assert!(
        err.to_string()
            .contains("control-plane-eu-west-1a changed meanwhile"),
        "{err}"
    );
}
