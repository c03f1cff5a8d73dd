//! `palisade waivers`: every waiver the cluster files declare, with its cluster, control,
//! reason and expiry, soonest expiry first. `--expiring-within 30d` exits 2 when one expires
//! within that window (or has expired): a scheduled CI job turns that into a reminder.

use std::path::PathBuf;

use serde_json::json;

use super::fleet::{files, run_each, worst};
use super::{exit, Output};
use crate::cluster_file::{Date, Waiver};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A cluster file, or a directory searched for them; repeat for many (default
    /// palisade.yaml).
    #[arg(short = 'f', long = "file")]
    file: Vec<PathBuf>,
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: Format,
    /// Exit 2 when a waiver expires within this many days (`30d` or `30`), or has expired.
    #[arg(long = "expiring-within", value_parser = parse_days)]
    expiring_within: Option<i64>,
}

fn parse_days(s: &str) -> Result<i64, String> {
    match s.strip_suffix('d').unwrap_or(s).parse::<i64>() {
        Ok(n) if (0..=3650).contains(&n) => Ok(n),
        _ => Err(format!("{s:?}: expected days, e.g. 30d (0 to 3650)")),
    }
}

/// One waiver of one cluster file.
struct Row {
    file: String,
    cluster: String,
    waiver: Waiver,
}

impl Row {
    fn expiry(&self) -> Option<Date> {
        self.waiver.expiry()
    }

    fn status(&self, today: Date) -> String {
        match self.expiry() {
            None => "no expiry".into(),
            Some(d) if d < today => "expired".into(),
            Some(d) => format!("expires in {} day(s)", d.unix_days() - today.unix_days()),
        }
    }
}

/// The waivers of one file, whatever their dates: it is read as of 1970-01-01 so that an
/// expired waiver is listed (as expired) rather than refusing the file.
fn waivers_of(path: &std::path::Path) -> anyhow::Result<Vec<Row>> {
    let (file, _) =
        crate::cluster_file::load(path, Date::from_unix_days(0), crate::controls::is_known)?;
    Ok(file
        .waivers
        .iter()
        .map(|w| Row {
            file: super::fleet::shown(path),
            cluster: file.name.clone(),
            waiver: w.clone(),
        })
        .collect())
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let found = files(&a.file)?;
    let runs = run_each(&found.files, o.verbosity, |path, _| {
        Ok((exit::OK, waivers_of(path)?))
    });
    let mut rows: Vec<&Row> = Vec::new();
    for r in &runs {
        match &r.result {
            Ok(rs) => rows.extend(rs),
            Err(f) => o.note(&format!("error: {}", f.message))?,
        }
    }
    // soonest first; no expiry last; then by cluster and control, for a stable order
    rows.sort_by(|x, y| {
        (
            x.expiry().is_none(),
            x.expiry(),
            &x.cluster,
            &x.waiver.control,
        )
            .cmp(&(
                y.expiry().is_none(),
                y.expiry(),
                &y.cluster,
                &y.waiver.control,
            ))
    });
    let today = Date::today();
    match a.output {
        Format::Text => o.print(&text(&rows, today))?,
        Format::Markdown => o.print(&markdown(&rows, today))?,
        Format::Json => {
            let doc = json!({
                "format_version": 1,
                "today": today.to_string(),
                "waivers": rows.iter().map(|r| json!({
                    "file": r.file,
                    "cluster": r.cluster,
                    "control": r.waiver.control,
                    "reason": r.waiver.reason,
                    "expires": r.waiver.expires,
                    "status": r.status(today),
                })).collect::<Vec<_>>(),
            });
            o.print(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
        }
    }
    let due = a.expiring_within.is_some_and(|days| {
        let limit = today.days_after(days);
        rows.iter().any(|r| r.expiry().is_some_and(|d| d <= limit))
    });
    let worst_file = worst(runs.iter().map(|r| r.code));
    Ok(match (worst_file, due) {
        (exit::ERROR, _) => exit::ERROR,
        (_, true) => exit::ATTENTION,
        _ => exit::OK,
    })
}

fn text(rows: &[&Row], today: Date) -> String {
    if rows.is_empty() {
        return "No waivers.\n".into();
    }
    let mut t = String::new();
    for r in rows {
        t.push_str(&format!(
            "{:<10} {:<22} {:<32} {:<30} {:?} ({})\n",
            r.waiver.expires.as_deref().unwrap_or("-"),
            r.status(today),
            r.cluster,
            r.waiver.control,
            r.waiver.reason,
            r.file
        ));
    }
    t.push_str(&format!("{} waiver(s).\n", rows.len()));
    t
}

fn markdown(rows: &[&Row], today: Date) -> String {
    let cell = |s: &str| {
        s.replace(['\n', '\r'], " ")
            .replace('|', "\\|")
            .replace('<', "&lt;")
    };
    let mut t = String::from(
        "| expires | status | cluster | control | reason | file |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        t.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(r.waiver.expires.as_deref().unwrap_or("")),
            r.status(today),
            cell(&r.cluster),
            cell(&r.waiver.control),
            cell(&r.waiver.reason),
            cell(&r.file)
        ));
    }
    t
}
