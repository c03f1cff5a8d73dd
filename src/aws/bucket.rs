//! Reads what an S3 state store's bucket shows about its protection (and, with IRSA, what its
//! public discovery bucket holds) into [`BucketFacts`], for the `state-store-protected`
//! control. Five GETs and one bounded listing; nothing is written.

use aws_sdk_s3::types::Type;

use super::s3::{code, describe, S3};
use crate::state::bucket::{
    BucketFacts, DiscoveryFacts, PublicAccessBlock, PublicGrant, Read, MAX_DISCOVERY_KEYS,
};

/// The ACL groups that mean everyone, and every AWS account.
const PUBLIC_GROUPS: [(&str, &str); 2] = [
    (
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "AllUsers",
    ),
    (
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
        "AuthenticatedUsers",
    ),
];

/// `s3://BUCKET[/PREFIX]` → (bucket, prefix), as the state store reads its URL; `None` for
/// any other URL.
pub fn split_url(url: &str) -> Option<(String, String)> {
    match crate::state::StateUrl::parse(url).ok()? {
        crate::state::StateUrl::S3 { bucket, prefix } => Some((bucket, prefix)),
        crate::state::StateUrl::File(_) => None,
    }
}

impl S3 {
    /// The protection settings of `bucket`, and the keys of the discovery store when given.
    pub fn observe(&self, bucket: &str, discovery: Option<&str>) -> BucketFacts {
        BucketFacts {
            bucket: bucket.to_string(),
            public_access_block: self.public_access_block(bucket),
            encryption: self.encryption(bucket),
            versioning: self.versioning(bucket),
            policy: self.policy(bucket),
            public_grants: self.public_grants(bucket),
            discovery: discovery.and_then(|url| {
                let (bucket, prefix) = split_url(url)?;
                let keys = self.keys(&bucket, MAX_DISCOVERY_KEYS);
                Some(DiscoveryFacts {
                    url: url.to_string(),
                    bucket,
                    prefix,
                    keys,
                })
            }),
        }
    }

    pub fn public_access_block(&self, bucket: &str) -> Read<Option<PublicAccessBlock>> {
        let call = self.client.get_public_access_block().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(out) => Ok(out
                .public_access_block_configuration()
                .map(|c| PublicAccessBlock {
                    block_public_acls: c.block_public_acls().unwrap_or(false),
                    ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                    block_public_policy: c.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
                })),
            Err(e) if code(&e).as_deref() == Some("NoSuchPublicAccessBlockConfiguration") => {
                Ok(None)
            }
            Err(e) => Err(describe("GetPublicAccessBlock", &e)),
        }
    }

    pub fn encryption(&self, bucket: &str) -> Read<Option<String>> {
        let call = self.client.get_bucket_encryption().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(out) => Ok(out.server_side_encryption_configuration().and_then(|c| {
                c.rules().iter().find_map(|r| {
                    r.apply_server_side_encryption_by_default()
                        .map(|d| d.sse_algorithm().as_str().to_string())
                })
            })),
            Err(e)
                if code(&e).as_deref()
                    == Some("ServerSideEncryptionConfigurationNotFoundError") =>
            {
                Ok(None)
            }
            Err(e) => Err(describe("GetBucketEncryption", &e)),
        }
    }

    pub fn versioning(&self, bucket: &str) -> Read<Option<String>> {
        let call = self.client.get_bucket_versioning().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(out) => Ok(out.status().map(|s| s.as_str().to_string())),
            Err(e) => Err(describe("GetBucketVersioning", &e)),
        }
    }

    pub fn policy(&self, bucket: &str) -> Read<Option<String>> {
        let call = self.client.get_bucket_policy().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(out) => Ok(out.policy().map(str::to_string)),
            Err(e) if code(&e).as_deref() == Some("NoSuchBucketPolicy") => Ok(None),
            Err(e) => Err(describe("GetBucketPolicy", &e)),
        }
    }

    pub fn public_grants(&self, bucket: &str) -> Read<Vec<PublicGrant>> {
        let call = self.client.get_bucket_acl().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(out) => Ok(out
                .grants()
                .iter()
                .filter_map(|g| {
                    let grantee = g.grantee()?;
                    if grantee.r#type() != &Type::Group {
                        return None;
                    }
                    let uri = grantee.uri()?;
                    let group = PUBLIC_GROUPS.iter().find(|(u, _)| *u == uri)?.1;
                    Some(PublicGrant {
                        group: group.to_string(),
                        permission: g.permission().map_or("unknown", |p| p.as_str()).to_string(),
                    })
                })
                .collect()),
            Err(e) => Err(describe("GetBucketAcl", &e)),
        }
    }

    /// Up to `limit` keys of `bucket` (the listing stops there).
    pub fn keys(&self, bucket: &str, limit: usize) -> Read<Vec<String>> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let call = self
                .client
                .list_objects_v2()
                .bucket(bucket)
                .set_continuation_token(token.clone())
                .send();
            let out = self
                .runtime
                .block_on(call)
                .map_err(|e| describe(&format!("listing s3://{bucket}"), &e))?;
            for o in out.contents() {
                if keys.len() >= limit {
                    return Ok(keys);
                }
                keys.push(o.key().unwrap_or_default().to_string());
            }
            match out.next_continuation_token() {
                Some(t) if out.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => return Ok(keys),
            }
        }
    }

    /// Whether `bucket` exists and can be reached; `Ok(false)` when S3 says it does not exist.
    pub fn exists(&self, bucket: &str) -> Result<bool, String> {
        let call = self.client.head_bucket().bucket(bucket).send();
        match self.runtime.block_on(call) {
            Ok(_) => Ok(true),
            Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(404) => Ok(false),
            Err(e) => Err(describe(&format!("s3://{bucket}"), &e)),
        }
    }
}
