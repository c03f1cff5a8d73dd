//! Controls on the machines: instance metadata, IAM, disks.
pub mod cos_containerd;
pub mod etcd_volume_encryption;
pub mod iam_legacy_off;
pub mod integrity_monitoring;
pub mod irsa;
pub mod metadata_api_blocked;
pub mod node_auto_repair;
pub mod node_auto_upgrade;
pub mod node_service_account;
pub mod release_channel;
pub mod secure_boot;
pub mod shielded_nodes;
