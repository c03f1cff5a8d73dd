//! A small synchronous face over aws-sdk-s3 for the bucket itself (its protection settings),
//! beside the state store's own client, which reads and writes objects.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::Client;
use tokio::runtime::Runtime;

pub struct S3 {
    pub(super) client: Client,
    pub(super) runtime: Runtime,
    /// The region the client signs for (the bucket's).
    pub region: Option<String>,
}

impl S3 {
    /// A client with credentials and endpoint from the standard AWS chain; `region` overrides
    /// the chain's; `path_style` when another endpoint than AWS is set.
    pub fn connect(region: Option<&str>, path_style: bool) -> Result<S3, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(r) = region {
            loader = loader.region(aws_config::Region::new(r.to_string()));
        }
        let shared = runtime.block_on(loader.load());
        let region = shared.region().map(|r| r.to_string());
        let config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(path_style)
            .build();
        Ok(S3 {
            client: Client::from_conf(config),
            runtime,
            region,
        })
    }
}

/// The error code S3 answered with (`NoSuchBucketPolicy`, `AccessDenied`, …), if it answered.
pub(super) fn code<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> Option<String> {
    match e {
        SdkError::ServiceError(s) => s.err().code().map(str::to_string),
        _ => None,
    }
}

/// An S3 error in words, bounded: never a debug dump.
pub(super) fn describe<E, R>(what: &str, e: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let text = match e {
        SdkError::ServiceError(s) => format!(
            "{} ({})",
            s.err().message().unwrap_or("no message"),
            s.err().code().unwrap_or("no code")
        ),
        SdkError::DispatchFailure(_) => {
            let mut why = String::new();
            let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
            while let Some(err) = next {
                let t = err.to_string();
                if !why.contains(&t) {
                    if !why.is_empty() {
                        why.push_str(": ");
                    }
                    why.push_str(&t);
                }
                next = err.source();
            }
            if why.contains("region must be set") {
                "no AWS region is set: pass --region, or set AWS_REGION".into()
            } else {
                format!("cannot reach the S3 endpoint: {why}")
            }
        }
        SdkError::TimeoutError(_) => "the S3 request timed out".into(),
        other => other.to_string(),
    };
    let text: String = text.chars().take(300).collect();
    format!("{what}: {text}")
}
