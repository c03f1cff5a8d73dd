//! `service-type-restricted`: Services of type LoadBalancer or NodePort only in the ingress
//! namespaces, and no Service with externalIPs anywhere (CVE-2020-8554).

use serde_yaml::Value;

use super::{check_objects, Guardrail, OnGke, OnKops};
use crate::controls::{Check, Control, ParamSpec, ParamValue, Params, Reference, Severity, Status};
use crate::guardrails::{actions, admission_policy, rule, Exempt, Policy, Scope, Validation};

pub static CONTROL: Control = Control {
    id: "service-type-restricted",
    title: "Expose Services only through the ingress namespaces; no externalIPs",
    severity: Severity::High,
    family: "guardrails",
    rationale: "A Service of type LoadBalancer or NodePort puts a workload on the network \
                outside the cluster, past the ingress and whatever guards it. And any user who \
                may create a Service with spec.externalIPs can take another's traffic \
                (CVE-2020-8554): no namespace needs that.",
    source: "Kubernetes CVE-2020-8554; kops and GKE users' requests to block LoadBalancer Services",
    references: &[Reference {
        benchmark: "cis-1.12",
        id: "5.7.4",
    }],
    kops_fields: &[
        "ValidatingAdmissionPolicy palisade-service-type-restricted",
        "ValidatingAdmissionPolicyBinding palisade-service-type-restricted",
    ],
    detection: "Fails without the ValidatingAdmissionPolicy palisade-service-type-restricted \
                and its binding as Palisade writes them: on create, and on an update that \
                changes the type, a Service of type LoadBalancer or NodePort is refused outside \
                the namespaces marked ingress; a Service with externalIPs is refused everywhere. \
                System namespaces are not judged.",
    params: &[ParamSpec {
        name: "action",
        doc: "deny refuses the request; warn lets it through with a warning and an audit record",
        value: ParamValue::Choice {
            default: "deny",
            allowed: &["deny", "warn"],
        },
    }],
    kops: &OnKops(&Rule),
    gke: Some(&OnGke(&Rule)),
    live: None,
    store: None,
    status: Status::Stable,
};

pub const NAME: &str = "palisade-service-type-restricted";

/// A CEL list literal of strings: `['a', 'b']` (names are DNS labels: nothing to escape).
fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The policy and binding for a cluster whose ingress namespaces are `ingress`.
pub fn objects(ingress: &[String], action: &str, system: &Exempt) -> [Value; 2] {
    let exposed = format!(
        "request.namespace in {} || !has(object.spec.type) || !(object.spec.type in ['LoadBalancer', 'NodePort']) || (request.operation == 'UPDATE' && has(oldObject.spec.type) && oldObject.spec.type == object.spec.type)",
        list(ingress)
    );
    let ingress_names = if ingress.is_empty() {
        "none is declared".to_string()
    } else {
        ingress.join(", ")
    };
    admission_policy(Policy {
        name: NAME,
        control: CONTROL.id,
        rules: vec![rule(&[""], &["services"], &["CREATE", "UPDATE"])],
        variables: &[],
        validations: &[
            Validation {
                expression: exposed,
                message: format!("a Service of type LoadBalancer or NodePort is allowed only in the ingress namespaces ({ingress_names}): use type ClusterIP and route through the ingress"),
            },
            Validation {
                expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0".into(),
                message: "spec.externalIPs is not allowed (CVE-2020-8554): remove it, and expose the Service through the ingress".into(),
            },
        ],
        actions: actions(action),
        system,
    })
}

struct Rule;

fn wanted(scope: &Scope, params: &Params) -> [Value; 2] {
    objects(
        &scope.ingress_namespaces(),
        params.str("action"),
        scope.system,
    )
}

impl Guardrail for Rule {
    fn objects(&self) -> &'static [&'static str] {
        CONTROL.kops_fields
    }

    fn fix_field(&self) -> Option<&'static str> {
        None
    }

    fn check(&self, scope: &Scope, params: &Params) -> Vec<Check> {
        if let Some(off) = super::admission_off(scope) {
            return vec![off];
        }
        check_objects(
            scope,
            &wanted(scope, params),
            "the Service admission policy",
        )
    }

    fn build(&self, scope: &Scope, params: &Params) -> Result<Vec<Value>, String> {
        Ok(wanted(scope, params).to_vec())
    }
}
