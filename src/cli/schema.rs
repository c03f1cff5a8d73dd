//! `palisade schema [--plan]`: JSON Schemas (draft 2020-12) of the cluster file, for editors,
//! and of the plan `plan -o json` prints, for tools that read plans.

use super::{exit, Output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The schema of `plan -o json` (both providers) instead of the cluster file's.
    #[arg(long = "plan")]
    plan: bool,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let schema = if a.plan {
        crate::plan::json_schema()
    } else {
        crate::cluster_file::json_schema()
    };
    o.print(&(serde_json::to_string_pretty(&schema)? + "\n"))?;
    Ok(exit::OK)
}
