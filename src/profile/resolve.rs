//! Loading profile files and merging `extends` chains into one resolved profile.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};
use thiserror::Error;

use super::builtin::{builtin, builtin_names};
use crate::controls::{self, Params};
use crate::source_map::{Location, SourceMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Enforce,
    Audit,
    Off,
}

impl Level {
    fn parse(s: &str) -> Option<Level> {
        match s {
            "enforce" => Some(Level::Enforce),
            "audit" => Some(Level::Audit),
            "off" => Some(Level::Off),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Enforce => "enforce",
            Level::Audit => "audit",
            Level::Off => "off",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub level: Level,
    pub params: Params,
}

/// Every control with its level and parameters, after the whole chain is merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolvedProfile {
    /// The profiles merged, outermost first (`strict`, `baseline`, …).
    pub names: Vec<String>,
    pub controls: BTreeMap<String, Setting>,
    #[serde(rename = "forbidWaivers")]
    pub forbid_waivers: BTreeSet<String>,
}

impl ResolvedProfile {
    pub fn setting(&self, id: &str) -> Setting {
        self.controls.get(id).cloned().unwrap_or_else(|| Setting {
            level: Level::Off,
            params: controls::find(id)
                .map(|c| Params::defaults(c.params))
                .unwrap_or_default(),
        })
    }

    pub fn level(&self, id: &str) -> Level {
        self.controls.get(id).map_or(Level::Off, |s| s.level)
    }

    /// Checks a profile read back from elsewhere (a saved plan) as a profile file is checked:
    /// every control known, every parameter declared by its control and of its type.
    pub fn check(&self) -> Result<(), String> {
        let unknown = |id: &str| crate::yaml::bound_quotes(&format!("unknown control {id:?}"));
        for (id, setting) in &self.controls {
            let control = controls::find(id).ok_or_else(|| unknown(id))?;
            let mut params = Params::defaults(control.params);
            for (name, value) in setting.params.iter() {
                params
                    .set(control.params, name, value)
                    .map_err(|e| format!("control {id}: {e}"))?;
            }
            if params != setting.params {
                return Err(format!("control {id}: a parameter is missing"));
            }
        }
        if let Some(id) = self
            .forbid_waivers
            .iter()
            .find(|id| controls::find(id).is_none())
        {
            return Err(unknown(id));
        }
        // a control whose waivers are forbidden cannot be switched off instead
        match self
            .forbid_waivers
            .iter()
            .find(|id| self.level(id) != Level::Enforce)
        {
            Some(id) => Err(format!(
                "{id} may not be waived, and is set to {}",
                self.level(id)
            )),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("{location}: {message} [invalid-profile]")]
    Invalid { location: Location, message: String },
    #[error("unknown profile `{name}`: expected a built-in profile ({known}) or the path of a profile file")]
    Unknown { name: String, known: String },
    #[error("{path}: cannot read profile: {reason}")]
    Read { path: String, reason: String },
    #[error("profile `{name}` extends itself through {chain}")]
    Cycle { name: String, chain: String },
    #[error("{location}: the profile chain is longer than {MAX_CHAIN} profiles ({chain} …); extend fewer [invalid-profile]")]
    TooLong { location: Location, chain: String },
}

/// How many profiles one `extends` chain may hold (built-in ones are two long).
pub const MAX_CHAIN: usize = 16;

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProfileFile {
    api_version: String,
    kind: String,
    name: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    controls: Mapping,
    #[serde(default)]
    forbid_waivers: Vec<String>,
}

/// A profile reference: a built-in name, or a path (anything with a `/` or a `.yaml`/`.yml`
/// ending), relative to `base_dir`.
pub fn is_path(reference: &str) -> bool {
    reference.contains('/') || reference.ends_with(".yaml") || reference.ends_with(".yml")
}

/// Resolves the profiles a cluster names, merged left to right. Built-in profiles only: the
/// result is the same every time, so it is resolved once per process (a run over hundreds of
/// cluster files asks for it hundreds of times).
pub fn resolve(references: &[String], base_dir: &Path) -> Result<ResolvedProfile, ProfileError> {
    if references
        .iter()
        .all(|r| !is_path(r) && builtin(r).is_some())
    {
        type Cache = std::sync::Mutex<BTreeMap<Vec<String>, ResolvedProfile>>;
        static BUILT_IN: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
        let cache = BUILT_IN.get_or_init(Default::default);
        if let Some(hit) = cache.lock().ok().and_then(|m| m.get(references).cloned()) {
            return Ok(hit);
        }
        let resolved = resolve_uncached(references, base_dir)?;
        if let Ok(mut m) = cache.lock() {
            m.insert(references.to_vec(), resolved.clone());
        }
        return Ok(resolved);
    }
    resolve_uncached(references, base_dir)
}

fn resolve_uncached(
    references: &[String],
    base_dir: &Path,
) -> Result<ResolvedProfile, ProfileError> {
    let mut out = ResolvedProfile {
        names: Vec::new(),
        controls: BTreeMap::new(),
        forbid_waivers: BTreeSet::new(),
    };
    for r in references {
        let mut seen = Vec::new();
        apply_chain(r, base_dir, &mut out, &mut seen)?;
    }
    Ok(out)
}

fn load_text(reference: &str, base_dir: &Path) -> Result<(String, String, PathBuf), ProfileError> {
    if is_path(reference) {
        let path = base_dir.join(reference);
        let text = crate::input::read_text(&path, crate::input::PROFILE).map_err(|e| {
            ProfileError::Read {
                path: path.display().to_string(),
                reason: e.reason(),
            }
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok((path.display().to_string(), text, dir))
    } else {
        match builtin(reference) {
            Some(t) => Ok((
                format!("<built-in profile {reference}>"),
                t.to_string(),
                base_dir.to_path_buf(),
            )),
            None => Err(ProfileError::Unknown {
                name: reference.to_string(),
                known: builtin_names().join(", "),
            }),
        }
    }
}

fn apply_chain(
    reference: &str,
    base_dir: &Path,
    out: &mut ResolvedProfile,
    seen: &mut Vec<String>,
) -> Result<(), ProfileError> {
    let (origin, text, dir) = load_text(reference, base_dir)?;
    let map = SourceMap::new(&origin, &text);
    let invalid = |path: &str, message: String| ProfileError::Invalid {
        location: map.locate(path),
        message,
    };
    if let Some(location) = map.too_deep() {
        return Err(ProfileError::Invalid {
            location,
            message: format!(
                "nested deeper than {} levels; a profile nests three",
                crate::source_map::MAX_DEPTH
            ),
        });
    }
    let file: ProfileFile = serde_yaml::from_str(&text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        let message = crate::yaml::strip_location(&e.to_string());
        ProfileError::Invalid {
            location: map.place_parse_error(&message, line, column),
            message: map.explain_parse_error(&message),
        }
    })?;
    if let Some((location, key)) = map.duplicate_key() {
        return Err(ProfileError::Invalid {
            location,
            message: crate::yaml::bound_quotes(&format!(
                "duplicate key {key:?}: each key appears once in a mapping"
            )),
        });
    }
    if file.api_version != "palisade.dev/v1alpha1" {
        return Err(invalid(
            "apiVersion",
            format!(
                "apiVersion is {:?}; expected palisade.dev/v1alpha1",
                file.api_version
            ),
        ));
    }
    if file.kind != "Profile" {
        return Err(invalid(
            "kind",
            format!("kind is {:?}; expected Profile", file.kind),
        ));
    }
    if seen.contains(&file.name) {
        seen.push(file.name.clone());
        return Err(ProfileError::Cycle {
            name: file.name,
            chain: seen.join(" → "),
        });
    }
    seen.push(file.name.clone());
    if seen.len() > MAX_CHAIN {
        return Err(ProfileError::TooLong {
            location: map.locate("extends"),
            chain: seen[..4].join(" → "),
        });
    }
    if let Some(parent) = &file.extends {
        apply_chain(parent, &dir, out, seen)?;
    }
    for (key, entry) in &file.controls {
        let id = key.as_str().unwrap_or_default();
        let here = format!("controls.{id}");
        let Some(control) = controls::find(id) else {
            return Err(invalid(
                &here,
                format!("unknown control `{id}`; `palisade controls list` shows the catalogue"),
            ));
        };
        let setting = out
            .controls
            .entry(id.to_string())
            .or_insert_with(|| Setting {
                level: Level::Off,
                params: Params::defaults(control.params),
            });
        let (level, params) = match entry {
            Value::String(s) => (Some(s.as_str()), None),
            Value::Mapping(m) => {
                if let Some(k) = m
                    .keys()
                    .filter_map(Value::as_str)
                    .find(|k| *k != "level" && *k != "params")
                {
                    return Err(invalid(
                        &format!("{here}.{k}"),
                        format!("unknown key `{k}`, expected `level` or `params`"),
                    ));
                }
                (m.get("level").and_then(Value::as_str), m.get("params"))
            }
            _ => (None, None),
        };
        match (level, entry.is_mapping()) {
            // a control an earlier profile forbids waiving cannot be turned down either: off
            // would be a waiver by another name
            (Some(l), _)
                if out.forbid_waivers.contains(id)
                    && matches!(Level::parse(l), Some(Level::Off | Level::Audit)) =>
            {
                return Err(invalid(
                    &here,
                    format!("a profile merged before {} forbids waiving {id}, so no later profile may set it to {l}; remove this line, or leave out the profile that forbids it", file.name),
                ));
            }
            (Some(l), _) => match Level::parse(l) {
                Some(l) => setting.level = l,
                None => {
                    return Err(invalid(
                        &here,
                        format!("level `{l}`: expected enforce, audit or off"),
                    ))
                }
            },
            (None, true) => {}
            (None, false) => {
                return Err(invalid(
                    &here,
                    "expected a level (enforce, audit, off) or a mapping with `level` and `params`"
                        .into(),
                ))
            }
        }
        if let Some(params) = params {
            let Some(pm) = params.as_mapping() else {
                return Err(invalid(
                    &format!("{here}.params"),
                    "params must be a mapping".into(),
                ));
            };
            for (pk, pv) in pm {
                let name = pk.as_str().unwrap_or_default();
                setting.params.set(control.params, name, pv).map_err(|m| {
                    invalid(
                        &format!("{here}.params.{name}"),
                        format!("control {id}: {m}"),
                    )
                })?;
            }
        }
    }
    for (i, id) in file.forbid_waivers.iter().enumerate() {
        if controls::find(id).is_none() {
            return Err(invalid(
                &format!("forbidWaivers[{i}]"),
                format!("unknown control `{id}`"),
            ));
        }
        out.forbid_waivers.insert(id.clone());
    }
    out.names.insert(0, file.name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_extends_baseline() {
        let p = resolve(&["strict".into()], Path::new(".")).expect("strict resolves");
        assert_eq!(p.names, vec!["strict", "baseline"]);
        assert_eq!(p.level("rbac"), Level::Enforce);
        assert_eq!(p.level("irsa"), Level::Enforce);
        assert_eq!(
            p.setting("tls-min-version").params.str("version"),
            "VersionTLS13"
        );
        // params merge key by key: strict raises maxAge and keeps baseline's maxSize
        let audit = p.setting("audit-logging").params;
        assert_eq!((audit.int("maxAge"), audit.int("maxSize")), (90, 100));
        assert!(
            p.forbid_waivers.contains("rbac") && p.forbid_waivers.contains("metadata-api-blocked")
        );
    }

    #[test]
    fn baseline_sets_every_control() {
        let p = resolve(&["baseline".into()], Path::new(".")).expect("baseline resolves");
        for c in controls::all() {
            assert!(
                p.controls.contains_key(c.id),
                "baseline does not mention {}",
                c.id
            );
        }
    }

    #[test]
    fn unknown_profile_is_named() {
        let e = resolve(&["nope".into()], Path::new(".")).expect_err("unknown");
        assert!(e.to_string().contains("unknown profile `nope`"), "{e}");
    }
}
