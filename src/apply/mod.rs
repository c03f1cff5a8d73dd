//! Apply: carry out a plan against a state store.
mod kops;

pub use kops::{apply, apply_with_progress, Applied, ApplyError};
