//! `pod-security-admission`: a cluster-wide Pod Security Standards level for every namespace.

use serde_yaml::Value;

use crate::controls::common::{
    asset_content, cluster_object, control_plane_asset, ensure_file_asset,
};
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, ParamSpec, ParamValue, Params, Reference, Severity, Status,
};
use crate::kops::KopsSpec;
use crate::yaml::tree;

pub const CONFIG_PATH: &str = "/srv/kubernetes/kube-apiserver/admission-config.yaml";
const ASSET_NAME: &str = "palisade-admission-config";
static TEMPLATE: &str = include_str!("../../../templates/kops/admission-config.yaml");

pub static CONTROL: Control = Control {
    id: "pod-security-admission",
    title: "Enforce a Pod Security Standards level in every namespace by default",
    severity: Severity::Medium,
    family: "api-server",
    rationale: "Without a default, a namespace with no pod-security labels admits privileged \
                pods, host namespaces and host paths: one compromised deployment becomes a \
                compromised node.",
    source:
        "Kubernetes Pod Security Admission; CIS Kubernetes Benchmark 5.2 (Pod Security Standards)",
    references: &[
        Reference {
            benchmark: "cis-1.12",
            id: "5.2.1",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "5.2.1",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "5.2.1",
        },
    ],
    kops_fields: &[
        "spec.kubeAPIServer.admissionControlConfigFile",
        "spec.fileAssets[name=palisade-admission-config]",
        "spec.kubeAPIServer.disableAdmissionPlugins",
    ],
    detection: "Fails unless admissionControlConfigFile names a ControlPlane fileAsset holding \
                an AdmissionConfiguration whose PodSecurity defaults enforce at least the \
                profile's `level`, and PodSecurity is not in disableAdmissionPlugins.",
    params: &[ParamSpec {
        name: "level",
        doc: "the Pod Security Standards level enforced by default",
        value: ParamValue::Choice {
            default: "baseline",
            allowed: &["baseline", "restricted"],
        },
    }],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

fn rank(level: &str) -> u8 {
    match level {
        "baseline" => 1,
        "restricted" => 2,
        _ => 0,
    }
}

/// The default `enforce` level in an AdmissionConfiguration, if it has a PodSecurity plugin.
fn enforced_level(content: &str) -> Option<String> {
    // every cluster of a fleet ships the same file: the last answer is kept (one entry)
    static LAST: std::sync::Mutex<Option<(String, Option<String>)>> = std::sync::Mutex::new(None);
    if let Ok(last) = LAST.lock() {
        if let Some((_, level)) = last.as_ref().filter(|(text, _)| text == content) {
            return level.clone();
        }
    }
    let level = parse_enforced_level(content);
    if let Ok(mut last) = LAST.lock() {
        *last = Some((content.to_string(), level.clone()));
    }
    level
}

fn parse_enforced_level(content: &str) -> Option<String> {
    let doc: Value = serde_yaml::from_str(content).ok()?;
    let plugins = tree::get(&doc, &["plugins"])?.as_sequence()?;
    let ps = plugins
        .iter()
        .find(|p| tree::get_str(p, &["name"]) == Some("PodSecurity"))?;
    tree::get_str(ps, &["configuration", "defaults", "enforce"]).map(str::to_string)
}

struct Rule;

impl KopsRule for Rule {
    fn check(&self, spec: &KopsSpec, params: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        let want = params.str("level");
        let c = spec.cluster();
        let path = "spec.kubeAPIServer.admissionControlConfigFile";
        let mut out = Vec::new();
        if tree::get_str_list(c, &["spec", "kubeAPIServer", "disableAdmissionPlugins"])
            .is_some_and(|l| l.iter().any(|p| p == "PodSecurity"))
        {
            out.push(Check::fail(
                &object,
                "spec.kubeAPIServer.disableAdmissionPlugins",
                "PodSecurity is disabled",
            ));
        }
        let Some(file) = tree::get_str(c, &["spec", "kubeAPIServer", "admissionControlConfigFile"])
        else {
            out.push(Check::fail(
                &object,
                path,
                format!("{path} is not set; namespaces without labels admit privileged pods"),
            ));
            return out;
        };
        let Some(asset) = control_plane_asset(spec, file) else {
            out.push(Check::fail(
                &object,
                path,
                format!("{path} is {file}, but no fileAsset with role ControlPlane ships it"),
            ));
            return out;
        };
        let content = asset_content(asset).unwrap_or_default();
        out.push(match enforced_level(&content) {
            Some(l) if rank(&l) >= rank(want) => Check::pass(
                &object,
                path,
                format!("PodSecurity enforces {l} by default"),
            ),
            Some(l) => Check::fail(
                &object,
                path,
                format!("PodSecurity enforces {l} by default; expected {want} or stricter"),
            ),
            None => Check::fail(
                &object,
                path,
                format!("{file} has no PodSecurity defaults.enforce"),
            ),
        });
        out
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, _: &ApplyCtx) -> Result<(), String> {
        let want = params.str("level").to_string();
        let c = spec.cluster();
        // A configuration of the user's own that already enforces enough is kept.
        if let Some(file) =
            tree::get_str(c, &["spec", "kubeAPIServer", "admissionControlConfigFile"])
        {
            let level = control_plane_asset(spec, file)
                .and_then(asset_content)
                .and_then(|c| enforced_level(&c));
            if file != CONFIG_PATH && level.is_some_and(|l| rank(&l) >= rank(&want)) {
                return drop_disable(spec);
            }
            if file != CONFIG_PATH {
                return Err(format!(
                    "spec.kubeAPIServer.admissionControlConfigFile already names {file}; add a \
                     PodSecurity plugin enforcing {want} to it by hand"
                ));
            }
        }
        ensure_file_asset(
            spec,
            ASSET_NAME,
            CONFIG_PATH,
            &TEMPLATE.replace("{{level}}", &want),
        );
        tree::set(
            spec.cluster_mut(),
            &["spec", "kubeAPIServer", "admissionControlConfigFile"],
            CONFIG_PATH.into(),
        );
        drop_disable(spec)
    }
}

fn drop_disable(spec: &mut KopsSpec) -> Result<(), String> {
    let path = ["spec", "kubeAPIServer", "disableAdmissionPlugins"];
    if let Some(list) = tree::get_str_list(spec.cluster(), &path) {
        if list.iter().any(|p| p == "PodSecurity") {
            let kept: Vec<String> = list.into_iter().filter(|p| p != "PodSecurity").collect();
            tree::set(spec.cluster_mut(), &path, tree::str_seq(&kept));
        }
    }
    Ok(())
}
