//! Plan data types.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use super::document::{
    Blocked, FieldDoc, PlanDocument, PlannedChange, ProviderName, Via, DOCUMENT_VERSION,
};
use serde::{Deserialize, Serialize};

use crate::cluster_file::Waiver;
use crate::profile::ResolvedProfile;
use crate::trace::Trace;

/// The saved-plan format: 2 holds the plan's intent only, sealed with a digest.
pub const FORMAT_VERSION: u32 = 2;

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

/// What a kops plan will do, and all a saved plan holds: the documents it writes, the secrets
/// it generates, what it was based on, and the profile and waivers to judge the result by.
/// Everything a plan shows (the changes, the waivers in effect, what still fails) is derived
/// from this and what the store holds, so what is shown and what is written cannot differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intent {
    pub cluster: String,
    /// The store, resolved (`file://` URLs absolute).
    pub state: String,
    /// Every key read, with the version seen (`null`: absent).
    pub base: BTreeMap<String, Option<String>>,
    /// Key → the exact bytes to write (documents and the SSH public key).
    pub writes: BTreeMap<String, String>,
    /// Keys of secrets generated at apply time, when absent from the store (never in a plan).
    #[serde(default)]
    pub generated: Vec<String>,
    /// The profiles the cluster file names, as it names them (`baseline`, `./team.yaml`).
    pub profile_refs: Vec<String>,
    /// The resolved profile the result is judged by.
    pub profile: ResolvedProfile,
    /// The cluster file's waivers.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Which control or setting put each field where it is (the reasons shown).
    #[serde(default)]
    pub trace: Trace,
    /// Stored fields kept because they cannot change on a running cluster.
    #[serde(default)]
    pub kept: Vec<Kept>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A kops plan: its intent and what is derived from it against the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub intent: Intent,
    pub changes: Vec<Change>,
    pub waivers: Vec<WaiverInEffect>,
    /// The EncryptionConfiguration provider for a secret created at apply time.
    pub encryption_provider: Option<String>,
    /// Enforced controls that will still fail on what the store holds after apply (they fail
    /// on what it holds now).
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

    pub fn cluster(&self) -> &str {
        &self.intent.cluster
    }

    pub fn state(&self) -> &str {
        &self.intent.state
    }

    /// The provider-neutral document `plan -o json` prints: everything but the bytes to write.
    pub fn document(&self) -> PlanDocument {
        PlanDocument {
            format_version: DOCUMENT_VERSION,
            provider: ProviderName::Kops,
            cluster: self.intent.cluster.clone(),
            target: self.intent.state.clone(),
            base: self.intent.base.clone(),
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
                .intent
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
            warnings: self.intent.warnings.clone(),
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
