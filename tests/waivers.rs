//! Issue 14: `palisade waivers` across a repository of cluster files, soonest expiry first;
//! `--expiring-within 30d` exits 2 when a waiver expires within 30 days (or has expired) and 0
//! when none does.

mod common;

use common::{root, text, write};
use palisade::cluster_file::Date;

fn with_waiver(name: &str, expires: Option<Date>) -> String {
    let kops = std::fs::read_to_string(root().join("examples/kops-minimal.yaml")).expect("read");
    let mut body = kops
        .replace("name: minimal.example.com", &format!("name: {name}"))
        .replace("apiCidrs: [203.0.113.0/24]", "apiCidrs: [0.0.0.0/0]");
    body.push_str("waivers:\n- control: api-access-restricted\n  reason: \"public demo\"\n");
    if let Some(d) = expires {
        body.push_str(&format!("  expires: {d}\n"));
    }
    body
}

fn waivers(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .arg("waivers")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

#[test]
fn a_waiver_expiring_within_the_window_exits_2() {
    let today = Date::today();
    let dir = tempfile::tempdir().expect("tmp");
    let clusters = dir.path().join("clusters");
    std::fs::create_dir(&clusters).expect("dir");
    write(
        &clusters,
        "later.yaml",
        &with_waiver("later.example.com", Some(today.days_after(100))),
    );
    write(
        &clusters,
        "never.yaml",
        &with_waiver("never.example.com", None),
    );
    write(
        &clusters,
        "soon.yaml",
        &with_waiver("soon.example.com", Some(today.days_after(10))),
    );

    let out = waivers(dir.path(), &["-f", "clusters", "--expiring-within", "30d"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    let order: Vec<&str> = shown
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.ends_with(".example.com")))
        .collect();
    assert_eq!(
        order,
        ["soon.example.com", "later.example.com", "never.example.com"],
        "{shown}"
    );
    assert!(shown.contains("expires in 10 day(s)"), "{shown}");

    let json = waivers(dir.path(), &["-f", "clusters", "-o", "json"]);
    assert_eq!(
        json.status.code(),
        Some(0),
        "no window asked: {}",
        text(&json.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(doc["waivers"].as_array().map(Vec::len), Some(3));
    assert_eq!(doc["waivers"][0]["control"], "api-access-restricted");
    assert_eq!(doc["waivers"][0]["reason"], "public demo");

    std::fs::remove_file(clusters.join("soon.yaml")).expect("rm");
    let out = waivers(dir.path(), &["-f", "clusters", "--expiring-within", "30d"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // an expired waiver is listed as such, and is due
    write(
        &clusters,
        "old.yaml",
        &with_waiver("old.example.com", Date::parse("2020-01-01")),
    );
    let out = waivers(
        dir.path(),
        &[
            "-f",
            "clusters",
            "--expiring-within",
            "30d",
            "-o",
            "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let md = text(&out.stdout);
    assert!(
        md.lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("| 2020-01-01 | expired | old.example.com |")),
        "{md}"
    );
}
