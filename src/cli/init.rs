//! `palisade init`: write a first cluster file, from a wizard or from flags. Never applies.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

use super::{exit, Output};
use crate::cluster_file::{load_str, Date};
use crate::wizard::{cluster_file_text, run_flow, Answers, Facts, SshAccess, TerminalPrompter};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the cluster file.
    #[arg(short = 'o', long = "output", default_value = "palisade.yaml")]
    output: PathBuf,
    /// Take every answer from flags; for scripts and CI.
    #[arg(long = "no-input")]
    no_input: bool,
    /// Overwrite an existing file.
    #[arg(long = "force")]
    force: bool,
    /// kops (AWS) is the only provider today.
    #[arg(long = "provider", value_parser = ["kops"], default_value = "kops")]
    provider: String,
    #[arg(long = "name")]
    name: Option<String>,
    #[arg(long = "dns-zone")]
    dns_zone: Option<String>,
    #[arg(long = "region")]
    region: Option<String>,
    /// Comma-separated zones.
    #[arg(long = "zones", value_delimiter = ',')]
    zones: Vec<String>,
    #[arg(long = "control-plane-count", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=3))]
    control_plane_count: u32,
    #[arg(long = "control-plane-type", default_value = "m6i.large")]
    control_plane_type: String,
    #[arg(long = "node-type", default_value = "m6i.large")]
    node_type: String,
    #[arg(long = "nodes-min", default_value_t = 2)]
    nodes_min: u32,
    #[arg(long = "nodes-max", default_value_t = 4)]
    nodes_max: u32,
    /// A network allowed to reach the API (repeat).
    #[arg(long = "api-cidr")]
    api_cidr: Vec<String>,
    /// Why an API open to 0.0.0.0/0 is acceptable (required with it).
    #[arg(long = "api-waiver-reason")]
    api_waiver_reason: Option<String>,
    /// Add a bastion reachable from these networks (repeat); without it, no SSH.
    #[arg(long = "bastion-cidr")]
    bastion_cidr: Vec<String>,
    #[arg(long = "profile", value_parser = ["baseline", "strict"], default_value = "baseline")]
    profile: String,
    /// Public S3 bucket for IRSA (strict).
    #[arg(long = "discovery-store")]
    discovery_store: Option<String>,
    /// The teams' namespaces, comma-separated (the in-cluster guardrails act on them).
    #[arg(long = "namespaces", value_delimiter = ',')]
    namespaces: Vec<String>,
    /// The one namespace whose Services may be LoadBalancer or NodePort (one of --namespaces).
    #[arg(long = "ingress-namespace", requires = "namespaces")]
    ingress_namespace: Option<String>,
}

fn from_flags(a: &Args) -> anyhow::Result<Answers> {
    let need = |v: &Option<String>, flag: &str| {
        v.clone()
            .ok_or_else(|| anyhow::anyhow!("--no-input needs {flag}"))
    };
    if a.api_cidr.is_empty() {
        anyhow::bail!(
            "--no-input needs --api-cidr (the networks allowed to reach the Kubernetes API)"
        );
    }
    let exposure = crate::cluster_file::Exposure::of(a.api_cidr.iter().map(String::as_str));
    let open = exposure.is_open();
    if open && a.api_waiver_reason.is_none() {
        anyhow::bail!(
            "--api-cidr {} opens the API to {}; give --api-waiver-reason to accept it",
            crate::cluster_file::Exposure::excerpt(a.api_cidr.iter().map(String::as_str)),
            exposure.describe()
        );
    }
    let bastion = crate::cluster_file::Exposure::of(a.bastion_cidr.iter().map(String::as_str));
    if bastion.is_open() {
        anyhow::bail!(
            "--bastion-cidr {} opens SSH to {}; SSH open to the internet is not offered: name your admin networks",
            crate::cluster_file::Exposure::excerpt(a.bastion_cidr.iter().map(String::as_str)),
            bastion.describe()
        );
    }
    let namespaces = crate::wizard::namespace_list(&a.namespaces.join(","))
        .map_err(|why| anyhow::anyhow!("--namespaces: {why}"))?;
    if let Some(ingress) = &a.ingress_namespace {
        if !namespaces.contains(ingress) {
            anyhow::bail!(
                "--ingress-namespace {ingress} is not one of --namespaces ({})",
                namespaces.join(", ")
            );
        }
    }
    Ok(Answers {
        name: need(&a.name, "--name")?,
        dns_zone: a.dns_zone.clone(),
        region: need(&a.region, "--region")?,
        zones: if a.zones.is_empty() {
            anyhow::bail!("--no-input needs --zones")
        } else {
            a.zones.clone()
        },
        kubernetes_version: crate::wizard::KUBERNETES_VERSION_DEFAULT.into(),
        control_plane_count: a.control_plane_count,
        control_plane_type: a.control_plane_type.clone(),
        node_type: a.node_type.clone(),
        nodes_min: a.nodes_min,
        nodes_max: a.nodes_max,
        api_cidrs: a.api_cidr.clone(),
        api_waiver_reason: if open {
            a.api_waiver_reason.clone()
        } else {
            None
        },
        ssh: if a.bastion_cidr.is_empty() {
            SshAccess::None
        } else {
            SshAccess::Bastion {
                cidrs: a.bastion_cidr.clone(),
            }
        },
        profile: a.profile.clone(),
        discovery_store: a.discovery_store.clone(),
        namespaces,
        ingress_namespace: a.ingress_namespace.clone(),
    })
}

/// Facts for the wizard: EC2's zones when credentials are at hand, else the built-in lists.
fn facts(o: &mut Output<'_>) -> Facts {
    let mut f = Facts::builtin();
    if super::cloud::credentials_present() {
        let _ = o.info("AWS credentials found: zones and instance types come from EC2");
        f.zones =
            Box::new(
                |region| match crate::aws::Ec2::connect(region).and_then(|e| e.zones()) {
                    Ok(z) if !z.is_empty() => z,
                    _ => Facts::builtin().zones.as_ref()(region),
                },
            );
    }
    f
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if a.output.exists() && !a.force {
        anyhow::bail!(
            "{} exists; pass --force to overwrite it, or -o another file",
            a.output.display()
        );
    }
    let answers = if a.no_input {
        from_flags(&a)?
    } else {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            anyhow::bail!("init asks questions and needs a terminal; in scripts use `palisade init --no-input --name … --region … --zones … --api-cidr …`");
        }
        let facts = facts(o);
        let mut prompter = TerminalPrompter::default();
        run_flow(&mut prompter, &facts)
            .map_err(|e| anyhow::anyhow!("init stopped: {e}; nothing was written"))?
    };
    let text = cluster_file_text(&answers);
    // what init writes must load: the same checks as every other command
    load_str(&text, &a.output, Date::today(), crate::controls::is_known).map_err(|e| {
        anyhow::anyhow!("the answers do not make a valid cluster file; nothing was written:\n{e}")
    })?;
    std::fs::write(&a.output, &text)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    o.note(&format!(
        "\nWrote {}: cluster {} in {} ({}), profile {}.\nNext: palisade plan -f {}",
        a.output.display(),
        answers.name,
        answers.region,
        answers.zones.join(", "),
        answers.profile,
        a.output.display()
    ))?;
    Ok(exit::OK)
}
