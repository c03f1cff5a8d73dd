//! The real binary driven through `palisade init` in a pseudo-terminal, as a person would type
//! it: a malformed CIDR (asked again), 0.0.0.0/0 (warned, a waiver reason asked), then the
//! written file passes `palisade plan`, and `init --no-input` with the same answers writes the
//! same bytes. Without a terminal, init refuses and writes nothing.

mod common;

use std::process::Command;

use common::{palisade, text};
use rexpect::session::spawn_command;

fn wait(p: &mut rexpect::session::PtySession, s: &str) {
    p.exp_string(s)
        .unwrap_or_else(|e| panic!("waiting for {s:?}: {e}"));
}

#[test]
fn the_wizard_in_a_terminal_writes_a_file_that_plans() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("wizard.yaml");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(["init", "-o", &out.display().to_string()])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut p = spawn_command(cmd, Some(30_000)).expect("spawn in a pty");
    wait(&mut p, "Route 53 DNS zone");
    p.send_line("").expect("send");
    wait(&mut p, "Cluster name");
    p.send_line("pty.example.com").expect("send");
    wait(&mut p, "Region");
    p.send_line("").expect("send");
    wait(&mut p, "Control plane");
    p.send_line("").expect("send");
    wait(&mut p, "Zones in eu-west-1");
    p.send_line("").expect("send");
    wait(&mut p, "Control-plane machine type");
    p.send_line("").expect("send");
    wait(&mut p, "Node machine type");
    p.send_line("").expect("send");
    wait(&mut p, "Fewest nodes");
    p.send_line("").expect("send");
    wait(&mut p, "Most nodes");
    p.send_line("").expect("send");
    wait(&mut p, "Networks allowed to reach the API");
    p.send_line("10.0.0.1/16").expect("send");
    wait(&mut p, "host bits");
    p.send_line("0.0.0.0/0").expect("send");
    wait(&mut p, "opens the API to the whole internet");
    wait(&mut p, "the waiver's reason");
    p.send_line("public demo cluster").expect("send");
    wait(&mut p, "SSH access");
    p.send_line("").expect("send");
    wait(&mut p, "Profile");
    p.send_line("").expect("send");
    wait(&mut p, "Namespaces (comma-separated");
    p.send_line("payments, ingress").expect("send");
    wait(&mut p, "Ingress namespace");
    // the third item: ingress
    p.send("\x1b[B\x1b[B").expect("send");
    p.send_line("").expect("send");
    wait(&mut p, "Next: palisade plan -f");
    p.process.wait().expect("exit");

    let written = std::fs::read_to_string(&out).expect("file written");
    assert!(
        written.contains("apiCidrs: [0.0.0.0/0]")
            && written.contains("reason: \"public demo cluster\"")
            && written.contains("- name: \"ingress\"\n  # the only namespace whose Services may be LoadBalancer or NodePort\n  ingress: true"),
        "{written}"
    );
    let state = format!("file://{}/state", dir.path().display());
    let plan = palisade(&["plan", "-f", &out.display().to_string(), "--state", &state]);
    assert_eq!(plan.status.code(), Some(0), "{}", text(&plan.stderr));
    assert!(
        text(&plan.stdout).contains("Waivers in effect:"),
        "the plan shows the waiver"
    );

    let scripted = dir.path().join("scripted.yaml");
    let s = palisade(&[
        "init",
        "--no-input",
        "-o",
        &scripted.display().to_string(),
        "--provider",
        "kops",
        "--name",
        "pty.example.com",
        "--region",
        "eu-west-1",
        "--zones",
        "eu-west-1a",
        "--api-cidr",
        "0.0.0.0/0",
        "--api-waiver-reason",
        "public demo cluster",
        "--profile",
        "baseline",
        "--namespaces",
        "payments,ingress",
        "--ingress-namespace",
        "ingress",
    ]);
    assert_eq!(s.status.code(), Some(0), "{}", text(&s.stderr));
    assert_eq!(
        std::fs::read_to_string(&scripted).expect("scripted"),
        written,
        "--no-input and the wizard differ"
    );
}

#[test]
fn without_a_terminal_init_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("x.yaml");
    let r = palisade(&["init", "-o", &out.display().to_string()]);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r.stderr).contains("--no-input"),
        "{}",
        text(&r.stderr)
    );
    assert!(!out.exists());
    let r = palisade(&[
        "init",
        "--no-input",
        "-o",
        &out.display().to_string(),
        "--name",
        "x.example.com",
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(!out.exists());
}
