//! Hardening an existing kops spec in place: every enforced control's apply, in harden mode.
//!
//! Fields no control owns are kept exactly as they were (documents stay value trees, key order
//! included). What cannot change on a running cluster (subnet topology, the CNI, existing etcd
//! volumes) is reported with the reason, not edited.

use crate::audit::{evaluate, Finding};
use crate::controls::{self, ApplyCtx};
use crate::kops::KopsSpec;
use crate::profile::{Level, ResolvedProfile};

#[derive(Debug)]
pub struct Hardened {
    pub spec: KopsSpec,
    /// (control id, why it could not be fixed here).
    pub unfixable: Vec<(String, String)>,
    /// The audit of the hardened spec.
    pub findings: Vec<Finding>,
}

pub fn harden(spec: &KopsSpec, profile: &ResolvedProfile, ctx: &ApplyCtx) -> Hardened {
    let mut out = spec.clone();
    let mut unfixable = Vec::new();
    for control in controls::all() {
        let setting = profile.setting(control.id);
        if setting.level != Level::Enforce {
            continue;
        }
        let before = out.clone();
        if let Err(why) = control.apply_kops(&mut out, &setting.params, ctx) {
            out = before;
            unfixable.push((control.id.to_string(), why));
        }
    }
    let findings = evaluate(&out, profile, &[]);
    Hardened {
        spec: out,
        unfixable,
        findings,
    }
}
