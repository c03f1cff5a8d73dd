//! `palisade state-bucket create`: a state store bucket with exactly the settings the
//! `state-store-protected` control asks for. It reads the bucket first and makes only the
//! changes that are missing, so a second run changes nothing; it never weakens a setting
//! (an existing KMS encryption is kept), and a bucket holding objects that are not a kops
//! state store's is left alone unless the caller says so.

use aws_sdk_s3::types::{
    BucketCannedAcl, BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use serde_json::{json, Value};

use super::s3::{describe, S3};
use crate::controls::state::state_store_protected::denies_insecure_transport;
use crate::state::bucket::PublicAccessBlock;

/// The Sid of the statement Palisade adds to a bucket policy.
pub const TLS_STATEMENT_SID: &str = "PalisadeDenyInsecureTransport";

/// How many keys are looked at to tell a state store from a bucket used for something else.
const KEYS_LOOKED_AT: usize = 10_000;

/// One change to the bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Create {
        region: String,
    },
    BlockPublicAccess,
    Encrypt {
        kms_key: Option<String>,
    },
    EnableVersioning,
    /// The whole new policy text (the existing statements and the TLS deny).
    DenyInsecureTransport {
        policy: String,
    },
    /// Replace an ACL that grants to the public with a private one.
    PrivateAcl,
}

impl Step {
    pub fn describe(&self) -> String {
        match self {
            Step::Create { region } => format!("create the bucket in {region}"),
            Step::BlockPublicAccess => "turn on all four Block Public Access settings".into(),
            Step::Encrypt { kms_key: None } => "encrypt objects by default with SSE-S3 (AES256)".into(),
            Step::Encrypt { kms_key: Some(k) } => {
                format!("encrypt objects by default with SSE-KMS, key {k}")
            }
            Step::EnableVersioning => "enable versioning".into(),
            Step::DenyInsecureTransport { .. } => format!(
                "add the bucket policy statement {TLS_STATEMENT_SID}: deny every request without TLS (aws:SecureTransport false)"
            ),
            Step::PrivateAcl => "replace the ACL, which grants to the public, with a private one".into(),
        }
    }
}

/// What `state-bucket create` will do to one bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    pub bucket: String,
    pub steps: Vec<Step>,
    /// Objects the bucket holds that are not a kops state store's (at most a few shown).
    pub unexpected: Vec<String>,
    /// How many such objects there are among those looked at.
    pub unexpected_count: usize,
}

/// The policy with the TLS deny statement added (a new policy when there is none).
pub fn with_tls_deny(existing: Option<&str>, bucket: &str) -> Result<String, String> {
    let statement = json!({
        "Sid": TLS_STATEMENT_SID,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:aws:s3:::{bucket}"), format!("arn:aws:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    });
    let mut doc: Value = match existing {
        None => json!({"Version": "2012-10-17", "Statement": []}),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| format!("the bucket's policy is not JSON ({e}); fix it by hand"))?,
    };
    let Some(map) = doc.as_object_mut() else {
        return Err("the bucket's policy is not a JSON object; fix it by hand".into());
    };
    let statements = match map.remove("Statement") {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err(
                "the bucket policy's Statement is neither a list nor an object; fix it by hand"
                    .into(),
            )
        }
    };
    let mut statements: Vec<Value> = statements
        .into_iter()
        .filter(|s| s.get("Sid").and_then(Value::as_str) != Some(TLS_STATEMENT_SID))
        .collect();
    statements.push(statement);
    map.insert("Statement".into(), Value::Array(statements));
    serde_json::to_string(&doc).map_err(|e| e.to_string())
}

/// The keys that are not a kops state store's: every key must sit under `base` in the
/// directory of a cluster (a DNS name with a dot, as kops names clusters, whose `config` is
/// there) at a place kops or Palisade writes, or be an apply lease of such a cluster. A
/// `payments/secrets/db-password` is someone else's.
pub fn not_state_store(keys: &[String], base: &str) -> Vec<String> {
    let relative: Vec<Option<&str>> = keys.iter().map(|k| k.strip_prefix(base)).collect();
    let clusters: std::collections::BTreeSet<&str> = relative
        .iter()
        .flatten()
        .filter_map(|k| k.strip_suffix("/config"))
        .filter(|c| c.contains('.') && crate::state::check_cluster_name(c).is_ok())
        .collect();
    keys.iter()
        .zip(&relative)
        .filter(|(_, rel)| {
            !rel.is_some_and(|k| {
                let lease = k
                    .strip_prefix(".palisade-lease-")
                    .is_some_and(|c| clusters.contains(c));
                let inside = k
                    .split_once('/')
                    .is_some_and(|(c, _)| clusters.contains(c) && crate::state::is_state_key(k));
                lease || inside
            })
        })
        .map(|(k, _)| k.clone())
        .collect()
}

impl S3 {
    /// The region S3 says the bucket is in (HeadBucket's `x-amz-bucket-region`), when it says.
    pub fn bucket_region(&self, bucket: &str) -> Option<String> {
        let call = self.client.head_bucket().bucket(bucket).send();
        self.runtime
            .block_on(call)
            .ok()
            .and_then(|o| o.bucket_region().map(str::to_string))
    }

    /// Reads `bucket` and works out what is missing. `prefix` is the state store's prefix in
    /// it; `region` the one a new bucket is made in.
    pub fn protection(
        &self,
        bucket: &str,
        prefix: &str,
        region: &str,
        kms_key: Option<&str>,
    ) -> Result<Protection, String> {
        let mut steps = Vec::new();
        if !self.exists(bucket)? {
            steps.push(Step::Create {
                region: region.to_string(),
            });
            steps.push(Step::BlockPublicAccess);
            steps.push(Step::Encrypt {
                kms_key: kms_key.map(str::to_string),
            });
            steps.push(Step::EnableVersioning);
            steps.push(Step::DenyInsecureTransport {
                policy: with_tls_deny(None, bucket)?,
            });
            return Ok(Protection {
                bucket: bucket.to_string(),
                steps,
                unexpected: Vec::new(),
                unexpected_count: 0,
            });
        }
        let facts = self.observe(bucket, None);
        if facts.public_access_block? != Some(PublicAccessBlock::ALL) {
            steps.push(Step::BlockPublicAccess);
        }
        match (facts.encryption?, kms_key) {
            (None, k) => steps.push(Step::Encrypt {
                kms_key: k.map(str::to_string),
            }),
            // SSE-S3 is there and a KMS key is asked for: a stronger setting, made
            (Some(alg), Some(k)) if alg == "AES256" => steps.push(Step::Encrypt {
                kms_key: Some(k.to_string()),
            }),
            _ => {}
        }
        if facts.versioning?.as_deref() != Some("Enabled") {
            steps.push(Step::EnableVersioning);
        }
        let policy = facts.policy?;
        if !policy
            .as_deref()
            .is_some_and(|p| denies_insecure_transport(p, bucket))
        {
            steps.push(Step::DenyInsecureTransport {
                policy: with_tls_deny(policy.as_deref(), bucket)?,
            });
        }
        if !facts.public_grants?.is_empty() {
            steps.push(Step::PrivateAcl);
        }
        let keys = self.keys(bucket, KEYS_LOOKED_AT)?;
        let base = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        let unexpected = not_state_store(&keys, &base);
        Ok(Protection {
            bucket: bucket.to_string(),
            steps,
            unexpected_count: unexpected.len(),
            unexpected: unexpected.into_iter().take(5).collect(),
        })
    }

    /// Carries out the steps in order; stops at the first failure, saying what was done.
    pub fn protect(&self, p: &Protection, progress: &mut dyn FnMut(&str)) -> Result<(), String> {
        for (i, step) in p.steps.iter().enumerate() {
            self.step(&p.bucket, step).map_err(|why| {
                let done: Vec<String> = p.steps[..i].iter().map(Step::describe).collect();
                if done.is_empty() {
                    why
                } else {
                    format!("{why} (done before it: {})", done.join("; "))
                }
            })?;
            progress(&step.describe());
        }
        Ok(())
    }

    fn step(&self, bucket: &str, step: &Step) -> Result<(), String> {
        let c = &self.client;
        let rt = &self.runtime;
        match step {
            Step::Create { region } => {
                let mut call = c.create_bucket().bucket(bucket);
                // us-east-1 is the one region S3 wants no location constraint for
                if region != "us-east-1" {
                    call = call.create_bucket_configuration(
                        CreateBucketConfiguration::builder()
                            .location_constraint(BucketLocationConstraint::from(region.as_str()))
                            .build(),
                    );
                }
                rt.block_on(call.send())
                    .map(|_| ())
                    .map_err(|e| describe("CreateBucket", &e))
            }
            Step::BlockPublicAccess => {
                let all = PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build();
                rt.block_on(
                    c.put_public_access_block()
                        .bucket(bucket)
                        .public_access_block_configuration(all)
                        .send(),
                )
                .map(|_| ())
                .map_err(|e| describe("PutPublicAccessBlock", &e))
            }
            Step::Encrypt { kms_key } => {
                let mut default = ServerSideEncryptionByDefault::builder();
                default = match kms_key {
                    Some(k) => default
                        .sse_algorithm(ServerSideEncryption::AwsKms)
                        .kms_master_key_id(k),
                    None => default.sse_algorithm(ServerSideEncryption::Aes256),
                };
                let rule = ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        default.build().map_err(|e| e.to_string())?,
                    )
                    .bucket_key_enabled(kms_key.is_some())
                    .build();
                let config = ServerSideEncryptionConfiguration::builder()
                    .rules(rule)
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(
                    c.put_bucket_encryption()
                        .bucket(bucket)
                        .server_side_encryption_configuration(config)
                        .send(),
                )
                .map(|_| ())
                .map_err(|e| describe("PutBucketEncryption", &e))
            }
            Step::EnableVersioning => rt
                .block_on(
                    c.put_bucket_versioning()
                        .bucket(bucket)
                        .versioning_configuration(
                            VersioningConfiguration::builder()
                                .status(BucketVersioningStatus::Enabled)
                                .build(),
                        )
                        .send(),
                )
                .map(|_| ())
                .map_err(|e| describe("PutBucketVersioning", &e)),
            Step::DenyInsecureTransport { policy } => rt
                .block_on(c.put_bucket_policy().bucket(bucket).policy(policy).send())
                .map(|_| ())
                .map_err(|e| describe("PutBucketPolicy", &e)),
            Step::PrivateAcl => rt
                .block_on(
                    c.put_bucket_acl()
                        .bucket(bucket)
                        .acl(BucketCannedAcl::Private)
                        .send(),
                )
                .map(|_| ())
                .map_err(|e| describe("PutBucketAcl", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_kops_state_store_is_a_state_store() {
        let keys: Vec<String> = [
            "dev.example.com/config",
            "dev.example.com/secrets/encryptionconfig",
            "dev.example.com/instancegroup/nodes",
            ".palisade-lease-dev.example.com",
            "payments/config",
            "payments/secrets/db-password",
            "site/config",
            "other.example.com/secrets/x",
            "dev.example.com/notes.txt",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            not_state_store(&keys, ""),
            [
                "payments/config",
                "payments/secrets/db-password",
                "site/config",
                "other.example.com/secrets/x",
                "dev.example.com/notes.txt"
            ]
        );
        let prefixed: Vec<String> = ["kops/dev.example.com/config", "dev.example.com/config"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            not_state_store(&prefixed, "kops/"),
            ["dev.example.com/config"]
        );
    }

    #[test]
    fn the_tls_deny_is_added_beside_existing_statements_once() {
        let existing = r#"{"Version":"2012-10-17","Statement":{"Sid":"Read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
        let once = with_tls_deny(Some(existing), "b").unwrap();
        assert!(denies_insecure_transport(&once, "b"), "{once}");
        assert!(once.contains(r#""Sid":"Read""#), "{once}");
        let twice = with_tls_deny(Some(&once), "b").unwrap();
        let doc: Value = serde_json::from_str(&twice).unwrap();
        assert_eq!(doc["Statement"].as_array().unwrap().len(), 2, "{twice}");
        assert!(with_tls_deny(Some("[1]"), "b").is_err());
        assert!(with_tls_deny(Some("{"), "b").is_err());
    }
}
