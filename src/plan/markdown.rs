//! Plans as a pull-request comment (GitHub-flavoured Markdown): one summary table, then a
//! collapsible section per cluster with its field changes and the control behind each.
//! Rendered from the same [`PlanDocument`]s as the other displays. A comment holds at most
//! 65,536 characters: the details of the largest plans are left out first, and the comment
//! says so at its end.

use std::fmt::Write as _;

use super::document::PlanDocument;
use super::model::Action;
use crate::markdown::cell;

/// One cluster file's row: its plan, or why there is none.
pub struct Entry<'a> {
    pub file: &'a str,
    pub plan: Result<&'a PlanDocument, Problem<'a>>,
}

/// Why a file has no plan.
pub struct Problem<'a> {
    pub refused: bool,
    /// The first line of the message (file:line:column and what is wrong).
    pub message: &'a str,
}

fn value(v: Option<&serde_json::Value>, sensitive: bool) -> String {
    match (v, sensitive) {
        (_, true) => "(sensitive value)".into(),
        (None, false) => String::new(),
        (Some(serde_json::Value::String(s)), false) => cell(s),
        (Some(other), false) => cell(&other.to_string()),
    }
}

fn counts(doc: &PlanDocument) -> (usize, usize) {
    let creates = doc
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .count();
    (creates, doc.changes.len() - creates)
}

fn summary_table(entries: &[Entry<'_>]) -> String {
    let mut t = String::from(
        "| cluster | provider | file | create | update | cannot change in place | refused | waivers | still failing |\n|---|---|---|---:|---:|---:|---|---:|---:|\n",
    );
    for e in entries {
        let _ = match &e.plan {
            Ok(doc) => {
                let (c, u) = counts(doc);
                writeln!(
                    t,
                    "| {} | {} | {} | {c} | {u} | {} |  | {} | {} |",
                    cell(&doc.cluster),
                    doc.provider.label(),
                    cell(e.file),
                    doc.cannot_change_in_place.len(),
                    {
                        let mut c: Vec<&str> =
                            doc.waivers.iter().map(|w| w.control.as_str()).collect();
                        c.sort_unstable();
                        c.dedup();
                        c.len()
                    },
                    doc.still_failing.len()
                )
            }
            Err(p) => writeln!(
                t,
                "|  |  | {} |  |  |  | {} |  |  |",
                cell(e.file),
                if p.refused {
                    format!("refused: {}", cell(p.message))
                } else {
                    format!("error: {}", cell(p.message))
                }
            ),
        };
    }
    t
}

/// The collapsible section of one plan.
fn details(file: &str, doc: &PlanDocument) -> String {
    let (c, u) = counts(doc);
    let mut t = format!(
        "<details><summary>{} ({}, {}): {c} to create, {u} to update</summary>\n\n",
        cell(&doc.cluster),
        doc.provider.label(),
        cell(file)
    );
    if !doc.changes.is_empty() {
        t.push_str("| object | field | old | new | because |\n|---|---|---|---|---|\n");
        for ch in &doc.changes {
            if ch.fields.is_empty() {
                let _ = writeln!(
                    t,
                    "| {} |  |  | {} | {} |",
                    cell(&ch.object),
                    if ch.sensitive {
                        "(sensitive value)"
                    } else {
                        ""
                    },
                    cell(&ch.because)
                );
            }
            if ch.action == Action::Create && !ch.sensitive {
                // a new object: its fields grouped by what set them, to keep the comment short
                let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
                for f in &ch.fields {
                    match groups.iter_mut().find(|(b, _)| *b == f.because) {
                        Some((_, paths)) => paths.push(&f.path),
                        None => groups.push((&f.because, vec![&f.path])),
                    }
                }
                for (because, paths) in groups {
                    let shown: Vec<&str> = paths.iter().take(4).copied().collect();
                    let more = if paths.len() > 4 {
                        format!(" … ({} fields)", paths.len())
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        t,
                        "| {} (new) | {}{more} |  | set | {} |",
                        cell(&ch.object),
                        cell(&shown.join(", ")),
                        cell(because)
                    );
                }
                continue;
            }
            for f in &ch.fields {
                let _ = writeln!(
                    t,
                    "| {} | {} | {} | {} | {} |",
                    cell(&ch.object),
                    cell(&f.path),
                    value(f.old.as_ref(), ch.sensitive),
                    value(f.new.as_ref(), ch.sensitive),
                    cell(&f.because)
                );
            }
        }
        t.push('\n');
    }
    for b in &doc.cannot_change_in_place {
        let _ = writeln!(
            t,
            "- cannot change in place: {} — {}",
            cell(&b.object),
            cell(&b.remedy)
        );
    }
    let mut waivers: Vec<&crate::plan::WaiverInEffect> = Vec::new();
    for w in &doc.waivers {
        if !waivers
            .iter()
            .any(|x| x.control == w.control && x.reason == w.reason && x.expires == w.expires)
        {
            waivers.push(w);
        }
    }
    for w in waivers {
        let findings = doc
            .waivers
            .iter()
            .filter(|x| x.control == w.control)
            .count();
        let _ = writeln!(
            t,
            "- waiver: {} — {}{} ({findings} finding(s) carried)",
            cell(&w.control),
            cell(&w.reason),
            w.expires
                .as_deref()
                .map(|d| format!(" (expires {})", cell(d)))
                .unwrap_or_default()
        );
    }
    for s in &doc.still_failing {
        let _ = writeln!(t, "- still failing: {}", cell(s));
    }
    t.push_str("\n</details>\n\n");
    t
}

/// The comment for `entries`, at most [`crate::markdown::COMMENT_LIMIT`] characters.
pub fn to_markdown(entries: &[Entry<'_>]) -> String {
    let head = format!(
        "### Palisade plan: {} cluster file(s)\n\n{}\n",
        entries.len(),
        summary_table(entries)
    );
    let sections: Vec<(String, String)> = entries
        .iter()
        .filter_map(|e| {
            e.plan
                .as_ref()
                .ok()
                .map(|doc| (e.file.to_string(), details(e.file, doc)))
        })
        .collect();
    crate::markdown::fit(head, &sections, "Run `palisade plan -f FILE` for them")
}
