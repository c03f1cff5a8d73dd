//! A kops multi-document spec: one Cluster, its InstanceGroups, and any other documents,
//! kept in their original order as value trees.
//!
//! Each document is shared (`Arc`) and copied only when it is changed: the render loop keeps
//! the spec as it was before each control to trace what the control changed, and most controls
//! change one or two of a cluster's documents. Two specs' documents at the same index that are
//! the same allocation are known equal without a walk ([`KopsSpec::same_document`]).

use std::sync::Arc;

use serde::Deserialize;
use serde_yaml::Value;
use thiserror::Error;

use crate::yaml::{strip_location, tree};

#[derive(Debug, Error)]
pub enum SpecError {
    #[error("{file}:{line}:{column}: invalid YAML: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{file}: no kops Cluster document (kind: Cluster, apiVersion: kops.k8s.io/v1alpha2) found"
    )]
    NoCluster { file: String },
    #[error("{file}: {count} Cluster documents found; a kops spec holds exactly one")]
    ManyClusters { file: String, count: usize },
    #[error("{file}: document {index}: apiVersion {found} is not supported; Palisade reads kops.k8s.io/v1alpha2 (what `kops get all -o yaml` prints)")]
    Version {
        file: String,
        index: usize,
        found: String,
    },
    #[error("{file}: document {index}: an InstanceGroup needs metadata.name")]
    UnnamedGroup { file: String, index: usize },
    #[error("{file}: the Cluster has no metadata.name")]
    UnnamedCluster { file: String },
    #[error("{file}: document {index}: the InstanceGroup is labelled for the cluster {other} (kops.k8s.io/cluster), not this one")]
    OtherCluster {
        file: String,
        index: usize,
        other: String,
    },
    #[error(
        "{file}: document {index} is not a mapping; a kops spec is a stream of kops documents"
    )]
    NotMapping { file: String, index: usize },
    #[error("{file}: two InstanceGroups are named {name}; kops keeps one group per name")]
    DuplicateGroup { file: String, name: String },
    #[error("{file}: document {index}: {issues} (the kops CRD schema)")]
    Schema {
        file: String,
        index: usize,
        issues: String,
    },
}

/// Which cloud a spec targets, from `spec.cloudProvider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Gce,
    Other,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KopsSpec {
    docs: Vec<Arc<Value>>,
}

impl KopsSpec {
    /// Parses a multi-document YAML stream. `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, SpecError> {
        let mut docs = Vec::new();
        for de in serde_yaml::Deserializer::from_str(text) {
            let value = Value::deserialize(de).map_err(|e| yaml_error(file, &e))?;
            if value.is_null() {
                continue;
            }
            if !value.is_mapping() {
                return Err(SpecError::NotMapping {
                    file: file.to_string(),
                    index: docs.len() + 1,
                });
            }
            docs.push(value);
        }
        for (index, d) in docs.iter().enumerate() {
            if let Some(v) = tree::get_str(d, &["apiVersion"]).filter(|v| v.starts_with("kops")) {
                if v != "kops.k8s.io/v1alpha2" && v != "kops/v1alpha2" {
                    return Err(SpecError::Version {
                        file: file.to_string(),
                        index: index + 1,
                        found: v.to_string(),
                    });
                }
            }
        }
        let spec = KopsSpec::from_documents(docs);
        let clusters = spec.docs.iter().filter(|d| is_kind(d, "Cluster")).count();
        match clusters {
            0 => {
                return Err(SpecError::NoCluster {
                    file: file.to_string(),
                })
            }
            1 => {}
            count => {
                return Err(SpecError::ManyClusters {
                    file: file.to_string(),
                    count,
                })
            }
        }
        let Some(cluster_name) = name_of(spec.cluster()) else {
            return Err(SpecError::UnnamedCluster {
                file: file.to_string(),
            });
        };
        let mut names: Vec<&str> = Vec::new();
        for (index, d) in spec.docs.iter().enumerate() {
            if is_kind(d, "InstanceGroup") {
                if let Some(other) =
                    tree::get_str(d, &["metadata", "labels", "kops.k8s.io/cluster"])
                        .filter(|c| *c != cluster_name)
                {
                    return Err(SpecError::OtherCluster {
                        file: file.to_string(),
                        index: index + 1,
                        other: crate::yaml::bound_quotes(&format!("{other:?}")),
                    });
                }
                let Some(name) = name_of(d) else {
                    return Err(SpecError::UnnamedGroup {
                        file: file.to_string(),
                        index: index + 1,
                    });
                };
                if names.contains(&name) {
                    return Err(SpecError::DuplicateGroup {
                        file: file.to_string(),
                        name: crate::yaml::bound_quotes(&format!("{name:?}")),
                    });
                }
                names.push(name);
            }
            // what a spec kops printed can hold (required fields it defaults, numbers where the
            // CRD says int-or-string, fields of newer kops) is kept; a wrong shape is not.
            // Unknown fields are for the caller to warn of (`unknown_fields`).
            let issues: Vec<_> = super::schema::validate_document(d)
                .into_iter()
                .filter(|i| {
                    i.problem.starts_with("expected ")
                        && !i.problem.starts_with("expected an integer or a string")
                        && !i.problem.starts_with("expected kops")
                })
                .collect();
            if !issues.is_empty() {
                let shown: Vec<String> = issues
                    .iter()
                    .take(5)
                    .map(|i| crate::yaml::bound_quotes(&i.to_string()))
                    .collect();
                let more = issues.len().saturating_sub(shown.len());
                return Err(SpecError::Schema {
                    file: file.to_string(),
                    index: index + 1,
                    issues: if more > 0 {
                        format!("{} and {more} more", shown.join("; "))
                    } else {
                        shown.join("; ")
                    },
                });
            }
        }
        Ok(spec)
    }

    /// The Kubernetes objects of the spec (what kops keeps in `clusteraddons/default`).
    pub fn objects(&self) -> impl Iterator<Item = &Value> {
        self.documents()
            .filter(|d| crate::guardrails::is_kubernetes_object(d))
    }

    /// Adds a Kubernetes object, replacing the one of the same kind, namespace and name.
    pub fn put_object(&mut self, object: Value) {
        crate::guardrails::put(&mut self.docs, object);
    }

    /// Fields the kops CRD schema does not know, which kops drops without a word.
    pub fn unknown_fields(&self) -> Vec<super::schema::SchemaIssue> {
        self.documents()
            .flat_map(super::schema::validate_document)
            .filter(|i| i.problem.starts_with("unknown field"))
            .collect()
    }

    /// Builds a spec from documents; the caller guarantees exactly one Cluster.
    pub fn from_documents(docs: Vec<Value>) -> Self {
        KopsSpec {
            docs: docs.into_iter().map(Arc::new).collect(),
        }
    }

    /// Builds a spec from documents shared with others; the caller guarantees one Cluster.
    pub fn from_shared(docs: Vec<Arc<Value>>) -> Self {
        KopsSpec { docs }
    }

    /// The documents, in order.
    pub fn documents(&self) -> impl ExactSizeIterator<Item = &Value> + Clone {
        self.docs.iter().map(|d| &**d)
    }

    /// The documents as shared values, in order (what [`KopsSpec::from_shared`] takes).
    pub fn shared_documents(&self) -> impl ExactSizeIterator<Item = &Arc<Value>> {
        self.docs.iter()
    }

    /// The document at `index`, if there is one.
    pub fn document(&self, index: usize) -> Option<&Value> {
        self.docs.get(index).map(|d| &**d)
    }

    /// The document at `index`, to change (copied first if another spec shares it).
    pub fn document_mut(&mut self, index: usize) -> Option<&mut Value> {
        self.docs.get_mut(index).map(Arc::make_mut)
    }

    /// Every document, to change (each copied first if another spec shares it).
    pub fn documents_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.docs.iter_mut().map(Arc::make_mut)
    }

    /// Whether this spec's document at `index` is `other`'s at `index`, unchanged since one
    /// was copied from the other (false says nothing: they may still be equal).
    pub fn same_document(&self, other: &KopsSpec, index: usize) -> bool {
        matches!((self.docs.get(index), other.docs.get(index)), (Some(a), Some(b)) if Arc::ptr_eq(a, b))
    }

    pub fn cluster(&self) -> &Value {
        // the Cluster is the first document of every spec Palisade builds or kops prints
        match self.docs.first() {
            Some(first) if is_kind(first, "Cluster") => first,
            _ => self
                .documents()
                .find(|d| is_kind(d, "Cluster"))
                .unwrap_or(&Value::Null),
        }
    }

    pub fn cluster_mut(&mut self) -> &mut Value {
        let index = self.docs.iter().position(|d| is_kind(d, "Cluster"));
        let i = match index {
            Some(i) => i,
            None => {
                // Only reachable for a spec built without a Cluster; give it one.
                self.docs
                    .insert(0, Arc::new(Value::Mapping(Default::default())));
                0
            }
        };
        Arc::make_mut(&mut self.docs[i])
    }

    pub fn cluster_name(&self) -> &str {
        name_of(self.cluster()).unwrap_or("<unnamed>")
    }

    pub fn instance_groups(&self) -> impl Iterator<Item = &Value> {
        self.documents().filter(|d| is_kind(d, "InstanceGroup"))
    }

    /// Every InstanceGroup, to change (each copied first if another spec shares it).
    pub fn instance_groups_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.instance_groups_where(|_| true)
    }

    /// The InstanceGroups `wanted` picks, to change: the others stay shared, uncopied.
    pub fn instance_groups_where(
        &mut self,
        wanted: impl Fn(&Value) -> bool,
    ) -> impl Iterator<Item = &mut Value> {
        self.docs
            .iter_mut()
            .filter(move |d| is_kind(d, "InstanceGroup") && wanted(d))
            .map(Arc::make_mut)
    }

    pub fn cloud(&self) -> Cloud {
        match tree::get_str(self.cluster(), &["spec", "cloudProvider"]) {
            Some("aws") => Cloud::Aws,
            Some("gce") => Cloud::Gce,
            _ => Cloud::Other,
        }
    }

    /// `Cluster/NAME` or `InstanceGroup/NAME`: how findings and traces name an object.
    pub fn object_name(doc: &Value) -> String {
        if crate::guardrails::is_kubernetes_object(doc) {
            return crate::guardrails::object_id(doc);
        }
        format!(
            "{}/{}",
            tree::get_str(doc, &["kind"]).unwrap_or("?"),
            name_of(doc).unwrap_or("?")
        )
    }

    /// The spec as a multi-document YAML stream.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        for (i, d) in self.documents().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            out.push_str(&super::emit::to_yaml(d));
        }
        out
    }
}

pub fn is_kind(doc: &Value, kind: &str) -> bool {
    tree::get_str(doc, &["kind"]) == Some(kind)
        && tree::get_str(doc, &["apiVersion"]).is_some_and(|v| v.starts_with("kops"))
}

pub fn name_of(doc: &Value) -> Option<&str> {
    tree::get_str(doc, &["metadata", "name"])
}

pub(crate) fn yaml_error(file: &str, e: &serde_yaml::Error) -> SpecError {
    let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    SpecError::Yaml {
        file: file.to_string(),
        line,
        column,
        message: strip_location(&e.to_string()),
    }
}
