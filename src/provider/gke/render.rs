//! From a cluster file and its resolved profile to the `CreateClusterRequest` for GKE.
//!
//! Steps, each traced: (1) the base cluster from the cluster file (network, node pools); (2)
//! every enforced, unwaived control's GKE apply; (3) the request is checked against the
//! container v1 discovery facts (no unknown, deprecated or output-only field); (4) every
//! enforced control's GKE check: a failure that is not waived refuses the cluster file.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::audit::{evaluate_gke, verdict, Finding};
use crate::cluster_file::{ClusterFile, GkeSection, Problem};
use crate::controls;
use crate::gke::discovery::{self, Enums, Rules};
use crate::gke::view::ClusterView;
use crate::gke::GkeCtx;
use crate::profile::{Level, ResolvedProfile};
use crate::provider::kops::render::RenderError;
use crate::source_map::SourceMap;

#[derive(Debug)]
pub struct Rendered {
    /// `{"parent": …, "cluster": …}` with enum names.
    pub request: Value,
    /// Leaf path of the cluster (`nodePools[system].config.imageType`) → what set it.
    pub trace: BTreeMap<String, String>,
    pub findings: Vec<Finding>,
    pub warnings: Vec<String>,
    pub refusals: Vec<Problem>,
}

impl Rendered {
    pub fn accepted(self) -> Result<Rendered, RenderError> {
        if self.refusals.is_empty() {
            Ok(self)
        } else {
            Err(RenderError::Refused {
                problems: self.refusals,
            })
        }
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

fn active(profile: &ResolvedProfile, file: &ClusterFile, id: &str) -> bool {
    profile.level(id) == Level::Enforce && !file.waivers.iter().any(|w| w.control == id)
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

/// What the cluster file itself says: name, network, node pools and their sizes.
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
    json!({
        "name": file.name,
        "description": "Managed by Palisade; see the cluster file in Git before changing it by hand",
        "network": network_path(g),
        "subnetwork": subnetwork_path(g),
        "nodePools": pools,
    })
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

/// Charges to `source` every leaf of `after` that differs from `seen` (the leaves after the
/// previous step), and makes `after`'s leaves the ones seen.
fn record(
    trace: &mut BTreeMap<String, String>,
    seen: &mut BTreeMap<String, Value>,
    after: &Value,
    source: &str,
) {
    let now = leaves(after);
    for (path, value) in &now {
        if seen.get(path) != Some(value) {
            trace.insert(path.clone(), source.to_string());
        }
    }
    *seen = now;
}

/// Renders the request for `file`.
pub fn render(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    source: &SourceMap,
) -> Result<Rendered, RenderError> {
    let refuse = |problems: Vec<Problem>| RenderError::Refused { problems };
    let at = |field: &str, message: String| Problem {
        location: source.locate(field),
        message,
    };
    let Some(g) = &file.gke else {
        return Err(refuse(vec![at("name", "no `gke:` section".into())]));
    };
    let mut problems: Vec<Problem> = verdict::forbidden_waivers(&file.waivers, profile)
        .into_iter()
        .map(|(field, message)| at(&field, message))
        .collect();
    if !problems.is_empty() {
        return Err(refuse(problems));
    }
    let ctx = GkeCtx::new(file, g);
    let mut trace = BTreeMap::new();
    let mut cluster = base(file, g);
    let mut seen = BTreeMap::new();
    record(&mut trace, &mut seen, &cluster, "cluster file");
    let mut apply_errors = Vec::new();
    for control in controls::all() {
        let Some(rule) = control.gke else { continue };
        if !active(profile, file, control.id) {
            continue;
        }
        let before = cluster.clone();
        let setting = profile.setting(control.id);
        if let Err(why) = rule.apply(&mut cluster, &setting.params, &ctx) {
            apply_errors.push((control.id, why));
            cluster = before;
            continue;
        }
        record(
            &mut trace,
            &mut seen,
            &cluster,
            &format!("control {}", control.id),
        );
    }
    let request = json!({"parent": ctx.parent(), "cluster": cluster});
    let rules = Rules {
        enums: Enums::Names,
        request: true,
    };
    for issue in discovery::validate("CreateClusterRequest", &request, rules) {
        // every field comes from Palisade's own code: this is a defect, reported as such
        problems.push(at(
            "gke",
            format!("rendered request is not valid container v1 input: {issue}"),
        ));
    }
    if !problems.is_empty() {
        return Err(refuse(problems));
    }

    let findings = evaluate_gke(
        &ClusterView::new(&request["cluster"]),
        profile,
        &file.waivers,
    );
    for r in verdict::refusals(&findings, &apply_errors, profile) {
        let field = controls::find(&r.finding.control).map_or("profile", |c| c.gke_fix_field());
        problems.push(at(field, r.message));
    }
    problems.dedup_by(|a, b| a.message == b.message);
    let warnings = verdict::warnings(&findings, &file.waivers, profile);
    Ok(Rendered {
        request,
        trace,
        findings,
        warnings,
        refusals: problems,
    })
}
