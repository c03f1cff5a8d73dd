//! Controls on how the cluster keeps its secrets.
pub mod encryption_at_rest;
