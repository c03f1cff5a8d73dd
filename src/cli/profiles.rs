//! `palisade profiles list|show`: the built-in profiles, and any profile resolved.

use std::fmt::Write as _;
use std::path::Path;

use super::{exit, Output};
use crate::profile::{self, builtin, builtin_names};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// The built-in profiles with their descriptions.
    List,
    /// A profile with its `extends` chain merged: every control's level and parameters.
    Show { name: String },
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    match a.command.unwrap_or(Sub::List) {
        Sub::List => {
            let mut t = String::new();
            for name in builtin_names() {
                let desc = builtin(name)
                    .and_then(|text| serde_yaml::from_str::<serde_yaml::Value>(text).ok())
                    .and_then(|v| {
                        v.get("description")
                            .and_then(|d| d.as_str())
                            .map(str::to_string)
                    })
                    .unwrap_or_default();
                let _ = writeln!(t, "{name:<10} {desc}");
            }
            o.print(&t)?;
        }
        Sub::Show { name } => {
            let p = profile::resolve(&[name], Path::new("."))?;
            o.print(&serde_yaml::to_string(&p)?)?;
        }
    }
    Ok(exit::OK)
}
