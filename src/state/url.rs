//! State store URLs: `file://PATH` and `s3://BUCKET[/PREFIX]`.

use std::path::PathBuf;

use super::s3::{S3Options, S3Store};
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

/// Opens the store at `url` with default S3 settings.
pub fn open(url: &str) -> Result<Box<dyn StateStore>, StoreError> {
    open_with(url, &S3Options::default())
}

/// Opens the store at `url`; `s3` applies to `s3://` stores.
pub fn open_with(url: &str, s3: &S3Options) -> Result<Box<dyn StateStore>, StoreError> {
    match StateUrl::parse(url)? {
        StateUrl::File(path) => {
            // a relative path names the store from the working directory: the plan records
            // the absolute one, so that it applies to the same store from anywhere
            let path = std::path::absolute(&path).map_err(|e| StoreError::BadUrl {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
            let resolved = format!("file://{}", path.display());
            Ok(Box::new(FileStore::open(&resolved, path)?))
        }
        StateUrl::S3 { bucket, prefix } => {
            Ok(Box::new(S3Store::open(url, &bucket, &prefix, s3.clone())?))
        }
    }
}
