//! The container v1 client: the crate's `ClusterManager` (REST/JSON, enums sent as numbers),
//! fed from the JSON bodies the planner builds, and Operations polled by hand to DONE.

use std::time::{Duration, Instant};

use google_cloud_container_v1::client::ClusterManager;
use google_cloud_container_v1::model;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use thiserror::Error;

use super::steps::Step;
use crate::gke::discovery::{convert_enums, Enums};

/// Environment variable naming another endpoint (a test server); anonymous credentials are
/// used with it.
pub const ENDPOINT_ENV: &str = "PALISADE_GKE_ENDPOINT";
/// Milliseconds between polls of an Operation (default 5000).
pub const POLL_ENV: &str = "PALISADE_GKE_POLL_MS";
/// How long the metadata server gets to hand out a token when it is the only source.
const METADATA_WAIT: Duration = Duration::from_secs(15);
/// Off Google Cloud no metadata server can answer: said at once instead of after the wait.
const NO_CREDENTIALS_HERE: &str = "no Google credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no gcloud application-default credentials file, and this machine is not on Google Cloud (no metadata server); run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or point --gke-endpoint at another server";
const NO_CREDENTIALS: &str = "no Google credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there is no gcloud application-default credentials file, and no metadata server answered; run `gcloud auth application-default login`, or point --gke-endpoint at another server";

/// The largest credentials file read: a service-account key or an authorized-user file is a
/// few kilobytes.
const MAX_CREDENTIALS_BYTES: u64 = 1024 * 1024;

/// Why the credentials file GOOGLE_APPLICATION_CREDENTIALS names cannot be read safely: the
/// auth library reads it whole, so a FIFO would block and /dev/zero would never end.
fn credentials_file_problem() -> Option<String> {
    let path = std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").filter(|v| !v.is_empty())?;
    let shown = std::path::Path::new(&path).display().to_string();
    match std::fs::metadata(&path) {
        Err(e) => Some(format!("GOOGLE_APPLICATION_CREDENTIALS names {shown}: {e}")),
        Ok(m) if !m.is_file() => Some(format!(
            "GOOGLE_APPLICATION_CREDENTIALS names {shown}, which is not a regular file; point it at a credentials JSON file"
        )),
        Ok(m) if m.len() > MAX_CREDENTIALS_BYTES => Some(format!(
            "GOOGLE_APPLICATION_CREDENTIALS names {shown}, which is larger than {MAX_CREDENTIALS_BYTES} bytes: not a credentials file"
        )),
        Ok(_) => None,
    }
}

/// Whether a file-based Application Default Credential exists (the env variable, or gcloud's
/// `application_default_credentials.json`).
fn adc_file_present() -> bool {
    if std::env::var_os("GOOGLE_APPLICATION_CREDENTIALS").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let dir = std::env::var_os("CLOUDSDK_CONFIG")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".config/gcloud"))
        });
    dir.is_some_and(|d| d.join("application_default_credentials.json").is_file())
}

/// How long one Operation may run (cluster creation takes 5-15 minutes).
const OPERATION_DEADLINE: Duration = Duration::from_secs(45 * 60);

#[derive(Debug, Error)]
pub enum GkeError {
    #[error("cannot set up the GKE client: {0}")]
    Setup(String),
    #[error("{call} {resource}: {message}")]
    Call {
        call: String,
        resource: String,
        message: String,
    },
    #[error("{call}: the request does not fit the client's model: {message}")]
    Model { call: String, message: String },
    #[error("operation {name} ({call}) failed: {message}")]
    Operation {
        name: String,
        call: String,
        message: String,
    },
    #[error("{0}; {next}", next = .0.next_step())]
    Kube(super::kube::KubeError),
    #[error("operation {name} ({call}) was not done after {minutes} minutes; it may still finish: see `gcloud container operations describe {name}`")]
    Deadline {
        name: String,
        call: String,
        minutes: u64,
    },
}

pub struct GkeClient {
    inner: ClusterManager,
    poll: Duration,
    /// Whether credentials can only come from the metadata server (no endpoint given, no
    /// credentials file): off Google Cloud that server never answers.
    metadata_only: bool,
    /// The endpoint in use, for messages.
    pub endpoint: String,
}

fn model_of<T: DeserializeOwned>(call: &str, request: Value) -> Result<T, GkeError> {
    serde_json::from_value(request).map_err(|e| GkeError::Model {
        call: call.to_string(),
        message: e.to_string(),
    })
}

impl GkeClient {
    /// A client for `endpoint` (anonymous credentials) or, without one, for Google's endpoint
    /// with Application Default Credentials. `metadata_server` says whether this machine can
    /// have a metadata server (it is on Google Cloud, or `GCE_METADATA_HOST` names one):
    /// without one and without a credentials file there are no credentials to wait for.
    pub async fn connect(endpoint: Option<&str>, metadata_server: bool) -> Result<Self, GkeError> {
        if endpoint.is_none() {
            if let Some(why) = credentials_file_problem() {
                return Err(GkeError::Setup(why));
            }
        }
        let metadata_only = endpoint.is_none() && !adc_file_present();
        if metadata_only && !metadata_server {
            return Err(GkeError::Setup(NO_CREDENTIALS_HERE.into()));
        }
        let poll = std::env::var(POLL_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(Duration::from_secs(5), Duration::from_millis);
        let builder = ClusterManager::builder();
        let (builder, shown) = match endpoint {
            Some(url) => (
                builder.with_endpoint(url).with_credentials(
                    google_cloud_auth::credentials::anonymous::Builder::new().build(),
                ),
                url.to_string(),
            ),
            None => (
                builder,
                "https://container.googleapis.com (Application Default Credentials)".to_string(),
            ),
        };
        let inner = builder.build().await.map_err(|e| {
            GkeError::Setup(format!(
                "{e}; set up Application Default Credentials (`gcloud auth application-default login`, or GOOGLE_APPLICATION_CREDENTIALS), or point --gke-endpoint at another server"
            ))
        })?;
        Ok(GkeClient {
            inner,
            poll,
            metadata_only,
            endpoint: shown,
        })
    }

    /// The cluster as JSON with enum names, or `None` when it does not exist.
    pub async fn get_cluster(&self, name: &str) -> Result<Option<Value>, GkeError> {
        let call = self.inner.get_cluster().set_name(name).send();
        let answer = if self.metadata_only {
            // the first call is the one that finds out whether there are credentials at all
            match tokio::time::timeout(METADATA_WAIT, call).await {
                Ok(a) => a,
                Err(_) => return Err(GkeError::Setup(NO_CREDENTIALS.into())),
            }
        } else {
            call.await
        };
        match answer {
            Ok(cluster) => {
                let mut v = serde_json::to_value(&cluster).map_err(|e| GkeError::Model {
                    call: "clusters.get".into(),
                    message: e.to_string(),
                })?;
                convert_enums("Cluster", &mut v, Enums::Names);
                Ok(Some(v))
            }
            Err(e) if e.http_status_code() == Some(404) => Ok(None),
            Err(e) if e.is_authentication() && self.metadata_only => {
                Err(GkeError::Setup(NO_CREDENTIALS.into()))
            }
            Err(e) => Err(GkeError::Call {
                call: "clusters.get".into(),
                resource: name.to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Sends `clusters.create` with a rendered `CreateClusterRequest`.
    pub async fn create(&self, request: &Value) -> Result<model::Operation, GkeError> {
        let call = "clusters.create";
        let req: model::CreateClusterRequest = model_of(call, request.clone())?;
        let parent = req.parent.clone();
        self.inner
            .create_cluster()
            .with_request(req)
            .send()
            .await
            .map_err(|e| failed(call, &parent, e))
    }

    /// Sends one planned step against cluster `cluster` (`projects/P/locations/L/clusters/C`).
    pub async fn send(&self, step: &Step, cluster: &str) -> Result<model::Operation, GkeError> {
        let resource = step.resource(cluster);
        let mut request = step.body.clone();
        if let Some(m) = request.as_object_mut() {
            let key = if step.call == "nodePools.create" {
                "parent"
            } else {
                "name"
            };
            m.insert(key.into(), json!(resource));
        }
        let call = step.call.as_str();
        let c = &self.inner;
        let sent = match call {
            "clusters.update" => {
                c.update_cluster()
                    .with_request(model_of::<model::UpdateClusterRequest>(call, request)?)
                    .send()
                    .await
            }
            "clusters.setLegacyAbac" => {
                c.set_legacy_abac()
                    .with_request(model_of::<model::SetLegacyAbacRequest>(call, request)?)
                    .send()
                    .await
            }
            "clusters.setAddons" => {
                c.set_addons_config()
                    .with_request(model_of::<model::SetAddonsConfigRequest>(call, request)?)
                    .send()
                    .await
            }
            "clusters.setNetworkPolicy" => {
                c.set_network_policy()
                    .with_request(model_of::<model::SetNetworkPolicyRequest>(call, request)?)
                    .send()
                    .await
            }
            "nodePools.create" => {
                c.create_node_pool()
                    .with_request(model_of::<model::CreateNodePoolRequest>(call, request)?)
                    .send()
                    .await
            }
            "nodePools.update" => {
                c.update_node_pool()
                    .with_request(model_of::<model::UpdateNodePoolRequest>(call, request)?)
                    .send()
                    .await
            }
            "nodePools.setManagement" => {
                c.set_node_pool_management()
                    .with_request(model_of::<model::SetNodePoolManagementRequest>(
                        call, request,
                    )?)
                    .send()
                    .await
            }
            "nodePools.setAutoscaling" => {
                c.set_node_pool_autoscaling()
                    .with_request(model_of::<model::SetNodePoolAutoscalingRequest>(
                        call, request,
                    )?)
                    .send()
                    .await
            }
            other => {
                return Err(GkeError::Model {
                    call: other.to_string(),
                    message: "Palisade does not send this call".into(),
                })
            }
        };
        sent.map_err(|e| failed(call, &resource, e))
    }

    /// Polls `op` until it is DONE; `progress` hears each status seen.
    pub async fn wait(
        &self,
        parent: &str,
        call: &str,
        mut op: model::Operation,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(), GkeError> {
        let started = Instant::now();
        let name = format!("{parent}/operations/{}", op.name);
        loop {
            let status = op.status.name().unwrap_or("UNKNOWN").to_string();
            progress(&format!(
                "{call}: operation {} {status} ({} s)",
                op.name,
                started.elapsed().as_secs()
            ));
            if op.status == model::operation::Status::Done {
                return match &op.error {
                    Some(e) if e.code != 0 => Err(GkeError::Operation {
                        name: op.name.clone(),
                        call: call.to_string(),
                        message: if e.message.is_empty() {
                            format!("code {}", e.code)
                        } else {
                            e.message.clone()
                        },
                    }),
                    _ => Ok(()),
                };
            }
            if started.elapsed() > OPERATION_DEADLINE {
                return Err(GkeError::Deadline {
                    name: op.name.clone(),
                    call: call.to_string(),
                    minutes: OPERATION_DEADLINE.as_secs() / 60,
                });
            }
            tokio::time::sleep(self.poll).await;
            op = self
                .inner
                .get_operation()
                .set_name(&name)
                .send()
                .await
                .map_err(|e| failed("operations.get", &name, e))?;
        }
    }
}

fn failed(call: &str, resource: &str, e: google_cloud_container_v1::Error) -> GkeError {
    GkeError::Call {
        call: call.to_string(),
        resource: resource.to_string(),
        message: e.to_string(),
    }
}
