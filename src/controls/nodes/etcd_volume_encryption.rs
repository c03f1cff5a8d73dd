//! `etcd-volume-encryption`: etcd's EBS volumes are encrypted.

use serde_yaml::Value;

use crate::controls::common::cluster_object;
use crate::controls::{
    ApplyCtx, Check, Control, KopsRule, Mode, Params, Severity, Status, Verdict,
};
use crate::kops::{Cloud, KopsSpec};
use crate::yaml::tree;

pub static CONTROL: Control = Control {
    id: "etcd-volume-encryption",
    title: "Encrypt the etcd volumes",
    severity: Severity::High,
    family: "nodes",
    rationale: "etcd holds every object of the cluster, secrets included; an unencrypted volume \
                or snapshot of it gives them all away.",
    source: "kops create cluster (--encrypt-etcd-storage, on by default on AWS)",
    references: &[],
    kops_fields: &["spec.etcdClusters[].etcdMembers[].encryptedVolume"],
    detection: "Fails for each etcd member whose encryptedVolume is not true. kops creates the \
                volumes once and does not re-create them when the flag changes, so harden \
                reports an unencrypted member instead of editing it.",
    params: &[],
    kops: &Rule,
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};

struct Rule;

fn members(spec: &KopsSpec) -> Vec<(usize, usize, String, Option<bool>)> {
    let mut out = Vec::new();
    let clusters =
        tree::get(spec.cluster(), &["spec", "etcdClusters"]).and_then(Value::as_sequence);
    for (ci, cluster) in clusters.into_iter().flatten().enumerate() {
        let name = tree::get_str(cluster, &["name"]).unwrap_or("?");
        let ms = tree::get(cluster, &["etcdMembers"]).and_then(Value::as_sequence);
        for (mi, m) in ms.into_iter().flatten().enumerate() {
            let member = tree::get_str(m, &["name"]).unwrap_or("?");
            out.push((
                ci,
                mi,
                format!("{name}/{member}"),
                tree::get_bool(m, &["encryptedVolume"]),
            ));
        }
    }
    out
}

impl KopsRule for Rule {
    fn clouds(&self) -> &'static [Cloud] {
        &[Cloud::Aws]
    }

    fn check(&self, spec: &KopsSpec, _: &Params) -> Vec<Check> {
        let object = cluster_object(spec);
        members(spec)
            .into_iter()
            .map(|(ci, mi, name, enc)| {
                let path = format!("spec.etcdClusters[{ci}].etcdMembers[{mi}].encryptedVolume");
                match enc {
                    Some(true) => {
                        Check::pass(&object, &path, format!("etcd member {name} is encrypted"))
                    }
                    _ => Check::fail(
                        &object,
                        &path,
                        format!("etcd member {name} has no encryptedVolume: true"),
                    ),
                }
            })
            .collect()
    }

    fn apply(&self, spec: &mut KopsSpec, params: &Params, ctx: &ApplyCtx) -> Result<(), String> {
        if ctx.mode == Mode::Harden {
            let failing: Vec<String> = self
                .check(spec, params)
                .into_iter()
                .filter(|c| c.verdict == Verdict::Fail)
                .map(|c| c.path)
                .collect();
            if failing.is_empty() {
                return Ok(());
            }
            return Err(format!(
                "{} must be true, but the volumes already exist and kops does not re-create \
                 them when the flag changes: restore etcd from a backup onto encrypted volumes",
                failing.join(", ")
            ));
        }
        for (ci, mi, ..) in members(spec) {
            let c = spec.cluster_mut();
            if let Some(m) = c
                .get_mut("spec")
                .and_then(|s| s.get_mut("etcdClusters"))
                .and_then(|e| e.get_mut(ci))
                .and_then(|e| e.get_mut("etcdMembers"))
                .and_then(|m| m.get_mut(mi))
            {
                tree::set(m, &["encryptedVolume"], Value::from(true));
            }
        }
        Ok(())
    }
}
