//! `audit --live` for a kops cluster on AWS: what the running instances and security groups
//! say, judged by the same controls as the spec.

use ipnet::IpNet;

use super::client::{Ec2, IngressRule};
use crate::audit::Finding;
use crate::controls::{self, Verdict};
use crate::kops::{tree, KopsSpec};
use crate::profile::{Level, ResolvedProfile};

fn finding(
    id: &str,
    profile: &ResolvedProfile,
    verdict: Verdict,
    object: String,
    path: &str,
    message: String,
) -> Option<Finding> {
    let control = controls::find(id)?;
    let level = profile.level(id);
    if level == Level::Off {
        return None;
    }
    Some(Finding {
        control: id.into(),
        title: control.title.into(),
        severity: control.severity,
        level,
        verdict,
        object,
        path: path.into(),
        message,
        waiver: None,
    })
}

/// Networks a rule may open a port to: the spec's access list plus the VPC itself (kops opens
/// 443 to the VPC for the load balancer's health checks).
fn allowed(spec: &KopsSpec, list: &str) -> Vec<IpNet> {
    let c = spec.cluster();
    let mut out: Vec<String> = tree::get_str_list(c, &["spec", list]).unwrap_or_default();
    out.extend(tree::get_str(c, &["spec", "networkCIDR"]).map(str::to_string));
    out.extend(tree::get_str_list(c, &["spec", "additionalNetworkCIDRs"]).unwrap_or_default());
    out.iter().filter_map(|s| s.parse().ok()).collect()
}

fn beyond(rule: &IngressRule, allowed: &[IpNet]) -> Vec<String> {
    rule.cidrs
        .iter()
        .filter(|c| match c.parse::<IpNet>() {
            Ok(net) => !allowed.iter().any(|a| a.contains(&net)),
            Err(_) => true,
        })
        .cloned()
        .collect()
}

/// Findings from the cluster's live EC2 state.
pub fn live_findings(
    ec2: &Ec2,
    spec: &KopsSpec,
    profile: &ResolvedProfile,
) -> Result<Vec<Finding>, String> {
    let cluster = spec.cluster_name();
    let mut out = Vec::new();
    let instances = ec2.instances(cluster)?;
    for i in &instances {
        let object = format!("Instance/{}", i.id);
        let (verdict, message) = match (i.http_tokens.as_deref(), i.hop_limit) {
            (Some("required"), Some(h)) if h <= 1 => {
                (Verdict::Pass, "IMDSv2 required, hop limit 1".to_string())
            }
            (Some("required"), Some(h)) => (
                Verdict::Fail,
                format!("hop limit is {h}: the metadata token reaches pods"),
            ),
            (Some(t), _) if t != "required" => (
                Verdict::Fail,
                format!("HttpTokens is {t}: IMDSv1 answers any process, pods included"),
            ),
            _ => (
                Verdict::Unknown,
                "EC2 did not report the metadata options".to_string(),
            ),
        };
        out.extend(finding(
            "metadata-api-blocked",
            profile,
            verdict,
            object,
            "MetadataOptions",
            message,
        ));
    }
    if instances.is_empty() {
        out.extend(finding(
            "metadata-api-blocked",
            profile,
            Verdict::NotApplicable,
            format!("Cluster/{cluster}"),
            "",
            format!("no running instances tagged KubernetesCluster={cluster}"),
        ));
    }
    let rules = ec2.ingress(cluster)?;
    for (id, port, list) in [
        ("api-access-restricted", 443, "kubernetesApiAccess"),
        ("ssh-access-restricted", 22, "sshAccess"),
    ] {
        let ok = allowed(spec, list);
        let mut any = false;
        for r in rules
            .iter()
            .filter(|r| r.covers(port) && !r.cidrs.is_empty())
        {
            any = true;
            let extra = beyond(r, &ok);
            let object = format!("SecurityGroup/{}", r.group_id);
            let (verdict, message) = if extra.is_empty() {
                (
                    Verdict::Pass,
                    format!("port {port} open only to allowed networks"),
                )
            } else {
                (
                    Verdict::Fail,
                    format!(
                        "port {port} is open to {} beyond spec.{list}",
                        extra.join(", ")
                    ),
                )
            };
            out.extend(finding(
                id,
                profile,
                verdict,
                object,
                "IpPermissions",
                message,
            ));
        }
        if !any {
            out.extend(finding(
                id,
                profile,
                Verdict::Pass,
                format!("Cluster/{cluster}"),
                "",
                format!("no security group rule opens port {port} to a network"),
            ));
        }
    }
    Ok(out)
}
