//! Which control, waiver or user setting put each field of a rendered spec where it is.
//!
//! The trace is computed, not declared: each step (the cluster file, each control's apply, the
//! overrides) is diffed against the documents before it, and the fields it changed are charged
//! to it. One type for every provider: objects are `Cluster/NAME`, `InstanceGroup/NAME`, … and
//! fields are dotted paths.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace(BTreeMap<String, BTreeMap<String, Source>>);

impl Trace {
    /// Charges to `source` every leaf of `object` in `now` whose value differs from `prior`
    /// (the leaves before the step), for any provider's value type.
    pub fn record_leaves<V: PartialEq>(
        &mut self,
        object: &str,
        prior: impl IntoIterator<Item = (String, V)>,
        now: impl IntoIterator<Item = (String, V)>,
        source: &Source,
    ) {
        let prior: BTreeMap<String, V> = prior.into_iter().collect();
        for (path, value) in now {
            if prior.get(&path) != Some(&value) {
                self.0
                    .entry(object.to_string())
                    .or_default()
                    .insert(path, source.clone());
            }
        }
    }

    /// Charges each of `paths` of `object` to `source`.
    pub fn record_paths(&mut self, object: &str, paths: Vec<String>, source: &Source) {
        if paths.is_empty() {
            return;
        }
        let fields = self.0.entry(object.to_string()).or_default();
        for path in paths {
            fields.insert(path, source.clone());
        }
    }

    /// Every (object, field, step) recorded.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str, &Source)> {
        self.0
            .iter()
            .flat_map(|(o, m)| m.iter().map(move |(p, s)| (o.as_str(), p.as_str(), s)))
    }

    /// Every traced field of `object`, with the step behind it.
    pub fn fields(&self, object: &str) -> impl Iterator<Item = (&String, &Source)> {
        self.0.get(object).into_iter().flat_map(|m| m.iter())
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
