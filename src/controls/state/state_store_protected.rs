//! `state-store-protected`: the S3 bucket of the kops state store is private, encrypted,
//! versioned and reachable over TLS only; the IRSA discovery bucket holds nothing else.

use serde_json::Value;

use crate::controls::{
    Check, Control, NotOnKops, Params, Reference, Severity, Status, StoreRule, Verdict,
};
use crate::state::bucket::{BucketFacts, DiscoveryFacts};

pub static CONTROL: Control = Control {
    id: "state-store-protected",
    title: "The state store bucket is private, encrypted, versioned and TLS-only",
    severity: Severity::Critical,
    family: "state",
    rationale: "The kops state store holds the cluster's secrets: the key that encrypts Secrets \
                at rest, kops' CA and every certificate. A public, unencrypted or unversioned \
                bucket undoes every other control; without versioning a bad write or delete \
                cannot be undone.",
    source: "kops docs, state store (S3 versioning strongly recommended, bucket encryption); AWS \
             S3 security best practices (Block Public Access, default encryption, a policy \
             denying aws:SecureTransport false); kops IRSA (the discovery bucket is public)",
    references: &[Reference {
        benchmark: "cis-aws-foundations",
        id: "2.1.1",
    }],
    kops_fields: &[],
    detection: "Read from the bucket of an s3:// state store by `plan` and `audit --state`: fails \
                when any of the four Block Public Access settings is off, when the bucket has \
                no default encryption (SSE-S3 or KMS), when versioning is not Enabled, when no \
                bucket policy denies requests with aws:SecureTransport false, or when its ACL \
                grants anything to AllUsers or AuthenticatedUsers. With IRSA, fails when the \
                public discovery store is the state bucket itself or holds anything besides \
                the issuer's two documents (.well-known/openid-configuration, openid/v1/jwks). \
                A setting S3 would not show (access denied) is unknown. `palisade state-bucket \
                create s3://BUCKET --region R` sets all of it. A file:// store has no bucket \
                (and runs no cluster): nothing is judged.",
    params: &[],
    kops: &NotOnKops,
    gke: None,
    live: None,
    store: Some(&Store),
    status: Status::Stable,
};

struct Store;

/// A statement that denies every request made without TLS: `Effect: Deny`, any principal,
/// every S3 action, on the bucket and its objects, under `Bool aws:SecureTransport false`.
pub fn denies_insecure_transport(policy: &str, bucket: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => return false,
    };
    statements.iter().any(|s| tls_deny(s, bucket))
}

/// A string or a list of strings, as IAM writes either.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn tls_deny(s: &Value, bucket: &str) -> bool {
    if s.get("Effect").and_then(Value::as_str) != Some("Deny") {
        return false;
    }
    // NotPrincipal, NotAction and NotResource narrow a Deny to what they leave out
    if ["NotPrincipal", "NotAction", "NotResource"]
        .iter()
        .any(|k| s.get(k).is_some())
    {
        return false;
    }
    // every condition is ANDed with the TLS one: any other narrows the deny
    let only_tls = s
        .get("Condition")
        .and_then(Value::as_object)
        .is_some_and(|c| {
            c.len() == 1
                && c.get("Bool")
                    .and_then(Value::as_object)
                    .is_some_and(|b| b.len() == 1)
        });
    if !only_tls {
        return false;
    }
    let everyone = match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(m)) => strings(m.get("AWS")).contains(&"*"),
        _ => false,
    };
    let actions = strings(s.get("Action"));
    let all_actions = actions.iter().any(|a| *a == "*" || *a == "s3:*");
    let resources = strings(s.get("Resource"));
    let covers = |arn: &str| {
        resources
            .iter()
            .any(|r| *r == "*" || *r == arn || *r == format!("arn:aws:s3:::{bucket}*"))
    };
    let on_bucket =
        covers(&format!("arn:aws:s3:::{bucket}")) && covers(&format!("arn:aws:s3:::{bucket}/*"));
    let insecure = s
        .get("Condition")
        .and_then(|c| c.get("Bool"))
        .and_then(|b| b.get("aws:SecureTransport"))
        .is_some_and(|v| match v {
            Value::Bool(false) => true,
            Value::String(t) => t == "false",
            Value::Array(a) => a
                .iter()
                .any(|x| x == &Value::Bool(false) || x.as_str() == Some("false")),
            _ => false,
        });
    everyone && all_actions && on_bucket && insecure
}

fn unknown(object: &str, path: &str, why: &str) -> Check {
    Check::new(
        Verdict::Unknown,
        object,
        path,
        format!("could not read it: {why}"),
    )
}

impl StoreRule for Store {
    fn fields(&self) -> &'static [&'static str] {
        &[
            "GetPublicAccessBlock PublicAccessBlockConfiguration (all four)",
            "GetBucketEncryption Rules[].ApplyServerSideEncryptionByDefault.SSEAlgorithm",
            "GetBucketVersioning Status",
            "GetBucketPolicy Policy (a Deny on aws:SecureTransport false)",
            "GetBucketAcl Grants (AllUsers, AuthenticatedUsers)",
            "ListObjectsV2 of the IRSA discovery bucket",
        ]
    }

    fn check(&self, b: &BucketFacts, _: &Params) -> Vec<Check> {
        let object = format!("Bucket/{}", b.bucket);
        let o = object.as_str();
        let mut out = Vec::new();

        let path = "PublicAccessBlock";
        out.push(match &b.public_access_block {
            Err(why) => unknown(o, path, why),
            Ok(None) => Check::fail(
                o,
                path,
                "Block Public Access is not configured on the bucket: a policy or ACL can make the cluster's secrets public",
            ),
            Ok(Some(pab)) => match pab.off() {
                off if off.is_empty() => Check::pass(o, path, "all four Block Public Access settings are on"),
                off => Check::fail(
                    o,
                    path,
                    format!(
                        "Block Public Access is off for {}: a policy or ACL can make the cluster's secrets public",
                        off.join(", ")
                    ),
                ),
            },
        });

        let path = "ServerSideEncryptionConfiguration";
        out.push(match &b.encryption {
            Err(why) => unknown(o, path, why),
            Ok(Some(alg)) if ["AES256", "aws:kms", "aws:kms:dsse"].contains(&alg.as_str()) => {
                Check::pass(o, path, format!("objects are encrypted by default ({alg})"))
            }
            Ok(Some(other)) => Check::fail(
                o,
                path,
                format!("default encryption is {other:?}, not SSE-S3 (AES256) or SSE-KMS"),
            ),
            Ok(None) => Check::fail(
                o,
                path,
                "no default encryption: objects written without their own encryption header are stored unencrypted",
            ),
        });

        let path = "VersioningConfiguration.Status";
        out.push(match &b.versioning {
            Err(why) => unknown(o, path, why),
            Ok(Some(s)) if s == "Enabled" => Check::pass(o, path, "versioning is enabled: an earlier state can be recovered"),
            Ok(status) => Check::fail(
                o,
                path,
                format!(
                    "versioning is {}: a bad write or a deleted cluster state cannot be recovered (kops strongly recommends versioning)",
                    status.as_deref().map_or("off (never enabled)".to_string(), |s| s.to_lowercase())
                ),
            ),
        });

        let path = "Policy";
        out.push(match &b.policy {
            Err(why) => unknown(o, path, why),
            Ok(Some(p)) if denies_insecure_transport(p, &b.bucket) => {
                Check::pass(o, path, "the bucket policy denies requests without TLS")
            }
            Ok(Some(_)) => Check::fail(
                o,
                path,
                "the bucket policy does not deny requests without TLS (no Deny of s3:* on the bucket and its objects under aws:SecureTransport false)",
            ),
            Ok(None) => Check::fail(
                o,
                path,
                "no bucket policy denies requests without TLS (aws:SecureTransport false): secrets can travel in clear text",
            ),
        });

        let path = "Grants";
        out.push(match &b.public_grants {
            Err(why) => unknown(o, path, why),
            Ok(grants) if grants.is_empty() => {
                Check::pass(o, path, "the ACL grants nothing to the public")
            }
            Ok(grants) => Check::fail(
                o,
                path,
                format!(
                    "the ACL grants {}: the cluster's secrets are readable outside the account",
                    grants
                        .iter()
                        .map(|g| format!("{} to {}", g.permission, g.group))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        });

        if let Some(d) = &b.discovery {
            out.push(discovery_check(d, &b.bucket));
        }
        out
    }
}

/// The IRSA discovery store: the one public bucket, so it must hold only the issuer's
/// documents, and never be the state bucket.
fn discovery_check(d: &DiscoveryFacts, state_bucket: &str) -> Check {
    let object = format!("Bucket/{}", d.bucket);
    let path = "Contents";
    if d.bucket == state_bucket {
        return Check::fail(
            &object,
            "",
            format!(
                "the IRSA discovery store {} is in the state store's bucket: its documents must be public, and the bucket holds the cluster's secrets; use a bucket of its own",
                d.url
            ),
        );
    }
    let keys = match &d.keys {
        Err(why) => return unknown(&object, path, why),
        Ok(k) => k,
    };
    let expected = d.expected_keys();
    let others: Vec<&String> = keys.iter().filter(|k| !expected.contains(k)).collect();
    if others.is_empty() {
        return Check::pass(
            &object,
            path,
            "the public discovery bucket holds only the issuer's documents",
        );
    }
    let shown: Vec<String> = others
        .iter()
        .take(5)
        .map(|k| format!("{:?}", k.chars().take(120).collect::<String>()))
        .collect();
    Check::fail(
        &object,
        path,
        format!(
            "the public discovery bucket holds {} object(s) besides the issuer's documents ({}{}): anything there is readable by anyone",
            others.len(),
            shown.join(", "),
            if others.len() > 5 { ", …" } else { "" }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::denies_insecure_transport;

    #[test]
    fn a_tls_deny_statement_is_recognised_in_its_usual_spellings() {
        let full = r#"{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        assert!(denies_insecure_transport(full, "b"));
        let aws_principal = full.replace(r#""Principal":"*""#, r#""Principal":{"AWS":"*"}"#);
        assert!(denies_insecure_transport(&aws_principal, "b"));
        let wildcard = r#"{"Statement":{"Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":"arn:aws:s3:::b*","Condition":{"Bool":{"aws:SecureTransport":false}}}}"#;
        assert!(denies_insecure_transport(wildcard, "b"));
    }

    #[test]
    fn near_misses_are_not_a_tls_deny() {
        let base = r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
        for (from, to) in [
            (r#""Effect":"Deny""#, r#""Effect":"Allow""#),
            (
                r#""Principal":"*""#,
                r#""Principal":{"AWS":"arn:aws:iam::1:root"}"#,
            ),
            (r#""Action":"s3:*""#, r#""Action":"s3:GetObject""#),
            (r#","arn:aws:s3:::b/*""#, ""),
            (r#""false""#, r#""true""#),
            ("aws:SecureTransport", "aws:SourceVpc"),
            (
                r#""Condition":{"Bool":{"aws:SecureTransport":"false"}}"#,
                r#""Condition":{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:username":"x"}}"#,
            ),
            (
                r#""Condition":{"Bool":{"aws:SecureTransport":"false"}}"#,
                r#""Condition":{"Bool":{"aws:SecureTransport":"false","aws:MultiFactorAuthPresent":"false"}}"#,
            ),
            (
                r#""Action":"s3:*""#,
                r#""Action":"s3:*","NotResource":"arn:aws:s3:::b/public/*""#,
            ),
        ] {
            let p = base.replace(from, to);
            assert!(!denies_insecure_transport(&p, "b"), "{p}");
        }
        assert!(!denies_insecure_transport(base, "other"));
        assert!(!denies_insecure_transport("not json", "b"));
    }
}
