//! The GKE side of render, plan, apply and audit: the same commands, dispatched here when the
//! cluster file has a `gke:` section or audit is given `--gke-json` / `--gke`.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{resolve_profiles, AuditFormat, DocFormat, Loaded, ReportFormat};
use super::{exit, Output};
use crate::audit::{evaluate_gke, Report};
use crate::controls::Severity;
use crate::gke::ClusterView;
use crate::provider::gke::client::{GkeClient, ENDPOINT_ENV};
use crate::provider::gke::plan::{self, GkePlan};
use crate::provider::gke::render::{render, Rendered};

/// `--gke-endpoint`, else `$PALISADE_GKE_ENDPOINT`; `None`: Google's, with ADC.
pub fn endpoint(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string)
        .or_else(|| std::env::var(ENDPOINT_ENV).ok().filter(|s| !s.is_empty()))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn render_accepted(l: &Loaded, o: &mut Output<'_>) -> anyhow::Result<Rendered> {
    let rendered = render(&l.file, &l.profile, &l.source)?.accepted()?;
    super::common::render_notes(&rendered.warnings, &rendered.findings, o)?;
    Ok(rendered)
}

/// `palisade render` of a GKE cluster file: the `CreateClusterRequest`.
pub fn render_file(l: &Loaded, format: DocFormat, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let rendered = render_accepted(l, o)?;
    let text = match format {
        DocFormat::Json => serde_json::to_string_pretty(&rendered.request)? + "\n",
        DocFormat::Yaml => serde_yaml::to_string(&rendered.request)?,
    };
    o.print(&text)?;
    Ok(exit::OK)
}

/// Renders, reads the live cluster and plans.
fn make_plan(
    l: &Loaded,
    rt: &tokio::runtime::Runtime,
    client: &GkeClient,
    o: &mut Output<'_>,
) -> anyhow::Result<GkePlan> {
    let rendered = render_accepted(l, o)?;
    let live = rt.block_on(client.get_cluster(&rendered.resource_name()))?;
    Ok(plan::make(
        &l.file,
        &l.profile,
        &rendered,
        live.as_ref(),
        &client.endpoint,
    ))
}

pub fn plan_file(
    l: &Loaded,
    endpoint_flag: Option<&str>,
    output: ReportFormat,
    detailed: bool,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    let rt = runtime()?;
    let client = rt.block_on(GkeClient::connect(endpoint(endpoint_flag).as_deref()))?;
    let plan = make_plan(l, &rt, &client, o)?;
    match output {
        ReportFormat::Json => o.print(&(serde_json::to_string_pretty(&plan.document())? + "\n"))?,
        ReportFormat::Text => o.print(&plan::to_text(&plan))?,
    }
    Ok(if detailed && plan.has_changes() {
        exit::ATTENTION
    } else {
        exit::OK
    })
}

pub fn apply_file(
    l: &Loaded,
    endpoint_flag: Option<&str>,
    yes: bool,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    let rt = runtime()?;
    let client = rt.block_on(GkeClient::connect(endpoint(endpoint_flag).as_deref()))?;
    let plan = make_plan(l, &rt, &client, o)?;
    o.print(&plan::to_text(&plan))?;
    if !plan.has_changes() {
        return Ok(exit::OK);
    }
    if !yes && !o.confirm(&format!("\nApply these calls to {}?", plan.cluster))? {
        anyhow::bail!("apply cancelled; nothing was sent");
    }
    let err = &mut *o.err;
    let calls = rt.block_on(crate::provider::gke::apply::apply(
        &client,
        &plan,
        &mut |line| {
            let _ = writeln!(err, "  {line}");
        },
    ))?;
    o.print(&format!(
        "\nApply complete: {} call(s) done on {}.\n",
        calls.len(),
        plan.cluster
    ))?;
    if !plan.blocked.is_empty() {
        o.print(&format!(
            "{} difference(s) cannot be changed in place; see \"Cannot change in place\" above.\n",
            plan.blocked.len()
        ))?;
    }
    Ok(exit::OK)
}

/// `palisade audit -f FILE` for a GKE cluster file: what it renders to, refusals included.
pub fn audit_file(
    l: &Loaded,
    path: &std::path::Path,
    output: AuditFormat,
    fail_on: Severity,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    let rendered = render(&l.file, &l.profile, &l.source)?;
    let report = Report::new(
        &path.display().to_string(),
        &l.file.name,
        &l.profile.names,
        rendered.findings,
    );
    print_reports(&[report], output, fail_on, o)
}

/// What `palisade audit` needs to judge GKE clusters.
pub struct AuditArgs<'a> {
    pub json: &'a [PathBuf],
    pub live: Option<&'a str>,
    pub endpoint: Option<&'a str>,
    pub profile: &'a [String],
    pub output: AuditFormat,
    pub fail_on: Severity,
}

pub fn audit(a: AuditArgs<'_>, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let profile = resolve_profiles(a.profile)?;
    let mut clusters = Vec::new();
    if let Some(name) = a.live {
        let parts: Vec<&str> = name.split('/').collect();
        if parts.len() != 6
            || parts[0] != "projects"
            || parts[2] != "locations"
            || parts[4] != "clusters"
        {
            anyhow::bail!(
                "--gke {name:?}: expected projects/PROJECT/locations/LOCATION/clusters/NAME"
            );
        }
        let rt = runtime()?;
        let client = rt.block_on(GkeClient::connect(endpoint(a.endpoint).as_deref()))?;
        let Some(cluster) = rt.block_on(client.get_cluster(name))? else {
            anyhow::bail!("no cluster {name} at {}", client.endpoint);
        };
        clusters.push((name.to_string(), cluster));
    }
    for path in crate::provider::gke::load::files(a.json)? {
        for c in crate::provider::gke::load::read(&path)? {
            clusters.push((c.source, c.cluster));
        }
    }
    let reports: Vec<Report> = clusters
        .iter()
        .map(|(source, cluster)| {
            let view = ClusterView::new(cluster);
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
        (AuditFormat::Sarif, [one]) => o.print(&crate::audit::to_sarif(one))?,
        (AuditFormat::Junit, [one]) => o.print(&crate::audit::to_junit(one))?,
        (_, many) => anyhow::bail!(
            "{} clusters: SARIF and JUnit reports hold one cluster; use -o json or -o text",
            many.len()
        ),
    }
    Ok(if failing { exit::ATTENTION } else { exit::OK })
}
