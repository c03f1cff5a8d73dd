//! Hardening an existing kops spec in place: the render loop in harden mode (every enforced
//! control's apply, with the caller's context in harden mode).
//!
//! Fields no control owns are kept exactly as they were (documents stay value trees, key order
//! included). What cannot change on a running cluster (subnet topology, the CNI, existing etcd
//! volumes) is reported with the reason, not edited.

use super::render::KopsTarget;
use crate::audit::Finding;
use crate::controls::ApplyCtx;
use crate::kops::KopsSpec;
use crate::profile::ResolvedProfile;

#[derive(Debug)]
pub struct Hardened {
    pub spec: KopsSpec,
    /// (control id, why it could not be fixed here).
    pub unfixable: Vec<(String, String)>,
    /// The audit of the hardened spec.
    pub findings: Vec<Finding>,
}

pub fn harden(spec: &KopsSpec, profile: &ResolvedProfile, ctx: &ApplyCtx) -> Hardened {
    let target = KopsTarget { ctx: ctx.clone() };
    let h = crate::render::harden(&target, spec.clone(), profile);
    Hardened {
        spec: h.doc,
        unfixable: h.unfixable,
        findings: h.findings,
    }
}
