//! `s3://BUCKET[/PREFIX]` state store, through aws-sdk-s3.
//!
//! Credentials and region come from the standard AWS chain; `AWS_ENDPOINT_URL_S3` or
//! `AWS_ENDPOINT_URL` point at another S3-compatible endpoint, with path-style addressing.
//! Every put carries server-side encryption (AES256 as kops does, or aws:kms with a key id).
//! Create-only writes send `If-None-Match: *`, replacements `If-Match: <etag>`; a 412 or 409
//! means the state changed since it was read. A plan lists the cluster's keys once and reads
//! the objects concurrently. There is no lock object (see [`NoLock`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_s3::Client;
use tokio::runtime::Runtime;

use super::{ApplyLock, Object, Precondition, StateStore, StoreError, Version};

/// How many objects a plan reads at once.
const READ_CONCURRENCY: usize = 16;

/// Settings the command line decides.
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    /// Use path-style addressing (an endpoint other than AWS is set).
    pub path_style: bool,
    /// Encrypt with aws:kms and this key instead of AES256.
    pub kms_key_id: Option<String>,
    /// An endpoint given in code rather than by `AWS_ENDPOINT_URL_S3` (implies path style).
    pub endpoint_url: Option<String>,
}

/// Requests sent, by kind (`list`, `get`, `put`, `delete`, `other`): for `-vv` and for tests
/// that hold the plan to one listing plus reads.
#[derive(Debug, Default, Clone)]
pub struct RequestCounter(Arc<Mutex<BTreeMap<&'static str, usize>>>);

impl RequestCounter {
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "palisade-request-counter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let req = context.request();
        let query = req.uri().split_once('?').map_or("", |(_, q)| q);
        let kind = match req.method() {
            "GET" if query.contains("list-type=2") => "list",
            "GET" => "get",
            "PUT" => "put",
            "DELETE" => "delete",
            _ => "other",
        };
        if let Ok(mut m) = self.0.lock() {
            *m.entry(kind).or_default() += 1;
        }
        Ok(())
    }
}

pub struct S3Store {
    url: String,
    bucket: String,
    prefix: String,
    client: Client,
    runtime: Arc<Runtime>,
    options: S3Options,
    counter: RequestCounter,
}

fn s3_error<E: ProvideErrorMetadata + std::fmt::Debug>(what: &str, e: &SdkError<E>) -> StoreError {
    let detail = match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            format!(
                "{} ({})",
                err.message().unwrap_or("no message"),
                err.code().unwrap_or("no code")
            )
        }
        SdkError::DispatchFailure(d) => format!("cannot reach the S3 endpoint: {d:?}"),
        SdkError::TimeoutError(_) => "the S3 request timed out".into(),
        other => format!("{other:?}").chars().take(300).collect(),
    };
    StoreError::io(what, detail)
}

fn status<E>(e: &SdkError<E>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

impl S3Store {
    pub fn open(
        url: &str,
        bucket: &str,
        prefix: &str,
        options: S3Options,
    ) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| StoreError::io("tokio runtime", e))?;
        let shared = runtime.block_on(aws_config::load_defaults(
            aws_config::BehaviorVersion::latest(),
        ));
        let counter = RequestCounter::default();
        let mut builder = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(options.path_style || options.endpoint_url.is_some())
            .interceptor(counter.clone());
        if let Some(endpoint) = &options.endpoint_url {
            builder = builder.endpoint_url(endpoint);
        }
        let config = builder.build();
        Ok(S3Store {
            url: url.to_string(),
            bucket: bucket.to_string(),
            prefix: prefix.trim_matches('/').to_string(),
            client: Client::from_conf(config),
            runtime: Arc::new(runtime),
            options,
            counter,
        })
    }

    pub fn requests(&self) -> &RequestCounter {
        &self.counter
    }

    fn full(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}/{key}", self.prefix)
        }
    }

    fn describe(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.full(key))
    }

    async fn get_async(
        client: Client,
        bucket: String,
        full: String,
        what: String,
    ) -> Result<Option<Object>, StoreError> {
        match client.get_object().bucket(bucket).key(full).send().await {
            Ok(out) => {
                let version = out.e_tag().unwrap_or_default().to_string();
                // the size S3 reports is checked before the body is read
                if out
                    .content_length()
                    .is_some_and(|n| n < 0 || n as u64 > super::MAX_OBJECT_BYTES)
                {
                    return Err(StoreError::io(
                        &what,
                        format!(
                            "is larger than {} bytes, the limit for a store object",
                            super::MAX_OBJECT_BYTES
                        ),
                    ));
                }
                let data = out
                    .body
                    .collect()
                    .await
                    .map_err(|e| StoreError::io(&what, e))?
                    .into_bytes()
                    .to_vec();
                if data.len() as u64 > super::MAX_OBJECT_BYTES {
                    return Err(StoreError::io(
                        &what,
                        format!(
                            "is larger than {} bytes, the limit for a store object",
                            super::MAX_OBJECT_BYTES
                        ),
                    ));
                }
                Ok(Some(Object { data, version }))
            }
            Err(e) if status(&e) == Some(404) => Ok(None),
            Err(e) => Err(s3_error(&what, &e)),
        }
    }

    /// Sequential reads, for comparing with `get_many` in the benchmark.
    pub fn get_sequential(&self, keys: &[String]) -> Result<Vec<Option<Object>>, StoreError> {
        keys.iter().map(|k| self.get(k)).collect()
    }
}

/// S3 applies take no lock object: a lock left behind by an apply that lost its connection
/// would block every later apply until someone deleted it by hand. Conditional writes (every
/// put carries If-None-Match or If-Match against the version planned) already make a second
/// apply from the same base stop at its first write, and `config`, written last, is the commit
/// point, so a losing apply never leaves a config of its own.
struct NoLock;

impl ApplyLock for NoLock {}

/// A key the store may be asked for: the same rule as the file store's, so a key such as
/// `../x` or `a//b` is refused before any request.
fn valid(key: &str) -> Result<(), StoreError> {
    super::check_key(key)
        .map_err(|why| StoreError::io(key, format!("not a valid store key: {why}")))
}

impl StateStore for S3Store {
    fn url(&self) -> &str {
        &self.url
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let full = self.full(prefix);
        let strip = if self.prefix.is_empty() {
            0
        } else {
            self.prefix.len() + 1
        };
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(&full)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        self.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page
                    .map_err(|e| s3_error(&format!("listing s3://{}/{full}", self.bucket), &e))?;
                for o in page.contents() {
                    if let Some(k) = o.key() {
                        if !k.contains("/.palisade") && !k.starts_with(".palisade") {
                            out.push(k[strip.min(k.len())..].to_string());
                        }
                    }
                }
            }
            Ok::<(), StoreError>(())
        })?;
        out.sort();
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        valid(key)?;
        self.runtime.block_on(Self::get_async(
            self.client.clone(),
            self.bucket.clone(),
            self.full(key),
            self.describe(key),
        ))
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Object>>, StoreError> {
        for k in keys {
            valid(k)?;
        }
        let gate = Arc::new(tokio::sync::Semaphore::new(READ_CONCURRENCY));
        let tasks: Vec<_> = keys
            .iter()
            .map(|k| {
                let (client, bucket, full, what, gate) = (
                    self.client.clone(),
                    self.bucket.clone(),
                    self.full(k),
                    self.describe(k),
                    gate.clone(),
                );
                self.runtime.spawn(async move {
                    let _permit = gate
                        .acquire_owned()
                        .await
                        .map_err(|e| StoreError::io("read gate", e))?;
                    Self::get_async(client, bucket, full, what).await
                })
            })
            .collect();
        self.runtime.block_on(async {
            let mut out = Vec::with_capacity(tasks.len());
            for t in tasks {
                out.push(t.await.map_err(|e| StoreError::io("read task", e))??);
            }
            Ok(out)
        })
    }

    fn put(&self, key: &str, data: &[u8], condition: &Precondition) -> Result<Version, StoreError> {
        valid(key)?;
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(self.full(key))
            .body(ByteStream::from(data.to_vec()));
        req = match &self.options.kms_key_id {
            Some(id) => req
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(id),
            None => req.server_side_encryption(ServerSideEncryption::Aes256),
        };
        req = match condition {
            Precondition::Absent => req.if_none_match("*"),
            Precondition::Matches(etag) => req.if_match(etag),
        };
        match self.runtime.block_on(req.send()) {
            Ok(out) => Ok(out.e_tag().unwrap_or_default().to_string()),
            // 412: the condition failed; 409: a concurrent conditional write won;
            // 404 on If-Match: the object is gone
            Err(e)
                if matches!(status(&e), Some(412 | 409))
                    || (status(&e) == Some(404)
                        && matches!(condition, Precondition::Matches(_))) =>
            {
                let expected = match condition {
                    Precondition::Absent => "no object".to_string(),
                    Precondition::Matches(v) => format!("etag {v}"),
                };
                Err(StoreError::Conflict {
                    key: self.describe(key),
                    expected,
                })
            }
            Err(e) => Err(s3_error(&format!("writing {}", self.describe(key)), &e)),
        }
    }

    fn lock(&self, _cluster: &str) -> Result<Box<dyn ApplyLock>, StoreError> {
        Ok(Box::new(NoLock))
    }
}
