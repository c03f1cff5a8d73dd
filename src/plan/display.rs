//! The plan as text for a terminal or a pull request, for every provider: rendered from the
//! same [`PlanDocument`] as the JSON, so the two cannot drift. How a change is shown follows how
//! it is carried out: a state-store write shows its key and each field with a mark, an API call
//! is numbered in the order apply makes it.

use std::fmt::Write as _;

use serde_json::Value;

use super::document::{FieldDoc, PlanDocument, PlannedChange, Via};
use super::model::Action;

const LONG: usize = 72;

fn show_short(v: &Value) -> String {
    match v {
        Value::String(s) if s.contains('\n') => {
            let first = s.lines().next().unwrap_or("");
            format!("{:?}… ({} lines)", truncate(first), s.lines().count())
        }
        Value::String(s) => truncate(s),
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

fn show_full(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
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

/// A store write: `+ KEY (create: OBJECT)`, then each field with its mark.
fn store_write(t: &mut String, p: &Paint, c: &PlannedChange, key: &str) {
    let (sign, code, verb) = match c.action {
        Action::Create => ("+", "32", "create"),
        Action::Update => ("~", "33", "update"),
    };
    let _ = writeln!(
        t,
        "\n{} {} ({verb}: {})",
        p.c(code, sign),
        p.c("1", key),
        c.object
    );
    if c.sensitive {
        let _ = writeln!(t, "    {} = (sensitive value)   [{}]", c.object, c.because);
        return;
    }
    if c.fields.is_empty() {
        let _ = writeln!(t, "    [{}]", c.because);
    }
    for f in &c.fields {
        let change = match (&f.old, &f.new) {
            (Some(o), Some(n)) => format!("{} → {}", show_short(o), show_short(n)),
            (None, Some(n)) => show_short(n),
            (Some(o), None) => format!("{} → (removed)", show_short(o)),
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

/// A field of an API call or of a difference that cannot be made in place.
fn call_field(t: &mut String, f: &FieldDoc) {
    let new = f
        .new
        .as_ref()
        .map(show_full)
        .unwrap_or_else(|| "(removed)".into());
    let change = match &f.old {
        Some(o) => format!("{} → {new}", show_full(o)),
        None => new,
    };
    let _ = writeln!(t, "      {}: {change}   [{}]", f.path, f.because);
}

/// `clusters.update desiredX`: the call with the one field it updates.
fn call_label(call: &str, body: &Value) -> String {
    match body.get("update").and_then(Value::as_object) {
        Some(u) if call == "clusters.update" => {
            let keys: Vec<&str> = u.keys().map(String::as_str).collect();
            format!("{call} {}", keys.join(" "))
        }
        _ => call.to_string(),
    }
}

/// The plan as text; `color` adds ANSI colours (the caller decides: a terminal, no NO_COLOR).
pub fn to_text(doc: &PlanDocument, color: bool) -> String {
    let p = Paint { on: color };
    let mut t = String::new();
    let _ = writeln!(t, "Plan for cluster {} in {}", doc.cluster, doc.target);
    if doc.changes.is_empty() {
        let _ = writeln!(
            t,
            "\nNo changes. The current state matches the cluster file."
        );
    }
    let mut calls = 0;
    for c in &doc.changes {
        match &c.via {
            Via::StoreWrite { key } => store_write(&mut t, &p, c, key),
            Via::Rpc { call, body } if call == "clusters.create" => {
                let pools = body["cluster"]["nodePools"].as_array().map_or(0, Vec::len);
                let _ = writeln!(
                    t,
                    "\n+ clusters.create: a new cluster with {pools} node pool(s), {} field(s) set:",
                    c.fields.len()
                );
                for f in &c.fields {
                    call_field(&mut t, f);
                }
            }
            Via::ServerSideApply { path, .. } => {
                // a new object is shown whole by `render --manifests`; a changed one by field
                if c.action == Action::Create {
                    let _ = writeln!(
                        t,
                        "\n+ {}   server-side apply (new), {path}   [{}]",
                        c.object, c.because
                    );
                } else {
                    let _ = writeln!(
                        t,
                        "\n~ {}   server-side apply, {path}   [{}]",
                        c.object, c.because
                    );
                    for f in &c.fields {
                        call_field(&mut t, f);
                    }
                }
            }
            Via::Replace { path, added, .. } => {
                let _ = writeln!(
                    t,
                    "\n~ {}   replace, {path}   [{}]\n      carries fields Palisade does not set, which an apply would keep: {}",
                    c.object,
                    c.because,
                    added.join(", ")
                );
                for f in &c.fields {
                    call_field(&mut t, f);
                }
            }
            Via::Rpc { call, body } => {
                calls += 1;
                let _ = writeln!(t, "\n{calls}. {}   {}", call_label(call, body), c.object);
                for f in &c.fields {
                    call_field(&mut t, f);
                }
            }
        }
    }
    if !doc.cannot_change_in_place.is_empty() {
        let _ = writeln!(t, "\nCannot change in place (not attempted):");
        for b in &doc.cannot_change_in_place {
            let _ = writeln!(t, "  ! {}: {}", b.object, b.remedy);
            for f in &b.fields {
                call_field(&mut t, f);
            }
        }
    }
    if !doc.still_failing.is_empty() {
        let _ = writeln!(t, "\nStill failing after apply:");
        for s in &doc.still_failing {
            let _ = writeln!(t, "  - {s}");
        }
    }
    waivers_text(&mut t, &doc.waivers);
    for (title, list) in [("Notes", &doc.notes), ("Warnings", &doc.warnings)] {
        if !list.is_empty() {
            let _ = writeln!(t, "\n{title}:");
            for n in list {
                let _ = writeln!(t, "  {n}");
            }
        }
    }
    let _ = writeln!(t, "\n{}", summary(doc));
    t
}

/// The closing line: what apply will do.
fn summary(doc: &PlanDocument) -> String {
    let creates_cluster = doc
        .changes
        .iter()
        .any(|c| matches!(&c.via, Via::Rpc { call, .. } if call == "clusters.create"));
    let calls = doc
        .changes
        .iter()
        .filter(|c| matches!(c.via, Via::Rpc { .. }))
        .count();
    let applies = doc
        .changes
        .iter()
        .filter(|c| matches!(c.via, Via::ServerSideApply { .. } | Via::Replace { .. }))
        .count();
    let writes = doc.changes.len() - calls - applies;
    let then = if applies > 0 {
        format!(", then {applies} Kubernetes object(s) applied through the cluster's API")
    } else {
        String::new()
    };
    if creates_cluster {
        format!("Plan: create the cluster{then}.")
    } else if calls > 0 {
        format!("Plan: {calls} call(s), run one at a time{then}.")
    } else if applies > 0 {
        format!("Plan: {applies} Kubernetes object(s) to apply through the cluster's API.")
    } else if writes > 0 {
        let creates = doc
            .changes
            .iter()
            .filter(|c| c.action == Action::Create)
            .count();
        format!(
            "Plan: {creates} to create, {} to update.",
            doc.changes.len() - creates
        )
    } else {
        "Plan: no changes.".into()
    }
}

/// The "Waivers in effect" section of a plan.
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
