//! The kops state store a first cluster gets: an `s3://` bucket the nodes can read, or the
//! local default that is good for reviewing a plan and nothing more. The checks and the
//! explanation serve the wizard and `--no-input` alike.

pub use crate::provider::kops::render::DEFAULT_STATE_STORE;

/// Why a local store cannot run a cluster, and how to move on; said by the wizard when the
/// answer is empty, and by init after writing such a file.
pub const LOCAL_STORE_EXPLAINED: &str = "kops cannot run a cluster from a file:// state store: the nodes read their configuration from the store when they boot, and a path on this machine cannot serve them. It is enough to review a plan; `palisade apply --state s3://BUCKET` later writes the same objects to S3.";

/// How to get a bucket that deserves the cluster's secrets.
pub fn create_bucket_hint(region: &str) -> String {
    format!("`palisade state-bucket create s3://BUCKET --region {region}` creates a protected bucket: public access blocked, encrypted, versioned, TLS only.")
}

/// What is wrong with `url` as an `s3://BUCKET[/PREFIX]` state store, if anything.
pub fn s3_store_problem(url: &str) -> Option<String> {
    let Some(rest) = url.strip_prefix("s3://") else {
        return Some(if url.contains("://") {
            format!("{url:?}: expected s3://BUCKET[/PREFIX] (leave the answer empty for the local file:// store)")
        } else {
            format!("{url:?} lacks its scheme: did you mean s3://{url}?")
        });
    };
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if let Some(why) = crate::state::bucket::bucket_name_problem(bucket) {
        return Some(why);
    }
    let prefix = prefix.strip_suffix('/').unwrap_or(prefix);
    if !prefix.is_empty()
        && (prefix.split('/').any(str::is_empty)
            || prefix
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '\\'))
    {
        return Some(format!(
            "{prefix:?} is not a key prefix: path segments without spaces, separated by single /"
        ));
    }
    None
}

/// Whether the bucket of a valid `s3://` URL has dots in its name.
pub fn bucket_has_dots(url: &str) -> bool {
    url.strip_prefix("s3://")
        .and_then(|r| r.split('/').next())
        .is_some_and(|b| b.contains('.'))
}

/// Said of a bucket name with dots: S3 allows it, kops and TLS prefer none.
pub const DOTTED_BUCKET: &str = "S3 allows dots in a bucket name, but a dotted name does not match the *.s3.amazonaws.com certificate for virtual-hosted TLS requests; kops and most tools prefer a name without dots.";

/// What is wrong with `region` as an AWS region name (like eu-west-1), if anything: the check
/// `state-bucket create` makes too.
pub use crate::state::bucket::region_problem as aws_region_problem;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_and_bucket_names() {
        assert_eq!(s3_store_problem("s3://my-kops-state"), None);
        assert_eq!(s3_store_problem("s3://my-kops-state/team/a"), None);
        assert_eq!(s3_store_problem("s3://my.kops.state"), None);
        assert!(s3_store_problem("my-kops-state")
            .is_some_and(|w| w.contains("did you mean s3://my-kops-state")));
        assert!(
            s3_store_problem("file:///tmp/x").is_some_and(|w| w.contains("leave the answer empty"))
        );
        for bad in [
            "s3://",
            "s3://ab",
            "s3://My-Bucket",
            "s3://-bucket",
            "s3://bucket-",
            "s3://a..b",
            "s3://192.168.0.1",
            "s3://bucket_name",
            "s3://bucket//x",
            "s3://bucket/a b",
        ] {
            assert!(s3_store_problem(bad).is_some(), "{bad} accepted");
        }
        assert!(bucket_has_dots("s3://my.bucket/x") && !bucket_has_dots("s3://my-bucket/x.y"));
    }

    #[test]
    fn aws_regions() {
        for ok in ["eu-west-1", "us-gov-west-1", "ap-southeast-2"] {
            assert_eq!(aws_region_problem(ok), None, "{ok}");
        }
        for bad in ["eu-west", "euwest1", "EU-west-1", "eu-west-1a", ""] {
            assert!(aws_region_problem(bad).is_some(), "{bad}");
        }
    }
}
