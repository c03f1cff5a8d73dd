//! Key material: generated from the OS CSPRNG (`ring::rand::SystemRandom`), held in a
//! [`Secret`] that never prints, and encoded the way kops stores it.

mod encryption_config;
mod secret;
mod ssh;

pub use encryption_config::{
    check_encryption_config, decode_kops_secret, encryption_config, kops_secret_json, rotate,
};
pub use secret::{random_bytes, Secret};
pub use ssh::fingerprint;
