//! The entry points the fuzz targets drive, shared with the stable replay test
//! (`tests/fuzz_corpus.rs`), so that what the fuzzer found stays found without nightly.
//!
//! Each writes the input where a user's file would be and runs the real command line
//! (`palisade::cli::run`) on it, as the binary does. A panic is a crash; an exit code other than
//! 0, 1 or 2 is a failure too. Nothing is written outside a per-process scratch directory: the
//! saved-plan target names its own store with `--state`, so a plan for any other is refused.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use clap::Parser;

/// The six targets, by name (the directories under `fuzz/corpus/`).
pub const TARGETS: &[&str] = &[
    "cluster_file",
    "profile_chain",
    "kops_stream",
    "gke_json",
    "saved_plan",
    "store_objects",
];

/// The example the profile and store targets plan.
const EXAMPLE: &str = "examples/kops-minimal.yaml";
const CLUSTER: &str = "minimal.example.com";

/// The scratch directory of this process and target.
fn scratch(target: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-fuzz-{target}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs one command line; returns its exit code and what it printed.
pub fn palisade(args: &[String]) -> (u8, String, String) {
    let cli = match palisade::cli::Cli::try_parse_from(
        std::iter::once("palisade".to_string()).chain(args.iter().cloned()),
    ) {
        Ok(cli) => cli,
        Err(e) => panic!("the fuzz harness built a bad command line {args:?}: {e}"),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut input = Cursor::new(Vec::new());
    let code = palisade::cli::run(cli, &mut out, &mut err, &mut input, false);
    let (out, err) = (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    );
    assert!(code <= 2, "exit code {code} for {args:?}: {err}");
    (code, out, err)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// A store holding the example, applied once per process.
fn applied_store(root: &Path, dir: &Path) -> PathBuf {
    let state = dir.join("base-state");
    if !state.join(CLUSTER).join("config").exists() {
        let (code, _, err) = palisade(&[
            "apply".into(),
            "-f".into(),
            s(&root.join(EXAMPLE)),
            "--state".into(),
            format!("file://{}", s(&state)),
            "--yes".into(),
        ]);
        assert_eq!(
            code, 0,
            "cannot apply the example for the store target: {err}"
        );
    }
    state
}

/// Drives `target` with `data`; `root` is the project's root (for the examples).
pub fn run(target: &str, data: &[u8], root: &Path) {
    let dir = scratch(target);
    match target {
        "cluster_file" => {
            let file = dir.join("cluster.yaml");
            let _ = std::fs::write(&file, data);
            palisade(&["render".into(), "-f".into(), s(&file)]);
            palisade(&[
                "plan".into(),
                "-f".into(),
                s(&file),
                "--state".into(),
                format!("file://{}", s(&dir.join("state"))),
                "-o".into(),
                "json".into(),
            ]);
        }
        "profile_chain" => {
            let file = dir.join("profile.yaml");
            let _ = std::fs::write(&file, data);
            palisade(&["profiles".into(), "show".into(), s(&file)]);
            palisade(&[
                "audit".into(),
                "-f".into(),
                s(&root.join(EXAMPLE)),
                "--profile".into(),
                s(&file),
            ]);
        }
        "kops_stream" => {
            let file = dir.join("spec.yaml");
            let _ = std::fs::write(&file, data);
            palisade(&["harden".into(), "kops".into(), s(&file)]);
            palisade(&[
                "audit".into(),
                "--kops".into(),
                s(&file),
                "-o".into(),
                "json".into(),
            ]);
        }
        "gke_json" => {
            let file = dir.join("cluster.json");
            let _ = std::fs::write(&file, data);
            palisade(&[
                "audit".into(),
                "--gke-json".into(),
                s(&file),
                "-o".into(),
                "sarif".into(),
            ]);
        }
        "saved_plan" => {
            let file = dir.join("plan.json");
            let _ = std::fs::write(&file, data);
            // no --yes and no answer: shown, never written
            palisade(&[
                "apply".into(),
                s(&file),
                "--state".into(),
                format!("file://{}", s(&dir.join("state"))),
            ]);
        }
        "store_objects" => {
            let state = applied_store(root, &dir);
            let keys = [
                format!("{CLUSTER}/config"),
                format!("{CLUSTER}/instancegroup/nodes"),
                format!("{CLUSTER}/secrets/encryptionconfig"),
            ];
            let (which, body) = match data.split_first() {
                Some((first, rest)) => (&keys[usize::from(*first) % keys.len()], rest),
                None => (&keys[0], data),
            };
            let path = state.join(which);
            let original = std::fs::read(&path).unwrap_or_default();
            let _ = std::fs::write(&path, body);
            let url = format!("file://{}", s(&state));
            palisade(&[
                "plan".into(),
                "-f".into(),
                s(&root.join(EXAMPLE)),
                "--state".into(),
                url.clone(),
            ]);
            palisade(&["clusters".into(), "--state".into(), url]);
            let _ = std::fs::write(&path, original);
        }
        other => panic!("no fuzz target {other}"),
    }
}
