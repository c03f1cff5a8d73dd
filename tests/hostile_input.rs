//! Inputs that are not what they claim: a secret given as a cluster file or profile is never
//! quoted back, endless or oversized streams and FIFOs are refused at once, and deep nesting or
//! long profile chains are errors, not a crash — through every entry point that reads them.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{palisade, text, write};

const PRIVATE_KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDSECRETSECRETSECRETSECRETSECRETSECRET\n-----END OPENSSH PRIVATE KEY-----\n";

/// Runs palisade, failing the test if it takes longer than 10 s (a hang) or is killed.
fn bounded(args: &[&str]) -> (Option<i32>, String) {
    let start = Instant::now();
    let out = palisade(args);
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        start.elapsed()
    );
    let err = text(&out.stderr);
    assert!(
        out.status.code().is_some() && !err.contains("panicked") && !err.contains("overflow"),
        "{args:?} crashed: {:?} {err}",
        out.status
    );
    (out.status.code(), err + &text(&out.stdout))
}

#[test]
fn a_secret_given_as_a_cluster_file_or_profile_is_never_quoted() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = write(dir.path(), "id_ed25519", PRIVATE_KEY);
    let cluster = write(
        dir.path(),
        "c.yaml",
        &format!(
            "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: x.example.com\nprofile: {key}\nkops: {{cloud: aws}}\n"
        ),
    );
    let example = common::root().join("examples/kops-minimal.yaml");
    let example = example.display().to_string();
    for args in [
        vec!["render", "-f", key.as_str()],
        vec!["render", "-f", key.as_str(), "-o", "json"],
        vec!["plan", "-f", key.as_str()],
        vec!["audit", "-f", key.as_str()],
        vec!["audit", "-f", example.as_str(), "--profile", key.as_str()],
        vec!["profiles", "show", key.as_str()],
        vec!["audit", "--kops", key.as_str()],
        vec!["harden", "kops", key.as_str()],
        vec!["audit", "--gke-json", key.as_str()],
        vec!["apply", key.as_str(), "--yes"],
        vec!["render", "-f", cluster.as_str()],
    ] {
        let (code, all) = bounded(&args);
        assert_eq!(code, Some(1), "{args:?}: {all}");
        for secret in ["b3BlbnNzaC1r", "SECRET", "PRIVATE KEY-----\n"] {
            assert!(!all.contains(secret), "{args:?} quoted the key: {all}");
        }
    }
    // a long value of the file is cut to an excerpt
    let long = format!("{}x", "a".repeat(400));
    let body = std::fs::read_to_string(&example).expect("example");
    assert!(body.contains("cloud: aws"));
    let f = write(
        dir.path(),
        "long.yaml",
        &body.replace("cloud: aws", &format!("cloud: {long}")),
    );
    let (code, all) = bounded(&["render", "-f", &f]);
    assert_eq!(code, Some(1), "{all}");
    assert!(!all.contains(&long) && all.contains("…"), "{all}");
}

#[test]
fn endless_streams_fifos_and_oversized_files_are_refused_at_once() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("fifo.yaml");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo")
        .success());
    let fifo = fifo.display().to_string();
    let big = dir.path().join("big.yaml");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(65 << 20)
        .expect("grow");
    let big = big.display().to_string();
    let example = common::root().join("examples/kops-minimal.yaml");
    let example = example.display().to_string();
    for input in ["/dev/zero", fifo.as_str(), big.as_str()] {
        for args in [
            vec!["render", "-f", input],
            vec!["audit", "-f", example.as_str(), "--profile", input],
            vec!["audit", "--kops", input],
            vec!["harden", "kops", input],
            vec!["audit", "--gke-json", input],
            vec!["apply", input, "--yes"],
        ] {
            let (code, all) = bounded(&args);
            assert_eq!(code, Some(1), "{args:?}: {all}");
            assert!(
                all.contains("not a regular file") || all.contains("the limit for"),
                "{args:?}: {all}"
            );
        }
    }
    // the SSH public key the cluster file names
    let body = std::fs::read_to_string(&example).expect("example");
    assert!(body.contains("  nodeGroups:"));
    let f2 = write(
        dir.path(),
        "ssh.yaml",
        &body.replacen(
            "  nodeGroups:",
            "  sshPublicKey: /dev/zero\n  nodeGroups:",
            1,
        ),
    );
    let (code, all) = bounded(&["render", "-f", &f2]);
    assert_eq!(code, Some(1), "{all}");
    assert!(
        all.contains("not a regular file") && all.contains("[unreadable-ssh-key]"),
        "{all}"
    );
}

#[test]
fn deep_nesting_and_long_profile_chains_are_errors_not_crashes() {
    let dir = tempfile::tempdir().expect("tmp");
    let flow = format!("{}1{}", "{a: ".repeat(3000), "}".repeat(3000));
    let dashes = format!("{}x", "- ".repeat(25_000));
    for (name, body) in [
        (
            "flow.yaml",
            format!(
                "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: x\noverrides: {flow}\n"
            ),
        ),
        ("dashes.yaml", format!("a:\n{dashes}\n")),
    ] {
        let f = write(dir.path(), name, &body);
        let (code, all) = bounded(&["render", "-f", &f]);
        assert_eq!(code, Some(1), "{name}: {all}");
        assert!(
            all.contains("nested deeper than 64 levels") && all.contains("[too-deep]"),
            "{name}: {all}"
        );
        let p = write(
            dir.path(),
            &format!("profile-{name}"),
            &format!(
                "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: p\ncontrols: {flow}\n"
            ),
        );
        let (code, all) = bounded(&["profiles", "show", &p]);
        assert_eq!(code, Some(1), "{all}");
        assert!(all.contains("nested deeper than 64 levels"), "{all}");
    }
    // a kops spec and GKE JSON nested too deep are refused by their parsers' limits
    let spec = write(
        dir.path(),
        "spec.yaml",
        &format!("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {{name: x}}\nspec: {flow}\n"),
    );
    let (code, all) = bounded(&["audit", "--kops", &spec]);
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("recursion limit exceeded"), "{all}");
    let json = write(
        dir.path(),
        "deep.json",
        &format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
    );
    let (code, all) = bounded(&["audit", "--gke-json", &json]);
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("recursion limit exceeded"), "{all}");

    // 20 profiles, each extending the next
    for i in 0..20 {
        let extends = if i < 19 {
            format!("extends: ./p{}.yaml\n", i + 1)
        } else {
            "extends: baseline\n".to_string()
        };
        write(
            dir.path(),
            &format!("p{i}.yaml"),
            &format!("apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: p{i}\n{extends}"),
        );
    }
    let p0 = dir.path().join("p0.yaml").display().to_string();
    let (code, all) = bounded(&["profiles", "show", &p0]);
    assert_eq!(code, Some(1), "{all}");
    assert!(
        all.contains("the profile chain is longer than 16 profiles"),
        "{all}"
    );
    // a chain of 10 is fine
    let p10 = dir.path().join("p10.yaml").display().to_string();
    let (code, all) = bounded(&["profiles", "show", &p10]);
    assert_eq!(code, Some(0), "{all}");
}

#[test]
fn unclosed_flow_brackets_are_refused_in_bounded_time() {
    let dir = tempfile::tempdir().expect("tmp");
    for body in [
        format!("a: {}", "[".repeat(100_000)),
        format!("a: don't {}", "{".repeat(100_000)),
    ] {
        let f = write(dir.path(), "flow.yaml", &body);
        let (code, all) = bounded(&["render", "-f", &f]);
        assert_eq!(code, Some(1), "{all}");
        assert!(all.contains("[too-deep]"), "{all}");
        let p = write(
            dir.path(),
            "p.yaml",
            &format!(
                "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: p\ncontrols: {}\n",
                &body[3..]
            ),
        );
        let (code, all) = bounded(&["profiles", "show", &p]);
        assert_eq!(code, Some(1), "{all}");
        assert!(all.contains("nested deeper than 64 levels"), "{all}");
    }
}

#[test]
fn access_list_messages_show_a_bounded_printable_excerpt() {
    let dir = tempfile::tempdir().expect("tmp");
    let huge = "9".repeat(300_000);
    let body = std::fs::read_to_string(common::root().join("tests/fixtures/kops-specs/minimal-aws.yaml"))
        .expect("spec")
        .replacen(
            "  kubernetesApiAccess:\n  - 0.0.0.0/0\n",
            &format!("  kubernetesApiAccess:\n  - 0.0.0.0/1\n  - 128.0.0.0/1\n  - \"x\\e[2K\\r\\e[32mPASS {huge}\"\n"),
            1,
        );
    let spec = write(dir.path(), "spec.yaml", &body);
    let out = palisade(&["audit", "--kops", &spec]);
    let shown = text(&out.stdout) + &text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        &shown[..shown.len().min(2000)]
    );
    assert!(shown.len() < 20_000, "{} bytes of output", shown.len());
    assert!(
        !shown.contains('\u{1b}'),
        "a raw escape sequence reached the terminal"
    );
    assert!(shown.contains("and") || shown.contains('…'), "{shown}");
}

#[test]
fn a_malformed_profile_named_by_the_cluster_file_is_a_coded_json_error() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        "team.yaml",
        "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  no-such-control: enforce\n",
    );
    let body = std::fs::read_to_string(common::root().join("examples/kops-minimal.yaml"))
        .expect("example")
        .replace("profile: baseline", "profile: ./team.yaml");
    let f = write(dir.path(), "c.yaml", &body);
    let out = palisade(&["render", "-f", &f, "-o", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("[invalid-profile]"),
        "{}",
        text(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON errors");
    assert_eq!(doc["errors"][0]["code"], "invalid-profile", "{doc}");
    assert_eq!(doc["errors"][0]["line"], 6, "{doc}");
}

#[test]
fn a_gke_inventory_of_more_clusters_than_a_file_holds_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let many: Vec<String> = (0..10_001)
        .map(|i| format!("{{\"name\":\"c{i}\",\"nodePools\":[]}}"))
        .collect();
    let file = write(dir.path(), "many.json", &format!("[{}]", many.join(",")));
    let (code, out) = bounded(&["audit", "--gke-json", &file]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("10001 clusters in one file; a file holds at most 10000"),
        "{out}"
    );
}
