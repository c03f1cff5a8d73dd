//! The kops `encryptionconfig` secret: an upstream `EncryptionConfiguration` with a fresh
//! 32-byte key, the profile's provider first and `identity` last (so Secrets written before
//! encryption was turned on can still be read), wrapped as kops stores secrets.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_yaml::{Mapping, Value};

use super::secret::{random_bytes, Secret};

fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Mapping(
        pairs
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<Mapping>(),
    )
}

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

/// The body kops keeps under `secrets/NAME`: `{"Data":"<base64 of the raw bytes>"}`.
pub fn kops_secret_json(data: &Secret<Vec<u8>>) -> Secret<Vec<u8>> {
    let body = format!("{{\"Data\":\"{}\"}}", STANDARD.encode(data.expose()));
    Secret::new(body.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

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
