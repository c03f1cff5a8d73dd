//! `private-topology`: nodes and control plane live in private subnets.

use crate::controls::common::{group_subnets, subnet_types};
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, Params, Reference, Severity, Status, Verdict,
};
use crate::kops::KopsSpec;
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "private-topology",
    title: "Place the control plane and nodes in private subnets",
    severity: Severity::High,
    family: "network",
    rationale: "Instances in public subnets have public addresses, so every port a security \
                group opens by mistake faces the internet. Private subnets reach out through \
                NAT, and load balancers and the bastion sit in utility subnets.",
    source: "kops docs/topology.md (private topology); GKE hardening guide (private nodes)",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.6.5" },
    ],
    kops_fields: &["spec.subnets[].type", "InstanceGroup spec.subnets"],
    detection: concat!(
        "Fails for every control-plane or node InstanceGroup placed in a Public or Utility \
                subnet (kops gives instances there public addresses); a group with no subnets counts as placed in all of them. \
                Bastions are exempt. Moving groups between public and private subnets changes \
                the subnet topology, which kops cannot do in place, so harden reports it.",
        " GKE: private nodes: networkConfig.defaultEnablePrivateNodes (older clusters: privateClusterConfig.enablePrivateNodes), unless a pool sets networkConfig.enablePrivateNodes false; changed in place with clusters.update desiredDefaultEnablePrivateNodes and nodePools.update (Private Service Connect clusters; VPC-peering ones need a new cluster)."
    ),
    params: &[],
    kops: &Rule,
    gke: Some(&Gke),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

/// Subnet types whose instances get public addresses: kops' Utility subnets hold the load
/// balancers and bastions and give their instances public IPs like Public ones. (DualStack
/// subnets are private IPv4 with IPv6: private.)
const PUBLIC_TYPES: &[&str] = &["Public", "Utility"];

impl KopsRule for Rule {
    fn needs_private_subnets(&self) -> bool {
        true
    }
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let subnets = subnet_types(spec);
        let mut out = Vec::new();
        for ig in spec.instance_groups() {
            if tree::get_str(ig, &["spec", "role"]) == Some("Bastion") {
                continue;
            }
            let object = KopsSpec::object_name(ig);
            let placed = group_subnets(ig, &subnets);
            let public: Vec<&str> = placed
                .iter()
                .filter(|name| {
                    subnets
                        .iter()
                        .any(|(n, t)| n == *name && PUBLIC_TYPES.contains(&t.as_str()))
                })
                .map(String::as_str)
                .collect();
            out.push(if public.is_empty() {
                Check::pass(&object, "spec.subnets", "placed in private subnets")
            } else {
                Check::fail(
                    &object,
                    "spec.subnets",
                    format!("placed in public subnets: {}", public.join(", ")),
                )
            });
        }
        out
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        // The renderer builds private subnets for a new cluster; an existing one cannot move.
        let failing: Vec<String> = self
            .check(spec, params)
            .into_iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| c.object)
            .collect();
        if failing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} sit in public subnets; moving them to private subnets changes the subnet \
             topology, which cannot be done in place: add Private and Utility subnets and new \
             instance groups, then drain the old ones",
            failing.join(", ")
        ))
    }
}

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "networkConfig.defaultEnablePrivateNodes",
            "nodePools[].networkConfig.enablePrivateNodes",
        ]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        let default = cluster
            .flag(&["networkConfig", "defaultEnablePrivateNodes"])
            .or(cluster.flag(&["privateClusterConfig", "enablePrivateNodes"]))
            .unwrap_or(false);
        let pools = cluster.pools();
        if pools.is_empty() {
            let path = "networkConfig.defaultEnablePrivateNodes";
            return vec![if default {
                crate::controls::Check::pass(&object, path, "nodes are private by default")
            } else {
                crate::controls::Check::fail(&object, path, "nodes get external IP addresses")
            }];
        }
        pools
            .iter()
            .map(|pool| {
                let path = "networkConfig.enablePrivateNodes";
                match pool.flag(&["networkConfig", "enablePrivateNodes"]) {
                    Some(true) => crate::controls::Check::pass(
                        &pool.object(),
                        path,
                        "the pool's nodes are private",
                    ),
                    Some(false) => crate::controls::Check::fail(
                        &pool.object(),
                        path,
                        "the pool's nodes get external IP addresses",
                    ),
                    None if default => crate::controls::Check::pass(
                        &pool.object(),
                        path,
                        "the pool's nodes are private (cluster default)",
                    ),
                    None => crate::controls::Check::fail(
                        &pool.object(),
                        path,
                        "the pool's nodes get external IP addresses (cluster default)",
                    ),
                }
            })
            .collect()
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        _: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        use crate::gke::view::{pools_mut, set};
        let private = serde_json::Value::from(true);
        set(
            cluster,
            &["networkConfig", "defaultEnablePrivateNodes"],
            private.clone(),
        );
        // the default reaches new pools only: each pool says it too, so an existing public
        // pool is switched (nodePools.update) rather than left behind
        for pool in pools_mut(cluster) {
            set(
                pool,
                &["networkConfig", "enablePrivateNodes"],
                private.clone(),
            );
        }
        Ok(())
    }
}
