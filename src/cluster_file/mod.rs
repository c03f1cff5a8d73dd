//! The cluster file (`palisade.yaml`): what a team keeps in Git to describe one cluster.
//!
//! Loading is two phases, as cargo-deny does it: serde reads the file with unknown keys denied
//! and typed values (CIDRs, dates) checked where they stand; then every rule that spans fields
//! is checked and all problems are reported together, each with `file:line:col`.

mod cidr;
mod code;
mod date;
mod exposure;
mod load;
pub mod validate;

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_yaml::Mapping;

pub use cidr::Cidr;
pub use code::Code;
pub use date::Date;
pub use exposure::Exposure;
pub use load::{load, load_str, LoadError, Problem};

pub const API_VERSION: &str = "palisade.dev/v1alpha1";

/// One or several profiles; a single name is the common case.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ProfileRefs {
    One(String),
    Many(Vec<String>),
}

impl Default for ProfileRefs {
    fn default() -> Self {
        ProfileRefs::One("baseline".into())
    }
}

impl ProfileRefs {
    pub fn list(&self) -> Vec<String> {
        match self {
            ProfileRefs::One(s) => vec![s.clone()],
            ProfileRefs::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterFile {
    pub api_version: String,
    pub kind: String,
    /// The cluster's name; for kops a DNS name (the state store key and the API's DNS name).
    pub name: String,
    #[serde(default)]
    pub profile: ProfileRefs,
    pub kops: Option<KopsSection>,
    pub gke: Option<GkeSection>,
    #[serde(default)]
    pub access: Access,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    #[serde(default)]
    pub overrides: Overrides,
    /// The cluster's namespaces: each gets Palisade's in-cluster guardrails (Pod Security
    /// labels, default-deny network policy, no token automount for `default`).
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    /// Where the file was read from, for messages and for resolving relative paths.
    #[serde(skip)]
    pub source: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KopsSection {
    /// Only `aws` today.
    pub cloud: String,
    pub region: String,
    pub zones: Vec<String>,
    pub kubernetes_version: String,
    #[serde(rename = "networkCIDR", default = "default_network")]
    pub network_cidr: Cidr,
    pub control_plane: ControlPlane,
    pub node_groups: Vec<NodeGroup>,
    /// A public Route 53 zone for the API's DNS name; without one the cluster uses no DNS.
    #[serde(default)]
    pub dns_zone: Option<String>,
    /// Path of an SSH public key to install for the admin user; none by default.
    #[serde(default)]
    pub ssh_public_key: Option<String>,
    /// A bastion host in the utility subnets, the only SSH entry point.
    #[serde(default)]
    pub bastion: Option<Bastion>,
    /// `file://PATH` or `s3://BUCKET[/PREFIX]`.
    #[serde(default)]
    pub state_store: Option<String>,
    /// The AWS region of the `s3://` state store's bucket (default: `AWS_REGION`, then the
    /// AWS config file's).
    #[serde(default)]
    pub state_store_region: Option<String>,
    /// Public S3 bucket for the service-account issuer documents (IRSA).
    #[serde(default)]
    pub discovery_store: Option<String>,
    /// Image for every instance group; kops picks its channel's image when unset.
    #[serde(default)]
    pub image: Option<String>,
}

fn default_network() -> Cidr {
    // A fixed, valid literal.
    Cidr::parse("10.0.0.0/16").unwrap_or_else(|_| unreachable!("literal CIDR"))
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ControlPlane {
    #[serde(default = "one")]
    pub count: u32,
    pub machine_type: String,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeGroup {
    pub name: String,
    pub machine_type: String,
    pub min_size: u32,
    pub max_size: u32,
    /// Zones of this group; all of `kops.zones` when unset.
    #[serde(default)]
    pub zones: Option<Vec<String>>,
}

/// How a GKE cluster's nodes are run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GkeMode {
    /// Node pools the cluster file describes (machine types, sizes).
    #[default]
    Standard,
    /// GKE provisions and manages the nodes from the workloads' requests; no node pools.
    Autopilot,
}

impl GkeMode {
    fn is_standard(&self) -> bool {
        *self == GkeMode::Standard
    }
}

/// A GKE cluster (Standard or Autopilot), created and remediated through the container v1 API.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GkeSection {
    /// `standard` (default: the node pools below) or `autopilot` (GKE runs the nodes; a
    /// regional location, no node pools, Dataplane V2).
    #[serde(default, skip_serializing_if = "GkeMode::is_standard")]
    pub mode: GkeMode,
    /// Project id, e.g. `acme-prod`.
    pub project: String,
    /// A region (regional cluster, the recommended kind) or a zone.
    pub location: String,
    /// VPC network name, or its full `projects/P/global/networks/N` path.
    pub network: String,
    /// Subnetwork name, or its full `projects/P/regions/R/subnetworks/S` path.
    pub subnetwork: String,
    /// Secondary range of the subnetwork for pods (VPC-native).
    #[serde(default = "pods_range")]
    pub pods_range: String,
    /// Secondary range of the subnetwork for services.
    #[serde(default = "services_range")]
    pub services_range: String,
    /// `regular` (default), `stable`, `rapid` or `extended`.
    #[serde(default = "regular")]
    pub release_channel: String,
    /// What enforces NetworkPolicy: `calico` (default on Standard) or `dataplane-v2` (the only
    /// one on Autopilot). Neither can be switched on an existing cluster without re-creating
    /// nodes (Dataplane V2: a new cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<String>,
    /// Cloud KMS key for application-layer secrets encryption:
    /// `projects/P/locations/L/keyRings/R/cryptoKeys/K`, in the cluster's location.
    #[serde(default)]
    pub secrets_kms_key: Option<String>,
    /// Service account the nodes run as (not the Compute Engine default); per pool override.
    #[serde(default)]
    pub node_service_account: Option<String>,
    /// Standard only (at least one); Autopilot makes its own.
    #[serde(default)]
    pub node_pools: Vec<GkeNodePool>,
}

impl GkeSection {
    pub fn autopilot(&self) -> bool {
        self.mode == GkeMode::Autopilot
    }

    /// The NetworkPolicy engine: as written, else Calico on Standard, Dataplane V2 on Autopilot.
    pub fn network_policy(&self) -> &str {
        match (&self.network_policy, self.autopilot()) {
            (Some(engine), _) => engine,
            (None, true) => "dataplane-v2",
            (None, false) => "calico",
        }
    }
}

fn pods_range() -> String {
    "pods".into()
}
fn services_range() -> String {
    "services".into()
}
fn regular() -> String {
    "regular".into()
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GkeNodePool {
    pub name: String,
    pub machine_type: String,
    /// Nodes per zone the autoscaler keeps at least.
    pub min_nodes: u32,
    /// Nodes per zone the autoscaler may grow to.
    pub max_nodes: u32,
    #[serde(default = "disk_size")]
    pub disk_size_gb: u32,
    /// Overrides `gke.nodeServiceAccount` for this pool.
    #[serde(default)]
    pub service_account: Option<String>,
}

fn disk_size() -> u32 {
    100
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Bastion {
    #[serde(default = "bastion_type")]
    pub machine_type: String,
}

fn bastion_type() -> String {
    "t3.micro".into()
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Access {
    /// Networks allowed to reach the Kubernetes API.
    #[serde(default)]
    pub api_cidrs: Vec<Cidr>,
    /// Networks allowed to reach SSH (the bastion when there is one).
    #[serde(default)]
    pub ssh_cidrs: Vec<Cidr>,
}

/// A namespace of the cluster.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Namespace {
    /// A DNS label (lowercase letters, digits, `-`; at most 63).
    pub name: String,
    /// The namespace of the cluster's ingress: the only one where Services of type
    /// LoadBalancer or NodePort are allowed.
    #[serde(default)]
    pub ingress: bool,
    /// A Pod Security level for this namespace (`privileged`, `baseline`, `restricted`); one
    /// below the profile's is a weakening of `namespace-pod-security` and needs a waiver.
    #[serde(default)]
    pub pod_security: Option<PodSecurityLevel>,
}

/// A Pod Security Standard level, weakest first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PodSecurityLevel {
    Privileged,
    Baseline,
    Restricted,
}

impl PodSecurityLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PodSecurityLevel::Privileged => "privileged",
            PodSecurityLevel::Baseline => "baseline",
            PodSecurityLevel::Restricted => "restricted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "privileged" => Some(PodSecurityLevel::Privileged),
            "baseline" => Some(PodSecurityLevel::Baseline),
            "restricted" => Some(PodSecurityLevel::Restricted),
            _ => None,
        }
    }
}

/// An accepted weakening: the control it lets fail, why, and until when.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Waiver {
    pub control: String,
    #[serde(default)]
    pub reason: String,
    /// `YYYY-MM-DD`; kept as written and checked by the validator, so that a bad date is
    /// reported at its own line.
    #[serde(default)]
    pub expires: Option<String>,
}

impl Waiver {
    /// The expiry date, when it is a valid one.
    pub fn expiry(&self) -> Option<Date> {
        self.expires.as_deref().and_then(Date::parse)
    }
}

/// Raw kops fields merged last: `cluster` into the Cluster's `spec`, `instanceGroups.NAME`
/// into that group's `spec`. Weakenings are still caught by the controls.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Overrides {
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub cluster: Option<Mapping>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, serde_json::Map<String, serde_json::Value>>")]
    pub instance_groups: BTreeMap<String, Mapping>,
}

/// The JSON Schema (draft 2020-12) of the cluster file, as `palisade schema` prints it.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(ClusterFile);
    let mut v = serde_json::to_value(schema).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "$id".into(),
            "https://palisade.dev/schemas/cluster-v1alpha1.json".into(),
        );
        m.insert(
            "title".into(),
            "Palisade cluster file (palisade.dev/v1alpha1)".into(),
        );
        if let Some(props) = m.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert(
                "apiVersion".into(),
                serde_json::json!({"const": API_VERSION}),
            );
            props.insert("kind".into(), serde_json::json!({"const": "Cluster"}));
        }
    }
    v
}
