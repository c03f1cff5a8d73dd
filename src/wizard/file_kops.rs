//! The `kops:` section and the access a kops cluster file gets.

use super::answers::{CommonAnswers, KopsAnswers, SshAccess, StateStore};
use super::file::{line, list, q};

pub(super) fn write(t: &mut String, k: &KopsAnswers, c: &CommonAnswers) {
    if c.profile == "strict" {
        line(t, "# strict: baseline plus IRSA, an internal API load balancer, TLS 1.3 and restricted pods");
    } else {
        line(t, "# baseline: RBAC, audit logging, kubelet auth, Calico network policy, private subnets,");
        line(t, "# IMDSv2 with hop limit 1, Secrets encrypted at rest, TLS 1.2+ (palisade profiles show baseline)");
    }
    line(t, &format!("profile: {}", c.profile));
    line(t, "kops:");
    line(t, "  cloud: aws");
    line(t, &format!("  region: {}", k.region));
    line(t, &format!("  zones: {}", list(&k.zones)));
    line(t, &format!("  kubernetesVersion: {}", k.kubernetes_version));
    line(t, "  # split in eight: utility subnets (load balancers, NAT, bastion), then a private /19 per zone");
    line(t, "  networkCIDR: 10.0.0.0/16");
    match &k.dns_zone {
        Some(z) => line(t, &format!("  dnsZone: {}", q(z))),
        None => line(
            t,
            "  # no dnsZone: the cluster uses no DNS; kubeconfig points at the load balancer",
        ),
    }
    state_store(t, &k.state_store);
    line(t, "  controlPlane:");
    if k.control_plane_count == 3 {
        line(
            t,
            "    # three nodes in three zones: the API survives the loss of one",
        );
    } else {
        line(
            t,
            "    # one node: cheaper; while it is down the API is down",
        );
    }
    line(t, &format!("    count: {}", k.control_plane_count));
    line(t, &format!("    machineType: {}", k.control_plane_type));
    line(t, "  nodeGroups:");
    line(t, "  - name: nodes");
    line(t, &format!("    machineType: {}", k.node_type));
    line(t, &format!("    minSize: {}", k.nodes_min));
    line(t, &format!("    maxSize: {}", k.nodes_max));
    if let SshAccess::Bastion { .. } = k.ssh {
        line(t, "  # the only SSH entry point, in the utility subnets");
        line(t, "  bastion: {machineType: t3.micro}");
    }
    if let Some(store) = &k.discovery_store {
        line(
            t,
            "  # IRSA: workloads get AWS roles of their own instead of the node's (control irsa)",
        );
        line(t, &format!("  discoveryStore: {}", q(store)));
    }
    line(t, "access:");
    line(
        t,
        "  # only these networks reach the Kubernetes API (control api-access-restricted)",
    );
    line(t, &format!("  apiCidrs: {}", list(&c.api_cidrs)));
    match &k.ssh {
        SshAccess::None => line(
            t,
            "  # no sshCidrs: no SSH from outside the VPC (control ssh-access-restricted)",
        ),
        SshAccess::Bastion { cidrs } => {
            line(t, "  # only these networks reach the bastion over SSH (control ssh-access-restricted)");
            line(t, &format!("  sshCidrs: {}", list(cidrs)));
        }
    }
}

fn state_store(t: &mut String, s: &StateStore) {
    match s {
        StateStore::S3 { url, region } => {
            line(t, "  # kops keeps the cluster here (configuration, secrets); the nodes read their configuration from it");
            line(t, &format!("  stateStore: {}", q(url)));
            line(t, &format!("  stateStoreRegion: {region}"));
        }
        StateStore::Local => {
            line(t, "  # no stateStore: plan and apply use file://./.palisade/state (or $KOPS_STATE_STORE), enough to");
            line(t, "  # review a plan; kops cannot run a cluster from a file:// store (the nodes read their configuration");
            line(t, "  # from it): set s3://BUCKET here, or `palisade apply --state s3://BUCKET` writes the same objects there");
        }
    }
}
