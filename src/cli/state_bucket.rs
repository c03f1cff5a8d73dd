//! `palisade state-bucket create`: an S3 bucket for the kops state store, protected as the
//! `state-store-protected` control asks (Block Public Access, default encryption, versioning,
//! a TLS-only policy, no public ACL). Idempotent: only what is missing is changed.

use super::{exit, Output};
use crate::aws::bucket::split_url;
use crate::aws::S3;

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create the bucket, or finish protecting an existing one; a second run changes nothing.
    Create(CreateArgs),
    /// Judge the bucket (state-store-protected); exit 2 when a setting fails or cannot be read.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The state store: s3://BUCKET[/PREFIX].
    url: String,
    /// The bucket's region; default AWS_REGION.
    #[arg(long = "region")]
    region: Option<String>,
    /// The IRSA discovery store (s3://BUCKET[/PREFIX]) to judge with it.
    #[arg(long = "discovery-store")]
    discovery_store: Option<String>,
    #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
    output: super::common::ReportFormat,
}

/// The bucket and prefix of `url` (a valid bucket name), and a client for `region`.
fn open(url: &str, region: Option<&str>) -> anyhow::Result<(String, String, S3)> {
    let Some((bucket, prefix)) = split_url(url) else {
        anyhow::bail!("{url:?}: expected s3://BUCKET[/PREFIX]");
    };
    if let Some(why) = crate::state::bucket::bucket_name_problem(&bucket) {
        anyhow::bail!("{url}: {why}");
    }
    let s = super::common::settings(None, None, None);
    let s3 = S3::connect(region, s.s3_path_style).map_err(anyhow::Error::msg)?;
    Ok((bucket, prefix, s3))
}

fn check(a: CheckArgs, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let (bucket, _, s3) = open(&a.url, a.region.as_deref())?;
    let facts = s3.observe(&bucket, a.discovery_store.as_deref());
    // judged as strict does: every failing setting counts, whatever the cluster's profile
    let profile = super::common::resolve_profiles(&["strict".to_string()])?;
    let findings: Vec<crate::audit::Finding> = crate::audit::evaluate_store(&facts, &profile, &[])
        .into_iter()
        .filter(|f| f.control == crate::controls::state::state_store_protected::CONTROL.id)
        .collect();
    // a setting that could not be read is not shown to pass: a gate must not open on a typo
    let failing = findings.iter().any(|f| {
        matches!(
            f.verdict,
            crate::controls::Verdict::Fail | crate::controls::Verdict::Unknown
        )
    });
    let report = crate::audit::Report::new(&a.url, &bucket, &profile.names, findings);
    match a.output {
        super::common::ReportFormat::Json => o.print(&report.to_json())?,
        super::common::ReportFormat::Text => o.print(&report.to_text(o.verbosity > 0))?,
    }
    Ok(if failing { exit::ATTENTION } else { exit::OK })
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The state store: s3://BUCKET[/PREFIX].
    url: String,
    /// The region to create the bucket in (and whose endpoint is asked); default AWS_REGION.
    #[arg(long = "region")]
    region: Option<String>,
    /// Encrypt with SSE-KMS and this key (id or ARN) instead of SSE-S3 (AES256).
    #[arg(long = "kms-key")]
    kms_key: Option<String>,
    /// Also change a bucket that holds objects which are not a kops state store's.
    #[arg(long = "yes")]
    yes: bool,
}

pub fn run(a: Action, o: &mut Output<'_>) -> anyhow::Result<u8> {
    let a = match a {
        Action::Create(a) => a,
        Action::Check(a) => return check(a, o),
    };
    let (bucket, prefix, s3) = open(&a.url, a.region.as_deref())?;
    let Some(region) = a.region.clone().or_else(|| s3.region.clone()) else {
        anyhow::bail!("no region: pass --region (the bucket's region), or set AWS_REGION");
    };
    if let Some(why) = crate::state::bucket::region_problem(&region) {
        anyhow::bail!("--region: {why}");
    }
    // an existing bucket is where it is: say so rather than recommend another region
    let region = match s3.bucket_region(&bucket) {
        Some(actual) if actual != region => {
            o.warn(&format!(
                "s3://{bucket} is in {actual}, not {region}: it stays there (a bucket cannot move)"
            ))?;
            actual
        }
        _ => region,
    };
    let plan = s3
        .protection(&bucket, &prefix, &region, a.kms_key.as_deref())
        .map_err(anyhow::Error::msg)?;
    if plan.steps.is_empty() {
        o.print(&format!(
            "s3://{bucket} is already protected (Block Public Access, default encryption, versioning, TLS only, no public ACL); nothing changed.\n"
        ))?;
        return Ok(exit::OK);
    }
    if plan.unexpected_count > 0 && !a.yes {
        anyhow::bail!(
            "s3://{bucket} holds {} object(s) that are not a kops state store's ({}{}); nothing was changed. If the bucket is meant to be the state store, run again with --yes to change: {}",
            plan.unexpected_count,
            plan.unexpected
                .iter()
                .map(|k| format!("{:?}", k.chars().take(120).collect::<String>()))
                .collect::<Vec<_>>()
                .join(", "),
            if plan.unexpected_count > plan.unexpected.len() { ", …" } else { "" },
            plan.steps.iter().map(|s| s.describe()).collect::<Vec<_>>().join("; ")
        );
    }
    o.print(&format!("s3://{bucket}:\n"))?;
    let err = &mut *o.err;
    s3.protect(&plan, &mut |done| {
        let _ = writeln!(err, "  {done}");
    })
    .map_err(|why| anyhow::anyhow!("s3://{bucket}: {why}"))?;
    o.print(&format!(
        "{} change(s) made; s3://{bucket} is protected. Use it: kops.stateStore: {} (kops.stateStoreRegion: {region}) in the cluster file, or --state {}\n",
        plan.steps.len(),
        a.url,
        a.url
    ))?;
    Ok(exit::OK)
}
