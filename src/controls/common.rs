//! Shapes shared by many controls: "this field must hold this value", on the Cluster and, for
//! kubelet settings, also on `masterKubelet` and on InstanceGroups that override the kubelet.

use serde_yaml::Value;

use super::params::Params;
use super::types::{ApplyCtx, Check, KopsRule};
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

/// The value a field must hold.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl Want {
    pub fn value(self) -> Value {
        match self {
            Want::Bool(b) => Value::from(b),
            Want::Int(i) => Value::from(i),
            Want::Str(s) => Value::from(s),
        }
    }
}

/// How an absent field is judged: by what kops (or upstream) does when it is unset.
#[derive(Debug, Clone, Copy)]
pub enum WhenUnset {
    Pass(&'static str),
    Fail(&'static str),
}

/// One field a control owns, as a path under the document root.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub path: &'a [&'a str],
    pub want: Want,
    pub unset: WhenUnset,
}

pub fn path_text(path: &[&str]) -> String {
    path.join(".")
}

pub fn show(v: &Value) -> String {
    crate::yaml::tree::text_of(v)
}

/// Judges one field of one document.
pub fn check_field(doc: &Value, object: &str, field: &Field<'_>) -> Check {
    let path = path_text(field.path);
    match tree::get(doc, field.path) {
        Some(v) if *v == field.want.value() => {
            Check::pass(object, &path, format!("{path} is {}", show(v)))
        }
        Some(v) => Check::fail(
            object,
            &path,
            format!(
                "{path} is {}; expected {}",
                show(v),
                show(&field.want.value())
            ),
        ),
        None => match field.unset {
            WhenUnset::Pass(why) => Check::pass(object, &path, format!("{path} is not set; {why}")),
            WhenUnset::Fail(why) => Check::fail(object, &path, format!("{path} is not set; {why}")),
        },
    }
}

pub fn cluster_object(spec: &KopsSpec) -> String {
    KopsSpec::object_name(spec.cluster())
}

/// A control made only of cluster fields with fixed values.
pub struct FieldRule {
    pub fields: &'static [Field<'static>],
    pub clouds: &'static [Cloud],
}

impl KopsRule for FieldRule {
    fn clouds(&self) -> &'static [Cloud] {
        self.clouds
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        self.fields
            .iter()
            .map(|f| check_field(spec.cluster(), &object, f))
            .collect()
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        for f in self.fields {
            tree::set(spec.cluster_mut(), f.path, f.want.value());
        }
        Ok(())
    }
}

/// Every place a kubelet setting can be made: `spec.kubelet` (always), `spec.masterKubelet`
/// (when the spec has one) and `spec.kubelet` of each InstanceGroup that sets the same field.
pub fn kubelet_checks(
    spec: &KopsSpec,
    key: &'static str,
    want: Want,
    unset: WhenUnset,
) -> Vec<Check> {
    let object = cluster_object(spec);
    let cluster = spec.cluster();
    let mut out = vec![check_field(
        cluster,
        &object,
        &Field {
            path: &["spec", "kubelet", key],
            want,
            unset,
        },
    )];
    if tree::get(cluster, &["spec", "masterKubelet"]).is_some() {
        // masterKubelet inherits from kubelet in kops; only an explicit different value matters
        let inherit = WhenUnset::Pass("control-plane nodes inherit spec.kubelet");
        out.push(check_field(
            cluster,
            &object,
            &Field {
                path: &["spec", "masterKubelet", key],
                want,
                unset: inherit,
            },
        ));
    }
    for ig in spec.instance_groups() {
        if tree::get(ig, &["spec", "kubelet", key]).is_some() {
            let ig_object = KopsSpec::object_name(ig);
            out.push(check_field(
                ig,
                &ig_object,
                &Field {
                    path: &["spec", "kubelet", key],
                    want,
                    unset,
                },
            ));
        }
    }
    out
}

/// Sets a kubelet field everywhere `kubelet_checks` looks.
pub fn kubelet_apply(spec: &mut KopsSpec, key: &'static str, want: Want) {
    let value = want.value();
    tree::set(spec.cluster_mut(), &["spec", "kubelet", key], value.clone());
    let cluster = spec.cluster_mut();
    if tree::get(cluster, &["spec", "masterKubelet", key]).is_some() {
        tree::set(cluster, &["spec", "masterKubelet", key], value.clone());
    }
    let path = ["spec", "kubelet", key];
    for ig in spec.instance_groups_where(|ig| tree::get(ig, &path).is_some_and(|v| *v != value)) {
        tree::set(ig, &path, value.clone());
    }
}

/// A control made of kubelet fields with fixed values.
pub struct KubeletRule {
    pub fields: &'static [(&'static str, Want, WhenUnset)],
}

impl KopsRule for KubeletRule {
    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        self.fields
            .iter()
            .flat_map(|(key, want, unset)| kubelet_checks(spec, key, *want, *unset))
            .collect()
    }

    fn apply(&self, spec: &mut KopsSpec, _: &Params, _: &ApplyCtx) -> Result<(), String> {
        for (key, want, _) in self.fields {
            kubelet_apply(spec, key, *want);
        }
        Ok(())
    }
}

/// `(major, minor)` of `spec.kubernetesVersion` (`1.34.1`, `v1.34.1`), if it parses.
pub fn kubernetes_minor(spec: &KopsSpec) -> Option<(u32, u32)> {
    let v = tree::get_str(spec.cluster(), &["spec", "kubernetesVersion"])?;
    crate::version::kubernetes_version(v).map(|(major, minor, _)| (major, minor))
}

/// Ensures a fileAsset `name` with `content` at `path` for the control plane, replacing an
/// earlier one of the same name.
pub fn ensure_file_asset(spec: &mut KopsSpec, name: &str, path: &str, content: &str) {
    let mut asset = serde_yaml::Mapping::new();
    asset.insert("name".into(), name.into());
    asset.insert("path".into(), path.into());
    asset.insert("roles".into(), tree::str_seq(&["ControlPlane"]));
    asset.insert("content".into(), content.into());
    let asset = Value::Mapping(asset);
    let spec_map = tree::ensure_map(spec.cluster_mut(), &["spec"]);
    let assets = spec_map
        .entry("fileAssets".into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if !assets.is_sequence() {
        *assets = Value::Sequence(Vec::new());
    }
    if let Value::Sequence(items) = assets {
        match items
            .iter_mut()
            // kops keeps the first asset for a path and skips the rest: ours must be that one
            .find(|a| {
                tree::get_str(a, &["name"]) == Some(name)
                    || tree::get_str(a, &["path"]) == Some(path)
            }) {
            Some(existing) if *existing == asset => {}
            Some(existing) => *existing = asset,
            None => items.push(asset),
        }
    }
}

/// The fileAsset at `path` that reaches the control plane, if any. Role `Master` does not count:
/// kops does not convert it for fileAssets, so such a file never lands (kops issue 15488).
pub fn control_plane_asset<'a>(spec: &'a KopsSpec, path: &str) -> Option<&'a Value> {
    let assets = tree::get(spec.cluster(), &["spec", "fileAssets"])?.as_sequence()?;
    assets.iter().find(|a| {
        tree::get_str(a, &["path"]) == Some(path)
            && tree::get_str_list(a, &["roles"])
                // no roles: kops ships the file to every role
                .is_none_or(|r| r.is_empty() || r.iter().any(|x| x == "ControlPlane"))
    })
}

/// A fileAsset's content as text, decoded when `isBase64` is set.
pub fn asset_content(asset: &Value) -> Option<String> {
    use base64::Engine as _;
    let raw = tree::get_str(asset, &["content"])?;
    if tree::get_bool(asset, &["isBase64"]) == Some(true) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw.trim())
            .ok()?;
        String::from_utf8(bytes).ok()
    } else {
        Some(raw.to_string())
    }
}

/// `(name, type)` of every subnet of the cluster.
pub fn subnet_types(spec: &KopsSpec) -> Vec<(String, String)> {
    tree::get(spec.cluster(), &["spec", "subnets"])
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .map(|n| {
                    (
                        tree::get_str(n, &["name"]).unwrap_or("").to_string(),
                        tree::get_str(n, &["type"]).unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The subnets a group is placed in; a group that names none is placed, as kops defaults it,
/// in every subnet but the Utility and DualStack ones.
pub fn group_subnets(ig: &Value, subnets: &[(String, String)]) -> Vec<String> {
    tree::get_str_list(ig, &["spec", "subnets"])
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| {
            subnets
                .iter()
                .filter(|(_, t)| t != "Utility" && t != "DualStack")
                .map(|(n, _)| n.clone())
                .collect()
        })
}
