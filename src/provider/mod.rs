//! The seam between what every command does once and what differs per provider.
//!
//! A [`Provider`] is chosen once, from the loaded cluster file ([`for_cluster_file`], the one
//! place that tells kops from GKE). It renders the provider input, observes the current state
//! (the kops state store, or the live GKE cluster) and turns the difference into a [`Planned`]
//! run: a provider-neutral [`PlanDocument`] plus what carries it out (ordered, conditional store
//! writes, or one API call at a time). Displays, confirmation, progress and exit codes are the
//! command line's, written once over these.

pub mod gke;
pub mod kops;

use thiserror::Error;

use crate::audit::Finding;
use crate::cluster_file::ClusterFile;
use crate::plan::PlanDocument;
use crate::profile::ResolvedProfile;
use crate::source_map::SourceMap;

/// A cluster file, validated, with its profile resolved.
pub struct Loaded {
    pub file: ClusterFile,
    pub source: SourceMap,
    pub profile: ResolvedProfile,
}

/// What the command line and its environment say that a provider may use. Providers read no
/// environment variables of their own for these: the command line fills them in.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--state` (kops).
    pub state: Option<String>,
    /// `$KOPS_STATE_STORE`.
    pub state_env: Option<String>,
    /// The S3 state store bucket's region, when the cluster file names it.
    pub state_region: Option<String>,
    /// `--state-kms-key` (kops on S3).
    pub state_kms_key: Option<String>,
    /// S3 addressing: path-style when an endpoint other than AWS is set.
    pub s3_path_style: bool,
    /// `--gke-endpoint`, else `$PALISADE_GKE_ENDPOINT`; `None`: Google's, with ADC.
    pub gke_endpoint: Option<String>,
    /// `$PALISADE_KUBE_ENDPOINT`: the URL of a GKE cluster's Kubernetes API (a tunnel to a
    /// private endpoint), instead of its DNS endpoint.
    pub kube_endpoint: Option<String>,
    /// `$PALISADE_KUBE_TOKEN`: the bearer token for that API instead of the ADC access token.
    pub kube_token: Option<crate::secrets::Secret<String>>,
    /// Whether this machine can have a Google metadata server (it is on Google Cloud, or
    /// `GCE_METADATA_HOST` names one): without one, GKE commands without a credentials file
    /// fail at once.
    pub google_metadata: bool,
    /// Whether the standard AWS chain has credentials (for `audit --live`).
    pub aws_credentials: bool,
    /// `$PALISADE_LEASE_SECONDS`: how long an S3 apply lease lasts without renewal.
    pub lease_seconds: Option<String>,
    /// `apply`: take the apply lock before reading the store, waiting up to this long
    /// (`--lock-timeout`) while another apply holds it, and hold it until written.
    pub lock: Option<std::time::Duration>,
    /// The kops-only flags the user gave (`--out`, `--state`, …), for a clear refusal elsewhere.
    pub kops_only_flags: Vec<&'static str>,
}

/// What `render` prints, and what it says besides.
#[derive(Debug)]
pub struct RenderOutput {
    /// The provider input: kops documents, or the `CreateClusterRequest`.
    pub text: String,
    pub warnings: Vec<String>,
    /// Every finding on what was rendered (the waived ones are noted with their reason).
    pub findings: Vec<Finding>,
    /// The Kubernetes objects shipped with the cluster (kops: its cluster addons).
    pub objects: Vec<serde_yaml::Value>,
}

/// The two output formats of `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocFormat {
    Yaml,
    Json,
}

/// Errors of the provider pipelines; large ones are boxed so every `Result` stays small.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Render(Box<kops::render::RenderError>),
    #[error(transparent)]
    Plan(Box<kops::PlanError>),
    #[error(transparent)]
    Apply(Box<kops::ApplyError>),
    #[error(transparent)]
    Store(Box<crate::state::StoreError>),
    #[error(transparent)]
    Saved(Box<crate::plan::SavedError>),
    #[error(transparent)]
    Gke(Box<gke::client::GkeError>),
    #[error(transparent)]
    GkeApply(Box<gke::apply::ApplyFailure>),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot write {what}: {reason}")]
    Encode { what: String, reason: String },
    /// A flag or input this provider does not take.
    #[error("{0}")]
    Unsupported(String),
    /// The cloud could not be asked (audit --live).
    #[error("{0}")]
    Cloud(String),
}

macro_rules! boxed_from {
    ($($variant:ident: $ty:ty),* $(,)?) => {
        $(impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Error::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Render: kops::render::RenderError,
    Plan: kops::PlanError,
    Apply: kops::ApplyError,
    Store: crate::state::StoreError,
    Saved: crate::plan::SavedError,
    Gke: gke::client::GkeError,
    GkeApply: gke::apply::ApplyFailure,
);

/// One provider's half of every command.
pub trait Provider {
    /// `render`: the provider input in `format`.
    fn render(
        &self,
        l: &Loaded,
        settings: &Settings,
        format: DocFormat,
    ) -> Result<RenderOutput, Error>;
    /// `audit -f`: the findings on what the file renders to, refusals included; with `live`,
    /// also the running cluster's (the controls' live halves).
    fn audit(&self, l: &Loaded, settings: &Settings, live: bool) -> Result<Vec<Finding>, Error>;
    /// `plan`: observes the current state and plans the difference.
    fn plan(&self, l: &Loaded, settings: &Settings) -> Result<Box<dyn Planned>, Error>;
}

/// A plan, ready to show and to carry out.
pub trait Planned {
    fn document(&self) -> &PlanDocument;
    fn has_changes(&self) -> bool {
        !self.document().changes.is_empty()
    }
    /// What `plan --out` saves; `Err` when this provider has no saved plans.
    fn saved(&self) -> Result<String, Error>;
    /// The question apply asks before it changes anything.
    fn question(&self) -> String;
    /// What apply says when the answer is no.
    fn cancelled(&self) -> &'static str;
    /// Carries the plan out, reporting each step to `progress`; the closing lines.
    fn apply(&self, progress: &mut dyn FnMut(&str)) -> Result<Vec<String>, Error>;
    /// The `kops update cluster` that continues after apply, or previews it; `None` for a
    /// provider that needs no second tool.
    fn kops_update(&self) -> Option<kops::wrapper::KopsUpdate>;
}

/// The provider of a loaded cluster file: the one place kops and GKE are told apart.
pub fn for_cluster_file(file: &ClusterFile) -> Box<dyn Provider> {
    match (&file.kops, &file.gke) {
        (_, Some(_)) => Box::new(gke::GkeProvider),
        _ => Box::new(kops::KopsProvider),
    }
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
