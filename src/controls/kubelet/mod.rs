//! Controls on the kubelet: who may call its API, and what it listens on.
pub mod anonymous_auth;
pub mod read_only_port;
pub mod webhook_auth;
