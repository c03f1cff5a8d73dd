//! `palisade schema`: a JSON Schema (draft 2020-12) of the cluster file, for editors.

use super::{exit, Output};

pub fn run(o: &mut Output<'_>) -> anyhow::Result<u8> {
    o.print(&(serde_json::to_string_pretty(&crate::cluster_file::json_schema())? + "\n"))?;
    Ok(exit::OK)
}
