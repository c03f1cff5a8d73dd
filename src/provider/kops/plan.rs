//! Building a plan: read what the store holds for the cluster, work out the desired objects,
//! and diff them.
//!
//! A cluster already in the store, written by Palisade or not, is changed field by field: the
//! rendered documents are merged over what is stored, so every field Palisade does not render
//! is kept. What cannot change on a running cluster (the CNI, the subnets, the etcd members) is
//! kept as stored and flagged, never silently dropped or rewritten.

use crate::controls::secrets::encryption_at_rest;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_yaml::Value;
use thiserror::Error;

use crate::audit::evaluate;
use crate::cluster_file::ClusterFile;
use crate::kops::spec::name_of;
use crate::kops::KopsSpec;
use crate::plan::field_changes;
use crate::plan::{Action, Change, Intent, Kept, Plan, WaiverInEffect};
use crate::profile::ResolvedProfile;
use crate::provider::kops::render::Rendered;
use crate::secrets;
use crate::state::{Layout, StateStore, StoreError, ENCRYPTION_SECRET_NAME};
use crate::yaml::tree;

#[derive(Debug, Error)]
pub enum PlanError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{key} in {url} is not a usable encryption secret: {reason}. Restore its previous version (kops' state bucket should keep versions), or, if no Secret was ever encrypted with it, delete it and plan again")]
    Secret {
        key: String,
        url: String,
        reason: String,
    },
    #[error("{key} in {url}: not a stream of Kubernetes objects: {reason}")]
    StoredObjects {
        key: String,
        url: String,
        reason: String,
    },
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
    #[error("the plan would write {key}: {why}; nothing was written")]
    ForeignKey { key: String, why: String },
    #[error("the plan's {key}: {why}; nothing was written (make the plan again)")]
    Invalid { key: String, why: String },
    #[error("{key} changed in {url} since the plan was made; nothing was written. Run plan again")]
    Stale { key: String, url: String },
    #[error("the plan's result would fail what the profile enforces, and the plan carries no waiver for it; nothing was written:\n{}", .0.join("\n"))]
    Fails(Vec<String>),
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
    (
        "networkCIDR",
        "the VPC's address range cannot change on a running cluster",
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

/// What the store holds for the cluster: every key read with its object (`None`: absent).
pub struct Stored {
    objects: BTreeMap<String, Option<crate::state::Object>>,
    /// `CLUSTER/instancegroup/NAME` keys listed.
    group_keys: Vec<String>,
    /// The cluster file's admin SSH key: its key in the store and its text.
    ssh: Option<(String, String)>,
    /// Documents already parsed: a plan reads `config` and each group several times.
    parsed: Parsed<Value>,
    /// The Kubernetes objects already parsed, by key.
    parsed_objects: Parsed<Vec<Value>>,
}

impl Stored {
    fn absent(&self, key: &str) -> bool {
        self.objects.get(key).is_some_and(Option::is_none)
    }

    /// The stored Kubernetes objects at `key` (`clusteraddons/default`), parsed.
    fn objects(&self, key: &str, url: &str) -> Result<Arc<Vec<Value>>, PlanError> {
        let Some(o) = self.objects.get(key).and_then(Option::as_ref) else {
            return Ok(Arc::default());
        };
        parsed_once(&self.parsed_objects, key, || {
            super::addons::parse(&String::from_utf8_lossy(&o.data)).map_err(|reason| {
                PlanError::StoredObjects {
                    key: key.into(),
                    url: url.into(),
                    reason,
                }
            })
        })
    }

    /// The stored document at `key`, parsed.
    fn document(&self, key: &str, url: &str) -> Result<Option<Arc<Value>>, PlanError> {
        let Some(o) = self.objects.get(key).and_then(Option::as_ref) else {
            return Ok(None);
        };
        parsed_once(&self.parsed, key, || parse_stored(key, url, &o.data)).map(Some)
    }

    /// Takes `candidate` as the parse of the document at `key` when the stored bytes are
    /// exactly what Palisade writes for it (the emitter's output reads back as the value it
    /// was made from): a cluster the store already holds as rendered is planned without
    /// parsing its documents again.
    fn recognise(&self, key: &str, candidate: &Arc<Value>) {
        self.recognise_in(&self.parsed, key, candidate, yaml, |data| {
            serde_yaml::from_slice(data).ok()
        });
    }

    /// The same for the Kubernetes objects at `key`.
    fn recognise_objects(&self, key: &str, candidate: &Arc<Vec<Value>>) {
        self.recognise_in(
            &self.parsed_objects,
            key,
            candidate,
            |objects| super::addons::emit(objects),
            |data| super::addons::parse(&String::from_utf8_lossy(data)).ok(),
        );
    }

    /// Puts `candidate` in `cache` for `key` when the stored bytes are `emit(candidate)`;
    /// debug builds (every test) parse the bytes anyway and check they read back equal.
    fn recognise_in<T: PartialEq + std::fmt::Debug>(
        &self,
        cache: &Parsed<T>,
        key: &str,
        candidate: &Arc<T>,
        emit: impl FnOnce(&T) -> String,
        parse: impl FnOnce(&[u8]) -> Option<T>,
    ) {
        let Some(o) = self.objects.get(key).and_then(Option::as_ref) else {
            return;
        };
        if cache.borrow().contains_key(key) || o.data != emit(candidate).as_bytes() {
            return;
        }
        debug_assert_eq!(
            parse(&o.data).as_ref(),
            Some(&**candidate),
            "{key}: the emitter's output does not read back as its value"
        );
        cache
            .borrow_mut()
            .insert(key.to_string(), Arc::clone(candidate));
    }
}

/// Parsed stored values by key.
type Parsed<T> = std::cell::RefCell<BTreeMap<String, Arc<T>>>;

/// The value at `key` in `cache`, or `parse()`'s, kept there.
fn parsed_once<T>(
    cache: &Parsed<T>,
    key: &str,
    parse: impl FnOnce() -> Result<T, PlanError>,
) -> Result<Arc<T>, PlanError> {
    if let Some(v) = cache.borrow().get(key) {
        return Ok(Arc::clone(v));
    }
    let v = Arc::new(parse()?);
    cache.borrow_mut().insert(key.to_string(), Arc::clone(&v));
    Ok(v)
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
    let ssh = read_ssh_key(file, layout)?;
    // one listing: the groups, and the admin keys when the cluster file names one
    let listed = match &ssh {
        Some(_) => store.list(&format!("{cluster}/"))?,
        None => store.list(&layout.instance_group_prefix())?,
    };
    let group_keys: Vec<String> = listed
        .iter()
        .filter(|k| layout.is_instance_group(k))
        .cloned()
        .collect();
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
    let mut keys = vec![
        layout.config(),
        layout.secret(ENCRYPTION_SECRET_NAME),
        layout.cluster_addons(),
    ];
    keys.extend(group_keys.iter().cloned());
    if let Some((k, _)) = &ssh {
        keys.push(k.clone());
    }
    let objects = store.get_many(&keys)?;
    Ok(Stored {
        objects: keys.into_iter().zip(objects).collect(),
        group_keys,
        ssh,
        parsed: Default::default(),
        parsed_objects: Default::default(),
    })
}

/// The secrets: the encryption secret, generated at apply, when the config that will be
/// written asks for it and the store has none; and the admin SSH key.
fn plan_secrets(intent: &mut Intent, layout: &Layout, stored: &Stored, desired_config: &Value) {
    // judged on the config that will be written: a stored `encryptionConfig: true` survives
    // the merge even when the profile no longer sets it, and still needs its secret
    let wants_encryption =
        tree::get_bool(desired_config, &["spec", "encryptionConfig"]) == Some(true);
    let secret_key = layout.secret(ENCRYPTION_SECRET_NAME);
    if wants_encryption && stored.absent(&secret_key) {
        intent.generated.push(secret_key);
    }
    if let Some((key, text)) = &stored.ssh {
        if stored.absent(key) {
            intent.writes.insert(key.clone(), text.clone());
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
/// kept and reported.
fn plan_groups(
    intent: &mut Intent,
    layout: &Layout,
    stored: &Stored,
    rendered: &KopsSpec,
    keep_subnets: bool,
    warnings: &mut Vec<String>,
) -> Result<(), PlanError> {
    let url = intent.state.clone();
    let mut stored_groups: BTreeMap<String, Arc<Value>> = BTreeMap::new();
    for key in &stored.group_keys {
        if let Some(doc) = stored.document(key, &url)? {
            stored_groups.insert(key.clone(), doc);
        }
    }
    let rendered_keys: Vec<String> = rendered
        .instance_groups()
        .map(|ig| layout.instance_group(name_of(ig).unwrap_or_default()))
        .collect();
    let mut matched: Vec<String> = Vec::new();
    let groups = rendered
        .shared_documents()
        .filter(|d| crate::kops::spec::is_kind(d, "InstanceGroup"));
    for shared in groups {
        let ig: &Value = shared;
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
        // the store holds the group as rendered (the same value): merged over itself, it stays
        if stored_ig.is_some_and(|s| Arc::ptr_eq(s, shared)) {
            matched.push(key);
            continue;
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
        if stored_ig.map(|s| &**s) != Some(&desired) {
            intent.writes.insert(key.clone(), yaml(&desired));
        }
        matched.push(key);
    }
    for key in stored.group_keys.iter().filter(|k| !matched.contains(k)) {
        warnings.push(format!("{key} is in the store but not in the cluster file; kept (remove it with `kops delete instancegroup`)"));
    }
    Ok(())
}

/// Plans `rendered` (from `file` and `profile`) against what `store` holds.
pub fn make_plan(
    file: &ClusterFile,
    profile: &ResolvedProfile,
    rendered: Rendered,
    store: &dyn StateStore,
) -> Result<Plan, PlanError> {
    let Rendered {
        spec: rendered,
        trace,
        warnings,
        ..
    } = rendered;
    let cluster = rendered.cluster_name().to_string();
    let layout = Layout { cluster: &cluster };
    let url = store.url().to_string();
    let stored = read_store(file, &layout, store)?;
    check_stored_secret(&stored, &layout, &url)?;
    let mut intent = Intent {
        cluster: cluster.clone(),
        state: url.clone(),
        base: stored
            .objects
            .iter()
            .map(|(k, o)| (k.clone(), o.as_ref().map(|o| o.version.clone())))
            .collect(),
        writes: BTreeMap::new(),
        generated: Vec::new(),
        profile_refs: file.profile.list(),
        profile: profile.clone(),
        waivers: file.waivers.clone(),
        trace,
        kept: Vec::new(),
        warnings,
    };

    // what the store holds as Palisade would write it now needs no parse
    let config_key = layout.config();
    for doc in rendered.shared_documents() {
        if crate::kops::spec::is_kind(doc, "Cluster") {
            stored.recognise(&config_key, doc);
        } else if crate::kops::spec::is_kind(doc, "InstanceGroup") {
            stored.recognise(
                &layout.instance_group(name_of(doc).unwrap_or_default()),
                doc,
            );
        }
    }
    let rendered_objects: Arc<Vec<Value>> = Arc::new(rendered.objects().cloned().collect());
    stored.recognise_objects(&layout.cluster_addons(), &rendered_objects);

    // the Cluster decides whether subnets are kept as stored
    let stored_config = stored.document(&config_key, &url)?;
    let desired_config = match &stored_config {
        Some(s) => merge_cluster(s, rendered.cluster(), &mut intent.kept),
        None => rendered.cluster().clone(),
    };
    let keep_subnets = stored_config.is_some()
        && tree::get(&desired_config, &["spec", "subnets"])
            != tree::get(rendered.cluster(), &["spec", "subnets"]);

    plan_secrets(&mut intent, &layout, &stored, &desired_config);
    let mut warnings = Vec::new();
    plan_groups(
        &mut intent,
        &layout,
        &stored,
        &rendered,
        keep_subnets,
        &mut warnings,
    )?;
    // the Kubernetes objects: the store's own beside Palisade's
    let addons_key = layout.cluster_addons();
    let stored_objects = stored.objects(&addons_key, &url)?;
    let (objects, dropped, replaced) = super::addons::desired(&stored_objects, &rendered_objects);
    if objects != *stored_objects {
        intent
            .writes
            .insert(addons_key, super::addons::emit(&objects));
    }
    for id in dropped {
        warnings.push(format!(
            "{id} is no longer shipped; kops never removes what it applied, so it stays in the cluster: {}",
            super::addons::removal_advice(&id)
        ));
    }
    for id in replaced {
        warnings.push(format!(
            "{id} in the store is not Palisade's, and Palisade ships an object of that name: it is replaced by Palisade's"
        ));
    }
    if stored_config.as_deref() != Some(&desired_config) {
        intent.writes.insert(config_key, yaml(&desired_config));
    }
    // every key apply will write is part of the base, creates as "absent", so a saved plan is
    // refused before its first write if any of them appeared in the meantime
    for key in intent.writes.keys().chain(intent.generated.iter()) {
        intent.base.entry(key.clone()).or_insert(None);
    }
    intent.warnings.extend(warnings);
    derive(intent, &stored, "cluster file")
}

/// A stored encryption secret the cluster cannot decrypt Secrets with is an error, never a
/// silent pass: Palisade never overwrites it (it may have encrypted Secrets already).
fn check_stored_secret(stored: &Stored, layout: &Layout, url: &str) -> Result<(), PlanError> {
    let key = layout.secret(ENCRYPTION_SECRET_NAME);
    if let Some(Some(o)) = stored.objects.get(&key) {
        crate::secrets::check_encryption_config(&o.data).map_err(|reason| PlanError::Secret {
            key: key.clone(),
            url: url.to_string(),
            reason,
        })?;
    }
    Ok(())
}

/// What the store holds for a saved plan's cluster, read again: every key of its base and
/// every instance group now listed, each still at the version the plan was based on.
pub fn observe(intent: &Intent, store: &dyn StateStore) -> Result<Stored, PlanError> {
    // nothing is read for a plan whose keys are not this cluster's
    super::check::check_intent(intent)?;
    let layout = Layout {
        cluster: &intent.cluster,
    };
    let url = store.url().to_string();
    let group_keys: Vec<String> = store
        .list(&layout.instance_group_prefix())?
        .into_iter()
        .filter(|k| layout.is_instance_group(k))
        .collect();
    // a group that appeared since is a change the plan never saw
    if let Some(new) = group_keys.iter().find(|k| !intent.base.contains_key(*k)) {
        return Err(PlanError::Stale {
            key: new.clone(),
            url,
        });
    }
    let keys: Vec<String> = intent.base.keys().cloned().collect();
    let objects = store.get_many(&keys)?;
    for (key, object) in keys.iter().zip(&objects) {
        if object.as_ref().map(|o| &o.version) != intent.base.get(key).and_then(Option::as_ref) {
            return Err(PlanError::Stale {
                key: key.clone(),
                url,
            });
        }
    }
    let objects: BTreeMap<String, Option<crate::state::Object>> =
        keys.into_iter().zip(objects).collect();
    let group_keys = objects
        .iter()
        .filter(|(k, o)| o.is_some() && layout.is_instance_group(k))
        .map(|(k, _)| k.clone())
        .collect();
    let stored = Stored {
        objects,
        group_keys,
        ssh: None,
        parsed: Default::default(),
        parsed_objects: Default::default(),
    };
    check_stored_secret(&stored, &layout, &url)?;
    Ok(stored)
}

/// The order apply writes in: secrets → SSH key → instance groups → `config`, the commit point.
pub fn rank(key: &str) -> u8 {
    if key.contains("/secrets/") {
        0
    } else if key.contains("/pki/") {
        1
    } else if key.contains("/instancegroup/") || key.ends_with("/clusteraddons/default") {
        2
    } else {
        3
    }
}

/// Everything a plan shows, derived from its intent and what the store holds: the changes
/// field by field (each charged to the control or setting the trace names), the waivers in
/// effect and what still fails on the result. Refused when the intent is not sound (see
/// `check`), or when the result fails an enforced control that neither a waiver carries nor
/// the store already fails (a plan never makes the cluster weaker than the profile allows).
/// `untraced` names the reason of a field the trace does not name: the cluster file for a plan
/// made here, nothing certain for a saved one.
pub fn derive(intent: Intent, stored: &Stored, untraced: &str) -> Result<Plan, PlanError> {
    super::check::check_intent(&intent)?;
    let url = intent.state.clone();
    let layout = Layout {
        cluster: &intent.cluster,
    };
    let mut keys: Vec<&String> = intent
        .writes
        .keys()
        .chain(intent.generated.iter())
        .collect();
    keys.sort_by_key(|k| (rank(k), k.as_str()));
    let mut changes = Vec::new();
    let ssh_prefix = layout.ssh_public_key("");
    for key in keys {
        let present = !stored.absent(key);
        if intent.generated.contains(key) {
            if !present {
                changes.push(Change {
                    key: key.clone(),
                    object: format!("Secret/{ENCRYPTION_SECRET_NAME}"),
                    action: Action::Create,
                    sensitive: true,
                    because: format!("control {}", encryption_at_rest::CONTROL.id),
                    fields: Vec::new(),
                });
            }
            continue;
        }
        let text = intent.writes.get(key).map(String::as_str).unwrap_or("");
        if key.starts_with(&ssh_prefix) {
            if !present {
                changes.push(Change {
                    key: key.clone(),
                    object: "SSHPublicKey/admin".into(),
                    action: Action::Create,
                    sensitive: false,
                    because: "cluster file (kops.sshPublicKey)".into(),
                    fields: Vec::new(),
                });
            }
            continue;
        }
        if *key == layout.cluster_addons() {
            let new = super::addons::parse(text).map_err(|why| PlanError::Invalid {
                key: key.clone(),
                why,
            })?;
            let old = stored.objects(key, &url)?;
            if new == *old {
                continue;
            }
            // Palisade adds or changes only its own objects, of the kinds it ships
            let foreign = |list: &[Value]| -> Vec<Value> {
                list.iter()
                    .filter(|o| !crate::guardrails::is_managed(o))
                    .cloned()
                    .collect()
            };
            let (was, now) = (foreign(&old), foreign(&new));
            if now.iter().any(|o| !was.contains(o)) {
                return Err(PlanError::Invalid {
                    key: key.clone(),
                    why: "it writes an object Palisade does not own, or changes one".into(),
                });
            }
            if let Some(o) = new.iter().find(|o| {
                crate::guardrails::is_managed(o)
                    && !crate::controls::guardrails::is_shipped(
                        tree::get_str(o, &["kind"]).unwrap_or(""),
                        tree::get_str(o, &["metadata", "name"]).unwrap_or(""),
                    )
            }) {
                return Err(PlanError::Invalid {
                    key: key.clone(),
                    why: format!(
                        "{} is labelled as Palisade's, and Palisade ships no such object",
                        crate::guardrails::object_id(o)
                    ),
                });
            }
            // field by field, each object charged to what the trace says of it
            let mut fields = Vec::new();
            for o in &new {
                let id = crate::guardrails::object_id(o);
                let before = old.iter().find(|x| crate::guardrails::object_id(x) == id);
                for mut f in field_changes(before, o, &id, &intent.trace, untraced) {
                    f.path = format!("{id} {}", f.path);
                    fields.push(f);
                }
            }
            for o in old.iter().filter(|x| {
                let id = crate::guardrails::object_id(x);
                !new.iter().any(|n| crate::guardrails::object_id(n) == id)
            }) {
                fields.push(crate::plan::FieldChange {
                    path: crate::guardrails::object_id(o),
                    old: serde_json::to_value(o).ok(),
                    new: None,
                    because: "no longer shipped".into(),
                });
            }
            changes.push(Change {
                key: key.clone(),
                object: "ClusterAddons/default".into(),
                action: if stored.absent(key) {
                    Action::Create
                } else {
                    Action::Update
                },
                sensitive: false,
                because: "cluster file".into(),
                fields,
            });
            continue;
        }
        let desired: Value = serde_yaml::from_str(text).map_err(|e| PlanError::Invalid {
            key: key.clone(),
            why: e.to_string(),
        })?;
        let old = stored.document(key, &url)?;
        if old.as_deref() == Some(&desired) {
            continue;
        }
        // what a running cluster cannot change stays as stored, whatever made the plan
        if let Some(o) = old.as_ref().filter(|_| *key == layout.config()) {
            for (field, why) in IN_PLACE_ONLY {
                let (was, now) = (
                    tree::get(o, &["spec", field]),
                    tree::get(&desired, &["spec", field]),
                );
                if was.is_some() && was != now {
                    return Err(PlanError::Invalid {
                        key: key.clone(),
                        why: format!("it changes spec.{field}, and {why}"),
                    });
                }
            }
        }
        let object = KopsSpec::object_name(&desired);
        let fields = field_changes(old.as_deref(), &desired, &object, &intent.trace, untraced);
        if old.is_some() && fields.is_empty() {
            continue;
        }
        changes.push(Change {
            key: key.clone(),
            object,
            action: if old.is_some() {
                Action::Update
            } else {
                Action::Create
            },
            sensitive: false,
            because: "cluster file".into(),
            fields,
        });
    }

    // the store before and after: the config and every group, written ones replaced
    let config_key = layout.config();
    let document_at = |key: &String| -> Result<Option<Arc<Value>>, PlanError> {
        match intent.writes.get(key) {
            Some(text) => serde_yaml::from_str(text)
                .map(|v| Some(Arc::new(v)))
                .map_err(|e| PlanError::Invalid {
                    key: key.clone(),
                    why: e.to_string(),
                }),
            None => stored.document(key, &url),
        }
    };
    let Some(after_config) = document_at(&config_key)? else {
        return Err(PlanError::Invalid {
            key: config_key,
            why: "the plan writes no Cluster and the store holds none".into(),
        });
    };
    let mut group_keys: Vec<&String> = stored.group_keys.iter().collect();
    group_keys.extend(
        intent
            .writes
            .keys()
            .filter(|k| layout.is_instance_group(k) && !stored.group_keys.contains(k)),
    );
    let mut after = vec![Arc::clone(&after_config)];
    for key in &group_keys {
        if let Some(g) = document_at(key)? {
            after.push(g);
        }
    }
    let addons_key = layout.cluster_addons();
    let stored_objects = stored.objects(&addons_key, &url)?;
    let after_objects = match intent.writes.get(&addons_key) {
        Some(text) => Arc::new(
            super::addons::parse(text).map_err(|why| PlanError::Invalid {
                key: addons_key.clone(),
                why,
            })?,
        ),
        None => Arc::clone(&stored_objects),
    };
    after.extend(after_objects.iter().cloned().map(Arc::new));
    // a config that asks for encryption at rest always finds its secret
    let secret_key = layout.secret(ENCRYPTION_SECRET_NAME);
    if tree::get_bool(&after_config, &["spec", "encryptionConfig"]) == Some(true)
        && stored.absent(&secret_key)
        && !intent.generated.contains(&secret_key)
    {
        return Err(PlanError::Invalid {
            key: config_key,
            why: format!("it turns on encryption at rest, and the plan creates no {ENCRYPTION_SECRET_NAME} secret for it"),
        });
    }
    let findings = evaluate(
        &KopsSpec::from_shared(after),
        &intent.profile,
        &intent.waivers,
    );
    // the store as it is (when it holds the cluster) is judged only when the result fails
    // something: a failure it already had is reported, not refused
    let blocking: Vec<&crate::audit::Finding> =
        findings.iter().filter(|f| f.is_blocking()).collect();
    let failing_before: Vec<(String, String)> = match stored.document(&config_key, &url)? {
        Some(config) if !blocking.is_empty() => {
            let mut before = vec![config];
            for key in &group_keys {
                if let Some(g) = stored.document(key, &url)? {
                    before.push(g);
                }
            }
            before.extend(stored_objects.iter().cloned().map(Arc::new));
            evaluate(
                &KopsSpec::from_shared(before),
                &intent.profile,
                &intent.waivers,
            )
            .into_iter()
            .filter(|f| f.is_blocking())
            .map(|f| (f.control, f.object))
            .collect()
        }
        _ => Vec::new(),
    };
    let mut still_failing = Vec::new();
    let mut introduced = Vec::new();
    for f in blocking {
        let line = format!("{} on {}: {}", f.control, f.object, f.message);
        if failing_before.contains(&(f.control.clone(), f.object.clone())) {
            still_failing.push(line);
        } else {
            introduced.push(line);
        }
    }
    if !introduced.is_empty() {
        return Err(PlanError::Fails(introduced));
    }
    let encryption_provider = (!intent.generated.is_empty()).then(|| {
        encryption_at_rest::provider(
            &intent
                .profile
                .setting(encryption_at_rest::CONTROL.id)
                .params,
        )
    });
    Ok(Plan {
        waivers: WaiverInEffect::from_findings(&findings),
        changes,
        encryption_provider,
        still_failing,
        intent,
    })
}
