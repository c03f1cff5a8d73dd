//! What a kops plan's intent must be before anything is written, however it was made: every
//! key one of this cluster's kops keys and part of the plan's base, every document a valid kops
//! document of this cluster at its own key, the SSH key named by its fingerprint, secrets only
//! generated, and the profile and waivers well formed. A saved plan is a file anyone with the
//! repository can edit; a plan made in this process passes the same checks.

use serde_yaml::Value;

use super::plan::PlanError;
use crate::kops::schema::validate_document;
use crate::kops::spec::name_of;
use crate::plan::Intent;
use crate::state::{check_cluster_name, Layout, ENCRYPTION_SECRET_NAME};
use crate::yaml::tree;

fn invalid(key: &str, why: impl Into<String>) -> PlanError {
    PlanError::Invalid {
        key: key.to_string(),
        why: why.into(),
    }
}

/// The YAML document at `key`, a mapping of `kind` named `name`, valid against the kops schema.
fn document(key: &str, text: &str, kind: &str, name: &str) -> Result<Value, PlanError> {
    let doc: Value = serde_yaml::from_str(text).map_err(|e| {
        invalid(
            key,
            format!(
                "not a YAML document: {}",
                crate::yaml::strip_location(&e.to_string())
            ),
        )
    })?;
    if !doc.is_mapping() {
        return Err(invalid(key, "not a kops document (expected a mapping)"));
    }
    let found = tree::get_str(&doc, &["kind"]).unwrap_or("");
    if found != kind {
        return Err(invalid(
            key,
            crate::yaml::bound_quotes(&format!(
                "the document is of kind {found:?}; this key holds a {kind}"
            )),
        ));
    }
    let found = name_of(&doc).unwrap_or("");
    if found != name {
        return Err(invalid(
            key,
            crate::yaml::bound_quotes(&format!(
                "the document is named {found:?}; this key holds {kind} {name:?}"
            )),
        ));
    }
    if let Some(issue) = validate_document(&doc).first() {
        return Err(invalid(key, format!("not a valid kops document: {issue}")));
    }
    Ok(doc)
}

/// Checks `intent` as described above.
pub fn check_intent(intent: &Intent) -> Result<(), PlanError> {
    let cluster = intent.cluster.as_str();
    check_cluster_name(cluster).map_err(|why| invalid("cluster", why))?;
    let layout = Layout { cluster };
    let foreign = |key: &String, why: String| PlanError::ForeignKey {
        key: key.clone(),
        why,
    };
    for key in intent
        .base
        .keys()
        .chain(intent.writes.keys())
        .chain(intent.generated.iter())
    {
        layout.owns(key).map_err(|why| foreign(key, why))?;
    }
    let secret = layout.secret(ENCRYPTION_SECRET_NAME);
    // a plan reads the config and the encryption secret whatever it writes: a base without them
    // would let the store's secret go unchecked
    for key in [layout.config(), secret.clone()] {
        if !intent.base.contains_key(&key) {
            return Err(invalid(
                &key,
                "the plan did not read it, and every plan does",
            ));
        }
    }
    printable(intent)?;
    for key in intent.writes.keys().chain(intent.generated.iter()) {
        if !intent.base.contains_key(key) {
            return Err(invalid(
                key,
                "the plan writes it but did not read it first, so it cannot tell whether it appeared since",
            ));
        }
    }
    for key in &intent.generated {
        if *key != secret {
            return Err(invalid(
                key,
                "only the encryption secret is generated at apply",
            ));
        }
    }
    let config = layout.config();
    let groups = layout.instance_group_prefix();
    let ssh = layout.ssh_public_key("");
    for (key, text) in &intent.writes {
        if *key == secret {
            return Err(invalid(
                key,
                "a plan never carries a secret: it is generated when the plan is applied",
            ));
        } else if *key == config {
            let doc = document(key, text, "Cluster", cluster)?;
            let want = format!("{}/{cluster}", intent.state.trim_end_matches('/'));
            if tree::get_str(&doc, &["spec", "configBase"]) != Some(want.as_str()) {
                return Err(invalid(
                    key,
                    format!("spec.configBase must be {want}, the store the plan writes to"),
                ));
            }
            // the other places kops may be told to keep state: the store's own, or unset
            for (field, place) in [
                ("configStore", want.clone()),
                ("secretStore", format!("{want}/secrets")),
                ("keyStore", format!("{want}/pki")),
            ] {
                if let Some(v) = tree::get(&doc, &["spec", field]) {
                    if v.as_str() != Some(place.as_str()) {
                        return Err(invalid(
                            key,
                            format!("spec.{field} points away from the state store (only {place} or unset)"),
                        ));
                    }
                }
            }
        } else if let Some(name) = key.strip_prefix(&groups) {
            let doc = document(key, text, "InstanceGroup", name)?;
            if tree::get_str(&doc, &["metadata", "labels", "kops.k8s.io/cluster"]) != Some(cluster)
            {
                return Err(invalid(
                    key,
                    format!("the group's label kops.k8s.io/cluster must be {cluster}"),
                ));
            }
        } else if *key == layout.cluster_addons() {
            super::addons::parse(text).map_err(|why| invalid(key, why))?;
        } else if let Some(fp) = key.strip_prefix(&ssh) {
            let actual = crate::secrets::fingerprint(text).map_err(|why| invalid(key, why))?;
            if actual != fp {
                return Err(invalid(
                    key,
                    format!("the key stored there has the fingerprint {actual}, not {fp}"),
                ));
            }
        }
    }
    intent
        .profile
        .check()
        .map_err(|why| invalid("profile", why))?;
    builtin_unchanged(intent).map_err(|why| invalid("profile", why))?;
    for w in &intent.waivers {
        if w.expires
            .as_deref()
            .is_some_and(|e| crate::cluster_file::Date::parse(e).is_none())
        {
            return Err(invalid(
                "waivers",
                format!(
                    "the waiver for {} has an expiry that is not a date (YYYY-MM-DD)",
                    w.control
                ),
            ));
        }
        if crate::controls::find(&w.control).is_none() {
            return Err(invalid(
                "waivers",
                crate::yaml::bound_quotes(&format!("unknown control {:?}", w.control)),
            ));
        }
        if w.reason.trim().is_empty() {
            return Err(invalid(
                "waivers",
                format!("the waiver for {} has no reason", w.control),
            ));
        }
        if intent.profile.forbid_waivers.contains(&w.control) {
            return Err(invalid(
                "waivers",
                format!("the profile forbids waiving {}", w.control),
            ));
        }
    }
    Ok(())
}

/// A profile made of built-in profiles only is what those built-in profiles resolve to in
/// this version: a plan cannot switch a control of `baseline` off in its own copy. A profile
/// that names a file cannot be checked against anything: apply says so.
fn builtin_unchanged(intent: &Intent) -> Result<(), String> {
    let refs = &intent.profile_refs;
    if refs.is_empty() {
        return Err("it names no profile".into());
    }
    let builtins = crate::profile::builtin_names();
    // what a cluster file can name: a built-in profile, or a file
    if let Some(r) = refs
        .iter()
        .find(|r| !builtins.contains(&r.as_str()) && !crate::profile::is_path(r))
    {
        return Err(crate::yaml::bound_quotes(&format!(
            "{r:?} is neither a built-in profile nor a profile file"
        )));
    }
    if !refs.iter().all(|r| builtins.contains(&r.as_str())) {
        return Ok(());
    }
    let resolved =
        crate::profile::resolve(refs, std::path::Path::new(".")).map_err(|e| e.to_string())?;
    if resolved == intent.profile {
        return Ok(());
    }
    let differing: Vec<&str> = resolved
        .controls
        .iter()
        .filter(|(id, s)| intent.profile.controls.get(*id) != Some(*s))
        .map(|(id, _)| id.as_str())
        .chain(
            intent
                .profile
                .controls
                .keys()
                .filter(|id| !resolved.controls.contains_key(*id))
                .map(String::as_str),
        )
        .collect();
    let what = if !differing.is_empty() {
        differing.join(", ")
    } else if resolved.forbid_waivers != intent.profile.forbid_waivers {
        "forbidWaivers".to_string()
    } else {
        "the names of its profiles".to_string()
    };
    Err(format!(
        "it differs from the built-in profile {} in {what}",
        refs.join(" + ")
    ))
}

/// Every text of the plan that apply prints (warnings, reasons, kept fields, the trace) is
/// printable: a control character could rewrite the lines a reviewer reads on a terminal. And
/// every control the trace names is one of the catalogue.
fn printable(intent: &Intent) -> Result<(), PlanError> {
    let bad = |s: &str| s.chars().any(|c| c.is_control() && c != '\n');
    let mut texts: Vec<(&str, &str)> = Vec::new();
    texts.extend(intent.warnings.iter().map(|w| ("warnings", w.as_str())));
    texts.extend(intent.profile_refs.iter().map(|r| ("profile", r.as_str())));
    texts.extend(intent.profile.names.iter().map(|r| ("profile", r.as_str())));
    for w in &intent.waivers {
        texts.push(("waivers", w.reason.as_str()));
        texts.push(("waivers", w.control.as_str()));
    }
    for k in &intent.kept {
        texts.extend([
            ("kept", k.object.as_str()),
            ("kept", k.path.as_str()),
            ("kept", k.why.as_str()),
        ]);
    }
    for (object, path, source) in intent.trace.entries() {
        texts.extend([("trace", object), ("trace", path)]);
        if let crate::trace::Source::Control(id) = source {
            if crate::controls::find(id).is_none() {
                return Err(invalid(
                    "trace",
                    crate::yaml::bound_quotes(&format!("it names an unknown control {id:?}")),
                ));
            }
        }
    }
    match texts.iter().find(|(_, t)| bad(t)) {
        Some((field, _)) => Err(invalid(field, "a text holds a control character")),
        None => Ok(()),
    }
}
