//! `palisade plan`: what apply would write, per object and per field, with the reason.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{plan_cluster_file, ReportFormat, DEFAULT_FILE};
use super::{exit, Output};
use crate::plan::to_text;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The cluster file.
    #[arg(short = 'f', long = "file", default_value = DEFAULT_FILE)]
    file: PathBuf,
    /// The kops state store (file://PATH); default: the file's kops.stateStore, then
    /// $KOPS_STATE_STORE, then file://./.palisade/state.
    #[arg(long = "state")]
    state: Option<String>,
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: ReportFormat,
    /// Save the plan (with the versions it is based on) for `palisade apply PLAN`.
    #[arg(long = "out")]
    out: Option<PathBuf>,
    /// Exit 2 when changes are pending, 0 when there are none, 1 on error.
    #[arg(long = "detailed-exitcode")]
    detailed_exitcode: bool,
    /// Also run `kops update cluster` without --yes and show what kops would change.
    #[arg(long = "kops-preview")]
    kops_preview: bool,
    /// The kops binary (default: `kops` on PATH).
    #[arg(long = "kops-bin", default_value = "kops")]
    kops_bin: PathBuf,
    /// GKE: another container v1 endpoint (anonymous credentials), e.g. a test server;
    /// default $PALISADE_GKE_ENDPOINT, else Google's with Application Default Credentials.
    #[arg(long = "gke-endpoint")]
    gke_endpoint: Option<String>,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let loaded = super::common::load_cluster_file(&a.file, &[])?;
    if loaded.file.gke.is_some() {
        if a.out.is_some() || a.kops_preview || a.state.is_some() {
            anyhow::bail!("--out, --state and --kops-preview are for kops clusters; a GKE plan is made against the live cluster each time");
        }
        return super::gke::plan_file(
            &loaded,
            a.gke_endpoint.as_deref(),
            a.output,
            a.detailed_exitcode,
            o,
        );
    }
    let (plan, _store) = plan_cluster_file(&a.file, a.state.as_deref(), None, o)?;
    if let Some(path) = &a.out {
        let text = serde_json::to_string_pretty(&plan)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write the plan to {}", path.display()))?;
        o.info(&format!("plan saved to {}", path.display()))?;
    }
    match a.output {
        ReportFormat::Json => o.print(&(serde_json::to_string_pretty(&plan.document())? + "\n"))?,
        ReportFormat::Text => o.print(&to_text(&plan, o.color))?,
    }
    if a.kops_preview {
        let args = crate::provider::kops::wrapper::update_args(&plan.cluster, &plan.state, false);
        let run = crate::provider::kops::wrapper::run(&a.kops_bin, &args)?;
        o.print(&format!(
            "\nkops preview (kops {}):\n{}",
            args.join(" "),
            run.stdout
        ))?;
        if !run.stderr.is_empty() {
            o.note(run.stderr.trim_end())?;
        }
    }
    Ok(if a.detailed_exitcode && plan.has_changes() {
        exit::ATTENTION
    } else {
        exit::OK
    })
}
