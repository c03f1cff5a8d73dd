//! The smaller holes of the hostile-input review, each closed where it arose: errors point at
//! the line to fix (a duplicate key, an alias bomb), versions and S3 errors are said in words, a
//! corrupt encryption secret is noticed, kops specs of the wrong shape are refused and unknown
//! fields warned of, an override of `configBase` or an open `nodePortAccess` is refused, and a
//! later profile cannot turn down a control an earlier one forbids waiving.

mod common;

use common::{root, run, text, write};

fn example() -> String {
    std::fs::read_to_string(root().join("examples/kops-minimal.yaml")).expect("example")
}

/// The line number of the first line of `text` containing `needle` (1-based).
fn line_of(text: &str, needle: &str, nth: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth)
        .map(|(i, _)| i + 1)
        .unwrap_or_else(|| panic!("{needle} not in the file"))
}

#[test]
fn a_duplicate_key_is_reported_at_the_duplicate() {
    let dir = tempfile::tempdir().expect("tmp");
    let body = example().replace(
        "  region: eu-west-1\n",
        "  region: eu-west-1\n  cloud: aws\n",
    );
    let file = write(dir.path(), "dup.yaml", &body);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1));
    let second = line_of(&body, "cloud: aws", 1);
    assert!(
        err.contains(&format!("dup.yaml:{second}:3")) && err.contains("duplicate field `cloud`"),
        "{err}"
    );
    // a profile likewise
    let profile = "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: p\ncontrols:\n  rbac: enforce\n  rbac: off\n";
    let p = write(dir.path(), "p.yaml", profile);
    let (code, _, err) = run(&["profiles", "show", &p]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("p.yaml:6:3") && err.contains("duplicate"),
        "{err}"
    );
}

#[test]
fn an_alias_bomb_is_reported_at_the_alias_that_starts_it() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut bomb =
        String::from("overrides:\n  cluster:\n    spec:\n      a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 10].join(",");
        bomb.push_str(&format!("      {}: &{} [{refs}]\n", w[1], w[1]));
    }
    bomb.push_str(&format!("      i: [{}]\n", ["*h"; 10].join(",")));
    let body = example() + &bomb;
    let file = write(dir.path(), "bomb.yaml", &body);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1));
    // the first alias of an anchor that holds aliases: `*b` on the line of `c`
    let at = line_of(&body, "c: &c", 0);
    assert!(
        err.contains(&format!("bomb.yaml:{at}:")) && err.contains("grows without bound"),
        "{err}"
    );
    assert!(!err.contains("bomb.yaml:1:1"), "{err}");
}

#[test]
fn a_kubernetes_version_from_the_future_is_not_called_old() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(
        dir.path(),
        "v.yaml",
        &example().replace("kubernetesVersion: 1.34.1", "kubernetesVersion: 99.0.0"),
    );
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("99.0.0 is no Kubernetes release") && !err.contains("older"),
        "{err}"
    );
}

#[test]
fn an_s3_store_without_a_region_says_so_in_words() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["plan", "-f", &file, "--state", "s3://some-bucket"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no AWS region is set: set AWS_REGION"),
        "{err}"
    );
    assert!(
        !err.contains("DispatchFailure") && !err.contains("ConnectorError"),
        "{err}"
    );
}

#[test]
fn a_corrupt_or_missing_encryption_secret_is_noticed_by_plan_and_audit() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let state = format!("file://{}/state", dir.path().display());
    let (code, _, err) = run(&["apply", "-f", &file, "--state", &state, "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    let secret = dir
        .path()
        .join("state/minimal.example.com/secrets/encryptionconfig");
    for (body, why) in [
        (&b""[..], "the secret is empty"),
        (&b"{\"Data\": \"bm90IHlhbWw6IFs=\"}"[..], "not YAML"),
        (&b"garbage"[..], "not a kops secret"),
    ] {
        std::fs::write(&secret, body).expect("write");
        let (code, _, err) = run(&["plan", "-f", &file, "--state", &state]);
        assert_eq!(code, Some(1), "{why}: {err}");
        assert!(
            err.contains("is not a usable encryption secret") && err.contains(why),
            "{err}"
        );
        let (code, out, _) = run(&["audit", "--state", &state, "--name", "minimal.example.com"]);
        assert_eq!(code, Some(2), "{why}: {out}");
        assert!(
            out.contains("cannot encrypt Secrets") && out.contains(why),
            "{out}"
        );
    }
    std::fs::remove_file(&secret).expect("rm");
    let (code, out, _) = run(&["audit", "--state", &state, "--name", "minimal.example.com"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("holds no minimal.example.com/secrets/encryptionconfig"),
        "{out}"
    );
}

#[test]
fn kops_specs_of_the_wrong_shape_are_refused_and_unknown_fields_warned_of() {
    let dir = tempfile::tempdir().expect("tmp");
    let head = "apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {name: a.example.com}\n";
    let group = "---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {name: n}\nspec: {role: Node}\n";
    let cases = [
        (
            format!("{head}spec: [1]\n"),
            "spec: expected object, found a list",
        ),
        (
            format!("{head}spec: {{cloudProvider: aws}}\n{group}{group}"),
            "two InstanceGroups are named \"n\"",
        ),
        (
            format!("{head}spec: {{cloudProvider: aws}}\n---\n- 1\n"),
            "document 2 is not a mapping",
        ),
    ];
    for (body, expected) in &cases {
        let spec = write(dir.path(), "spec.yaml", body);
        for cmd in [&["harden", "kops", &spec][..], &["audit", "--kops", &spec]] {
            let (code, _, err) = run(cmd);
            assert_eq!(code, Some(1), "{cmd:?}: {err}");
            assert!(err.contains(expected), "{cmd:?}: {err}");
        }
    }
    let typo =
        format!("{head}spec: {{cloudProvider: aws, kubelet: {{anonymousAuht: false}}}}\n{group}");
    let spec = write(dir.path(), "spec.yaml", &typo);
    for cmd in [&["harden", "kops", &spec][..], &["audit", "--kops", &spec]] {
        let (_, _, err) = run(cmd);
        assert!(
            err.contains("warning:") && err.contains("spec.kubelet.anonymousAuht: unknown field"),
            "{cmd:?}: {err}"
        );
    }
}

#[test]
fn overrides_of_config_base_and_an_open_node_port_range_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(
        dir.path(),
        "cb.yaml",
        &(example() + "overrides:\n  cluster:\n    configBase: s3://elsewhere/x\n"),
    );
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("configBase says where kops keeps") && err.contains("[invalid-override]"),
        "{err}"
    );

    let open = example() + "overrides:\n  cluster:\n    nodePortAccess: [0.0.0.0/1, 128.0.0.0/1]\n";
    let file = write(dir.path(), "np.yaml", &open);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("nodeport-access-restricted") && err.contains("[control-refused]"),
        "{err}"
    );
    // with a waiver it renders, and the plan shows the waiver
    let waived = open + "waivers:\n- control: nodeport-access-restricted\n  reason: a demo NodePort for the partner's office\n";
    let file = write(dir.path(), "np.yaml", &waived);
    let state = format!("file://{}/state", dir.path().display());
    let (code, out, err) = run(&["plan", "-f", &file, "--state", &state]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("a demo NodePort for the partner's office"),
        "{out}"
    );
    let narrow = example() + "overrides:\n  cluster:\n    nodePortAccess: [203.0.113.0/24]\n";
    let file = write(dir.path(), "np.yaml", &narrow);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_later_profile_cannot_turn_down_a_control_an_earlier_one_forbids_waiving() {
    let dir = tempfile::tempdir().expect("tmp");
    let mine = "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: mine\ncontrols:\n  metadata-api-blocked: off\n";
    write(dir.path(), "mine.yaml", mine);
    let file = write(
        dir.path(),
        "c.yaml",
        &example().replace("profile: baseline", "profile: [strict, ./mine.yaml]"),
    );
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("mine.yaml:5:3") && err.contains("forbids waiving metadata-api-blocked"),
        "{err}"
    );
    // extending strict is the same
    let child = "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: child\nextends: strict\ncontrols:\n  secrets-encryption-at-rest: audit\n";
    let p = write(dir.path(), "child.yaml", child);
    let (code, _, err) = run(&["profiles", "show", &p]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("forbids waiving secrets-encryption-at-rest"),
        "{err}"
    );
}

#[test]
fn review_state_locations_utility_subnets_and_duplicate_group_overrides() {
    let dir = tempfile::tempdir().expect("tmp");
    for field in ["secretStore", "keyStore", "configStore"] {
        let file = write(
            dir.path(),
            "s.yaml",
            &(example() + &format!("overrides:\n  cluster:\n    {field}: s3://evil/x\n")),
        );
        let (code, _, err) = run(&["render", "-f", &file]);
        assert_eq!(code, Some(1), "{field}: {err}");
        assert!(
            err.contains(&format!("{field} says where kops keeps")),
            "{err}"
        );
    }
    // nodes in the Utility subnet have public addresses: private-topology fails
    let file = write(
        dir.path(),
        "u.yaml",
        &(example()
            + "overrides:\n  instanceGroups:\n    nodes: {subnets: [utility-eu-west-1a]}\n"),
    );
    let (code, out, err) = run(&["audit", "-f", &file]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("private-topology")
            && out.contains("placed in public subnets: utility-eu-west-1a"),
        "{out}"
    );
    // a duplicate key in a map of names is an error at the repeat, not the last one winning
    let body = example() + "overrides:\n  instanceGroups:\n    nodes: {rootVolumeSize: 100}\n    nodes: {rootVolumeSize: 200}\n";
    let file = write(dir.path(), "d.yaml", &body);
    let (code, _, err) = run(&["render", "-f", &file]);
    assert_eq!(code, Some(1), "{err}");
    let at = line_of(&body, "nodes: {rootVolumeSize: 200}", 0);
    assert!(
        err.contains(&format!("d.yaml:{at}:5")) && err.contains("duplicate key \"nodes\""),
        "{err}"
    );
    // versions with leading zeros are not versions
    for v in ["01.34.1", "1.034.1"] {
        let file = write(dir.path(), "v.yaml", &example().replace("1.34.1", v));
        let (code, _, err) = run(&["render", "-f", &file]);
        assert_eq!(code, Some(1), "{v}: {err}");
        assert!(err.contains("is not a Kubernetes version"), "{err}");
    }
}

#[test]
fn review_kops_specs_name_their_cluster_and_only_its_groups() {
    let dir = tempfile::tempdir().expect("tmp");
    let group = "---\napiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {name: n, labels: {kops.k8s.io/cluster: other.example.com}}\nspec: {role: Node}\n";
    let cases = [
        ("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nspec: {cloudProvider: aws}\n".to_string(), "the Cluster has no metadata.name"),
        (format!("apiVersion: kops.k8s.io/v1alpha2\nkind: Cluster\nmetadata: {{name: a.example.com}}\nspec: {{cloudProvider: aws}}\n{group}"), "labelled for the cluster \"other.example.com\""),
    ];
    for (body, expected) in cases {
        let spec = write(dir.path(), "spec.yaml", &body);
        for cmd in [&["harden", "kops", &spec][..], &["audit", "--kops", &spec]] {
            let (code, _, err) = run(cmd);
            assert_eq!(code, Some(1), "{cmd:?}: {err}");
            assert!(err.contains(expected), "{cmd:?}: {err}");
        }
    }
}

#[test]
fn review_a_lease_setting_is_read_only_for_s3_stores() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = write(dir.path(), "c.yaml", &example());
    let state = format!("file://{}/state", dir.path().display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["plan", "-f", &file, "--state", &state])
        .env("PALISADE_LEASE_SECONDS", "1")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
