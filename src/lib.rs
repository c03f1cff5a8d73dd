//! Palisade: Kubernetes clusters (kops on AWS, GKE) that are secure from day one.
//!
//! The library holds everything; `main.rs` only calls [`cli::run`].

pub mod audit;
pub mod cli;
pub mod cluster_file;
pub mod controls;
pub mod kops;
pub mod profile;
pub mod source_map;
