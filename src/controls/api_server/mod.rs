//! Controls on the Kubernetes API server's own settings.
pub mod anonymous_auth;
pub mod basic_auth_off;
pub mod client_certificate_off;
pub mod insecure_rbac_bindings_off;
pub mod kubelet_certificate_authority;
pub mod pod_security_admission;
pub mod profiling_disabled;
pub mod rbac;
pub mod tls_min_version;
