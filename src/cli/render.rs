//! `palisade render`: the kops documents for a cluster file.

use std::path::PathBuf;

use super::common::{load_cluster_file, render_loaded, DocFormat, DEFAULT_FILE};
use super::{exit, Output};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The cluster file.
    #[arg(short = 'f', long = "file", default_value = DEFAULT_FILE)]
    file: PathBuf,
    /// yaml: a multi-document stream; json: an array of the same documents (GKE: the
    /// CreateClusterRequest, with enum names).
    #[arg(short = 'o', long = "output", value_enum, default_value = "yaml")]
    output: DocFormat,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let loaded = load_cluster_file(&a.file, &[])?;
    if loaded.file.gke.is_some() {
        return super::gke::render_file(&loaded, a.output, o);
    }
    let mut rendered = render_loaded(&loaded)?.accepted()?;
    let url = super::common::resolve_state(None, &loaded.file);
    crate::provider::kops::render::set_config_base(&mut rendered.spec, &url);
    super::common::render_notes(&rendered.warnings, &rendered.findings, o)?;
    match a.output {
        DocFormat::Yaml => o.print(&rendered.spec.to_yaml())?,
        DocFormat::Json => {
            let text = serde_json::to_string_pretty(rendered.spec.documents())?;
            o.print(&(text + "\n"))?;
        }
    }
    Ok(exit::OK)
}
