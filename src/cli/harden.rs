//! `palisade harden kops SPEC.yaml`: an existing kops spec, hardened in place.

use std::path::PathBuf;

use super::common::{read_spec, resolve_profiles};
use super::{exit, Output};
use crate::controls::{ApplyCtx, Mode};
use crate::provider::kops::harden::harden;

#[derive(Debug, clap::Subcommand)]
pub enum Target {
    /// A kops multi-document spec (Cluster + InstanceGroups), as `kops get all -o yaml` prints it.
    Kops(Args),
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    spec: PathBuf,
    /// Profile name or file (repeat to merge; default baseline).
    #[arg(long = "profile")]
    profile: Vec<String>,
    /// A network allowed to reach the API; replaces spec.kubernetesApiAccess.
    #[arg(long = "api-cidr", value_parser = parse_cidr)]
    api_cidr: Vec<String>,
    /// A network allowed to reach SSH; replaces spec.sshAccess.
    #[arg(long = "ssh-cidr", value_parser = parse_cidr)]
    ssh_cidr: Vec<String>,
}

fn parse_cidr(s: &str) -> Result<String, String> {
    crate::cluster_file::Cidr::parse(s).map(|c| c.to_string())
}

pub fn run(t: Target, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let Target::Kops(a) = t;
    let profile = resolve_profiles(&a.profile)?;
    let spec = read_spec(&a.spec, o)?;
    let mut ctx = ApplyCtx::new(Mode::Harden);
    ctx.api_cidrs = a.api_cidr;
    ctx.ssh_cidrs = a.ssh_cidr;
    let hardened = harden(&spec, &profile, &ctx);
    let wants = |s: &crate::kops::KopsSpec| {
        crate::yaml::tree::get_bool(s.cluster(), &["spec", "encryptionConfig"]) == Some(true)
    };
    if wants(&hardened.spec) && !wants(&spec) {
        o.note(&format!(
            "note: encryptionConfig is now true; kops update fails until the state store holds the secret: create it with `kops create secret encryptionconfig --name {} -f CONFIG.yaml` (an EncryptionConfiguration with a fresh 32-byte key), or let `palisade apply` create it",
            spec.cluster_name()
        ))?;
    }
    o.print(&hardened.spec.to_yaml())?;
    let failing: Vec<_> = hardened
        .findings
        .iter()
        .filter(|f| f.is_blocking())
        .collect();
    for (id, why) in &hardened.unfixable {
        o.note(&format!("not fixed: {id}: {why}"))?;
    }
    if failing.is_empty() {
        return Ok(exit::OK);
    }
    o.note(&format!(
        "{} finding(s) of enforced controls still fail after hardening; see `palisade audit --kops`",
        failing.len()
    ))?;
    Ok(exit::ATTENTION)
}
