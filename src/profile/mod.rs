//! Profiles: which controls a cluster gets, at which level, with which parameters.
//!
//! A profile sets each control to `enforce` (applied; a cluster file that weakens it is refused
//! without a waiver), `audit` (reported, never fails) or `off`. `extends:` chains profiles:
//! the parent first, then the child, a later level replacing an earlier one and parameters
//! merging key by key; `forbidWaivers` lists add up.

mod builtin;
mod resolve;

pub use builtin::{builtin, builtin_names};
pub use resolve::{is_path, resolve, Level, ProfileError, ResolvedProfile, Setting};
