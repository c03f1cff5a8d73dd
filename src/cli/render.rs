//! `palisade render`: the provider input for a cluster file.

use std::path::PathBuf;

use super::common::{load_cluster_file, settings, DocFormat, DEFAULT_FILE};
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

impl Args {
    /// Whether the output is JSON (errors about the cluster file are then JSON on stdout too).
    pub fn json(&self) -> bool {
        self.output == DocFormat::Json
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let loaded = load_cluster_file(&a.file, &[])?;
    let provider = crate::provider::for_cluster_file(&loaded.file);
    let rendered = provider.render(&loaded, &settings(None, None, None), a.output.into())?;
    super::common::render_notes(&rendered.warnings, &rendered.findings, o)?;
    o.print(&rendered.text)?;
    Ok(exit::OK)
}
