//! A kops cluster as a state store holds it: `config` plus every `instancegroup/*`.

use serde_yaml::Value;

use crate::kops::KopsSpec;
use crate::state::{Layout, StateStore, StoreError};

/// The cluster `name` in `store`, or `None` when the store has no `config` for it.
pub fn read_stored(store: &dyn StateStore, name: &str) -> Result<Option<KopsSpec>, StoreError> {
    let layout = Layout { cluster: name };
    let mut keys = vec![layout.config(), layout.cluster_addons()];
    keys.extend(store.list(&layout.instance_group_prefix())?);
    let objects = store.get_many(&keys)?;
    let mut docs = Vec::new();
    for (key, object) in keys.iter().zip(objects) {
        let Some(object) = object else {
            if key == &layout.config() {
                return Ok(None);
            }
            continue;
        };
        if key == &layout.cluster_addons() {
            let objects = super::addons::parse(&String::from_utf8_lossy(&object.data))
                .map_err(|why| StoreError::io(format!("{} in {}", key, store.url()), why))?;
            docs.extend(objects);
            continue;
        }
        let doc: Value = serde_yaml::from_slice(&object.data).map_err(|e| {
            StoreError::io(
                format!("{} in {}", key, store.url()),
                format!("not YAML: {e}"),
            )
        })?;
        docs.push(doc);
    }
    Ok(Some(KopsSpec::from_documents(docs)))
}

/// What the store's encryption secret says for `spec` (`audit --state`): when the cluster asks
/// for encryption at rest, a secret that is missing or that cannot encrypt Secrets fails
/// `secrets-encryption-at-rest` like a field of the spec would.
pub fn secret_findings(
    store: &dyn StateStore,
    name: &str,
    spec: &KopsSpec,
    profile: &crate::profile::ResolvedProfile,
) -> Result<Vec<crate::audit::Finding>, StoreError> {
    use crate::audit::Finding;
    use crate::controls::secrets::encryption_at_rest::CONTROL;
    use crate::controls::Verdict;
    let level = profile.level(CONTROL.id);
    if level == crate::profile::Level::Off
        || crate::yaml::tree::get_bool(spec.cluster(), &["spec", "encryptionConfig"]) != Some(true)
    {
        return Ok(Vec::new());
    }
    let key = Layout { cluster: name }.secret(crate::state::ENCRYPTION_SECRET_NAME);
    let (verdict, message) = match store.get(&key)? {
        None => (
            Verdict::Fail,
            format!("spec.encryptionConfig is true, but {} holds no {key}: kops update fails until it does (`palisade apply` creates it)", store.url()),
        ),
        Some(o) => match crate::secrets::check_encryption_config(&o.data) {
            Ok(provider) => (
                Verdict::Pass,
                format!("{key} encrypts Secrets with {provider}"),
            ),
            Err(why) => (
                Verdict::Fail,
                format!("{key} cannot encrypt Secrets: {why}"),
            ),
        },
    };
    Ok(vec![Finding {
        control: CONTROL.id.to_string(),
        title: CONTROL.title.to_string(),
        severity: CONTROL.severity,
        level,
        verdict,
        object: format!("Secret/{}", crate::state::ENCRYPTION_SECRET_NAME),
        path: String::new(),
        message,
        waiver: None,
    }])
}
