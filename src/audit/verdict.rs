//! What a render makes of the findings on what it built: enforced failures without a waiver
//! refuse the cluster file; audit-level failures and useless waivers are warnings. Shared by
//! the kops and the GKE renderers.

use super::Finding;
use crate::cluster_file::Waiver;
use crate::controls::Verdict;
use crate::profile::{Level, ResolvedProfile};

/// One refusal: the control that fails and the message that says why and what to do.
pub struct Refusal<'a> {
    pub finding: &'a Finding,
    pub message: String,
}

/// The refusals (one per blocking finding, in order; `apply_errors` explain a failure better
/// than the check when the control could not even be applied).
pub fn refusals<'a>(
    findings: &'a [Finding],
    apply_errors: &[(&str, String)],
    profile: &ResolvedProfile,
) -> Vec<Refusal<'a>> {
    findings
        .iter()
        .filter(|f| f.is_blocking())
        .map(|f| {
            let why = apply_errors
                .iter()
                .find(|(id, _)| *id == f.control)
                .map_or(f.message.clone(), |(_, w)| w.clone());
            let remedy = if profile.forbid_waivers.contains(&f.control) {
                format!(
                    "Fix the cluster file; profile {} forbids waiving this control",
                    profile.names.join(" + ")
                )
            } else {
                format!(
                    "Fix the cluster file, or add a waiver (waivers: - control: {}, reason: \"…\")",
                    f.control
                )
            };
            Refusal {
                finding: f,
                message: format!(
                    "control `{}` ({}) fails for {}: {why}. {remedy}",
                    f.control, f.severity, f.object
                ),
            }
        })
        .collect()
}

/// Audit-level failures, and waivers that do nothing.
pub fn warnings(
    findings: &[Finding],
    waivers: &[Waiver],
    profile: &ResolvedProfile,
) -> Vec<String> {
    let mut out = Vec::new();
    for f in findings
        .iter()
        .filter(|f| f.verdict == Verdict::Fail && f.level == Level::Audit)
    {
        out.push(format!(
            "audit-level control `{}` fails for {}: {}",
            f.control, f.object, f.message
        ));
    }
    for w in waivers {
        if profile.level(&w.control) == Level::Off {
            out.push(format!(
                "waiver for `{}` has no effect: the profile turns the control off",
                w.control
            ));
        } else if !findings
            .iter()
            .any(|f| f.control == w.control && f.verdict == Verdict::Waived)
            // a control judged on the state store's bucket is not judged here
            && crate::controls::find(&w.control).is_none_or(|c| c.store.is_none())
        {
            out.push(format!(
                "waiver for `{}` is not needed: the control passes; remove it",
                w.control
            ));
        }
    }
    out
}

/// Waivers the profile forbids: `(cluster-file field, message)` each.
pub fn forbidden_waivers(waivers: &[Waiver], profile: &ResolvedProfile) -> Vec<(String, String)> {
    waivers
        .iter()
        .enumerate()
        .filter(|(_, w)| profile.forbid_waivers.contains(&w.control))
        .map(|(i, w)| {
            (
                format!("waivers[{i}].control"),
                format!(
                    "profile {} forbids waivers for `{}`; remove the waiver and fix the cluster file",
                    profile.names.join(" + "),
                    w.control
                ),
            )
        })
        .collect()
}
