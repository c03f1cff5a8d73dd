//! `metadata-api-blocked`: pods cannot reach the EC2 instance metadata service.

use serde_yaml::Value;

use crate::controls::common::kubernetes_minor;
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, LiveRule, Params, Reference, Severity, Status, Verdict,
};
use crate::kops::live::LiveState;
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "metadata-api-blocked",
    title: "Block pods from the cloud metadata API (IMDSv2 required, hop limit 1)",
    severity: Severity::High,
    family: "nodes",
    rationale: "The metadata service hands out the node's IAM credentials to whoever asks. With \
                IMDSv2 required and a hop limit of 1, the answer cannot reach a pod's network \
                namespace; this is today's form of the old kube2iam iptables block.",
    source: "kops PRs 11329, 14884, 14879; kops issue 13078; CIS EKS Benchmark 4.x (restrict IMDS)",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.2.2" },
        Reference { benchmark: "cis-gke", id: "5.4.2" },
    ],
    kops_fields: &[
        "InstanceGroup spec.instanceMetadata.httpTokens",
        "InstanceGroup spec.instanceMetadata.httpPutResponseHopLimit",
    ],
    detection: concat!(
        "Fails for each InstanceGroup whose httpTokens is not required or whose hop limit \
                is above 1. Unset passes only for Kubernetes 1.27 and newer, where kops' launch \
                templates default to required and 1.",
        " GKE: Workload Identity (workloadIdentityConfig.workloadPool set) and every node pool on config.workloadMetadataConfig.mode GKE_METADATA, so pods get their own identity instead of the node\'s; changed in place with clusters.update desiredWorkloadIdentityConfig and nodePools.update workloadMetadataConfig."
    ),
    params: &[],
    kops: &Rule,
    gke: Some(&Gke),
    live: Some(&Live),
    store: None,
    status: Status::Stable,
};

struct Rule;

/// The live half: the metadata options EC2 reports for every running instance.
struct Live;

impl LiveRule for Live {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "Instance MetadataOptions.HttpTokens",
            "Instance MetadataOptions.HttpPutResponseHopLimit",
        ]
    }
    fn check(&self, spec: &KopsSpec, live: &LiveState, _: &Params) -> Vec<Check> {
        let mut out: Vec<Check> = live
            .instances
            .iter()
            .map(|i| {
                let object = format!("Instance/{}", i.id);
                let (verdict, message) = match (i.http_tokens.as_deref(), i.hop_limit) {
                    (Some("required"), Some(h)) if h <= 1 => {
                        (Verdict::Pass, "IMDSv2 required, hop limit 1".to_string())
                    }
                    (Some("required"), Some(h)) => (
                        Verdict::Fail,
                        format!("hop limit is {h}: the metadata token reaches pods"),
                    ),
                    (Some(t), _) if t != "required" => (
                        Verdict::Fail,
                        format!("HttpTokens is {t}: IMDSv1 answers any process, pods included"),
                    ),
                    _ => (
                        Verdict::Unknown,
                        "EC2 did not report the metadata options".to_string(),
                    ),
                };
                Check::new(verdict, &object, "MetadataOptions", message)
            })
            .collect();
        if out.is_empty() {
            let cluster = spec.cluster_name();
            out.push(Check::new(
                Verdict::NotApplicable,
                &format!("Cluster/{cluster}"),
                "",
                format!("no running instances tagged KubernetesCluster={cluster}"),
            ));
        }
        out
    }
}

impl KopsRule for Rule {
    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let defaulted = kubernetes_minor(spec).is_some_and(|v| v >= (1, 27));
        spec.instance_groups()
            .map(|ig| {
                let object = KopsSpec::object_name(ig);
                let tokens = tree::get_str(ig, &["spec", "instanceMetadata", "httpTokens"]);
                let hops = tree::get_i64(ig, &["spec", "instanceMetadata", "httpPutResponseHopLimit"]);
                let path = "spec.instanceMetadata";
                match (tokens, hops) {
                    (Some(t), _) if t != "required" => {
                        Check::fail(&object, "spec.instanceMetadata.httpTokens", format!("httpTokens is {t}: IMDSv1 answers any process, pods included"))
                    }
                    (_, Some(h)) if !(1..=1).contains(&h) => Check::fail(
                        &object,
                        "spec.instanceMetadata.httpPutResponseHopLimit",
                        format!("httpPutResponseHopLimit is {h}: the token reaches pods one hop away"),
                    ),
                    (Some(_), Some(_)) => Check::pass(&object, path, "IMDSv2 required with hop limit 1"),
                    _ if defaulted => Check::pass(&object, path, "not set in full; kops defaults to required and hop limit 1 for Kubernetes 1.27+"),
                    _ => Check::fail(&object, path, "not set in full; kops only defaults to required and hop limit 1 for Kubernetes 1.27+"),
                }
            })
            .collect()
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        for ig in spec.instance_groups_mut() {
            tree::set(
                ig,
                &["spec", "instanceMetadata", "httpTokens"],
                "required".into(),
            );
            tree::set(
                ig,
                &["spec", "instanceMetadata", "httpPutResponseHopLimit"],
                Value::from(1),
            );
        }
        Ok(())
    }
}

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "workloadIdentityConfig.workloadPool",
            "nodePools[].config.workloadMetadataConfig.mode",
        ]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        let mut out = vec![
            match cluster.text(&["workloadIdentityConfig", "workloadPool"]) {
                Some(pool) => crate::controls::Check::pass(
                    &object,
                    "workloadIdentityConfig.workloadPool",
                    format!("Workload Identity pool {pool}"),
                ),
                None => crate::controls::Check::fail(
                    &object,
                    "workloadIdentityConfig.workloadPool",
                    "Workload Identity is off: pods can use the node's service account",
                ),
            },
        ];
        out.extend(crate::controls::gke_common::each_real_pool(
            cluster,
            |pool| {
                let path = "config.workloadMetadataConfig.mode";
                vec![
                    match pool.text(&["config", "workloadMetadataConfig", "mode"]) {
                        Some("GKE_METADATA") => crate::controls::Check::pass(
                            &pool.object(),
                            path,
                            "pods see the GKE metadata server",
                        ),
                        Some(other) => crate::controls::Check::fail(
                            &pool.object(),
                            path,
                            format!("{path} is {other}: pods reach the node's credentials"),
                        ),
                        None => crate::controls::Check::fail(
                            &pool.object(),
                            path,
                            "not set: pods reach the node's credentials (GCE_METADATA)",
                        ),
                    },
                ]
            },
        ));
        out
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        ctx: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        use crate::gke::view::{pools_mut, set};
        let pool = format!("{}.svc.id.goog", ctx.section.project);
        set(
            cluster,
            &["workloadIdentityConfig", "workloadPool"],
            serde_json::Value::from(pool),
        );
        for p in pools_mut(cluster) {
            set(
                p,
                &["config", "workloadMetadataConfig", "mode"],
                serde_json::Value::from("GKE_METADATA"),
            );
        }
        Ok(())
    }
}
