//! Control parameters: each control declares the ones it takes with their defaults; a profile
//! may set them; anything else is an error when the profile is loaded.

use std::collections::BTreeMap;

use serde_yaml::Value;

#[derive(Debug, Clone, Copy)]
pub enum ParamValue {
    /// An integer with a lower bound.
    Int { default: i64, min: i64 },
    /// One of a fixed set of words.
    Choice {
        default: &'static str,
        allowed: &'static [&'static str],
    },
    /// A list of image registries (`host[:port][/path]`), empty by default (off).
    Registries,
}

/// At most this many registries in one list.
pub const MAX_REGISTRIES: usize = 64;

/// Whether `r` names a registry (with an optional port and path), as an image reference
/// starts: `registry.example.com`, `registry.local:5000/team`, `europe-docker.pkg.dev/p/repo`.
pub fn is_registry(r: &str) -> bool {
    let (host, path) = r.split_once('/').unwrap_or((r, ""));
    let (name, port) = match host.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (host, None),
    };
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    // a registry host has a dot or a port (or is localhost), so that `library` is not one
    let looks_like_host = name.contains('.') || port.is_some() || name == "localhost";
    let path_ok = path.is_empty()
        || path.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        });
    r.len() <= 255 && name.split('.').all(label_ok) && looks_like_host && port_ok && path_ok
}

#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub doc: &'static str,
    pub value: ParamValue,
}

/// A control's parameters after the profile chain is merged: every declared name has a value.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params(BTreeMap<String, Value>);

impl Params {
    /// The defaults of `specs`.
    pub fn defaults(specs: &[ParamSpec]) -> Self {
        let mut map = BTreeMap::new();
        for s in specs {
            let v = match s.value {
                ParamValue::Int { default, .. } => Value::from(default),
                ParamValue::Choice { default, .. } => Value::from(default),
                ParamValue::Registries => Value::Sequence(Vec::new()),
            };
            map.insert(s.name.to_string(), v);
        }
        Params(map)
    }

    /// Sets `name` after checking it against `specs`; the error says what was expected.
    pub fn set(&mut self, specs: &[ParamSpec], name: &str, value: &Value) -> Result<(), String> {
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(if known.is_empty() {
                format!("unknown parameter `{name}`: this control takes no parameters")
            } else {
                format!(
                    "unknown parameter `{name}`, expected one of: {}",
                    known.join(", ")
                )
            });
        };
        match spec.value {
            ParamValue::Int { min, .. } => match value.as_i64() {
                Some(n) if n >= min => {}
                Some(n) => {
                    return Err(format!(
                        "parameter `{name}` is {n}, expected at least {min}"
                    ))
                }
                None => return Err(format!("parameter `{name}` expects an integer")),
            },
            ParamValue::Choice { allowed, .. } => match value.as_str() {
                Some(s) if allowed.contains(&s) => {}
                _ => {
                    return Err(format!(
                        "parameter `{name}` expects one of: {}",
                        allowed.join(", ")
                    ))
                }
            },
            ParamValue::Registries => {
                let Some(list) = value.as_sequence() else {
                    return Err(format!(
                        "parameter `{name}` expects a list of registries, e.g. [registry.example.com, europe-docker.pkg.dev/acme/images]"
                    ));
                };
                if list.len() > MAX_REGISTRIES {
                    return Err(format!(
                        "parameter `{name}` lists {} registries, at most {MAX_REGISTRIES}",
                        list.len()
                    ));
                }
                for entry in list {
                    match entry.as_str() {
                        Some(r) if is_registry(r) => {}
                        _ => {
                            return Err(crate::yaml::bound_quotes(&format!(
                                "parameter `{name}`: {:?} is not a registry: expected host[:port][/path] in lowercase, e.g. registry.example.com or registry.local:5000/team",
                                serde_yaml::to_string(entry).unwrap_or_default().trim()
                            )))
                        }
                    }
                }
            }
        }
        self.0.insert(name.to_string(), value.clone());
        Ok(())
    }

    /// Every parameter with its value.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    pub fn int(&self, name: &str) -> i64 {
        self.0.get(name).and_then(Value::as_i64).unwrap_or(0)
    }

    pub fn str(&self, name: &str) -> &str {
        self.0.get(name).and_then(Value::as_str).unwrap_or("")
    }

    /// A list parameter's entries (empty when unset).
    pub fn list(&self, name: &str) -> Vec<String> {
        self.0
            .get(name)
            .and_then(Value::as_sequence)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }
}
