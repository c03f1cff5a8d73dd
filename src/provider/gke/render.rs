//! From a cluster file and its resolved profile to the `CreateClusterRequest` for GKE.
//!
//! Steps, each traced: (1) the base cluster from the cluster file (network, node pools); (2)
//! every enforced, unwaived control's GKE apply; (3) the request is checked against the
//! container v1 discovery facts (no unknown, deprecated or output-only field); (4) every
//! enforced control's GKE check: a failure that is not waived refuses the cluster file.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use std::cell::RefCell;

use crate::audit::{evaluate_gke, Finding};
use crate::cluster_file::{ClusterFile, Code, GkeSection, Problem, Waiver};
use crate::controls::{self, Control, Params};
use crate::gke::discovery::{self, Enums, Rules};
use crate::gke::view::ClusterView;
use crate::gke::GkeCtx;
use crate::guardrails::InCluster;
use crate::profile::ResolvedProfile;
use crate::render::{FieldProblem, RenderError, Target};
use crate::source_map::SourceMap;
use crate::trace::{Source, Trace};

#[derive(Debug)]
pub struct Rendered {
    /// `{"parent": …, "cluster": …}` with enum names.
    pub request: Value,
    /// Leaf path of the cluster (`nodePools[system].config.imageType`) → what set it.
    pub trace: BTreeMap<String, String>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    pub refusals: Vec<Problem>,
    /// The Kubernetes objects to apply through the cluster's API once it exists (namespaces,
    /// service accounts, policies, bindings), from the guardrail controls.
    pub objects: Vec<serde_yaml::Value>,
}

impl Rendered {
    pub fn accepted(mut self) -> Result<Rendered, RenderError> {
        crate::render::accept(std::mem::take(&mut self.refusals))?;
        Ok(self)
    }

    pub fn cluster(&self) -> &Value {
        &self.request["cluster"]
    }

    /// `projects/P/locations/L/clusters/C`: the name the API knows the cluster by.
    pub fn resource_name(&self) -> String {
        format!(
            "{}/clusters/{}",
            self.request["parent"].as_str().unwrap_or_default(),
            self.cluster()["name"].as_str().unwrap_or_default()
        )
    }
}

/// `projects/P/global/networks/N` from a name or a full path.
fn network_path(g: &GkeSection) -> String {
    if g.network.contains('/') {
        g.network.clone()
    } else {
        format!("projects/{}/global/networks/{}", g.project, g.network)
    }
}

/// The region of a location: `europe-west1-b` → `europe-west1`.
pub fn region_of(location: &str) -> &str {
    match location.rsplit_once('-') {
        Some((region, zone)) if zone.len() == 1 => region,
        _ => location,
    }
}

fn subnetwork_path(g: &GkeSection) -> String {
    if g.subnetwork.contains('/') {
        g.subnetwork.clone()
    } else {
        format!(
            "projects/{}/regions/{}/subnetworks/{}",
            g.project,
            region_of(&g.location),
            g.subnetwork
        )
    }
}

/// What the cluster file itself says: name, network, node pools and their sizes (Autopilot: the
/// mode, and no pools).
fn base(file: &ClusterFile, g: &GkeSection) -> Value {
    let pools: Vec<Value> = g
        .node_pools
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "initialNodeCount": p.min_nodes.max(1),
                "autoscaling": {
                    "enabled": true,
                    "minNodeCount": p.min_nodes,
                    "maxNodeCount": p.max_nodes,
                },
                "upgradeSettings": {"maxSurge": 1, "maxUnavailable": 0},
                "config": {
                    "machineType": p.machine_type,
                    "diskType": "pd-balanced",
                    "diskSizeGb": p.disk_size_gb,
                    // access is granted through IAM roles of the node service account
                    "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
                    "metadata": {"disable-legacy-endpoints": "true"},
                },
            })
        })
        .collect();
    let mut cluster = json!({
        "name": file.name,
        "description": "Managed by Palisade; see the cluster file in Git before changing it by hand",
        "network": network_path(g),
        "subnetwork": subnetwork_path(g),
    });
    if g.autopilot() {
        // GKE makes the nodes; what they run as is the auto-provisioning defaults' (access
        // granted through the service account's IAM roles, as for a pool)
        cluster["autopilot"] = json!({"enabled": true});
        cluster["autoscaling"] = json!({"autoprovisioningNodePoolDefaults": {
            "oauthScopes": ["https://www.googleapis.com/auth/cloud-platform"],
        }});
    } else {
        cluster["nodePools"] = Value::from(pools);
    }
    cluster
}

/// Every leaf of a cluster, by path; pools are named by their name, not their index, so that a
/// trace and a plan stay readable when pools are reordered.
pub fn leaves(v: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    flatten(v, String::new(), &mut out);
    out
}

fn flatten(v: &Value, path: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k == "nodePools" {
                    if let Some(pools) = child.as_array() {
                        for p in pools {
                            let name = p.get("name").and_then(Value::as_str).unwrap_or("?");
                            flatten(p, format!("nodePools[{name}]"), out);
                        }
                        continue;
                    }
                }
                flatten(child, here, out);
            }
        }
        other => {
            out.insert(path, other.clone());
        }
    }
}

/// The trace's object for the cluster being rendered (paths name pools by their name).
const TRACED: &str = "Cluster";

/// GKE as a render target: the `Cluster` of a `CreateClusterRequest`, enums as names.
struct GkeTarget {
    ctx: GkeCtx,
    /// The leaves after the last recorded step: each step is diffed against them.
    seen: RefCell<BTreeMap<String, Value>>,
    /// The Kubernetes objects built so far, and the cluster's minor version when known.
    in_cluster: RefCell<InCluster>,
}

impl Target for GkeTarget {
    type Doc = Value;

    fn missing_section(&self, file: &ClusterFile) -> Option<FieldProblem> {
        file.gke
            .is_none()
            .then(|| ("name".into(), Code::NoProvider, "no `gke:` section".into()))
    }

    fn base(
        &self,
        file: &ClusterFile,
        _: &ResolvedProfile,
        trace: &mut Trace,
    ) -> Result<Value, Vec<FieldProblem>> {
        let cluster = base(file, &self.ctx.section);
        self.record(trace, &Value::Null, &cluster, &Source::ClusterFile);
        // the namespaces the guardrails act on
        self.in_cluster.borrow_mut().objects = file
            .namespaces
            .iter()
            .map(|n| crate::guardrails::namespace(&n.name, n.ingress))
            .collect();
        Ok(cluster)
    }

    fn touches(&self, control: &Control, _: &Value) -> bool {
        control.gke.is_some()
    }

    fn apply(
        &self,
        control: &Control,
        cluster: &mut Value,
        params: &Params,
    ) -> Option<Result<(), String>> {
        let rule = control.gke?;
        Some(rule.apply(cluster, params, &self.ctx).and_then(|()| {
            let built = {
                let now = self.in_cluster.borrow();
                rule.build_objects(&ClusterView::with_objects(cluster, &now), params)?
            };
            let mut in_cluster = self.in_cluster.borrow_mut();
            for o in built {
                crate::guardrails::put(&mut in_cluster.objects, o);
            }
            Ok(())
        }))
    }

    fn finish(&self, file: &ClusterFile, _: &mut Value, _: &mut Trace) {
        // a namespace's own Pod Security level, as the cluster file asks: one below the
        // profile's then fails namespace-pod-security, and only a waiver carries it
        let mut in_cluster = self.in_cluster.borrow_mut();
        for n in &file.namespaces {
            let Some(level) = n.pod_security else {
                continue;
            };
            let id = format!("Namespace/{}", n.name);
            let found = in_cluster
                .objects
                .iter()
                .find(|o| crate::guardrails::object_id(o) == id)
                .cloned();
            if let Some(mut ns) = found {
                crate::controls::guardrails::namespace_pod_security::set_enforce(&mut ns, level);
                crate::guardrails::put(&mut in_cluster.objects, ns);
            }
        }
    }

    fn record(&self, trace: &mut Trace, _before: &Value, after: &Value, source: &Source) {
        let now = leaves(after);
        let prior = std::mem::replace(&mut *self.seen.borrow_mut(), now.clone());
        trace.record_leaves(TRACED, prior, now, source);
    }

    fn validate(&self, cluster: &Value) -> Vec<FieldProblem> {
        let request = json!({"parent": self.ctx.parent(), "cluster": cluster});
        let rules = Rules {
            enums: Enums::Names,
            request: true,
        };
        discovery::validate("CreateClusterRequest", &request, rules)
            .into_iter()
            // every field comes from Palisade's own code: this is a defect, reported as such
            .map(|issue| {
                (
                    "gke".into(),
                    Code::InvalidProviderRequest,
                    format!("rendered request is not valid container v1 input: {issue}"),
                )
            })
            .collect()
    }

    fn evaluate(
        &self,
        cluster: &Value,
        profile: &ResolvedProfile,
        waivers: &[Waiver],
    ) -> Vec<Finding> {
        let in_cluster = self.in_cluster.borrow().clone();
        evaluate_gke(
            &ClusterView::with_objects(cluster, &in_cluster),
            profile,
            waivers,
        )
    }

    fn refusal_field(&self, _: &ClusterFile, finding: &Finding) -> String {
        controls::find(&finding.control)
            .map_or("profile", |c| c.gke_fix_field())
            .to_string()
    }
}

/// Renders the request for `file` (the Kubernetes objects' Pod Security versions pending).
pub fn render(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    source: &SourceMap,
) -> Result<Rendered, RenderError> {
    render_for(file, profile, source, None)
}

/// Renders the request for `file`, its Kubernetes objects for a cluster of minor version
/// `minor` (`v1.N`; `None`: not known yet).
pub fn render_for(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    source: &SourceMap,
    minor: Option<String>,
) -> Result<Rendered, RenderError> {
    let Some(g) = &file.gke else {
        return Err(RenderError::Refused {
            problems: vec![Problem {
                location: source.locate("name"),
                code: Code::NoProvider,
                message: "no `gke:` section".into(),
            }],
        });
    };
    let target = GkeTarget {
        ctx: GkeCtx::new(file, g),
        seen: RefCell::new(BTreeMap::new()),
        in_cluster: RefCell::new(InCluster {
            objects: Vec::new(),
            minor,
            unread: None,
            declared: None,
        }),
    };
    let r = crate::render::render(&target, file, profile, source)?;
    let trace = r
        .trace
        .fields(TRACED)
        .map(|(path, source)| (path.clone(), source.to_string()))
        .collect();
    Ok(Rendered {
        request: json!({"parent": target.ctx.parent(), "cluster": r.doc}),
        trace,
        findings: r.findings,
        warnings: r.warnings,
        refusals: r.refusals,
        objects: target.in_cluster.into_inner().objects,
    })
}
