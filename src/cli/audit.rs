//! `palisade audit`: findings against a profile, as text or JSON.

use std::path::PathBuf;

use super::common::{load_cluster_file, read_spec, render_loaded, resolve_profiles, AuditFormat};
use super::{exit, Output};
use crate::audit::{evaluate, Report};
use crate::controls::Severity;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").args(["file", "kops", "name", "gke_json", "gke"])))]
pub struct Args {
    /// A cluster file: audits what it renders to.
    #[arg(short = 'f', long = "file")]
    file: Option<PathBuf>,
    /// A kops multi-document spec (Cluster + InstanceGroups).
    #[arg(long = "kops")]
    kops: Option<PathBuf>,
    /// A cluster in the state store (with --state).
    #[arg(long = "name")]
    name: Option<String>,
    /// The kops state store for --name; default $KOPS_STATE_STORE, then file://./.palisade/state.
    #[arg(long = "state", requires = "name")]
    state: Option<String>,
    /// Profile name or file (repeat to merge). Default: the cluster file's, else baseline.
    #[arg(long = "profile")]
    profile: Vec<String>,
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: AuditFormat,
    /// Exit 2 when an enforced control fails at or above this severity.
    #[arg(long = "fail-on", default_value = "high", value_parser = parse_severity)]
    fail_on: Severity,
    /// Also judge the running cluster on AWS: instance metadata options of every instance
    /// tagged KubernetesCluster=NAME, and the ports its security groups open.
    #[arg(long = "live")]
    live: bool,
    /// GKE clusters as `gcloud container clusters describe --format=json` prints them: files,
    /// or directories of *.json files.
    #[arg(long = "gke-json", num_args = 1..)]
    gke_json: Vec<PathBuf>,
    /// A live GKE cluster: projects/PROJECT/locations/LOCATION/clusters/NAME.
    #[arg(long = "gke")]
    gke: Option<String>,
    /// Another container v1 endpoint for --gke (anonymous credentials); default
    /// $PALISADE_GKE_ENDPOINT, else Google's with Application Default Credentials.
    #[arg(long = "gke-endpoint", requires = "gke")]
    gke_endpoint: Option<String>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("{s:?}: expected low, medium, high or critical"))
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if !a.gke_json.is_empty() || a.gke.is_some() {
        if a.live {
            anyhow::bail!("--live reads AWS; a GKE cluster is read live with --gke");
        }
        return super::gke::audit(
            super::gke::AuditArgs {
                json: &a.gke_json,
                live: a.gke.as_deref(),
                endpoint: a.gke_endpoint.as_deref(),
                profile: &a.profile,
                output: a.output,
                fail_on: a.fail_on,
            },
            o,
        );
    }
    // (source, profile, spec, findings, waivers)
    let (source, profile, spec, findings, waivers) = match (&a.file, &a.kops) {
        (_, None) if a.name.is_some() => {
            let name = a.name.clone().unwrap_or_default();
            let url = super::common::state_or_env(a.state.clone());
            let store = super::common::open_store(&url, None)?;
            let Some(spec) = crate::provider::kops::stored::read_stored(store.as_ref(), &name)?
            else {
                anyhow::bail!("no cluster {name} in {url} (no {name}/config); `palisade clusters --state {url}` lists them");
            };
            let profile = resolve_profiles(&a.profile)?;
            let findings = evaluate(&spec, &profile, &[]);
            (format!("{url}/{name}"), profile, spec, findings, Vec::new())
        }
        (_, Some(spec_path)) => {
            let profile = resolve_profiles(&a.profile)?;
            let spec = read_spec(spec_path)?;
            let findings = evaluate(&spec, &profile, &[]);
            (
                spec_path.display().to_string(),
                profile,
                spec,
                findings,
                Vec::new(),
            )
        }
        (file, None) => {
            let path = file
                .clone()
                .unwrap_or_else(|| PathBuf::from(super::common::DEFAULT_FILE));
            let loaded = load_cluster_file(&path, &a.profile)?;
            if loaded.file.gke.is_some() {
                if a.live {
                    anyhow::bail!("--live reads AWS; a GKE cluster is read live with --gke");
                }
                return super::gke::audit_file(&loaded, &path, a.output, a.fail_on, o);
            }
            let rendered = render_loaded(&loaded)?;
            (
                path.display().to_string(),
                loaded.profile,
                rendered.spec,
                rendered.findings,
                loaded.file.waivers.clone(),
            )
        }
    };
    let mut findings = findings;
    if a.live {
        if !super::cloud::credentials_present() {
            anyhow::bail!("audit --live reads the cluster's instances and security groups from EC2 and needs AWS credentials (environment, profile or SSO)");
        }
        let region = super::cloud::region_of(&spec).ok_or_else(|| {
            anyhow::anyhow!("cannot tell the cluster's region: its spec has no subnet with a zone")
        })?;
        let ec2 = crate::aws::Ec2::connect(&region).map_err(anyhow::Error::msg)?;
        let live = crate::aws::observe(&ec2, spec.cluster_name()).map_err(anyhow::Error::msg)?;
        findings.extend(crate::audit::evaluate_live(
            &spec, &live, &profile, &waivers,
        ));
    }
    let report = Report::new(&source, spec.cluster_name(), &profile.names, findings);
    match a.output {
        AuditFormat::Json => o.print(&report.to_json())?,
        AuditFormat::Text => o.print(&report.to_text(o.verbosity > 0))?,
        AuditFormat::Sarif => o.print(&crate::audit::to_sarif(&report))?,
        AuditFormat::Junit => o.print(&crate::audit::to_junit(&report))?,
    }
    Ok(if report.fails_at(a.fail_on) {
        exit::ATTENTION
    } else {
        exit::OK
    })
}
