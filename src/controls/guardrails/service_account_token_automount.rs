//! `service-account-token-automount`: the `default` ServiceAccount of every declared namespace
//! mounts no API token into pods that do not ask for one.

use serde_yaml::Value;

use super::{check_objects, Guardrail, OnGke, OnKops};
use crate::controls::{Check, Control, Params, Reference, Severity, Status};
use crate::guardrails::Scope;

pub static CONTROL: Control = Control {
    id: "service-account-token-automount",
    title: "Mount no API token from the default service account",
    severity: Severity::Medium,
    family: "guardrails",
    rationale: "Every pod that names no service account runs as `default`, and by default gets \
                its API token mounted: one compromised container then talks to the API. Pods \
                that need the API should use their own service account and ask for the token.",
    source: "CIS Kubernetes 5.1.5 and 5.1.6 (default service accounts; token automount)",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "5.1.5",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "5.1.6",
        },
    ],
    kops_fields: &["ServiceAccount default automountServiceAccountToken"],
    detection: "Fails for every declared namespace without a ServiceAccount `default` that \
                sets automountServiceAccountToken: false.",
    params: &[],
    kops: &OnKops(&Rule),
    gke: Some(&OnGke(&Rule)),
    live: None,
    store: None,
    status: Status::Stable,
};

/// The `default` ServiceAccount of `namespace`, without token automount.
pub fn default_account(namespace: &str) -> Value {
    let mut v = serde_yaml::Mapping::new();
    v.insert("apiVersion".into(), "v1".into());
    v.insert("kind".into(), "ServiceAccount".into());
    v.insert(
        "metadata".into(),
        crate::guardrails::metadata("default", Some(namespace), CONTROL.id, &[]),
    );
    v.insert("automountServiceAccountToken".into(), false.into());
    Value::Mapping(v)
}

struct Rule;

impl Guardrail for Rule {
    fn objects(&self) -> &'static [&'static str] {
        CONTROL.kops_fields
    }

    fn check(&self, scope: &Scope, _: &Params) -> Vec<Check> {
        let declared = scope.namespaces();
        if declared.is_empty() {
            return vec![super::no_namespaces(scope)];
        }
        let want: Vec<Value> = declared.iter().map(|(n, _)| default_account(n)).collect();
        check_objects(scope, &want, "the default service account without a token")
    }

    fn build(&self, scope: &Scope, _: &Params) -> Result<Vec<Value>, String> {
        Ok(scope
            .namespaces()
            .iter()
            .map(|(n, _)| default_account(n))
            .collect())
    }
}
