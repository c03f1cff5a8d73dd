//! Kops state stores: where a cluster's documents and secrets live, laid out exactly as kops
//! lays them out (`CLUSTER/config`, `CLUSTER/instancegroup/NAME`, `CLUSTER/secrets/NAME`,
//! `CLUSTER/pki/ssh/public/admin/FINGERPRINT`).
//!
//! Every write is conditional: create-only, or replace-if-unchanged against the version read.
//! A failed condition means someone else changed the store since it was read.

pub mod bucket;
mod file;
mod layout;
mod lease;
mod s3;
mod url;

use thiserror::Error;

pub use file::FileStore;
pub use layout::{
    check_cluster_name, check_key, is_state_key, Layout, ENCRYPTION_SECRET_NAME, MAX_OBJECT_BYTES,
};
pub use lease::{lease_key, LeaseRecord, DEFAULT_LEASE, MAX_LEASE};
pub use s3::{RequestCounter, S3Options, S3Store};
pub use url::{open, open_with, StateUrl};

/// An opaque object version: a content hash for the file store, an ETag for S3.
pub type Version = String;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub data: Vec<u8>,
    pub version: Version,
}

/// The condition a write carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// The key must not exist.
    Absent,
    /// The key must hold exactly this version.
    Matches(Version),
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{key}: the state changed since it was read (expected {expected}); run plan again")]
    Conflict { key: String, expected: String },
    #[error("{url}: another apply holds the lock ({holder}); wait for it to finish, then run plan again")]
    Locked { url: String, holder: String },
    #[error("{what}: this apply lost its lease (another apply took it over, or the store refused the renewal); it writes nothing more: run plan again")]
    LeaseLost { what: String },
    #[error("{what}: {reason}")]
    Io { what: String, reason: String },
    #[error("{url} keeps no lease to break: a file:// store's apply lock is held by the apply's own process and released when it ends")]
    NoLease { url: String },
    #[error("state store URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },
}

impl StoreError {
    pub fn io(what: impl std::fmt::Display, e: impl std::fmt::Display) -> Self {
        StoreError::Io {
            what: what.to_string(),
            reason: e.to_string(),
        }
    }
}

/// Held while an apply runs; dropping it releases the lock.
pub trait ApplyLock {
    /// Whether it is still held: an apply checks before every write.
    fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Takes the apply lock of `cluster`, waiting up to `timeout` while another apply holds it.
pub fn lock_within(
    store: &dyn StateStore,
    cluster: &str,
    timeout: std::time::Duration,
) -> Result<Box<dyn ApplyLock>, StoreError> {
    let start = std::time::Instant::now();
    loop {
        match store.lock(cluster) {
            Err(StoreError::Locked { .. }) if start.elapsed() < timeout => {
                let left = timeout.saturating_sub(start.elapsed());
                std::thread::sleep(left.min(std::time::Duration::from_millis(500)));
            }
            other => return other,
        }
    }
}

/// Names of the clusters in a store: kops lists a cluster when a key ends in `/config`.
pub fn cluster_names(store: &dyn StateStore) -> Result<Vec<String>, StoreError> {
    Ok(store
        .list("")?
        .into_iter()
        .filter_map(|k| {
            k.strip_suffix("/config")
                .filter(|c| !c.contains('/'))
                .map(str::to_string)
        })
        .collect())
}

/// A kops state store. Keys are relative to the store's base (`CLUSTER/config`).
pub trait StateStore {
    /// The store's URL, as the user gave it.
    fn url(&self) -> &str;
    /// Keys under `prefix`, sorted.
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    fn get(&self, key: &str) -> Result<Option<Object>, StoreError>;
    /// Several objects; stores that can read concurrently do.
    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Object>>, StoreError> {
        keys.iter().map(|k| self.get(k)).collect()
    }
    /// Writes `data` if `condition` holds; returns the new version.
    fn put(&self, key: &str, data: &[u8], condition: &Precondition) -> Result<Version, StoreError>;
    /// Takes the apply lock of `cluster`, failing at once if another apply holds it.
    fn lock(&self, cluster: &str) -> Result<Box<dyn ApplyLock>, StoreError>;
    /// The lease of `cluster` and its version, for `force-unlock` (stores with leases only).
    fn lease(&self, _cluster: &str) -> Result<Option<(LeaseRecord, Version)>, StoreError> {
        Err(StoreError::NoLease {
            url: self.url().to_string(),
        })
    }
    /// Breaks the lease of `cluster` if it is still at `version`.
    fn break_lease(&self, _cluster: &str, _version: &Version) -> Result<(), StoreError> {
        Err(StoreError::NoLease {
            url: self.url().to_string(),
        })
    }
}
