//! kops: render a cluster file into Cluster + InstanceGroup documents, harden an existing spec,
//! plan the store writes and apply them, read what a store holds, and run kops itself.
pub mod addons;
pub mod apply;
pub mod check;
pub mod harden;
pub mod plan;
mod provider;
pub mod render;
pub mod store_bucket;
pub mod stored;
pub mod subnets;
pub mod wrapper;

pub use apply::{apply, apply_held, apply_with_progress, Applied, ApplyError};
pub use plan::{derive, make_plan, observe, PlanError};
pub use provider::{
    live_findings, open_store, region_of, state_url, KopsPlanned, KopsProvider, LEASE_ENV,
};
