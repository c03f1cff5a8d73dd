//! The real binary driven through `palisade init` in a pseudo-terminal, as a person would type
//! it, for both providers: a malformed CIDR (asked again), 0.0.0.0/0 (warned, a waiver reason
//! and an expiry asked, a bad date asked again), on GKE the Compute Engine default account
//! (refused, then replaced or accepted with a waiver). The written file renders, passes audit
//! and plans (kops: against a file store; GKE: against the fake container API, through to
//! apply and "no changes"), and `init --no-input` with the same answers writes the same bytes.
//! Without a terminal, init refuses and writes nothing.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::gke_fake::FakeGke;
use common::{palisade, text};
use palisade::cluster_file::Date;
use rexpect::session::{spawn_command, PtySession};

const DOWN: &str = "\x1b[B";

/// `palisade init -o OUT` in a pseudo-terminal, answered one prompt at a time.
struct Wizard(PtySession);

impl Wizard {
    fn start(out: &Path) -> Wizard {
        Wizard::start_with(out, &[])
    }

    fn start_with(out: &Path, extra: &[&str]) -> Wizard {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
        cmd.args(["init", "-o", &out.display().to_string()])
            .args(extra)
            .env("TERM", "xterm")
            .env("NO_COLOR", "1");
        Wizard(spawn_command(cmd, Some(30_000)).expect("spawn in a pty"))
    }

    fn wait(&mut self, s: &str) {
        self.0
            .exp_string(s)
            .unwrap_or_else(|e| panic!("waiting for {s:?}: {e}"));
    }

    /// Waits for `prompt`, then types `line` and Enter (an empty line takes the default).
    fn answer(&mut self, prompt: &str, line: &str) {
        self.wait(prompt);
        self.0.send_line(line).expect("send");
    }

    /// Waits for a list, moves `down` items from the default and picks that one.
    fn choose(&mut self, prompt: &str, down: usize) {
        self.wait(prompt);
        self.0.send(&DOWN.repeat(down)).expect("send");
        self.0.send_line("").expect("send");
    }

    /// Waits for a yes/no question and presses `key` (no Enter: dialoguer takes the key).
    fn press(&mut self, prompt: &str, key: &str) {
        self.wait(prompt);
        self.0.send(key).expect("send");
        self.0.flush().expect("flush");
    }

    fn finish(mut self) {
        self.wait("Next: palisade plan -f");
        self.0.process.wait().expect("exit");
    }
}

/// A date `days` from today, as YYYY-MM-DD.
fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    Date::from_unix_days(now.div_euclid(86_400) + days).to_string()
}

/// `palisade init --no-input -o OUT ARGS…` writes exactly `expected`.
fn no_input_writes_the_same(dir: &Path, args: &[&str], expected: &str) {
    let scripted = dir.join("scripted.yaml");
    let mut all = vec!["init", "--no-input", "-o"];
    let path = scripted.display().to_string();
    all.push(&path);
    all.extend_from_slice(args);
    let s = palisade(&all);
    assert_eq!(s.status.code(), Some(0), "{}", text(&s.stderr));
    assert_eq!(
        std::fs::read_to_string(&scripted).expect("scripted"),
        expected,
        "--no-input and the wizard differ"
    );
}

/// The file renders a request and passes audit at the default --fail-on high.
fn renders_and_audits(file: &str) {
    let render = palisade(&["render", "-f", file, "-o", "json"]);
    assert_eq!(render.status.code(), Some(0), "{}", text(&render.stderr));
    let audit = palisade(&["audit", "-f", file]);
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}{}",
        text(&audit.stdout),
        text(&audit.stderr)
    );
}

fn against(fake: &FakeGke, args: &[&str]) -> Output {
    fake.run(args)
}

/// Plan creates the cluster; apply makes that one call, which the fake finds valid; a second
/// plan has nothing left to do.
fn plans_and_applies_against_the_fake(file: &str) {
    let fake = FakeGke::start();
    let plan = against(&fake, &["plan", "-f", file, "--detailed-exitcode"]);
    let shown = text(&plan.stdout);
    assert_eq!(plan.status.code(), Some(2), "{shown}{}", text(&plan.stderr));
    assert!(
        shown.contains("+ clusters.create") && shown.contains("Plan:"),
        "{shown}"
    );
    let apply = against(&fake, &["apply", "-f", file, "--yes"]);
    assert_eq!(
        apply.status.code(),
        Some(0),
        "{}{}",
        text(&apply.stdout),
        text(&apply.stderr)
    );
    assert_eq!(fake.calls(), ["clusters.create"]);
    assert_eq!(fake.rejected(), Vec::<String>::new());
    let again = against(&fake, &["plan", "-f", file, "--detailed-exitcode"]);
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}{}",
        text(&again.stdout),
        text(&again.stderr)
    );
}

#[test]
fn the_kops_wizard_in_a_terminal_writes_a_file_that_plans() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("wizard.yaml");
    let mut w = Wizard::start(&out);
    w.choose("Provider", 0);
    w.answer("Route 53 DNS zone", "");
    w.answer("Cluster name", "pty.example.com");
    w.choose("Region", 0);
    w.choose("Control plane", 0);
    w.answer("Zones in eu-west-1", "");
    w.answer("Control-plane machine type", "");
    w.answer("Node machine type", "");
    w.answer("Fewest nodes", "");
    w.answer("Most nodes", "");
    w.answer("State store (s3://", "");
    w.wait("kops cannot run a cluster from a file:// state store");
    w.answer("Networks allowed to reach the API", "10.0.0.1/16");
    w.wait("host bits");
    w.0.send_line("0.0.0.0/0").expect("send");
    w.wait("opens the API to the whole internet");
    w.answer("the waiver's reason", "public demo cluster");
    w.answer("Waiver expires on", "");
    w.choose("SSH access", 0);
    w.choose("Profile", 0);
    w.answer("Namespaces (comma-separated", "payments, ingress");
    // the third item: ingress
    w.choose("Ingress namespace", 2);
    w.wait("The state store is file://./.palisade/state");
    w.finish();

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

    no_input_writes_the_same(
        dir.path(),
        &[
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
        ],
        &written,
    );
}

const KEY: &str = "projects/acme-security/locations/europe-west1/keyRings/gke/cryptoKeys/shop";

/// GKE Standard: a malformed CIDR, an open API with a waiver and its expiry (a bad date first),
/// the default compute account refused and replaced by the nodes' own.
#[test]
fn the_gke_wizard_in_a_terminal_writes_a_file_that_renders_audits_and_plans() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("gke.yaml");
    let expires = in_days(90);
    let mut w = Wizard::start(&out);
    w.choose("Provider", 1);
    w.answer("Project id", "acme-shop-prod");
    w.answer("Cluster name", "shop");
    w.choose("Mode", 0);
    w.answer("Location (region or zone)", "");
    w.answer("VPC network", "");
    w.answer("Subnetwork (in europe-west1)", "");
    w.answer("Secondary range for pods", "");
    w.answer("Secondary range for Services", "");
    w.wait("gcloud compute networks subnets create gke-europe-west1 --project acme-shop-prod --network gke-vpc --region europe-west1");
    w.choose("Release channel", 0);
    w.choose("Network policy", 0);
    w.answer("Node machine type", "");
    w.answer("Fewest nodes per zone", "");
    w.answer("Most nodes per zone", "");
    w.choose("Profile", 0);
    w.answer("Networks allowed to reach the control plane", "10.0.0.1/16");
    w.wait("host bits");
    w.0.send_line("0.0.0.0/0").expect("send");
    w.wait("opens the API to the whole internet");
    w.answer("the waiver's reason", "public demo cluster");
    w.answer("Waiver expires on", "2026-02-30");
    w.wait("is not a date");
    w.0.send_line(&expires).expect("send");
    w.wait("gcloud iam service-accounts create gke-nodes --project acme-shop-prod");
    w.answer(
        "Node service account",
        "123456789012-compute@developer.gserviceaccount.com",
    );
    w.wait("that is the Compute Engine default account");
    w.press("Run the nodes as the Compute Engine default anyway", "n");
    w.answer(
        "Node service account",
        "gke-nodes@acme-shop-prod.iam.gserviceaccount.com",
    );
    w.answer("Cloud KMS key for Secrets", KEY);
    w.answer("Namespaces (comma-separated", "payments, ingress");
    w.choose("Ingress namespace", 2);
    w.finish();

    let written = std::fs::read_to_string(&out).expect("file written");
    assert!(
        written.contains("apiCidrs: [0.0.0.0/0]")
            && written.contains(&format!(
                "- control: api-access-restricted\n  reason: \"public demo cluster\"\n  expires: {expires}\n"
            ))
            && written.contains("  nodeServiceAccount: gke-nodes@acme-shop-prod.iam.gserviceaccount.com\n")
            && !written.contains("node-service-account\n"),
        "{written}"
    );
    let file = out.display().to_string();
    renders_and_audits(&file);
    plans_and_applies_against_the_fake(&file);
    no_input_writes_the_same(
        dir.path(),
        &[
            "--provider",
            "gke",
            "--name",
            "shop",
            "--project",
            "acme-shop-prod",
            "--location",
            "europe-west1",
            "--network",
            "gke-vpc",
            "--subnetwork",
            "gke-europe-west1",
            "--api-cidr",
            "0.0.0.0/0",
            "--api-waiver-reason",
            "public demo cluster",
            "--api-waiver-expires",
            &expires,
            "--node-service-account",
            "gke-nodes@acme-shop-prod.iam.gserviceaccount.com",
            "--secrets-kms-key",
            KEY,
            "--namespaces",
            "payments,ingress",
            "--ingress-namespace",
            "ingress",
        ],
        &written,
    );
}

/// GKE Autopilot: a zone refused (Autopilot is regional), the default compute account accepted
/// with a waiver and an expiry, no KMS key with a waiver of its own.
#[test]
fn the_gke_autopilot_wizard_accepts_the_default_account_with_a_waiver() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("autopilot.yaml");
    let expires = in_days(30);
    // the provider given as a flag is not asked again
    let mut w = Wizard::start_with(&out, &["--provider", "gke"]);
    let before = w.0.exp_string("Project id").expect("the first question");
    assert!(!before.contains("Provider"), "{before}");
    w.0.send_line("acme-storefront").expect("send");
    w.answer("Cluster name", "storefront");
    w.choose("Mode", 1);
    w.answer("Location (region or zone)", "us-central1-a");
    w.wait("Autopilot clusters are regional");
    w.0.send_line("us-central1").expect("send");
    w.answer("VPC network", "prod-vpc");
    w.answer("Subnetwork (in us-central1)", "");
    w.answer("Secondary range for pods", "");
    w.answer("Secondary range for Services", "");
    w.choose("Release channel", 0);
    w.choose("Profile", 0);
    w.answer(
        "Networks allowed to reach the control plane",
        "10.200.0.0/24",
    );
    w.answer("Node service account", "default");
    w.wait("that is the Compute Engine default account");
    w.press("Run the nodes as the Compute Engine default anyway", "y");
    w.answer(
        "the waiver's reason",
        "node accounts come with the platform project",
    );
    w.answer("Waiver expires on", &expires);
    w.answer("Cloud KMS key for Secrets", "");
    w.wait("Secrets have only Google's storage-layer encryption");
    w.answer("the waiver's reason", "no KMS yet");
    w.answer("Waiver expires on", "");
    w.answer("Namespaces (comma-separated", "");
    w.finish();

    let written = std::fs::read_to_string(&out).expect("file written");
    assert!(
        written.contains("  mode: autopilot\n")
            && !written.contains("\n  nodeServiceAccount:")
            && written.contains(&format!(
                "- control: node-service-account\n  reason: \"node accounts come with the platform project\"\n  expires: {expires}\n- control: secrets-encryption-at-rest\n  reason: \"no KMS yet\"\n"
            )),
        "{written}"
    );
    let file = out.display().to_string();
    renders_and_audits(&file);
    plans_and_applies_against_the_fake(&file);
    no_input_writes_the_same(
        dir.path(),
        &[
            "--provider",
            "gke",
            "--mode",
            "autopilot",
            "--name",
            "storefront",
            "--project",
            "acme-storefront",
            "--location",
            "us-central1",
            "--network",
            "prod-vpc",
            "--subnetwork",
            "gke-us-central1",
            "--api-cidr",
            "10.200.0.0/24",
            "--node-service-account",
            "default",
            "--node-sa-waiver-reason",
            "node accounts come with the platform project",
            "--node-sa-waiver-expires",
            &expires,
            "--secrets-waiver-reason",
            "no KMS yet",
        ],
        &written,
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
