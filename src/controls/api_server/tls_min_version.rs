//! `tls-min-version`: the API server and kubelets refuse old TLS versions and weak ciphers.

use serde_yaml::Value;

use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, ParamSpec, ParamValue, Params, Reference, Severity, Status,
};
use crate::kops::KopsSpec;
use crate::yaml::tree;

/// Cipher suites without known weaknesses for TLS 1.2 (TLS 1.3 suites are not configurable).
pub const STRONG_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

pub static CONTROL: Control = Control {
    id: "tls-min-version",
    title: "Require TLS 1.2 or newer with strong ciphers on the API server and kubelets",
    severity: Severity::Medium,
    family: "api-server",
    rationale: "TLS 1.0 and 1.1 and CBC or RC4 cipher suites have practical attacks; the \
                components accept them unless told otherwise.",
    source: "CIS Kubernetes Benchmark 1.2.29 and 4.2.12 (strong cryptographic ciphers)",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.29",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "4.2.12",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.29",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "4.2.12",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.30",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "4.2.12",
        },
    ],
    kops_fields: &[
        "spec.kubeAPIServer.tlsMinVersion",
        "spec.kubeAPIServer.tlsCipherSuites",
        "spec.kubelet.tlsMinVersion",
        "spec.kubelet.tlsCipherSuites",
        "spec.masterKubelet.tlsMinVersion",
        "InstanceGroup spec.kubelet.tlsMinVersion",
    ],
    detection: "Fails when tlsMinVersion is unset or below the profile's `version` on the API \
                server or any kubelet scope, or when tlsCipherSuites names a suite outside the \
                strong list.",
    params: &[ParamSpec {
        name: "version",
        doc: "the oldest TLS version accepted",
        value: ParamValue::Choice {
            default: "VersionTLS12",
            allowed: &["VersionTLS12", "VersionTLS13"],
        },
    }],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

fn rank(v: &str) -> u8 {
    match v {
        "VersionTLS10" => 10,
        "VersionTLS11" => 11,
        "VersionTLS12" => 12,
        "VersionTLS13" => 13,
        _ => 0,
    }
}

/// (document index, component path) of every place a TLS floor is set or must be.
fn scopes(spec: &KopsSpec) -> Vec<(usize, Vec<&'static str>)> {
    let mut out = Vec::new();
    for (i, doc) in spec.documents().enumerate() {
        if crate::kops::spec::is_kind(doc, "Cluster") {
            out.push((i, vec!["spec", "kubeAPIServer"]));
            out.push((i, vec!["spec", "kubelet"]));
            if tree::get(doc, &["spec", "masterKubelet"]).is_some() {
                out.push((i, vec!["spec", "masterKubelet"]));
            }
        } else if crate::kops::spec::is_kind(doc, "InstanceGroup")
            && (tree::get(doc, &["spec", "kubelet", "tlsMinVersion"]).is_some()
                || tree::get(doc, &["spec", "kubelet", "tlsCipherSuites"]).is_some())
        {
            out.push((i, vec!["spec", "kubelet"]));
        }
    }
    out
}

struct Rule;

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        let floor = params.str("version");
        let mut out = Vec::new();
        for (i, scope) in scopes(spec) {
            let Some(doc) = spec.document(i) else {
                continue;
            };
            let object = KopsSpec::object_name(doc);
            let mut path = scope.clone();
            path.push("tlsMinVersion");
            let p = path.join(".");
            out.push(match tree::get_str(doc, &path) {
                Some(v) if rank(v) >= rank(floor) => {
                    Check::pass(&object, &p, format!("{p} is {v}"))
                }
                Some(v) => Check::fail(
                    &object,
                    &p,
                    format!("{p} is {v}; expected {floor} or newer"),
                ),
                None => Check::fail(
                    &object,
                    &p,
                    format!("{p} is not set; the component accepts TLS 1.0"),
                ),
            });
            let mut cpath = scope.clone();
            cpath.push("tlsCipherSuites");
            if let Some(suites) = tree::get_str_list(doc, &cpath) {
                let weak: Vec<&String> = suites
                    .iter()
                    .filter(|s| !STRONG_CIPHERS.contains(&s.as_str()))
                    .collect();
                let p = cpath.join(".");
                out.push(if weak.is_empty() {
                    Check::pass(&object, &p, format!("{p} names only strong suites"))
                } else {
                    let names: Vec<&str> = weak.iter().map(|s| s.as_str()).collect();
                    Check::fail(
                        &object,
                        &p,
                        format!("{p} includes weak suites: {}", names.join(", ")),
                    )
                });
            }
        }
        out
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        let floor = params.str("version").to_string();
        for (i, scope) in scopes(spec) {
            let Some(doc) = spec.document_mut(i) else {
                continue;
            };
            let mut path = scope.clone();
            path.push("tlsMinVersion");
            if tree::get_str(doc, &path).is_none_or(|v| rank(v) < rank(&floor)) {
                tree::set(doc, &path, Value::from(floor.as_str()));
            }
            let mut cpath = scope.clone();
            cpath.push("tlsCipherSuites");
            let keep: Option<Vec<String>> = tree::get_str_list(doc, &cpath).map(|s| {
                s.into_iter()
                    .filter(|x| STRONG_CIPHERS.contains(&x.as_str()))
                    .collect()
            });
            match keep {
                Some(k) if !k.is_empty() => tree::set(doc, &cpath, tree::str_seq(&k)),
                _ if floor == "VersionTLS12" || tree::get(doc, &cpath).is_some() => {
                    tree::set(doc, &cpath, tree::str_seq(STRONG_CIPHERS))
                }
                _ => {}
            }
        }
        Ok(())
    }
}
