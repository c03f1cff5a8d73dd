//! Which control, waiver or user setting put each field of a rendered spec where it is.
//!
//! The trace is computed, not declared: each step (the cluster file, each control's apply, the
//! overrides) is diffed against the spec before it, and the fields it changed are charged to it.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::kops::KopsSpec;
use crate::yaml::tree;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum Source {
    /// A value from the cluster file (`kops.zones`, `access.apiCidrs`, …) or a kops requirement.
    ClusterFile,
    /// A control of the profile.
    Control(String),
    /// `overrides` in the cluster file.
    Override,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::ClusterFile => f.write_str("cluster file"),
            Source::Control(id) => write!(f, "control {id}"),
            Source::Override => f.write_str("override"),
        }
    }
}

/// (object, field path) → the last step that set it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trace(BTreeMap<String, BTreeMap<String, Source>>);

impl Trace {
    /// Charges every field that differs between `before` and `after` to `source`. Documents
    /// that compare equal are skipped without walking them: most steps touch one or two.
    pub fn record(&mut self, before: &KopsSpec, after: &KopsSpec, source: &Source) {
        let old: BTreeMap<String, &serde_yaml::Value> = before
            .documents()
            .iter()
            .map(|d| (KopsSpec::object_name(d), d))
            .collect();
        for doc in after.documents() {
            let object = KopsSpec::object_name(doc);
            let prior = old.get(&object).copied();
            if prior == Some(doc) {
                continue;
            }
            let prior_leaves: BTreeMap<String, serde_yaml::Value> = prior
                .map(|p| tree::leaves(p).into_iter().collect())
                .unwrap_or_default();
            for (path, value) in tree::leaves(doc) {
                if prior_leaves.get(&path) != Some(&value) {
                    self.0
                        .entry(object.clone())
                        .or_default()
                        .insert(path, source.clone());
                }
            }
        }
    }

    /// Charges every field under `prefix` of `object` to `source` (structure a control decided).
    pub fn charge_prefix(&mut self, object: &str, prefix: &str, source: &Source) {
        if let Some(fields) = self.0.get_mut(object) {
            for (path, s) in fields.iter_mut() {
                if path == prefix
                    || path.starts_with(&format!("{prefix}."))
                    || path.starts_with(&format!("{prefix}["))
                {
                    *s = source.clone();
                }
            }
        }
    }

    /// The step behind a field, or behind its nearest traced ancestor or descendant.
    pub fn source_of(&self, object: &str, path: &str) -> Option<&Source> {
        let fields = self.0.get(object)?;
        if let Some(s) = fields.get(path) {
            return Some(s);
        }
        fields
            .iter()
            .find(|(p, _)| p.starts_with(&format!("{path}.")) || p.starts_with(&format!("{path}[")))
            .map(|(_, s)| s)
    }
}
