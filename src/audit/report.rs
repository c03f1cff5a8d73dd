//! An audit report: plain data, shown as text or JSON from the same model.

use std::fmt::Write as _;

use serde::Serialize;

use super::finding::Finding;
use crate::controls::{Severity, Verdict};
use crate::profile::Level;

/// Bumped when a JSON consumer would need to change.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub pass: usize,
    pub fail: usize,
    pub waived: usize,
    #[serde(rename = "not-applicable")]
    pub not_applicable: usize,
    pub unknown: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub format_version: u32,
    /// What was audited: a file path or a state store key.
    pub source: String,
    pub cluster: String,
    pub profile: Vec<String>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
}

impl Report {
    pub fn new(source: &str, cluster: &str, profile: &[String], findings: Vec<Finding>) -> Self {
        let mut summary = Summary::default();
        for f in &findings {
            match f.verdict {
                Verdict::Pass => summary.pass += 1,
                Verdict::Fail => summary.fail += 1,
                Verdict::Waived => summary.waived += 1,
                Verdict::NotApplicable => summary.not_applicable += 1,
                Verdict::Unknown => summary.unknown += 1,
            }
        }
        Report {
            format_version: FORMAT_VERSION,
            source: source.to_string(),
            cluster: cluster.to_string(),
            profile: profile.to_vec(),
            summary,
            findings,
        }
    }

    /// Whether an enforced control fails at or above `threshold`: the audit's exit 2.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|f| f.is_blocking() && f.severity >= threshold)
    }

    pub fn to_json(&self) -> String {
        // Plain data with string keys: serialisation cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// One line per finding, failures first; passes only when `verbose`.
    pub fn to_text(&self, verbose: bool) -> String {
        let mut out = String::new();
        let s = &self.summary;
        let _ = writeln!(
            out,
            "audit of {} ({}) with profile {}",
            self.cluster,
            self.source,
            self.profile.join(" + ")
        );
        let mut shown: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| verbose || f.verdict != Verdict::Pass)
            .collect();
        shown.sort_by_key(|f| (order(f.verdict), std::cmp::Reverse(f.severity)));
        for f in shown {
            let level = if f.level == Level::Audit && f.verdict == Verdict::Fail {
                " (audit only)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<14} {:<8} {:<30} {:<40} {}{}",
                f.verdict.to_string().to_uppercase(),
                f.severity,
                f.control,
                f.object,
                f.message,
                level
            );
            if let Some(w) = &f.waiver {
                let until = w.expires.map(|d| format!(" until {d}")).unwrap_or_default();
                let _ = writeln!(out, "{:<14} waived{until}: {}", "", w.reason);
            }
        }
        let _ = writeln!(
            out,
            "{} failed, {} passed, {} waived, {} not applicable, {} unknown",
            s.fail, s.pass, s.waived, s.not_applicable, s.unknown
        );
        out
    }
}

fn order(v: Verdict) -> u8 {
    match v {
        Verdict::Fail => 0,
        Verdict::Unknown => 1,
        Verdict::Waived => 2,
        Verdict::NotApplicable => 3,
        Verdict::Pass => 4,
    }
}
