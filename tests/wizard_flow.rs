//! The init flow with scripted answers: each branch, and that every file it writes loads,
//! renders and passes the controls.

use std::path::Path;

use palisade::cluster_file::{load_str, Date};
use palisade::profile::resolve;
use palisade::provider::kops::render::render;
use palisade::wizard::{cluster_file_text, run_flow, Answers, Facts, ScriptedPrompter, SshAccess};

/// Runs the flow with `answers`, then no namespaces, and checks the file it leads to.
fn run(answers: &[&str]) -> (Answers, ScriptedPrompter, String) {
    let mut all = answers.to_vec();
    all.push("");
    run_exactly(&all)
}

/// Runs the flow with exactly `answers` and checks the file it leads to.
fn run_exactly(answers: &[&str]) -> (Answers, ScriptedPrompter, String) {
    let mut p = ScriptedPrompter::new(answers);
    let a =
        run_flow(&mut p, &Facts::builtin()).unwrap_or_else(|e| panic!("{e}; said {:?}", p.said));
    let text = cluster_file_text(&a);
    let (file, map) = load_str(
        &text,
        Path::new("palisade.yaml"),
        Date::today(),
        palisade::controls::is_known,
    )
    .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let profile = resolve(&file.profile.list(), Path::new(".")).expect("profile");
    render(&file, &profile, &map)
        .expect("render")
        .accepted()
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    (a, p, text)
}

// order: dns zone, name, region, control plane, zones, cp type, node type, min, max, api cidrs,
// [waiver reason], ssh, [bastion cidrs], profile, [discovery store], namespaces, [ingress]

#[test]
fn the_plain_path_takes_the_defaults() {
    let (a, _, text) = run(&[
        "",
        "dev.k8s.example.com",
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
    assert_eq!(a.region, "eu-west-1");
    assert_eq!(a.zones, vec!["eu-west-1a"]);
    assert_eq!((a.control_plane_count, a.nodes_min, a.nodes_max), (1, 2, 4));
    assert_eq!(a.ssh, SshAccess::None);
    assert!(
        text.contains("apiCidrs: [203.0.113.0/24]") && !text.contains("waivers:"),
        "{text}"
    );
    assert!(text.contains("# no sshCidrs: no SSH"));
}

#[test]
fn a_bad_name_is_explained_and_asked_again() {
    let (a, p, _) = run(&[
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
        "198.51.100.0/24",
        "",
        "",
    ]);
    assert_eq!(a.dns_zone.as_deref(), Some("k8s.example.com"));
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
        "203.0.113.0/24",
        "",
        "",
    ]);
    assert_eq!(a.control_plane_count, 3);
    assert_eq!(a.zones.len(), 3);
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
        "203.0.113.0/24",
        "",
        "",
    ]);
    assert_eq!(a.control_plane_type, "m6i.large");
    assert_eq!(a.node_type, "t3.medium");
    assert_eq!(
        p.said.iter().filter(|s| s.contains("is burstable")).count(),
        2
    );
}

#[test]
fn a_malformed_cidr_is_asked_again_and_an_open_api_needs_a_reason() {
    let (a, p, text) = run(&[
        "",
        "demo.example.com",
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
        "",
        "",
    ]);
    assert_eq!(a.api_cidrs, vec!["0.0.0.0/0"]);
    assert!(
        p.rejected[0].contains("host bits") && p.rejected[0].contains("10.0.0.0/16"),
        "{:?}",
        p.rejected
    );
    assert!(p.rejected[1].contains("not a CIDR"), "{:?}", p.rejected);
    assert!(p.rejected[2].contains("needs a reason"), "{:?}", p.rejected);
    assert!(p
        .said
        .iter()
        .any(|s| s.contains("opens the API to the whole internet")));
    assert!(
        text.contains(
            "- control: api-access-restricted\n  reason: \"public demo, torn down nightly\""
        ),
        "{text}"
    );
}

#[test]
fn a_bastion_takes_admin_networks_but_not_the_internet() {
    let (a, p, text) = run(&[
        "",
        "ops.example.com",
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
        a.ssh,
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
        "secure.example.com",
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
    assert_eq!(a.profile, "strict");
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
        "dev.k8s.example.com",
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
    assert_eq!(a.namespaces, vec!["payments", "ingress"]);
    assert_eq!(a.ingress_namespace.as_deref(), Some("ingress"));
    assert!(
        p.rejected
            .iter()
            .any(|r| r.contains("kube-system is a system namespace"))
            && p.rejected
                .iter()
                .any(|r| r.contains("is not a namespace name"))
            && p.rejected.iter().any(|r| r.contains("named twice")),
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
        "dev.k8s.example.com",
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
