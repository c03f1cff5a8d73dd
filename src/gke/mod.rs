//! The GKE document model: a read view over a container v1 `Cluster` (JSON, enum names), the
//! discovery facts requests are checked against, and what the controls' GKE halves draw on.
//! The pipeline that renders, plans, applies and audits live clusters is `provider::gke`.

pub mod autopilot;
mod ctx;
pub mod discovery;
pub mod view;

pub use ctx::GkeCtx;
pub use view::ClusterView;
