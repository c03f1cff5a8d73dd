//! `palisade plan`: what apply would write, per object and per field, with the reason.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{given, plan_cluster_file, settings, PlanFormat};
use super::{exit, Output};
use crate::plan::to_text;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A cluster file, or a directory searched for them; repeat for many (default
    /// palisade.yaml). Many files are planned concurrently and shown in path order with a summary.
    #[arg(short = 'f', long = "file")]
    pub(super) file: Vec<PathBuf>,
    /// The kops state store: s3://BUCKET[/PREFIX] (kops runs clusters from it) or file://PATH
    /// (offline review; kops cannot run a cluster from it). Default: the file's
    /// kops.stateStore, then $KOPS_STATE_STORE, then file://./.palisade/state.
    #[arg(long = "state")]
    pub(super) state: Option<String>,
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    /// text, json, or markdown (a pull-request comment: a summary table, then each plan's
    /// changes in a collapsible section; at most 65,536 characters).
    pub(super) output: PlanFormat,
    /// Save the plan (with the versions it is based on) for `palisade apply PLAN`.
    #[arg(long = "out")]
    pub(super) out: Option<PathBuf>,
    /// Exit 2 when changes are pending, 0 when there are none, 1 on error.
    #[arg(long = "detailed-exitcode")]
    pub(super) detailed_exitcode: bool,
    /// Also run `kops update cluster` without --yes and show what kops would change.
    #[arg(long = "kops-preview")]
    pub(super) kops_preview: bool,
    /// The kops binary (default: `kops` on PATH).
    #[arg(long = "kops-bin", default_value = "kops")]
    pub(super) kops_bin: PathBuf,
    /// GKE: another container v1 endpoint (anonymous credentials), e.g. a test server;
    /// default $PALISADE_GKE_ENDPOINT, else Google's with Application Default Credentials.
    #[arg(long = "gke-endpoint")]
    pub(super) gke_endpoint: Option<String>,
}

impl Args {
    /// Whether the output is JSON (errors about the cluster file are then JSON on stdout too).
    pub fn json(&self) -> bool {
        self.output == PlanFormat::Json
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let found = super::fleet::files(&a.file)?;
    // markdown is a comment with a table, for one file too (an error becomes its row)
    let comment = a.output == PlanFormat::Markdown && a.out.is_none() && !a.kops_preview;
    if comment || super::fleet::is_fleet(&found) {
        return super::plan_fleet::run(&a, &found, o);
    }
    let Some(file) = found.files.first() else {
        anyhow::bail!("no cluster file given");
    };
    let mut s = settings(a.state.clone(), None, a.gke_endpoint.clone());
    given(&mut s.kops_only_flags, "--out", a.out.is_some());
    given(&mut s.kops_only_flags, "--state", a.state.is_some());
    given(&mut s.kops_only_flags, "--kops-preview", a.kops_preview);
    let planned = plan_cluster_file(file, &s, o)?;
    if let Some(path) = &a.out {
        std::fs::write(path, planned.saved()?)
            .with_context(|| format!("cannot write the plan to {}", path.display()))?;
        o.info(&format!("plan saved to {}", path.display()))?;
    }
    let doc = planned.document();
    match a.output {
        PlanFormat::Json => o.print(&(serde_json::to_string_pretty(doc)? + "\n"))?,
        PlanFormat::Text => o.print(&to_text(doc, o.color))?,
        PlanFormat::Markdown => {
            o.print(&crate::plan::to_markdown(&[crate::plan::MarkdownEntry {
                file: &file.display().to_string(),
                plan: Ok(doc),
            }]))?
        }
    }
    if a.kops_preview {
        if let Some(args) = planned.kops_update().map(|k| k.args(false)) {
            let run = crate::provider::kops::wrapper::run(&a.kops_bin, &args)?;
            let shown = format!("\nkops preview (kops {}):\n{}", args.join(" "), run.stdout);
            // stdout stays one JSON document under -o json: the preview goes to stderr
            match a.output {
                PlanFormat::Json | PlanFormat::Markdown => o.note(shown.trim_end())?,
                PlanFormat::Text => o.print(&shown)?,
            }
            if !run.stderr.is_empty() {
                o.note(run.stderr.trim_end())?;
            }
        }
    }
    Ok(if a.detailed_exitcode && planned.has_changes() {
        exit::ATTENTION
    } else {
        exit::OK
    })
}
