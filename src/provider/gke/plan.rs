//! A GKE plan: create the cluster, or the ordered steps that remediate it, plus what cannot be
//! changed in place, the waivers in effect and the controls that will still fail.

use serde::Serialize;
use serde_json::Value;

use super::objects::ObjectStep;
use super::render::{leaves, Rendered};
use super::steps::{self, Blocked, FieldChange, Step, Steps};
use crate::audit::evaluate_gke;
use crate::cluster_file::ClusterFile;
use crate::controls::Verdict;
use crate::gke::view::ClusterView;
use crate::plan::{
    Action, Blocked as DocBlocked, FieldDoc, PlanDocument, PlannedChange, ProviderName, Via,
    WaiverInEffect, DOCUMENT_VERSION,
};
use crate::profile::ResolvedProfile;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GkePlan {
    /// `projects/P/locations/L/clusters/C`.
    pub cluster: String,
    /// Where the live state was read.
    pub endpoint: String,
    /// `create`, or `update` for an existing cluster.
    pub action: String,
    /// The `CreateClusterRequest` for a new cluster (enum names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<Value>,
    /// For a new cluster: every field and what wants it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub create_fields: Vec<FieldChange>,
    pub steps: Vec<Step>,
    pub blocked: Vec<Blocked>,
    pub notes: Vec<String>,
    pub waivers: Vec<WaiverInEffect>,
    pub warnings: Vec<String>,
    /// Findings on the live cluster that the steps do not fix (blocked, or not in the file).
    pub still_failing: Vec<String>,
    /// The Kubernetes objects to server-side apply through the cluster's API, after the calls.
    pub objects: Vec<ObjectStep>,
}

impl GkePlan {
    pub fn has_changes(&self) -> bool {
        self.create.is_some() || !self.steps.is_empty() || !self.objects.is_empty()
    }

    /// The provider-neutral document `plan -o json` prints: the create call (with every field
    /// and what wants it) or the remediation calls, in the order apply makes them.
    pub fn document(&self) -> PlanDocument {
        let fields = |list: &[FieldChange]| -> Vec<FieldDoc> {
            list.iter()
                .map(|f| FieldDoc {
                    path: f.path.clone(),
                    old: f.old.clone(),
                    // a field that goes has no new value
                    new: Some(f.new.clone()).filter(|v| !v.is_null()),
                    because: f.because.clone(),
                })
                .collect()
        };
        let object = format!(
            "Cluster/{}",
            self.cluster.rsplit('/').next().unwrap_or(&self.cluster)
        );
        let mut changes = Vec::new();
        if let Some(request) = &self.create {
            changes.push(PlannedChange {
                object,
                action: Action::Create,
                via: Via::Rpc {
                    call: "clusters.create".into(),
                    body: request.clone(),
                },
                sensitive: false,
                because: "the cluster does not exist".into(),
                fields: fields(&self.create_fields),
            });
        }
        for step in &self.steps {
            changes.push(PlannedChange {
                object: step.object.clone(),
                action: if step.call == "nodePools.create" {
                    Action::Create
                } else {
                    Action::Update
                },
                via: Via::Rpc {
                    call: step.call.clone(),
                    body: step.body.clone(),
                },
                sensitive: false,
                because: because_of(&step.fields),
                fields: fields(&step.fields),
            });
        }
        for o in &self.objects {
            changes.push(PlannedChange {
                object: o.object.clone(),
                // not read (None): applied all the same, shown as an update
                action: if o.exists == Some(false) {
                    Action::Create
                } else {
                    Action::Update
                },
                via: if o.replace {
                    Via::Replace {
                        path: o.path.clone(),
                        body: o.body.clone(),
                        added: o.added.clone(),
                    }
                } else {
                    Via::ServerSideApply {
                        path: o.path.clone(),
                        body: o.body.clone(),
                    }
                },
                sensitive: false,
                because: o.because.clone(),
                fields: fields(&o.fields),
            });
        }
        PlanDocument {
            format_version: DOCUMENT_VERSION,
            provider: ProviderName::Gke,
            cluster: self.cluster.clone(),
            target: self.endpoint.clone(),
            base: Default::default(),
            changes,
            cannot_change_in_place: self
                .blocked
                .iter()
                .map(|b| DocBlocked {
                    object: b.object.clone(),
                    remedy: b.remedy.clone(),
                    fields: fields(&b.fields),
                })
                .collect(),
            waivers: self.waivers.clone(),
            warnings: self.warnings.clone(),
            notes: self.notes.clone(),
            still_failing: self.still_failing.clone(),
        }
    }
}

/// What a step is for: the controls and settings behind its fields, each once.
fn because_of(fields: &[FieldChange]) -> String {
    crate::plan::reasons(fields.iter().map(|f| f.because.as_str()))
}

/// The plan from a rendered request and the live cluster (`None`: it does not exist), with the
/// Kubernetes objects to apply through its API.
pub fn make(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    rendered: &Rendered,
    live: Option<&Value>,
    endpoint: &str,
    objects: Vec<ObjectStep>,
) -> GkePlan {
    let cluster = rendered.resource_name();
    let waivers = WaiverInEffect::from_findings(&rendered.findings);
    let mut plan = GkePlan {
        cluster,
        endpoint: endpoint.to_string(),
        action: "create".into(),
        create: None,
        create_fields: Vec::new(),
        steps: Vec::new(),
        blocked: Vec::new(),
        notes: Vec::new(),
        waivers,
        warnings: rendered.warnings.clone(),
        still_failing: Vec::new(),
        objects,
    };
    match live {
        None => {
            plan.create = Some(rendered.request.clone());
            plan.create_fields = leaves(rendered.cluster())
                .into_iter()
                .map(|(path, new)| FieldChange {
                    because: rendered
                        .trace
                        .get(&path)
                        .cloned()
                        .unwrap_or_else(|| "cluster file".into()),
                    path,
                    old: None,
                    new,
                })
                .collect();
        }
        Some(live) => {
            plan.action = "update".into();
            let Steps {
                steps,
                blocked,
                notes,
            } = steps::diff(rendered.cluster(), live, &rendered.trace);
            plan.steps = steps;
            plan.blocked = blocked;
            plan.notes = notes;
            // what stays failing: live findings whose field no step touches
            let touched: Vec<&str> = plan
                .steps
                .iter()
                .flat_map(|s| s.fields.iter().map(|f| f.path.as_str()))
                .collect();
            for f in evaluate_gke(&ClusterView::new(live), profile, &file.waivers) {
                if f.verdict != Verdict::Fail {
                    continue;
                }
                // a step fixes a finding when it changes that field of that object
                let pool = f
                    .object
                    .strip_prefix("NodePool/")
                    .map(|rest| rest.rsplit('/').next().unwrap_or(rest));
                let fixed = !f.path.is_empty()
                    && touched.iter().any(|t| {
                        let rest = match pool {
                            Some(p) => t.strip_prefix(&format!("nodePools[{p}].")),
                            None if t.starts_with("nodePools[") => None,
                            None => Some(*t),
                        };
                        rest.is_some_and(|r| r == f.path || r.starts_with(&format!("{}.", f.path)))
                    });
                if !fixed {
                    plan.still_failing
                        .push(format!("{} on {}: {}", f.control, f.object, f.message));
                }
            }
        }
    }
    plan
}
