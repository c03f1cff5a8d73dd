//! `palisade audit`: findings against a profile, as text or JSON.

use std::path::PathBuf;

use super::common::{load_cluster_file, read_spec, resolve_profiles, settings, AuditFormat};
use super::{exit, Output};
use crate::audit::{evaluate, evaluate_gke, Report};
use crate::controls::Severity;
use crate::gke::ClusterView;
use crate::provider::kops::live_findings;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("input").args(["file", "kops", "name", "gke_json", "gke_cluster"])))]
pub struct Args {
    /// A cluster file (audits what it renders to), or a directory searched for them; repeat
    /// for many.
    #[arg(short = 'f', long = "file")]
    file: Vec<PathBuf>,
    /// A kops multi-document spec (Cluster + InstanceGroups).
    #[arg(long = "kops")]
    kops: Option<PathBuf>,
    /// A cluster in the state store (with --state).
    #[arg(long = "name")]
    name: Option<String>,
    /// The kops state store for --name (s3://BUCKET[/PREFIX] or file://PATH); default
    /// $KOPS_STATE_STORE, then file://./.palisade/state.
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
    /// Also judge the running cluster: on AWS, instance metadata options of every instance
    /// tagged KubernetesCluster=NAME and the ports its security groups open; on GKE (-f), the
    /// cluster the file names and its objects for the namespaces the file declares.
    #[arg(long = "live")]
    live: bool,
    /// GKE clusters as `gcloud container clusters describe --format=json` prints them: files,
    /// or directories of *.json files.
    #[arg(long = "gke-json", num_args = 1..)]
    gke_json: Vec<PathBuf>,
    /// A live GKE cluster: projects/PROJECT/locations/LOCATION/clusters/NAME.
    #[arg(long = "gke", value_name = "GKE")]
    gke_cluster: Option<String>,
    /// Another container v1 endpoint for --gke (anonymous credentials); default
    /// $PALISADE_GKE_ENDPOINT, else Google's with Application Default Credentials.
    #[arg(long = "gke-endpoint", requires = "gke_cluster")]
    gke_endpoint: Option<String>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("{s:?}: expected low, medium, high or critical"))
}

impl Args {
    /// Whether the output is JSON (errors about the cluster file are then JSON on stdout too).
    pub fn json(&self) -> bool {
        self.output == AuditFormat::Json
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if !a.gke_json.is_empty() || a.gke_cluster.is_some() {
        if a.live {
            anyhow::bail!("--live goes with -f, --kops or --name; --gke reads a GKE cluster live already, and --gke-json judges files");
        }
        return audit_gke(&a, o);
    }
    let mut s = settings(None, None, None);
    s.aws_credentials = a.live && super::cloud::credentials_present();
    // (source, profile, cluster name, findings)
    let (source, profile, cluster, findings) = match (&a.file, &a.kops) {
        (_, None) if a.name.is_some() => {
            let name = a.name.clone().unwrap_or_default();
            let url = super::common::state_or_env(a.state.clone());
            let store = super::common::open_store(&url, None)?;
            let Some(spec) = crate::provider::kops::stored::read_stored(store.as_ref(), &name)?
            else {
                anyhow::bail!("no cluster {name} in {url} (no {name}/config); `palisade clusters --state {url}` lists them");
            };
            let profile = resolve_profiles(&a.profile)?;
            let mut findings = evaluate(&spec, &profile, &[]);
            findings.extend(crate::provider::kops::stored::secret_findings(
                store.as_ref(),
                &name,
                &spec,
                &profile,
            )?);
            // the store's own bucket (s3://): private, encrypted, versioned, TLS only
            findings.extend(crate::provider::kops::store_bucket::store_findings(
                &spec,
                &url,
                &profile,
                &[],
                &s,
            )?);
            if a.live {
                findings.extend(live_findings(&spec, &profile, &[], &s)?);
            }
            (format!("{url}/{name}"), profile, name, findings)
        }
        (_, Some(spec_path)) => {
            let profile = resolve_profiles(&a.profile)?;
            let spec = read_spec(spec_path, o)?;
            let mut findings = evaluate(&spec, &profile, &[]);
            if a.live {
                findings.extend(live_findings(&spec, &profile, &[], &s)?);
            }
            let name = spec.cluster_name().to_string();
            (spec_path.display().to_string(), profile, name, findings)
        }
        (files, None) => {
            let found = super::fleet::files(files)?;
            if super::fleet::is_fleet(&found) {
                return audit_files(&a, &found.files, &s, o);
            }
            let Some(path) = found.files.first().cloned() else {
                anyhow::bail!("no cluster file given");
            };
            let loaded = load_cluster_file(&path, &a.profile)?;
            let provider = crate::provider::for_cluster_file(&loaded.file);
            let findings = provider.audit(&loaded, &s, a.live)?;
            let name = loaded.file.name.clone();
            (path.display().to_string(), loaded.profile, name, findings)
        }
    };
    let report = Report::new(&source, &cluster, &profile.names, findings);
    print_reports(&[report], a.output, a.fail_on, o)
}

/// `audit -f` over many cluster files: a report each, in path order; a file that cannot be
/// audited is reported on stderr at its line, and the exit code is the worst.
fn audit_files(
    a: &Args,
    files: &[PathBuf],
    s: &crate::provider::Settings,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    let runs = super::fleet::run_each(files, o.verbosity, |path, _| {
        let loaded = load_cluster_file(path, &a.profile)?;
        let provider = crate::provider::for_cluster_file(&loaded.file);
        let findings = provider.audit(&loaded, s, a.live)?;
        Ok((
            exit::OK,
            Report::new(
                &super::fleet::shown(path),
                &loaded.file.name,
                &loaded.profile.names,
                findings,
            ),
        ))
    });
    let mut reports = Vec::new();
    let mut errors = Vec::new();
    for r in &runs {
        r.notes(o)?;
        match &r.result {
            Ok(report) => reports.push(report.clone()),
            Err(f) => {
                o.note(&format!("error: {}", f.message))?;
                errors.push((r.file.clone(), f));
            }
        }
    }
    // the files that could not be audited are in every output, not only on stderr
    let failing = if reports.iter().any(|r| r.fails_at(a.fail_on)) {
        exit::ATTENTION
    } else {
        exit::OK
    };
    let code = match a.output {
        AuditFormat::Json => {
            let doc = serde_json::json!({
                "format_version": 1,
                "reports": reports,
                "errors": errors
                    .iter()
                    .map(|(file, f)| super::fleet::failure_json(file, f))
                    .collect::<Vec<_>>(),
            });
            o.print(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
            failing
        }
        AuditFormat::Markdown => {
            let failed: Vec<(String, String)> = errors
                .iter()
                .map(|(file, f)| {
                    (
                        file.display().to_string(),
                        f.message.lines().next().unwrap_or("").to_string(),
                    )
                })
                .collect();
            o.print(&crate::audit::to_markdown_with_errors(&reports, &failed))?;
            failing
        }
        _ => print_reports(&reports, a.output, a.fail_on, o)?,
    };
    Ok(super::fleet::worst(
        runs.iter().map(|r| r.code).chain([code]),
    ))
}

/// `--gke-json PATH…` and `--gke projects/…/clusters/C`.
fn audit_gke(a: &Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let profile = resolve_profiles(&a.profile)?;
    let mut clusters = Vec::new();
    if let Some(name) = &a.gke_cluster {
        let s = settings(None, None, a.gke_endpoint.clone());
        let cluster = crate::provider::gke::live_cluster(name, &s)?;
        // and Palisade's objects, through the cluster's own API
        let in_cluster = crate::provider::gke::live_in_cluster(&cluster, &s);
        if in_cluster.unread.is_none() {
            o.warn("audit --gke finds the cluster's namespaces by their label app.kubernetes.io/managed-by=palisade, which anyone who may edit a namespace can remove; `palisade audit -f FILE --live` judges the namespaces the cluster file declares")?;
        }
        clusters.push((name.to_string(), cluster, Some(in_cluster)));
    }
    for path in crate::provider::gke::load::files(&a.gke_json)? {
        let inventory = crate::provider::gke::load::read_inventory(&path)?;
        if !inventory.missing_zones.is_empty() {
            // the list is incomplete: clusters there were not judged
            o.warn(&format!(
                "{}: the list response could not reach {} ({}): clusters there are not in it and were not judged",
                path.display(),
                if inventory.missing_zones.len() == 1 { "a location" } else { "some locations" },
                inventory.missing_zones.join(", ")
            ))?;
        }
        for c in inventory.clusters {
            clusters.push((c.source, c.cluster, None));
        }
    }
    let reports: Vec<Report> = clusters
        .iter()
        .map(|(source, cluster, in_cluster)| {
            let view = match in_cluster {
                Some(ic) => ClusterView::with_objects(cluster, ic),
                None => ClusterView::new(cluster),
            };
            let findings = evaluate_gke(&view, &profile, &[]);
            Report::new(source, view.name(), &profile.names, findings)
        })
        .collect();
    print_reports(&reports, a.output, a.fail_on, o)
}

fn print_reports(
    reports: &[Report],
    output: AuditFormat,
    fail_on: Severity,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    let failing = reports.iter().any(|r| r.fails_at(fail_on));
    match (output, reports) {
        (AuditFormat::Json, [one]) => o.print(&one.to_json())?,
        (AuditFormat::Json, many) => o.print(&(serde_json::to_string_pretty(many)? + "\n"))?,
        (AuditFormat::Text, many) => {
            let text: Vec<String> = many.iter().map(|r| r.to_text(o.verbosity > 0)).collect();
            o.print(&text.join("\n"))?
        }
        (AuditFormat::Markdown, many) => o.print(&crate::audit::to_markdown(many))?,
        (AuditFormat::Sarif, [one]) => o.print(&crate::audit::to_sarif(one))?,
        (AuditFormat::Junit, [one]) => o.print(&crate::audit::to_junit(one))?,
        (_, many) => anyhow::bail!(
            "{} clusters: SARIF and JUnit reports hold one cluster; use -o json or -o text",
            many.len()
        ),
    }
    Ok(if failing { exit::ATTENTION } else { exit::OK })
}
