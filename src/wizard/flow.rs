//! The questions, in order, for a first kops cluster.

use super::answers::{Answers, SshAccess, KUBERNETES_VERSION};
use super::prompter::Prompter;
use crate::cluster_file::validate::name_problem;
use crate::cluster_file::Cidr;

/// The zones of a region.
pub type ZoneLookup = Box<dyn Fn(&str) -> Vec<String>>;

/// What the flow knows about the cloud: built in, or from EC2 when credentials are at hand.
pub struct Facts {
    pub regions: Vec<String>,
    pub zones: ZoneLookup,
    pub burstable: Box<dyn Fn(&str) -> bool>,
}

impl Facts {
    /// Facts from built-in lists: no network, no credentials.
    pub fn builtin() -> Self {
        Facts {
            regions: [
                "eu-west-1",
                "eu-central-1",
                "eu-north-1",
                "us-east-1",
                "us-east-2",
                "us-west-2",
                "ap-southeast-2",
                "ap-northeast-1",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            zones: Box::new(|region| {
                ["a", "b", "c"]
                    .iter()
                    .map(|z| format!("{region}{z}"))
                    .collect()
            }),
            burstable: Box::new(crate::aws::is_burstable_family),
        }
    }
}

fn list(text: &str) -> Vec<String> {
    text.split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn cidrs(text: &str) -> Result<Vec<String>, String> {
    let items = list(text);
    if items.is_empty() {
        return Err("name at least one network in CIDR form, e.g. 203.0.113.0/24".into());
    }
    items
        .iter()
        .map(|c| Cidr::parse(c).map(|c| c.to_string()))
        .collect()
}

fn machine_type(p: &mut dyn Prompter, facts: &Facts, prompt: &str) -> Result<String, String> {
    loop {
        let t = p.input(prompt, Some("m6i.large"), &|s| {
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

/// Asks every question and returns the answers; never writes or applies anything.
pub fn run_flow(p: &mut dyn Prompter, facts: &Facts) -> Result<Answers, String> {
    p.say("Palisade init: a hardened kops cluster on AWS. (GKE is not supported yet.)");

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

    let region = facts.regions[p.select("Region", &facts.regions, 0)?].clone();
    let control = [
        "1 control-plane node — cheaper; while it is down (a failure, an upgrade) the API is down"
            .to_string(),
        "3 control-plane nodes — survives the loss of a node or a zone; needs 3 zones".to_string(),
    ];
    let control_plane_count = if p.select("Control plane", &control, 0)? == 0 {
        1
    } else {
        3
    };
    let known = (facts.zones)(&region);
    let default_zones = known
        .iter()
        .take(control_plane_count as usize)
        .cloned()
        .collect::<Vec<_>>()
        .join(",");
    let known_for_check = known.clone();
    let region_for_check = region.clone();
    let zones = list(&p.input(
        &format!("Zones in {region} (comma-separated)"),
        Some(&default_zones),
        &move |s| {
            let z = list(s);
            if let Some(bad) = z.iter().find(|z| !known_for_check.contains(z)) {
                return Err(format!(
                    "{bad} is not a zone of {region_for_check} (it has: {})",
                    known_for_check.join(", ")
                ));
            }
            if z.len() < control_plane_count as usize {
                return Err(format!(
                    "{control_plane_count} control-plane nodes need {control_plane_count} zones"
                ));
            }
            Ok(())
        },
    )?);

    let control_plane_type = machine_type(p, facts, "Control-plane machine type")?;
    let node_type = machine_type(p, facts, "Node machine type")?;
    let number = |s: &str| {
        s.parse::<u32>()
            .map(|_| ())
            .map_err(|_| format!("{s:?} is not a whole number"))
    };
    let nodes_min: u32 = p
        .input("Fewest nodes", Some("2"), &number)?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let nodes_max: u32 = p
        .input(
            "Most nodes",
            Some(&nodes_min.max(4).to_string()),
            &move |s| match s.parse::<u32>() {
                Ok(n) if n >= nodes_min.max(1) => Ok(()),
                Ok(_) => Err(format!("at least {}", nodes_min.max(1))),
                Err(_) => Err(format!("{s:?} is not a whole number")),
            },
        )?
        .parse()
        .map_err(|e| format!("{e}"))?;

    p.say("Only the networks you name will reach the Kubernetes API (your office or VPN egress, in CIDR form).");
    let api_cidrs = cidrs(&p.input("Networks allowed to reach the API", None, &|s| {
        cidrs(s).map(|_| ())
    })?)?;
    let mut api_waiver_reason = None;
    if crate::cluster_file::Exposure::of(api_cidrs.iter().map(String::as_str)).is_open() {
        p.say("warning: 0.0.0.0/0 or ::/0 opens the API to the whole internet: one leaked credential or API server bug away from a compromise. The cluster file will carry a waiver for api-access-restricted, and every plan will show it.");
        api_waiver_reason = Some(p.input(
            "Why is that acceptable? (the waiver's reason)",
            None,
            &|s| {
                if s.trim().is_empty() {
                    Err("a waiver needs a reason".into())
                } else {
                    Ok(())
                }
            },
        )?);
    }

    let ssh_choices = [
        "none — no SSH to any machine (recommended; use SSM or kubectl debug)".to_string(),
        "bastion — one small host in the utility subnets is the only SSH entry point".to_string(),
    ];
    let ssh = if p.select("SSH access", &ssh_choices, 0)? == 0 {
        SshAccess::None
    } else {
        let c = p.input("Networks allowed to reach the bastion", None, &|s| {
            let c = cidrs(s)?;
            if crate::cluster_file::Exposure::of(c.iter().map(String::as_str)).is_open() {
                Err(
                    "SSH open to the whole internet is not offered; name your admin networks"
                        .into(),
                )
            } else {
                Ok(())
            }
        })?;
        SshAccess::Bastion { cidrs: cidrs(&c)? }
    };

    let profiles = [
        "baseline — RBAC, audit log, kubelet auth, Calico, private subnets, IMDSv2, encrypted Secrets, TLS 1.2+".to_string(),
        "strict — baseline plus IRSA, an internal API load balancer, TLS 1.3, restricted pods (needs a public S3 bucket and a way into the VPC)".to_string(),
    ];
    let strict = p.select("Profile", &profiles, 0)? == 1;
    let discovery_store = if strict {
        Some(p.input(
            "Public S3 bucket for the IRSA issuer documents (s3://NAME, no dots)",
            None,
            &|s| {
                let bucket = s.strip_prefix("s3://").unwrap_or("");
                if bucket.is_empty() || bucket.contains('.') || bucket.contains('/') {
                    Err("expected s3://BUCKET with no dots".into())
                } else {
                    Ok(())
                }
            },
        )?)
    } else {
        None
    };

    p.say("Namespaces for your teams get Pod Security labels, a default-deny network policy and a default service account without an API token; Services of type LoadBalancer or NodePort are allowed only in the ingress namespace.");
    let namespaces = list(&p.input(
        "Namespaces (comma-separated; empty: none yet)",
        Some(""),
        &|s| namespace_list(s).map(|_| ()),
    )?);
    let ingress_namespace = if namespaces.is_empty() {
        None
    } else {
        let mut choices = vec!["none — no Service is exposed outside the cluster".to_string()];
        choices.extend(
            namespaces
                .iter()
                .map(|n| format!("{n} — its Services may be LoadBalancer or NodePort")),
        );
        match p.select("Ingress namespace", &choices, 0)? {
            0 => None,
            i => namespaces.get(i - 1).cloned(),
        }
    };

    Ok(Answers {
        name,
        dns_zone,
        region,
        zones,
        kubernetes_version: KUBERNETES_VERSION.into(),
        control_plane_count,
        control_plane_type,
        node_type,
        nodes_min,
        nodes_max,
        api_cidrs,
        api_waiver_reason,
        ssh,
        profile: if strict {
            "strict".into()
        } else {
            "baseline".into()
        },
        discovery_store,
        namespaces,
        ingress_namespace,
    })
}

/// The namespaces of a comma-separated answer, each checked as the cluster file checks it.
pub fn namespace_list(text: &str) -> Result<Vec<String>, String> {
    let names = list(text);
    for (i, n) in names.iter().enumerate() {
        if let Some(why) = crate::cluster_file::validate::namespace_problem(n) {
            return Err(why);
        }
        if names[..i].contains(n) {
            return Err(format!("{n} is named twice"));
        }
    }
    Ok(names)
}
