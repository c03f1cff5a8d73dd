//! A kops cluster as a state store holds it: `config` plus every `instancegroup/*`.

use serde_yaml::Value;

use crate::kops::KopsSpec;
use crate::state::{Layout, StateStore, StoreError};

/// The cluster `name` in `store`, or `None` when the store has no `config` for it.
pub fn read_stored(store: &dyn StateStore, name: &str) -> Result<Option<KopsSpec>, StoreError> {
    let layout = Layout { cluster: name };
    let mut keys = vec![layout.config()];
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
