//! `namespace-pod-security`: every namespace the cluster declares carries the Pod Security
//! labels, pinned to the cluster's minor version.

use serde_yaml::Value;

use super::{check_objects, Guardrail, OnGke, OnKops};
use crate::cluster_file::PodSecurityLevel;
use crate::controls::{Check, Control, ParamSpec, ParamValue, Params, Reference, Severity, Status};
use crate::guardrails::{admission_policy, rule, Exempt, MinorVersion, Policy, Scope, Validation};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "namespace-pod-security",
    title: "Label every namespace with Pod Security levels pinned to the cluster's version",
    severity: Severity::Medium,
    family: "guardrails",
    rationale: "A namespace's Pod Security labels decide what its pods may do: without an \
                enforce label it falls back to the cluster default (none at all on GKE), and a \
                label without a pinned version changes meaning when the cluster is upgraded.",
    source: "Kubernetes Pod Security Admission (namespace labels); CIS Kubernetes 5.2",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "5.2.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "5.2.1",
        },
    ],
    kops_fields: &["Namespace metadata.labels[pod-security.kubernetes.io/*]"],
    detection: "Fails for every declared namespace whose pod-security.kubernetes.io/enforce, \
                audit or warn label is missing or below the profile's level, or whose -version \
                labels are not the cluster's v1.MINOR. A namespace the cluster file sets below \
                the profile (podSecurity) fails, so it needs a waiver. On GKE, which applies \
                no Pod Security level to a namespace without labels, also fails without the \
                ValidatingAdmissionPolicy palisade-namespace-pod-security (and its binding) \
                that refuses creating or relabelling a namespace without an enforce label (privileged, \
                baseline or restricted: privileged is a decision, the cluster's own default is \
                not). On \
                a GKE cluster not created yet the -version labels are pinned once it exists.",
    params: &[
        ParamSpec {
            name: "enforce",
            doc: "the level pods must meet to be admitted",
            value: ParamValue::Choice {
                default: "baseline",
                allowed: &["baseline", "restricted"],
            },
        },
        ParamSpec {
            name: "audit",
            doc: "the level whose violations are audited",
            value: ParamValue::Choice {
                default: "restricted",
                allowed: &["baseline", "restricted"],
            },
        },
        ParamSpec {
            name: "warn",
            doc: "the level whose violations are warned of",
            value: ParamValue::Choice {
                default: "restricted",
                allowed: &["baseline", "restricted"],
            },
        },
    ],
    kops: &OnKops(&Rule),
    gke: Some(&OnGke(&Rule)),
    live: None,
    store: None,
    status: Status::Stable,
};

const MODES: [&str; 3] = ["enforce", "audit", "warn"];

fn label(mode: &str) -> String {
    format!("pod-security.kubernetes.io/{mode}")
}

/// The name of the GKE admission policy that keeps namespaces labelled.
pub const NAME: &str = "palisade-namespace-pod-security";
/// What a plan says when that policy arrives on a running cluster.
pub const ARRIVES: &str = "From now on a namespace without a pod-security.kubernetes.io/enforce label (baseline, restricted, or privileged where meant) can be neither created nor changed: label the cluster's existing namespaces (kubectl get ns -L pod-security.kubernetes.io/enforce shows which have none) before they next need a change. GKE's own (gke-*, gmp-*) and Kubernetes' are exempt; namespaces an add-on creates (config-management-system, gatekeeper-system, istio-system, …) are not, and their images are judged like any other.";

/// Where there is no cluster-wide Pod Security default (GKE): the policy and binding that
/// refuse a namespace without an enforce label, on create and on update.
pub fn label_policy(system: &Exempt) -> [Value; 2] {
    let key = label("enforce");
    admission_policy(Policy {
        name: NAME,
        control: CONTROL.id,
        rules: vec![rule(&[""], &["namespaces"], &["CREATE", "UPDATE"])],
        variables: &[],
        validations: &[Validation {
            // privileged is allowed when said: a namespace the cluster file sets so (with a
            // waiver) must stay manageable; what is refused is no decision at all
            expression: format!(
                "has(object.metadata.labels) && '{key}' in object.metadata.labels && object.metadata.labels['{key}'] in ['privileged', 'baseline', 'restricted']"
            ),
            message: format!(
                "every namespace needs the label {key} (baseline or restricted; privileged only where that is meant): the cluster has no Pod Security default, so a namespace without it runs privileged pods: add it to the namespace's metadata.labels"
            ),
        }],
        actions: &["Deny"],
        system,
    })
}

struct Rule;

impl Guardrail for Rule {
    fn objects(&self) -> &'static [&'static str] {
        &[
            "Namespace metadata.labels[pod-security.kubernetes.io/*]",
            "ValidatingAdmissionPolicy palisade-namespace-pod-security",
            "ValidatingAdmissionPolicyBinding palisade-namespace-pod-security",
        ]
    }

    // a waiver carries the namespaces the cluster file sets lower; the others keep their labels
    fn applies_when_waived(&self) -> bool {
        true
    }

    fn check(&self, scope: &Scope, params: &Params) -> Vec<Check> {
        let declared = scope.namespaces();
        // without a Pod Security default (GKE) the namespace-label policy is shipped, and
        // judged, whether or not the cluster declares namespaces
        let label_policy = || {
            check_objects(
                scope,
                &label_policy(scope.system),
                "the namespace-label admission policy",
            )
        };
        if declared.is_empty() {
            return if scope.pod_security_default {
                vec![super::no_namespaces(scope)]
            } else {
                label_policy()
            };
        }
        let version = match &scope.version {
            MinorVersion::Pinned(v) => Some(v.as_str()),
            MinorVersion::Pending => None,
            MinorVersion::Missing(why) => {
                return vec![Check::fail(
                    &scope.cluster,
                    "spec.kubernetesVersion",
                    why.clone(),
                )]
            }
        };
        let by_id = scope.by_id();
        let mut checks: Vec<Check> = declared
            .iter()
            .map(|(name, _)| namespace_check(&by_id, params, name, version))
            .collect();
        if !scope.pod_security_default {
            checks.extend(label_policy());
        }
        checks
    }

    fn build(&self, scope: &Scope, params: &Params) -> Result<Vec<Value>, String> {
        let version = match &scope.version {
            MinorVersion::Pinned(v) => Some(v.as_str()),
            MinorVersion::Pending => None,
            MinorVersion::Missing(why) => return Err(why.clone()),
        };
        let mut out = Vec::new();
        let by_id = scope.by_id();
        for (name, _) in scope.namespaces() {
            let Some(mut ns) = by_id
                .get(&format!("Namespace/{name}"))
                .and_then(|f| f.first())
                .map(|n| (*n).clone())
            else {
                continue;
            };
            for mode in MODES {
                let key = label(mode);
                let want = PodSecurityLevel::parse(params.str(mode))
                    .unwrap_or(PodSecurityLevel::Restricted);
                // a stricter label already there stays
                let have = tree::get_str(&ns, &["metadata", "labels", &key])
                    .and_then(PodSecurityLevel::parse);
                if have.is_none_or(|h| h < want) {
                    tree::set(
                        &mut ns,
                        &["metadata", "labels", &key],
                        Value::from(want.as_str()),
                    );
                }
                if let Some(v) = version {
                    tree::set(
                        &mut ns,
                        &["metadata", "labels", &format!("{key}-version")],
                        Value::from(v),
                    );
                }
            }
            out.push(ns);
        }
        if !scope.pod_security_default {
            out.extend(label_policy(scope.system));
        }
        Ok(out)
    }
}

/// The check of one declared namespace's labels (`version`: `None` while the cluster's
/// version is not known yet).
fn namespace_check(
    by_id: &std::collections::BTreeMap<String, Vec<&Value>>,
    params: &Params,
    name: &str,
    version: Option<&str>,
) -> Check {
    let object = format!("Namespace/{name}");
    let found = by_id.get(&object).map(Vec::as_slice).unwrap_or_default();
    if found.len() > 1 {
        return Check::fail(
            &object,
            "metadata.name",
            format!(
                "namespace {name} is there {} times; the last one applied wins, so only one may be",
                found.len()
            ),
        );
    }
    let ns = found.first().copied();
    let labels = |k: &str| ns.and_then(|n| tree::get_str(n, &["metadata", "labels", k]));
    for mode in MODES {
        let want =
            PodSecurityLevel::parse(params.str(mode)).unwrap_or(PodSecurityLevel::Restricted);
        let key = label(mode);
        match labels(&key).map(|l| (l, PodSecurityLevel::parse(l))) {
            None => {
                return Check::fail(
                    &object,
                    &format!("metadata.labels.{key}"),
                    format!(
                        "namespace {name} has no {key} label (the profile asks for {})",
                        want.as_str()
                    ),
                )
            }
            Some((_, Some(have))) if have >= want => {}
            Some((found, _)) => {
                return Check::fail(
                    &object,
                    &format!("metadata.labels.{key}"),
                    crate::yaml::bound_quotes(&format!(
                        "namespace {name}: {key} is {found:?}, below the profile's {}",
                        want.as_str()
                    )),
                )
            }
        }
        let Some(version) = version else { continue };
        let vkey = format!("{key}-version");
        if labels(&vkey) != Some(version) {
            return Check::fail(
                &object,
                &format!("metadata.labels.{vkey}"),
                format!(
                    "namespace {name}: {vkey} is {}, not the cluster's {version}",
                    labels(&vkey).map_or("missing".to_string(), |v| {
                        crate::yaml::bound_quotes(&format!("{v:?}"))
                    }),
                ),
            );
        }
    }
    let pending = if version.is_none() {
        " (the -version labels are pinned to the cluster's minor version once it exists)"
    } else {
        ""
    };
    Check::pass(
        &object,
        "metadata.labels",
        format!(
            "namespace {name} enforces {}{pending}",
            labels(&label("enforce")).unwrap_or("")
        ),
    )
}

/// Pins the Pod Security labels of a Namespace (JSON, as applied) to `minor` (`v1.N`): each
/// `-version` beside a level label there. For a cluster whose version was not known when the
/// plan was made (a new GKE cluster); anything but a Namespace is left alone.
pub fn pin_version(object: &mut serde_json::Value, minor: &str) {
    if object.get("kind").and_then(serde_json::Value::as_str) != Some("Namespace") {
        return;
    }
    let Some(labels) = object
        .get_mut("metadata")
        .and_then(|m| m.get_mut("labels"))
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    for mode in MODES {
        if labels.contains_key(&label(mode)) {
            labels.insert(format!("{}-version", label(mode)), minor.into());
        }
    }
}

/// Sets a namespace's enforce level as the cluster file asks (the override step: a level below
/// the profile's then fails this control, so only a waiver carries it).
pub fn set_enforce(ns: &mut Value, level: PodSecurityLevel) {
    tree::set(
        ns,
        &["metadata", "labels", &label("enforce")],
        Value::from(level.as_str()),
    );
}
