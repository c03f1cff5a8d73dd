//! The audit report for CI systems: SARIF 2.1.0 (code scanning) and JUnit XML (test reports),
//! made from the same findings as the text and JSON.

use std::fmt::Write as _;

use serde_json::json;

use super::report::Report;
use crate::controls::{self, Severity, Verdict};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// SARIF 2.1.0: one rule per control, one result per failing or waived finding (waived ones
/// carry an external suppression with the waiver's reason).
pub fn to_sarif(r: &Report) -> String {
    let rules: Vec<_> = controls::all()
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "name": c.id,
                "shortDescription": {"text": c.title},
                "fullDescription": {"text": c.rationale},
                "help": {"text": format!("{}\n{}", c.detection, c.source)},
                "properties": {
                    "severity": c.severity,
                    "references": c.references.iter().map(|x| format!("{} {}", x.benchmark, x.id)).collect::<Vec<_>>(),
                },
            })
        })
        .collect();
    let results: Vec<_> = r
        .findings
        .iter()
        .filter(|f| matches!(f.verdict, Verdict::Fail | Verdict::Waived))
        .map(|f| {
            let mut res = json!({
                "ruleId": f.control,
                "level": level(f.severity),
                "message": {"text": format!("{}: {}", f.object, f.message)},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": r.source}},
                    "logicalLocations": [{"fullyQualifiedName": format!("{}.{}", f.object, f.path), "kind": "object"}],
                }],
            });
            if let Some(w) = &f.waiver {
                res["suppressions"] = json!([{"kind": "external", "justification": w.reason}]);
            }
            res
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "palisade", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: a test case per finding; failures fail, waived and not-applicable ones are
/// skipped with the reason, passes pass.
pub fn to_junit(r: &Report) -> String {
    let failures = r
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail)
        .count();
    let skipped = r
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.verdict,
                Verdict::Waived | Verdict::NotApplicable | Verdict::Unknown
            )
        })
        .count();
    let mut t = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(t, "<testsuites name=\"palisade audit\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">", r.findings.len());
    let _ = writeln!(
        t,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        xml(&format!("{} ({})", r.cluster, r.source)),
        r.findings.len()
    );
    for f in &r.findings {
        let name = xml(&format!("{} {}", f.object, f.path));
        let _ = write!(
            t,
            "    <testcase classname=\"{}\" name=\"{name}\"",
            xml(&f.control)
        );
        match f.verdict {
            Verdict::Pass => t.push_str("/>\n"),
            Verdict::Fail => {
                let _ = writeln!(
                    t,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml(&f.message),
                    f.severity,
                    xml(&f.title)
                );
            }
            _ => {
                let why = match &f.waiver {
                    Some(w) => format!("waived: {}", w.reason),
                    None => format!("{}: {}", f.verdict, f.message),
                };
                let _ = writeln!(
                    t,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml(&why)
                );
            }
        }
    }
    t.push_str("  </testsuite>\n</testsuites>\n");
    t
}
