//! Plan data types.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use super::document::{
    Blocked, FieldDoc, PlanDocument, PlannedChange, ProviderName, Via, DOCUMENT_VERSION,
};
use serde::{Deserialize, Serialize};

pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Dotted path inside the document, e.g. `spec.kubelet.anonymousAuth`.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<serde_json::Value>,
    /// The control, waiver or user setting behind the change.
    pub because: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The state store key, relative to the store (`CLUSTER/config`).
    pub key: String,
    /// `Cluster/NAME`, `InstanceGroup/NAME`, `Secret/NAME`, `SSHPublicKey/admin`.
    pub object: String,
    pub action: Action,
    /// Secrets: the plan shows that they change, never what they hold.
    pub sensitive: bool,
    pub because: String,
    pub fields: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverInEffect {
    pub control: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// What the control would have said.
    pub finding: String,
}

/// A plan. `writes` (the exact bytes apply will write, secrets excluded: they are generated at
/// apply time) is only kept in saved plans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub cluster: String,
    pub state: String,
    /// Every key read, with the version seen (`null`: absent).
    pub base: BTreeMap<String, Option<String>>,
    pub changes: Vec<Change>,
    pub waivers: Vec<WaiverInEffect>,
    pub warnings: Vec<String>,
    /// The EncryptionConfiguration provider for a secret created at apply time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_provider: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub writes: BTreeMap<String, String>,
    /// Stored fields kept because they cannot change on a running cluster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<Kept>,
    /// Enforced controls that will still fail on what the store holds after apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub still_failing: Vec<String>,
}

/// A stored field the cluster file asks to change that cannot change in place: it is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    pub object: String,
    /// `spec.networking`.
    pub path: String,
    pub stored: serde_json::Value,
    pub wanted: serde_json::Value,
    /// Why it cannot change in place.
    pub why: String,
}

impl Plan {
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    /// The provider-neutral document `plan -o json` prints: everything but the bytes to write.
    pub fn document(&self) -> PlanDocument {
        PlanDocument {
            format_version: DOCUMENT_VERSION,
            provider: ProviderName::Kops,
            cluster: self.cluster.clone(),
            target: self.state.clone(),
            base: self.base.clone(),
            changes: self
                .changes
                .iter()
                .map(|c| PlannedChange {
                    object: c.object.clone(),
                    action: c.action,
                    via: Via::StoreWrite { key: c.key.clone() },
                    sensitive: c.sensitive,
                    because: because_of(c),
                    fields: c
                        .fields
                        .iter()
                        .map(|f| FieldDoc {
                            path: f.path.clone(),
                            old: f.old.clone(),
                            new: f.new.clone(),
                            because: f.because.clone(),
                        })
                        .collect(),
                })
                .collect(),
            cannot_change_in_place: self
                .kept
                .iter()
                .map(|k| Blocked {
                    object: k.object.clone(),
                    remedy: format!("{} is kept as stored: {}", k.path, k.why),
                    fields: vec![FieldDoc {
                        path: k.path.clone(),
                        old: Some(k.stored.clone()),
                        new: Some(k.wanted.clone()),
                        because: "cluster file".into(),
                    }],
                })
                .collect(),
            waivers: self.waivers.clone(),
            warnings: self.warnings.clone(),
            notes: Vec::new(),
            still_failing: self.still_failing.clone(),
        }
    }
}

/// What a change is for: the controls and settings behind its fields, each once; a change
/// without fields (a secret, a key) keeps its own reason.
fn because_of(c: &Change) -> String {
    if c.sensitive || c.fields.is_empty() {
        return c.because.clone();
    }
    reasons(c.fields.iter().map(|f| f.because.as_str()))
}

/// Reasons, each once, in order: `control a, control b`.
pub fn reasons<'a>(all: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for r in all {
        if !seen.contains(&r) {
            seen.push(r);
        }
    }
    seen.join(", ")
}

impl WaiverInEffect {
    /// The waivers that turned a failing finding into a waived one, with what it would say.
    pub fn from_findings(findings: &[crate::audit::Finding]) -> Vec<WaiverInEffect> {
        findings
            .iter()
            .filter_map(|f| {
                f.waiver.as_ref().map(|w| WaiverInEffect {
                    control: f.control.clone(),
                    reason: w.reason.clone(),
                    expires: w.expires.map(|d| d.to_string()),
                    finding: format!("{}: {}", f.object, f.message),
                })
            })
            .collect()
    }
}
