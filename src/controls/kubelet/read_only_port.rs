//! `kubelet-read-only-port`: no unauthenticated read-only kubelet port.

use crate::controls::common::{KubeletRule, Want, WhenUnset};
use crate::controls::{Control, Reference, Severity, Status};

pub static CONTROL: Control = Control {
    id: "kubelet-read-only-port",
    title: "Close the kubelet's unauthenticated read-only port",
    severity: Severity::Medium,
    family: "kubelet",
    rationale: "Port 10255 serves pod specs, environment variables included, to anyone who can \
                reach the node, with no authentication at all.",
    source: "CIS Kubernetes Benchmark 4.2.4; kops PR 3303",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "4.2.4",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "4.2.4",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "4.2.4",
        },
    ],
    kops_fields: &[
        "spec.kubelet.readOnlyPort",
        "spec.masterKubelet.readOnlyPort",
        "InstanceGroup spec.kubelet.readOnlyPort",
    ],
    detection: concat!(
        "Fails unless readOnlyPort is 0 in every kubelet scope that sets it; unset fails \
                because kops before 1.36 leaves the port open.",
        " GKE: fails for each node pool whose config.kubeletConfig.insecureKubeletReadonlyPortEnabled is true, or unset while nodePoolDefaults.nodeConfigDefaults.nodeKubeletConfig does not set it false (port 10255 was open by default before 1.32); changed in place with clusters.update desiredNodeKubeletConfig and nodePools.update kubeletConfig. Autopilot and auto-provisioned nodes: nodePoolAutoConfig.nodeKubeletConfig.insecureKubeletReadonlyPortEnabled, changed with clusters.update desiredNodePoolAutoConfigKubeletConfig (GKE: disable-kubelet-readonly-port)."
    ),
    params: &[],
    kops: &KubeletRule {
        fields: &[(
            "readOnlyPort",
            Want::Int(0),
            WhenUnset::Fail("kops before 1.36 leaves port 10255 open"),
        )],
    },
    gke: Some(&Gke),
    live: None,
    store: None,
    status: Status::Stable,
};

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "nodePoolDefaults.nodeConfigDefaults.nodeKubeletConfig.insecureKubeletReadonlyPortEnabled",
            "nodePools[].config.kubeletConfig.insecureKubeletReadonlyPortEnabled",
            "nodePoolAutoConfig.nodeKubeletConfig.insecureKubeletReadonlyPortEnabled",
        ]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        const KEY: &str = "insecureKubeletReadonlyPortEnabled";
        let default = cluster.flag(&[
            "nodePoolDefaults",
            "nodeConfigDefaults",
            "nodeKubeletConfig",
            KEY,
        ]);
        crate::controls::gke_common::each_pool(cluster, |pool| {
            let object = pool.object();
            let path = "config.kubeletConfig.insecureKubeletReadonlyPortEnabled";
            vec![
                match (pool.flag(&["config", "kubeletConfig", KEY]), default) {
                    (Some(true), _) => crate::controls::Check::fail(
                        &object,
                        path,
                        "the kubelet read-only port 10255 is open",
                    ),
                    (Some(false), _) => crate::controls::Check::pass(
                        &object,
                        path,
                        "the kubelet read-only port is closed",
                    ),
                    (None, Some(false)) => crate::controls::Check::pass(
                        &object,
                        path,
                        "closed by nodePoolDefaults.nodeConfigDefaults.nodeKubeletConfig",
                    ),
                    (None, Some(true)) => crate::controls::Check::fail(
                        &object,
                        path,
                        "open by nodePoolDefaults.nodeConfigDefaults.nodeKubeletConfig",
                    ),
                    (None, None) => crate::controls::Check::fail(
                        &object,
                        path,
                        "not set, so GKE's default applies (open on clusters created before 1.32)",
                    ),
                },
            ]
        })
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        ctx: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        use crate::gke::view::{pools_mut, set};
        const KEY: &str = "insecureKubeletReadonlyPortEnabled";
        if ctx.autopilot() {
            // GKE refuses nodePoolDefaults' kubelet config on Autopilot: its nodes take it from
            // nodePoolAutoConfig (changed in place with desiredNodePoolAutoConfigKubeletConfig)
            set(
                cluster,
                &["nodePoolAutoConfig", "nodeKubeletConfig", KEY],
                serde_json::Value::from(false),
            );
            return Ok(());
        }
        set(
            cluster,
            &[
                "nodePoolDefaults",
                "nodeConfigDefaults",
                "nodeKubeletConfig",
                KEY,
            ],
            serde_json::Value::from(false),
        );
        for pool in pools_mut(cluster) {
            set(
                pool,
                &["config", "kubeletConfig", KEY],
                serde_json::Value::from(false),
            );
        }
        Ok(())
    }
}
