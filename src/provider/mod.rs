//! The two providers' pipelines: what turns a cluster file into provider input, plans it
//! against the current state and carries the plan out. `kops` writes a kops state store;
//! `gke` calls the container v1 API.

pub mod gke;
pub mod kops;
