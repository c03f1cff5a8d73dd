//! The init flow with scripted answers: each branch of both providers, and that every file it
//! writes loads and renders (so the profile's controls pass or are waived).

mod common;

use std::path::Path;

use common::{palisade, text};
use palisade::cluster_file::{load_str, Date};
use palisade::profile::resolve;
use palisade::provider::{for_cluster_file, DocFormat, Loaded, Settings};
use palisade::wizard::{
    cluster_file_text, run_flow, Answers, Facts, GkeNodes, NodeAccount, ScriptedPrompter,
    SecretsKey, SshAccess, StateStore,
};

/// Runs the flow with `answers`, then no namespaces, and checks the file it leads to.
fn run(answers: &[&str]) -> (Answers, ScriptedPrompter, String) {
    let mut all = answers.to_vec();
    all.push("");
    run_exactly(&all)
}

/// Runs the flow with exactly `answers` (every one used) and checks the file it leads to.
fn run_exactly(answers: &[&str]) -> (Answers, ScriptedPrompter, String) {
    let mut p = ScriptedPrompter::new(answers);
    let a =
        run_flow(&mut p, &Facts::builtin()).unwrap_or_else(|e| panic!("{e}; said {:?}", p.said));
    assert!(
        p.left() == 0,
        "answers left over; said {:?}, rejected {:?}",
        p.said,
        p.rejected
    );
    let text = cluster_file_text(&a);
    renders(&text);
    (a, p, text)
}

/// The file loads and renders, refusing nothing.
fn renders(text: &str) {
    let (file, source) = load_str(
        text,
        Path::new("palisade.yaml"),
        Date::today(),
        palisade::controls::is_known,
    )
    .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let profile = resolve(&file.profile.list(), Path::new(".")).expect("profile");
    let loaded = Loaded {
        file,
        source,
        profile,
    };
    for_cluster_file(&loaded.file)
        .render(&loaded, &Settings::default(), DocFormat::Json)
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
}

fn said(p: &ScriptedPrompter, what: &str) -> bool {
    p.said.iter().any(|s| s.contains(what))
}

fn rejected(p: &ScriptedPrompter, what: &str) -> bool {
    p.rejected.iter().any(|s| s.contains(what))
}

/// A date `days` from today, as the file writes it.
fn in_days(days: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    Date::from_unix_days(now.div_euclid(86_400) + days).to_string()
}

// kops order: provider, dns zone, name, region, control plane, zones, cp type, node type, min,
// max, state store, [bucket region], api cidrs, [waiver reason, expiry], ssh, [bastion cidrs],
// profile, [discovery store], namespaces, [ingress]

#[test]
fn the_plain_path_takes_the_defaults() {
    let (a, p, text) = run(&[
        "",
        "",
        "dev.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "none",
        "baseline",
    ]);
    let k = a.kops().expect("kops");
    assert_eq!(k.region, "eu-west-1");
    assert_eq!(k.zones, vec!["eu-west-1a"]);
    assert_eq!((k.control_plane_count, k.nodes_min, k.nodes_max), (1, 2, 4));
    assert_eq!(k.ssh, SshAccess::None);
    assert_eq!(k.state_store, StateStore::Local);
    assert!(
        text.contains("apiCidrs: [203.0.113.0/24]") && !text.contains("waivers:"),
        "{text}"
    );
    assert!(text.contains("# no sshCidrs: no SSH"));
    assert!(!said(&p, "GKE is not supported"));
}

#[test]
fn a_bad_name_is_explained_and_asked_again() {
    let (a, p, _) = run(&[
        "kops",
        "",
        "My_Cluster",
        "dev",
        "dev.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "10.1.0.0/16",
        "",
        "",
    ]);
    assert_eq!(a.name, "dev.example.com");
    assert!(
        p.rejected[0].contains("not a valid DNS name"),
        "{:?}",
        p.rejected
    );
    assert!(
        p.rejected[1].contains("a name with a dot"),
        "{:?}",
        p.rejected
    );
}

#[test]
fn with_a_dns_zone_the_name_must_be_inside_it() {
    let (a, p, text) = run(&[
        "",
        "k8s.example.com",
        "prod.example.org",
        "prod.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "198.51.100.0/24",
        "",
        "",
    ]);
    assert_eq!(
        a.kops().expect("kops").dns_zone.as_deref(),
        Some("k8s.example.com")
    );
    assert!(
        p.rejected[0].contains("not inside the DNS zone"),
        "{:?}",
        p.rejected
    );
    assert!(text.contains("dnsZone: \"k8s.example.com\""));
}

#[test]
fn three_control_plane_nodes_need_three_zones() {
    let (a, p, text) = run(&[
        "",
        "",
        "ha.example.com",
        "us-east-1",
        "1",
        "us-east-1a",
        "us-east-1q,us-east-1b,us-east-1c",
        "us-east-1a,us-east-1b,us-east-1c",
        "",
        "",
        "3",
        "9",
        "",
        "203.0.113.0/24",
        "",
        "",
    ]);
    let k = a.kops().expect("kops");
    assert_eq!(k.control_plane_count, 3);
    assert_eq!(k.zones.len(), 3);
    assert!(p.rejected[0].contains("need 3 zones"), "{:?}", p.rejected);
    assert!(
        p.rejected[1].contains("us-east-1q is not a zone"),
        "{:?}",
        p.rejected
    );
    assert!(text.contains("count: 3"));
}

#[test]
fn a_burstable_type_is_warned_and_can_be_refused_or_kept() {
    let (a, p, _) = run(&[
        "",
        "",
        "dev.example.com",
        "",
        "",
        "",
        "t3.large",
        "n",
        "m6i.large",
        "t3.medium",
        "y",
        "",
        "",
        "",
        "203.0.113.0/24",
        "",
        "",
    ]);
    let k = a.kops().expect("kops");
    assert_eq!(k.control_plane_type, "m6i.large");
    assert_eq!(k.node_type, "t3.medium");
    assert_eq!(
        p.said.iter().filter(|s| s.contains("is burstable")).count(),
        2
    );
}

#[test]
fn a_malformed_cidr_is_asked_again_and_an_open_api_needs_a_reason_and_may_expire() {
    let expires = in_days(30);
    let (a, p, text) = run(&[
        "",
        "",
        "demo.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "10.0.0.1/16",
        "everyone",
        "0.0.0.0/0",
        "",
        "public demo, torn down nightly",
        "2026-02-30",
        "2020-01-01",
        &expires,
        "",
        "",
    ]);
    assert_eq!(a.common.api_cidrs, vec!["0.0.0.0/0"]);
    assert!(
        p.rejected[0].contains("host bits") && p.rejected[0].contains("10.0.0.0/16"),
        "{:?}",
        p.rejected
    );
    assert!(p.rejected[1].contains("not a CIDR"), "{:?}", p.rejected);
    assert!(p.rejected[2].contains("needs a reason"), "{:?}", p.rejected);
    assert!(p.rejected[3].contains("not a date"), "{:?}", p.rejected);
    assert!(
        p.rejected[4].contains("not in the future"),
        "{:?}",
        p.rejected
    );
    assert!(said(&p, "opens the API to the whole internet"));
    assert!(
        text.contains(&format!(
            "- control: api-access-restricted\n  reason: \"public demo, torn down nightly\"\n  expires: {expires}\n"
        )),
        "{text}"
    );
}

#[test]
fn a_bastion_takes_admin_networks_but_not_the_internet() {
    let (a, p, text) = run(&[
        "",
        "",
        "ops.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "bastion",
        "0.0.0.0/0",
        "198.51.100.0/24",
        "",
    ]);
    assert_eq!(
        a.kops().expect("kops").ssh,
        SshAccess::Bastion {
            cidrs: vec!["198.51.100.0/24".into()]
        }
    );
    assert!(p.rejected[0].contains("not offered"), "{:?}", p.rejected);
    assert!(
        text.contains("bastion: {machineType: t3.micro}")
            && text.contains("sshCidrs: [198.51.100.0/24]")
    );
}

#[test]
fn strict_asks_for_the_irsa_bucket() {
    let (a, p, text) = run(&[
        "",
        "",
        "secure.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "",
        "strict",
        "s3://my.bucket",
        "s3://my-oidc-bucket",
    ]);
    assert_eq!(a.common.profile, "strict");
    assert!(p.rejected[0].contains("no dots"), "{:?}", p.rejected);
    assert!(
        text.contains("profile: strict")
            && text.contains("discoveryStore: \"s3://my-oidc-bucket\"")
    );
}

#[test]
fn namespaces_are_checked_and_one_may_be_the_ingress() {
    let (a, p, text) = run_exactly(&[
        "",
        "",
        "dev.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "none",
        "baseline",
        "payments, kube-system",
        "Payments",
        "payments, payments",
        "payments, ingress",
        "2",
    ]);
    assert_eq!(a.common.namespaces, vec!["payments", "ingress"]);
    assert_eq!(a.common.ingress_namespace.as_deref(), Some("ingress"));
    assert!(
        rejected(&p, "kube-system is a system namespace")
            && rejected(&p, "is not a namespace name")
            && rejected(&p, "named twice"),
        "{:?}",
        p.rejected
    );
    assert!(
        text.contains("namespaces:\n- name: \"payments\"\n- name: \"ingress\"\n")
            && text.contains("  ingress: true\n"),
        "{text}"
    );
    // the file's namespaces get the guardrails when rendered
    let (_, _, none) = run_exactly(&[
        "",
        "",
        "dev.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "none",
        "baseline",
        "payments",
        "0",
    ]);
    assert!(
        none.contains("- name: \"payments\"\n") && !none.contains("ingress: true"),
        "{none}"
    );
}

#[test]
fn an_s3_state_store_is_checked_and_written_with_its_region() {
    let (a, p, text) = run(&[
        "",
        "",
        "dev.k8s.example.com",
        "eu-central-1",
        "",
        "",
        "",
        "",
        "",
        "",
        "kops-state",
        "s3://Kops_State",
        "s3://kops-state/team-a",
        "eu-west-9x",
        "",
        "203.0.113.0/24",
        "",
        "",
    ]);
    assert_eq!(
        a.kops().expect("kops").state_store,
        StateStore::S3 {
            url: "s3://kops-state/team-a".into(),
            region: "eu-central-1".into()
        }
    );
    assert!(
        rejected(&p, "did you mean s3://kops-state?"),
        "{:?}",
        p.rejected
    );
    assert!(
        rejected(&p, "\"Kops_State\" is not an S3 bucket name"),
        "{:?}",
        p.rejected
    );
    assert!(
        rejected(&p, "\"eu-west-9x\" is not an AWS region"),
        "{:?}",
        p.rejected
    );
    assert!(said(
        &p,
        "palisade state-bucket create s3://BUCKET --region eu-central-1"
    ));
    assert!(
        text.contains(
            "  stateStore: \"s3://kops-state/team-a\"\n  stateStoreRegion: eu-central-1\n"
        ),
        "{text}"
    );
    // the loaded file carries both
    let (file, _) = load_str(
        &text,
        Path::new("palisade.yaml"),
        Date::today(),
        palisade::controls::is_known,
    )
    .expect("loads");
    let k = file.kops.expect("kops");
    assert_eq!(k.state_store.as_deref(), Some("s3://kops-state/team-a"));
    assert_eq!(k.state_store_region.as_deref(), Some("eu-central-1"));

    // a dotted bucket is taken, with a note; its region is asked apart from the cluster's
    let (a, p, _) = run(&[
        "",
        "",
        "dev.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "s3://kops.state.example",
        "us-east-1",
        "203.0.113.0/24",
        "",
        "",
    ]);
    assert!(said(
        &p,
        "does not match the *.s3.amazonaws.com certificate"
    ));
    assert_eq!(
        a.kops().expect("kops").state_store,
        StateStore::S3 {
            url: "s3://kops.state.example".into(),
            region: "us-east-1".into()
        }
    );
}

#[test]
fn an_empty_state_store_keeps_the_local_one_and_says_kops_cannot_run_from_it() {
    let (a, p, text) = run(&[
        "",
        "",
        "dev.k8s.example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "203.0.113.0/24",
        "",
        "",
    ]);
    assert_eq!(a.kops().expect("kops").state_store, StateStore::Local);
    let explained = p
        .said
        .iter()
        .find(|s| s.contains("file://./.palisade/state"))
        .unwrap_or_else(|| panic!("{:?}", p.said));
    assert!(
        explained.contains("kops cannot run a cluster from a file:// state store")
            && explained.contains("the nodes read their configuration from the store")
            && explained.contains("palisade apply --state s3://BUCKET"),
        "{explained}"
    );
    assert!(
        !text.contains("\n  stateStore:") && text.contains("# no stateStore:"),
        "{text}"
    );
}

// GKE order: provider, project, name, mode, location, network, subnetwork, pods range,
// services range, release channel, [standard: network policy, machine type, min, max],
// profile, api cidrs, [waiver reason, expiry], node account, [default: confirm, [reason,
// expiry]], KMS key, [empty: reason, expiry], namespaces, [ingress]

const KEY: &str = "projects/acme-security/locations/europe-west1/keyRings/gke/cryptoKeys/shop";

#[test]
fn gke_standard_takes_the_defaults_and_explains_what_to_create() {
    let (a, p, text) = run(&[
        "gke",
        "acme-shop-prod",
        "shop",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "10.200.0.0/24",
        "",
        KEY,
    ]);
    let g = a.gke().expect("gke");
    assert_eq!(
        (
            g.location.as_str(),
            g.network.as_str(),
            g.subnetwork.as_str()
        ),
        ("europe-west1", "gke-vpc", "gke-europe-west1")
    );
    assert_eq!(g.release_channel, "regular");
    assert!(
        matches!(&g.nodes, GkeNodes::Standard { network_policy, pool }
        if network_policy == "calico" && (pool.min_nodes, pool.max_nodes) == (1, 3))
    );
    assert_eq!(
        g.node_account,
        NodeAccount::Own("gke-nodes@acme-shop-prod.iam.gserviceaccount.com".into())
    );
    assert_eq!(g.secrets, SecretsKey::Kms(KEY.into()));
    assert!(said(
        &p,
        "gcloud compute networks create gke-vpc --project acme-shop-prod --subnet-mode=custom"
    ));
    assert!(said(&p, "gcloud compute networks subnets create gke-europe-west1 --project acme-shop-prod --network gke-vpc --region europe-west1 --range 10.0.0.0/20 --secondary-range pods=10.4.0.0/14,services=10.8.0.0/20 --enable-private-ip-google-access"));
    assert!(said(
        &p,
        "gcloud iam service-accounts create gke-nodes --project acme-shop-prod"
    ));
    assert!(said(&p, "gcloud projects add-iam-policy-binding acme-shop-prod --member serviceAccount:gke-nodes@acme-shop-prod.iam.gserviceaccount.com --role roles/container.defaultNodeServiceAccount"));
    assert!(said(&p, "roles/artifactregistry.reader"));
    assert!(said(&p, "roles/cloudkms.cryptoKeyEncrypterDecrypter"));
    assert!(said(&p, "Dataplane V2 is eBPF"));
    assert!(
        text.contains("gke:\n  project: acme-shop-prod\n")
            && text.contains("  networkPolicy: calico\n")
            && text.contains(&format!("  secretsKmsKey: {KEY}\n"))
            && text.contains(
                "  nodeServiceAccount: gke-nodes@acme-shop-prod.iam.gserviceaccount.com\n"
            )
            && text.contains("  - name: nodes\n    machineType: e2-standard-4\n    minNodes: 1\n    maxNodes: 3\n")
            && !text.contains("waivers:")
            && !text.contains("mode:"),
        "{text}"
    );
}

#[test]
fn gke_answers_the_cluster_file_would_refuse_are_asked_again() {
    let (a, p, text) = run(&[
        "gke",
        "acme",
        "acme-shop-",
        "acme-shop-prod",
        "Shop",
        "shop",
        "standard",
        "europe",
        "europe-west1-b",
        "prod_vpc",
        "prod-vpc",
        "",
        "pods",
        "pods",
        "svc",
        "stable",
        "dataplane-v2",
        "m6i.large",
        "n2-standard-4",
        "0",
        "0",
        "5",
        "",
        "10.200.0.0/24",
        "nodes@example.com",
        "",
        "projects/acme-security/locations/us-central1/keyRings/gke/cryptoKeys/shop",
        "projects/acme-security/keyRings/gke",
        KEY,
    ]);
    for why in [
        "\"acme\" is not a project id",
        "\"acme-shop-\" is not a project id",
        "GKE cluster name \"Shop\" must start with a lowercase letter",
        "\"europe\" is not a region or zone",
        "\"prod_vpc\" is not a network name",
        "pods and services need two different secondary ranges",
        "\"m6i.large\" is not a Compute Engine machine type",
        "maxNodes must be at least 1",
        "\"nodes@example.com\" is not a service account email",
        "GKE needs the key in the cluster's region, europe-west1",
        "is not a Cloud KMS key name",
    ] {
        assert!(rejected(&p, why), "{why}: {:?}", p.rejected);
    }
    let g = a.gke().expect("gke");
    assert_eq!(g.location, "europe-west1-b");
    assert_eq!(g.release_channel, "stable");
    assert!(text.contains("  # a zone: one control plane"), "{text}");
    assert!(
        text.contains("  networkPolicy: dataplane-v2\n")
            && text.contains("    machineType: n2-standard-4\n    minNodes: 0\n    maxNodes: 5\n")
            && text.contains("  servicesRange: svc\n"),
        "{text}"
    );
}

#[test]
fn gke_refuses_the_default_compute_account_until_it_is_waived() {
    let expires = in_days(60);
    let (a, p, text) = run(&[
        "gke",
        "acme-shop-prod",
        "shop",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "10.200.0.0/24",
        "123456789012-compute@developer.gserviceaccount.com",
        "n",
        "default",
        "y",
        "",
        "until the platform team makes node accounts",
        "tomorrow",
        &expires,
        KEY,
    ]);
    assert!(
        p.said
            .iter()
            .filter(|s| s.contains("that is the Compute Engine default account"))
            .count()
            == 2,
        "{:?}",
        p.said
    );
    assert!(rejected(&p, "a waiver needs a reason"), "{:?}", p.rejected);
    assert!(
        rejected(&p, "\"tomorrow\" is not a date"),
        "{:?}",
        p.rejected
    );
    assert!(
        matches!(&a.gke().expect("gke").node_account, NodeAccount::ComputeDefault(w)
        if w.expires.map(|d| d.to_string()) == Some(expires.clone()))
    );
    assert!(
        !text.contains("\n  nodeServiceAccount:")
            && text.contains("  # no nodeServiceAccount: the nodes run as the Compute Engine default")
            && text.contains(&format!(
                "- control: node-service-account\n  reason: \"until the platform team makes node accounts\"\n  expires: {expires}\n"
            )),
        "{text}"
    );
}

#[test]
fn gke_without_a_kms_key_needs_a_waiver_and_strict_forbids_it() {
    let (a, _, text) = run(&[
        "gke",
        "acme-shop-prod",
        "shop",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "10.200.0.0/24",
        "",
        "",
        "KMS comes with the security project next quarter",
        "",
    ]);
    assert!(matches!(&a.gke().expect("gke").secrets, SecretsKey::Waived(w) if w.expires.is_none()));
    assert!(
        !text.contains("\n  secretsKmsKey:")
            && text.contains("- control: secrets-encryption-at-rest\n  reason: \"KMS comes with the security project next quarter\"\n")
            && !text.contains("expires:"),
        "{text}"
    );

    let (a, p, text) = run(&[
        "gke",
        "acme-shop-prod",
        "shop",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "strict",
        "10.200.0.0/24",
        "",
        "",
        KEY,
    ]);
    assert!(
        rejected(
            &p,
            "the strict profile forbids a waiver for secrets-encryption-at-rest"
        ),
        "{:?}",
        p.rejected
    );
    assert_eq!(a.common.profile, "strict");
    assert!(text.contains("profile: strict\n"), "{text}");
}

/// Autopilot: no node pool or network-policy question, a region only, and `--no-input` with
/// the same answers writes the same bytes.
#[test]
fn gke_autopilot_asks_no_pool_and_matches_no_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let (a, p, written) = run_exactly(&[
        "gke",
        "acme-storefront",
        "storefront",
        "autopilot",
        "us-central1-a",
        "us-central1",
        "prod-vpc",
        "",
        "",
        "",
        "rapid",
        "",
        "10.200.0.0/24",
        "gke-nodes@acme-storefront.iam.gserviceaccount.com",
        "projects/acme-security/locations/us-central1/keyRings/gke/cryptoKeys/storefront",
        "storefront, ingress",
        "2",
    ]);
    assert!(
        rejected(&p, "Autopilot clusters are regional"),
        "{:?}",
        p.rejected
    );
    assert!(a.gke().expect("gke").autopilot());
    assert!(!said(&p, "NetworkPolicy needs an enforcer"));
    assert!(
        written.contains("gke:\n  # Autopilot: GKE makes and patches the nodes, billed per pod request; regional, no node pools\n  mode: autopilot\n")
            && !written.contains("nodePools")
            && !written.contains("networkPolicy:")
            && written.contains("  subnetwork: gke-us-central1\n")
            && written.contains("  releaseChannel: rapid\n"),
        "{written}"
    );

    let out = dir.path().join("autopilot.yaml");
    let r = palisade(&[
        "init",
        "--no-input",
        "-o",
        &out.display().to_string(),
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
        "--release-channel",
        "rapid",
        "--api-cidr",
        "10.200.0.0/24",
        "--node-service-account",
        "gke-nodes@acme-storefront.iam.gserviceaccount.com",
        "--secrets-kms-key",
        "projects/acme-security/locations/us-central1/keyRings/gke/cryptoKeys/storefront",
        "--namespaces",
        "storefront,ingress",
        "--ingress-namespace",
        "ingress",
    ]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    assert_eq!(
        std::fs::read_to_string(&out).expect("written"),
        written,
        "--no-input and the wizard differ"
    );
    let render = palisade(&["render", "-f", &out.display().to_string(), "-o", "json"]);
    assert_eq!(render.status.code(), Some(0), "{}", text(&render.stderr));
    let request: serde_json::Value = serde_json::from_slice(&render.stdout).expect("JSON");
    assert_eq!(request["cluster"]["autopilot"]["enabled"], true);
}

#[test]
fn no_input_refuses_what_the_wizard_refuses() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = dir.path().join("x.yaml");
    let out = out.display().to_string();
    let gke = [
        "init",
        "--no-input",
        "-o",
        &out,
        "--provider",
        "gke",
        "--name",
        "shop",
        "--project",
        "acme-shop-prod",
        "--location",
        "europe-west1",
        "--network",
        "prod-vpc",
        "--subnetwork",
        "gke-europe-west1",
        "--api-cidr",
        "10.200.0.0/24",
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["--node-service-account", "default", "--secrets-kms-key", KEY], "--node-sa-waiver-reason to accept it"),
        (
            &["--node-service-account", "default", "--node-sa-waiver-reason", "x", "--node-sa-waiver-expires", "2020-01-01", "--secrets-kms-key", KEY],
            "--node-sa-waiver-expires: 2020-01-01 is not in the future",
        ),
        (
            &["--node-service-account", "n@acme-shop-prod.iam.gserviceaccount.com"],
            "--secrets-kms-key (the Cloud KMS key that encrypts Secrets), or --secrets-waiver-reason",
        ),
        (
            &["--node-service-account", "n@acme-shop-prod.iam.gserviceaccount.com", "--profile", "strict", "--secrets-waiver-reason", "x"],
            "the strict profile forbids a waiver for secrets-encryption-at-rest",
        ),
        (
            &["--node-service-account", "n@acme-shop-prod.iam.gserviceaccount.com", "--secrets-kms-key", "projects/s/locations/us-east1/keyRings/r/cryptoKeys/k"],
            "GKE needs the key in the cluster's region",
        ),
        (
            &["--node-service-account", "n@acme-shop-prod.iam.gserviceaccount.com", "--secrets-kms-key", KEY, "--region", "eu-west-1"],
            "--provider gke takes no --region",
        ),
        (
            &["--node-service-account", "n@acme-shop-prod.iam.gserviceaccount.com", "--secrets-kms-key", KEY, "--mode", "autopilot", "--nodes-max", "3"],
            "leave out --nodes-max",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = gke.to_vec();
        args.extend_from_slice(extra);
        let r = palisade(&args);
        assert_eq!(r.status.code(), Some(1), "{extra:?}");
        assert!(
            text(&r.stderr).contains(expected),
            "{extra:?}: {}",
            text(&r.stderr)
        );
        assert!(!Path::new(&out).exists());
    }
    // kops: the state store is checked as the wizard checks it
    let r = palisade(&[
        "init",
        "--no-input",
        "-o",
        &out,
        "--name",
        "dev.example.com",
        "--region",
        "eu-west-1",
        "--zones",
        "eu-west-1a",
        "--api-cidr",
        "10.0.0.0/16",
        "--state-store",
        "kops-state",
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(
        text(&r.stderr).contains("did you mean s3://kops-state?"),
        "{}",
        text(&r.stderr)
    );
    assert!(!Path::new(&out).exists());
}
