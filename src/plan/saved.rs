//! A saved plan (`plan --out`): the plan's intent, sealed with a SHA-256 digest of its content.
//!
//! What the digest protects against: a file corrupted, cut short or edited by hand after it was
//! saved. What it does not: it is not a signature, so whoever can write the file can compute a
//! new digest. That is why apply never trusts the file's account of itself: it derives every
//! change it shows from the intent and the store, checks every document it will write, and
//! judges the result with the controls again before its first write.

use ring::digest::{digest, SHA256};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::model::{Intent, FORMAT_VERSION};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedPlan {
    format_version: u32,
    /// `sha256:HEX` of the intent's canonical JSON.
    digest: String,
    plan: Intent,
}

#[derive(Debug, Error)]
pub enum SavedError {
    #[error("{what} is not a saved Palisade plan: {reason}")]
    NotAPlan { what: String, reason: String },
    #[error("{what} was saved in plan format {found}; this version of Palisade reads format {FORMAT_VERSION}: make the plan again")]
    Format { what: String, found: String },
    #[error("{what} does not match its digest: it was corrupted or edited after it was saved; make the plan again")]
    Digest { what: String },
    #[error("cannot encode the plan: {0}")]
    Encode(String),
}

/// `sha256:HEX` of the intent as this version encodes it (struct order, sorted maps).
fn digest_of(intent: &Intent) -> Result<String, SavedError> {
    let bytes = serde_json::to_vec(intent).map_err(|e| SavedError::Encode(e.to_string()))?;
    let hex: String = digest(&SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(format!("sha256:{hex}"))
}

/// The text `plan --out` writes.
pub fn seal(intent: &Intent) -> Result<String, SavedError> {
    let saved = SavedPlan {
        format_version: FORMAT_VERSION,
        digest: digest_of(intent)?,
        plan: intent.clone(),
    };
    serde_json::to_string_pretty(&saved)
        .map(|t| t + "\n")
        .map_err(|e| SavedError::Encode(e.to_string()))
}

/// Reads a saved plan (`what` names it in errors): its format, then its digest.
pub fn open(text: &str, what: &str) -> Result<Intent, SavedError> {
    let not_a_plan = |reason: String| SavedError::NotAPlan {
        what: what.to_string(),
        reason,
    };
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| not_a_plan(e.to_string()))?;
    match value.get("format_version") {
        Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        Some(v) => {
            let shown: String = v
                .to_string()
                .chars()
                .filter(|c| !c.is_control())
                .take(24)
                .collect();
            return Err(SavedError::Format {
                what: what.to_string(),
                found: shown,
            });
        }
        None => return Err(not_a_plan("it has no format_version".into())),
    }
    // from the text, so that errors carry its line and column
    let saved: SavedPlan = serde_json::from_str(text).map_err(|e| not_a_plan(e.to_string()))?;
    if digest_of(&saved.plan)? != saved.digest {
        return Err(SavedError::Digest {
            what: what.to_string(),
        });
    }
    Ok(saved.plan)
}

/// Recomputes the digest of a saved plan's text: what anyone who can write the file can do,
/// which is why apply checks the intent itself. For tests and tools that edit plans on purpose.
pub fn reseal(text: &str) -> Result<String, SavedError> {
    let saved: SavedPlan = serde_json::from_str(text).map_err(|e| SavedError::NotAPlan {
        what: "the plan".into(),
        reason: e.to_string(),
    })?;
    seal(&saved.plan)
}
