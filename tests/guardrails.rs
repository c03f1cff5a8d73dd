//! In-cluster guardrails on kops: declared namespaces get their objects, delivered in
//! `CLUSTER/clusteraddons/default` beside whatever else the store keeps there; a namespace's
//! weaker Pod Security level needs a waiver; objects no longer shipped are reported with the
//! command that removes them; audit names what is missing.

mod common;

use std::path::Path;

use common::{root, run, write};

fn example() -> String {
    std::fs::read_to_string(root().join("examples/kops-private-ha.yaml")).expect("example")
}

const ADDONS: &str = "prod.k8s.example.com/clusteraddons/default";

/// The example applied to DIR/state: (cluster file, store URL, the addons key's path, its text).
fn applied(dir: &Path) -> (String, String, std::path::PathBuf, String) {
    let file = write(dir, "c.yaml", &example());
    let state = format!("file://{}/state", dir.display());
    let (code, _, err) = run(&["apply", "-f", &file, "--state", &state, "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    let key = dir.join("state").join(ADDONS);
    let stored = std::fs::read_to_string(&key).expect("addons");
    (file, state, key, stored)
}

/// `plan --detailed-exitcode` finds nothing to change.
fn no_changes(file: &str, state: &str) {
    let (code, out, err) = run(&["plan", "-f", file, "--state", state, "--detailed-exitcode"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("No changes."), "{out}");
}

#[test]
fn a_foreign_object_in_the_cluster_addons_is_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let (file, state, key, stored) = applied(dir.path());
    let foreign = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nmetadata:\n  name: scheduler\nclientConnection:\n  qps: 50\n";
    std::fs::write(&key, format!("{foreign}---\n{stored}")).expect("write");
    no_changes(&file, &state);
    // a change of Palisade's own keeps it too
    let file = write(
        dir.path(),
        "c.yaml",
        &example().replace("- name: payments\n", "- name: payments\n- name: search\n"),
    );
    let (code, out, err) = run(&["apply", "-f", &file, "--state", &state, "--yes"]);
    assert_eq!(code, Some(0), "{out}{err}");
    let after = std::fs::read_to_string(&key).expect("addons");
    assert!(
        after.starts_with("apiVersion: kubescheduler.config.k8s.io/v1"),
        "{after}"
    );
    assert!(after.contains("name: search"), "{after}");
    let objects = palisade::provider::kops::addons::parse(&after).expect("objects");
    assert!(objects.iter().any(
        |o| palisade::guardrails::object_id(o) == "NetworkPolicy/search/palisade-default-deny"
    ));
}

#[test]
fn a_namespace_that_leaves_the_file_is_reported_with_its_delete() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    let file = write(dir.path(), "c.yaml", &example());
    let (code, _, err) = run(&["apply", "-f", &file, "--state", &state, "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    let file = write(
        dir.path(),
        "c.yaml",
        &example().replace("- name: payments\n", ""),
    );
    let (code, out, err) = run(&["plan", "-f", &file, "--state", &state]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("Namespace/payments is no longer shipped")
            && out.contains("kubectl delete namespace payments")
            && out.contains("kubectl delete networkpolicy palisade-default-deny -n payments"),
        "{out}"
    );
}

#[test]
fn a_weaker_pod_security_level_needs_a_waiver() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = example().replace(
        "- name: payments\n",
        "- name: payments\n  podSecurity: privileged\n",
    );
    let file = write(dir.path(), "c.yaml", &body);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1), "{err}");
    let at = body
        .lines()
        .position(|l| l.contains("podSecurity: privileged"))
        .expect("line")
        + 1;
    assert!(err.contains(&format!("c.yaml:{at}:3")), "{err}");
    assert!(
        err.contains("namespace-pod-security")
            && err.contains("namespace payments")
            && err.contains("[control-refused]"),
        "{err}"
    );
    let waived = body + "waivers:\n- control: namespace-pod-security\n  reason: the payments agent needs host networking until v2\n";
    let file = write(dir.path(), "c.yaml", &waived);
    let state = format!("file://{}/state", dir.path().display());
    let (code, out, err) = run(&["plan", "-f", &file, "--state", &state]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("the payments agent needs host networking until v2"),
        "{out}"
    );
    assert!(
        out.contains("pod-security.kubernetes.io/enforce: privileged"),
        "{out}"
    );
    // a stricter level needs nothing
    let strict = example().replace(
        "- name: payments\n",
        "- name: payments\n  podSecurity: restricted\n",
    );
    let file = write(dir.path(), "c.yaml", &strict);
    let (code, out, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("pod-security.kubernetes.io/enforce: restricted"),
        "{out}"
    );
}

#[test]
fn namespaces_are_checked_where_they_are_written() {
    let dir = tempfile::tempdir().expect("tmp");
    for (ns, want) in [
        ("kube-system", "is a system namespace"),
        ("Payments", "is not a namespace name"),
        ("payments\n- name: payments", "declared twice"),
    ] {
        let file = write(
            dir.path(),
            "c.yaml",
            &example().replace("- name: payments\n", &format!("- name: {ns}\n")),
        );
        let (code, _, err) = run(&["render", "-f", &file]);
        assert_eq!(code, Some(1), "{ns}: {err}");
        assert!(err.contains(want) && err.contains("c.yaml:"), "{ns}: {err}");
    }
    // GKE cluster files take them, checked the same way (GKE's own namespaces too)
    let gke = std::fs::read_to_string(root().join("examples/gke-private.yaml")).expect("gke");
    assert!(gke.contains("namespaces:\n- name: payments\n"));
    for (ns, want) in [
        ("gke-managed-system", "is a system namespace"),
        ("gmp-public", "is a system namespace"),
        ("payments\n- name: payments", "declared twice"),
    ] {
        let file = write(
            dir.path(),
            "g.yaml",
            &gke.replace("- name: payments\n", &format!("- name: {ns}\n")),
        );
        let (code, _, err) = run(&["render", "-f", &file, "-o", "json"]);
        assert_eq!(code, Some(1), "{ns}: {err}");
        assert!(err.contains(want) && err.contains("g.yaml:"), "{ns}: {err}");
    }
}

#[test]
fn audit_names_the_missing_objects() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let (code, rendered, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(0), "{err}");
    // the kops documents alone, as a cluster kops made holds them
    let bare: String = rendered
        .split("---\n")
        .filter(|d| d.starts_with("apiVersion: kops.k8s.io/"))
        .collect::<Vec<_>>()
        .join("---\n");
    let spec = write(dir.path(), "bare.yaml", &bare);
    let (code, out, _) = run(&["audit", "--kops", &spec]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("the cluster has no ValidatingAdmissionPolicy palisade-image-pinned"),
        "{out}"
    );
    assert!(
        out.contains(
            "the cluster has no ValidatingAdmissionPolicyBinding palisade-service-type-restricted"
        ),
        "{out}"
    );
    // with them, it passes
    let full = write(dir.path(), "full.yaml", &rendered);
    let (_, out, _) = run(&["audit", "--kops", &full, "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let report = if doc.is_array() { doc[0].clone() } else { doc };
    let guardrail = |f: &&serde_json::Value| {
        [
            "namespace-pod-security",
            "default-deny-network-policy",
            "service-type-restricted",
            "image-pinned",
            "service-account-token-automount",
        ]
        .contains(&f["control"].as_str().unwrap_or(""))
    };
    let findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(guardrail)
        .collect();
    assert!(findings.len() >= 10, "{findings:?}");
    assert!(
        findings.iter().all(|f| f["verdict"] == "pass"),
        "{findings:?}"
    );
}

#[test]
fn render_manifests_writes_the_same_objects_one_file_each() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let out_dir = dir.path().join("manifests");
    let (code, out, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, rendered, _) = run(&["render", "-f", &file]);
    let spec = palisade::kops::KopsSpec::parse(&rendered, "render").expect("parse");
    let want: Vec<serde_yaml::Value> = spec.objects().cloned().collect();
    let mut names: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    assert_eq!(names.len(), want.len(), "{out}");
    for (path, object) in names.iter().zip(&want) {
        let got: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(path).expect("read")).expect("yaml");
        assert_eq!(&got, object, "{}", path.display());
        assert!(out.contains(&path.display().to_string()), "{out}");
    }
    // GKE: the objects its plan applies through the cluster's API, GKE's namespaces exempt
    let gke = std::fs::read_to_string(root().join("examples/gke-private.yaml")).expect("gke");
    let file = write(dir.path(), "g.yaml", &gke);
    let gke_dir = dir.path().join("gke-manifests");
    let (code, out, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &gke_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let written = std::fs::read_dir(&gke_dir).expect("dir").count();
    assert_eq!(written, 14, "{out}");
    let policy = std::fs::read_to_string(
        gke_dir.join("003-validatingadmissionpolicy-palisade-namespace-pod-security.yaml"),
    )
    .expect("the namespace-label policy GKE needs");
    // GKE's own namespaces go by prefix, Kubernetes' by name
    assert!(
        policy.contains("['gke-', 'gmp-'].exists(p,") && policy.contains("kube-node-lease"),
        "{policy}"
    );
}

#[test]
fn a_store_kops_wrote_with_a_scheduler_configuration_plans() {
    // kops keeps a KubeSchedulerConfiguration in clusteraddons/default without metadata
    let dir = tempfile::tempdir().expect("tmp");
    let (file, state, key, stored) = applied(dir.path());
    let kops_wrote = "apiVersion: kubescheduler.config.k8s.io/v1beta2\nkind: KubeSchedulerConfiguration\nclientConnection:\n  burst: 100\n  qps: 3.1\n";
    std::fs::write(&key, format!("{kops_wrote}---\n{stored}")).expect("write");
    no_changes(&file, &state);
    let (code, out, err) = run(&["audit", "--state", &state, "--name", "prod.k8s.example.com"]);
    assert!(code == Some(0) || code == Some(2), "{out}{err}");
    assert!(!err.contains("not a Kubernetes object"), "{err}");
}

#[test]
fn review_copies_shadows_and_disabled_plugins_do_not_pass() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let (_, rendered, _) = run(&["render", "-f", &file]);
    // a weaker second copy of a binding: the last one applied wins
    let weaker = "---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: palisade-image-pinned\nspec:\n  policyName: palisade-image-pinned\n  validationActions: [Audit]\n";
    let spec = write(dir.path(), "dup.yaml", &format!("{rendered}{weaker}"));
    // (medium: reported, and exit 2 only with --fail-on medium)
    let (code, out, _) = run(&["audit", "--kops", &spec, "--fail-on", "medium"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("FAIL") && out.contains("is there 2 times"),
        "{out}"
    );
    let (_, hardened, _) = run(&["harden", "kops", &spec]);
    assert_eq!(
        hardened.matches("name: palisade-image-pinned\n").count(),
        2,
        "policy and one binding: {hardened}"
    );
    // the admission plugin switched off: the policies enforce nothing
    let off = example() + "overrides:\n  cluster:\n    kubeAPIServer:\n      disableAdmissionPlugins: [ValidatingAdmissionPolicy]\n";
    let file = write(dir.path(), "off.yaml", &off);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("the ValidatingAdmissionPolicy admission plugin is disabled"),
        "{err}"
    );
    for (setting, said) in [
        (
            "disableAdmissionPlugins: [\"NamespaceLifecycle,ValidatingAdmissionPolicy\"]",
            "admission plugin is disabled",
        ),
        (
            "admissionControl: [NodeRestriction]",
            "admissionControl lists the admission plugins without",
        ),
        (
            "runtimeConfig: {admissionregistration.k8s.io/v1: \"false\"}",
            "runtimeConfig turns off",
        ),
        (
            "runtimeConfig: {api/all: \"false\", api/v1: \"true\"}",
            "runtimeConfig turns off",
        ),
    ] {
        let body =
            example() + &format!("overrides:\n  cluster:\n    kubeAPIServer:\n      {setting}\n");
        let file = write(dir.path(), "off.yaml", &body);
        let (code, _, err) = run(&["render", "-f", &file]);
        assert_eq!(code, Some(1), "{setting}: {err}");
        assert!(err.contains(said), "{setting}: {err}");
    }
}

#[test]
fn review_a_stored_object_in_palisades_name_is_replaced_and_order_is_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let (file, state, key, stored) = applied(dir.path());
    // a ConfigMap of the user's appended: kept where it is, no change planned
    let config_map = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: payments\ndata:\n  a: b\n";
    std::fs::write(&key, format!("{stored}{config_map}")).expect("write");
    no_changes(&file, &state);
    // an allow-all policy of the store's under Palisade's name: replaced, and said
    let allow_all = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: palisade-default-deny\n  namespace: payments\nspec:\n  podSelector: {}\n  ingress: [{}]\n  egress: [{}]\n";
    let objects = palisade::provider::kops::addons::parse(&stored).expect("objects");
    let kept: Vec<serde_yaml::Value> = objects
        .into_iter()
        .filter(|o| {
            palisade::guardrails::object_id(o) != "NetworkPolicy/payments/palisade-default-deny"
        })
        .collect();
    let mut text = palisade::provider::kops::addons::emit(&kept);
    text.push_str("---\n");
    text.push_str(allow_all);
    std::fs::write(&key, text).expect("write");
    let (code, out, err) = run(&["apply", "-f", &file, "--state", &state, "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("is not Palisade's") && out.contains("replaced by Palisade's"),
        "{out}"
    );
    let after = std::fs::read_to_string(&key).expect("addons");
    assert!(
        !after.contains("ingress:\n  - {}") && !after.contains("ingress: [{}]"),
        "{after}"
    );
    let (code, out, _) = run(&["audit", "--state", &state, "--name", "prod.k8s.example.com"]);
    assert!(
        !out.contains("FAIL           medium   default-deny"),
        "{code:?} {out}"
    );
}

#[test]
fn review_one_namespace_waived_leaves_the_others_labelled() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = example().replace("- name: payments\n", "- name: payments\n  podSecurity: privileged\n")
        + "waivers:\n- control: namespace-pod-security\n  reason: the payments agent needs host networking until v2\n";
    let file = write(dir.path(), "c.yaml", &body);
    let (code, out, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(0), "{err}");
    let spec = palisade::kops::KopsSpec::parse(&out, "r").expect("parse");
    let labels = |name: &str| {
        spec.objects()
            .find(|o| palisade::guardrails::object_id(o) == format!("Namespace/{name}"))
            .and_then(|o| palisade::yaml::tree::get(o, &["metadata", "labels"]).cloned())
            .expect("namespace")
    };
    let ingress = labels("ingress");
    assert_eq!(
        ingress["pod-security.kubernetes.io/enforce"], "baseline",
        "{ingress:?}"
    );
    assert_eq!(
        ingress["pod-security.kubernetes.io/warn"], "restricted",
        "{ingress:?}"
    );
    let payments = labels("payments");
    assert_eq!(payments["pod-security.kubernetes.io/enforce"], "privileged");
    assert_eq!(
        payments["pod-security.kubernetes.io/audit"], "restricted",
        "{payments:?}"
    );
}

#[test]
fn review_manifests_replace_their_own_files_and_nothing_else() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_dir = dir.path().join("m");
    let with_extra = example().replace("- name: payments\n", "- name: payments\n- name: extra\n");
    let file = write(dir.path(), "c.yaml", &with_extra);
    let (code, _, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let file = write(dir.path(), "c.yaml", &example());
    let (code, _, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("extra")), "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.len() > 4 && n[..3].bytes().all(|b| b.is_ascii_digit())),
        "{names:?}"
    );
    // a file named like Palisade's that is not one of its objects: kept, and refused
    std::fs::write(
        out_dir.join("050-web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\n",
    )
    .expect("write");
    let (code, _, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(out_dir.join("050-web.yaml").exists());
    std::fs::remove_file(out_dir.join("050-web.yaml")).expect("rm");
    // a file of someone else's, or a link: refused, nothing written
    std::fs::write(out_dir.join("README.md"), "mine").expect("write");
    let (code, _, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &out_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(1));
    assert!(err.contains("did not write"), "{err}");
    std::fs::remove_file(out_dir.join("README.md")).expect("rm");
    std::os::unix::fs::symlink(
        dir.path().join("outside.txt"),
        out_dir.join("001-namespace-payments.yaml.tmp"),
    )
    .ok();
    let link_dir = dir.path().join("l");
    std::fs::create_dir(&link_dir).expect("mkdir");
    std::os::unix::fs::symlink(
        dir.path().join("outside.txt"),
        link_dir.join("001-namespace-payments.yaml"),
    )
    .expect("link");
    let (code, _, err) = run(&[
        "render",
        "-f",
        &file,
        "--manifests",
        &link_dir.display().to_string(),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!dir.path().join("outside.txt").exists());
}

#[test]
fn review_only_palisades_namespaces_say_which_are_ingress() {
    let dir = tempfile::tempdir().expect("tmp");
    let (file, state, key, stored) = applied(dir.path());
    let edge = "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: edge\n  labels: {palisade.dev/ingress: \"true\"}\n";
    std::fs::write(&key, format!("{stored}{edge}")).expect("write");
    let (code, out, err) = run(&["plan", "-f", &file, "--state", &state]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!out.contains("service-type-restricted on"), "{out}");
    let (_, out, _) = run(&[
        "audit",
        "--state",
        &state,
        "--name",
        "prod.k8s.example.com",
        "--fail-on",
        "medium",
    ]);
    assert!(
        !out.contains("FAIL           high     service-type-restricted"),
        "{out}"
    );
}

#[test]
fn a_profile_may_limit_images_to_named_registries() {
    let dir = tempfile::tempdir().expect("tmp");
    let profile = |list: &str| {
        format!("apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  image-pinned:\n    params: {{registries: {list}}}\n")
    };
    let file = write(
        dir.path(),
        "c.yaml",
        &example().replace("profile: baseline", "profile: ./team.yaml"),
    );
    for (bad, why) in [
        ("[\"Registry.Example.com\"]", "is not a registry"),
        (
            "[\"registry.example.com' || true || '\"]",
            "is not a registry",
        ),
        ("[library]", "is not a registry"),
        ("registry.example.com", "expects a list of registries"),
    ] {
        write(dir.path(), "team.yaml", &profile(bad));
        let (code, _, err) = run(&["render", "-f", &file]);
        assert_eq!(code, Some(1), "{bad}: {err}");
        assert!(
            err.contains(why) && err.contains("team.yaml:7:"),
            "{bad}: {err}"
        );
    }
    write(
        dir.path(),
        "team.yaml",
        &profile("[registry.example.com, \"registry.local:5000/team\"]"),
    );
    let (code, out, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(
            "['registry.example.com/', 'registry.local:5000/team/'].exists(r, i.startsWith(r))"
        ),
        "{out}"
    );
}
