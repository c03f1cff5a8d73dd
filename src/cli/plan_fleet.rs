//! `palisade plan` over many cluster files: a section per file (its plan, or the error at its
//! line), then one summary; `-o json` is one document holding every plan in the plan schema.

use serde_json::json;

use super::common::{plan_cluster_file, settings, PlanFormat};
use super::fleet::{failure_json, print_sections, run_each, shown, worst, Ran};
use super::plan::Args;
use super::{exit, Output};
use crate::cluster_file::Date;
use crate::fleet::Discovered;
use crate::plan::{to_text, PlanDocument};

/// How near an expiry has to be to be called out.
const EXPIRING_DAYS: i64 = 30;

/// What a fleet plan sums up.
#[derive(Debug, Default, PartialEq, Eq)]
struct Summary {
    files: usize,
    planned: usize,
    with_changes: usize,
    refused: usize,
    errors: usize,
    failing: usize,
    waivers: usize,
    expiring: usize,
    expired: usize,
}

fn summarise(runs: &[Ran<PlanDocument>], today: Date) -> Summary {
    let soon = today.days_after(EXPIRING_DAYS);
    let mut s = Summary {
        files: runs.len(),
        ..Default::default()
    };
    for r in runs {
        match &r.result {
            Ok(doc) => {
                s.planned += 1;
                s.with_changes += usize::from(!doc.changes.is_empty());
                s.failing += doc.still_failing.len();
                // a waiver is counted once, however many findings it carries
                let mut waivers: Vec<(&str, &str, Option<&str>)> = doc
                    .waivers
                    .iter()
                    .map(|w| (w.control.as_str(), w.reason.as_str(), w.expires.as_deref()))
                    .collect();
                waivers.sort();
                waivers.dedup();
                s.waivers += waivers.len();
                for (_, _, expires) in waivers {
                    if let Some(d) = expires.and_then(Date::parse) {
                        s.expired += usize::from(d < today);
                        s.expiring += usize::from(d >= today && d <= soon);
                    }
                }
            }
            Err(f) if f.refused() => s.refused += 1,
            Err(_) => s.errors += 1,
        }
    }
    s
}

impl Summary {
    fn text(&self, skipped: usize) -> String {
        let mut t = format!(
            "Summary: {} cluster file(s): {} planned ({} with changes), {} refused, {} not planned (errors).",
            self.files, self.planned, self.with_changes, self.refused, self.errors
        );
        if skipped > 0 {
            t.push_str(&format!(" {skipped} other YAML file(s) skipped."));
        }
        t.push_str(&format!(
            "\nStill failing: {}. Waivers in effect: {} ({} expiring within {EXPIRING_DAYS} days).\n",
            self.failing, self.waivers, self.expiring
        ));
        t
    }

    fn json(&self, skipped: usize) -> serde_json::Value {
        json!({
            "files": self.files,
            "planned": self.planned,
            "with_changes": self.with_changes,
            "refused": self.refused,
            "errors": self.errors,
            "still_failing": self.failing,
            "waivers": self.waivers,
            "waivers_expiring_within_30_days": self.expiring,
            "skipped": skipped,
        })
    }
}

pub fn run(a: &Args, found: &Discovered, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if a.out.is_some() {
        anyhow::bail!("--out saves the plan of one cluster file; give one -f FILE");
    }
    if a.kops_preview {
        anyhow::bail!("--kops-preview runs kops for one cluster; give one -f FILE");
    }
    let runs = run_each(&found.files, o.verbosity, |file, o| {
        // --state is the store of the kops files; the GKE ones are planned against their clusters
        let s = settings(a.state.clone(), None, a.gke_endpoint.clone());
        let planned = plan_cluster_file(file, &s, o)?;
        let doc = planned.document().clone();
        if a.output == PlanFormat::Text {
            o.print(&to_text(&doc, false))?;
        }
        let code = if a.detailed_exitcode && planned.has_changes() {
            exit::ATTENTION
        } else {
            exit::OK
        };
        Ok((code, doc))
    });
    let summary = summarise(&runs, Date::today());
    // two files describing one cluster: their plans would fight over it
    let mut clusters: std::collections::BTreeMap<&str, &Ran<PlanDocument>> = Default::default();
    for r in &runs {
        if let Ok(doc) = &r.result {
            if let Some(first) = clusters.insert(&doc.cluster, r) {
                o.warn(&format!(
                    "{} and {} both describe cluster {}",
                    shown(&first.file),
                    shown(&r.file),
                    doc.cluster
                ))?;
            }
        }
    }
    match a.output {
        PlanFormat::Text => {
            print_sections(
                &runs,
                |r| match &r.result {
                    Ok(doc) => format!(
                        "{} ({} {})",
                        shown(&r.file),
                        doc.provider.label(),
                        doc.cluster
                    ),
                    Err(_) => shown(&r.file),
                },
                o,
            )?;
            o.print(&summary.text(found.skipped))?;
        }
        PlanFormat::Markdown => {
            let files: Vec<String> = runs.iter().map(|r| r.file.display().to_string()).collect();
            let entries: Vec<crate::plan::MarkdownEntry<'_>> = runs
                .iter()
                .zip(&files)
                .map(|(r, file)| crate::plan::MarkdownEntry {
                    file,
                    plan: match &r.result {
                        Ok(doc) => Ok(doc),
                        Err(f) => Err(crate::plan::MarkdownProblem {
                            refused: f.refused(),
                            message: f.message.lines().next().unwrap_or(""),
                        }),
                    },
                })
                .collect();
            o.print(&crate::plan::to_markdown(&entries))?;
            print_stderr(&runs, o)?;
        }
        PlanFormat::Json => {
            let clusters: Vec<serde_json::Value> = runs
                .iter()
                .map(|r| match &r.result {
                    Ok(doc) => json!({
                        "file": r.file.display().to_string(),
                        "exit_code": r.code,
                        "plan": doc,
                    }),
                    Err(f) => {
                        let mut v = failure_json(&r.file, f);
                        v["exit_code"] = r.code.into();
                        v
                    }
                })
                .collect();
            let doc = json!({
                "format_version": 1,
                "clusters": clusters,
                "summary": summary.json(found.skipped),
            });
            o.print(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
            print_stderr(&runs, o)?;
        }
    }
    Ok(worst(runs.iter().map(|r| r.code)))
}

/// What each file said on stderr, and its error, prefixed by the file (stdout holds one
/// document).
fn print_stderr(runs: &[Ran<PlanDocument>], o: &mut Output<'_>) -> std::io::Result<()> {
    for r in runs {
        r.notes(o)?;
        if let Err(f) = &r.result {
            o.note(&format!("{}: error: {}", shown(&r.file), f.message))?;
        }
    }
    Ok(())
}
