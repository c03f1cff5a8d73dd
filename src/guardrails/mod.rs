//! In-cluster guardrails: the Kubernetes objects Palisade ships with a cluster (namespaces
//! with Pod Security labels, default-deny network policies, the `default` service account
//! without a token, and ValidatingAdmissionPolicies), as value trees.
//!
//! Provider-neutral: kops delivers them in the state store (`CLUSTER/clusteraddons/default`),
//! GKE through the cluster's Kubernetes API (server-side apply); each control that owns some of
//! them builds and judges them through these helpers, on a [`Scope`]. Every object carries
//! `app.kubernetes.io/managed-by: palisade` and `palisade.dev/control`.

pub mod scope;

pub use scope::{InCluster, MinorVersion, Scope};

use serde_yaml::Value;

use crate::yaml::tree;

/// The label every object Palisade ships carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "palisade");
/// The label naming the control behind an object.
pub const CONTROL_LABEL: &str = "palisade.dev/control";
/// The label marking the cluster's ingress namespaces (where Services may be exposed).
pub const INGRESS_LABEL: &str = "palisade.dev/ingress";
/// The namespaces the admission policies never judge: the cluster's own, by name and by
/// prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exempt {
    pub names: &'static [&'static str],
    pub prefixes: &'static [&'static str],
}

impl Exempt {
    pub fn contains(&self, namespace: &str) -> bool {
        self.names.contains(&namespace) || self.prefixes.iter().any(|p| namespace.starts_with(p))
    }
}

/// Kubernetes' own namespaces.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];
/// What kops clusters exempt: Kubernetes' namespaces.
pub const KOPS_EXEMPT: Exempt = Exempt {
    names: SYSTEM_NAMESPACES,
    prefixes: &[],
};
/// What GKE clusters exempt: also every namespace GKE manages itself (its add-ons, Managed
/// Prometheus, Connect, the managed CSI drivers: `gke-…` and `gmp-…`); GKE writes their
/// workloads, and on Autopilot refuses changes there.
pub const GKE_EXEMPT: Exempt = Exempt {
    names: SYSTEM_NAMESPACES,
    prefixes: &["gke-", "gmp-"],
};

use crate::yaml::tree::map;

fn s(v: &str) -> Value {
    Value::from(v)
}

/// A Kubernetes document (not a kops one, which are `kops.k8s.io/…`).
pub fn is_kubernetes_object(doc: &Value) -> bool {
    let api = tree::get_str(doc, &["apiVersion"]).unwrap_or("");
    !api.starts_with("kops.k8s.io/")
        && !api.starts_with("kops/")
        && tree::get_str(doc, &["kind"]).is_some()
}

/// Whether Palisade shipped this object.
pub fn is_managed(doc: &Value) -> bool {
    tree::get_str(doc, &["metadata", "labels", MANAGED_BY.0]) == Some(MANAGED_BY.1)
}

/// `Kind/NAME` or `Kind/NAMESPACE/NAME`: how findings and plans name an object.
pub fn object_id(doc: &Value) -> String {
    let kind = tree::get_str(doc, &["kind"]).unwrap_or("?");
    let name = tree::get_str(doc, &["metadata", "name"]).unwrap_or("?");
    match tree::get_str(doc, &["metadata", "namespace"]) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// Object metadata: name, optional namespace, Palisade's labels plus `extra`.
pub fn metadata(
    name: &str,
    namespace: Option<&str>,
    control: &str,
    extra: &[(&str, &str)],
) -> Value {
    let mut labels = vec![(MANAGED_BY.0, s(MANAGED_BY.1)), (CONTROL_LABEL, s(control))];
    labels.extend(extra.iter().map(|(k, v)| (*k, s(v))));
    let mut m = vec![("name", s(name))];
    if let Some(ns) = namespace {
        m.push(("namespace", s(ns)));
    }
    m.push(("labels", map(labels)));
    map(m)
}

/// A Namespace of the cluster file (the source of the others): `ingress` ones are labelled so.
pub fn namespace(name: &str, ingress: bool) -> Value {
    let extra: &[(&str, &str)] = if ingress {
        &[(INGRESS_LABEL, "true")]
    } else {
        &[]
    };
    map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("Namespace")),
        ("metadata", metadata(name, None, "cluster-file", extra)),
    ])
}

/// The names of the Namespace objects of `docs` but `system`, with whether each is an ingress
/// one.
pub fn namespaces_except<'a>(
    docs: impl IntoIterator<Item = &'a Value>,
    system: &Exempt,
) -> Vec<(String, bool)> {
    docs.into_iter()
        .filter(|d| tree::get_str(d, &["kind"]) == Some("Namespace") && is_kubernetes_object(d))
        .filter_map(|d| {
            let name = tree::get_str(d, &["metadata", "name"])?;
            if system.contains(name) {
                return None;
            }
            // only a namespace Palisade ships says it is an ingress one: a label on anyone's
            // object must not decide who may expose Services
            let ingress = is_managed(d)
                && tree::get_str(d, &["metadata", "labels", INGRESS_LABEL]) == Some("true");
            Some((name.to_string(), ingress))
        })
        .collect()
}

/// A `namespaceSelector` matching every namespace but those `system` names.
pub fn not_system_namespaces(system: &Exempt) -> Value {
    map(vec![(
        "matchExpressions",
        Value::Sequence(vec![map(vec![
            ("key", s("kubernetes.io/metadata.name")),
            ("operator", s("NotIn")),
            ("values", tree::str_seq(system.names)),
        ])]),
    )])
}

/// One `validations[]` entry of a ValidatingAdmissionPolicy.
pub struct Validation {
    pub expression: String,
    pub message: String,
}

/// A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes 1.30+) and its
/// binding: `rules` are `matchConstraints.resourceRules`, `variables` named CEL expressions,
/// `actions` the binding's validationActions (`Deny`, or `Warn` and `Audit`); neither judges
/// the `system` namespaces.
pub struct Policy<'a> {
    pub name: &'a str,
    pub control: &'a str,
    pub rules: Vec<Value>,
    pub variables: &'a [(&'a str, String)],
    pub validations: &'a [Validation],
    pub actions: &'a [&'a str],
    pub system: &'a Exempt,
}

/// The policy and its binding.
pub fn admission_policy(p: Policy<'_>) -> [Value; 2] {
    let Policy {
        name,
        control,
        rules,
        variables,
        validations,
        actions,
        system,
    } = p;
    let mut spec = vec![
        ("failurePolicy", s("Fail")),
        (
            "matchConstraints",
            map(vec![
                ("namespaceSelector", not_system_namespaces(system)),
                ("resourceRules", Value::Sequence(rules)),
            ]),
        ),
    ];
    if !system.prefixes.is_empty() {
        // a selector names namespaces one by one; the provider's own go by prefix. A Namespace
        // is judged by its own name (the request's namespace is empty for it)
        let prefixes: Vec<String> = system.prefixes.iter().map(|p| format!("'{p}'")).collect();
        spec.push((
            "matchConditions",
            Value::Sequence(vec![map(vec![
                ("name", s("not-a-provider-namespace")),
                (
                    "expression",
                    s(&format!(
                        "!([{}].exists(p, ((object != null && object.kind == 'Namespace') ? object.metadata.name : request.namespace).startsWith(p)))",
                        prefixes.join(", ")
                    )),
                ),
            ])]),
        ));
    }
    if !variables.is_empty() {
        spec.push((
            "variables",
            Value::Sequence(
                variables
                    .iter()
                    .map(|(n, e)| map(vec![("name", s(n)), ("expression", s(e))]))
                    .collect(),
            ),
        ));
    }
    spec.push((
        "validations",
        Value::Sequence(
            validations
                .iter()
                .map(|v| {
                    map(vec![
                        ("expression", s(&v.expression)),
                        ("message", s(&v.message)),
                    ])
                })
                .collect(),
        ),
    ));
    let policy = map(vec![
        ("apiVersion", s("admissionregistration.k8s.io/v1")),
        ("kind", s("ValidatingAdmissionPolicy")),
        ("metadata", metadata(name, None, control, &[])),
        ("spec", map(spec)),
    ]);
    let binding = map(vec![
        ("apiVersion", s("admissionregistration.k8s.io/v1")),
        ("kind", s("ValidatingAdmissionPolicyBinding")),
        ("metadata", metadata(name, None, control, &[])),
        (
            "spec",
            map(vec![
                ("policyName", s(name)),
                ("validationActions", tree::str_seq(actions)),
                (
                    "matchResources",
                    map(vec![("namespaceSelector", not_system_namespaces(system))]),
                ),
            ]),
        ),
    ]);
    [policy, binding]
}

/// A `resourceRules` entry.
pub fn rule(groups: &[&str], resources: &[&str], operations: &[&str]) -> Value {
    map(vec![
        ("apiGroups", tree::str_seq(groups)),
        ("apiVersions", tree::str_seq(&["*"])),
        ("operations", tree::str_seq(operations)),
        ("resources", tree::str_seq(resources)),
    ])
}

/// The binding's validationActions for a profile's `action` parameter.
pub fn actions(action: &str) -> &'static [&'static str] {
    if action == "warn" {
        &["Warn", "Audit"]
    } else {
        &["Deny"]
    }
}

/// Puts `object` among `docs`: in place of the Kubernetes object with its id, or at the end;
/// a second copy goes (it would be applied after the first and win). Its `spec` is sorted like
/// every spec Palisade writes, whichever step put it there.
pub fn put<D: std::borrow::Borrow<Value> + From<Value>>(docs: &mut Vec<D>, mut object: Value) {
    if let Some(body) = object.get_mut("spec") {
        *body = tree::sorted(body);
    }
    let id = object_id(&object);
    let same = |d: &D| is_kubernetes_object(d.borrow()) && object_id(d.borrow()) == id;
    match docs.iter().position(same) {
        Some(i) => {
            docs[i] = D::from(object);
            let mut seen = false;
            docs.retain(|d| {
                if !same(d) {
                    return true;
                }
                let keep = !seen;
                seen = true;
                keep
            });
        }
        None => docs.push(D::from(object)),
    }
}

/// An object as read back from an API server, without what the server adds by default to the
/// objects Palisade applies (`matchPolicy: Equivalent`, empty `objectSelector`s, rule `scope:
/// "*"`, a Namespace's `kubernetes` finalizer), so that it compares with what was applied;
/// anything else stays and is judged.
pub fn without_server_defaults(mut object: Value) -> Value {
    fn drop_if(m: &mut serde_yaml::Mapping, key: &str, default: &Value) {
        if m.get(key) == Some(default) {
            m.remove(key);
        }
    }
    let empty = Value::Mapping(serde_yaml::Mapping::new());
    let kind = tree::get_str(&object, &["kind"]).unwrap_or("").to_string();
    let Some(spec) = object.get_mut("spec").and_then(Value::as_mapping_mut) else {
        return object;
    };
    let selectors = match kind.as_str() {
        "ValidatingAdmissionPolicy" => Some("matchConstraints"),
        "ValidatingAdmissionPolicyBinding" => Some("matchResources"),
        _ => None,
    };
    if let Some(key) = selectors {
        if let Some(m) = spec.get_mut(key).and_then(Value::as_mapping_mut) {
            drop_if(m, "matchPolicy", &s("Equivalent"));
            drop_if(m, "objectSelector", &empty);
            for rule in m
                .get_mut("resourceRules")
                .and_then(Value::as_sequence_mut)
                .into_iter()
                .flatten()
            {
                if let Some(r) = rule.as_mapping_mut() {
                    drop_if(r, "scope", &s("*"));
                }
            }
        }
    }
    if kind == "Namespace" {
        drop_if(spec, "finalizers", &tree::str_seq(&["kubernetes"]));
    }
    if spec.is_empty() && kind == "Namespace" {
        if let Some(m) = object.as_mapping_mut() {
            m.remove("spec");
        }
    }
    object
}

/// The top-level fields other clients may own beside Palisade's, per kind, where that weakens
/// nothing: a ServiceAccount's `secrets` and `imagePullSecrets` (a team's registry credentials
/// on `default`); only `automountServiceAccountToken` is Palisade's there.
pub const FOREIGN_FIELDS: &[(&str, &[&str])] =
    &[("ServiceAccount", &["secrets", "imagePullSecrets"])];

/// The foreign fields of an object's kind.
pub fn foreign_fields(kind: &str) -> &'static [&'static str] {
    FOREIGN_FIELDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, f)| f)
}

/// An object without its kind's foreign fields.
pub fn without_foreign_fields(mut object: Value) -> Value {
    let kind = tree::get_str(&object, &["kind"]).unwrap_or("").to_string();
    if let Some(m) = object.as_mapping_mut() {
        for f in foreign_fields(&kind) {
            m.remove(*f);
        }
    }
    object
}
