//! Controls on who can reach the cluster and how pods reach each other.
pub mod api_access_restricted;
pub mod api_load_balancer_class;
pub mod api_load_balancer_internal;
pub mod network_policy;
pub mod nodeport_access_restricted;
pub mod private_topology;
pub mod ssh_access_restricted;

use ipnet::IpNet;

use crate::cluster_file::Exposure;
use crate::controls::{Check, Verdict};
use crate::kops::live::LiveState;
use crate::kops::KopsSpec;
use crate::yaml::tree;

/// The live half shared by the two access controls: every security-group rule of the cluster
/// that lets TCP reach `port` may open it only to the spec's access list `list`, the VPC
/// (`networkCIDR`, `additionalNetworkCIDRs`: kops opens 443 to the VPC for the load balancer's
/// health checks).
pub fn check_live_port(spec: &KopsSpec, live: &LiveState, port: i32, list: &str) -> Vec<Check> {
    let c = spec.cluster();
    let mut allowed: Vec<String> = tree::get_str_list(c, &["spec", list]).unwrap_or_default();
    allowed.extend(tree::get_str(c, &["spec", "networkCIDR"]).map(str::to_string));
    allowed.extend(tree::get_str_list(c, &["spec", "additionalNetworkCIDRs"]).unwrap_or_default());
    let allowed: Vec<IpNet> = allowed.iter().filter_map(|s| s.parse().ok()).collect();
    let mut out = Vec::new();
    for rule in live
        .ingress
        .iter()
        .filter(|r| r.covers(port) && !r.cidrs.is_empty())
    {
        let extra: Vec<String> = rule
            .cidrs
            .iter()
            .filter(|c| match c.parse::<IpNet>() {
                Ok(net) => !allowed.iter().any(|a| a.contains(&net)),
                Err(_) => true,
            })
            .cloned()
            .collect();
        let object = format!("SecurityGroup/{}", rule.group_id);
        out.push(if extra.is_empty() {
            Check::pass(
                &object,
                "IpPermissions",
                format!("port {port} open only to allowed networks"),
            )
        } else {
            Check::fail(
                &object,
                "IpPermissions",
                format!(
                    "port {port} is open to {} beyond spec.{list}",
                    extra.join(", ")
                ),
            )
        });
    }
    if out.is_empty() {
        out.push(Check::pass(
            &format!("Cluster/{}", spec.cluster_name()),
            "",
            format!("no security group rule opens port {port} to a network"),
        ));
    }
    out
}

/// What a list opens, prefix lists (`pl-…`, resolved by AWS) left out.
fn exposure(list: &[String]) -> Exposure {
    Exposure::of(
        list.iter()
            .map(String::as_str)
            .filter(|c| !c.starts_with("pl-")),
    )
}

/// Why a list is open, when it is: the old spelling for a single `/0`, else how much the union
/// of its entries opens.
pub fn open_problem(path: &str, list: &[String]) -> Option<String> {
    let e = exposure(list);
    if !e.is_open() {
        return None;
    }
    let whole: Vec<&str> = list
        .iter()
        .map(String::as_str)
        .filter(|c| c.parse::<ipnet::IpNet>().is_ok_and(|n| n.prefix_len() == 0))
        .collect();
    Some(if whole.is_empty() {
        format!(
            "{path} ({}) together opens {}: more than {}",
            Exposure::excerpt(list.iter().map(String::as_str)),
            e.describe(),
            Exposure::limit()
        )
    } else {
        format!(
            "{path} includes {}: open to the whole internet",
            whole.join(", ")
        )
    })
}

/// An entry kops accepts in an access list: a canonical CIDR (checked as the cluster file checks
/// one) or an AWS prefix list id.
pub fn entry_problem(entry: &str) -> Option<String> {
    if entry.starts_with("pl-") {
        return None;
    }
    crate::cluster_file::Cidr::parse(entry).err().map(|why| {
        format!(
            "{}; an AWS prefix list id (pl-…) is accepted too",
            crate::yaml::bound_quotes(&why)
        )
    })
}

/// Judges an access list (`kubernetesApiAccess`, `sshAccess`).
pub fn check_access(
    object: &str,
    path: &str,
    list: Option<Vec<String>>,
    empty_ok: Option<&str>,
) -> Check {
    let list = list.unwrap_or_default();
    if list.is_empty() {
        return match empty_ok {
            Some(why) => Check::pass(object, path, format!("{path} is empty; {why}")),
            None => Check::fail(
                object,
                path,
                format!("{path} is not set; name the CIDRs allowed in"),
            ),
        };
    }
    if let Some(why) = open_problem(path, &list) {
        return Check::fail(object, path, why);
    }
    if let Some(p) = list.iter().find_map(|c| entry_problem(c)) {
        return Check::fail(object, path, p);
    }
    Check::pass(
        object,
        path,
        format!(
            "{path} is {}",
            Exposure::excerpt(list.iter().map(String::as_str))
        ),
    )
}

/// Apply for an access list: networks given on the command line replace the list; otherwise a
/// failing list cannot be fixed here, because only the user knows which networks to allow.
pub fn apply_access(
    spec: &mut KopsSpec,
    path: &[&str],
    given: &[String],
    check: Check,
    hint: &str,
) -> Result<(), String> {
    let opens = exposure(given);
    if opens.is_open() {
        return Err(format!(
            "{} would open {} to {}; name narrower networks ({})",
            Exposure::excerpt(given.iter().map(String::as_str)),
            path.join("."),
            opens.describe(),
            Exposure::limit()
        ));
    }
    if !given.is_empty() {
        tree::set(spec.cluster_mut(), path, tree::str_seq(given));
        return Ok(());
    }
    if check.verdict == Verdict::Fail {
        return Err(format!("{}; {hint}", check.message));
    }
    Ok(())
}
pub mod intranode_visibility;
pub mod private_endpoint;
pub mod vpc_native;
