//! Field-level differences between two documents.

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::model::FieldChange;
use crate::trace::Trace;
use crate::yaml::tree;

fn json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Changed, added and removed leaves from `old` to `new`, in `new`'s order then removals,
/// each charged to the step the trace names (`untraced` when it names none).
pub fn field_changes(
    old: Option<&Value>,
    new: &Value,
    object: &str,
    trace: &Trace,
    untraced: &str,
) -> Vec<FieldChange> {
    let before: BTreeMap<String, Value> = old
        .map(|o| tree::leaves(o).into_iter().collect())
        .unwrap_or_default();
    let after = tree::leaves(new);
    let mut out = Vec::new();
    let because = |path: &str| {
        trace
            .source_of(object, path)
            .map_or(untraced.to_string(), ToString::to_string)
    };
    for (path, value) in &after {
        if before.get(path) != Some(value) {
            out.push(FieldChange {
                path: path.clone(),
                old: before.get(path).map(json),
                new: Some(json(value)),
                because: because(path),
            });
        }
    }
    let present: std::collections::BTreeSet<&String> = after.iter().map(|(p, _)| p).collect();
    for (path, value) in &before {
        if !present.contains(path) {
            out.push(FieldChange {
                path: path.clone(),
                old: Some(json(value)),
                new: None,
                because: because(path),
            });
        }
    }
    out
}
