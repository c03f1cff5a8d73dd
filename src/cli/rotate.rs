//! `palisade rotate-encryption-key`: a new key ahead of the old ones in the cluster's
//! `encryptionconfig` secret. The old keys stay, so Secrets they encrypted can still be read.

use crate::controls::secrets::encryption_at_rest;
use std::path::PathBuf;

use super::common::{load_cluster_file, open_store, settings, DEFAULT_FILE};
use super::{exit, Output};
use crate::secrets::{decode_kops_secret, kops_secret_json, rotate};
use crate::state::{Layout, Precondition, ENCRYPTION_SECRET_NAME};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The cluster file (names the cluster, its profile and its state store).
    #[arg(short = 'f', long = "file", default_value = DEFAULT_FILE)]
    file: PathBuf,
    #[arg(long = "state")]
    state: Option<String>,
    /// Rotate without asking.
    #[arg(long = "yes")]
    yes: bool,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let loaded = load_cluster_file(&a.file, &[])?;
    let url =
        crate::provider::kops::state_url(&loaded.file, &settings(a.state.clone(), None, None));
    let store = open_store(&url, None)?;
    let layout = Layout {
        cluster: &loaded.file.name,
    };
    let key = layout.secret(ENCRYPTION_SECRET_NAME);
    let Some(object) = store.get(&key)? else {
        anyhow::bail!("{url} has no {key}: apply the cluster first (it creates the secret)");
    };
    let existing = decode_kops_secret(&object.data).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    let provider = encryption_at_rest::provider(
        &loaded
            .profile
            .setting(encryption_at_rest::CONTROL.id)
            .params,
    );
    let (rotated, name) =
        rotate(&existing, &provider).map_err(|e| anyhow::anyhow!("{key}: {e}"))?;
    o.print(&format!("Rotate the encryption key of {} in {url}: add key {name} ({provider}) ahead of the current ones = (sensitive value)\n", loaded.file.name))?;
    if !a.yes && !o.confirm("Rotate?")? {
        anyhow::bail!("rotation cancelled; nothing was written");
    }
    store.put(
        &key,
        kops_secret_json(&rotated).expose(),
        &Precondition::Matches(object.version),
    )?;
    if url.starts_with("file://") {
        // no kops runs a cluster from a file:// store: nothing to roll out from here
        o.print(&format!(
            "Rotated: new Secrets are encrypted with {name}; the old keys still decrypt.\nno cluster runs from the file:// store {url} (kops cannot run one from it); `palisade apply --state s3://BUCKET` gives the cluster its own key there.\n"
        ))?;
        return Ok(exit::OK);
    }
    o.print(&format!(
        "Rotated: new Secrets are encrypted with {name}; the old keys still decrypt.\nNext: kops update cluster --name {c} --state {url} --yes && kops rolling-update cluster --name {c} --state {url} --yes,\nthen rewrite every Secret (kubectl get secrets -A -o json | kubectl replace -f -) before removing an old key.\n",
        c = loaded.file.name
    ))?;
    Ok(exit::OK)
}
