//! The state store under hostile input: keys outside the cluster's kops layout are refused
//! before the first write (file and S3 stores), relative `file://` URLs name one store, secrets
//! are never world-readable, links inside a file store are not followed, and only bounded,
//! regular files are read.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bucket, moto, palisade, palisade_in, root, text};
use palisade::state::{Precondition, S3Options, S3Store, StateStore};

const CLUSTER: &str = "minimal.example.com";

fn example() -> String {
    root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string()
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(snapshot(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

/// A saved plan's text with its digest computed anew (what a deliberate edit does).
fn resealed(text: &str) -> String {
    palisade::plan::reseal(text).expect("reseal")
}

/// `plan --out DIR/plan.json` of the example against `DIR/state`.
fn saved_plan(dir: &Path) -> PathBuf {
    let state = format!("file://{}/state", dir.display());
    let plan = dir.join("plan.json");
    let out = palisade(&[
        "plan",
        "-f",
        &example(),
        "--state",
        &state,
        "--out",
        &plan.display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    plan
}

#[test]
fn a_saved_plan_with_a_key_outside_the_cluster_layout_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let plan = saved_plan(dir.path());
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("plan")).expect("json");
    let config = format!("{CLUSTER}/config");
    for bad in [
        "../../escaped".to_string(),
        "/tmp/absolute".to_string(),
        format!("{CLUSTER}//config"),
        "other.example.com/config".to_string(),
        format!("{CLUSTER}/cluster-completed.spec"),
        format!("{CLUSTER}/pki/private/ca/keyset.yaml"),
    ] {
        // `config` is written last: move it so earlier writes would have happened first, and
        // seal the edit with a new digest, as anyone who can write the file can
        let mut t = saved.clone();
        let writes = t["plan"]["writes"].as_object_mut().expect("writes");
        let body = writes.remove(&config).expect("config bytes");
        writes.insert(bad.clone(), body);
        t["plan"]["base"][&bad] = serde_json::Value::Null;
        let tampered = dir.path().join("tampered.json");
        std::fs::write(&tampered, resealed(&t.to_string())).expect("write");
        let before = snapshot(dir.path());
        let out = palisade(&["apply", &tampered.display().to_string(), "--yes"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bad}: {err}");
        assert!(
            err.contains(&format!("the plan would write {bad}"))
                && err.contains("nothing was written"),
            "{bad}: {err}"
        );
        assert_eq!(snapshot(dir.path()), before, "{bad}: something was written");
        assert!(!Path::new("/tmp/absolute").exists());
    }
}

#[test]
fn the_s3_store_refuses_keys_that_are_not_keys() {
    let b = bucket("keys");
    let store = S3Store::open(
        &format!("s3://{b}"),
        &b,
        "",
        S3Options {
            path_style: true,
            kms_key_id: None,
            endpoint_url: Some(moto()),
            lease: None,
            region: None,
        },
    )
    .expect("store");
    for bad in ["../x", "/abs", "a//b", "a/./b", ""] {
        let err = store
            .put(bad, b"x", &Precondition::Absent)
            .expect_err(bad)
            .to_string();
        assert!(err.contains("not a valid store key"), "{bad}: {err}");
        assert!(store.get(bad).is_err(), "{bad}");
    }
    assert!(
        store.list("").expect("list").is_empty(),
        "nothing was written"
    );
}

#[test]
fn a_relative_file_url_names_the_store_the_plan_was_made_against() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let plan = a.path().join("plan.json");
    let out = palisade_in(
        a.path(),
        &[
            "plan",
            "-f",
            &example(),
            "--state",
            "file://./state",
            "--out",
            &plan.display().to_string(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("plan")).expect("json");
    let absolute = format!("file://{}/state", a.path().display());
    assert_eq!(saved["plan"]["state"], absolute.as_str());
    // from another directory, a relative --state is another store: refused
    let out = palisade_in(
        b.path(),
        &[
            "apply",
            &plan.display().to_string(),
            "--state",
            "file://./state",
            "--yes",
        ],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("is for the state store") && err.contains(&absolute),
        "{err}"
    );
    assert!(!b.path().join("state").exists());
    // without --state it applies where it was planned
    let out = palisade_in(b.path(), &["apply", &plan.display().to_string(), "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(a.path().join(format!("state/{CLUSTER}/config")).is_file());
    assert!(!b.path().join("state").exists());
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn store_objects_and_directories_are_private_even_under_umask_000() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state");
    // a temporary file a killed writer left behind (its process is gone)
    let tmp = state.join(".palisade-tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir");
    let leftover = tmp.join("4194303-77");
    std::fs::write(&leftover, "the live key").expect("write");
    let url = format!("file://{}", state.display());
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 000; exec \"{}\" apply -f \"{}\" --state \"{url}\" --yes",
            env!("CARGO_BIN_EXE_palisade"),
            example()
        ))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let secret = state.join(format!("{CLUSTER}/secrets/encryptionconfig"));
    assert_eq!(mode(&secret), 0o600, "the secret");
    for (path, _) in snapshot(&state.join(CLUSTER)) {
        assert_eq!(
            mode(&path) & 0o077,
            0,
            "{} is readable by others",
            path.display()
        );
    }
    for d in [
        state.join(CLUSTER),
        state.join(format!("{CLUSTER}/secrets")),
        state.join(format!("{CLUSTER}/instancegroup")),
    ] {
        assert_eq!(mode(&d) & 0o077, 0, "{} is open to others", d.display());
    }
    assert!(
        !leftover.exists(),
        "the leftover temporary file was removed"
    );
}

#[test]
fn links_inside_a_file_store_are_never_followed() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(state.join(CLUSTER)).expect("mkdir");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, state.join(format!("{CLUSTER}/instancegroup")))
        .expect("link");
    let url = format!("file://{}", state.display());
    let out = palisade(&["apply", "-f", &example(), "--state", &url, "--yes"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("instancegroup") && err.contains("is a symbolic link inside the state store"),
        "{err}"
    );
    assert!(
        snapshot(&elsewhere).is_empty(),
        "something was written through the link"
    );

    // the cluster's own prefix as a link
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&state).expect("mkdir");
    std::fs::create_dir_all(&elsewhere).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, state.join(CLUSTER)).expect("link");
    let url = format!("file://{}", state.display());
    let out = palisade(&["apply", "-f", &example(), "--state", &url, "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        snapshot(&elsewhere).is_empty(),
        "something was written through the link"
    );
}

#[test]
fn a_fifo_or_a_huge_object_in_the_store_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state");
    std::fs::create_dir_all(state.join(CLUSTER)).expect("mkdir");
    let config = state.join(format!("{CLUSTER}/config"));
    let made = Command::new("mkfifo")
        .arg(&config)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let url = format!("file://{}", state.display());
    let out = palisade(&["plan", "-f", &example(), "--state", &url]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is not a regular file"), "{err}");

    std::fs::remove_file(&config).expect("rm");
    let f = std::fs::File::create(&config).expect("create");
    f.set_len(palisade::state::MAX_OBJECT_BYTES + 1)
        .expect("grow");
    let out = palisade(&["plan", "-f", &example(), "--state", &url]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("the limit for a store object"), "{err}");
}

#[test]
fn a_file_where_the_store_keeps_a_directory_is_named_in_the_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = dir.path().join("state");
    std::fs::create_dir_all(state.join(CLUSTER)).expect("mkdir");
    let groups = state.join(format!("{CLUSTER}/instancegroup"));
    std::fs::write(&groups, "x").expect("write");
    let url = format!("file://{}", state.display());
    let out = palisade(&["plan", "-f", &example(), "--state", &url]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{}: Not a directory", groups.display())),
        "{err}"
    );
}

#[test]
fn links_at_the_store_root_are_not_followed_either() {
    for entry in [".palisade-tmp", ".palisade-apply-minimal.example.com.lock"] {
        let dir = tempfile::tempdir().expect("tmp");
        let state = dir.path().join("state");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&state).expect("mkdir");
        std::fs::create_dir_all(&elsewhere).expect("mkdir");
        std::fs::write(elsewhere.join("99999999-important"), "keep me").expect("write");
        let target = if entry.ends_with(".lock") {
            dir.path().join("victim-created")
        } else {
            elsewhere.clone()
        };
        std::os::unix::fs::symlink(&target, state.join(entry)).expect("link");
        let url = format!("file://{}", state.display());
        let out = palisade(&["apply", "-f", &example(), "--state", &url, "--yes"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{entry}: {err}");
        assert!(
            err.contains("is a symbolic link inside the state store"),
            "{entry}: {err}"
        );
        assert!(
            elsewhere.join("99999999-important").exists(),
            "{entry}: a file outside was removed"
        );
        assert_eq!(
            std::fs::read_dir(&elsewhere).expect("read").count(),
            1,
            "{entry}"
        );
        assert!(!dir.path().join("victim-created").exists(), "{entry}");
    }
}

#[test]
fn a_saved_plan_for_a_cluster_name_that_is_not_one_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let plan = saved_plan(dir.path());
    let original = std::fs::read_to_string(&plan).expect("plan");
    for name in [".palisade-tmp", "UPPER case", "...", "-x"] {
        let tampered = dir.path().join("tampered.json");
        std::fs::write(&tampered, resealed(&original.replace(CLUSTER, name))).expect("write");
        let before = snapshot(dir.path());
        let out = palisade(&["apply", &tampered.display().to_string(), "--yes"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains("is not a cluster name"), "{name}: {err}");
        assert_eq!(
            snapshot(dir.path()),
            before,
            "{name}: something was written"
        );
    }
}
