//! The cluster's own Kubernetes API, for the objects Palisade ships on GKE: it reads each one
//! (GET) and writes it by server-side apply (PATCH, `application/apply-patch+yaml`, field
//! manager `palisade`, `force=true`), through the endpoint the private-endpoint control leaves
//! reachable, with the ADC access token the container client uses. It never reads or writes a
//! kubeconfig.
//!
//! Plain requests on the HTTP stack already in the tree (reqwest, under the container client)
//! rather than kube-rs: Palisade applies five kinds it knows, so their paths and scopes are
//! fixed and no discovery is needed, and kube-rs with k8s-openapi would add a second client
//! stack and a Kubernetes-version feature to pick for these few objects.

use std::time::Duration;

use serde_json::Value;
use thiserror::Error;

use crate::secrets::Secret;

/// Environment variable naming another Kubernetes API endpoint (a tunnel to a private
/// endpoint, a test server), used instead of the cluster's DNS endpoint.
pub const ENDPOINT_ENV: &str = "PALISADE_KUBE_ENDPOINT";
/// Environment variable holding the bearer token for the Kubernetes API instead of the ADC
/// access token (with `--gke-endpoint`, whose credentials are anonymous).
pub const TOKEN_ENV: &str = "PALISADE_KUBE_TOKEN";
/// The field manager of every apply.
pub const FIELD_MANAGER: &str = "palisade";
/// The most of one answer Palisade reads: its objects are a few KiB each, a page of a list
/// at most 500 of them.
pub const MAX_ANSWER: usize = 8 << 20;
/// The most namespaces labelled as Palisade's that a live audit reads.
pub const MAX_NAMESPACES: usize = 10_000;

#[derive(Debug, Error)]
pub enum KubeError {
    #[error("the cluster's Kubernetes API cannot be reached: {0}")]
    NoEndpoint(String),
    #[error("no token for the cluster's Kubernetes API: {0}")]
    NoToken(String),
    #[error("cannot set up the Kubernetes API client: {0}")]
    Setup(String),
    #[error("{method} {url}: {message}")]
    Request {
        method: &'static str,
        url: String,
        message: String,
    },
    #[error("{0} is not a kind Palisade applies")]
    Kind(String),
    #[error("{method} {url}: the object changed since the plan read it ({message})")]
    Conflict {
        method: &'static str,
        url: String,
        message: String,
    },
}

impl KubeError {
    /// What to do next, for the end of an apply that stopped here.
    pub fn next_step(&self) -> &'static str {
        match self {
            KubeError::Conflict { .. } => "plan again: the objects not applied stay pending and the next plan shows them as they are now",
            KubeError::Kind(_) => "this is a defect in Palisade; the objects not applied stay pending",
            _ => "the objects not applied stay pending (the next plan shows them): run apply again from a machine that reaches the cluster's DNS endpoint (IAM permission container.clusters.connect), or through a tunnel with PALISADE_KUBE_ENDPOINT set to its URL",
        }
    }
}

/// Where an object lives in the API: `/api/v1/namespaces/NS/serviceaccounts/NAME`, …
pub fn path(object: &Value) -> Result<String, KubeError> {
    let text = |p: &[&str]| crate::gke::view::text(object, p);
    let kind = text(&["kind"]).unwrap_or("");
    let api = text(&["apiVersion"]).unwrap_or("");
    let (want_api, plural, namespaced) = match kind {
        "Namespace" => ("v1", "namespaces", false),
        "ServiceAccount" => ("v1", "serviceaccounts", true),
        "NetworkPolicy" => ("networking.k8s.io/v1", "networkpolicies", true),
        "ValidatingAdmissionPolicy" => (
            "admissionregistration.k8s.io/v1",
            "validatingadmissionpolicies",
            false,
        ),
        "ValidatingAdmissionPolicyBinding" => (
            "admissionregistration.k8s.io/v1",
            "validatingadmissionpolicybindings",
            false,
        ),
        _ => return Err(KubeError::Kind(format!("{api} {kind}"))),
    };
    if api != want_api {
        return Err(KubeError::Kind(format!("{api} {kind}")));
    }
    let name = text(&["metadata", "name"]).filter(|n| is_name(n));
    let ns = text(&["metadata", "namespace"]);
    let group = if want_api == "v1" {
        "/api/v1".to_string()
    } else {
        format!("/apis/{want_api}")
    };
    match (name, namespaced, ns) {
        (Some(name), false, None) => Ok(format!("{group}/{plural}/{name}")),
        (Some(name), true, Some(ns)) if is_name(ns) => {
            Ok(format!("{group}/namespaces/{ns}/{plural}/{name}"))
        }
        _ => Err(KubeError::Kind(format!(
            "{kind} {} (name or namespace missing or not a DNS name)",
            crate::guardrails::object_id(&serde_yaml::to_value(object).unwrap_or_default())
        ))),
    }
}

/// A DNS subdomain: what every name in these paths is, so none can leave its path.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with(['-', '.'])
        && !s.contains("..")
}

/// A client of one cluster's Kubernetes API.
pub struct KubeApi {
    http: reqwest::Client,
    base: String,
    token: Secret<String>,
}

/// Where and how to reach a cluster's API, from the live `Cluster` and the settings.
pub struct Reach<'a> {
    /// The live cluster (JSON, enum names).
    pub cluster: &'a Value,
    /// `$PALISADE_KUBE_ENDPOINT`.
    pub endpoint: Option<&'a str>,
    /// `$PALISADE_KUBE_TOKEN`.
    pub token: Option<&'a Secret<String>>,
    /// Whether the container API is reached with anonymous credentials (`--gke-endpoint`).
    pub anonymous: bool,
}

impl KubeApi {
    /// The base URL the cluster's API is reached at, and the CA to trust there (`None`: the
    /// public roots; the DNS endpoint's certificate is from a public CA).
    fn base(reach: &Reach<'_>) -> Result<(String, Option<Vec<u8>>), KubeError> {
        if let Some(e) = reach.endpoint {
            return Ok((e.trim_end_matches('/').to_string(), ca_of(reach.cluster)));
        }
        let dns = crate::gke::view::text(
            reach.cluster,
            &[
                "controlPlaneEndpointsConfig",
                "dnsEndpointConfig",
                "endpoint",
            ],
        );
        let external = crate::gke::view::flag(
            reach.cluster,
            &[
                "controlPlaneEndpointsConfig",
                "dnsEndpointConfig",
                "allowExternalTraffic",
            ],
        ) == Some(true);
        if let (Some(host), true) = (dns, external) {
            if !is_name(host) {
                return Err(KubeError::NoEndpoint(format!(
                    "the DNS endpoint {host:?} is not a host name"
                )));
            }
            return Ok((format!("https://{host}"), None));
        }
        let public_ip = crate::gke::view::flag(
            reach.cluster,
            &[
                "controlPlaneEndpointsConfig",
                "ipEndpointsConfig",
                "enablePublicEndpoint",
            ],
        ) != Some(false);
        match crate::gke::view::text(reach.cluster, &["endpoint"]) {
            Some(ip) if public_ip && ip.parse::<std::net::IpAddr>().is_ok() => {
                let ca = ca_of(reach.cluster).ok_or_else(|| {
                    KubeError::NoEndpoint(
                        "the IP endpoint needs masterAuth.clusterCaCertificate, which the cluster does not show".into(),
                    )
                })?;
                Ok((format!("https://{ip}"), Some(ca)))
            }
            _ => Err(KubeError::NoEndpoint(
                "the cluster has neither a DNS endpoint open to external traffic nor a public IP endpoint; reach it through a tunnel or bastion and set PALISADE_KUBE_ENDPOINT to the URL that reaches its API".into(),
            )),
        }
    }

    /// A client for the cluster `reach` describes.
    pub async fn connect(reach: Reach<'_>) -> Result<KubeApi, KubeError> {
        let (base, ca) = Self::base(&reach)?;
        let token = match reach.token {
            Some(t) => Secret::new(t.expose().clone()),
            None if reach.anonymous => {
                return Err(KubeError::NoToken(format!(
                    "--gke-endpoint uses anonymous credentials; set {TOKEN_ENV} to a bearer token for the cluster's API"
                )))
            }
            None => adc_token().await?,
        };
        // no redirects: a 303 would turn an apply into a GET, and the API server sends none
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none());
        // the cluster's CA matters only where TLS is spoken
        if let Some(pem) = ca.filter(|_| base.starts_with("https://")) {
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| {
                KubeError::Setup(format!(
                    "masterAuth.clusterCaCertificate is not a PEM certificate: {}",
                    error_chain(&e)
                ))
            })?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().map_err(|e| {
            KubeError::Setup(format!(
                "{} (the cluster's CA, masterAuth.clusterCaCertificate, is trusted for an https endpoint and must be a PEM certificate)",
                error_chain(&e)
            ))
        })?;
        Ok(KubeApi { http, base, token })
    }

    /// Where requests go, for messages.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends `request` (to `url`, with the bearer token), the answer as it comes.
    async fn send(
        &self,
        method: &'static str,
        url: &str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, KubeError> {
        request
            .bearer_auth(self.token.expose())
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| KubeError::Request {
                method,
                url: url.to_string(),
                message: error_chain(&e),
            })
    }

    /// The object an answer carries, which must be the one asked about; or what the answer
    /// says went wrong.
    async fn answered(
        method: &'static str,
        url: &str,
        response: reqwest::Response,
        asked: &Value,
    ) -> Result<Value, KubeError> {
        let fail = |message: String| KubeError::Request {
            method,
            url: url.to_string(),
            message,
        };
        match response.status().as_u16() {
            200 | 201 => {
                let got = object_of(response).await.map_err(fail)?;
                same_identity(&got, asked).map_err(fail)?;
                Ok(got)
            }
            code => Err(fail(status_message(code, response).await)),
        }
    }

    /// The object as the API has it, or `None` when it does not exist.
    pub async fn get(&self, object: &Value) -> Result<Option<Value>, KubeError> {
        let url = format!("{}{}", self.base, path(object)?);
        let response = self.send("GET", &url, self.http.get(&url)).await?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        Self::answered("GET", &url, response, object)
            .await
            .map(Some)
    }

    /// Server-side applies `object`; the object as the API has it afterwards.
    pub async fn apply(&self, object: &Value) -> Result<Value, KubeError> {
        let url = format!("{}{}", self.base, path(object)?);
        let body = serde_json::to_vec(object).map_err(|e| KubeError::Kind(e.to_string()))?;
        let request = self
            .http
            .patch(&url)
            .query(&[("fieldManager", FIELD_MANAGER), ("force", "true")])
            // JSON is YAML: the apply content type takes either
            .header("Content-Type", "application/apply-patch+yaml")
            .body(body);
        let response = self.send("PATCH", &url, request).await?;
        Self::answered("PATCH", &url, response, object).await
    }

    /// Replaces `object` (PUT, conditional on its `metadata.resourceVersion`): for an object
    /// that carries fields another manager added, which an apply would keep.
    pub async fn replace(&self, object: &Value) -> Result<Value, KubeError> {
        let url = format!("{}{}", self.base, path(object)?);
        let body = serde_json::to_vec(object).map_err(|e| KubeError::Kind(e.to_string()))?;
        let request = self
            .http
            .put(&url)
            .query(&[("fieldManager", FIELD_MANAGER)])
            .header("Content-Type", "application/json")
            .body(body);
        let response = self.send("PUT", &url, request).await?;
        if response.status().as_u16() == 409 {
            return Err(KubeError::Conflict {
                method: "PUT",
                url,
                message: status_message(409, response).await,
            });
        }
        Self::answered("PUT", &url, response, object).await
    }

    /// The Namespaces labelled as Palisade's (`app.kubernetes.io/managed-by=palisade`), as
    /// objects with their kind and apiVersion (a list's items carry neither).
    pub async fn managed_namespaces(&self) -> Result<Vec<Value>, KubeError> {
        let url = format!("{}/api/v1/namespaces", self.base);
        let fail = |message: String| KubeError::Request {
            method: "GET",
            url: url.clone(),
            message,
        };
        let selector = format!(
            "{}={}",
            crate::guardrails::MANAGED_BY.0,
            crate::guardrails::MANAGED_BY.1
        );
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        // page by page, as the API serves large lists
        loop {
            let mut query = vec![("labelSelector", selector.clone()), ("limit", "500".into())];
            if let Some(token) = &next {
                query.push(("continue", token.clone()));
            }
            let response = self
                .send("GET", &url, self.http.get(&url).query(&query))
                .await?;
            let list = match response.status().as_u16() {
                200 => object_of(response).await.map_err(fail)?,
                code => return Err(fail(status_message(code, response).await)),
            };
            let items = list
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| fail("the answer is not a NamespaceList".into()))?;
            out.extend(items.iter().filter(|i| i.is_object()).map(|i| {
                let mut i = i.clone();
                i["apiVersion"] = "v1".into();
                i["kind"] = "Namespace".into();
                i
            }));
            if out.len() > MAX_NAMESPACES {
                return Err(fail(format!(
                    "more than {MAX_NAMESPACES} namespaces are labelled as Palisade's; a cluster file declares far fewer"
                )));
            }
            next = crate::gke::view::text(&list, &["metadata", "continue"]).map(str::to_string);
            if next.is_none() {
                return Ok(out);
            }
        }
    }
}

/// Whether the API answered with the object asked for (kind, namespace, name).
fn same_identity(got: &Value, asked: &Value) -> Result<(), String> {
    let id = |v: &Value| {
        (
            crate::gke::view::text(v, &["kind"]).map(str::to_string),
            crate::gke::view::text(v, &["metadata", "namespace"]).map(str::to_string),
            crate::gke::view::text(v, &["metadata", "name"]).map(str::to_string),
        )
    };
    if id(got) == id(asked) {
        Ok(())
    } else {
        Err(crate::yaml::bound_quotes(&format!(
            "the API answered with another object ({:?})",
            id(got)
        )))
    }
}

/// An answer's body as JSON, read up to [`MAX_ANSWER`] bytes.
async fn object_of(mut response: reqwest::Response) -> Result<Value, String> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!(
                "the answer is larger than {} MiB, which no object (or page of a list) Palisade reads is",
                MAX_ANSWER >> 20
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| format!("the answer is not a Kubernetes object: {e}"))?;
    if v.is_object() {
        Ok(v)
    } else {
        Err("the answer is not a Kubernetes object".into())
    }
}

/// The cluster's CA certificate (PEM) from `masterAuth.clusterCaCertificate` (base64).
fn ca_of(cluster: &Value) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let b64 = crate::gke::view::text(cluster, &["masterAuth", "clusterCaCertificate"])?;
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()
}

/// The ADC access token (cloud-platform scope), as the container client gets it.
async fn adc_token() -> Result<Secret<String>, KubeError> {
    let creds = google_cloud_auth::credentials::Builder::default()
        .build_access_token_credentials()
        .map_err(|e| {
            KubeError::NoToken(format!(
                "{e}; set up Application Default Credentials (`gcloud auth application-default login`)"
            ))
        })?;
    let token = tokio::time::timeout(Duration::from_secs(15), creds.access_token())
        .await
        .map_err(|_| KubeError::NoToken("no access token within 15 s".into()))?
        .map_err(|e| KubeError::NoToken(e.to_string()))?;
    Ok(Secret::new(token.token))
}

/// What a failed request says: the Status message, bounded, or the HTTP code.
async fn status_message(code: u16, mut response: reqwest::Response) -> String {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > 64 << 10 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let message = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| text.chars().take(300).collect());
    // the server's words, on one line and bounded
    let message: String = format!("{message:?}").chars().take(300).collect();
    match code {
        401 => format!("401 Unauthorized (the token was refused): {message}"),
        403 => format!("403 Forbidden (the account needs container.clusters.connect and RBAC rights to these objects): {message}"),
        _ => format!("HTTP {code}: {message}"),
    }
}

/// A request error with its causes (connection refused, DNS, TLS), on one line.
fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
