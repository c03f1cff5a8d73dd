//! Clusters to audit from JSON files, as `gcloud container clusters describe --format=json`
//! prints them (one Cluster per file), an array as `gcloud … list --format=json` prints, or the
//! REST API's `ListClustersResponse` (`{"clusters": […], "missingZones": […]}`), given as files
//! or directories of `*.json`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use thiserror::Error;

use crate::gke::discovery::{convert_enums, validate, Enums, Rules};

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
    #[error("{path}: {count} clusters in one file; a file holds at most {MAX_CLUSTERS}: split the inventory across files")]
    TooMany { path: String, count: usize },
    #[error("{path}:{line}:{column}: not JSON: {message}")]
    Parse {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: expected a GKE Cluster object (with a \"name\"), an array of them, or a ListClustersResponse ({{\"clusters\": [...]}})")]
    NotCluster { path: String },
    #[error("{path}: cluster {cluster}: {issues}; a field of the wrong type cannot be judged (is this the API's Cluster JSON?)")]
    WrongType {
        path: String,
        cluster: String,
        issues: String,
    },
    #[error("{path}: no *.json files in this directory")]
    Empty { path: String },
}

/// One cluster and the file it came from.
pub struct Loaded {
    pub source: String,
    pub cluster: Value,
}

/// The clusters of one file, and the zones a list response says it could not reach (the
/// inventory is then incomplete).
pub struct Inventory {
    pub clusters: Vec<Loaded>,
    pub missing_zones: Vec<String>,
}

/// Every `*.json` file under the given paths (directories are read one level deep, sorted).
pub fn files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let read = std::fs::read_dir(p).map_err(|source| LoadError::Read {
                path: p.display().to_string(),
                source,
            })?;
            let mut found: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json") && f.is_file())
                .collect();
            if found.is_empty() {
                return Err(LoadError::Empty {
                    path: p.display().to_string(),
                });
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The most clusters one file may hold: an inventory larger than this is split across files
/// (each cluster is judged in full; ten thousand take under a second).
pub const MAX_CLUSTERS: usize = 10_000;

/// Reads the clusters of one file; enum numbers, if any, become names.
pub fn read(path: &Path) -> Result<Vec<Loaded>, LoadError> {
    read_inventory(path).map(|i| i.clusters)
}

/// Reads the clusters of one file with what a list response says is missing.
pub fn read_inventory(path: &Path) -> Result<Inventory, LoadError> {
    let shown = path.display().to_string();
    let text = crate::input::read_text(path, crate::input::GKE_JSON)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| LoadError::Parse {
        path: shown.clone(),
        line: e.line(),
        column: e.column(),
        message: crate::yaml::bound_quotes(&crate::yaml::strip_location(&e.to_string())),
    })?;
    let mut missing_zones = Vec::new();
    let items = match value {
        Value::Array(items) => items,
        // a ListClustersResponse: no name of its own, a list of clusters
        Value::Object(mut m) if !m.contains_key("name") && m.contains_key("clusters") => {
            if let Some(Value::Array(zones)) = m.remove("missingZones") {
                missing_zones = zones
                    .iter()
                    .map(|z| match z {
                        Value::String(s) => crate::yaml::bound_quotes(&format!("{s:?}"))
                            .trim_matches('"')
                            .to_string(),
                        other => crate::yaml::bound_quotes(&other.to_string()),
                    })
                    .collect();
            }
            match m.remove("clusters") {
                Some(Value::Array(items)) => items,
                _ => return Err(LoadError::NotCluster { path: shown }),
            }
        }
        other => vec![other],
    };
    if items.len() > MAX_CLUSTERS {
        return Err(LoadError::TooMany {
            path: shown,
            count: items.len(),
        });
    }
    let mut out = Vec::new();
    for mut cluster in items {
        if !cluster.get("name").is_some_and(Value::is_string) {
            return Err(LoadError::NotCluster { path: shown });
        }
        convert_enums("Cluster", &mut cluster, Enums::Names);
        // a known field of the wrong type (`nodePools: "x"`) would read as absent and pass:
        // it is an error instead. Unknown fields and enum values newer than the facts are fine.
        let rules = Rules {
            enums: Enums::Names,
            request: false,
        };
        let wrong: Vec<String> = validate("Cluster", &cluster, rules)
            .into_iter()
            .filter(|i| i.problem.starts_with("expected ") && !i.problem.contains("known schema"))
            .map(|i| crate::yaml::bound_quotes(&i.to_string()))
            .collect();
        if !wrong.is_empty() {
            return Err(LoadError::WrongType {
                path: shown,
                cluster: cluster["name"].as_str().unwrap_or("?").to_string(),
                issues: wrong.join("; "),
            });
        }
        out.push(Loaded {
            source: shown.clone(),
            cluster,
        });
    }
    Ok(Inventory {
        clusters: out,
        missing_zones,
    })
}
