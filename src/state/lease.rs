//! The apply lease of an S3 store: one small object per cluster at the store root
//! (`.palisade-lease-CLUSTER`, outside every `CLUSTER/` prefix), saying who holds it and until
//! when. It is taken with a create-only write (`If-None-Match: *`), renewed by its holder
//! before it runs out and released by a write marking it released, both with `If-Match`, and
//! taken over with `If-Match` once expired or released. So two applies never interleave, and an
//! apply that died holding the lease blocks others only until the lease runs out, never for
//! good (the stale-lock problem of a plain lock object). Expiry is judged on each client's
//! clock: clocks that disagree by more than a small part of the lease's length weaken it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// How long a lease lasts without renewal unless `PALISADE_LEASE_SECONDS` says otherwise;
/// the holder renews it every third of that.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// The longest a lease may be set to last (`PALISADE_LEASE_SECONDS` at most).
pub const MAX_LEASE: Duration = Duration::from_secs(3600);

/// The key of `cluster`'s lease, relative to the store.
pub fn lease_key(cluster: &str) -> String {
    format!(".palisade-lease-{cluster}")
}

/// What a lease object holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaseRecord {
    /// `user@host, pid N`: for the person who finds it held.
    pub holder: String,
    /// Random, per apply: tells one holder's lease from another's.
    pub id: String,
    /// Seconds since the Unix epoch.
    pub acquired: u64,
    pub expires: u64,
    #[serde(default)]
    pub released: bool,
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Who this process is, for a lease it takes.
pub fn holder() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into());
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).take(64).collect() };
    format!(
        "{}@{}, pid {}",
        clean(&user),
        clean(&host),
        std::process::id()
    )
}

impl LeaseRecord {
    pub fn new(holder: &str, id: &str, ttl: Duration) -> Self {
        let now = now();
        LeaseRecord {
            holder: holder.to_string(),
            id: id.to_string(),
            acquired: now,
            expires: now + ttl.as_secs().max(1),
            released: false,
        }
    }

    /// The same lease, running `ttl` from now.
    pub fn renewed(&self, ttl: Duration) -> Self {
        LeaseRecord {
            expires: now() + ttl.as_secs().max(1),
            ..self.clone()
        }
    }

    pub fn released(&self) -> Self {
        LeaseRecord {
            released: true,
            ..self.clone()
        }
    }

    /// Whether another apply may take it now: released, run out, or claiming to run further
    /// ahead than any lease may ([`MAX_LEASE`]; a lease written by hand to block for good).
    pub fn is_free(&self) -> bool {
        let now = now();
        self.released || self.expires <= now || self.expires > now + MAX_LEASE.as_secs()
    }

    pub fn parse(data: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(data).map_err(|e| format!("not a Palisade lease: {e}"))
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// `held by H since T, for N more seconds` (or released / expired). The holder and id
    /// are shown printable and bounded: the object is anyone's to write.
    pub fn describe(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .take(80)
                .collect()
        };
        let (holder, id) = (clean(&self.holder), clean(&self.id));
        let now = now();
        let since = now.saturating_sub(self.acquired);
        if self.released {
            format!("released by {holder} (lease {id})")
        } else if self.expires <= now {
            format!(
                "held by {holder} (lease {id}), expired {} s ago",
                now - self.expires
            )
        } else if self.expires > now + MAX_LEASE.as_secs() {
            format!("held by {holder} (lease {id}) until a time no lease may reach: free to take")
        } else {
            format!(
                "held by {holder} (lease {id}) for {since} s, {} s left unless renewed",
                self.expires - now
            )
        }
    }
}

/// A new random lease id.
pub fn new_id() -> Result<String, String> {
    let bytes = crate::secrets::random_bytes::<8>()?;
    Ok(bytes.expose().iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_is_free_once_expired_or_released() {
        let l = LeaseRecord::new("me", "1", Duration::from_secs(60));
        assert!(!l.is_free());
        assert!(l.released().is_free());
        let old = LeaseRecord {
            expires: now() - 1,
            ..l.clone()
        };
        assert!(old.is_free());
        assert_eq!(LeaseRecord::parse(&l.to_bytes()), Ok(l.clone()));
        assert!(LeaseRecord::parse(b"{\"holder\": 1}").is_err());
        assert!(l.describe().contains("s left"));
        // a lease written to run for a century is free, and what it says is printable
        let forever = LeaseRecord {
            holder: "h\u{1b}[2K\u{1b}[1Afake".into(),
            expires: now() + 100 * 365 * 86400,
            ..l
        };
        assert!(forever.is_free());
        assert!(
            !forever.describe().contains('\u{1b}'),
            "{}",
            forever.describe()
        );
    }
}
