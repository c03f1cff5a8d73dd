//! `namespace-pod-security`: every namespace the cluster declares carries the Pod Security
//! labels, pinned to the cluster's minor version.

use serde_yaml::Value;

use super::{minor_version, namespaces, no_namespaces, objects};
use crate::cluster_file::PodSecurityLevel;
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, ParamSpec, ParamValue, Params, Reference, Severity, Status,
};
use crate::kops::KopsSpec;
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
                the profile (podSecurity) fails, so it needs a waiver.",
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
    kops: &Rule,
    gke: None,
    live: None,
    status: Status::Stable,
};

const MODES: [&str; 3] = ["enforce", "audit", "warn"];

fn label(mode: &str) -> String {
    format!("pod-security.kubernetes.io/{mode}")
}

struct Rule;

impl KopsRule for Rule {
    fn fix_field(&self) -> Option<&'static str> {
        Some("namespaces")
    }

    // a waiver carries the namespaces the cluster file sets lower; the others keep their labels
    fn applies_when_waived(&self) -> bool {
        true
    }

    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        let declared = namespaces(spec);
        if declared.is_empty() {
            return vec![no_namespaces(spec)];
        }
        let Some(version) = minor_version(spec) else {
            return vec![Check::fail(
                &KopsSpec::object_name(spec.cluster()),
                "spec.kubernetesVersion",
                "the Cluster names no kubernetesVersion to pin the Pod Security labels to",
            )];
        };
        let version = Some(version);
        let docs = objects(spec);
        declared
            .iter()
            .map(|(name, _)| {
                let object = format!("Namespace/{name}");
                let copies = docs
                    .iter()
                    .filter(|d| crate::guardrails::object_id(d) == object)
                    .count();
                if copies > 1 {
                    return Check::fail(&object, "metadata.name", format!("namespace {name} is there {copies} times; the last one applied wins, so only one may be"));
                }
                let ns = crate::guardrails::find(&docs, "Namespace", None, name);
                let labels =
                    |k: &str| ns.and_then(|n| tree::get_str(n, &["metadata", "labels", k]));
                for mode in MODES {
                    let want = PodSecurityLevel::parse(params.str(mode))
                        .unwrap_or(PodSecurityLevel::Restricted);
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
                    let vkey = format!("{key}-version");
                    if labels(&vkey) != version.as_deref() {
                        return Check::fail(
                            &object,
                            &format!("metadata.labels.{vkey}"),
                            format!(
                                "namespace {name}: {vkey} is {}, not the cluster's {}",
                                labels(&vkey).map_or("missing".to_string(), |v| {
                                    crate::yaml::bound_quotes(&format!("{v:?}"))
                                }),
                                version.as_deref().unwrap_or("version")
                            ),
                        );
                    }
                }
                Check::pass(
                    &object,
                    "metadata.labels",
                    format!(
                        "namespace {name} enforces {}",
                        labels(&label("enforce")).unwrap_or("")
                    ),
                )
            })
            .collect()
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        let version = minor_version(spec)
            .ok_or("the Cluster has no kubernetesVersion to pin the Pod Security labels to")?;
        for (name, _) in namespaces(spec) {
            let id = format!("Namespace/{name}");
            let Some(mut ns) = spec
                .objects()
                .find(|o| crate::guardrails::object_id(o) == id)
                .cloned()
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
                tree::set(
                    &mut ns,
                    &["metadata", "labels", &format!("{key}-version")],
                    Value::from(version.as_str()),
                );
            }
            spec.put_object(ns);
        }
        Ok(())
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
