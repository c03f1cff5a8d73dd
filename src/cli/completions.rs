//! `palisade completions SHELL`: shell completion scripts.

use clap::CommandFactory;

use super::{exit, Cli, Output};

#[derive(Debug, clap::Args)]
pub struct Args {
    shell: clap_complete::Shell,
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "palisade", &mut buf);
    o.print(&String::from_utf8_lossy(&buf))?;
    Ok(exit::OK)
}
