//! Regression tests from the review of the controls against kops (session 1). Each names the
//! fault it pins.

mod common;

use common::{palisade, text};
use palisade::audit::evaluate;
use palisade::controls::{ApplyCtx, Mode, Verdict};
use palisade::kops::KopsSpec;
use palisade::profile::resolve;
use palisade::provider::kops::harden::harden;
use palisade::yaml::tree;

fn base_with(spec_extra: &str, ig_extra: &str) -> KopsSpec {
    let text = format!(
        "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {{name: r.example.com}}\nspec:\n  cloudProvider: aws\n  kubernetesVersion: 1.34.0\n  networkCIDR: 10.0.0.0/16\n  subnets:\n  - {{name: a, zone: eu-west-1a, type: Private, cidr: 10.0.32.0/19}}\n  - {{name: utility-a, zone: eu-west-1a, type: Utility, cidr: 10.0.0.0/22}}\n{spec_extra}---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {{name: nodes}}\nspec:\n  role: Node\n  subnets: [a]\n{ig_extra}"
    );
    KopsSpec::parse(&text, "review.yaml").expect("parse")
}

fn verdicts(spec: &KopsSpec, profile: &str, control: &str) -> Vec<Verdict> {
    let p = resolve(&[profile.to_string()], std::path::Path::new(".")).expect("profile");
    evaluate(spec, &p, &[])
        .into_iter()
        .filter(|f| f.control == control)
        .map(|f| f.verdict)
        .collect()
}

#[test]
fn review_a_master_role_file_asset_does_not_reach_the_control_plane() {
    let master = base_with("  kubeAPIServer: {auditLogPath: /var/log/a.log, auditPolicyFile: /etc/p.yaml, auditLogMaxAge: 30, auditLogMaxBackups: 10, auditLogMaxSize: 100}\n  fileAssets:\n  - {name: p, path: /etc/p.yaml, roles: [Master], content: x}\n", "");
    assert!(verdicts(&master, "baseline", "audit-logging").contains(&Verdict::Fail));
    let all_roles = base_with("  kubeAPIServer: {auditLogPath: /var/log/a.log, auditPolicyFile: /etc/p.yaml, auditLogMaxAge: 30, auditLogMaxBackups: 10, auditLogMaxSize: 100}\n  fileAssets:\n  - {name: p, path: /etc/p.yaml, content: x}\n", "");
    assert!(verdicts(&all_roles, "baseline", "audit-logging")
        .iter()
        .all(|v| *v == Verdict::Pass));
}

#[test]
fn review_an_asset_at_our_path_is_replaced_not_shadowing_ours() {
    let spec = base_with("  fileAssets:\n  - {name: mine, path: /srv/kubernetes/kube-apiserver/admission-config.yaml, roles: [ControlPlane], content: 'plugins: []'}\n", "");
    let p = resolve(&["baseline".to_string()], std::path::Path::new(".")).expect("profile");
    let out = harden(&spec, &p, &ApplyCtx::new(Mode::Harden));
    let assets = tree::get(out.spec.cluster(), &["spec", "fileAssets"])
        .and_then(|a| a.as_sequence())
        .expect("assets");
    let at_path = assets
        .iter()
        .filter(|a| {
            tree::get_str(a, &["path"])
                == Some("/srv/kubernetes/kube-apiserver/admission-config.yaml")
        })
        .count();
    assert_eq!(at_path, 1, "two assets for one path: kops keeps the first");
    assert!(verdicts(&out.spec, "baseline", "pod-security-admission")
        .iter()
        .all(|v| *v == Verdict::Pass));
}

#[test]
fn review_an_internal_load_balancer_is_a_network_one_without_use_for_internal_api() {
    let spec = base_with(
        "  api: {loadBalancer: {type: Public, useForInternalApi: true}}\n",
        "",
    );
    let p = resolve(&["strict".to_string()], std::path::Path::new(".")).expect("profile");
    let out = harden(&spec, &p, &ApplyCtx::new(Mode::Harden));
    let lb = tree::get(out.spec.cluster(), &["spec", "api", "loadBalancer"]).expect("lb");
    assert_eq!(tree::get_str(lb, &["type"]), Some("Internal"));
    assert_eq!(tree::get_str(lb, &["class"]), Some("Network"));
    assert!(tree::get(lb, &["useForInternalApi"]).is_none());
    let again = harden(&out.spec, &p, &ApplyCtx::new(Mode::Harden));
    assert_eq!(again.spec.to_yaml(), out.spec.to_yaml(), "not idempotent");
    // no load balancer at all: adding one moves the endpoint, so harden reports it
    let dns = base_with("  api: {dns: {}}\n", "");
    let out = harden(&dns, &p, &ApplyCtx::new(Mode::Harden));
    assert!(
        out.unfixable
            .iter()
            .any(|(id, _)| id == "api-load-balancer-internal"),
        "{:?}",
        out.unfixable
    );
}

#[test]
fn review_only_v1alpha2_is_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("v3.yaml");
    std::fs::write(
        &f,
        "apiVersion: kops.k8s.io/v1alpha3\nkind: Cluster\nmetadata: {name: a.b}\nspec: {}\n",
    )
    .expect("write");
    let out = palisade(&["audit", "--kops", &f.display().to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("kops.k8s.io/v1alpha3 is not supported"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn review_dual_stack_subnets_are_private() {
    let f = common::root().join("tests/fixtures/kops-specs/minimal-ipv6-cilium.yaml");
    let spec = KopsSpec::parse(&std::fs::read_to_string(&f).expect("read"), "ipv6").expect("parse");
    let p = resolve(&["baseline".to_string()], std::path::Path::new(".")).expect("profile");
    let cp = evaluate(&spec, &p, &[])
        .into_iter()
        .find(|f| f.control == "private-topology" && f.object == "InstanceGroup/master-us-test-1a")
        .expect("finding");
    assert_eq!(cp.verdict, Verdict::Pass, "{}", cp.message);
}

#[test]
fn review_two_cnis_fail_and_an_override_cni_replaces_the_profiles() {
    let spec = base_with("  networking: {calico: {}, cilium: {}}\n", "");
    assert_eq!(
        verdicts(&spec, "baseline", "network-policy"),
        vec![Verdict::Fail]
    );
    let dir = tempfile::tempdir().expect("tmp");
    let body = std::fs::read_to_string(common::root().join("examples/kops-minimal.yaml"))
        .expect("example")
        + "overrides:\n  cluster:\n    networking:\n      cilium: {enablePolicy: always}\n";
    let f = dir.path().join("c.yaml");
    std::fs::write(&f, body).expect("write");
    let out = palisade(&["render", "-f", &f.display().to_string()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rendered = KopsSpec::parse(&text(&out.stdout), "rendered").expect("parse");
    let net = tree::get(rendered.cluster(), &["spec", "networking"])
        .and_then(|n| n.as_mapping())
        .expect("networking");
    assert!(
        net.contains_key("cilium") && !net.contains_key("calico"),
        "{net:?}"
    );
}

#[test]
fn review_weak_ciphers_on_an_instance_group_fail() {
    let spec = base_with(
        "",
        "  kubelet: {tlsCipherSuites: [TLS_RSA_WITH_RC4_128_SHA]}\n",
    );
    assert!(verdicts(&spec, "baseline", "tls-min-version").contains(&Verdict::Fail));
}

#[test]
fn review_harden_refuses_to_open_the_api() {
    let out = palisade(&[
        "harden",
        "kops",
        "tests/fixtures/kops-specs/minimal-aws.yaml",
        "--api-cidr",
        "0.0.0.0/0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not fixed: api-access-restricted"),
        "{}",
        text(&out.stderr)
    );
}
