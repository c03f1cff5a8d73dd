//! Rules of a cluster file that span fields. Each problem names the field path it is about;
//! the loader turns the path into a position.

use std::collections::BTreeSet;

use super::{ClusterFile, Code, Date, GkeSection, KopsSection, API_VERSION};

/// `(field path, code, message)` each.
type Problems = Vec<(String, Code, String)>;

/// Oldest Kubernetes minor version kops still supports (kops NOTES: 1.32.0).
const OLDEST_MINOR: u32 = 32;

pub fn validate(file: &ClusterFile, today: Date, known_control: fn(&str) -> bool) -> Problems {
    let mut out = Problems::new();
    if file.api_version != API_VERSION {
        out.push((
            "apiVersion".into(),
            Code::WrongApiVersion,
            format!(
                "apiVersion is {:?}; expected {API_VERSION}",
                file.api_version
            ),
        ));
    }
    if file.kind != "Cluster" {
        out.push((
            "kind".into(),
            Code::WrongKind,
            format!("kind is {:?}; expected Cluster", file.kind),
        ));
    }
    if let super::ProfileRefs::Many(list) = &file.profile {
        if list.is_empty() {
            out.push((
                "profile".into(),
                Code::EmptyProfileList,
                "profile list is empty; name at least one profile (baseline, strict or a file)"
                    .into(),
            ));
        }
    }
    match (&file.kops, &file.gke) {
        (Some(k), None) => {
            cluster_name(&file.name, k.dns_zone.as_deref(), &mut out);
            kops_section(k, file, &mut out);
        }
        (None, Some(g)) => {
            gke_cluster_name(&file.name, &mut out);
            gke_section(g, &mut out);
        }
        (Some(_), Some(_)) => out.push((
            "gke".into(), Code::TwoProviders,
            "a cluster file describes one cluster: keep either `kops:` or `gke:`, not both".into(),
        )),
        (None, None) => out.push((
            "name".into(), Code::NoProvider,
            "no provider section: add `kops:` (cloud, region, zones, …) or `gke:` (project, location, …)".into(),
        )),
    }
    namespaces(file, &mut out);
    waivers(file, today, known_control, &mut out);
    out
}

fn namespaces(file: &ClusterFile, out: &mut Problems) {
    let mut seen = BTreeSet::new();
    for (i, ns) in file.namespaces.iter().enumerate() {
        let here = format!("namespaces[{i}].name");
        if let Some(why) = namespace_problem(&ns.name) {
            out.push((here, Code::InvalidNamespace, why));
        } else if !seen.insert(ns.name.as_str()) {
            out.push((
                here,
                Code::DuplicateNamespace,
                format!("namespace {} is declared twice", ns.name),
            ));
        }
    }
}

/// Why `name` cannot be a namespace of the cluster file, if it cannot: not a DNS label, or a
/// namespace the cluster (Kubernetes, GKE) keeps for itself.
pub fn namespace_problem(name: &str) -> Option<String> {
    if !is_dns_label(name) {
        return Some(crate::yaml::bound_quotes(&format!(
            "{name:?} is not a namespace name: a DNS label (lowercase letters, digits and -, at most 63)"
        )));
    }
    if crate::guardrails::SYSTEM_NAMESPACES.contains(&name)
        || name.starts_with("gke-")
        || name.starts_with("gmp-")
    {
        return Some(format!("{name} is a system namespace: the cluster keeps it, and Palisade's guardrails leave it alone"));
    }
    None
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// What is wrong with a cluster name, if anything: kops uses it as a DNS name and as the state
/// store key. Also used by `init` to check a name as it is typed.
pub fn name_problem(name: &str, dns_zone: Option<&str>) -> Option<String> {
    let why = "kops uses it as a DNS name and as the state store key";
    if name.len() > 253 || !name.split('.').all(is_dns_label) {
        return Some(format!(
            "cluster name {name:?} is not a valid DNS name: lowercase letters, digits, '-' and '.', each label 1-63 characters ({why})"
        ));
    }
    if name.ends_with(".k8s.local") {
        return Some(format!(
            "cluster name {name:?} asks for gossip DNS (.k8s.local), which kops 1.37 removed; drop the suffix (no DNS is used without kops.dnsZone)"
        ));
    }
    if let Some(zone) = dns_zone {
        let zone = zone.trim_end_matches('.');
        if !name.ends_with(&format!(".{zone}")) {
            return Some(format!(
                "cluster name {name:?} is not inside the DNS zone {zone:?}; kops publishes api.{name} in that zone, so the name must end with .{zone}"
            ));
        }
    }
    None
}

fn cluster_name(name: &str, dns_zone: Option<&str>, out: &mut Problems) {
    if let Some(p) = name_problem(name, dns_zone) {
        let field = if p.contains("DNS zone") {
            "kops.dnsZone"
        } else {
            "name"
        };
        out.push((field.into(), Code::InvalidClusterName, p));
    }
}

/// GKE cluster names: lowercase letters, digits and '-', starting with a letter, at most 40.
fn gke_cluster_name(name: &str, out: &mut Problems) {
    let ok = name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && is_dns_label(name);
    if !ok {
        out.push((
            "name".into(), Code::InvalidClusterName,
            format!("GKE cluster name {name:?} must start with a lowercase letter, hold only lowercase letters, digits and '-', not end with '-', and be at most 40 characters"),
        ));
    }
}

fn gke_section(g: &GkeSection, out: &mut Problems) {
    gke_place(g, out);
    if g.autopilot() {
        autopilot(g, out);
    } else {
        gke_pools(g, out);
    }
}

/// What an Autopilot cluster cannot have: GKE makes its nodes, in a region, with Dataplane V2
/// (GKE's Autopilot overview: regional only, pre-configured Dataplane V2; the API refuses the
/// rest).
fn autopilot(g: &GkeSection, out: &mut Problems) {
    if !g.node_pools.is_empty() {
        out.push((
            "gke.nodePools".into(),
            Code::AutopilotNodePools,
            "an Autopilot cluster makes its own nodes from the workloads' requests: remove nodePools, or set mode: standard".into(),
        ));
    }
    if is_gke_location(&g.location) && g.location.split('-').count() == 3 {
        out.push((
            "gke.location".into(),
            Code::AutopilotZonal,
            format!(
                "{:?} is a zone; Autopilot clusters are regional: use its region {:?}",
                g.location,
                g.location.rsplit_once('-').map_or("", |(r, _)| r)
            ),
        ));
    }
    if g.network_policy() == "calico" {
        out.push((
            "gke.networkPolicy".into(),
            Code::AutopilotCalico,
            "Autopilot enforces NetworkPolicy with Dataplane V2 and offers no Calico: set networkPolicy: dataplane-v2, or leave it out".into(),
        ));
    }
}

/// Project, location, network and ranges, channel, policy engine, keys and accounts.
fn gke_place(g: &GkeSection, out: &mut Problems) {
    let project_ok = (6..=30).contains(&g.project.len())
        && g.project.starts_with(|c: char| c.is_ascii_lowercase())
        && is_dns_label(&g.project);
    if !project_ok {
        out.push((
            "gke.project".into(), Code::InvalidGkeProject,
            format!("{:?} is not a project id (6-30 lowercase letters, digits and '-', starting with a letter)", g.project),
        ));
    }
    if !is_gke_location(&g.location) {
        out.push((
            "gke.location".into(),
            Code::InvalidGkeLocation,
            format!(
                "{:?} is not a region or zone (expected like europe-west1 or europe-west1-b)",
                g.location
            ),
        ));
    }
    for (field, value, kind) in [
        ("gke.network", &g.network, "networks"),
        ("gke.subnetwork", &g.subnetwork, "subnetworks"),
    ] {
        let last = value.rsplit('/').next().unwrap_or("");
        if !is_dns_label(last) || (value.contains('/') && !value.contains(&format!("/{kind}/"))) {
            out.push((
                field.into(),
                Code::InvalidGkeNetwork,
                format!(
                    "{value:?} is not a {} name or path",
                    &kind[..kind.len() - 1]
                ),
            ));
        }
    }
    for (field, value) in [
        ("gke.podsRange", &g.pods_range),
        ("gke.servicesRange", &g.services_range),
    ] {
        if !is_dns_label(value) {
            out.push((
                field.into(),
                Code::InvalidSecondaryRange,
                format!("{value:?} is not a secondary range name"),
            ));
        }
    }
    if g.pods_range == g.services_range {
        out.push((
            "gke.servicesRange".into(),
            Code::SameSecondaryRange,
            "pods and services need two different secondary ranges".into(),
        ));
    }
    if !["regular", "stable", "rapid", "extended"].contains(&g.release_channel.as_str()) {
        out.push((
            "gke.releaseChannel".into(),
            Code::UnknownReleaseChannel,
            format!(
                "release channel {:?}: expected regular, stable, rapid or extended",
                g.release_channel
            ),
        ));
    }
    if !["calico", "dataplane-v2"].contains(&g.network_policy()) {
        out.push((
            "gke.networkPolicy".into(),
            Code::UnknownNetworkPolicyEngine,
            format!(
                "network policy engine {:?}: expected calico or dataplane-v2",
                g.network_policy()
            ),
        ));
    }
    if let Some(key) = &g.secrets_kms_key {
        if !is_kms_key(key) {
            out.push((
                "gke.secretsKmsKey".into(), Code::InvalidKmsKey,
                format!("{key:?} is not a Cloud KMS key name; expected projects/P/locations/L/keyRings/R/cryptoKeys/K"),
            ));
        }
    }
    if let Some(sa) = &g.node_service_account {
        service_account("gke.nodeServiceAccount".into(), sa, out);
    }
}

/// The node pools: at least one, each with a unique valid name and sizes GKE accepts.
fn gke_pools(g: &GkeSection, out: &mut Problems) {
    if g.node_pools.is_empty() {
        out.push((
            "gke.nodePools".into(),
            Code::NoNodePools,
            "at least one node pool is needed".into(),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, p) in g.node_pools.iter().enumerate() {
        let here = format!("gke.nodePools[{i}]");
        if !is_dns_label(&p.name) || p.name.len() > 40 {
            out.push((
                format!("{here}.name"),
                Code::InvalidNodePoolName,
                format!(
                    "node pool name {:?} must be a DNS label of at most 40 characters",
                    p.name
                ),
            ));
        }
        if !names.insert(p.name.as_str()) {
            out.push((
                format!("{here}.name"),
                Code::DuplicateNodePool,
                format!(
                    "duplicate node pool name {:?}; names must be unique",
                    p.name
                ),
            ));
        }
        if p.min_nodes > p.max_nodes {
            out.push((
                format!("{here}.minNodes"),
                Code::MinAboveMax,
                format!("minNodes {} is above maxNodes {}", p.min_nodes, p.max_nodes),
            ));
        }
        if p.max_nodes == 0 {
            out.push((
                format!("{here}.maxNodes"),
                Code::ZeroMaxNodes,
                "maxNodes must be at least 1".into(),
            ));
        }
        if p.disk_size_gb < 10 {
            out.push((
                format!("{here}.diskSizeGb"),
                Code::DiskTooSmall,
                format!("diskSizeGb {} is below GKE's minimum of 10", p.disk_size_gb),
            ));
        }
        if let Some(sa) = &p.service_account {
            service_account(format!("{here}.serviceAccount"), sa, out);
        }
    }
}

fn is_gke_location(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let region_ok = parts.len() >= 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && !parts[0].is_empty()
        && parts[1]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && parts[1].ends_with(|c: char| c.is_ascii_digit());
    region_ok
        && (parts.len() == 2
            || (parts.len() == 3
                && parts[2].len() == 1
                && parts[2].bytes().all(|b| b.is_ascii_lowercase())))
}

fn is_kms_key(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() == 8
        && parts[0] == "projects"
        && parts[2] == "locations"
        && parts[4] == "keyRings"
        && parts[6] == "cryptoKeys"
        && [1, 3, 5, 7].iter().all(|&i| !parts[i].is_empty())
}

/// The shape of a service account; whether it may be the Compute Engine default is the
/// `node-service-account` control's call (a waiver can allow it).
fn service_account(field: String, sa: &str, out: &mut Problems) {
    if sa != "default" && (!sa.contains('@') || !sa.ends_with(".gserviceaccount.com")) {
        out.push((
            field,
            Code::InvalidServiceAccount,
            format!("{sa:?} is not a service account email (NAME@PROJECT.iam.gserviceaccount.com)"),
        ));
    }
}

fn kops_section(k: &KopsSection, file: &ClusterFile, out: &mut Problems) {
    if k.cloud != "aws" {
        out.push((
            "kops.cloud".into(),
            Code::UnsupportedCloud,
            format!("cloud {:?} is not supported; expected aws", k.cloud),
        ));
    }
    kops_zones(k, out);
    kops_version_and_network(k, out);
    kops_groups(k, out);
    kops_stores_and_key(k, file, out);
    kops_overrides(k, file, out);
}

/// The zones: in the region, each once, at most seven.
fn kops_zones(k: &KopsSection, out: &mut Problems) {
    if k.zones.is_empty() {
        out.push((
            "kops.zones".into(),
            Code::NoZones,
            "at least one zone is needed".into(),
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, z) in k.zones.iter().enumerate() {
        let suffix = z.strip_prefix(k.region.as_str()).unwrap_or("");
        if suffix.is_empty() || !suffix.bytes().all(|b| b.is_ascii_lowercase()) {
            out.push((
                format!("kops.zones[{i}]"),
                Code::ZoneNotInRegion,
                format!(
                    "zone {z:?} is not a zone of region {:?} (expected like {}a)",
                    k.region, k.region
                ),
            ));
        }
        if !seen.insert(z) {
            out.push((
                format!("kops.zones[{i}]"),
                Code::DuplicateZone,
                format!("zone {z:?} is listed twice"),
            ));
        }
    }
    if k.zones.len() > 7 {
        out.push((
            "kops.zones".into(),
            Code::TooManyZones,
            "at most 7 zones are supported (the network is split in eight)".into(),
        ));
    }
}

/// The Kubernetes version kops supports, and a network it can split.
fn kops_version_and_network(k: &KopsSection, out: &mut Problems) {
    match parse_version(&k.kubernetes_version) {
        None => out.push((
            "kops.kubernetesVersion".into(),
            Code::InvalidKubernetesVersion,
            format!(
                "{:?} is not a Kubernetes version; expected like 1.34.1",
                k.kubernetes_version
            ),
        )),
        Some((1, minor)) if minor >= OLDEST_MINOR => {}
        Some((major, _)) if major != 1 => out.push((
            "kops.kubernetesVersion".into(),
            Code::InvalidKubernetesVersion,
            format!(
                "Kubernetes {} is no Kubernetes release: every release so far is 1.x; use 1.{OLDEST_MINOR} or newer",
                k.kubernetes_version
            ),
        )),
        Some(_) => out.push((
            "kops.kubernetesVersion".into(),
            Code::KubernetesTooOld,
            format!(
                "Kubernetes {} is older than kops supports; use 1.{OLDEST_MINOR} or newer",
                k.kubernetes_version
            ),
        )),
    }
    let net = k.network_cidr.net();
    if !matches!(net, ipnet::IpNet::V4(_)) || net.prefix_len() > 20 {
        out.push(("kops.networkCIDR".into(), Code::NetworkTooSmall, format!("networkCIDR {net} must be an IPv4 network of /20 or larger (it is split into a subnet per zone)")));
    }
    let nonmasq: ipnet::IpNet = "100.64.0.0/10".parse().unwrap_or(net);
    if net.contains(&nonmasq.network()) || nonmasq.contains(&net.network()) {
        out.push((
            "kops.networkCIDR".into(),
            Code::NetworkOverlapsPods,
            format!("networkCIDR {net} overlaps the pod and service range 100.64.0.0/10"),
        ));
    }
}

/// The control plane's size and the node groups.
fn kops_groups(k: &KopsSection, out: &mut Problems) {
    match k.control_plane.count {
        1 => {}
        3 if k.zones.len() >= 3 => {}
        3 => out.push(("kops.controlPlane.count".into(), Code::ControlPlaneZones, format!("3 control-plane nodes are spread over 3 zones, but kops.zones lists {}", k.zones.len()))),
        n => out.push(("kops.controlPlane.count".into(), Code::ControlPlaneCount, format!("control-plane count {n}: expected 1 (cheaper, no tolerance for a lost node) or 3 (survives the loss of a zone)"))),
    }
    if k.node_groups.is_empty() {
        out.push((
            "kops.nodeGroups".into(),
            Code::NoNodeGroups,
            "at least one node group is needed".into(),
        ));
    }
    let mut names = BTreeSet::new();
    for (i, g) in k.node_groups.iter().enumerate() {
        let here = format!("kops.nodeGroups[{i}]");
        if !is_dns_label(&g.name) {
            out.push((
                format!("{here}.name"),
                Code::InvalidNodeGroupName,
                format!(
                    "node group name {:?} must be a DNS label (lowercase letters, digits, '-')",
                    g.name
                ),
            ));
        }
        if g.name.starts_with("control-plane-") || g.name == "bastions" {
            out.push((
                format!("{here}.name"),
                Code::ReservedNodeGroupName,
                format!(
                    "node group name {:?} is reserved for the groups Palisade makes",
                    g.name
                ),
            ));
        }
        if !names.insert(g.name.as_str()) {
            out.push((
                format!("{here}.name"),
                Code::DuplicateNodeGroup,
                format!(
                    "duplicate node group name {:?}; names must be unique",
                    g.name
                ),
            ));
        }
        if g.min_size > g.max_size {
            out.push((
                format!("{here}.minSize"),
                Code::MinAboveMax,
                format!(
                    "minSize {} is larger than maxSize {}",
                    g.min_size, g.max_size
                ),
            ));
        }
        if g.max_size == 0 {
            out.push((
                format!("{here}.maxSize"),
                Code::ZeroMaxNodes,
                "maxSize is 0: the group would have no nodes".into(),
            ));
        }
        for (j, z) in g.zones.iter().flatten().enumerate() {
            if !k.zones.contains(z) {
                out.push((
                    format!("{here}.zones[{j}]"),
                    Code::ZoneNotInCluster,
                    format!("zone {z:?} is not in kops.zones"),
                ));
            }
        }
    }
}

/// The state and discovery stores, and the admin SSH key.
fn kops_stores_and_key(k: &KopsSection, file: &ClusterFile, out: &mut Problems) {
    if let Some(store) = &k.state_store {
        if !(store.starts_with("file://") || store.starts_with("s3://")) {
            out.push((
                "kops.stateStore".into(),
                Code::InvalidStateStore,
                format!("state store {store:?}: expected file://PATH or s3://BUCKET[/PREFIX]"),
            ));
        }
    }
    if let Some(d) = &k.discovery_store {
        let bucket = d
            .strip_prefix("s3://")
            .and_then(|r| r.split('/').next())
            .unwrap_or("");
        if bucket.is_empty() || bucket.contains('.') {
            out.push((
                "kops.discoveryStore".into(),
                Code::InvalidDiscoveryStore,
                format!(
                    "discovery store {d:?}: expected s3://BUCKET with no dots in the bucket name"
                ),
            ));
        }
    }
    if let Some(key) = &k.ssh_public_key {
        let dir = file
            .source
            .parent()
            .unwrap_or_else(|| std::path::Path::new("."));
        let path = dir.join(key);
        match crate::input::read_text(&path, crate::input::SSH_PUBLIC_KEY).map_err(|e| e.reason()) {
            Ok(t) if t.starts_with("ssh-") || t.starts_with("ecdsa-") => {}
            Ok(_) => out.push((
                "kops.sshPublicKey".into(),
                Code::InvalidSshKey,
                format!("{} is not an OpenSSH public key", path.display()),
            )),
            Err(e) => out.push((
                "kops.sshPublicKey".into(),
                Code::UnreadableSshKey,
                format!("cannot read {}: {e}", path.display()),
            )),
        }
    }
}

/// The fields that say where a cluster's state lives: Palisade keeps all of it in the store.
pub const STORE_FIELDS: &[(&str, &str)] = &[
    ("configBase", "configuration (read by the nodes)"),
    ("configStore", "configuration"),
    ("secretStore", "secrets (the encryption key among them)"),
    ("keyStore", "CA keys"),
];

/// Overrides name instance groups the cluster has, and no field Palisade sets from another
/// part of the cluster file (an override would be replaced without a word).
fn kops_overrides(k: &KopsSection, file: &ClusterFile, out: &mut Problems) {
    if let Some(cluster) = &file.overrides.cluster {
        for (field, what) in STORE_FIELDS {
            if cluster.contains_key(*field) {
                out.push((
                    format!("overrides.cluster.{field}"),
                    Code::InvalidOverride,
                    format!("{field} says where kops keeps the cluster's {what}, and Palisade keeps all of it in the state store (kops.stateStore or --state): set kops.stateStore instead"),
                ));
            }
        }
        // the version checks and the Pod Security -version labels read the cluster file's
        if cluster.contains_key("kubernetesVersion") {
            out.push((
                "overrides.cluster.kubernetesVersion".into(),
                Code::InvalidOverride,
                "the Kubernetes version is kops.kubernetesVersion (the version checks and the namespaces' Pod Security -version labels follow it): set it there instead".into(),
            ));
        }
    }
    for name in file.overrides.instance_groups.keys() {
        let control_plane: Vec<String> = k
            .zones
            .iter()
            .take(k.control_plane.count as usize)
            .map(|z| format!("control-plane-{z}"))
            .collect();
        let known = k.node_groups.iter().any(|g| &g.name == name)
            || (name == "bastions" && k.bastion.is_some())
            || control_plane.contains(name);
        if !known {
            out.push((format!("overrides.instanceGroups.{name}"), Code::UnknownOverrideGroup, format!("no instance group {name:?}: expected a node group name, bastions (with a bastion) or one of the control-plane groups ({})", control_plane.join(", "))));
        }
    }
}

/// A full `MAJOR.MINOR.PATCH` version and nothing more, as a cluster file must name it.
fn parse_version(v: &str) -> Option<(u32, u32)> {
    match crate::version::kubernetes_version(v)? {
        (major, minor, Some(_))
            if v.split('.').count() == 3
                && v.split('.').all(|p| p == "0" || !p.starts_with('0')) =>
        {
            Some((major, minor))
        }
        _ => None,
    }
}

fn waivers(file: &ClusterFile, today: Date, known_control: fn(&str) -> bool, out: &mut Problems) {
    let mut seen = BTreeSet::new();
    for (i, w) in file.waivers.iter().enumerate() {
        let here = format!("waivers[{i}]");
        if !known_control(&w.control) {
            out.push((
                format!("{here}.control"),
                Code::UnknownControl,
                format!(
                    "unknown control `{}`; `palisade controls list` shows the catalogue",
                    w.control
                ),
            ));
        }
        if w.reason.trim().is_empty() {
            out.push((
                here.clone(),
                Code::WaiverWithoutReason,
                format!(
                    "the waiver for `{}` has no reason; say why the weakening is accepted",
                    w.control
                ),
            ));
        }
        if let Some(raw) = &w.expires {
            match Date::parse(raw) {
                None => out.push((
                    format!("{here}.expires"),
                    Code::InvalidDate,
                    format!("invalid date {raw:?}: expected YYYY-MM-DD"),
                )),
                Some(exp) if exp < today => {
                    out.push((format!("{here}.expires"), Code::WaiverExpired, format!(
                    "the waiver for `{}` expired on {exp}; fix the cluster, or renew the waiver with a new date and reason", w.control
                )));
                }
                Some(_) => {}
            }
        }
        if !seen.insert(&w.control) {
            out.push((
                format!("{here}.control"),
                Code::DuplicateWaiver,
                format!("a second waiver for `{}`; keep one", w.control),
            ));
        }
    }
}
