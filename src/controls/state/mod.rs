//! Controls on where the cluster's configuration and secrets are kept: the kops state store.
pub mod state_store_protected;
