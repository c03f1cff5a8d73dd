//! Command-line definitions and dispatch (DESIGN.md §3). One file per subcommand; errors get
//! their context here and become exit codes in one place.

mod apply;
mod audit;
mod cloud;
mod clusters;
mod common;
mod completions;
mod controls;
mod errors;
pub mod exit;
mod fleet;
mod harden;
mod init;
pub mod output;
mod plan;
mod plan_fleet;
mod profiles;
mod render;
mod rotate;
mod schema;
mod state_bucket;
mod unlock;
mod waivers;

use std::io::{BufRead, IsTerminal, Write};

use clap::{Parser, Subcommand};

pub use output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "palisade",
    version,
    about = "Kubernetes clusters (kops on AWS, GKE) that are secure from day one"
)]
pub struct Cli {
    /// More detail on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a first cluster file: a wizard, or flags with --no-input. Never applies.
    Init(Box<init::Args>),
    /// Print the provider input for a cluster file: kops Cluster + InstanceGroup documents, or
    /// the GKE CreateClusterRequest.
    Render(render::Args),
    /// Show what apply would write to the state store (kops) or which API calls it would make
    /// (GKE), field by field, and why.
    Plan(plan::Args),
    /// Write the cluster file (or a saved plan) to the state store, or make the GKE calls.
    Apply(apply::Args),
    /// Add a new key ahead of the old ones in the cluster's encryptionconfig secret.
    RotateEncryptionKey(rotate::Args),
    /// Show the apply lease of a cluster in an S3 state store, and break it (with confirmation).
    ForceUnlock(unlock::Args),
    /// The S3 bucket of a kops state store, protected (state-store-protected).
    #[command(subcommand)]
    StateBucket(state_bucket::Action),
    /// Harden an existing provider spec, keeping every field no control touches.
    #[command(subcommand)]
    Harden(harden::Target),
    /// Judge a spec or a cluster file against a profile.
    Audit(audit::Args),
    /// The clusters in a state store.
    Clusters(clusters::Args),
    /// Every waiver of the cluster files, soonest expiry first.
    Waivers(waivers::Args),
    /// The control catalogue.
    Controls(controls::Args),
    /// The profiles: built-in ones, or a file.
    Profiles(profiles::Args),
    /// A JSON Schema (draft 2020-12) of the cluster file, for editors (--plan: of the plan JSON)
    Schema(schema::Args),
    /// Shell completions: bash, zsh, fish, elvish or powershell.
    Completions(completions::Args),
}

/// Runs a parsed command line; returns the exit code.
pub fn run(
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
    input: &mut dyn BufRead,
    color: bool,
) -> u8 {
    let mut o = Output {
        out,
        err,
        input,
        verbosity: cli.verbose,
        color,
    };
    let json = match &cli.command {
        Command::Render(a) => a.json(),
        Command::Plan(a) => a.json(),
        Command::Audit(a) => a.json(),
        _ => false,
    };
    let result = match cli.command {
        Command::Init(a) => init::run(*a, &mut o),
        Command::Render(a) => render::run(a, &mut o),
        Command::Plan(a) => plan::run(a, &mut o),
        Command::Apply(a) => apply::run(a, &mut o),
        Command::RotateEncryptionKey(a) => rotate::run(a, &mut o),
        Command::ForceUnlock(a) => unlock::run(a, &mut o),
        Command::StateBucket(a) => state_bucket::run(a, &mut o),
        Command::Harden(t) => harden::run(t, &mut o),
        Command::Audit(a) => audit::run(a, &mut o),
        Command::Clusters(a) => clusters::run(a, &mut o),
        Command::Waivers(a) => waivers::run(a, &mut o),
        Command::Controls(a) => controls::run(a, &mut o),
        Command::Profiles(a) => profiles::run(a, &mut o),
        Command::Schema(a) => schema::run(a, &mut o),
        Command::Completions(a) => completions::run(a, &mut o),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if json {
                if let Some(problems) = errors::problems_of(&e) {
                    let _ = o.print(&errors::to_json(&problems));
                }
            }
            let _ = writeln!(o.err, "error: {e:#}");
            exit::ERROR
        }
    }
}

/// Parses `std::env::args` and runs: what `main` calls.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // help and --version are successes; a bad command line is an error (1), never
            // clap's 2, which here means findings or pending changes
            return if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
        }
    };
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let stderr = std::io::stderr();
    let stdin = std::io::stdin();
    let (mut out, mut err, mut input) = (stdout.lock(), stderr.lock(), stdin.lock());
    run(cli, &mut out, &mut err, &mut input, color)
}
