//! Apply: carry out a plan against a state store.
mod kops;

pub use kops::{apply, Applied, ApplyError};
