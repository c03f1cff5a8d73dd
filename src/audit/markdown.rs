//! Audit reports as a pull-request comment: one summary table, then each cluster's failing,
//! unknown and waived findings in a collapsible section (passes are counted, not listed).

use std::fmt::Write as _;

use super::report::Report;
use crate::controls::Verdict;
use crate::markdown::cell;

pub fn to_markdown(reports: &[Report]) -> String {
    to_markdown_with_errors(reports, &[])
}

/// As [`to_markdown`], with a row for each file that could not be audited (file, the first
/// line of why).
pub fn to_markdown_with_errors(reports: &[Report], errors: &[(String, String)]) -> String {
    let mut head = format!(
        "### Palisade audit: {} cluster(s)\n\n| cluster | source | failed | passed | waived | unknown | not applicable |\n|---|---|---:|---:|---:|---:|---:|\n",
        reports.len() + errors.len()
    );
    for (file, why) in errors {
        let _ = writeln!(
            head,
            "|  | {} | error: {} |  |  |  |  |",
            cell(file),
            cell(why)
        );
    }
    for r in reports {
        let s = &r.summary;
        let _ = writeln!(
            head,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.cluster),
            cell(&r.source),
            s.fail,
            s.pass,
            s.waived,
            s.unknown,
            s.not_applicable
        );
    }
    head.push('\n');
    let sections: Vec<(String, String)> = reports
        .iter()
        .filter(|r| r.summary.fail + r.summary.unknown + r.summary.waived > 0)
        .map(|r| (r.source.clone(), details(r)))
        .collect();
    crate::markdown::fit(head, &sections, "Run `palisade audit -f FILE` for them")
}

fn details(r: &Report) -> String {
    let mut t = format!(
        "<details><summary>{} ({}): {} failed</summary>\n\n| verdict | severity | control | object | message |\n|---|---|---|---|---|\n",
        cell(&r.cluster),
        cell(&r.source),
        r.summary.fail
    );
    let mut shown: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.verdict,
                Verdict::Fail | Verdict::Unknown | Verdict::Waived
            )
        })
        .collect();
    shown.sort_by_key(|f| (f.verdict, std::cmp::Reverse(f.severity)));
    for f in shown {
        let message = match &f.waiver {
            Some(w) => format!("{} (waived: {})", f.message, w.reason),
            None => f.message.clone(),
        };
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {} |",
            f.verdict,
            f.severity,
            cell(&f.control),
            cell(&f.object),
            cell(&message)
        );
    }
    t.push_str("\n</details>\n\n");
    t
}
