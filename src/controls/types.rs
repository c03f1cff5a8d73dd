//! The shape of a control and of what its check says.

use std::fmt;

use serde::Serialize;

use super::params::{ParamSpec, Params};
use crate::gke::{ClusterView, GkeCtx};
use crate::kops::live::LiveState;
use crate::kops::{Cloud, KopsSpec};
use crate::state::bucket::BucketFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    Waived,
    NotApplicable,
    Unknown,
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Waived => "waived",
            Verdict::NotApplicable => "not-applicable",
            Verdict::Unknown => "unknown",
        })
    }
}

/// A benchmark recommendation a control implements, e.g. CIS Kubernetes 1.12 item 1.2.16.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Reference {
    pub benchmark: &'static str,
    pub id: &'static str,
}

/// What a check found for one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub verdict: Verdict,
    /// `Cluster/NAME` or `InstanceGroup/NAME`.
    pub object: String,
    /// The field path the verdict is about, e.g. `spec.kubelet.anonymousAuth`.
    pub path: String,
    pub message: String,
}

impl Check {
    pub fn new(verdict: Verdict, object: &str, path: &str, message: impl Into<String>) -> Self {
        Check {
            verdict,
            object: object.to_string(),
            path: path.to_string(),
            message: message.into(),
        }
    }
    pub fn pass(object: &str, path: &str, message: impl Into<String>) -> Self {
        Check::new(Verdict::Pass, object, path, message)
    }
    pub fn fail(object: &str, path: &str, message: impl Into<String>) -> Self {
        Check::new(Verdict::Fail, object, path, message)
    }
}

/// Render builds a new cluster and may choose its structure (subnet topology, CNI); harden
/// changes an existing one and must not change what cannot change in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Render,
    Harden,
}

/// What apply may draw on besides the spec.
#[derive(Debug, Clone)]
pub struct ApplyCtx {
    pub mode: Mode,
    /// CIDRs allowed to reach the API (`--api-cidr`); empty when none were given.
    pub api_cidrs: Vec<String>,
    /// CIDRs allowed to reach SSH (`--ssh-cidr`); empty when none were given.
    pub ssh_cidrs: Vec<String>,
    /// S3 bucket URL for service-account issuer discovery (IRSA), when known.
    pub discovery_store: Option<String>,
}

impl ApplyCtx {
    pub fn new(mode: Mode) -> Self {
        ApplyCtx {
            mode,
            api_cidrs: Vec::new(),
            ssh_cidrs: Vec::new(),
            discovery_store: None,
        }
    }
}

/// The kops half of a control.
pub trait KopsRule: Sync {
    /// Clouds the control means something on; on others its verdict is not-applicable.
    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws, Cloud::Gce, Cloud::Other]
    }
    /// The cluster-file field a refusal of this control points the user to; `None`: the
    /// profile (or a waiver) is the only way out.
    fn fix_field(&self) -> Option<&'static str> {
        None
    }
    /// Whether a rendered cluster must be laid out on private subnets (with utility subnets
    /// for the load balancers) when this control is enforced: the one structural choice a
    /// renderer makes before any control's apply runs.
    fn needs_private_subnets(&self) -> bool {
        false
    }
    /// Whether its apply still runs when a waiver carries the control: for a control judged
    /// per object, whose waiver covers the objects the cluster file weakens, not the others.
    fn applies_when_waived(&self) -> bool {
        false
    }
    /// Judges the spec; one check per object looked at.
    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check>;
    /// Sets the fields the control needs. `Err` says why the spec cannot be fixed here (a
    /// change that cannot be made in place, or input that is missing); the spec is then left
    /// as it was for this control.
    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String>;
}

/// The GKE half of a control: judges a `Cluster` (JSON, enum names) and sets the fields of the
/// `Cluster` of a `CreateClusterRequest`.
pub trait GkeRule: Sync {
    /// The `Cluster` fields it sets and checks (paths, `nodePools[].` for every pool).
    fn fields(&self) -> &'static [&'static str];
    /// The cluster-file field a refusal of this control points the user to; `None`: the
    /// profile (or a waiver) is the only way out.
    fn fix_field(&self) -> Option<&'static str> {
        None
    }
    /// Judges the cluster; one check per object looked at (the cluster, or each node pool).
    fn check(&self, cluster: &ClusterView<'_>, params: &Params) -> Vec<Check>;
    /// Sets the fields the control needs in the desired cluster. `Err` says what input is
    /// missing (a KMS key, a node service account).
    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        params: &Params,
        ctx: &GkeCtx,
    ) -> Result<(), String>;
    /// The Kubernetes objects it applies through the cluster's API (for `controls explain`);
    /// most controls ship none.
    fn objects(&self) -> &'static [&'static str] {
        &[]
    }
    /// The Kubernetes objects the control ships on the cluster (to apply through its API),
    /// given the objects it carries so far (`cluster.in_cluster`); each replaces the one of
    /// its id. Most controls ship none.
    fn build_objects(
        &self,
        _cluster: &ClusterView<'_>,
        _params: &Params,
    ) -> Result<Vec<serde_yaml::Value>, String> {
        Ok(Vec::new())
    }
}

/// The live half of a control: judges what a running kops cluster on AWS shows (instances,
/// security groups) against its spec.
pub trait LiveRule: Sync {
    /// What it reads, for `controls explain` (EC2 API fields).
    fn fields(&self) -> &'static [&'static str];
    /// One check per live object looked at; an empty list when there is nothing to judge.
    fn check(&self, spec: &KopsSpec, live: &LiveState, params: &Params) -> Vec<Check>;
}

/// The store half of a control: judges the bucket of a kops cluster's `s3://` state store
/// (its own protection, not the documents in it), for `plan` and `audit --state`.
pub trait StoreRule: Sync {
    /// What it reads, for `controls explain` (S3 API calls and fields).
    fn fields(&self) -> &'static [&'static str];
    /// One check per setting looked at.
    fn check(&self, bucket: &BucketFacts, params: &Params) -> Vec<Check>;
}

/// Whether a control is settled. A preview control is never enforced by a built-in profile, so
/// adding one cannot start refusing cluster files users already have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Stable,
    Preview,
}

/// The kops half of a control that means nothing on kops (its check says not-applicable).
pub struct NotOnKops;

impl KopsRule for NotOnKops {
    fn clouds(&self) -> &'static [Cloud] {
        &[]
    }
    fn check(&self, _: &KopsSpec, _: &Params) -> Vec<Check> {
        Vec::new()
    }
    fn apply(&self, _: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        Ok(())
    }
}

/// One control of the catalogue.
pub struct Control {
    /// Stable, readable id; never renamed (a snapshot test guards the list).
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    pub family: &'static str,
    /// Why it matters, in a sentence or two.
    pub rationale: &'static str,
    /// The article or recommendation it comes from.
    pub source: &'static str,
    pub references: &'static [Reference],
    /// The kops fields it sets and checks.
    pub kops_fields: &'static [&'static str],
    /// How audit decides, and what cannot be fixed in place.
    pub detection: &'static str,
    pub params: &'static [ParamSpec],
    pub kops: &'static dyn KopsRule,
    /// The GKE half; `None` for a control that only means something on kops.
    pub gke: Option<&'static dyn GkeRule>,
    /// The live half (`audit --live` on AWS); `None` when the control reads no live state.
    pub live: Option<&'static dyn LiveRule>,
    /// The store half (the `s3://` state store's bucket); `None` for nearly every control.
    pub store: Option<&'static dyn StoreRule>,
    pub status: Status,
}

impl Control {
    /// The control's check, with clouds it does not apply to answered as not-applicable.
    pub fn check_kops(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        if !self.kops.clouds().contains(&spec.cloud()) {
            let object = KopsSpec::object_name(spec.cluster());
            return vec![Check::new(
                Verdict::NotApplicable,
                &object,
                "spec.cloudProvider",
                format!(
                    "{} applies to {} clusters only",
                    self.id,
                    cloud_list(self.kops.clouds())
                ),
            )];
        }
        self.kops.check(spec, params)
    }

    /// The control's GKE check; not-applicable for a kops-only control.
    pub fn check_gke(&self, cluster: &ClusterView<'_>, params: &Params) -> Vec<Check> {
        match self.gke {
            Some(rule) => rule.check(cluster, params),
            None => vec![Check::new(
                Verdict::NotApplicable,
                &cluster.object(),
                "",
                format!("{} applies to kops clusters only", self.id),
            )],
        }
    }

    /// The cluster-file field a kops refusal of this control points at (`profile` when the
    /// control names none).
    pub fn kops_fix_field(&self) -> &'static str {
        self.kops.fix_field().unwrap_or("profile")
    }

    /// The cluster-file field a GKE refusal of this control points at.
    pub fn gke_fix_field(&self) -> &'static str {
        self.gke.and_then(|g| g.fix_field()).unwrap_or("profile")
    }

    /// The control's live check; empty for a control without a live half.
    pub fn check_live(&self, spec: &KopsSpec, live: &LiveState, params: &Params) -> Vec<Check> {
        match self.live {
            Some(rule) => rule.check(spec, live, params),
            None => Vec::new(),
        }
    }

    /// The control's store check; empty for a control without a store half.
    pub fn check_store(&self, bucket: &BucketFacts, params: &Params) -> Vec<Check> {
        match self.store {
            Some(rule) => rule.check(bucket, params),
            None => Vec::new(),
        }
    }

    /// The control's apply; a no-op on clouds it does not apply to.
    pub fn apply_kops(
        &self,
        spec: &mut KopsSpec,
        params: &Params,
        ctx: &ApplyCtx,
    ) -> Result<(), String> {
        if !self.kops.clouds().contains(&spec.cloud()) {
            return Ok(());
        }
        self.kops.apply(spec, params, ctx)
    }
}

fn cloud_list(clouds: &[Cloud]) -> String {
    if clouds.is_empty() {
        return "GKE".into();
    }
    clouds
        .iter()
        .map(|c| match c {
            Cloud::Aws => "AWS",
            Cloud::Gce => "GCE",
            Cloud::Other => "other",
        })
        .collect::<Vec<_>>()
        .join("/")
}
