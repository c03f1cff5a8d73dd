//! Reading a cluster file: parse, then validate, reporting every problem with its position.

use std::fmt;
use std::path::Path;

use thiserror::Error;

use super::{validate, ClusterFile, Code, Date};
use crate::source_map::{Location, SourceMap};

/// One thing wrong with a cluster file, at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub code: Code,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // a value quoted from the file is shown as a short excerpt only
        let message = crate::yaml::bound_quotes(&self.message);
        write!(f, "{}: {message} [{}]", self.location, self.code)
    }
}

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{path}: cannot read the cluster file: {reason}")]
    Read { path: String, reason: String },
    #[error("{}", problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
    Invalid { problems: Vec<Problem> },
}

/// Reads and validates the cluster file at `path`. `today` decides which waivers have expired;
/// `known_control` says whether a waiver's control id is in the catalogue (the catalogue sits
/// above the cluster file: `controls::is_known`).
pub fn load(
    path: &Path,
    today: Date,
    known_control: fn(&str) -> bool,
) -> Result<(ClusterFile, SourceMap), LoadError> {
    let text =
        crate::input::read_text(path, crate::input::CLUSTER_FILE).map_err(|e| LoadError::Read {
            path: path.display().to_string(),
            reason: e.reason(),
        })?;
    load_str(&text, path, today, known_control)
}

/// As [`load`], from text already read.
pub fn load_str(
    text: &str,
    path: &Path,
    today: Date,
    known_control: fn(&str) -> bool,
) -> Result<(ClusterFile, SourceMap), LoadError> {
    let map = SourceMap::new(&path.display().to_string(), text);
    if let Some(location) = map.too_deep() {
        return Err(LoadError::Invalid {
            problems: vec![Problem {
                location,
                code: Code::TooDeep,
                message: format!(
                    "nested deeper than {} levels; a cluster file nests a few",
                    crate::source_map::MAX_DEPTH
                ),
            }],
        });
    }
    let mut file: ClusterFile = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        LoadError::Invalid {
            problems: vec![{
                let message = crate::yaml::strip_location(&e.to_string());
                Problem {
                    location: map.place_parse_error(&message, line, column),
                    code: Code::of_parse_error(&message),
                    message: map.explain_parse_error(&message),
                }
            }],
        }
    })?;
    file.source = path.to_path_buf();
    // serde takes the last of two equal keys in a map of names (overrides.instanceGroups)
    if let Some((location, key)) = map.duplicate_key() {
        return Err(LoadError::Invalid {
            problems: vec![Problem {
                location,
                code: Code::InvalidYaml,
                message: crate::yaml::bound_quotes(&format!(
                    "duplicate key {key:?}: each key appears once in a mapping"
                )),
            }],
        });
    }
    let problems = validate::validate(&file, today, known_control)
        .into_iter()
        .map(|(field, code, message)| Problem {
            location: map.locate(&field),
            code,
            message,
        })
        .collect::<Vec<_>>();
    if problems.is_empty() {
        Ok((file, map))
    } else {
        Err(LoadError::Invalid { problems })
    }
}
