//! The kops `encryptionconfig` secret: an upstream `EncryptionConfiguration` with a fresh
//! 32-byte key, the profile's provider first and `identity` last (so Secrets written before
//! encryption was turned on can still be read), wrapped as kops stores secrets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_yaml::{Mapping, Value};

use super::secret::{random_bytes, Secret};

use crate::yaml::tree::map;

/// A new EncryptionConfiguration (YAML bytes) for `provider` (`secretbox` or `aescbc`).
/// `key_name` names the key inside the file (kops rolls the control plane when it changes).
pub fn encryption_config(provider: &str, key_name: &str) -> Result<Secret<Vec<u8>>, String> {
    let key = random_bytes::<32>()?;
    let encoded = Secret::new(STANDARD.encode(key.expose()));
    let doc = map(vec![
        ("apiVersion", Value::from("apiserver.config.k8s.io/v1")),
        ("kind", Value::from("EncryptionConfiguration")),
        (
            "resources",
            Value::Sequence(vec![map(vec![
                ("resources", Value::Sequence(vec![Value::from("secrets")])),
                (
                    "providers",
                    Value::Sequence(vec![
                        map(vec![(
                            provider,
                            map(vec![(
                                "keys",
                                Value::Sequence(vec![map(vec![
                                    ("name", Value::from(key_name)),
                                    ("secret", Value::from(encoded.expose().as_str())),
                                ])]),
                            )]),
                        )]),
                        map(vec![("identity", Value::Mapping(Mapping::new()))]),
                    ]),
                ),
            ])]),
        ),
    ]);
    let text = serde_yaml::to_string(&doc)
        .map_err(|e| format!("cannot encode the encryption configuration: {e}"))?;
    Ok(Secret::new(text.into_bytes()))
}

/// Decodes the body kops keeps under `secrets/NAME`.
pub fn decode_kops_secret(body: &[u8]) -> Result<Secret<Vec<u8>>, String> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| "not a kops secret (expected {\"Data\":\"…\"})".to_string())?;
    let data = v
        .get("Data")
        .and_then(|d| d.as_str())
        .ok_or("the kops secret has no Data field")?;
    STANDARD
        .decode(data)
        .map(Secret::new)
        .map_err(|_| "the secret's Data is not base64".to_string())
}

/// Whether a stored `encryptionconfig` secret (kops' `{"Data":"…"}` body) can encrypt Secrets:
/// an EncryptionConfiguration whose entry for `secrets` starts with a provider that encrypts
/// (not `identity`) and, for a key-based one, a key of a size it takes. Returns that provider's
/// name. The errors never quote the secret.
pub fn check_encryption_config(body: &[u8]) -> Result<String, String> {
    if body.is_empty() {
        return Err("the secret is empty".into());
    }
    let data = decode_kops_secret(body)?;
    let doc: Value = serde_yaml::from_slice(data.expose())
        .map_err(|_| "the secret's Data is not YAML".to_string())?;
    if doc.get("kind").and_then(Value::as_str) != Some("EncryptionConfiguration") {
        return Err("the secret is not an EncryptionConfiguration".into());
    }
    // the first entry that covers Secrets governs them: `secrets`, or a wildcard before it
    let entry = doc
        .get("resources")
        .and_then(Value::as_sequence)
        .and_then(|r| {
            r.iter().find(|e| {
                e.get("resources")
                    .and_then(Value::as_sequence)
                    .is_some_and(|l| {
                        l.iter()
                            .any(|x| matches!(x.as_str(), Some("secrets" | "*." | "*.*")))
                    })
            })
        })
        .ok_or("no entry of its resources covers `secrets`")?;
    let providers = entry
        .get("providers")
        .and_then(Value::as_sequence)
        .filter(|p| !p.is_empty())
        .ok_or("its entry for secrets has no provider")?;
    if providers
        .iter()
        .any(|p| p.as_mapping().is_none_or(|m| m.len() != 1))
    {
        return Err("each of its providers is a mapping with exactly one provider in it".into());
    }
    let first = providers[0]
        .as_mapping()
        .and_then(|m| m.iter().next())
        .ok_or("its entry for secrets has no provider")?;
    let name = first.0.as_str().unwrap_or("").to_string();
    let sizes: &[usize] = match name.as_str() {
        "identity" => {
            return Err("its first provider is identity: Secrets are stored in plain text".into())
        }
        "secretbox" => &[32],
        "aescbc" | "aesgcm" => &[16, 24, 32],
        "kms" => {
            return match first.1.get("name").and_then(Value::as_str) {
                Some(n) if !n.is_empty() => Ok(name),
                _ => Err("its kms provider has no name".into()),
            }
        }
        _ => return Err(
            "its first provider is not one the API server knows (secretbox, aescbc, aesgcm, kms)"
                .into(),
        ),
    };
    let keys = first
        .1
        .get("keys")
        .and_then(Value::as_sequence)
        .filter(|k| !k.is_empty())
        .ok_or_else(|| format!("its {name} provider has no keys"))?;
    for (i, k) in keys.iter().enumerate() {
        let ok = k
            .get("secret")
            .and_then(Value::as_str)
            .and_then(|s| STANDARD.decode(s).ok())
            .is_some_and(|raw| sizes.contains(&raw.len()));
        if !ok || k.get("name").and_then(Value::as_str).is_none() {
            return Err(format!(
                "key {} of its {name} provider is not a named, base64 key of {} bytes",
                i + 1,
                sizes
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(name)
}

/// A rotated EncryptionConfiguration: a fresh 32-byte key goes first, so it encrypts from now
/// on, and every existing key stays behind it, so what they encrypted can still be read. When
/// the first provider is not `provider`, a new `provider` entry is put ahead of it. Returns
/// the new configuration and the name of the new key.
pub fn rotate(
    existing: &Secret<Vec<u8>>,
    provider: &str,
) -> Result<(Secret<Vec<u8>>, String), String> {
    let mut doc: Value = serde_yaml::from_slice(existing.expose())
        .map_err(|_| "the encryptionconfig secret is not YAML".to_string())?;
    let providers = doc
        .get_mut("resources")
        .and_then(|r| r.get_mut(0))
        .and_then(|r| r.get_mut("providers"))
        .and_then(Value::as_sequence_mut)
        .ok_or("the encryptionconfig secret has no resources[0].providers")?;
    let count: usize = providers
        .iter()
        .filter_map(|p| p.as_mapping())
        .flat_map(|m| m.values())
        .filter_map(|v| v.get("keys").and_then(Value::as_sequence))
        .map(Vec::len)
        .sum();
    let name = format!("palisade-{}", count + 1);
    let key = random_bytes::<32>()?;
    let encoded = Secret::new(STANDARD.encode(key.expose()));
    let entry = map(vec![
        ("name", Value::from(name.as_str())),
        ("secret", Value::from(encoded.expose().as_str())),
    ]);
    let first_is_provider = providers.first().and_then(|p| p.get(provider)).is_some();
    if first_is_provider {
        let keys = providers[0]
            .get_mut(provider)
            .and_then(|p| p.get_mut("keys"))
            .and_then(Value::as_sequence_mut)
            .ok_or("the first provider has no keys")?;
        keys.insert(0, entry);
    } else {
        providers.insert(
            0,
            map(vec![(
                provider,
                map(vec![("keys", Value::Sequence(vec![entry]))]),
            )]),
        );
    }
    let text = serde_yaml::to_string(&doc)
        .map_err(|e| format!("cannot encode the encryption configuration: {e}"))?;
    Ok((Secret::new(text.into_bytes()), name))
}

/// The body kops keeps under `secrets/NAME`: `{"Data":"<base64 of the raw bytes>"}`.
pub fn kops_secret_json(data: &Secret<Vec<u8>>) -> Secret<Vec<u8>> {
    let body = format!("{{\"Data\":\"{}\"}}", STANDARD.encode(data.expose()));
    Secret::new(body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_config_is_checked_without_quoting_it() {
        let good = kops_secret_json(&encryption_config("secretbox", "k").expect("config"));
        assert_eq!(
            check_encryption_config(good.expose()),
            Ok("secretbox".into())
        );
        let wrap = |yaml: &str| kops_secret_json(&Secret::new(yaml.as_bytes().to_vec()));
        for (body, why) in [
            (b"".to_vec(), "empty"),
            (b"{\"Data\": \"!!\"}".to_vec(), "not base64"),
            (wrap("kind: Other").expose().clone(), "not an EncryptionConfiguration"),
            (
                wrap("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n").expose().clone(),
                "plain text",
            ),
            (
                wrap("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - secretbox:\n      keys:\n      - name: k\n        secret: c2hvcnQta2V5LXZhbHVl\n").expose().clone(),
                "of 32 bytes",
            ),
            (
                wrap("kind: EncryptionConfiguration\nresources:\n- resources: ['*.*']\n  providers:\n  - identity: {}\n- resources: [secrets]\n  providers:\n  - kms: {name: k}\n").expose().clone(),
                "plain text",
            ),
            (
                wrap("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - kms: {}\n").expose().clone(),
                "has no name",
            ),
            (
                wrap("kind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - {kms: {name: k}, identity: {}}\n").expose().clone(),
                "exactly one provider",
            ),
        ] {
            let err = check_encryption_config(&body).expect_err(why);
            assert!(err.contains(why), "{why}: {err}");
            assert!(!err.contains("c2hvcnQ"), "{err}");
        }
    }

    #[test]
    fn rotation_puts_a_new_key_first_and_keeps_the_old() {
        let cfg = encryption_config("secretbox", "palisade-1").expect("config");
        let (rotated, name) = rotate(&cfg, "secretbox").expect("rotate");
        assert_eq!(name, "palisade-2");
        let before: Value = serde_yaml::from_slice(cfg.expose()).expect("yaml");
        let after: Value = serde_yaml::from_slice(rotated.expose()).expect("yaml");
        let keys = after["resources"][0]["providers"][0]["secretbox"]["keys"]
            .as_sequence()
            .expect("keys");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0]["name"], "palisade-2");
        assert_eq!(
            keys[1],
            before["resources"][0]["providers"][0]["secretbox"]["keys"][0]
        );
        assert_ne!(keys[0]["secret"], keys[1]["secret"]);
        assert!(after["resources"][0]["providers"][1]
            .get("identity")
            .is_some());
        // a new provider goes ahead of the old one
        let (other, _) = rotate(&cfg, "aescbc").expect("rotate");
        let after: Value = serde_yaml::from_slice(other.expose()).expect("yaml");
        let providers = after["resources"][0]["providers"]
            .as_sequence()
            .expect("providers");
        assert!(providers[0].get("aescbc").is_some() && providers[1].get("secretbox").is_some());
        let wrapped = kops_secret_json(&rotated);
        assert_eq!(
            decode_kops_secret(wrapped.expose())
                .expect("decode")
                .expose(),
            rotated.expose()
        );
    }

    #[test]
    fn shape_and_key_length() {
        let cfg = encryption_config("secretbox", "key1").expect("config");
        let doc: Value = serde_yaml::from_slice(cfg.expose()).expect("yaml");
        let providers = doc["resources"][0]["providers"]
            .as_sequence()
            .expect("providers");
        assert_eq!(providers.len(), 2);
        assert!(
            providers[1].get("identity").is_some(),
            "identity must be last"
        );
        let key = providers[0]["secretbox"]["keys"][0]["secret"]
            .as_str()
            .expect("key");
        assert_eq!(STANDARD.decode(key).expect("base64").len(), 32);
        let wrapped = kops_secret_json(&cfg);
        let json: serde_json::Value = serde_json::from_slice(wrapped.expose()).expect("json");
        assert_eq!(
            STANDARD
                .decode(json["Data"].as_str().expect("Data"))
                .expect("b64"),
            *cfg.expose()
        );
    }
}
