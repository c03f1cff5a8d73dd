//! State store URLs: `file://PATH` today; `s3://BUCKET[/PREFIX]` is refused with a clear
//! message until the S3 store lands.

use std::path::PathBuf;

use super::{FileStore, StateStore, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateUrl {
    File(PathBuf),
    S3 { bucket: String, prefix: String },
}

impl StateUrl {
    pub fn parse(url: &str) -> Result<StateUrl, StoreError> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        if let Some(path) = url.strip_prefix("file://") {
            if path.is_empty() {
                return Err(bad("file:// needs a path, e.g. file://./.palisade/state"));
            }
            return Ok(StateUrl::File(PathBuf::from(path)));
        }
        if let Some(rest) = url.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad("s3:// needs a bucket, e.g. s3://my-kops-state"));
            }
            return Ok(StateUrl::S3 {
                bucket: bucket.into(),
                prefix: prefix.trim_matches('/').into(),
            });
        }
        Err(bad("expected file://PATH or s3://BUCKET[/PREFIX]"))
    }
}

/// Opens the store at `url`.
pub fn open(url: &str) -> Result<Box<dyn StateStore>, StoreError> {
    match StateUrl::parse(url)? {
        StateUrl::File(path) => Ok(Box::new(FileStore::open(url, path)?)),
        StateUrl::S3 { .. } => Err(StoreError::BadUrl {
            url: url.to_string(),
            reason: "the S3 state store is not built yet; use a file:// store for now".into(),
        }),
    }
}
