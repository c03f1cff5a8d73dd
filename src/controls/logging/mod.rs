//! Controls on what the cluster records.
pub mod audit_logging;
