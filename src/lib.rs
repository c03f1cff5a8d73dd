//! Palisade: Kubernetes clusters (kops on AWS, GKE) that are secure from day one.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`].

pub mod audit;
pub mod aws;
pub mod cli;
pub mod cluster_file;
pub mod controls;
pub mod fleet;
pub mod gke;
pub mod guardrails;
pub mod input;
pub mod kops;
pub mod markdown;
pub mod plan;
pub mod profile;
pub mod provider;
pub mod render;
pub mod secrets;
pub mod source_map;
pub mod state;
pub mod trace;
pub mod version;
pub mod wizard;
pub mod yaml;
