//! The questions for a kops cluster on AWS.

use super::answers::{Answers, KopsAnswers, ProviderAnswers, SshAccess, StateStore};
use super::answers_kops::{KOPS_MACHINE_TYPE, KOPS_NODES_MAX, KOPS_NODES_MIN, KUBERNETES_VERSION};
use super::flow::{api_access, cidrs, common, list, namespaces, whole_number, Facts};
use super::prompter::Prompter;
use super::state_store;
use crate::cluster_file::validate::name_problem;
use crate::cluster_file::Exposure;

fn machine_type(p: &mut dyn Prompter, facts: &Facts, prompt: &str) -> Result<String, String> {
    loop {
        let t = p.input(prompt, Some(KOPS_MACHINE_TYPE), &|s| {
            if s.contains('.') && !s.contains(' ') {
                Ok(())
            } else {
                Err(format!("{s:?} is not an instance type (like m6i.large)"))
            }
        })?;
        if !(facts.burstable)(&t) {
            return Ok(t);
        }
        p.say(&format!(
            "warning: {t} is burstable: it runs on CPU credits, and under steady load (a control plane, busy nodes) they run out and the instance slows to a fraction of a core."
        ));
        if p.confirm(&format!("Use {t} anyway?"), false)? {
            return Ok(t);
        }
    }
}

/// The DNS zone and the cluster's name, which must sit inside it.
fn dns_zone_and_name(p: &mut dyn Prompter) -> Result<(Option<String>, String), String> {
    let dns_zone = p.input(
        "Route 53 DNS zone for the API name (empty: no DNS)",
        Some(""),
        &|s| {
            if s.is_empty() || name_problem(&format!("x.{s}"), None).is_none() {
                Ok(())
            } else {
                Err(format!("{s:?} is not a DNS zone name"))
            }
        },
    )?;
    let dns_zone = Some(dns_zone).filter(|z| !z.is_empty());
    p.say("The cluster name is a DNS name: kops keys the state store by it and publishes api.NAME in the DNS zone, so with a zone it must end with it; without one, a name with a dot (dev.k8s.example.com) is enough.");
    let zone_for_check = dns_zone.clone();
    let name = p.input("Cluster name", None, &move |s| match name_problem(
        s,
        zone_for_check.as_deref(),
    ) {
        Some(why) => Err(why),
        None if !s.contains('.') => Err(
            "use a name with a dot, like dev.k8s.example.com (kops wants a DNS-style name)".into(),
        ),
        None => Ok(()),
    })?;
    Ok((dns_zone, name))
}

/// The control plane's size and its zones.
fn control_plane_and_zones(
    p: &mut dyn Prompter,
    facts: &Facts,
    region: &str,
) -> Result<(u32, Vec<String>), String> {
    let control = [
        "1 control-plane node — cheaper; while it is down (a failure, an upgrade) the API is down"
            .to_string(),
        "3 control-plane nodes — survives the loss of a node or a zone; needs 3 zones".to_string(),
    ];
    let count = if p.select("Control plane", &control, 0)? == 0 {
        1
    } else {
        3
    };
    let known = (facts.zones)(region);
    let default_zones = known
        .iter()
        .take(count as usize)
        .cloned()
        .collect::<Vec<_>>()
        .join(",");
    let region_for_check = region.to_string();
    let zones = list(&p.input(
        &format!("Zones in {region} (comma-separated)"),
        Some(&default_zones),
        &move |s| {
            let z = list(s);
            if let Some(bad) = z.iter().find(|z| !known.contains(z)) {
                return Err(format!(
                    "{bad} is not a zone of {region_for_check} (it has: {})",
                    known.join(", ")
                ));
            }
            if z.len() < count as usize {
                return Err(format!("{count} control-plane nodes need {count} zones"));
            }
            Ok(())
        },
    )?);
    Ok((count, zones))
}

/// The node group's smallest and largest size.
fn node_sizes(p: &mut dyn Prompter) -> Result<(u32, u32), String> {
    let min = whole_number(
        &p.input("Fewest nodes", Some(&KOPS_NODES_MIN.to_string()), &|s| {
            whole_number(s).map(|_| ())
        })?,
    )?;
    let max = whole_number(&p.input(
        "Most nodes",
        Some(&min.max(KOPS_NODES_MAX).to_string()),
        &move |s| match whole_number(s)? {
            n if n >= min.max(1) => Ok(()),
            _ => Err(format!("at least {}", min.max(1))),
        },
    )?)?;
    Ok((min, max))
}

/// Where kops keeps the cluster: an S3 bucket and its region, or the local default.
fn state_store(p: &mut dyn Prompter, region: &str) -> Result<StateStore, String> {
    p.say(&format!(
        "kops keeps the cluster's configuration and secrets in a state store, and the nodes read their configuration from it when they boot: use an S3 bucket. {}",
        state_store::create_bucket_hint(region)
    ));
    let url = p.input(
        "State store (s3://BUCKET[/PREFIX]; empty: a local file:// store, for reviewing plans only)",
        Some(""),
        &|s| match s.is_empty() {
            true => Ok(()),
            false => state_store::s3_store_problem(s).map_or(Ok(()), Err),
        },
    )?;
    if url.is_empty() {
        p.say(&format!(
            "The plan and apply will use {}. {}",
            state_store::DEFAULT_STATE_STORE,
            state_store::LOCAL_STORE_EXPLAINED
        ));
        return Ok(StateStore::Local);
    }
    if state_store::bucket_has_dots(&url) {
        p.say(&format!("note: {}", state_store::DOTTED_BUCKET));
    }
    let bucket_region = p.input("Region of the bucket", Some(region), &|s| {
        state_store::aws_region_problem(s).map_or(Ok(()), Err)
    })?;
    Ok(StateStore::S3 {
        url,
        region: bucket_region,
    })
}

/// SSH: none, or a bastion reachable from admin networks (never the whole internet).
fn ssh(p: &mut dyn Prompter) -> Result<SshAccess, String> {
    let ssh_choices = [
        "none — no SSH to any machine (recommended; use SSM or kubectl debug)".to_string(),
        "bastion — one small host in the utility subnets is the only SSH entry point".to_string(),
    ];
    if p.select("SSH access", &ssh_choices, 0)? == 0 {
        return Ok(SshAccess::None);
    }
    let c = p.input("Networks allowed to reach the bastion", None, &|s| {
        let c = cidrs(s)?;
        if Exposure::of(c.iter().map(String::as_str)).is_open() {
            Err("SSH open to the whole internet is not offered; name your admin networks".into())
        } else {
            Ok(())
        }
    })?;
    Ok(SshAccess::Bastion { cidrs: cidrs(&c)? })
}

/// The profile, and for strict the public bucket IRSA needs.
fn profile(
    p: &mut dyn Prompter,
    state_bucket: Option<&str>,
) -> Result<(bool, Option<String>), String> {
    let profiles = [
        "baseline — RBAC, audit log, kubelet auth, Calico, private subnets, IMDSv2, encrypted Secrets, TLS 1.2+".to_string(),
        "strict — baseline plus IRSA, an internal API load balancer, TLS 1.3, restricted pods (needs a public S3 bucket and a way into the VPC)".to_string(),
    ];
    if p.select("Profile", &profiles, 0)? == 0 {
        return Ok((false, None));
    }
    let store = p.input(
        "Public S3 bucket for the IRSA issuer documents (s3://NAME, no dots)",
        None,
        &|s| {
            let bucket = s.strip_prefix("s3://").unwrap_or("");
            if bucket.is_empty() || bucket.contains('.') || bucket.contains('/') {
                Err("expected s3://BUCKET with no dots".into())
            } else if let Some(why) = crate::state::bucket::bucket_name_problem(bucket) {
                Err(why)
            } else if Some(bucket) == state_bucket {
                Err("that is the state store's bucket, which holds the cluster's secrets; the issuer's documents are public: use a bucket of its own".into())
            } else {
                Ok(())
            }
        },
    )?;
    Ok((true, Some(store)))
}

pub(super) fn ask(p: &mut dyn Prompter, facts: &Facts) -> Result<Answers, String> {
    p.say("A hardened kops cluster on AWS.");
    let (dns_zone, name) = dns_zone_and_name(p)?;
    let region = facts.regions[p.select("Region", &facts.regions, 0)?].clone();
    let (control_plane_count, zones) = control_plane_and_zones(p, facts, &region)?;
    let control_plane_type = machine_type(p, facts, "Control-plane machine type")?;
    let node_type = machine_type(p, facts, "Node machine type")?;
    let (nodes_min, nodes_max) = node_sizes(p)?;
    let state_store = state_store(p, &region)?;
    p.say("Only the networks you name will reach the Kubernetes API (your office or VPN egress, in CIDR form).");
    let api = api_access(p, facts, "Networks allowed to reach the API", None)?;
    let ssh = ssh(p)?;
    let state_bucket = match &state_store {
        super::StateStore::S3 { url, .. } => {
            crate::aws::bucket::split_url(url).map(|(bucket, _)| bucket)
        }
        _ => None,
    };
    let (strict, discovery_store) = profile(p, state_bucket.as_deref())?;
    let namespaces = namespaces(p)?;
    Ok(Answers {
        name,
        provider: ProviderAnswers::Kops(KopsAnswers {
            dns_zone,
            region,
            zones,
            kubernetes_version: KUBERNETES_VERSION.into(),
            control_plane_count,
            control_plane_type,
            node_type,
            nodes_min,
            nodes_max,
            ssh,
            discovery_store,
            state_store,
        }),
        common: common(api, strict, namespaces),
    })
}
