//! `network-policy`: the CNI enforces Kubernetes NetworkPolicy.

use serde_yaml::{Mapping, Value};

use crate::controls::common::cluster_object;
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, Mode, ParamSpec, ParamValue, Params, Reference, Severity,
    Status, Verdict,
};
use crate::kops::KopsSpec;
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "network-policy",
    title: "Use a CNI that enforces NetworkPolicy (Calico by default, Cilium accepted)",
    severity: Severity::High,
    family: "network",
    rationale: "NetworkPolicy objects are silently ignored by a CNI that does not implement \
                them, so every pod can reach every other pod and a default-deny policy is a \
                false comfort.",
    source: "CIS Kubernetes Benchmark 5.3.1 (CNI supports NetworkPolicy); Calico network policy",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.6.7" },
        Reference {
            benchmark: "cis-1.12",
            id: "5.3.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "5.3.1",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "5.3.1",
        },
    ],
    kops_fields: &["spec.networking"],
    detection: concat!(
        "Passes for networking.calico, and for networking.cilium unless enablePolicy is \
                never. Any other CNI (cni, flannel, kopeio, amazonvpc, kubenet, gce…) fails. \
                Changing the CNI of a running cluster is a migration, so harden reports it \
                instead of editing it.",
        " GKE: passes with Dataplane V2 (networkConfig.datapathProvider ADVANCED_DATAPATH, which always enforces NetworkPolicy; an Autopilot cluster always runs it, so one whose API does not show the field passes — GKE documents Dataplane V2 as on in every Autopilot cluster), or with Calico: networkPolicy.enabled true and the networkPolicyConfig add-on not disabled; Calico is turned on in two steps (setAddons, then setNetworkPolicy, which re-creates nodes); Dataplane V2 needs a new cluster."
    ),
    params: &[ParamSpec {
        name: "cni",
        doc: "the CNI a new cluster is given",
        value: ParamValue::Choice {
            default: "calico",
            allowed: &["calico", "cilium"],
        },
    }],
    kops: &Rule,
    gke: Some(&Gke),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

/// Every networking key that names a CNI (kops allows exactly one; networkID, subnets… are not CNIs).
pub const CNIS: &[&str] = &[
    "calico",
    "cilium",
    "flannel",
    "kopeio",
    "amazonvpc",
    "cni",
    "kubenet",
    "external",
    "gce",
    "canal",
    "weave",
    "romana",
    "kuberouter",
    "lyftvpc",
    "classic",
    "kindnet",
];

fn cni_names(spec: &KopsSpec) -> Vec<String> {
    tree::get(spec.cluster(), &["spec", "networking"])
        .and_then(Value::as_mapping)
        .map(|net| {
            net.keys()
                .filter_map(Value::as_str)
                .filter(|k| CNIS.contains(k))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `Ok` when the spec's CNI enforces NetworkPolicy (what this control judges), else why not:
/// for the controls that ship policies, which mean nothing without it.
pub fn enforced(spec: &KopsSpec) -> Result<(), String> {
    match Rule.check(spec, &Params::default()).into_iter().next() {
        Some(c) if c.verdict == crate::controls::Verdict::Pass => Ok(()),
        Some(c) => Err(c.message),
        None => Err("no CNI is set in spec.networking".into()),
    }
}

fn cni_name(spec: &KopsSpec) -> Option<String> {
    cni_names(spec).into_iter().next()
}

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let path = "spec.networking";
        let all = cni_names(spec);
        if all.len() > 1 {
            return vec![Check::fail(
                &object,
                path,
                format!(
                    "more than one CNI is set ({}); kops allows exactly one",
                    all.join(", ")
                ),
            )];
        }
        let check = match cni_name(spec).as_deref() {
            Some("kuberouter") => Check::pass(&object, path, "kube-router runs a NetworkPolicy controller"),
            Some("kindnet") => Check::new(
                crate::controls::Verdict::Unknown,
                &object,
                path,
                "whether kindnet enforces NetworkPolicy depends on its version; Palisade cannot tell from the spec",
            ),
            Some("calico") => Check::pass(&object, path, "Calico enforces NetworkPolicy"),
            Some("cilium") => {
                match tree::get_str(
                    spec.cluster(),
                    &["spec", "networking", "cilium", "enablePolicy"],
                ) {
                    Some("never") => Check::fail(
                        &object,
                        "spec.networking.cilium.enablePolicy",
                        "Cilium with enablePolicy: never ignores NetworkPolicy",
                    ),
                    _ => Check::pass(&object, path, "Cilium enforces NetworkPolicy"),
                }
            }
            Some(other) => Check::fail(
                &object,
                path,
                format!("networking.{other} does not enforce NetworkPolicy; use calico or cilium"),
            ),
            None => Check::fail(&object, path, "no CNI is set in spec.networking"),
        };
        vec![check]
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let want = params.str("cni");
        let current = cni_name(spec);
        if ctx.mode == Mode::Render {
            if current.as_deref() != Some(want) {
                let mut net = tree::get(spec.cluster(), &["spec", "networking"])
                    .and_then(Value::as_mapping)
                    .cloned()
                    .unwrap_or_default();
                if let Some(old) = current {
                    net.remove(old.as_str());
                }
                net.insert(want.into(), Value::Mapping(Mapping::new()));
                tree::set(
                    spec.cluster_mut(),
                    &["spec", "networking"],
                    Value::Mapping(net),
                );
            }
            return Ok(());
        }
        if current.as_deref() == Some("cilium") {
            let path = ["spec", "networking", "cilium", "enablePolicy"];
            if tree::get_str(spec.cluster(), &path) == Some("never") {
                tree::set(spec.cluster_mut(), &path, "default".into());
            }
            return Ok(());
        }
        match self.check(spec, params).first() {
            Some(c) if c.verdict == Verdict::Fail => Err(format!(
                "{}; changing the CNI of a running cluster is a migration (new cluster or a \
                 planned CNI swap), not an in-place edit",
                c.message
            )),
            _ => Ok(()),
        }
    }
}

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fix_field(&self) -> Option<&'static str> {
        Some("gke.networkPolicy")
    }
    fn fields(&self) -> &'static [&'static str] {
        &[
            "networkPolicy",
            "addonsConfig.networkPolicyConfig.disabled",
            "networkConfig.datapathProvider",
        ]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        if cluster.enum_name(&["networkConfig", "datapathProvider"]) == Some("ADVANCED_DATAPATH") {
            return vec![crate::controls::Check::pass(
                &object,
                "networkConfig.datapathProvider",
                "Dataplane V2 enforces NetworkPolicy",
            )];
        }
        if cluster.autopilot()
            && cluster
                .enum_name(&["networkConfig", "datapathProvider"])
                .is_none()
        {
            return vec![crate::controls::Check::pass(
                &object,
                "networkConfig.datapathProvider",
                "Autopilot clusters always run Dataplane V2, which enforces NetworkPolicy (Autopilot manages networkConfig.datapathProvider; the API does not show it)",
            )];
        }
        let enabled = cluster.flag(&["networkPolicy", "enabled"]) == Some(true);
        let addon_off =
            cluster.flag(&["addonsConfig", "networkPolicyConfig", "disabled"]) == Some(true);
        vec![match (enabled, addon_off) {
            (true, false) => crate::controls::Check::pass(&object, "networkPolicy.enabled", "Calico enforces NetworkPolicy"),
            (true, true) => crate::controls::Check::fail(&object, "addonsConfig.networkPolicyConfig.disabled", "networkPolicy is enabled but the networkPolicyConfig add-on is disabled, so nothing enforces it"),
            (false, _) => crate::controls::Check::fail(&object, "networkPolicy.enabled", "NetworkPolicy objects are not enforced (no Calico, no Dataplane V2)"),
        }]
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        ctx: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        use crate::gke::view::set;
        if ctx.autopilot() {
            // Autopilot runs Dataplane V2 and refuses the network-policy add-on's settings
            set(
                cluster,
                &["networkConfig", "datapathProvider"],
                serde_json::Value::from("ADVANCED_DATAPATH"),
            );
            return Ok(());
        }
        if ctx.dataplane_v2() {
            set(
                cluster,
                &["networkConfig", "datapathProvider"],
                serde_json::Value::from("ADVANCED_DATAPATH"),
            );
            set(
                cluster,
                &["addonsConfig", "networkPolicyConfig", "disabled"],
                serde_json::Value::from(true),
            );
        } else {
            set(
                cluster,
                &["networkPolicy", "enabled"],
                serde_json::Value::from(true),
            );
            set(
                cluster,
                &["networkPolicy", "provider"],
                serde_json::Value::from("CALICO"),
            );
            set(
                cluster,
                &["addonsConfig", "networkPolicyConfig", "disabled"],
                serde_json::Value::from(false),
            );
        }
        Ok(())
    }
}
