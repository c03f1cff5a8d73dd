//! Building a plan: read what the store holds for the cluster, work out the desired objects,
//! and diff them.
//!
//! A cluster already in the store, written by Palisade or not, is changed field by field: the
//! rendered documents are merged over what is stored, so every field Palisade does not render
//! is kept. What cannot change on a running cluster (the CNI, the subnets, the etcd members) is
//! kept as stored and flagged, never silently dropped or rewritten.

use crate::controls::secrets::encryption_at_rest;
use std::collections::BTreeMap;

use serde_yaml::Value;
use thiserror::Error;

use crate::audit::evaluate;
use crate::cluster_file::ClusterFile;
use crate::kops::spec::name_of;
use crate::kops::KopsSpec;
use crate::plan::field_changes;
use crate::plan::{Action, Change, Kept, Plan, WaiverInEffect, FORMAT_VERSION};
use crate::profile::ResolvedProfile;
use crate::provider::kops::render::Rendered;
use crate::secrets;
use crate::state::{Layout, StateStore, StoreError, ENCRYPTION_SECRET_NAME};
use crate::trace::Trace;
use crate::yaml::tree;

#[derive(Debug, Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{key} in {url}: not a kops document: {reason}")]
    Stored {
        key: String,
        url: String,
        reason: String,
    },
    #[error("{path}: {reason}")]
    SshKey { path: String, reason: String },
    #[error("{0}")]
    Refused(String),
}

/// Paths kops cannot change on a running cluster; a difference there is kept as stored.
const IN_PLACE_ONLY: &[(&str, &str)] = &[
    (
        "networking",
        "changing the CNI of a running cluster is a migration",
    ),
    (
        "subnets",
        "changing the subnets of a running cluster changes its topology",
    ),
    (
        "etcdClusters",
        "etcd members and their volumes cannot change on a running cluster",
    ),
];

fn parse_stored(key: &str, url: &str, data: &[u8]) -> Result<Value, PlanError> {
    let v: Value = serde_yaml::from_slice(data).map_err(|e| PlanError::Stored {
        key: key.into(),
        url: url.into(),
        reason: e.to_string(),
    })?;
    if !v.is_mapping() {
        return Err(PlanError::Stored {
            key: key.into(),
            url: url.into(),
            reason: "expected a mapping".into(),
        });
    }
    Ok(v)
}

/// The desired Cluster document for a store that already holds `stored`.
/// Lists of named entries that users fill as well as Palisade: merged by `name`, so a user's own
/// entry is kept where it stood and Palisade's replace only the entries of the same name.
const KEYED_LISTS: &[&str] = &["fileAssets"];

fn merge_by_name(stored: &Value, rendered: &Value) -> Value {
    let (Some(old), Some(new)) = (stored.as_sequence(), rendered.as_sequence()) else {
        return rendered.clone();
    };
    let name = |v: &Value| tree::get_str(v, &["name"]).map(str::to_string);
    let mut out: Vec<Value> = old
        .iter()
        .map(|o| {
            new.iter()
                .find(|n| name(n).is_some() && name(n) == name(o))
                .unwrap_or(o)
                .clone()
        })
        .collect();
    for n in new {
        if !old.iter().any(|o| name(o).is_some() && name(o) == name(n)) {
            out.push(n.clone());
        }
    }
    Value::Sequence(out)
}

fn merge_cluster(stored: &Value, rendered: &Value, kept: &mut Vec<Kept>) -> Value {
    let mut out = stored.clone();
    tree::merge(&mut out, rendered);
    for field in KEYED_LISTS {
        if let (Some(old), Some(new)) = (
            tree::get(stored, &["spec", field]),
            tree::get(rendered, &["spec", field]),
        ) {
            tree::set(&mut out, &["spec", field], merge_by_name(old, new));
        }
    }
    for (field, why) in IN_PLACE_ONLY {
        let old = tree::get(stored, &["spec", field]);
        let new = tree::get(rendered, &["spec", field]);
        if let (Some(old), Some(new)) = (old, new) {
            if old != new {
                tree::set(&mut out, &["spec", field], old.clone());
                kept.push(Kept {
                    object: KopsSpec::object_name(stored),
                    path: format!("spec.{field}"),
                    stored: serde_json::to_value(old).unwrap_or_default(),
                    wanted: serde_json::to_value(new).unwrap_or_default(),
                    why: (*why).to_string(),
                });
            }
        }
    }
    out
}

fn merge_group(stored: &Value, rendered: &Value, keep_subnets: bool) -> Value {
    let mut out = stored.clone();
    tree::merge(&mut out, rendered);
    if keep_subnets {
        if let Some(old) = tree::get(stored, &["spec", "subnets"]) {
            tree::set(&mut out, &["spec", "subnets"], old.clone());
        }
    }
    out
}

fn is_control_plane(ig: &Value) -> bool {
    matches!(
        tree::get_str(ig, &["spec", "role"]),
        Some("Master" | "ControlPlane")
    )
}

fn yaml(doc: &Value) -> String {
    crate::kops::emit::to_yaml(doc)
}

struct Builder<'a> {
    plan: Plan,
    trace: &'a Trace,
}

impl Builder<'_> {
    fn document(&mut self, key: String, stored: Option<&Value>, desired: &Value) {
        let object = KopsSpec::object_name(desired);
        if stored == Some(desired) {
            return;
        }
        let fields = field_changes(stored, desired, &object, self.trace);
        if stored.is_some() && fields.is_empty() {
            return;
        }
        self.plan.writes.insert(key.clone(), yaml(desired));
        self.plan.changes.push(Change {
            key,
            object,
            action: if stored.is_some() {
                Action::Update
            } else {
                Action::Create
            },
            sensitive: false,
            because: "cluster file".into(),
            fields,
        });
    }
}

/// What the store holds for the cluster: every key read with its object (`None`: absent).
struct Stored {
    objects: BTreeMap<String, Option<crate::state::Object>>,
    /// `CLUSTER/instancegroup/NAME` keys listed.
    group_keys: Vec<String>,
    /// The cluster file's admin SSH key: its key in the store and its text.
    ssh: Option<(String, String)>,
}

impl Stored {
    fn absent(&self, key: &str) -> bool {
        self.objects.get(key).is_some_and(Option::is_none)
    }

    /// The stored document at `key`, parsed.
    fn document(&self, key: &str, url: &str) -> Result<Option<Value>, PlanError> {
        match self.objects.get(key).and_then(Option::as_ref) {
            Some(o) => Ok(Some(parse_stored(key, url, &o.data)?)),
            None => Ok(None),
        }
    }
}

/// The cluster file's `kops.sshPublicKey`, read beside the file: (store key, text).
fn read_ssh_key(
    file: &ClusterFile,
    layout: &Layout,
) -> Result<Option<(String, String)>, PlanError> {
    let Some(path) = file.kops.as_ref().and_then(|k| k.ssh_public_key.as_ref()) else {
        return Ok(None);
    };
    let full = file
        .source
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."))
        .join(path);
    let text = crate::input::read_text(&full, crate::input::SSH_PUBLIC_KEY).map_err(|e| {
        PlanError::SshKey {
            path: full.display().to_string(),
            reason: e.reason(),
        }
    })?;
    let fp = secrets::fingerprint(&text).map_err(|reason| PlanError::SshKey {
        path: full.display().to_string(),
        reason,
    })?;
    Ok(Some((layout.ssh_public_key(&fp), text)))
}

/// One listing of the cluster's prefix (instance groups, SSH keys), then every object read in
/// one batch.
fn read_store(
    file: &ClusterFile,
    layout: &Layout,
    store: &dyn StateStore,
) -> Result<Stored, PlanError> {
    let cluster = layout.cluster;
    let url = store.url();
    let listed = store.list(&format!("{cluster}/"))?;
    let group_prefix = layout.instance_group_prefix();
    let group_keys: Vec<String> = listed
        .iter()
        .filter(|k| {
            k.strip_prefix(&group_prefix)
                .is_some_and(|n| !n.contains('/'))
        })
        .cloned()
        .collect();
    let ssh = read_ssh_key(file, layout)?;
    // kops on AWS takes at most one admin key: any other one in the store must go first
    let admin_prefix = layout.ssh_public_key("");
    if let Some((k, _)) = &ssh {
        if let Some(other) = listed
            .iter()
            .find(|o| o.starts_with(&admin_prefix) && *o != k)
        {
            return Err(PlanError::Refused(format!(
                "{url} already holds the SSH key {other}, and kops allows one admin key; delete it (kops delete sshpublickey --name {cluster}) or point kops.sshPublicKey at that key"
            )));
        }
    }
    let mut keys = vec![layout.config(), layout.secret(ENCRYPTION_SECRET_NAME)];
    keys.extend(group_keys.iter().cloned());
    if let Some((k, _)) = &ssh {
        keys.push(k.clone());
    }
    let objects = store.get_many(&keys)?;
    Ok(Stored {
        objects: keys.into_iter().zip(objects).collect(),
        group_keys,
        ssh,
    })
}

/// Secrets first, the order apply writes in: the encryption secret when the config that will
/// be written asks for it and the store has none, and the admin SSH key.
fn plan_secrets(
    b: &mut Builder<'_>,
    layout: &Layout,
    stored: &Stored,
    desired_config: &Value,
    profile: &ResolvedProfile,
) {
    // judged on the config that will be written: a stored `encryptionConfig: true` survives
    // the merge even when the profile no longer sets it, and still needs its secret
    let wants_encryption =
        tree::get_bool(desired_config, &["spec", "encryptionConfig"]) == Some(true);
    let secret_key = layout.secret(ENCRYPTION_SECRET_NAME);
    if wants_encryption && stored.absent(&secret_key) {
        b.plan.encryption_provider = Some(encryption_at_rest::provider(
            &profile.setting(encryption_at_rest::CONTROL.id).params,
        ));
        b.plan.changes.push(Change {
            key: secret_key,
            object: format!("Secret/{ENCRYPTION_SECRET_NAME}"),
            action: Action::Create,
            sensitive: true,
            because: "control secrets-encryption-at-rest".into(),
            fields: Vec::new(),
        });
    }
    if let Some((key, text)) = &stored.ssh {
        if stored.absent(key) {
            b.plan.writes.insert(key.clone(), text.clone());
            b.plan.changes.push(Change {
                key: key.clone(),
                object: "SSHPublicKey/admin".into(),
                action: Action::Create,
                sensitive: false,
                because: "cluster file (kops.sshPublicKey)".into(),
                fields: Vec::new(),
            });
        }
    }
}

/// A group's role as kops compares it (`ControlPlane` is the new name of `Master`).
fn role(g: &Value) -> String {
    tree::get_str(g, &["spec", "role"])
        .map(|r| if r == "ControlPlane" { "Master" } else { r })
        .unwrap_or("")
        .to_string()
}

/// The instance groups: each rendered group merged over the stored one it is (by key, or a
/// control-plane group kops named otherwise in the same subnets); groups only in the store are
/// kept and reported. Returns every group as the store will hold it.
fn plan_groups(
    b: &mut Builder<'_>,
    layout: &Layout,
    stored: &Stored,
    rendered: &Rendered,
    keep_subnets: bool,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, Value>, PlanError> {
    let url = b.plan.state.clone();
    let mut stored_groups: BTreeMap<String, Value> = BTreeMap::new();
    for key in &stored.group_keys {
        if let Some(doc) = stored.document(key, &url)? {
            stored_groups.insert(key.clone(), doc);
        }
    }
    let mut desired_groups = stored_groups.clone();
    let rendered_keys: Vec<String> = rendered
        .spec
        .instance_groups()
        .map(|ig| layout.instance_group(name_of(ig).unwrap_or_default()))
        .collect();
    let mut matched: Vec<String> = Vec::new();
    for ig in rendered.spec.instance_groups() {
        let name = name_of(ig).unwrap_or_default().to_string();
        let mut key = layout.instance_group(&name);
        // An existing cluster's control-plane groups may carry other names (kops once called
        // them master-ZONE): the one in the same subnets is the same group, not a new one.
        if !stored_groups.contains_key(&key) && is_control_plane(ig) {
            let subnets = tree::get(ig, &["spec", "subnets"]);
            if let Some((k, _)) = stored_groups.iter().find(|(k, g)| {
                is_control_plane(g)
                    && !matched.contains(*k)
                    && !rendered_keys.contains(*k)
                    && tree::get(g, &["spec", "subnets"]) == subnets
            }) {
                warnings.push(format!(
                    "control-plane group {name} is stored as {k}; it keeps that name"
                ));
                key = k.clone();
            }
        }
        if matched.contains(&key) {
            return Err(PlanError::Refused(format!(
                "two instance groups of the cluster file would both be written to {key}; rename the node group {name}"
            )));
        }
        let stored_ig = stored_groups.get(&key);
        if let Some(s) = stored_ig.filter(|s| role(s) != role(ig)) {
            return Err(PlanError::Refused(format!(
                "{key} is a {} group in the store, and the cluster file would make it a {} group; kops cannot change a group's role: rename {name}",
                role(s),
                role(ig)
            )));
        }
        let desired = match stored_ig {
            Some(s) => {
                let mut d = merge_group(s, ig, keep_subnets);
                if let Some(n) = tree::get(s, &["metadata", "name"]) {
                    tree::set(&mut d, &["metadata", "name"], n.clone());
                }
                d
            }
            None => ig.clone(),
        };
        b.document(key.clone(), stored_ig, &desired);
        desired_groups.insert(key.clone(), desired);
        matched.push(key);
    }
    for key in stored.group_keys.iter().filter(|k| !matched.contains(k)) {
        warnings.push(format!("{key} is in the store but not in the cluster file; kept (remove it with `kops delete instancegroup`)"));
    }
    Ok(desired_groups)
}

/// Plans `rendered` (from `file` and `profile`) against what `store` holds.
pub fn make_plan(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    rendered: &Rendered,
    store: &dyn StateStore,
) -> Result<Plan, PlanError> {
    let cluster = rendered.spec.cluster_name().to_string();
    let layout = Layout { cluster: &cluster };
    let url = store.url().to_string();
    let stored = read_store(file, &layout, store)?;
    let plan = Plan {
        format_version: FORMAT_VERSION,
        cluster: cluster.clone(),
        state: url.clone(),
        base: stored
            .objects
            .iter()
            .map(|(k, o)| (k.clone(), o.as_ref().map(|o| o.version.clone())))
            .collect(),
        changes: Vec::new(),
        waivers: WaiverInEffect::from_findings(&rendered.findings),
        warnings: rendered.warnings.clone(),
        encryption_provider: None,
        writes: BTreeMap::new(),
        kept: Vec::new(),
        still_failing: Vec::new(),
    };
    let mut b = Builder {
        plan,
        trace: &rendered.trace,
    };

    // the Cluster decides whether subnets are kept as stored
    let config_key = layout.config();
    let stored_config = stored.document(&config_key, &url)?;
    let desired_config = match &stored_config {
        Some(s) => merge_cluster(s, rendered.spec.cluster(), &mut b.plan.kept),
        None => rendered.spec.cluster().clone(),
    };
    let keep_subnets = stored_config.is_some()
        && tree::get(&desired_config, &["spec", "subnets"])
            != tree::get(rendered.spec.cluster(), &["spec", "subnets"]);

    plan_secrets(&mut b, &layout, &stored, &desired_config, profile);
    let mut warnings = Vec::new();
    let desired_groups = plan_groups(
        &mut b,
        &layout,
        &stored,
        rendered,
        keep_subnets,
        &mut warnings,
    )?;
    // what the controls will say of the store after apply
    let mut after = vec![desired_config.clone()];
    after.extend(desired_groups.into_values());
    for f in evaluate(&KopsSpec::from_documents(after), profile, &file.waivers) {
        if f.is_blocking() {
            b.plan
                .still_failing
                .push(format!("{} on {}: {}", f.control, f.object, f.message));
        }
    }
    // config last: the commit point
    b.document(config_key, stored_config.as_ref(), &desired_config);
    // every key apply will write is part of the base, creates as "absent", so a saved plan is
    // refused before its first write if any of them appeared in the meantime
    for c in &b.plan.changes {
        b.plan.base.entry(c.key.clone()).or_insert(None);
    }
    b.plan.warnings.extend(warnings);
    Ok(b.plan)
}
