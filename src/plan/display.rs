//! The plan as text for a terminal or a pull request; rendered from the same data as the JSON.

use std::fmt::Write as _;

use super::model::{Action, Plan};

const LONG: usize = 72;

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) if s.contains('\n') => {
            let first = s.lines().next().unwrap_or("");
            format!("{:?}… ({} lines)", truncate(first), s.lines().count())
        }
        serde_json::Value::String(s) => truncate(s),
        other => truncate(&other.to_string()),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > LONG {
        format!("{}…", s.chars().take(LONG).collect::<String>())
    } else {
        s.to_string()
    }
}

struct Paint {
    on: bool,
}

impl Paint {
    fn c(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The plan as text; `color` adds ANSI colours (the caller decides: a terminal, no NO_COLOR).
pub fn to_text(plan: &Plan, color: bool) -> String {
    let p = Paint { on: color };
    let mut t = String::new();
    let _ = writeln!(t, "Plan for cluster {} in {}", plan.cluster, plan.state);
    if plan.changes.is_empty() {
        let _ = writeln!(t, "\nNo changes. The state store matches the cluster file.");
    }
    for c in &plan.changes {
        let (sign, code) = match c.action {
            Action::Create => ("+", "32"),
            Action::Update => ("~", "33"),
        };
        let verb = match c.action {
            Action::Create => "create",
            Action::Update => "update",
        };
        let _ = writeln!(
            t,
            "\n{} {} ({verb}: {})",
            p.c(code, sign),
            p.c("1", &c.key),
            c.object
        );
        if c.sensitive {
            let _ = writeln!(t, "    {} = (sensitive value)   [{}]", c.object, c.because);
            continue;
        }
        if c.fields.is_empty() {
            let _ = writeln!(t, "    [{}]", c.because);
        }
        for f in &c.fields {
            let change = match (&f.old, &f.new) {
                (Some(o), Some(n)) => format!("{} → {}", show(o), show(n)),
                (None, Some(n)) => show(n),
                (Some(o), None) => format!("{} → (removed)", show(o)),
                (None, None) => String::new(),
            };
            let mark = match (&f.old, &f.new) {
                (None, _) => p.c("32", "+"),
                (_, None) => p.c("31", "-"),
                _ => p.c("33", "~"),
            };
            let _ = writeln!(t, "    {mark} {}: {change}   [{}]", f.path, f.because);
        }
    }
    waivers_text(&mut t, &plan.waivers);
    if !plan.warnings.is_empty() {
        let _ = writeln!(t, "\nWarnings:");
        for w in &plan.warnings {
            let _ = writeln!(t, "  {w}");
        }
    }
    let creates = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Create)
        .count();
    let updates = plan.changes.len() - creates;
    let _ = writeln!(t, "\nPlan: {creates} to create, {updates} to update.");
    t
}

/// The "Waivers in effect" section of a plan (kops and GKE).
pub fn waivers_text(t: &mut String, waivers: &[super::WaiverInEffect]) {
    if waivers.is_empty() {
        return;
    }
    let _ = writeln!(t, "\nWaivers in effect:");
    for w in waivers {
        let until = w
            .expires
            .as_ref()
            .map(|d| format!(" (until {d})"))
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "  {}{until}: {}\n    would fail: {}",
            w.control, w.reason, w.finding
        );
    }
}
