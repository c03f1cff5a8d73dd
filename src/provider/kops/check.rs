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
        } else if let Some(name) = key.strip_prefix(&groups) {
            let doc = document(key, text, "InstanceGroup", name)?;
            if tree::get_str(&doc, &["metadata", "labels", "kops.k8s.io/cluster"]) != Some(cluster)
            {
                return Err(invalid(
                    key,
                    format!("the group's label kops.k8s.io/cluster must be {cluster}"),
                ));
            }
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
/// this version: a plan cannot switch a control of `baseline` off in its own copy.
fn builtin_unchanged(intent: &Intent) -> Result<(), String> {
    let names = &intent.profile.names;
    let builtins = crate::profile::builtin_names();
    let Some(first) = names.first() else {
        return Ok(());
    };
    if !names.iter().all(|n| builtins.contains(&n.as_str())) {
        return Ok(());
    }
    let resolved = crate::profile::resolve(std::slice::from_ref(first), std::path::Path::new("."))
        .map_err(|e| e.to_string())?;
    if resolved.names != *names {
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
    if !differing.is_empty() || resolved.forbid_waivers != intent.profile.forbid_waivers {
        return Err(format!(
            "it differs from the built-in profile {first} in {}",
            if differing.is_empty() {
                "forbidWaivers".to_string()
            } else {
                differing.join(", ")
            }
        ));
    }
    Ok(())
}
