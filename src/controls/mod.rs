//! The control catalogue: every security control Palisade knows, one file each.
//!
//! A control has two halves that must agree: **apply** sets the fields it needs in a spec, and
//! **check** judges a spec. `render` and `harden` use apply, `audit` uses check, and the tests
//! hold that whatever apply produces passes check.

mod common;
mod gke_common;
mod params;
mod registry;
mod types;

pub mod api_server;
pub mod guardrails;
pub mod kubelet;
pub mod logging;
pub mod network;
pub mod nodes;
pub mod secrets;
pub mod state;
pub mod workloads;

pub use params::{ParamSpec, ParamValue, Params};
pub use registry::{all, find, is_known};
pub use types::{
    ApplyCtx, Check, Control, GkeRule, KopsRule, LiveRule, Mode, NotOnKops, Reference, Severity,
    Status, StoreRule, Verdict,
};
