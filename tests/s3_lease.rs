//! The S3 apply lease against a real S3 server (moto, started by scripts/test.sh): racing
//! applies that touch different instance groups never interleave, a lease is renewed while
//! its holder waits, a killed holder blocks others only until its lease runs out, and
//! `force-unlock` shows and breaks a lease.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bucket, moto, root, text};

const CLUSTER: &str = "minimal.example.com";

fn example() -> String {
    std::fs::read_to_string(root().join("examples/kops-minimal.yaml")).expect("example")
}

/// The example with `from` replaced by `to` once, written to DIR/NAME.
fn variant(dir: &Path, name: &str, from: &str, to: &str) -> PathBuf {
    let text = example();
    assert!(text.contains(from), "{from}");
    let path = dir.join(name);
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    path
}

fn palisade(args: &[&str], lease_seconds: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_palisade"));
    c.args(args)
        .env("NO_COLOR", "1")
        .env("PALISADE_LEASE_SECONDS", lease_seconds)
        .env("AWS_ENDPOINT_URL", moto());
    c
}

fn run(args: &[&str], lease_seconds: &str) -> (Option<i32>, String, String) {
    let out = palisade(args, lease_seconds).output().expect("run");
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The stored document at `key` of the store `url`, as text (through `palisade`'s own reader).
fn stored(url: &str, key: &str) -> String {
    let b = url.trim_start_matches("s3://");
    let (bucket, prefix) = b.split_once('/').unwrap_or((b, ""));
    let store = palisade::state::S3Store::open(
        url,
        bucket,
        prefix,
        palisade::state::S3Options {
            path_style: true,
            kms_key_id: None,
            endpoint_url: Some(moto()),
            lease: None,
            region: None,
        },
    )
    .expect("store");
    use palisade::state::StateStore;
    let o = store.get(key).expect("get").expect("present");
    String::from_utf8(o.data).expect("utf-8")
}

#[test]
fn racing_applies_on_different_groups_never_interleave() {
    let dir = tempfile::tempdir().expect("tmp");
    let base = root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let nodes = variant(dir.path(), "nodes.yaml", "maxSize: 4", "maxSize: 5");
    let control = variant(
        dir.path(),
        "cp.yaml",
        "machineType: m6i.large",
        "machineType: m6i.xlarge",
    );
    let b = bucket("race-lease");
    for trial in 0..20 {
        let url = format!("s3://{b}/trial-{trial}");
        let (code, _, err) = run(&["apply", "-f", &base, "--state", &url, "--yes"], "60");
        assert_eq!(code, Some(0), "base: {err}");
        let children: Vec<_> = [&nodes, &control]
            .iter()
            .map(|f| {
                palisade(
                    &[
                        "apply",
                        "-f",
                        &f.display().to_string(),
                        "--state",
                        &url,
                        "--yes",
                        "--lock-timeout",
                        "60s",
                    ],
                    "60",
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().expect("wait");
            // the second waits for the first's lease, then plans on what the first wrote:
            // without the lease it would fail as stale, or interleave with the first
            assert_eq!(
                out.status.code(),
                Some(0),
                "trial {trial}: {}",
                text(&out.stderr)
            );
        }
        // each file declares the whole cluster, so run one after the other the result is
        // one file's: (nodes 5, control plane large) or (nodes 4, control plane xlarge).
        // Interleaved, both planned from the base and each wrote only its own group: a mix
        let groups = format!("{CLUSTER}/instancegroup");
        let five = stored(&url, &format!("{groups}/nodes")).contains("maxSize: 5");
        let xlarge = stored(&url, &format!("{groups}/control-plane-eu-west-1a"))
            .contains("machineType: m6i.xlarge");
        assert!(
            five != xlarge,
            "trial {trial}: the store holds a mix of both applies (nodes maxSize 5: {five}, control plane xlarge: {xlarge})"
        );
    }
}

#[test]
fn a_killed_holder_blocks_only_until_its_lease_runs_out() {
    let dir = tempfile::tempdir().expect("tmp");
    let b = bucket("killed-lease");
    let url = format!("s3://{b}/state");
    let nodes = variant(dir.path(), "nodes.yaml", "maxSize: 4", "maxSize: 5");
    let nodes = nodes.display().to_string();
    // a holder that takes the lease and waits at the question, with a 3-second lease
    let mut holder = palisade(&["apply", "-f", &nodes, "--state", &url], "3")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut err = BufReader::new(holder.stderr.take().expect("stderr"));
    let mut asked = String::new();
    while !asked.contains("Only 'yes'") {
        let mut line = String::new();
        if err.read_line(&mut line).expect("read") == 0 {
            panic!("the holder ended before asking: {asked}");
        }
        asked.push_str(&line);
        // the question has no newline: read what there is
        if line.contains("Apply these changes") {
            break;
        }
    }
    // renewed while it waits: still held after twice its length
    std::thread::sleep(Duration::from_secs(6));
    let (code, _, e) = run(&["apply", "-f", &nodes, "--state", &url, "--yes"], "3");
    assert_eq!(code, Some(1), "{e}");
    assert!(e.contains("apply lease") && e.contains("held by"), "{e}");

    // force-unlock shows it (and, without an answer, keeps it)
    let (code, out, e) = run(&["force-unlock", CLUSTER, "--state", &url], "3");
    assert_eq!(code, Some(1), "{out}{e}");
    assert!(
        out.contains("held by") && e.contains("the lease is kept"),
        "{out}{e}"
    );

    holder.kill().expect("kill -9");
    let _ = holder.wait();
    // refused at once while the dead holder's lease runs, taken once it has run out
    let (code, _, e) = run(&["apply", "-f", &nodes, "--state", &url, "--yes"], "3");
    assert_eq!(code, Some(1), "{e}");
    let start = Instant::now();
    let (code, _, e) = run(
        &[
            "apply",
            "-f",
            &nodes,
            "--state",
            &url,
            "--yes",
            "--lock-timeout",
            "30s",
        ],
        "3",
    );
    assert_eq!(code, Some(0), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "waited past the timeout"
    );
    assert!(stored(&url, &format!("{CLUSTER}/instancegroup/nodes")).contains("maxSize: 5"));
    // released at the end of that apply: the next one takes it at once
    let (code, _, e) = run(&["apply", "-f", &nodes, "--state", &url, "--yes"], "3");
    assert_eq!(code, Some(0), "{e}");
}

#[test]
fn force_unlock_breaks_a_held_lease_and_only_that_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let b = bucket("force-unlock");
    let url = format!("s3://{b}/state");
    let nodes = variant(dir.path(), "nodes.yaml", "maxSize: 4", "maxSize: 5");
    let nodes = nodes.display().to_string();
    let (code, out, _) = run(&["force-unlock", CLUSTER, "--state", &url], "60");
    assert_eq!(code, Some(0));
    assert!(out.contains("no apply lease"), "{out}");

    let mut holder = palisade(&["apply", "-f", &nodes, "--state", &url], "60")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // wait until the lease is there
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, out, _) = run(&["force-unlock", CLUSTER, "--state", &url, "--yes"], "60");
        if out.contains("broken") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the holder never took the lease: {out}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // the holder, answering yes now, finds its lease gone and writes nothing
    use std::io::Write;
    let mut stdin = holder.stdin.take().expect("stdin");
    writeln!(stdin, "yes").expect("answer");
    drop(stdin);
    let out = holder.wait_with_output().expect("wait");
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{e}");
    assert!(e.contains("lost its lease") && e.contains("0 of"), "{e}");
    let (code, out, _) = run(&["force-unlock", CLUSTER, "--state", &url], "60");
    assert_eq!(code, Some(0));
    assert!(out.contains("is free"), "{out}");

    // a file store keeps no lease
    let file = format!("file://{}/state", dir.path().display());
    let (code, _, e) = run(&["force-unlock", CLUSTER, "--state", &file], "60");
    assert_eq!(code, Some(1));
    assert!(e.contains("keeps no lease"), "{e}");
}
