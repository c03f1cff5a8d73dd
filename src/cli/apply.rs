//! `palisade apply`: write a cluster file, or a saved plan, to the state store.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{plan_cluster_file, DEFAULT_FILE};
use super::{exit, Output};
use crate::plan::{to_text, Plan};
use crate::provider::kops::apply_with_progress;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `palisade plan --out`; applied only if the store still matches it.
    plan: Option<PathBuf>,
    /// The cluster file (when no saved plan is given).
    #[arg(short = 'f', long = "file", conflicts_with = "plan")]
    file: Option<PathBuf>,
    /// The kops state store (file://PATH); default as for plan.
    #[arg(long = "state")]
    state: Option<String>,
    /// Apply without asking.
    #[arg(long = "yes")]
    yes: bool,
    /// Encrypt S3 objects with aws:kms and this key (default: AES256, as kops does).
    #[arg(long = "state-kms-key")]
    state_kms_key: Option<String>,
    /// After a successful write, run `kops update cluster --name N --state S --yes`.
    #[arg(long = "run-kops")]
    run_kops: bool,
    /// The kops binary (default: `kops` on PATH).
    #[arg(long = "kops-bin", default_value = "kops")]
    kops_bin: PathBuf,
    /// GKE: another container v1 endpoint (anonymous credentials); default as for plan.
    #[arg(long = "gke-endpoint")]
    gke_endpoint: Option<String>,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let (plan, store) = match &a.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the plan {}", path.display()))?;
            let plan: Plan = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a saved Palisade plan", path.display()))?;
            let url = a.state.clone().unwrap_or_else(|| plan.state.clone());
            let store = super::common::open_store(&url, a.state_kms_key.clone())?;
            (plan, store)
        }
        None => {
            let file = a
                .file
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
            let loaded = super::common::load_cluster_file(&file, &[])?;
            if loaded.file.gke.is_some() {
                if a.state.is_some() || a.run_kops || a.state_kms_key.is_some() {
                    anyhow::bail!("--state, --state-kms-key and --run-kops are for kops clusters");
                }
                return super::gke::apply_file(&loaded, a.gke_endpoint.as_deref(), a.yes, o);
            }
            plan_cluster_file(&file, a.state.as_deref(), a.state_kms_key.clone(), o)?
        }
    };
    o.print(&to_text(&plan, o.color))?;
    if !plan.has_changes() {
        return run_kops(&a, &plan, o);
    }
    if !a.yes && !o.confirm(&format!("\nApply these changes to {}?", plan.state))? {
        anyhow::bail!("apply cancelled; nothing was written");
    }
    let total = plan.changes.len();
    let mut done = 0;
    let applied = apply_with_progress(&plan, store.as_ref(), &mut |key| {
        done += 1;
        let _ = o.note(&format!("  [{done}/{total}] wrote {key}"));
    })?;
    o.print(&format!(
        "\nApply complete: {} object(s) written to {}.\n",
        applied.keys.len(),
        plan.state
    ))?;
    run_kops(&a, &plan, o)
}

fn run_kops(a: &Args, plan: &Plan, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let args = crate::provider::kops::wrapper::update_args(&plan.cluster, &plan.state, true);
    if !a.run_kops {
        o.print(&format!("Next: kops {}\n", args.join(" ")))?;
        return Ok(exit::OK);
    }
    o.note(&format!("running kops {}", args.join(" ")))?;
    let run = crate::provider::kops::wrapper::run(&a.kops_bin, &args)?;
    o.print(&run.stdout)?;
    if !run.stderr.is_empty() {
        o.note(run.stderr.trim_end())?;
    }
    Ok(exit::OK)
}
