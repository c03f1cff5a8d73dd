//! The one render loop, for every provider, in two modes.
//!
//! **Render** builds a new cluster's provider input from a cluster file: the provider's base
//! documents, then every enforced, unwaived control's half for that provider (each step diffed
//! into the [`Trace`]), then what the provider adds after the controls (kops: the overrides),
//! then the provider's document validation, then every control's check: an enforced failure
//! without a waiver refuses the cluster file, an audit-level one is a warning.
//!
//! **Harden** starts from documents the user already has, applies every enforced control it
//! can, never refuses, and reports what cannot change in place.
//!
//! A provider takes part by implementing [`Target`]: what differs, and nothing else.

use crate::audit::{verdict, Finding};
use crate::cluster_file::{ClusterFile, Code, Problem, Waiver};
use crate::controls::{self, Control, Params};
use crate::profile::{Level, ResolvedProfile};
use crate::source_map::SourceMap;
use crate::trace::{Source, Trace};

/// `(cluster-file field, code, message)`: a problem before it is given a position.
pub type FieldProblem = (String, Code, String);

/// What a provider supplies to the render loop.
pub trait Target {
    /// The provider's documents while they are built (kops Cluster + InstanceGroups, or the
    /// GKE `Cluster`).
    type Doc: Clone;

    /// Why the cluster file has nothing for this provider to render, if it has not.
    fn missing_section(&self, file: &ClusterFile) -> Option<FieldProblem>;

    /// The base documents from the cluster file, with the structure the profile asks for;
    /// charges what it sets to `trace`. `Err`: why the cluster file cannot be rendered here.
    fn base(
        &self,
        file: &ClusterFile,
        profile: &ResolvedProfile,
        trace: &mut Trace,
    ) -> Result<Self::Doc, Vec<FieldProblem>>;

    /// A control's half for this provider, applied; `None` when it has none.
    fn apply(
        &self,
        control: &Control,
        doc: &mut Self::Doc,
        params: &Params,
    ) -> Option<Result<(), String>>;

    /// Whether `control` can change `doc` at all (a control with no half for this provider, or
    /// for this cloud, cannot): the render loop then skips it without copying the documents
    /// to trace it, which is most of a render's cost.
    fn touches(&self, _control: &Control, _doc: &Self::Doc) -> bool {
        true
    }

    /// Charges to `source` what differs between `before` and `after`.
    fn record(&self, trace: &mut Trace, before: &Self::Doc, after: &Self::Doc, source: &Source);

    /// What the provider adds after the controls (kops: the overrides), traced.
    fn finish(&self, _file: &ClusterFile, _doc: &mut Self::Doc, _trace: &mut Trace) {}

    /// The provider's own validation of the documents (kops CRD schema, GKE discovery facts).
    fn validate(&self, doc: &Self::Doc) -> Vec<FieldProblem>;

    /// Every active control's check of the documents.
    fn evaluate(
        &self,
        doc: &Self::Doc,
        profile: &ResolvedProfile,
        waivers: &[Waiver],
    ) -> Vec<Finding>;

    /// The cluster-file field a refusal of `finding` points the user to.
    fn refusal_field(&self, file: &ClusterFile, finding: &Finding) -> String;
}

/// A render: the documents, who set each field, what the controls said, and the refusals
/// (enforced controls that fail without a waiver: the cluster file is refused for these).
#[derive(Debug)]
pub struct Rendered<D> {
    pub doc: D,
    pub trace: Trace,
    pub findings: Vec<Finding>,
    /// Things a reviewer should see that do not stop the render.
    pub warnings: Vec<String>,
    pub refusals: Vec<Problem>,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Refused { problems: Vec<Problem> },
}

/// `Ok` when nothing is refused; else the refusals as the error.
pub fn accept(refusals: Vec<Problem>) -> Result<(), RenderError> {
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(RenderError::Refused { problems: refusals })
    }
}

/// A harden: the documents with every enforced control applied that could be, what could not
/// be fixed in place and why, and the audit of the result.
#[derive(Debug)]
pub struct Hardened<D> {
    pub doc: D,
    /// (control id, why it could not be fixed here).
    pub unfixable: Vec<(String, String)>,
    pub findings: Vec<Finding>,
}

/// Whether the renderer should build what `id` asks for: enforced and not waived.
pub fn active(profile: &ResolvedProfile, file: &ClusterFile, id: &str) -> bool {
    profile.level(id) == Level::Enforce
        && (!file.waivers.iter().any(|w| w.control == id)
            || controls::find(id).is_some_and(|c| c.kops.applies_when_waived()))
}

/// Applies every control `wanted` picks, in catalogue order; a control that cannot be applied
/// leaves the documents as they were and is returned with its reason. `applied` sees each
/// successful step.
fn apply_controls<T: Target>(
    target: &T,
    doc: &mut T::Doc,
    profile: &ResolvedProfile,
    wanted: impl Fn(&Control) -> bool,
    mut applied: impl FnMut(&Control, &T::Doc, &T::Doc),
) -> Vec<(&'static str, String)> {
    let mut errors = Vec::new();
    for control in controls::all().iter().copied() {
        if !wanted(control) || !target.touches(control, doc) {
            continue;
        }
        let before = doc.clone();
        let setting = profile.setting(control.id);
        match target.apply(control, doc, &setting.params) {
            None => {}
            Some(Ok(())) => applied(control, &before, doc),
            Some(Err(why)) => {
                errors.push((control.id, why));
                *doc = before;
            }
        }
    }
    errors
}

/// Renders `file` for `target`. `source` locates cluster-file fields for errors. Refusals are
/// returned in [`Rendered::refusals`] so that `audit` can report them; callers that write or
/// print go through [`Rendered::accepted`].
pub fn render<T: Target>(
    target: &T,
    file: &ClusterFile,
    profile: &ResolvedProfile,
    source: &SourceMap,
) -> Result<Rendered<T::Doc>, RenderError> {
    let at = |(field, code, message): FieldProblem| Problem {
        location: source.locate(&field),
        code,
        message,
    };
    let refuse = |problems: Vec<FieldProblem>| RenderError::Refused {
        problems: problems.into_iter().map(at).collect(),
    };
    if let Some(missing) = target.missing_section(file) {
        return Err(refuse(vec![missing]));
    }
    let forbidden: Vec<FieldProblem> = verdict::forbidden_waivers(&file.waivers, profile)
        .into_iter()
        .map(|(field, message)| (field, Code::WaiverForbidden, message))
        .collect();
    if !forbidden.is_empty() {
        return Err(refuse(forbidden));
    }
    let mut trace = Trace::default();
    let mut doc = target.base(file, profile, &mut trace).map_err(refuse)?;
    let apply_errors = apply_controls(
        target,
        &mut doc,
        profile,
        |c| active(profile, file, c.id),
        |c, before, after| target.record(&mut trace, before, after, &Source::Control(c.id.into())),
    );
    target.finish(file, &mut doc, &mut trace);
    let invalid = target.validate(&doc);
    if !invalid.is_empty() {
        return Err(refuse(invalid));
    }
    let findings = target.evaluate(&doc, profile, &file.waivers);
    let mut refusals: Vec<Problem> = verdict::refusals(&findings, &apply_errors, profile)
        .into_iter()
        .map(|r| {
            at((
                target.refusal_field(file, r.finding),
                Code::ControlRefused,
                r.message,
            ))
        })
        .collect();
    refusals.dedup_by(|a, b| a.message == b.message);
    let warnings = verdict::warnings(&findings, &file.waivers, profile);
    Ok(Rendered {
        doc,
        trace,
        findings,
        warnings,
        refusals,
    })
}

/// Hardens documents the user already has: every enforced control's half (waivers do not
/// apply: there is no cluster file), nothing refused.
pub fn harden<T: Target>(target: &T, start: T::Doc, profile: &ResolvedProfile) -> Hardened<T::Doc> {
    let mut doc = start;
    let unfixable = apply_controls(
        target,
        &mut doc,
        profile,
        |c| profile.level(c.id) == Level::Enforce,
        |_, _, _| {},
    )
    .into_iter()
    .map(|(id, why)| (id.to_string(), why))
    .collect();
    let findings = target.evaluate(&doc, profile, &[]);
    Hardened {
        doc,
        unfixable,
        findings,
    }
}
