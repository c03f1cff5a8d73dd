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
}
