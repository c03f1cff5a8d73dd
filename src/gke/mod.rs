//! GKE: the container v1 API. Render a hardened `CreateClusterRequest`, plan the calls that
//! bring a live cluster to it (one `desired*` field or `set*` call at a time), apply them
//! polling each Operation, and audit clusters as `gcloud … describe --format=json` prints them.

pub mod apply;
pub mod client;
mod ctx;
pub mod discovery;
pub mod load;
pub mod plan;
pub mod render;
pub mod steps;
pub mod view;

pub use ctx::GkeCtx;
pub use view::ClusterView;
