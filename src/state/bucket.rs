//! What an S3 state store's bucket shows about its own protection, as S3 reports it: the
//! facts the `state-store-protected` control judges. `aws::bucket` reads them; the control
//! judges them; tests build them by hand. A setting that could not be read is kept as the
//! reason, so the control can say it could not judge rather than guess.

/// One setting as read: `Err` holds why it could not be read (access denied, a network error).
pub type Read<T> = Result<T, String>;

/// The four Block Public Access settings of a bucket, in S3's order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// Every setting on.
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// The names of the settings that are off.
    pub fn off(&self) -> Vec<&'static str> {
        [
            ("BlockPublicAcls", self.block_public_acls),
            ("IgnorePublicAcls", self.ignore_public_acls),
            ("BlockPublicPolicy", self.block_public_policy),
            ("RestrictPublicBuckets", self.restrict_public_buckets),
        ]
        .iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| *name)
        .collect()
    }
}

/// A grant of the bucket's ACL to everyone or to every AWS account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicGrant {
    /// `AllUsers` or `AuthenticatedUsers`.
    pub group: String,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    pub permission: String,
}

/// The state store's bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketFacts {
    pub bucket: String,
    /// `None`: no Block Public Access configuration on the bucket.
    pub public_access_block: Read<Option<PublicAccessBlock>>,
    /// The default encryption's algorithm (`AES256`, `aws:kms`, `aws:kms:dsse`); `None`: none.
    pub encryption: Read<Option<String>>,
    /// `Enabled`, `Suspended`; `None`: never enabled.
    pub versioning: Read<Option<String>>,
    /// The bucket policy's JSON text; `None`: no policy.
    pub policy: Read<Option<String>>,
    /// Grants of the bucket's ACL to the public groups.
    pub public_grants: Read<Vec<PublicGrant>>,
    /// The IRSA discovery store, when the cluster has one.
    pub discovery: Option<DiscoveryFacts>,
}

/// The public bucket (and prefix) that serves the service-account issuer's documents (IRSA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveryFacts {
    /// `s3://BUCKET[/PREFIX]` as the cluster file names it.
    pub url: String,
    pub bucket: String,
    pub prefix: String,
    /// Every key in the bucket (bounded: a listing stops after [`MAX_DISCOVERY_KEYS`]).
    pub keys: Read<Vec<String>>,
}

/// How many keys of the discovery bucket are listed: it should hold two.
pub const MAX_DISCOVERY_KEYS: usize = 1000;

impl DiscoveryFacts {
    /// The keys the issuer publishes (kops writes these two under the prefix).
    pub fn expected_keys(&self) -> [String; 2] {
        let base = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix.trim_matches('/'))
        };
        [
            format!("{base}.well-known/openid-configuration"),
            format!("{base}openid/v1/jwks"),
        ]
    }
}

/// Why `region` is not an AWS region name (`eu-west-1`, `us-gov-west-1`), if it is not.
pub fn region_problem(region: &str) -> Option<String> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()));
    (!ok).then(|| {
        format!(
            "{:?} is not an AWS region (like eu-west-1)",
            region.chars().take(40).collect::<String>()
        )
    })
}

/// Why `name` is not an S3 bucket name kops can use, if it is not: 3 to 63 lowercase letters,
/// digits, hyphens and dots, starting and ending with a letter or digit, not an IP address.
pub fn bucket_name_problem(name: &str) -> Option<String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ends_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&name.len())
        || !ok_chars
        || !ends_ok(name.chars().next())
        || !ends_ok(name.chars().last())
        || name.contains("..")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
    {
        return Some(format!(
            "{:?} is not an S3 bucket name (3-63 lowercase letters, digits, hyphens and dots, starting and ending with a letter or digit)",
            name.chars().take(80).collect::<String>()
        ));
    }
    None
}
