//! Controls on the machines: instance metadata, IAM, disks.
pub mod etcd_volume_encryption;
pub mod iam_legacy_off;
pub mod irsa;
pub mod metadata_api_blocked;
