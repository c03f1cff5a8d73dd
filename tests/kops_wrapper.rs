//! `apply --run-kops` and `plan --kops-preview` with a stand-in kops executable that records
//! its arguments and exits with a chosen status.

mod common;

use std::os::unix::fs::PermissionsExt;

use common::{palisade, text};

fn stand_in(dir: &std::path::Path, status: i32) -> (String, std::path::PathBuf) {
    let record = dir.join("argv");
    let bin = dir.join("kops");
    std::fs::write(
        &bin,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho 'kops says: will modify resources'\necho 'kops complains' >&2\nexit {status}\n",
            record.display()
        ),
    )
    .expect("write");
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    (bin.display().to_string(), record)
}

/// Issue 13: kops cannot run a cluster from a file:// store (the nodes read their
/// configuration from the store). apply says so instead of printing a `kops update` line, and
/// `--run-kops` with such a store is refused before anything is written.
#[test]
fn a_file_store_is_never_handed_to_kops() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let (bin, record) = stand_in(dir.path(), 0);

    let out = palisade(&[
        "apply",
        "-f",
        &f,
        "--state",
        &state,
        "--yes",
        "--run-kops",
        "--kops-bin",
        &bin,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("--run-kops refused, nothing was written")
            && err.contains("kops cannot run a cluster from the file:// store")
            && err.contains("palisade state-bucket create s3://BUCKET")
            && err.contains(&format!("palisade apply -f {f} --state s3://BUCKET")),
        "{err}"
    );
    assert!(!record.exists(), "kops was not run");
    assert!(
        !dir.path()
            .join("state")
            .join("minimal.example.com")
            .exists(),
        "nothing was written"
    );

    let out = palisade(&["apply", "-f", &f, "--state", &state, "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        !shown.contains(&format!("--state {state}")) && !shown.contains("Next: kops"),
        "no kops line that kops cannot run: {shown}"
    );
    assert!(
        shown.contains("kops cannot run a cluster from the file:// store")
            && shown.contains("--state s3://BUCKET"),
        "{shown}"
    );
}

#[test]
fn run_kops_passes_exact_arguments_and_propagates_failure() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("s3://{}/kops", common::bucket("runkops"));
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let (bin, record) = stand_in(dir.path(), 0);

    let out = palisade(&[
        "apply",
        "-f",
        &f,
        "--state",
        &state,
        "--yes",
        "--run-kops",
        "--kops-bin",
        &bin,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let argv = std::fs::read_to_string(&record).expect("argv");
    assert_eq!(
        argv,
        format!("update\ncluster\n--name\nminimal.example.com\n--state\n{state}\n--yes\n")
    );
    assert!(text(&out.stdout).contains("kops says"));

    std::fs::remove_file(&record).expect("rm");
    let out = palisade(&[
        "plan",
        "-f",
        &f,
        "--state",
        &state,
        "--kops-preview",
        "--kops-bin",
        &bin,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let argv = std::fs::read_to_string(&record).expect("argv");
    assert_eq!(
        argv,
        format!("update\ncluster\n--name\nminimal.example.com\n--state\n{state}\n"),
        "preview must not pass --yes"
    );
    let shown = text(&out.stdout);
    assert!(
        shown.find("No changes.") < shown.find("kops says"),
        "kops output comes after Palisade's plan:\n{shown}"
    );

    let (failing, _) = stand_in(dir.path(), 3);
    let out = palisade(&[
        "apply",
        "-f",
        &f,
        "--state",
        &state,
        "--yes",
        "--run-kops",
        "--kops-bin",
        &failing,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("kops update cluster failed (exit 3)") && err.contains("kops complains"),
        "{err}"
    );

    let out = palisade(&[
        "apply",
        "-f",
        &f,
        "--state",
        &state,
        "--yes",
        "--run-kops",
        "--kops-bin",
        "/nonexistent/kops",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("install kops"),
        "{}",
        text(&out.stderr)
    );
}
