//! `api-access-restricted`: only named networks reach the Kubernetes API.

use crate::controls::common::cluster_object;
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, LiveRule, Params, Reference, Severity, Status,
};
use crate::kops::live::LiveState;
use crate::kops::KopsSpec;
use crate::yaml::tree;

const PATH: [&str; 2] = ["spec", "kubernetesApiAccess"];

pub static CONTROL: Control = Control {
    id: "api-access-restricted",
    title: "Restrict access to the Kubernetes API to named CIDRs",
    severity: Severity::Critical,
    family: "network",
    rationale: "kops opens the API to 0.0.0.0/0 and ::/0 by default. An API reachable from \
                everywhere is one leaked credential or one API server bug away from compromise.",
    source:
        "kops docs/security.md (restrict API access); GKE hardening guide (authorized networks)",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.6.3" },
    ],
    kops_fields: &["spec.kubernetesApiAccess"],
    detection: concat!(
        "Fails when spec.kubernetesApiAccess is unset or empty, opens more than one /8 of \
                public IPv4 space or one /32 of public IPv6 space (judged on the union of its \
                entries, so 0.0.0.0/1 + 128.0.0.0/1 is the whole internet; private and \
                special-purpose ranges count for nothing), or holds an entry that is not a \
                canonical CIDR or an AWS prefix list.",
        " GKE: passes when the control plane has no public IP endpoint; otherwise authorized networks (controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig, or the deprecated masterAuthorizedNetworksConfig) must be enabled, list only CIDRs that together open no more than one /8 of public IPv4 (or one /32 of IPv6), and set gcpPublicCidrsAccessEnabled false (unset lets any Google Cloud VM in); changed in place with clusters.update desiredControlPlaneEndpointsConfig."
    ),
    params: &[],
    kops: &Rule,
    gke: Some(&Gke),
    live: Some(&Live),
    store: None,
    status: Status::Stable,
};

struct Rule;

/// The live half: the security groups' rules for port 443.
struct Live;

impl LiveRule for Live {
    fn fields(&self) -> &'static [&'static str] {
        &["SecurityGroup IpPermissions (port 443)"]
    }
    fn check(&self, spec: &KopsSpec, live: &LiveState, _: &Params) -> Vec<Check> {
        super::check_live_port(spec, live, 443, "kubernetesApiAccess")
    }
}

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("access.apiCidrs")
    }
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        vec![super::check_access(
            &object,
            &PATH.join("."),
            tree::get_str_list(spec.cluster(), &PATH),
            None,
        )]
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let Some(check) = self.check(spec, params).into_iter().next() else {
            return Ok(());
        };
        super::apply_access(
            spec,
            &PATH,
            &ctx.api_cidrs,
            check,
            "name the networks allowed to reach the API (--api-cidr, or access.apiCidrs in the cluster file)",
        )
    }
}

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fix_field(&self) -> Option<&'static str> {
        Some("access.apiCidrs")
    }
    fn fields(&self) -> &'static [&'static str] {
        &["controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig"]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        let (private, _) = crate::controls::network::private_endpoint::no_public_endpoint(cluster);
        let (block, path) = if cluster.get(&["controlPlaneEndpointsConfig"]).is_some() {
            (
                cluster.get(&[
                    "controlPlaneEndpointsConfig",
                    "ipEndpointsConfig",
                    "authorizedNetworksConfig",
                ]),
                "controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig",
            )
        } else {
            (
                cluster.get(&["masterAuthorizedNetworksConfig"]),
                "masterAuthorizedNetworksConfig",
            )
        };
        if private {
            return vec![crate::controls::Check::pass(
                &object,
                path,
                "the control plane has no public IP endpoint",
            )];
        }
        let flag = |k: &str| {
            block
                .and_then(|b| b.get(k))
                .and_then(serde_json::Value::as_bool)
        };
        let cidrs: Vec<&str> = block
            .and_then(|b| b.get("cidrBlocks"))
            .and_then(serde_json::Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(|c| c.get("cidrBlock").and_then(serde_json::Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        let open: Vec<&str> = cidrs
            .iter()
            .copied()
            .filter(|c| c.parse::<ipnet::IpNet>().is_ok_and(|n| n.prefix_len() == 0))
            .collect();
        let exposure = crate::cluster_file::Exposure::of(cidrs.iter().copied());
        let entries = block
            .and_then(|b| b.get("cidrBlocks"))
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        vec![if flag("enabled") != Some(true) {
            crate::controls::Check::fail(
                &object,
                path,
                "the public endpoint is open to the internet: authorized networks are not enabled",
            )
        } else if !open.is_empty() {
            crate::controls::Check::fail(
                &object,
                path,
                format!(
                    "authorized networks include {}, the whole internet",
                    crate::cluster_file::Exposure::excerpt(open.iter().copied())
                ),
            )
        } else if exposure.is_open() {
            crate::controls::Check::fail(
                &object,
                path,
                format!(
                    "authorized networks ({}) together open {}: more than {}",
                    crate::cluster_file::Exposure::excerpt(cidrs.iter().copied()),
                    exposure.describe(),
                    crate::cluster_file::Exposure::limit()
                ),
            )
        } else if let Some(bad) = exposure.unparsable.first() {
            crate::controls::Check::fail(
                &object,
                &format!("{path}.cidrBlocks"),
                format!(
                    "authorized network \"{}\" is not a CIDR",
                    crate::cluster_file::Exposure::excerpt([bad.as_str()])
                ),
            )
        } else if cidrs.len() != entries {
            crate::controls::Check::fail(
                &object,
                &format!("{path}.cidrBlocks"),
                "an authorized network has no cidrBlock string",
            )
        } else if flag("gcpPublicCidrsAccessEnabled") != Some(false) {
            crate::controls::Check::fail(&object, &format!("{path}.gcpPublicCidrsAccessEnabled"), "any Google Cloud VM may reach the endpoint: gcpPublicCidrsAccessEnabled is not false")
        } else {
            crate::controls::Check::pass(
                &object,
                path,
                format!(
                    "only {} may reach the endpoint",
                    crate::cluster_file::Exposure::excerpt(cidrs.iter().copied())
                ),
            )
        }]
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        ctx: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        if ctx.api_cidrs.is_empty() {
            return Err("no networks may reach the API: list them in access.apiCidrs".into());
        }
        let blocks: Vec<serde_json::Value> = ctx
            .api_cidrs
            .iter()
            .map(|c| serde_json::json!({"displayName": format!("access.apiCidrs {c}"), "cidrBlock": c}))
            .collect();
        let path = [
            "controlPlaneEndpointsConfig",
            "ipEndpointsConfig",
            "authorizedNetworksConfig",
        ];
        let block = serde_json::json!({
            "enabled": true,
            "cidrBlocks": blocks,
            "gcpPublicCidrsAccessEnabled": false,
            // the same list guards the private endpoint too
            "privateEndpointEnforcementEnabled": true,
        });
        crate::gke::view::set(cluster, &path, block);
        Ok(())
    }
}
