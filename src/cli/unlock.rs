//! `palisade force-unlock`: show the apply lease of a cluster in an S3 store, and break it.
//!
//! A lease runs out on its own when its holder dies, so this is for the case where waiting is
//! worse: it asks first, and breaks the lease only if it is still the one shown (a conditional
//! write against the version read), so a lease renewed or released meanwhile is left alone.

use super::{exit, Output};
use crate::state::StoreError;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The cluster whose lease to break.
    cluster: String,
    /// The kops state store (s3://BUCKET[/PREFIX]); default $KOPS_STATE_STORE.
    #[arg(long = "state")]
    state: Option<String>,
    /// Break it without asking.
    #[arg(long = "yes")]
    yes: bool,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    crate::state::check_cluster_name(&a.cluster).map_err(|why| anyhow::anyhow!("{why}"))?;
    let url = super::common::state_or_env(a.state);
    let store = super::common::open_store(&url, None)?;
    let Some((lease, version)) = store.lease(&a.cluster)? else {
        o.print(&format!(
            "{url} holds no apply lease for {}; nothing to break.\n",
            a.cluster
        ))?;
        return Ok(exit::OK);
    };
    if lease.is_free() {
        o.print(&format!(
            "The apply lease of {} in {url} is free ({}); nothing to break.\n",
            a.cluster,
            lease.describe()
        ))?;
        return Ok(exit::OK);
    }
    o.print(&format!(
        "The apply lease of {} in {url} is {}.\n",
        a.cluster,
        lease.describe()
    ))?;
    if !a.yes
        && !o.confirm(
            "Break it? An apply still holding it stops before its next write; its plan must be made again.",
        )?
    {
        anyhow::bail!("force-unlock cancelled; the lease is kept");
    }
    match store.break_lease(&a.cluster, &version) {
        Ok(()) => {
            o.print(&format!("Lease of {} broken.\n", a.cluster))?;
            Ok(exit::OK)
        }
        Err(StoreError::Conflict { .. }) => anyhow::bail!(
            "the lease changed while you looked at it (renewed or released); run force-unlock again to see it"
        ),
        Err(e) => Err(e.into()),
    }
}
