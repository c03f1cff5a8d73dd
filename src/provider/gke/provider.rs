//! GKE behind the provider seam: render the `CreateClusterRequest`, plan against the live
//! cluster through the container v1 API, apply one call at a time.

use serde_json::Value;

use super::client::GkeClient;
use super::kube::{KubeApi, Reach};
use super::objects;
use super::plan::{self, GkePlan};
use super::render::{render, render_for};
use crate::audit::Finding;
use crate::guardrails::InCluster;
use crate::plan::PlanDocument;
use crate::provider::{
    and_list, DocFormat, Error, Loaded, Planned, Provider, RenderOutput, Settings,
};
use crate::secrets::Secret;

pub struct GkeProvider;

/// The async runtime the container v1 client runs on.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// A live cluster by its resource name, through the settings' endpoint (`None`: Google's,
/// with ADC).
pub fn live_cluster(name: &str, settings: &Settings) -> Result<Value, Error> {
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() != 6
        || parts[0] != "projects"
        || parts[2] != "locations"
        || parts[4] != "clusters"
    {
        return Err(Error::Unsupported(format!(
            "--gke {name:?}: expected projects/PROJECT/locations/LOCATION/clusters/NAME"
        )));
    }
    let rt = runtime()?;
    let client = rt.block_on(GkeClient::connect(
        settings.gke_endpoint.as_deref(),
        settings.google_metadata,
    ))?;
    rt.block_on(client.get_cluster(name))?
        .ok_or_else(|| Error::Unsupported(format!("no cluster {name} at {}", client.endpoint)))
}

/// What a live cluster's Kubernetes API holds of Palisade's objects, for `audit --gke`; when
/// it cannot be read, why (the guardrail controls then say they could not judge).
pub fn live_in_cluster(cluster: &Value, settings: &Settings) -> InCluster {
    read_live_objects(cluster, settings, None)
}

/// The same, judged against the namespaces a cluster file declares (name, ingress).
fn read_live_objects(
    cluster: &Value,
    settings: &Settings,
    declared: Option<Vec<(String, bool)>>,
) -> InCluster {
    let reach = KubeReach::of(settings);
    let names: Vec<String> = declared.iter().flatten().map(|(n, _)| n.clone()).collect();
    let read = runtime().map_err(|e| e.to_string()).and_then(|rt| {
        rt.block_on(async {
            let api = KubeApi::connect(reach.reach(cluster)).await?;
            objects::read_in_cluster(&api, &names).await
        })
        .map_err(|e| e.to_string())
    });
    match read {
        Ok(objects) => InCluster {
            objects,
            minor: crate::gke::ClusterView::new(cluster).minor(),
            unread: None,
            declared,
        },
        Err(why) => InCluster {
            unread: Some(why),
            ..InCluster::default()
        },
    }
}

impl Provider for GkeProvider {
    fn render(&self, l: &Loaded, _: &Settings, format: DocFormat) -> Result<RenderOutput, Error> {
        let rendered = render(&l.file, &l.profile, &l.source)?.accepted()?;
        let encode = |e: String| Error::Encode {
            what: "the CreateClusterRequest".into(),
            reason: e,
        };
        let text = match format {
            DocFormat::Json => {
                serde_json::to_string_pretty(&rendered.request)
                    .map_err(|e| encode(e.to_string()))?
                    + "\n"
            }
            DocFormat::Yaml => {
                serde_yaml::to_string(&rendered.request).map_err(|e| encode(e.to_string()))?
            }
        };
        let mut warnings = rendered.warnings;
        if rendered
            .objects
            .iter()
            .any(|o| crate::yaml::tree::get_str(o, &["kind"]) == Some("Namespace"))
        {
            warnings.push("the namespaces' Pod Security -version labels are not pinned here: a GKE cluster's version comes from its release channel, so plan and apply pin them to the running cluster's minor version".into());
        }
        Ok(RenderOutput {
            text,
            warnings,
            findings: rendered.findings,
            objects: rendered.objects,
        })
    }

    fn audit(&self, l: &Loaded, settings: &Settings, live: bool) -> Result<Vec<Finding>, Error> {
        let rendered = render(&l.file, &l.profile, &l.source)?;
        if !live {
            return Ok(rendered.findings);
        }
        // the running cluster the file names, with the file's waivers, and its objects judged
        // against the namespaces the file declares (a removed label hides none of them)
        let cluster = live_cluster(&rendered.resource_name(), settings)?;
        let declared = l
            .file
            .namespaces
            .iter()
            .map(|n| (n.name.clone(), n.ingress))
            .collect();
        let in_cluster = read_live_objects(&cluster, settings, Some(declared));
        Ok(crate::audit::evaluate_gke(
            &crate::gke::ClusterView::with_objects(&cluster, &in_cluster),
            &l.profile,
            &l.file.waivers,
        ))
    }

    fn plan(&self, l: &Loaded, settings: &Settings) -> Result<Box<dyn Planned>, Error> {
        if !settings.kops_only_flags.is_empty() {
            let flags = &settings.kops_only_flags;
            return Err(Error::Unsupported(format!(
                "{} {} for kops clusters; a GKE plan is made against the live cluster each time",
                and_list(flags),
                if flags.len() == 1 { "is" } else { "are" }
            )));
        }
        let rt = runtime()?;
        let client = rt.block_on(GkeClient::connect(
            settings.gke_endpoint.as_deref(),
            settings.google_metadata,
        ))?;
        let rendered = render(&l.file, &l.profile, &l.source)?.accepted()?;
        let live = rt.block_on(client.get_cluster(&rendered.resource_name()))?;
        let reach = KubeReach::of(settings);
        let mut old_cluster = None;
        let (rendered, objects, unread) = match &live {
            None => {
                let objects = objects::for_new_cluster(&rendered.objects).map_err(kube)?;
                (rendered, objects, None)
            }
            Some(live) => {
                // the objects pinned to the running cluster's version
                let minor = crate::gke::ClusterView::new(live).minor();
                if minor.is_none() && !l.file.namespaces.is_empty() {
                    return Err(Error::Unsupported(no_version(live)));
                }
                let version = crate::gke::view::text(live, &["currentMasterVersion"])
                    .and_then(crate::version::kubernetes_version);
                let too_old = version.filter(|(major, m, _)| *major == 1 && *m < 30);
                let rendered = render_for(&l.file, &l.profile, &l.source, minor)?.accepted()?;
                if let Some((_, m, _)) = too_old.filter(|_| !rendered.objects.is_empty()) {
                    old_cluster = Some(format!(
                        "the cluster runs Kubernetes 1.{m}: the admission policies Palisade ships are admissionregistration.k8s.io/v1, which needs 1.30 or newer; upgrade the control plane first (its release channel offers newer versions), then plan again"
                    ));
                    (rendered, Vec::new(), None)
                } else if rendered.objects.is_empty() {
                    (rendered, Vec::new(), None)
                } else {
                    let read = rt.block_on(async {
                        let api = KubeApi::connect(reach.reach(live)).await?;
                        objects::for_live_cluster(&api, &rendered.objects).await
                    });
                    match read {
                        Ok(objects) => (rendered, objects, None),
                        Err(e) => {
                            let objects = objects::unread(&rendered.objects).map_err(kube)?;
                            (rendered, objects, Some(e))
                        }
                    }
                }
            }
        };
        let mut plan = plan::make(
            &l.file,
            &l.profile,
            &rendered,
            live.as_ref(),
            &client.endpoint,
            objects,
        );
        if let Some(remedy) = old_cluster {
            plan.blocked.push(super::steps::Blocked {
                object: "Kubernetes objects".into(),
                remedy,
                fields: Vec::new(),
            });
        }
        if let Some(e) = unread {
            plan.warnings.push(format!(
                "the cluster's Kubernetes objects were not read ({e}): every one is shown to apply; apply needs the same API"
            ));
        }
        let label_policy = format!(
            "ValidatingAdmissionPolicy/{}",
            crate::controls::guardrails::namespace_pod_security::NAME
        );
        if live.is_some()
            && plan
                .objects
                .iter()
                .any(|o| o.object == label_policy && o.exists == Some(false))
        {
            plan.notes
                .push(crate::controls::guardrails::namespace_pod_security::ARRIVES.into());
        }
        if live.is_none()
            && plan
                .objects
                .iter()
                .any(|o| o.object.starts_with("Namespace/"))
        {
            plan.notes.push("The namespaces' Pod Security -version labels are pinned to the new cluster's minor version when the objects are applied, once clusters.create is done.".into());
        }
        let document = plan.document();
        Ok(Box::new(GkePlanned {
            plan,
            document,
            runtime: rt,
            client,
            reach,
        }))
    }
}

fn kube(e: super::kube::KubeError) -> Error {
    Error::Gke(Box::new(super::client::GkeError::Kube(e)))
}

/// Why the namespaces' Pod Security labels cannot be pinned on `live`.
pub fn no_version(live: &Value) -> String {
    format!(
        "the cluster shows no usable currentMasterVersion ({}): the namespaces' Pod Security -version labels cannot be pinned to it, and Palisade does not apply them unpinned",
        crate::yaml::bound_quotes(&format!(
            "{:?}",
            crate::gke::view::text(live, &["currentMasterVersion"]).unwrap_or("none")
        ))
    )
}

/// How the cluster's Kubernetes API is reached, from the settings.
pub struct KubeReach {
    pub endpoint: Option<String>,
    pub token: Option<Secret<String>>,
    pub anonymous: bool,
}

impl KubeReach {
    fn of(settings: &Settings) -> Self {
        KubeReach {
            endpoint: settings.kube_endpoint.clone(),
            token: settings.kube_token.clone(),
            anonymous: settings.gke_endpoint.is_some(),
        }
    }

    /// For the cluster `live`.
    pub fn reach<'a>(&'a self, live: &'a Value) -> Reach<'a> {
        Reach {
            cluster: live,
            endpoint: self.endpoint.as_deref(),
            token: self.token.as_ref(),
            anonymous: self.anonymous,
        }
    }
}

/// A GKE plan and the client that carries it out.
struct GkePlanned {
    plan: GkePlan,
    document: PlanDocument,
    runtime: tokio::runtime::Runtime,
    client: GkeClient,
    reach: KubeReach,
}

impl Planned for GkePlanned {
    fn document(&self) -> &PlanDocument {
        &self.document
    }

    fn has_changes(&self) -> bool {
        self.plan.has_changes()
    }

    fn saved(&self) -> Result<String, Error> {
        Err(Error::Unsupported(
            "--out is for kops clusters; a GKE plan is made against the live cluster each time"
                .into(),
        ))
    }

    fn question(&self) -> String {
        format!("\nApply these calls to {}?", self.plan.cluster)
    }

    fn cancelled(&self) -> &'static str {
        "apply cancelled; nothing was sent"
    }

    fn apply(&self, progress: &mut dyn FnMut(&str)) -> Result<Vec<String>, Error> {
        let calls = self.runtime.block_on(super::apply::apply(
            &self.client,
            &self.plan,
            &self.reach,
            progress,
        ))?;
        let mut lines = vec![format!(
            "\nApply complete: {} call(s) done on {}.",
            calls.len(),
            self.plan.cluster
        )];
        if !self.plan.blocked.is_empty() {
            lines.push(format!(
                "{} difference(s) cannot be changed in place; see \"Cannot change in place\" above.",
                self.plan.blocked.len()
            ));
        }
        Ok(lines)
    }

    fn kops_update(&self) -> Option<crate::provider::kops::wrapper::KopsUpdate> {
        None
    }
}
