//! `palisade apply`: write a cluster file, or a saved plan, to the state store.

use std::path::PathBuf;

use anyhow::Context;

use super::common::{given, plan_cluster_file, settings};
use super::{exit, Output};
use crate::plan::to_text;
use crate::provider::kops::KopsPlanned;
use crate::provider::Planned;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A plan saved by `palisade plan --out`; applied only if the store still matches it.
    plan: Option<PathBuf>,
    /// The cluster file (when no saved plan is given), or a directory searched for them;
    /// repeat for many (with --yes: every plan is made first, and nothing is applied unless
    /// all of them could be).
    #[arg(short = 'f', long = "file", conflicts_with = "plan")]
    file: Vec<PathBuf>,
    /// The kops state store: s3://BUCKET[/PREFIX] (kops runs clusters from it) or file://PATH
    /// (offline review; kops cannot run a cluster from it). Default as for plan.
    #[arg(long = "state")]
    state: Option<String>,
    /// Apply without asking.
    #[arg(long = "yes")]
    yes: bool,
    /// How long to wait while another apply holds the cluster's lock or lease, e.g. 30s or 5m
    /// (default: fail at once). The lock is taken before the store is read and held until
    /// the last write.
    #[arg(long = "lock-timeout", value_parser = parse_duration, default_value = "0s")]
    lock_timeout: std::time::Duration,
    /// Encrypt S3 objects with aws:kms and this key (default: AES256, as kops does).
    #[arg(long = "state-kms-key")]
    state_kms_key: Option<String>,
    /// After a successful write, run `kops update cluster --name N --state S --yes`.
    #[arg(long = "run-kops")]
    run_kops: bool,
    /// The kops binary (default: `kops` on PATH).
    #[arg(long = "kops-bin", default_value = "kops")]
    kops_bin: PathBuf,
    /// GKE: another container v1 endpoint (anonymous credentials); default as for plan.
    #[arg(long = "gke-endpoint")]
    gke_endpoint: Option<String>,
}

/// Many cluster files: every plan is made first (a lock or lease held for each kops cluster
/// from its plan to its last write); if any cannot be made, nothing is applied. Then each is
/// applied in path order; the first failure stops the run, saying which were applied.
fn apply_files(
    a: &Args,
    files: &[PathBuf],
    s: &crate::provider::Settings,
    o: &mut Output<'_>,
) -> anyhow::Result<u8> {
    if !a.yes {
        anyhow::bail!("apply over {} cluster files asks no question per cluster: review `palisade plan` of the same files, then pass --yes", files.len());
    }
    if a.run_kops {
        anyhow::bail!("--run-kops runs kops for one cluster; give one -f FILE");
    }
    // two files naming one cluster would wait on each other's lock (and fight over its state)
    let mut names: std::collections::BTreeMap<String, &PathBuf> = Default::default();
    for f in files {
        if let Ok(l) = super::common::load_cluster_file(f, &[]) {
            let key = match (&l.file.gke, &l.file.kops) {
                (Some(g), _) => format!("gke {}/{}/{}", g.project, g.location, l.file.name),
                _ => format!("kops {}", l.file.name),
            };
            if let Some(first) = names.insert(key, f) {
                anyhow::bail!(
                    "{} and {} both describe cluster {}; nothing was applied",
                    super::fleet::shown(first),
                    super::fleet::shown(f),
                    l.file.name
                );
            }
        }
    }
    let mut planned = Vec::new();
    let mut failed = Vec::new();
    for f in files {
        match plan_cluster_file(f, s, o) {
            Ok(p) => planned.push((f, p)),
            Err(e) => failed.push(format!("{}: {e:#}", super::fleet::shown(f))),
        }
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "{} of {} cluster files could not be planned; nothing was applied:\n{}",
            failed.len(),
            files.len(),
            failed.join("\n")
        );
    }
    let mut applied = Vec::new();
    for (f, p) in &planned {
        o.print(&format!("== {} ==\n", super::fleet::shown(f)))?;
        o.print(&to_text(p.document(), o.color))?;
        if p.has_changes() {
            let err = &mut *o.err;
            let result = p.apply(&mut |line| {
                let _ = writeln!(err, "  {line}");
            });
            match result {
                Ok(closing) => {
                    for line in closing {
                        o.print(&format!("{line}\n"))?;
                    }
                }
                Err(e) => anyhow::bail!(
                    "{}: {e}\napplied before it: {}; not applied: the files after it",
                    super::fleet::shown(f),
                    if applied.is_empty() {
                        "none".to_string()
                    } else {
                        applied.join(", ")
                    }
                ),
            }
        }
        if let Some(next) = p.kops_update() {
            let again = format!("palisade apply -f {}", super::fleet::shown(f));
            match next.unrunnable(&again) {
                Some(_) => o.print(&format!(
                    "Next: move the cluster to an S3 state store (kops cannot run a cluster from {}): {again} --state s3://BUCKET\n",
                    next.state
                ))?,
                None => o.print(&format!("Next: kops {}\n", next.args(true).join(" ")))?,
            }
        }
        applied.push(super::fleet::shown(f));
        o.print("\n")?;
    }
    o.print(&format!("Applied {} cluster file(s).\n", applied.len()))?;
    Ok(exit::OK)
}

/// `30s`, `5m`, `90` (seconds), up to an hour.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let (digits, unit) = match s.strip_suffix('m') {
        Some(d) => (d, 60),
        None => (s.strip_suffix('s').unwrap_or(s), 1),
    };
    match digits.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
        Some(n) if n <= 3600 => Ok(std::time::Duration::from_secs(n)),
        _ => Err("expected seconds or minutes up to an hour, e.g. 30s or 5m".into()),
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let mut s = settings(
        a.state.clone(),
        a.state_kms_key.clone(),
        a.gke_endpoint.clone(),
    );
    s.lock = Some(a.lock_timeout);
    let planned: Box<dyn Planned> = match &a.plan {
        Some(path) => {
            let text = crate::input::read_text(path, crate::input::SAVED_PLAN)
                .with_context(|| format!("cannot read the plan {}", path.display()))?;
            Box::new(KopsPlanned::saved(&text, &path.display().to_string(), &s)?)
        }
        None => {
            given(&mut s.kops_only_flags, "--state", a.state.is_some());
            given(
                &mut s.kops_only_flags,
                "--state-kms-key",
                a.state_kms_key.is_some(),
            );
            given(&mut s.kops_only_flags, "--run-kops", a.run_kops);
            given(
                &mut s.kops_only_flags,
                "--lock-timeout",
                !a.lock_timeout.is_zero(),
            );
            let found = super::fleet::files(&a.file)?;
            if super::fleet::is_fleet(&found) {
                return apply_files(&a, &found.files, &s, o);
            }
            let Some(file) = found.files.first() else {
                anyhow::bail!("no cluster file given");
            };
            plan_cluster_file(file, &s, o)?
        }
    };
    // a store kops cannot run a cluster from is refused before anything is written
    let next = planned.kops_update();
    let apply_again = match (&a.plan, a.file.first()) {
        (None, Some(f)) => format!("palisade apply -f {}", f.display()),
        (None, None) => "palisade apply".to_string(),
        (Some(_), _) => "palisade apply -f CLUSTER_FILE".to_string(),
    };
    let unrunnable = next.as_ref().and_then(|k| k.unrunnable(&apply_again));
    if let (true, Some(why)) = (a.run_kops, &unrunnable) {
        anyhow::bail!("--run-kops refused, nothing was written: {why}");
    }
    o.print(&to_text(planned.document(), o.color))?;
    if planned.has_changes() {
        if !a.yes && !o.confirm(&planned.question())? {
            anyhow::bail!("{}", planned.cancelled());
        }
        let err = &mut *o.err;
        let closing = planned.apply(&mut |line| {
            let _ = writeln!(err, "  {line}");
        })?;
        for line in closing {
            o.print(&format!("{line}\n"))?;
        }
    }
    let Some(next) = next else {
        return Ok(exit::OK);
    };
    if let Some(why) = unrunnable {
        o.print(&format!(
            "Next: move the cluster to an S3 state store. {why}\n"
        ))?;
        return Ok(exit::OK);
    }
    let args = next.args(true);
    if !a.run_kops {
        o.print(&format!("Next: kops {}\n", args.join(" ")))?;
        return Ok(exit::OK);
    }
    o.note(&format!("running kops {}", args.join(" ")))?;
    let run = crate::provider::kops::wrapper::run(&a.kops_bin, &args)?;
    o.print(&run.stdout)?;
    if !run.stderr.is_empty() {
        o.note(run.stderr.trim_end())?;
    }
    Ok(exit::OK)
}
