//! `palisade clusters`: the clusters in a state store.

use super::{exit, Output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The kops state store (s3://BUCKET[/PREFIX] or file://PATH); default $KOPS_STATE_STORE,
    /// then file://./.palisade/state.
    #[arg(long = "state")]
    state: Option<String>,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let url = super::common::state_or_env(a.state);
    let store = super::common::open_store(&url, None)?;
    let names = crate::state::cluster_names(store.as_ref())?;
    if names.is_empty() {
        o.note(&format!("no clusters in {url}"))?;
    }
    for n in names {
        o.print(&format!("{n}\n"))?;
    }
    Ok(exit::OK)
}
