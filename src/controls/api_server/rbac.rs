//! `rbac`: the API server authorizes with Node and RBAC, never AlwaysAllow.

use crate::controls::common::Want;
use crate::controls::common::{cluster_object, show};
use crate::controls::gke_common::{ClusterFields, GkeField};
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Reference, Severity, Status};
use crate::kops::KopsSpec;
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "rbac",
    title: "Authorize API requests with RBAC (and the Node authorizer)",
    severity: Severity::Critical,
    family: "api-server",
    rationale: "With AlwaysAllow every authenticated identity, every pod's service account \
                included, can do anything in the cluster. RBAC grants only what roles name.",
    source: "CIS Kubernetes Benchmark 1.2.6-1.2.8; kops PR 18431 (RBAC became the default only in kops 1.36)",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.8.3" },
        Reference { benchmark: "cis-1.12", id: "1.2.6" },
        Reference { benchmark: "cis-1.12", id: "1.2.7" },
        Reference { benchmark: "cis-1.12", id: "1.2.8" },
        Reference { benchmark: "cis-1.10", id: "1.2.6" },
        Reference { benchmark: "cis-1.10", id: "1.2.7" },
        Reference { benchmark: "cis-1.10", id: "1.2.8" },
        Reference { benchmark: "cis-1.8", id: "1.2.6" },
        Reference { benchmark: "cis-1.8", id: "1.2.7" },
        Reference { benchmark: "cis-1.8", id: "1.2.8" },
    ],
    kops_fields: &["spec.authorization.rbac", "spec.kubeAPIServer.authorizationMode"],
    detection: concat!(
        "Fails when spec.authorization is missing or names alwaysAllow (kops 1.35 and \
                older then authorize everything), or when spec.kubeAPIServer.authorizationMode \
                is set without both Node and RBAC, or includes AlwaysAllow.",
        " GKE: fails when legacyAbac.enabled is true (legacy ABAC grants what RBAC would refuse); changed in place with setLegacyAbac."
    ),
    params: &[],
    kops: &Rule,
    gke: Some(&ClusterFields { fields: &[GkeField::new(&["legacyAbac", "enabled"], Want::Bool(false))], doc: &["legacyAbac.enabled"] }),
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let c = spec.cluster();
        let mut out = Vec::new();
        let auth = tree::get(c, &["spec", "authorization"]);
        let path = "spec.authorization";
        out.push(match auth {
            None => Check::fail(
                &object,
                path,
                "spec.authorization is not set; kops 1.35 and older then use AlwaysAllow",
            ),
            Some(a) if tree::get(a, &["alwaysAllow"]).is_some() => Check::fail(
                &object,
                path,
                "spec.authorization.alwaysAllow lets every authenticated identity do anything",
            ),
            Some(a) if tree::get(a, &["rbac"]).is_some() => {
                Check::pass(&object, path, "spec.authorization.rbac is set")
            }
            Some(a) => Check::fail(
                &object,
                path,
                format!("spec.authorization is {}; expected rbac: {{}}", show(a)),
            ),
        });
        if let Some(mode) = tree::get_str(c, &["spec", "kubeAPIServer", "authorizationMode"]) {
            let modes: Vec<&str> = mode.split(',').map(str::trim).collect();
            let path = "spec.kubeAPIServer.authorizationMode";
            out.push(if modes.contains(&"AlwaysAllow") {
                Check::fail(
                    &object,
                    path,
                    format!("{path} is {mode}; AlwaysAllow must not be used"),
                )
            } else if !(modes.contains(&"Node") && modes.contains(&"RBAC")) {
                Check::fail(
                    &object,
                    path,
                    format!("{path} is {mode}; it must include Node and RBAC"),
                )
            } else {
                Check::pass(&object, path, format!("{path} is {mode}"))
            });
        }
        out
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        let c = spec.cluster_mut();
        let has_rbac_only = tree::get(c, &["spec", "authorization"])
            .and_then(|a| a.as_mapping())
            .is_some_and(|m| m.len() == 1 && m.contains_key("rbac"));
        if !has_rbac_only {
            let mut auth = serde_yaml::Mapping::new();
            auth.insert(
                "rbac".into(),
                serde_yaml::Value::Mapping(Default::default()),
            );
            tree::set(
                c,
                &["spec", "authorization"],
                serde_yaml::Value::Mapping(auth),
            );
        }
        if let Some(mode) = tree::get_str(c, &["spec", "kubeAPIServer", "authorizationMode"]) {
            let mut modes: Vec<String> = mode
                .split(',')
                .map(|m| m.trim().to_string())
                .filter(|m| !m.is_empty() && m != "AlwaysAllow")
                .collect();
            for needed in ["RBAC", "Node"] {
                if !modes.iter().any(|m| m == needed) {
                    modes.insert(0, needed.to_string());
                }
            }
            tree::set(
                c,
                &["spec", "kubeAPIServer", "authorizationMode"],
                modes.join(",").into(),
            );
        }
        Ok(())
    }
}
