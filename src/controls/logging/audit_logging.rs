//! `audit-logging`: the API server writes an audit log under a real policy, kept long enough.

use serde_yaml::Value;

use crate::controls::common::{cluster_object, control_plane_asset, ensure_file_asset};
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, ParamSpec, ParamValue, Params, Reference, Severity, Status,
};
use crate::kops::KopsSpec;
use crate::yaml::tree;

pub const POLICY_PATH: &str = "/etc/kubernetes/audit/policy-config.yaml";
pub const LOG_PATH: &str = "/var/log/kube-apiserver-audit.log";
const ASSET_NAME: &str = "palisade-audit-policy";
static POLICY: &str = include_str!("../../../templates/kops/audit-policy.yaml");

pub static CONTROL: Control = Control {
    id: "audit-logging",
    title: "Record API activity in an audit log under a shipped audit policy",
    severity: Severity::High,
    family: "logging",
    rationale: "Without an audit log there is no record of who read a secret or created a \
                privileged pod. kops sets neither a log nor a policy by default, and a log path \
                without a policy file records nothing.",
    source: "CIS Kubernetes Benchmark 1.2.16-1.2.19 and 3.2.1; kops issue 3672",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.7.1" },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.16",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.17",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.18",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.19",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "3.2.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.16",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.17",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.18",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.19",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.17",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.18",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.19",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.20",
        },
    ],
    kops_fields: &[
        "spec.kubeAPIServer.auditLogPath",
        "spec.kubeAPIServer.auditPolicyFile",
        "spec.kubeAPIServer.auditLogMaxAge",
        "spec.kubeAPIServer.auditLogMaxBackups",
        "spec.kubeAPIServer.auditLogMaxSize",
        "spec.fileAssets[name=palisade-audit-policy]",
    ],
    detection: concat!(
        "Fails unless auditLogPath is set, auditPolicyFile names a fileAsset with role \
                ControlPlane (role Master is not converted for fileAssets, kops issue 15488), \
                and maxAge, maxBackups and maxSize reach the profile's minimums.",
        " GKE: fails unless loggingConfig.componentConfig.enableComponents includes APISERVER, SCHEDULER and CONTROLLER_MANAGER (Admin Activity audit logs are always on; the control-plane component logs are not); changed in place with clusters.update desiredLoggingConfig."
    ),
    params: &[
        ParamSpec {
            name: "maxAge",
            doc: "days an audit log file is kept, at least",
            value: ParamValue::Int {
                default: 30,
                min: 1,
            },
        },
        ParamSpec {
            name: "maxBackups",
            doc: "rotated audit log files kept, at least",
            value: ParamValue::Int {
                default: 10,
                min: 1,
            },
        },
        ParamSpec {
            name: "maxSize",
            doc: "megabytes before an audit log rotates, at least",
            value: ParamValue::Int {
                default: 100,
                min: 1,
            },
        },
    ],
    kops: &Rule,
    gke: Some(&Gke),
    live: None,
    store: None,
    status: Status::Stable,
};

const LIMITS: [(&str, &str); 3] = [
    ("auditLogMaxAge", "maxAge"),
    ("auditLogMaxBackups", "maxBackups"),
    ("auditLogMaxSize", "maxSize"),
];

struct Rule;

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let c = spec.cluster();
        let mut out = Vec::new();
        let p = "spec.kubeAPIServer.auditLogPath";
        out.push(
            match tree::get_str(c, &["spec", "kubeAPIServer", "auditLogPath"]) {
                Some(path) if !path.is_empty() => Check::pass(&object, p, format!("{p} is {path}")),
                _ => Check::fail(
                    &object,
                    p,
                    format!("{p} is not set; the API server keeps no audit log"),
                ),
            },
        );
        let p = "spec.kubeAPIServer.auditPolicyFile";
        out.push(match tree::get_str(c, &["spec", "kubeAPIServer", "auditPolicyFile"]) {
            None => Check::fail(&object, p, format!("{p} is not set; without a policy nothing is logged")),
            Some(file) if control_plane_asset(spec, file).is_some() => {
                Check::pass(&object, p, format!("{p} is {file}, shipped to the control plane by fileAssets"))
            }
            Some(file) => Check::fail(
                &object,
                p,
                format!("{p} is {file}, but no fileAsset with role ControlPlane ships it, so the API server fails to start or logs nothing"),
            ),
        });
        for (field, param) in LIMITS {
            let p = format!("spec.kubeAPIServer.{field}");
            let min = params.int(param);
            out.push(match tree::get_i64(c, &["spec", "kubeAPIServer", field]) {
                Some(v) if v >= min => Check::pass(&object, &p, format!("{p} is {v}")),
                Some(v) => Check::fail(&object, &p, format!("{p} is {v}; expected at least {min}")),
                None => Check::fail(
                    &object,
                    &p,
                    format!("{p} is not set; expected at least {min}"),
                ),
            });
        }
        out
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        let own_policy = tree::get_str(
            spec.cluster(),
            &["spec", "kubeAPIServer", "auditPolicyFile"],
        )
        .filter(|f| *f != POLICY_PATH && control_plane_asset(spec, f).is_some())
        .is_some();
        if !own_policy {
            ensure_file_asset(spec, ASSET_NAME, POLICY_PATH, POLICY);
            tree::set(
                spec.cluster_mut(),
                &["spec", "kubeAPIServer", "auditPolicyFile"],
                POLICY_PATH.into(),
            );
        }
        let c = spec.cluster_mut();
        if tree::get_str(c, &["spec", "kubeAPIServer", "auditLogPath"]).is_none_or(str::is_empty) {
            tree::set(
                c,
                &["spec", "kubeAPIServer", "auditLogPath"],
                LOG_PATH.into(),
            );
        }
        for (field, param) in LIMITS {
            let min = params.int(param);
            if tree::get_i64(c, &["spec", "kubeAPIServer", field]).is_none_or(|v| v < min) {
                tree::set(c, &["spec", "kubeAPIServer", field], Value::from(min));
            }
        }
        Ok(())
    }
}

/// The GKE half.
struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fields(&self) -> &'static [&'static str] {
        &["loggingConfig.componentConfig.enableComponents"]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        let path = "loggingConfig.componentConfig.enableComponents";
        let have = gke_components(cluster.json);
        let missing: Vec<&str> = GKE_NEEDED
            .iter()
            .copied()
            .filter(|c| !have.iter().any(|h| h == c))
            .collect();
        vec![if missing.is_empty() {
            crate::controls::Check::pass(
                &object,
                path,
                "API server, scheduler and controller-manager logs are collected",
            )
        } else {
            crate::controls::Check::fail(
                &object,
                path,
                format!("control-plane logs not collected: {}", missing.join(", ")),
            )
        }]
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        _: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        let mut list = gke_components(cluster);
        for c in ["SYSTEM_COMPONENTS", "WORKLOADS"].iter().chain(GKE_NEEDED) {
            if !list.iter().any(|h| h == c) {
                list.push(c.to_string());
            }
        }
        crate::gke::view::set(
            cluster,
            &["loggingConfig", "componentConfig", "enableComponents"],
            serde_json::Value::from(list),
        );
        Ok(())
    }
}

const GKE_NEEDED: &[&str] = &["APISERVER", "SCHEDULER", "CONTROLLER_MANAGER"];

fn gke_components(cluster: &serde_json::Value) -> Vec<String> {
    crate::gke::view::at(
        cluster,
        &["loggingConfig", "componentConfig", "enableComponents"],
    )
    .and_then(serde_json::Value::as_array)
    .map(|l| {
        l.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}
