//! `s3://BUCKET[/PREFIX]` state store, through aws-sdk-s3.
//!
//! Credentials and region come from the standard AWS chain; `AWS_ENDPOINT_URL_S3` or
//! `AWS_ENDPOINT_URL` point at another S3-compatible endpoint, with path-style addressing.
//! Every put carries server-side encryption (AES256 as kops does, or aws:kms with a key id).
//! Create-only writes send `If-None-Match: *`, replacements `If-Match: <etag>`; a 412 or 409
//! means the state changed since it was read. A plan lists the cluster's keys once and reads
//! the objects concurrently. Applies take a lease per cluster (`super::lease`), renewed while
//! they run.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;
use aws_sdk_s3::Client;
use tokio::runtime::Runtime;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::lease::{holder, lease_key, new_id, LeaseRecord, DEFAULT_LEASE};
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
    /// How long an apply lease lasts without renewal (default [`DEFAULT_LEASE`]).
    pub lease: Option<Duration>,
    /// The bucket's region (the cluster file's `kops.stateStoreRegion`); `None`: the AWS
    /// chain's (`AWS_REGION`, the config file).
    pub region: Option<String>,
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

fn s3_error<E>(what: &str, e: &SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let detail = match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            format!(
                "{} ({})",
                err.message().unwrap_or("no message"),
                err.code().unwrap_or("no code")
            )
        }
        SdkError::DispatchFailure(_) => {
            let why = causes(e);
            if why.contains("region must be set") {
                "no AWS region is set: set AWS_REGION (or `region` in the AWS config file) to the bucket's region".into()
            } else {
                format!("cannot reach the S3 endpoint: {why}")
            }
        }
        SdkError::TimeoutError(_) => "the S3 request timed out".into(),
        _ => causes(e),
    };
    StoreError::io(what, detail)
}

/// An error and its causes in words (`a: b: c`), each once, bounded: never a debug dump.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    let joined = parts.join(": ");
    if joined.chars().count() > 300 {
        joined.chars().take(300).collect::<String>() + "…"
    } else {
        joined
    }
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
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        let shared = runtime.block_on(loader.load());
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
            // a missing key is no object; a missing bucket is an error
            Err(e)
                if status(&e) == Some(404)
                    && e.as_service_error().and_then(|s| s.code()) != Some("NoSuchBucket") =>
            {
                Ok(None)
            }
            Err(e) => Err(s3_error(&what, &e)),
        }
    }

    /// Sequential reads, for comparing with `get_many` in the benchmark.
    pub fn get_sequential(&self, keys: &[String]) -> Result<Vec<Option<Object>>, StoreError> {
        keys.iter().map(|k| self.get(k)).collect()
    }
}

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
        self.runtime.block_on(put_async(
            self.writer(key),
            data.to_vec(),
            condition.clone(),
        ))
    }

    fn lock(&self, cluster: &str) -> Result<Box<dyn ApplyLock>, StoreError> {
        super::check_cluster_name(cluster).map_err(|why| StoreError::io(cluster, why))?;
        let key = lease_key(cluster);
        valid(&key)?;
        let ttl = self.options.lease.unwrap_or(DEFAULT_LEASE);
        let id = new_id().map_err(|e| StoreError::io("lease id", e))?;
        let mine = LeaseRecord::new(&holder(), &id, ttl);
        // a few rounds at most: each lost round means another apply took it meanwhile
        for _ in 0..5 {
            let taken = match self.get(&key)? {
                None => self.put(&key, &mine.to_bytes(), &Precondition::Absent),
                Some(object) => {
                    let theirs = LeaseRecord::parse(&object.data).map_err(|why| {
                        StoreError::io(
                            self.describe(&key),
                            format!(
                                "{why}; break it with `palisade force-unlock {cluster} --state {}`",
                                self.url
                            ),
                        )
                    })?;
                    if !theirs.is_free() {
                        return Err(StoreError::Locked {
                            url: self.url.clone(),
                            holder: format!(
                                "the apply lease of {cluster} is {}",
                                theirs.describe()
                            ),
                        });
                    }
                    self.put(
                        &key,
                        &mine.to_bytes(),
                        &Precondition::Matches(object.version),
                    )
                }
            };
            match taken {
                Ok(etag) => {
                    return Ok(Box::new(S3Lease::start(
                        self.writer(&key),
                        mine,
                        etag,
                        ttl,
                        self.runtime.clone(),
                    )))
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Locked {
            url: self.url.clone(),
            holder: format!("the apply lease of {cluster} changed hands five times while this apply tried to take it"),
        })
    }

    fn lease(&self, cluster: &str) -> Result<Option<(LeaseRecord, Version)>, StoreError> {
        let key = lease_key(cluster);
        match self.get(&key)? {
            None => Ok(None),
            Some(o) => {
                // an unreadable lease blocks every apply (they cannot tell it has run out): it is
                // shown held for the longest a lease lasts, so force-unlock can break it
                let record = LeaseRecord::parse(&o.data).unwrap_or_else(|why| LeaseRecord {
                    holder: format!("nobody Palisade knows: the object is unreadable ({why})"),
                    id: "?".into(),
                    acquired: super::lease::now(),
                    expires: super::lease::now() + super::lease::MAX_LEASE.as_secs(),
                    released: false,
                });
                Ok(Some((record, o.version)))
            }
        }
    }

    fn break_lease(&self, cluster: &str, version: &Version) -> Result<(), StoreError> {
        let key = lease_key(cluster);
        let broken = LeaseRecord {
            holder: format!("broken by {}", holder()),
            id: "broken".into(),
            acquired: super::lease::now(),
            expires: 0,
            released: true,
        };
        self.put(
            &key,
            &broken.to_bytes(),
            &Precondition::Matches(version.clone()),
        )
        .map(|_| ())
    }
}

/// What a write needs, cloned so it can run on the runtime (the lease renews on its own).
#[derive(Clone)]
struct Writer {
    client: Client,
    bucket: String,
    full: String,
    what: String,
    kms_key_id: Option<String>,
}

impl S3Store {
    fn writer(&self, key: &str) -> Writer {
        Writer {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            full: self.full(key),
            what: self.describe(key),
            kms_key_id: self.options.kms_key_id.clone(),
        }
    }
}

/// A conditional, encrypted write.
async fn put_async(
    w: Writer,
    data: Vec<u8>,
    condition: Precondition,
) -> Result<Version, StoreError> {
    let mut req = w
        .client
        .put_object()
        .bucket(&w.bucket)
        .key(&w.full)
        .body(ByteStream::from(data));
    req = match &w.kms_key_id {
        Some(id) => req
            .server_side_encryption(ServerSideEncryption::AwsKms)
            .ssekms_key_id(id),
        None => req.server_side_encryption(ServerSideEncryption::Aes256),
    };
    req = match &condition {
        Precondition::Absent => req.if_none_match("*"),
        Precondition::Matches(etag) => req.if_match(etag),
    };
    match req.send().await {
        Ok(out) => Ok(out.e_tag().unwrap_or_default().to_string()),
        // 412: the condition failed; 409: a concurrent conditional write won;
        // 404 on If-Match: the object is gone
        Err(e)
            if matches!(status(&e), Some(412 | 409))
                || (status(&e) == Some(404) && matches!(condition, Precondition::Matches(_))) =>
        {
            let expected = match condition {
                Precondition::Absent => "no object".to_string(),
                Precondition::Matches(v) => format!("etag {v}"),
            };
            Err(StoreError::Conflict {
                key: w.what,
                expected,
            })
        }
        Err(e) => Err(s3_error(&format!("writing {}", w.what), &e)),
    }
}

/// A lease this process holds: renewed every third of its length until dropped, then released.
struct S3Lease {
    writer: Writer,
    record: LeaseRecord,
    etag: Arc<Mutex<String>>,
    lost: Arc<AtomicBool>,
    renewer: tokio::task::JoinHandle<()>,
    runtime: Arc<Runtime>,
}

impl S3Lease {
    fn start(
        writer: Writer,
        record: LeaseRecord,
        etag: String,
        ttl: Duration,
        runtime: Arc<Runtime>,
    ) -> Self {
        let etag = Arc::new(Mutex::new(etag));
        let lost = Arc::new(AtomicBool::new(false));
        let renewer = {
            let (writer, record, etag, lost) =
                (writer.clone(), record.clone(), etag.clone(), lost.clone());
            runtime.spawn(async move {
                loop {
                    tokio::time::sleep(ttl / 3).await;
                    let current = etag.lock().map(|e| e.clone()).unwrap_or_default();
                    let renewed = record.renewed(ttl).to_bytes();
                    match put_async(writer.clone(), renewed, Precondition::Matches(current)).await {
                        Ok(new) => {
                            if let Ok(mut e) = etag.lock() {
                                *e = new;
                            }
                        }
                        Err(_) => {
                            lost.store(true, Ordering::SeqCst);
                            return;
                        }
                    }
                }
            })
        };
        S3Lease {
            writer,
            record,
            etag,
            lost,
            renewer,
            runtime,
        }
    }
}

impl ApplyLock for S3Lease {
    /// Read again before every write: a lease broken or taken over since the last renewal is
    /// seen here, not only at the next renewal.
    fn check(&self) -> Result<(), StoreError> {
        let lost = || StoreError::LeaseLost {
            what: self.writer.what.clone(),
        };
        if self.lost.load(Ordering::SeqCst) {
            return Err(lost());
        }
        let ours = || self.etag.lock().map(|e| e.clone()).unwrap_or_default();
        // a renewal may land while the lease is read: either version is ours
        let before = ours();
        let now = self.runtime.block_on(S3Store::get_async(
            self.writer.client.clone(),
            self.writer.bucket.clone(),
            self.writer.full.clone(),
            self.writer.what.clone(),
        ))?;
        let seen = now.map(|o| o.version);
        if seen.as_ref() != Some(&before) && seen != Some(ours()) {
            self.lost.store(true, Ordering::SeqCst);
            return Err(lost());
        }
        Ok(())
    }
}

impl Drop for S3Lease {
    fn drop(&mut self) {
        self.renewer.abort();
        if self.lost.load(Ordering::SeqCst) {
            return;
        }
        let current = self.etag.lock().map(|e| e.clone()).unwrap_or_default();
        let released = self.record.released().to_bytes();
        // a lease that cannot be released runs out on its own
        let _ = self.runtime.block_on(put_async(
            self.writer.clone(),
            released,
            Precondition::Matches(current),
        ));
    }
}
