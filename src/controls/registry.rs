//! The one list of controls. Adding a control adds one line here.

use super::types::Control;
use super::{api_server, guardrails, kubelet, logging, network, nodes, secrets, state, workloads};

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
    &network::nodeport_access_restricted::CONTROL,
    &network::network_policy::CONTROL,
    &network::private_topology::CONTROL,
    &network::api_load_balancer_class::CONTROL,
    &network::api_load_balancer_internal::CONTROL,
    &nodes::metadata_api_blocked::CONTROL,
    &nodes::iam_legacy_off::CONTROL,
    &nodes::etcd_volume_encryption::CONTROL,
    &nodes::irsa::CONTROL,
    &secrets::encryption_at_rest::CONTROL,
    &state::state_store_protected::CONTROL,
    &api_server::profiling_disabled::CONTROL,
    &api_server::tls_min_version::CONTROL,
    &api_server::pod_security_admission::CONTROL,
    // GKE only
    &api_server::basic_auth_off::CONTROL,
    &api_server::client_certificate_off::CONTROL,
    &api_server::insecure_rbac_bindings_off::CONTROL,
    &network::vpc_native::CONTROL,
    &network::private_endpoint::CONTROL,
    &network::intranode_visibility::CONTROL,
    &nodes::shielded_nodes::CONTROL,
    &nodes::secure_boot::CONTROL,
    &nodes::integrity_monitoring::CONTROL,
    &nodes::node_service_account::CONTROL,
    &nodes::cos_containerd::CONTROL,
    &nodes::node_auto_upgrade::CONTROL,
    &nodes::node_auto_repair::CONTROL,
    &nodes::release_channel::CONTROL,
    &workloads::binary_authorization::CONTROL,
    &workloads::security_posture::CONTROL,
    &guardrails::namespace_pod_security::CONTROL,
    &guardrails::default_deny_network_policy::CONTROL,
    &guardrails::service_type_restricted::CONTROL,
    &guardrails::image_pinned::CONTROL,
    &guardrails::service_account_token_automount::CONTROL,
];

/// Every control, in catalogue order.
pub fn all() -> &'static [&'static Control] {
    ALL
}

pub fn find(id: &str) -> Option<&'static Control> {
    ALL.iter().copied().find(|c| c.id == id)
}

/// Whether `id` names a control of the catalogue.
pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
