//! Issue 14: many cluster files in one run. A directory of twelve files (kops clusters, two
//! GKE ones planned against the fake container API, one malformed, one refused, one with an
//! expired waiver, one that is not a Palisade file): every valid one is planned, the bad ones
//! are reported at their line without stopping the others, the exit code is the worst, and the
//! output is the same on every run.

mod common;

use common::gke_fake::FakeGke;
use common::{root, text, write};

fn example(name: &str) -> String {
    std::fs::read_to_string(root().join("examples").join(name)).expect("example")
}

/// The repository a platform team would keep: `clusters/ENV/NAME.yaml`.
fn fleet(dir: &std::path::Path) {
    let kops = example("kops-minimal.yaml");
    for env in ["dev", "prod"] {
        std::fs::create_dir_all(dir.join("clusters").join(env)).expect("dir");
    }
    for i in 1..=6 {
        let env = if i % 2 == 0 { "prod" } else { "dev" };
        let body = kops.replace(
            "name: minimal.example.com",
            &format!("name: c{i}.example.com"),
        );
        write(
            &dir.join("clusters").join(env),
            &format!("c{i}.yaml"),
            &body,
        );
    }
    write(
        &dir.join("clusters/prod"),
        "payments.yaml",
        &example("gke-private.yaml"),
    );
    write(
        &dir.join("clusters/prod"),
        "storefront.yaml",
        &example("gke-autopilot.yaml"),
    );
    write(
        &dir.join("clusters/dev"),
        "broken.yaml",
        "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: broken.example.com\nkops:\n  cloud: aws\n  region: [eu-west-1\n",
    );
    write(
        &dir.join("clusters/dev"),
        "open.yaml",
        &kops
            .replace("name: minimal.example.com", "name: open.example.com")
            .replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]"),
    );
    write(
        &dir.join("clusters/dev"),
        "expired.yaml",
        &(kops
            .replace("name: minimal.example.com", "name: expired.example.com")
            .replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]")
            + "waivers:\n- control: api-access-restricted\n  reason: \"demo\"\n  expires: 2020-01-01\n"),
    );
    write(
        &dir.join("clusters"),
        "configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
}

fn plan(fake: &FakeGke, dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    fake.command()
        .arg("plan")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run palisade")
}

#[test]
fn a_directory_of_cluster_files_is_planned_in_one_run() {
    let example = example("kops-minimal.yaml");
    assert!(example.contains("apiCidrs: [203.0.113.0/24]"), "{example}");
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    let fake = FakeGke::start();
    let state = format!("file://{}/state", dir.path().display());
    let args = ["-f", "clusters", "--state", &state, "--detailed-exitcode"];
    let first = plan(&fake, dir.path(), &args);
    let out = text(&first.stdout);
    let err = text(&first.stderr);
    assert_eq!(
        first.status.code(),
        Some(1),
        "errors win over changes:\n{out}\n{err}"
    );

    // every valid one planned, in path order, each headed by its file and cluster
    let headers: Vec<&str> = out.lines().filter(|l| l.starts_with("== ")).collect();
    assert_eq!(
        headers,
        [
            "== clusters/dev/broken.yaml ==",
            "== clusters/dev/c1.yaml (kops c1.example.com) ==",
            "== clusters/dev/c3.yaml (kops c3.example.com) ==",
            "== clusters/dev/c5.yaml (kops c5.example.com) ==",
            "== clusters/dev/expired.yaml ==",
            "== clusters/dev/open.yaml ==",
            "== clusters/prod/c2.yaml (kops c2.example.com) ==",
            "== clusters/prod/c4.yaml (kops c4.example.com) ==",
            "== clusters/prod/c6.yaml (kops c6.example.com) ==",
            "== clusters/prod/payments.yaml (GKE projects/acme-payments-prod/locations/europe-west1/clusters/payments-prod) ==",
            "== clusters/prod/storefront.yaml (GKE projects/acme-storefront-prod/locations/us-central1/clusters/storefront-prod) ==",
        ],
        "{out}"
    );
    // the malformed one at its line, the refused one by its control, the expired waiver said
    assert!(out.contains("error: clusters/dev/broken.yaml:6:"), "{out}");
    assert!(
        out.contains("clusters/dev/open.yaml:") && out.contains("api-access-restricted"),
        "{out}"
    );
    assert!(
        out.contains("clusters/dev/expired.yaml:") && out.contains("[waiver-expired]"),
        "{out}"
    );
    assert!(
        out.contains("Summary: 11 cluster file(s): 8 planned (8 with changes), 2 refused, 1 not planned (errors). 1 other YAML file(s) skipped."),
        "{out}"
    );
    assert!(fake.rejected().is_empty(), "{:?}", fake.rejected());

    // the same bytes on every run
    for _ in 0..19 {
        let again = plan(&fake, dir.path(), &args);
        assert_eq!(again.status.code(), Some(1));
        assert_eq!(text(&again.stdout), out);
    }

    // without the bad files: changes pending (2), or success (0) without --detailed-exitcode
    for bad in ["dev/broken.yaml", "dev/open.yaml", "dev/expired.yaml"] {
        std::fs::remove_file(dir.path().join("clusters").join(bad)).expect("rm");
    }
    let pending = plan(&fake, dir.path(), &args);
    assert_eq!(pending.status.code(), Some(2), "{}", text(&pending.stderr));
    let ok = plan(&fake, dir.path(), &["-f", "clusters", "--state", &state]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
}

#[test]
fn json_holds_every_plan_in_the_plan_schema() {
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    let fake = FakeGke::start();
    let state = format!("file://{}/state", dir.path().display());
    let out = plan(
        &fake,
        dir.path(),
        &[
            "-f",
            "clusters/prod",
            "-f",
            "clusters/dev/broken.yaml",
            "--state",
            &state,
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["format_version"], 1);
    let clusters = doc["clusters"].as_array().expect("clusters");
    assert_eq!(clusters.len(), 6);
    let schema_out = common::palisade(&["schema", "--plan"]);
    let schema: serde_json::Value = serde_json::from_slice(&schema_out.stdout).expect("schema");
    let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
    for c in clusters {
        match c.get("plan") {
            Some(p) => {
                let errors: Vec<String> = validator.iter_errors(p).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{errors:?}");
            }
            None => {
                assert_eq!(c["file"], "clusters/dev/broken.yaml");
                assert_eq!(c["errors"][0]["line"], 6, "{c}");
                assert_eq!(c["errors"][0]["file"], "clusters/dev/broken.yaml", "{c}");
            }
        }
    }
    assert_eq!(doc["summary"]["planned"], 5, "{}", doc["summary"]);
}

#[test]
fn render_and_audit_take_the_same_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run")
    };
    // render: offline, every file that renders in one YAML stream, the bad ones on stderr
    let out = run(&["render", "-f", "clusters"]);
    assert_eq!(out.status.code(), Some(1), "the worst code");
    let stream = text(&out.stdout);
    let headers: Vec<&str> = stream
        .lines()
        .filter(|l| l.starts_with("# palisade render -f "))
        .collect();
    assert_eq!(headers.len(), 8, "{headers:?}");
    let err = text(&out.stderr);
    assert!(err.contains("error: clusters/dev/broken.yaml:6:"), "{err}");
    assert!(err.contains("clusters/dev/open.yaml:"), "{err}");

    // audit: a report per file, in path order
    let out = run(&[
        "audit",
        "-f",
        "clusters/prod",
        "-f",
        "clusters/dev/c1.yaml",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["errors"].as_array().map(Vec::len), Some(0));
    let sources: Vec<&str> = doc["reports"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["source"].as_str())
        .collect();
    assert_eq!(
        sources,
        [
            "clusters/dev/c1.yaml",
            "clusters/prod/c2.yaml",
            "clusters/prod/c4.yaml",
            "clusters/prod/c6.yaml",
            "clusters/prod/payments.yaml",
            "clusters/prod/storefront.yaml"
        ]
    );
    let md = run(&["audit", "-f", "clusters/prod", "-o", "markdown"]);
    assert_eq!(md.status.code(), Some(0));
    assert!(
        text(&md.stdout).starts_with("### Palisade audit: 5 cluster(s)"),
        "{}",
        text(&md.stdout)
    );
}

#[test]
fn apply_over_many_files_needs_yes_and_every_plan() {
    let dir = tempfile::tempdir().expect("tmp");
    fleet(dir.path());
    let state = format!("file://{}/state", dir.path().display());
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run")
    };
    let asked = run(&["apply", "-f", "clusters/dev", "--state", &state]);
    assert_eq!(asked.status.code(), Some(1));
    assert!(
        text(&asked.stderr).contains("--yes"),
        "{}",
        text(&asked.stderr)
    );
    // one file cannot be planned: nothing at all is applied
    let refused = run(&["apply", "-f", "clusters/dev", "--state", &state, "--yes"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = text(&refused.stderr);
    assert!(
        err.contains("3 of 6 cluster files could not be planned; nothing was applied")
            && err.contains("clusters/dev/broken.yaml:6:"),
        "{err}"
    );
    for c in ["c1", "c3", "c5"] {
        assert!(
            !dir.path().join(format!("state/{c}.example.com")).exists(),
            "nothing was written"
        );
    }
    for bad in ["broken.yaml", "open.yaml", "expired.yaml"] {
        std::fs::remove_file(dir.path().join("clusters/dev").join(bad)).expect("rm");
    }
    let applied = run(&["apply", "-f", "clusters/dev", "--state", &state, "--yes"]);
    assert_eq!(applied.status.code(), Some(0), "{}", text(&applied.stderr));
    assert!(text(&applied.stdout).contains("Applied 3 cluster file(s)."));
    for c in ["c1", "c3", "c5"] {
        assert!(dir
            .path()
            .join(format!("state/{c}.example.com/config"))
            .exists());
    }
    let again = run(&[
        "plan",
        "-f",
        "clusters/dev",
        "--state",
        &state,
        "--detailed-exitcode",
    ]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
}
