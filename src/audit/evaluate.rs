//! Runs every active control's check over a kops spec or a GKE cluster.

use super::finding::{Finding, WaiverNote};
use crate::cluster_file::Waiver;
use crate::controls::{self, Check, Control, Params, Verdict};
use crate::gke::ClusterView;
use crate::kops::live::LiveState;
use crate::kops::KopsSpec;
use crate::profile::{Level, ResolvedProfile};

/// Findings of every control the profile does not turn off, in catalogue order. A failing check
/// of a waived control becomes `waived`, carrying the waiver's reason. Controls with no kops
/// half (GKE-only ones) are left out.
pub fn evaluate(spec: &KopsSpec, profile: &ResolvedProfile, waivers: &[Waiver]) -> Vec<Finding> {
    let object = KopsSpec::object_name(spec.cluster());
    findings(
        profile,
        waivers,
        &object,
        |c| !c.kops.clouds().is_empty(),
        |c, params| c.check_kops(spec, params),
    )
}

/// The same for a GKE cluster (JSON with enum names); kops-only controls are left out.
pub fn evaluate_gke(
    cluster: &ClusterView<'_>,
    profile: &ResolvedProfile,
    waivers: &[Waiver],
) -> Vec<Finding> {
    findings(
        profile,
        waivers,
        &cluster.object(),
        |c| c.gke.is_some(),
        |c, params| c.check_gke(cluster, params),
    )
}

/// The live halves over a running kops cluster's EC2 state (`audit --live`): the same levels
/// and waivers as every other finding. Controls without a live half are left out.
pub fn evaluate_live(
    spec: &KopsSpec,
    live: &LiveState,
    profile: &ResolvedProfile,
    waivers: &[Waiver],
) -> Vec<Finding> {
    let object = KopsSpec::object_name(spec.cluster());
    findings(
        profile,
        waivers,
        &object,
        |c| c.live.is_some(),
        |c, params| c.check_live(spec, live, params),
    )
}

/// The store halves over an `s3://` state store's bucket (`plan`, `audit --state`): the same
/// levels and waivers as every other finding. Controls without a store half are left out.
pub fn evaluate_store(
    bucket: &crate::state::bucket::BucketFacts,
    profile: &ResolvedProfile,
    waivers: &[Waiver],
) -> Vec<Finding> {
    findings(
        profile,
        waivers,
        &format!("Bucket/{}", bucket.bucket),
        |c| c.store.is_some(),
        |c, params| c.check_store(bucket, params),
    )
}

fn findings(
    profile: &ResolvedProfile,
    waivers: &[Waiver],
    object: &str,
    applies: impl Fn(&Control) -> bool,
    check: impl Fn(&Control, &Params) -> Vec<Check>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for control in controls::all().iter().copied().filter(|c| applies(c)) {
        let setting = profile.setting(control.id);
        if setting.level == Level::Off {
            continue;
        }
        let waiver = waivers.iter().find(|w| w.control == control.id);
        let mut checks = check(control, &setting.params);
        if checks.is_empty() {
            checks.push(Check::new(
                Verdict::NotApplicable,
                object,
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
