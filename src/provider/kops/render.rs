//! From a cluster file and its resolved profile to the kops documents a state store holds.
//!
//! Steps, each traced: (1) the base spec from the cluster file, with the structure the profile
//! asks for (private subnets, the CNI); (2) every enforced, unwaived control's apply; (3) the
//! overrides; (4) the kops schema (an override kops would drop is an error); (5) every enforced
//! control's check: a failure that is not waived refuses the cluster file.

use serde_yaml::{Mapping, Value};

use super::subnets::{layout, ZoneSubnets};
use crate::audit::{evaluate, Finding};
use crate::cluster_file::{ClusterFile, Code, KopsSection, Problem, Waiver};
use crate::controls::{self, ApplyCtx, Control, Mode, Params};
use crate::kops::{schema, KopsSpec};
use crate::profile::ResolvedProfile;
use crate::render::{active, FieldProblem, Target};
use crate::source_map::SourceMap;
use crate::trace::{Source, Trace};
use crate::yaml::tree;

/// The default state store: a directory beside the cluster file.
pub const DEFAULT_STATE_STORE: &str = "file://./.palisade/state";

/// A kops render: the spec, who set each field, the findings, warnings and refusals.
#[derive(Debug)]
pub struct Rendered {
    pub spec: KopsSpec,
    pub trace: Trace,
    pub findings: Vec<Finding>,
    /// Things a reviewer should see that do not stop the render.
    pub warnings: Vec<String>,
    /// Enforced controls that fail and are not waived: the cluster file is refused for these.
    pub refusals: Vec<Problem>,
}

impl Rendered {
    /// The rendered spec, unless an enforced control fails without a waiver.
    pub fn accepted(mut self) -> Result<Rendered, RenderError> {
        crate::render::accept(std::mem::take(&mut self.refusals))?;
        Ok(self)
    }
}

pub use crate::render::RenderError;

fn map(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::from(k), v);
    }
    Value::Mapping(m)
}

fn s(v: &str) -> Value {
    Value::from(v)
}

/// The letter(s) that end a zone name (`eu-west-1a` → `a`): kops' etcd member names.
fn zone_suffix<'a>(zone: &'a str, region: &str) -> &'a str {
    zone.strip_prefix(region).unwrap_or(zone)
}

pub fn control_plane_groups(k: &KopsSection) -> Vec<(String, String)> {
    k.zones
        .iter()
        .take(k.control_plane.count as usize)
        .map(|z| (format!("control-plane-{z}"), z.clone()))
        .collect()
}

fn instance_group(cluster: &str, name: &str, spec: Value) -> Value {
    map(vec![
        ("apiVersion", s("kops.k8s.io/v1alpha2")),
        ("kind", s("InstanceGroup")),
        (
            "metadata",
            map(vec![
                ("name", s(name)),
                ("labels", map(vec![("kops.k8s.io/cluster", s(cluster))])),
            ]),
        ),
        ("spec", spec),
    ])
}

/// The subnets: one per zone (private ones with a utility subnet beside for the load
/// balancers, when the topology is private).
fn subnets(private: bool, zones: &[ZoneSubnets]) -> Vec<Value> {
    let mut subnets = Vec::new();
    for z in zones {
        let kind = if private { "Private" } else { "Public" };
        subnets.push(map(vec![
            ("name", s(&z.zone)),
            ("zone", s(&z.zone)),
            ("type", s(kind)),
            ("cidr", s(&z.nodes.to_string())),
        ]));
    }
    if private {
        for z in zones {
            subnets.push(map(vec![
                ("name", s(&format!("utility-{}", z.zone))),
                ("zone", s(&z.zone)),
                ("type", s("Utility")),
                ("cidr", s(&z.utility.to_string())),
            ]));
        }
    }
    subnets
}

/// The Cluster document: what the cluster file says, with what `kops create` would add.
fn cluster_document(
    file: &ClusterFile,
    k: &KopsSection,
    private: bool,
    zones: &[ZoneSubnets],
) -> Value {
    let name = file.name.as_str();
    let store = k
        .state_store
        .as_deref()
        .unwrap_or(DEFAULT_STATE_STORE)
        .trim_end_matches('/');
    let subnets = subnets(private, zones);
    let cps = control_plane_groups(k);
    let members = Value::Sequence(
        cps.iter()
            .map(|(ig, z)| {
                map(vec![
                    ("name", s(zone_suffix(z, &k.region))),
                    ("instanceGroup", s(ig)),
                ])
            })
            .collect(),
    );
    let etcd = |n: &str| {
        map(vec![
            ("name", s(n)),
            ("etcdMembers", members.clone()),
            (
                "manager",
                map(vec![("backupRetentionDays", Value::from(90))]),
            ),
        ])
    };
    let mut spec = vec![
        (
            "api",
            map(vec![(
                "loadBalancer",
                map(vec![("type", s("Public")), ("class", s("Network"))]),
            )]),
        ),
        ("cloudProvider", s("aws")),
        ("configBase", s(&format!("{store}/{name}"))),
        (
            "etcdClusters",
            Value::Sequence(vec![etcd("main"), etcd("events")]),
        ),
        (
            "iam",
            map(vec![
                ("allowContainerRegistry", Value::from(true)),
                ("legacy", Value::from(false)),
            ]),
        ),
    ];
    if !file.access.api_cidrs.is_empty() {
        let l: Vec<String> = file
            .access
            .api_cidrs
            .iter()
            .map(ToString::to_string)
            .collect();
        spec.push(("kubernetesApiAccess", tree::str_seq(&l)));
    }
    spec.push(("kubernetesVersion", s(&k.kubernetes_version)));
    spec.push(("networkCIDR", s(&k.network_cidr.to_string())));
    spec.push((
        "networking",
        map(vec![("cilium", Value::Mapping(Mapping::new()))]),
    ));
    spec.push(("nonMasqueradeCIDR", s("100.64.0.0/10")));
    // Always explicit, empty meaning "no SSH from outside": an existing cluster's stored
    // 0.0.0.0/0 must not survive the merge just because the cluster file names no networks.
    let ssh: Vec<String> = file
        .access
        .ssh_cidrs
        .iter()
        .map(ToString::to_string)
        .collect();
    spec.push(("sshAccess", tree::str_seq(&ssh)));
    spec.push(("subnets", Value::Sequence(subnets)));
    match &k.dns_zone {
        Some(zone) => {
            spec.push(("dnsZone", s(zone)));
            spec.push((
                "topology",
                map(vec![("dns", map(vec![("type", s("Public"))]))]),
            ));
        }
        None => spec.push((
            "topology",
            map(vec![("dns", map(vec![("type", s("None"))]))]),
        )),
    }
    map(vec![
        ("apiVersion", s("kops.k8s.io/v1alpha2")),
        ("kind", s("Cluster")),
        ("metadata", map(vec![("name", s(name))])),
        ("spec", map(spec)),
    ])
}

/// The instance groups: control plane, node groups, bastion.
fn instance_groups(file: &ClusterFile, k: &KopsSection, private: bool) -> Vec<Value> {
    let name = file.name.as_str();
    let cps = control_plane_groups(k);
    let mut docs = Vec::new();
    let with_image = |mut pairs: Vec<(&str, Value)>| {
        if let Some(img) = &k.image {
            pairs.insert(0, ("image", s(img)));
        }
        map(pairs)
    };
    for (ig, zone) in &cps {
        docs.push(instance_group(
            name,
            ig,
            with_image(vec![
                ("machineType", s(&k.control_plane.machine_type)),
                ("maxSize", Value::from(1)),
                ("minSize", Value::from(1)),
                ("role", s("Master")),
                ("subnets", tree::str_seq(&[zone])),
            ]),
        ));
    }
    for g in &k.node_groups {
        let zones = g.zones.clone().unwrap_or_else(|| k.zones.clone());
        docs.push(instance_group(
            name,
            &g.name,
            with_image(vec![
                ("machineType", s(&g.machine_type)),
                ("maxSize", Value::from(g.max_size)),
                ("minSize", Value::from(g.min_size)),
                ("role", s("Node")),
                ("subnets", tree::str_seq(&zones)),
            ]),
        ));
    }
    if let Some(b) = &k.bastion {
        let subnets: Vec<String> = k
            .zones
            .iter()
            .map(|z| {
                if private {
                    format!("utility-{z}")
                } else {
                    z.clone()
                }
            })
            .collect();
        docs.push(instance_group(
            name,
            "bastions",
            with_image(vec![
                ("machineType", s(&b.machine_type)),
                ("maxSize", Value::from(1)),
                ("minSize", Value::from(1)),
                ("role", s("Bastion")),
                ("subnets", tree::str_seq(&subnets)),
            ]),
        ));
    }
    docs
}

fn base(file: &ClusterFile, k: &KopsSection, private: bool, zones: &[ZoneSubnets]) -> KopsSpec {
    let mut docs = vec![cluster_document(file, k, private, zones)];
    docs.extend(instance_groups(file, k, private));
    // the namespaces the guardrails act on
    docs.extend(
        file.namespaces
            .iter()
            .map(|n| crate::guardrails::namespace(&n.name, n.ingress)),
    );
    KopsSpec::from_documents(docs)
}

/// Points `spec.configBase` at the cluster's place in the state store `url`.
pub fn set_config_base(spec: &mut KopsSpec, url: &str) {
    let name = spec.cluster_name().to_string();
    let base = format!("{}/{name}", url.trim_end_matches('/'));
    tree::set(
        spec.cluster_mut(),
        &["spec", "configBase"],
        Value::from(base),
    );
}

/// Where in the cluster file a failing control is best fixed.
fn cluster_file_field(file: &ClusterFile, finding: &Finding) -> String {
    // a namespace's object: its entry in `namespaces:`
    let namespace = finding.object.strip_prefix("Namespace/").or_else(|| {
        finding
            .object
            .split('/')
            .nth(1)
            .filter(|_| finding.object.matches('/').count() == 2)
    });
    if let Some(i) = namespace.and_then(|n| file.namespaces.iter().position(|ns| ns.name == n)) {
        return if file.namespaces[i].pod_security.is_some()
            && finding.object.starts_with("Namespace/")
        {
            format!("namespaces[{i}].podSecurity")
        } else {
            format!("namespaces[{i}]")
        };
    }
    if let Some(rest) = finding.path.strip_prefix("spec.") {
        if finding.object.starts_with("Cluster/") {
            let path = format!("overrides.cluster.{rest}");
            let first = rest.split(['.', '[']).next().unwrap_or(rest);
            if file
                .overrides
                .cluster
                .as_ref()
                .is_some_and(|m| m.contains_key(first))
            {
                return path;
            }
        } else if let Some(ig) = finding.object.strip_prefix("InstanceGroup/") {
            if file.overrides.instance_groups.contains_key(ig) {
                return format!("overrides.instanceGroups.{ig}.{rest}");
            }
        }
    }
    controls::find(&finding.control)
        .map_or("profile", |c| c.kops_fix_field())
        .into()
}

/// kops as a render target: Cluster + InstanceGroup documents in the state-store layout.
pub struct KopsTarget {
    pub ctx: ApplyCtx,
}

/// Charges every field that differs between two specs to `source`.
pub fn record(trace: &mut Trace, before: &KopsSpec, after: &KopsSpec, source: &Source) {
    // the documents before the step by name, built only if one moved
    let mut old: Option<std::collections::BTreeMap<String, &Value>> = None;
    for (i, doc) in after.documents().enumerate() {
        if after.same_document(before, i) {
            // most steps change one or two documents: the others are the same allocation
            continue;
        }
        let object = KopsSpec::object_name(doc);
        // a document changed in place is where it was; one added or moved is found by name
        let prior = match before.document(i) {
            Some(d) if KopsSpec::object_name(d) == object => Some(d),
            _ => old
                .get_or_insert_with(|| {
                    before
                        .documents()
                        .map(|d| (KopsSpec::object_name(d), d))
                        .collect()
                })
                .get(&object)
                .copied(),
        };
        if prior == Some(doc) {
            continue;
        }
        trace.record_paths(&object, tree::changed_leaves(prior, doc), source);
    }
}

impl Target for KopsTarget {
    type Doc = KopsSpec;

    fn missing_section(&self, file: &ClusterFile) -> Option<FieldProblem> {
        file.kops.is_none().then(|| {
            (
                "name".into(),
                Code::NoProvider,
                "no provider section: add `kops:`".into(),
            )
        })
    }

    fn base(
        &self,
        file: &ClusterFile,
        profile: &ResolvedProfile,
        trace: &mut Trace,
    ) -> Result<KopsSpec, Vec<FieldProblem>> {
        let Some(k) = &file.kops else {
            return Err(self.missing_section(file).into_iter().collect());
        };
        // the control (if any) that wants private subnets decides the layout before any apply
        let topology = controls::all()
            .iter()
            .find(|c| c.kops.needs_private_subnets() && active(profile, file, c.id));
        let ipnet::IpNet::V4(network) = k.network_cidr.net() else {
            return Err(vec![(
                "kops.networkCIDR".into(),
                Code::NetworkNotIpv4,
                "networkCIDR must be IPv4".into(),
            )]);
        };
        let Some(zones) = layout(network, &k.zones) else {
            return Err(vec![(
                "kops.networkCIDR".into(),
                Code::NetworkTooSmall,
                "networkCIDR is too small for the zones".into(),
            )]);
        };
        let empty = KopsSpec::from_documents(Vec::new());
        let spec = base(file, k, topology.is_some(), &zones);
        record(trace, &empty, &spec, &Source::ClusterFile);
        if let Some(control) = topology {
            trace.charge_prefix(
                &KopsSpec::object_name(spec.cluster()),
                "spec.subnets",
                &Source::Control(control.id.into()),
            );
        }
        Ok(spec)
    }

    fn apply(
        &self,
        control: &Control,
        spec: &mut KopsSpec,
        params: &Params,
    ) -> Option<Result<(), String>> {
        Some(control.apply_kops(spec, params, &self.ctx))
    }

    fn touches(&self, control: &Control, spec: &KopsSpec) -> bool {
        // apply_kops is a no-op on the clouds a control does not name
        control.kops.clouds().contains(&spec.cloud())
    }

    fn record(&self, trace: &mut Trace, before: &KopsSpec, after: &KopsSpec, source: &Source) {
        record(trace, before, after, source);
    }

    fn finish(&self, file: &ClusterFile, spec: &mut KopsSpec, trace: &mut Trace) {
        let before = spec.clone();
        if let Some(o) = &file.overrides.cluster {
            // a CNI named in the overrides replaces the profile's (kops allows exactly one)
            let override_cni = o
                .get("networking")
                .and_then(Value::as_mapping)
                .is_some_and(|n| {
                    n.keys()
                        .filter_map(Value::as_str)
                        .any(|k| crate::controls::network::network_policy::CNIS.contains(&k))
                });
            if override_cni {
                for cni in crate::controls::network::network_policy::CNIS {
                    tree::remove(spec.cluster_mut(), &["spec", "networking", cni]);
                }
            }
            let spec_map = tree::ensure_map(spec.cluster_mut(), &["spec"]);
            let mut target = Value::Mapping(spec_map.clone());
            tree::merge(&mut target, &Value::Mapping(o.clone()));
            *spec_map = target.as_mapping().cloned().unwrap_or_default();
        }
        let overridden = |ig: &Value| {
            let name = crate::kops::spec::name_of(ig).unwrap_or("");
            file.overrides.instance_groups.contains_key(name)
        };
        for ig in spec.instance_groups_where(overridden) {
            let name = crate::kops::spec::name_of(ig).unwrap_or("").to_string();
            if let Some(o) = file.overrides.instance_groups.get(&name) {
                let target = tree::ensure_map(ig, &["spec"]);
                let mut merged = Value::Mapping(target.clone());
                tree::merge(&mut merged, &Value::Mapping(o.clone()));
                *target = merged.as_mapping().cloned().unwrap_or_default();
            }
        }
        // a namespace's own Pod Security level, as the cluster file asks: one below the
        // profile's then fails namespace-pod-security, and only a waiver carries it
        for n in &file.namespaces {
            if let Some(level) = n.pod_security {
                let found = spec
                    .objects()
                    .find(|o| crate::guardrails::object_id(o) == format!("Namespace/{}", n.name))
                    .cloned();
                if let Some(mut ns) = found {
                    crate::controls::guardrails::namespace_pod_security::set_enforce(
                        &mut ns, level,
                    );
                    spec.put_object(ns);
                }
            }
        }
        record(trace, &before, spec, &Source::Override);
        // kops writes specs with sorted keys; so does Palisade, so that diffs stay small
        // (only a document whose spec is out of order is copied to be sorted)
        let count = spec.documents().len();
        for i in 0..count {
            let unsorted = spec
                .document(i)
                .and_then(|d| d.get("spec"))
                .is_some_and(|body| !tree::is_sorted(body));
            if !unsorted {
                continue;
            }
            if let Some(body) = spec.document_mut(i).and_then(|d| d.get_mut("spec")) {
                *body = tree::sorted(body);
            }
        }
    }

    fn validate(&self, spec: &KopsSpec) -> Vec<FieldProblem> {
        let mut out = Vec::new();
        for doc in spec.documents() {
            for issue in schema::validate_document(doc) {
                let rest = issue.path.strip_prefix("spec.").unwrap_or(&issue.path);
                let field = match issue.object.strip_prefix("InstanceGroup/") {
                    Some(ig) => format!("overrides.instanceGroups.{ig}.{rest}"),
                    None => format!("overrides.cluster.{rest}"),
                };
                out.push((
                    field,
                    Code::InvalidOverride,
                    format!("{}: {}", issue.path, issue.problem),
                ));
            }
        }
        out
    }

    fn evaluate(
        &self,
        spec: &KopsSpec,
        profile: &ResolvedProfile,
        waivers: &[Waiver],
    ) -> Vec<Finding> {
        evaluate(spec, profile, waivers)
    }

    fn refusal_field(&self, file: &ClusterFile, finding: &Finding) -> String {
        cluster_file_field(file, finding)
    }
}

/// Renders the kops documents for `file`. `source` locates fields of the cluster file for
/// errors. Refusals are returned in [`Rendered::refusals`] so that `audit` can report them;
/// callers that write or print the spec go through [`Rendered::accepted`].
pub fn render(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    source: &SourceMap,
) -> Result<Rendered, RenderError> {
    let mut ctx = ApplyCtx::new(Mode::Render);
    ctx.discovery_store = file.kops.as_ref().and_then(|k| k.discovery_store.clone());
    let r = crate::render::render(&KopsTarget { ctx }, file, profile, source)?;
    Ok(Rendered {
        spec: r.doc,
        trace: r.trace,
        findings: r.findings,
        warnings: r.warnings,
        refusals: r.refusals,
    })
}
