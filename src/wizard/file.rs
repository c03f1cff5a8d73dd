//! The cluster file `init` writes, with a short comment on what each hardening choice does.

use std::fmt::Write as _;

use super::answers::{Answers, SshAccess};

fn q(s: &str) -> String {
    // JSON strings are YAML strings: quoting this way is always safe
    serde_json::to_string(s).unwrap_or_default()
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

pub fn cluster_file_text(a: &Answers) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Palisade cluster file, written by `palisade init`. Next: palisade plan -f THIS_FILE"
    );
    let _ = writeln!(t, "# Editors: `palisade schema > palisade.schema.json` and the modeline below check this file as you type.");
    let _ = writeln!(t, "# yaml-language-server: $schema=./palisade.schema.json");
    let _ = writeln!(t, "apiVersion: palisade.dev/v1alpha1");
    let _ = writeln!(t, "kind: Cluster");
    let _ = writeln!(t, "name: {}", q(&a.name));
    if a.profile == "strict" {
        let _ = writeln!(t, "# strict: baseline plus IRSA, an internal API load balancer, TLS 1.3 and restricted pods");
    } else {
        let _ = writeln!(t, "# baseline: RBAC, audit logging, kubelet auth, Calico network policy, private subnets,");
        let _ = writeln!(t, "# IMDSv2 with hop limit 1, Secrets encrypted at rest, TLS 1.2+ (palisade profiles show baseline)");
    }
    let _ = writeln!(t, "profile: {}", a.profile);
    let _ = writeln!(t, "kops:");
    let _ = writeln!(t, "  cloud: aws");
    let _ = writeln!(t, "  region: {}", a.region);
    let _ = writeln!(t, "  zones: {}", list(&a.zones));
    let _ = writeln!(t, "  kubernetesVersion: {}", a.kubernetes_version);
    let _ = writeln!(t, "  # split in eight: utility subnets (load balancers, NAT, bastion), then a private /19 per zone");
    let _ = writeln!(t, "  networkCIDR: 10.0.0.0/16");
    match &a.dns_zone {
        Some(z) => {
            let _ = writeln!(t, "  dnsZone: {}", q(z));
        }
        None => {
            let _ = writeln!(
                t,
                "  # no dnsZone: the cluster uses no DNS; kubeconfig points at the load balancer"
            );
        }
    }
    let _ = writeln!(t, "  controlPlane:");
    if a.control_plane_count == 3 {
        let _ = writeln!(
            t,
            "    # three nodes in three zones: the API survives the loss of one"
        );
    } else {
        let _ = writeln!(
            t,
            "    # one node: cheaper; while it is down the API is down"
        );
    }
    let _ = writeln!(t, "    count: {}", a.control_plane_count);
    let _ = writeln!(t, "    machineType: {}", a.control_plane_type);
    let _ = writeln!(t, "  nodeGroups:");
    let _ = writeln!(t, "  - name: nodes");
    let _ = writeln!(t, "    machineType: {}", a.node_type);
    let _ = writeln!(t, "    minSize: {}", a.nodes_min);
    let _ = writeln!(t, "    maxSize: {}", a.nodes_max);
    if let SshAccess::Bastion { .. } = a.ssh {
        let _ = writeln!(t, "  # the only SSH entry point, in the utility subnets");
        let _ = writeln!(t, "  bastion: {{machineType: t3.micro}}");
    }
    if let Some(store) = &a.discovery_store {
        let _ = writeln!(
            t,
            "  # IRSA: workloads get AWS roles of their own instead of the node's (control irsa)"
        );
        let _ = writeln!(t, "  discoveryStore: {}", q(store));
    }
    let _ = writeln!(t, "access:");
    let _ = writeln!(
        t,
        "  # only these networks reach the Kubernetes API (control api-access-restricted)"
    );
    let _ = writeln!(t, "  apiCidrs: {}", list(&a.api_cidrs));
    match &a.ssh {
        SshAccess::None => {
            let _ = writeln!(
                t,
                "  # no sshCidrs: no SSH from outside the VPC (control ssh-access-restricted)"
            );
        }
        SshAccess::Bastion { cidrs } => {
            let _ = writeln!(t, "  # only these networks reach the bastion over SSH (control ssh-access-restricted)");
            let _ = writeln!(t, "  sshCidrs: {}", list(cidrs));
        }
    }
    if !a.namespaces.is_empty() {
        let _ = writeln!(t, "# the teams' namespaces: Pod Security labels, default-deny network policies, no API token");
        let _ = writeln!(t, "# for the default service account (the guardrail controls); kops applies them with the cluster");
        let _ = writeln!(t, "namespaces:");
        for n in &a.namespaces {
            let _ = writeln!(t, "- name: {}", q(n));
            if a.ingress_namespace.as_ref() == Some(n) {
                let _ = writeln!(
                    t,
                    "  # the only namespace whose Services may be LoadBalancer or NodePort"
                );
                let _ = writeln!(t, "  ingress: true");
            }
        }
    }
    if let Some(reason) = &a.api_waiver_reason {
        let _ = writeln!(t, "# accepted weakenings: shown by every plan and audit");
        let _ = writeln!(t, "waivers:");
        let _ = writeln!(t, "- control: api-access-restricted");
        let _ = writeln!(t, "  reason: {}", q(reason));
    }
    t
}
