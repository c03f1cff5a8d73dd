//! The one list of controls. Adding a control adds one line here.

use super::types::Control;
use super::{api_server, kubelet, logging, network, nodes, secrets};

static ALL: &[&Control] = &[
    &api_server::rbac::CONTROL,
    &api_server::anonymous_auth::CONTROL,
    &kubelet::anonymous_auth::CONTROL,
    &kubelet::webhook_auth::CONTROL,
    &kubelet::read_only_port::CONTROL,
    &api_server::kubelet_certificate_authority::CONTROL,
    &logging::audit_logging::CONTROL,
    &network::api_access_restricted::CONTROL,
    &network::ssh_access_restricted::CONTROL,
    &network::network_policy::CONTROL,
    &network::private_topology::CONTROL,
    &network::api_load_balancer_class::CONTROL,
    &network::api_load_balancer_internal::CONTROL,
    &nodes::metadata_api_blocked::CONTROL,
    &nodes::iam_legacy_off::CONTROL,
    &nodes::etcd_volume_encryption::CONTROL,
    &nodes::irsa::CONTROL,
    &secrets::encryption_at_rest::CONTROL,
    &api_server::profiling_disabled::CONTROL,
    &api_server::tls_min_version::CONTROL,
    &api_server::pod_security_admission::CONTROL,
];

/// Every control, in catalogue order.
pub fn all() -> &'static [&'static Control] {
    ALL
}

pub fn find(id: &str) -> Option<&'static Control> {
    ALL.iter().copied().find(|c| c.id == id)
}
