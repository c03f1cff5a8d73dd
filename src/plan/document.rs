//! The plan as `plan -o json` prints it, the same shape for every provider: what changes, how
//! each change is carried out (a state-store write or an API call), what cannot change in
//! place, the waivers in effect and what is still failing. `palisade schema --plan` publishes
//! its JSON Schema.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{Action, WaiverInEffect};

/// The version of this document's shape (1 was the kops-only view).
pub const DOCUMENT_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderName {
    Kops,
    Gke,
}

impl ProviderName {
    /// As a reader names it: `kops`, `GKE`.
    pub fn label(self) -> &'static str {
        match self {
            ProviderName::Kops => "kops",
            ProviderName::Gke => "GKE",
        }
    }
}

/// A provider-neutral plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanDocument {
    pub format_version: u32,
    pub provider: ProviderName,
    /// The kops cluster name, or the GKE resource name `projects/P/locations/L/clusters/C`.
    pub cluster: String,
    /// Where the current state was read: the state store URL, or the container API endpoint.
    pub target: String,
    /// What the plan was made from: every store key read with the version seen (`null`:
    /// absent). Empty for GKE, whose apply plans again against the live cluster.
    pub base: BTreeMap<String, Option<String>>,
    /// In the order apply carries them out.
    pub changes: Vec<PlannedChange>,
    /// Differences apply does not attempt, each with its remedy.
    pub cannot_change_in_place: Vec<Blocked>,
    pub waivers: Vec<WaiverInEffect>,
    pub warnings: Vec<String>,
    /// Things a reviewer should know that are not changes.
    pub notes: Vec<String>,
    /// Findings apply will not fix.
    pub still_failing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedChange {
    /// `Cluster/NAME`, `InstanceGroup/NAME`, `Secret/NAME`, `NodePool/CLUSTER/POOL`, …
    pub object: String,
    pub action: Action,
    pub via: Via,
    /// Secrets: the plan shows that they change, never what they hold.
    pub sensitive: bool,
    /// The control, waiver or setting behind the change as a whole.
    pub because: String,
    pub fields: Vec<FieldDoc>,
}

/// How a change is carried out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Via {
    /// A conditional write of one state-store object.
    StoreWrite { key: String },
    /// One API call (`clusters.create`, `clusters.update`, `nodePools.update`, …) and its body
    /// besides the resource name, enums as names.
    Rpc { call: String, body: Value },
    /// A server-side apply (field manager `palisade`) of one Kubernetes object through the
    /// cluster's API, at `path`.
    ServerSideApply { path: String, body: Value },
    /// A replace (PUT, conditional on the resourceVersion in `body`) of one Kubernetes object
    /// that carries fields Palisade does not set (`added`), which an apply would keep.
    Replace {
        path: String,
        body: Value,
        added: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDoc {
    /// Dotted path inside the object.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
    /// The control, waiver or user setting behind the change.
    pub because: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Blocked {
    pub object: String,
    /// "needs a new node pool", "needs a new cluster", or what to do by hand.
    pub remedy: String,
    pub fields: Vec<FieldDoc>,
}

/// The JSON Schema (draft 2020-12) of [`PlanDocument`].
pub fn json_schema() -> Value {
    let schema = schemars::schema_for!(PlanDocument);
    let mut v = serde_json::to_value(schema).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "$id".into(),
            "https://palisade.dev/schemas/plan-v2.json".into(),
        );
        m.insert("title".into(), "Palisade plan (plan -o json)".into());
    }
    v
}
