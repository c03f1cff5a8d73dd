//! Writing a kops plan: ordered, conditional writes under the apply lock.
//!
//! Order: secrets (create-only) → SSH key → instance groups → `config`, the commit point. So a
//! store never holds a `config` with `encryptionConfig: true` whose secret is missing, and an
//! apply stopped anywhere is completed by the next one. Before anything is written, every
//! version the plan was based on is checked again: a stale plan writes nothing.

use thiserror::Error;

use super::plan::rank;
use crate::plan::{Action, Plan};
use crate::secrets::{encryption_config, kops_secret_json};
use crate::state::{ApplyLock, Layout, Precondition, StateStore, StoreError};

#[derive(Debug, Error)]
pub enum ApplyError {
    #[error("{key} changed in {url} since the plan was made; nothing was written. Run plan again")]
    Stale { key: String, url: String },
    #[error("the plan is for {planned}, but the state store is {url}")]
    WrongStore { planned: String, url: String },
    #[error("{key}: the plan has no content to write; make the plan again")]
    Missing { key: String },
    #[error("cannot generate the encryption key: {0}")]
    Random(String),
    #[error("{cause} ({written} of {total} writes done; apply again to finish, after plan)")]
    Write {
        cause: StoreError,
        written: usize,
        total: usize,
    },
    #[error("everything planned was written, but {keys} changed meanwhile: something wrote to the store without taking the apply lease; run plan again to see the result")]
    Interleaved { keys: String },
    #[error("the plan would write {key}: {why}; nothing was written")]
    ForeignKey { key: String, why: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an apply wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub keys: Vec<String>,
}

/// Applies `plan` to `store`.
pub fn apply(plan: &Plan, store: &dyn StateStore) -> Result<Applied, ApplyError> {
    apply_with_progress(plan, store, &mut |_| {})
}

/// As [`apply`], calling `progress` with each key once it is written.
pub fn apply_with_progress(
    plan: &Plan,
    store: &dyn StateStore,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, ApplyError> {
    check_keys(plan, store)?;
    let lock = store.lock(&plan.intent.cluster)?;
    write_all(plan, store, lock.as_ref(), progress)
}

/// The store and keys a plan names, checked before the lock is taken.
fn check_keys(plan: &Plan, store: &dyn StateStore) -> Result<(), ApplyError> {
    if plan.intent.state != store.url() {
        return Err(ApplyError::WrongStore {
            planned: plan.intent.state.clone(),
            url: store.url().to_string(),
        });
    }
    // every key the plan names must be one of this cluster's kops keys, checked before the
    // first write (a saved plan is a file anyone with the repository can edit)
    let layout = Layout {
        cluster: &plan.intent.cluster,
    };
    for key in plan
        .changes
        .iter()
        .map(|c| &c.key)
        .chain(plan.intent.base.keys())
        .chain(plan.intent.writes.keys())
    {
        layout.owns(key).map_err(|why| ApplyError::ForeignKey {
            key: key.clone(),
            why,
        })?;
    }
    Ok(())
}

/// As [`apply_with_progress`], under a lock the caller already holds (taken before the plan
/// read the store, so that no other apply ran in between); checked before every write.
pub fn apply_held(
    plan: &Plan,
    store: &dyn StateStore,
    lock: &dyn ApplyLock,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, ApplyError> {
    check_keys(plan, store)?;
    write_all(plan, store, lock, progress)
}

/// The writes, under `lock`, once the store and keys are checked.
fn write_all(
    plan: &Plan,
    store: &dyn StateStore,
    lock: &dyn ApplyLock,
    progress: &mut dyn FnMut(&str),
) -> Result<Applied, ApplyError> {
    let keys: Vec<String> = plan.intent.base.keys().cloned().collect();
    let now = store.get_many(&keys)?;
    for (key, object) in keys.iter().zip(now) {
        if object.map(|o| o.version) != plan.intent.base.get(key).cloned().flatten() {
            return Err(ApplyError::Stale {
                key: key.clone(),
                url: store.url().to_string(),
            });
        }
    }
    let mut changes: Vec<_> = plan.changes.iter().collect();
    changes.sort_by_key(|c| rank(&c.key));
    let total = changes.len();
    let mut applied = Applied::default();
    for c in changes {
        let condition = match (c.action, plan.intent.base.get(&c.key).cloned().flatten()) {
            (Action::Update, Some(v)) => Precondition::Matches(v),
            _ => Precondition::Absent,
        };
        if let Err(cause) = lock.check() {
            return Err(ApplyError::Write {
                cause,
                written: applied.keys.len(),
                total,
            });
        }
        let result = if c.sensitive {
            let provider = plan.encryption_provider.as_deref().unwrap_or("secretbox");
            let config = encryption_config(provider, "palisade-1").map_err(ApplyError::Random)?;
            store.put(&c.key, kops_secret_json(&config).expose(), &condition)
        } else {
            let data = plan
                .intent
                .writes
                .get(&c.key)
                .ok_or_else(|| ApplyError::Missing { key: c.key.clone() })?;
            store.put(&c.key, data.as_bytes(), &condition)
        };
        if let Err(cause) = result {
            return Err(ApplyError::Write {
                cause,
                written: applied.keys.len(),
                total,
            });
        }
        progress(&c.key);
        applied.keys.push(c.key.clone());
    }
    // Conditional writes protect the keys written; the ones only read could still have been
    // changed by an apply running alongside (no lock on S3). Say so rather than stay silent.
    let read_only: Vec<String> = keys
        .iter()
        .filter(|k| !applied.keys.contains(k))
        .cloned()
        .collect();
    let after = store.get_many(&read_only)?;
    let moved: Vec<String> = read_only
        .iter()
        .zip(after)
        .filter(|(k, o)| {
            o.as_ref().map(|o| o.version.clone()) != plan.intent.base.get(*k).cloned().flatten()
        })
        .map(|(k, _)| k.clone())
        .collect();
    if !moved.is_empty() {
        return Err(ApplyError::Interleaved {
            keys: moved.join(", "),
        });
    }
    Ok(applied)
}
