//! Issue 14: the CI recipes. The pre-commit hook's own command renders the cluster files it
//! is handed (other YAML skipped) and fails at the line of a broken one; the GitHub Actions
//! workflow parses, runs on pull requests and on merges to main, and every Palisade command it
//! runs exists with the flags it passes (it cannot run on GitHub here: this checks what can be
//! checked).

mod common;

use std::process::Command;

use common::{root, text};
use serde_yaml::Value;

fn yaml(path: &str) -> Value {
    let body = std::fs::read_to_string(root().join(path)).expect(path);
    serde_yaml::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The hook's command, with the binary under test in place of `palisade`.
fn hook_command() -> Command {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hook = hooks
        .as_sequence()
        .and_then(|s| s.iter().find(|h| h["id"] == "palisade-render"))
        .expect("the palisade-render hook");
    assert_eq!(hook["language"], "rust", "pre-commit builds this crate");
    assert_eq!(hook["pass_filenames"], true);
    let entry: Vec<&str> = hook["entry"]
        .as_str()
        .expect("entry")
        .split_whitespace()
        .collect();
    assert_eq!(entry[0], "palisade");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(&entry[1..]).current_dir(root());
    if let Some(args) = hook["args"].as_sequence() {
        cmd.args(args.iter().filter_map(Value::as_str));
    }
    cmd
}

#[test]
fn the_pre_commit_hook_renders_the_changed_cluster_files_offline() {
    let files = [
        "examples/gitops/clusters/dev/eu-west-1.yaml",
        "examples/gitops/clusters/prod/eu-west-1.yaml",
        "examples/gitops/clusters/prod/payments-gke.yaml",
        "examples/gitops/profiles/team.yaml",
        "examples/gitops/.github/workflows/palisade.yml",
    ];
    let out = hook_command().args(files).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stream = text(&out.stdout);
    assert_eq!(
        stream.matches("# palisade render -f ").count(),
        3,
        "the three cluster files, the profile and the workflow skipped:\n{stream}"
    );

    let dir = tempfile::tempdir().expect("tmp");
    let body = std::fs::read_to_string(root().join(files[0]))
        .expect("read")
        .replace("minSize: 1", "minSize: one");
    let broken = common::write(dir.path(), "broken.yaml", &body);
    let out = hook_command()
        .args([&broken, files[1]])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{broken}:")), "{err}");
    assert!(err.contains("minSize"), "{err}");
}

/// `palisade …` invocations in a shell script: the words up to a redirection or `;`/`&&`/`||`.
fn invocations(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in script.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("palisade ") {
            let before = &rest[..i];
            // a word of its own, not part of a path or a name
            let starts_word = before.is_empty() || before.ends_with(' ') || before.ends_with('(');
            let tail = &rest[i + "palisade ".len()..];
            if starts_word && !before.trim_end().ends_with("--git") {
                let words: Vec<String> = tail
                    .split_whitespace()
                    .take_while(|w| !matches!(*w, ">" | ">>" | "||" | "&&" | ";" | "|"))
                    .map(|w| w.trim_matches('"').to_string())
                    .collect();
                out.push(words);
            }
            rest = tail;
        }
    }
    out
}

#[test]
fn the_workflow_parses_and_runs_commands_that_exist() {
    let wf = yaml("examples/gitops/.github/workflows/palisade.yml");
    assert!(
        wf["on"]["pull_request"].is_mapping(),
        "plans on pull requests"
    );
    assert_eq!(
        wf["on"]["push"]["branches"][0], "main",
        "applies on merge to main"
    );
    let jobs = wf["jobs"].as_mapping().expect("jobs");
    assert!(jobs.contains_key("plan") && jobs.contains_key("apply"));
    assert_eq!(
        wf["jobs"]["plan"]["permissions"]["pull-requests"], "write",
        "the plan job comments"
    );
    assert_eq!(
        wf["jobs"]["plan"]["permissions"]["security-events"],
        "write"
    );
    let mut seen = Vec::new();
    for (name, job) in jobs {
        let steps = job["steps"].as_sequence().expect("steps");
        for step in steps {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            for words in invocations(script) {
                // the subcommand, then the flags it passes
                let sub: Vec<&str> = words
                    .iter()
                    .take_while(|w| !w.starts_with('-') && !w.starts_with('$'))
                    .map(String::as_str)
                    .collect();
                let help = Command::new(env!("CARGO_BIN_EXE_palisade"))
                    .args(&sub)
                    .arg("--help")
                    .output()
                    .expect("run");
                assert_eq!(
                    help.status.code(),
                    Some(0),
                    "{name:?}: palisade {} does not exist",
                    sub.join(" ")
                );
                let help = text(&help.stdout);
                for flag in words.iter().filter(|w| w.starts_with("--")) {
                    assert!(
                        help.contains(flag.as_str()),
                        "{name:?}: palisade {} has no {flag}",
                        sub.join(" ")
                    );
                }
                seen.push(sub.join(" "));
            }
        }
    }
    for expected in ["plan", "audit", "apply"] {
        assert!(seen.iter().any(|s| s == expected), "{seen:?}");
    }
    // and what the plan job runs, run here on the repository's files offline
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "waivers",
            "-f",
            "examples/gitops/clusters",
            "--expiring-within",
            "30d",
        ])
        .current_dir(root())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
