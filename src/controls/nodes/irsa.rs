//! `irsa`: workloads get AWS credentials through IAM roles for service accounts.

use serde_yaml::Value;

use crate::controls::common::cluster_object;
use crate::controls::{ApplyCtx, Check, Control, KopsRule, Params, Severity, Status};
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "irsa",
    title: "Give workloads AWS credentials through IAM roles for service accounts (IRSA)",
    severity: Severity::Medium,
    family: "nodes",
    rationale: "With IRSA, addons and workloads get roles of their own from a projected token \
                instead of the node's instance role, so blocking the metadata API costs nothing.",
    source: "kops docs/cluster_spec.md (serviceAccountIssuerDiscovery) and docs/iam_roles.md",
    references: &[],
    kops_fields: &[
        "spec.serviceAccountIssuerDiscovery.discoveryStore",
        "spec.serviceAccountIssuerDiscovery.enableAWSOIDCProvider",
        "spec.iam.useServiceAccountExternalPermissions",
    ],
    detection: "Fails unless a discovery store is set, the AWS OIDC provider is enabled and \
                useServiceAccountExternalPermissions is true. The store is a public S3 bucket \
                (no dots in its name) that Palisade cannot invent: name it in the cluster file \
                (kops.discoveryStore).",
    params: &[],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("kops.discoveryStore")
    }
    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let c = spec.cluster();
        let store = tree::get_str(
            c,
            &["spec", "serviceAccountIssuerDiscovery", "discoveryStore"],
        );
        let oidc = tree::get_bool(
            c,
            &[
                "spec",
                "serviceAccountIssuerDiscovery",
                "enableAWSOIDCProvider",
            ],
        );
        let ext = tree::get_bool(c, &["spec", "iam", "useServiceAccountExternalPermissions"]);
        vec![match (store, oidc, ext) {
            (Some(s), Some(true), Some(true)) => Check::pass(
                &object,
                "spec.serviceAccountIssuerDiscovery",
                format!("IRSA is on, issuer documents in {s}"),
            ),
            (None, ..) => Check::fail(
                &object,
                "spec.serviceAccountIssuerDiscovery.discoveryStore",
                "no discovery store: workloads fall back to the node's instance role",
            ),
            (_, Some(true), _) => Check::fail(
                &object,
                "spec.iam.useServiceAccountExternalPermissions",
                "useServiceAccountExternalPermissions is not true",
            ),
            _ => Check::fail(
                &object,
                "spec.serviceAccountIssuerDiscovery.enableAWSOIDCProvider",
                "enableAWSOIDCProvider is not true",
            ),
        }]
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        let c = spec.cluster_mut();
        let path = ["spec", "serviceAccountIssuerDiscovery", "discoveryStore"];
        if let Some(store) = &ctx.discovery_store {
            tree::set(c, &path, store.as_str().into());
        } else if tree::get_str(c, &path).is_none() {
            return Err("IRSA needs a discovery store, a public S3 bucket for the OIDC documents: set kops.discoveryStore in the cluster file".into());
        }
        tree::set(
            c,
            &[
                "spec",
                "serviceAccountIssuerDiscovery",
                "enableAWSOIDCProvider",
            ],
            Value::from(true),
        );
        tree::set(
            c,
            &["spec", "iam", "useServiceAccountExternalPermissions"],
            Value::from(true),
        );
        Ok(())
    }
}
