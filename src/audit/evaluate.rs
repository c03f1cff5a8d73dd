//! Runs every active control's check over a kops spec.

use super::finding::{Finding, WaiverNote};
use crate::cluster_file::Waiver;
use crate::controls::{self, Check, Verdict};
use crate::kops::KopsSpec;
use crate::profile::{Level, ResolvedProfile};

/// Findings of every control the profile does not turn off, in catalogue order. A failing check
/// of a waived control becomes `waived`, carrying the waiver's reason.
pub fn evaluate(spec: &KopsSpec, profile: &ResolvedProfile, waivers: &[Waiver]) -> Vec<Finding> {
    let mut out = Vec::new();
    for control in controls::all() {
        let setting = profile.setting(control.id);
        if setting.level == Level::Off {
            continue;
        }
        let waiver = waivers.iter().find(|w| w.control == control.id);
        let mut checks = control.check_kops(spec, &setting.params);
        if checks.is_empty() {
            checks.push(Check::new(
                Verdict::NotApplicable,
                &KopsSpec::object_name(spec.cluster()),
                "",
                "nothing in the spec for this control to judge",
            ));
        }
        for c in checks {
            let waived = c.verdict == Verdict::Fail && waiver.is_some();
            out.push(Finding {
                control: control.id.to_string(),
                title: control.title.to_string(),
                severity: control.severity,
                level: setting.level,
                verdict: if waived { Verdict::Waived } else { c.verdict },
                object: c.object,
                path: c.path,
                message: c.message,
                waiver: waiver.filter(|_| waived).map(|w| WaiverNote {
                    reason: w.reason.clone(),
                    expires: w.expiry(),
                }),
            });
        }
    }
    out
}
