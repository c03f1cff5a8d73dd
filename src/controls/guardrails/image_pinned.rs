//! `image-pinned`: no container image without a tag or with the tag `latest`.

use serde_yaml::Value;

use super::{check_objects, Guardrail, OnGke, OnKops};
use crate::controls::{Check, Control, ParamSpec, ParamValue, Params, Reference, Severity, Status};
use crate::guardrails::{actions, admission_policy, rule, Exempt, Policy, Scope, Validation};

pub static CONTROL: Control = Control {
    id: "image-pinned",
    title: "Run only images pinned to a tag other than latest, or to a digest",
    severity: Severity::Medium,
    family: "guardrails",
    rationale: "An image with no tag or the tag `latest` is whatever the registry holds when a \
                node pulls it: two pods of one Deployment can run different code, a rollback \
                brings nothing back, and a pushed image goes live without review. A digest \
                pins the bytes.",
    source: "Kubernetes configuration best practices (avoid :latest); CIS Kubernetes 5.5.1 (image provenance)",
    references: &[Reference { benchmark: "cis-1.12", id: "5.5.1" }],
    kops_fields: &[
        "ValidatingAdmissionPolicy palisade-image-pinned",
        "ValidatingAdmissionPolicyBinding palisade-image-pinned",
    ],
    detection: "Fails without the ValidatingAdmissionPolicy palisade-image-pinned and its \
                binding as Palisade writes them: Pods (and ephemeral containers added through \
                pods/ephemeralcontainers), Deployments, StatefulSets, DaemonSets, ReplicaSets, \
                Jobs and CronJobs whose containers or init containers name an image without a \
                tag or with the tag latest are refused; an image by digest (@sha256:…) is \
                always allowed; a registry port (registry.local:5000/app) is not a tag. With \
                requireDigest, only digests are allowed; with registries, only images named in \
                full from one of them (up to a /). An update that keeps every image as it \
                was is not judged (objects from before the policy stay manageable); a container \
                without an image is refused. System namespaces are not judged.",
    params: &[
        ParamSpec {
            name: "requireDigest",
            doc: "yes: every image must be pinned by digest; no: a tag other than latest will do",
            value: ParamValue::Choice { default: "no", allowed: &["no", "yes"] },
        },
        ParamSpec {
            name: "registries",
            doc: "the registries images may come from (host[:port][/path]); empty: any",
            value: ParamValue::Registries,
        },
        ParamSpec {
            name: "action",
            doc: "deny refuses the request; warn lets it through with a warning and an audit record",
            value: ParamValue::Choice { default: "deny", allowed: &["deny", "warn"] },
        },
    ],
    kops: &OnKops(&Rule),
    gke: Some(&OnGke(&Rule)),
    live: None,
    store: None,
    status: Status::Stable,
};

pub const NAME: &str = "palisade-image-pinned";

/// A digest reference: `NAME@sha256:<64 hex>`, with or without a tag.
pub const DIGEST: &str = "^[^@]+@sha256:[0-9a-f]{64}$";
/// A tag on the last path segment (a registry's `:port` is on an earlier one), not `latest`.
pub const TAGGED: &str = "^([^/]+/)*[^/:@]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

/// The policy and binding, judging every namespace but `system`; with `registries`, images
/// also come only from those.
pub fn objects(
    require_digest: bool,
    action: &str,
    registries: &[String],
    system: &Exempt,
) -> [Value; 2] {
    let pod_spec = |o: &str| {
        format!("{o}.kind == 'Pod' ? {o}.spec : ({o}.kind == 'CronJob' ? {o}.spec.jobTemplate.spec.template.spec : {o}.spec.template.spec)")
    };
    // a container without an image counts as an image of no tag
    let images = |v: &str| {
        ["containers", "initContainers", "ephemeralContainers"]
            .iter()
            .map(|list| format!("(has(variables.{v}.{list}) ? variables.{v}.{list}.map(c, has(c.image) ? c.image : '') : [])"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    // an update that leaves every image as it was (a label, a finalizer, a scale) is not judged:
    // objects from before the policy must stay manageable
    let old_pod_spec = format!(
        "request.operation == 'UPDATE' && oldObject != null ? ({}) : {{}}",
        pod_spec("oldObject")
    );
    let unchanged = "(request.operation == 'UPDATE' && variables.images == variables.oldImages)";
    let (expression, message) = if require_digest {
        (
            format!("{unchanged} || variables.images.all(i, i.matches('{DIGEST}'))"),
            "every container image must be pinned by digest: write image: registry/app@sha256:<digest> (docker buildx imagetools inspect shows it)".to_string(),
        )
    } else {
        (
            format!("{unchanged} || variables.images.all(i, i.matches('{DIGEST}') || (i.matches('{TAGGED}') && !i.endsWith(':latest')))"),
            "every container image must name a tag other than latest, or a digest: write image: app:1.4.2 or image: app@sha256:<digest>".to_string(),
        )
    };
    admission_policy(Policy {
        name: NAME,
        control: CONTROL.id,
        rules: vec![
            rule(&[""], &["pods"], &["CREATE", "UPDATE"]),
            rule(&[""], &["pods/ephemeralcontainers"], &["UPDATE"]),
            rule(
                &["apps"],
                &["deployments", "statefulsets", "daemonsets", "replicasets"],
                &["CREATE", "UPDATE"],
            ),
            rule(&["batch"], &["jobs", "cronjobs"], &["CREATE", "UPDATE"]),
        ],
        variables: &[
            ("podSpec", pod_spec("object")),
            ("images", images("podSpec")),
            ("oldPodSpec", old_pod_spec),
            ("oldImages", images("oldPodSpec")),
        ],
        validations: &validations(expression, message, registries, unchanged),
        actions: actions(action),
        system,
    })
}

struct Rule;

/// The validations: pinned, and (with registries) from an allowed registry.
fn validations(
    expression: String,
    message: String,
    registries: &[String],
    unchanged: &str,
) -> Vec<Validation> {
    let mut out = vec![Validation {
        expression,
        message,
    }];
    if !registries.is_empty() {
        // a registry is a prefix up to a `/`: registry.example.com does not allow
        // registry.example.com.evil.io/app
        let prefixes: Vec<String> = registries
            .iter()
            .map(|r| format!("'{}/'", r.trim_end_matches('/')))
            .collect();
        out.push(Validation {
            expression: format!(
                "{unchanged} || variables.images.all(i, [{}].exists(r, i.startsWith(r)))",
                prefixes.join(", ")
            ),
            message: format!(
                "every container image must come from an allowed registry ({}): write the registry in full, e.g. image: {}/app:1.4.2",
                registries.join(", "),
                registries[0].trim_end_matches('/')
            ),
        });
    }
    out
}

fn wanted(scope: &Scope, params: &Params) -> [Value; 2] {
    objects(
        params.str("requireDigest") == "yes",
        params.str("action"),
        &params.list("registries"),
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
        check_objects(scope, &wanted(scope, params), "the image admission policy")
    }

    fn build(&self, scope: &Scope, params: &Params) -> Result<Vec<Value>, String> {
        Ok(wanted(scope, params).to_vec())
    }
}
