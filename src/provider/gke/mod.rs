//! GKE: render a hardened `CreateClusterRequest`, plan the calls that bring a live cluster to it
//! (one `desired*` field or `set*` call at a time), apply them polling each Operation, and read
//! clusters as `gcloud … describe --format=json` prints them.

pub mod apply;
pub mod client;
pub mod kube;
pub mod load;
pub mod objects;
pub mod plan;
mod provider;
pub mod render;
pub mod steps;

pub use provider::{live_cluster, live_in_cluster, runtime, GkeProvider};
