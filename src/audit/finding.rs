//! One verdict of one control on one object.

use serde::Serialize;

use crate::cluster_file::Date;
use crate::controls::{Severity, Verdict};
use crate::profile::Level;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNote {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub control: String,
    pub title: String,
    pub severity: Severity,
    /// The profile level: an `audit`-level failure is reported but never fails the run.
    pub level: Level,
    pub verdict: Verdict,
    /// `Cluster/NAME` or `InstanceGroup/NAME`.
    pub object: String,
    /// The field path the verdict is about.
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverNote>,
}

impl Finding {
    /// A failure that counts: enforced, not waived.
    pub fn is_blocking(&self) -> bool {
        self.verdict == Verdict::Fail && self.level == Level::Enforce
    }
}
