//! Reading the files a user points Palisade at: only regular files (a FIFO or a device would
//! block or never end), never more than a documented limit per kind of input, so that no input
//! can grow memory without bound.

use std::io::Read;
use std::path::Path;

use thiserror::Error;

/// A kind of input, with its size limit.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub what: &'static str,
    pub limit: u64,
}

pub const CLUSTER_FILE: Kind = Kind {
    what: "a cluster file",
    limit: 1 << 20,
};
pub const PROFILE: Kind = Kind {
    what: "a profile",
    limit: 1 << 20,
};
pub const SSH_PUBLIC_KEY: Kind = Kind {
    what: "an SSH public key",
    limit: 16 << 10,
};
pub const KOPS_SPEC: Kind = Kind {
    what: "a kops spec",
    limit: 16 << 20,
};
pub const GKE_JSON: Kind = Kind {
    what: "a GKE cluster JSON file",
    limit: 64 << 20,
};
pub const SAVED_PLAN: Kind = Kind {
    what: "a saved plan",
    limit: 64 << 20,
};

/// Every kind, for the documentation and its test.
pub const ALL: &[Kind] = &[
    CLUSTER_FILE,
    PROFILE,
    SSH_PUBLIC_KEY,
    KOPS_SPEC,
    GKE_JSON,
    SAVED_PLAN,
];

#[derive(Debug, Error)]
pub enum InputError {
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{path}: not a regular file; {what} is read from a file")]
    NotAFile { path: String, what: &'static str },
    #[error("{path}: larger than {limit} bytes, the limit for {what}")]
    TooLarge {
        path: String,
        what: &'static str,
        limit: u64,
    },
    #[error("{path}: not UTF-8 text")]
    NotText { path: String },
}

impl InputError {
    /// What went wrong, without the path (for errors that name the path themselves).
    pub fn reason(&self) -> String {
        match self {
            InputError::Io { reason, .. } => reason.clone(),
            InputError::NotAFile { what, .. } => {
                format!("not a regular file; {what} is read from a file")
            }
            InputError::TooLarge { what, limit, .. } => {
                format!("larger than {limit} bytes, the limit for {what}")
            }
            InputError::NotText { .. } => "not UTF-8 text".into(),
        }
    }
}

/// The text of `path`, a regular file of at most `kind.limit` bytes.
pub fn read_text(path: &Path, kind: Kind) -> Result<String, InputError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| InputError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(InputError::NotAFile {
            path: shown,
            what: kind.what,
        });
    }
    let mut data = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(kind.limit + 1)
        .read_to_end(&mut data)
        .map_err(io)?;
    if data.len() as u64 > kind.limit {
        return Err(InputError::TooLarge {
            path: shown,
            what: kind.what,
            limit: kind.limit,
        });
    }
    String::from_utf8(data).map_err(|_| InputError::NotText { path: shown })
}
