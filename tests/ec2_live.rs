//! EC2 through aws-sdk-ec2 against moto (scripts/test.sh): zones and burstable types in plan,
//! and `audit --live` of a kops cluster's instances and security groups.

mod common;

use aws_sdk_ec2::types::{
    Filter, HttpTokensState, InstanceMetadataOptionsRequest, InstanceType, IpPermission, IpRange,
    ResourceType, Tag, TagSpecification,
};
use common::{moto, palisade, text};

fn ec2(rt: &tokio::runtime::Runtime) -> aws_sdk_ec2::Client {
    let shared = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .endpoint_url(moto())
            .load(),
    );
    aws_sdk_ec2::Client::new(&shared)
}

fn variant(dir: &std::path::Path, from: &str, to: &str) -> String {
    let body = std::fs::read_to_string(common::root().join("examples/kops-minimal.yaml"))
        .expect("example");
    assert!(body.contains(from));
    let p = dir.join("c.yaml");
    std::fs::write(&p, body.replace(from, to)).expect("write");
    p.display().to_string()
}

#[test]
fn plan_checks_zones_and_warns_for_burstable_types() {
    moto();
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    let f = variant(dir.path(), "zones: [eu-west-1a]", "zones: [eu-west-1z]");
    let out = palisade(&["plan", "-f", &f, "--state", &state]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("{f}:10:"))
            && err.contains("zone eu-west-1z does not exist in region eu-west-1"),
        "{err}"
    );
    assert!(
        err.contains("eu-west-1a"),
        "the known zones are listed: {err}"
    );

    let f = variant(
        dir.path(),
        "machineType: m6i.large\n    minSize: 2",
        "machineType: t3.medium\n    minSize: 2",
    );
    let out = palisade(&["plan", "-f", &f, "--state", &state]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("t3.medium is a burstable type") && err.contains(&format!("{f}:18:")),
        "{err}"
    );
    assert!(!err.contains("m6i.large is a burstable"), "{err}");
}

#[test]
fn audit_live_judges_instances_and_security_groups() {
    moto();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = ec2(&rt);
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    // a cluster name of its own, so runs do not see each other's instances
    let name = format!("live{}.example.com", std::process::id());
    let f = variant(
        dir.path(),
        "name: minimal.example.com",
        &format!("name: {name}"),
    );
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );

    let images = rt
        .block_on(client.describe_images().owners("amazon").send())
        .expect("images");
    let image = images
        .images()
        .first()
        .and_then(|i| i.image_id())
        .expect("an image")
        .to_string();
    let tag = |v: &str| {
        TagSpecification::builder()
            .resource_type(ResourceType::Instance)
            .tags(Tag::builder().key("KubernetesCluster").value(v).build())
            .build()
    };
    let mut ids = Vec::new();
    for (tokens, hops) in [
        (HttpTokensState::Optional, 1),
        (HttpTokensState::Required, 2),
        (HttpTokensState::Required, 1),
    ] {
        let out = rt
            .block_on(
                client
                    .run_instances()
                    .image_id(&image)
                    .instance_type(InstanceType::M6iLarge)
                    .min_count(1)
                    .max_count(1)
                    .metadata_options(
                        InstanceMetadataOptionsRequest::builder()
                            .http_tokens(tokens)
                            .http_put_response_hop_limit(hops)
                            .build(),
                    )
                    .tag_specifications(tag(&name))
                    .send(),
            )
            .expect("run instances");
        ids.push(out.instances()[0].instance_id().expect("id").to_string());
    }
    let sg_tag = TagSpecification::builder()
        .resource_type(ResourceType::SecurityGroup)
        .tags(Tag::builder().key("KubernetesCluster").value(&name).build())
        .build();
    let mut groups = Vec::new();
    for (gname, port, cidr) in [
        ("open", 443, "0.0.0.0/0"),
        ("office", 443, "203.0.113.0/24"),
    ] {
        let g = rt
            .block_on(
                client
                    .create_security_group()
                    .group_name(format!("{gname}-{}", std::process::id()))
                    .description("test")
                    .tag_specifications(sg_tag.clone())
                    .send(),
            )
            .expect("sg");
        let id = g.group_id().expect("id").to_string();
        let perm = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
            .build();
        rt.block_on(
            client
                .authorize_security_group_ingress()
                .group_id(&id)
                .ip_permissions(perm)
                .send(),
        )
        .expect("ingress");
        groups.push(id);
    }
    // the filter really selects by tag: an untagged open group is not the cluster's
    rt.block_on(
        client
            .describe_security_groups()
            .filters(
                Filter::builder()
                    .name("tag:KubernetesCluster")
                    .values(&name)
                    .build(),
            )
            .send(),
    )
    .expect("filter works");

    let out = palisade(&[
        "audit", "--state", &state, "--name", &name, "--live", "-o", "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let verdict = |object: &str, control: &str| -> String {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["object"] == object && f["control"] == control)
            .map(|f| f["verdict"].as_str().expect("verdict").to_string())
            .unwrap_or_else(|| panic!("no {control} finding for {object}: {report}"))
    };
    assert_eq!(
        verdict(&format!("Instance/{}", ids[0]), "metadata-api-blocked"),
        "fail"
    );
    assert_eq!(
        verdict(&format!("Instance/{}", ids[1]), "metadata-api-blocked"),
        "fail"
    );
    assert_eq!(
        verdict(&format!("Instance/{}", ids[2]), "metadata-api-blocked"),
        "pass"
    );
    assert_eq!(
        verdict(
            &format!("SecurityGroup/{}", groups[0]),
            "api-access-restricted"
        ),
        "fail"
    );
    assert_eq!(
        verdict(
            &format!("SecurityGroup/{}", groups[1]),
            "api-access-restricted"
        ),
        "pass"
    );
    // the spec itself still passes: the findings come from the live state
    assert_eq!(verdict(&format!("Cluster/{name}"), "rbac"), "pass");

    // live findings go through the same evaluation as the spec's: a waiver in the cluster file
    // turns the failing instances into waived findings carrying its reason
    let waived = dir.path().join("waived.yaml");
    let body = std::fs::read_to_string(&f).expect("variant")
        + "waivers:\n- control: metadata-api-blocked\n  reason: legacy agent needs IMDSv1 until Q3\n  expires: 2999-12-31\n";
    std::fs::write(&waived, body).expect("write");
    let out = palisade(&[
        "audit",
        "-f",
        &waived.display().to_string(),
        "--live",
        "-o",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)));
    let finding = |object: &str, control: &str| -> serde_json::Value {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["object"] == object && f["control"] == control)
            .cloned()
            .unwrap_or_else(|| panic!("no {control} finding for {object}: {report}"))
    };
    for id in &ids[..2] {
        let f = finding(&format!("Instance/{id}"), "metadata-api-blocked");
        assert_eq!(f["verdict"], "waived", "{f}");
        assert_eq!(
            f["waiver"]["reason"], "legacy agent needs IMDSv1 until Q3",
            "{f}"
        );
    }
    assert_eq!(
        finding(&format!("Instance/{}", ids[2]), "metadata-api-blocked")["verdict"],
        "pass"
    );
    // the open security group is not waived: it still fails, so the audit still exits 2
    assert_eq!(
        finding(
            &format!("SecurityGroup/{}", groups[0]),
            "api-access-restricted"
        )["verdict"],
        "fail"
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
