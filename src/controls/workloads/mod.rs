//! Controls on what may run in the cluster and how it is scanned (GKE).
pub mod binary_authorization;
pub mod security_posture;
