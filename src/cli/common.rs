//! What several subcommands share: loading a cluster file with its profile, and formats.

use std::path::Path;

use anyhow::Context;

use crate::cluster_file::{self, Date};
use crate::kops::KopsSpec;
use crate::profile::{self, ResolvedProfile};
pub use crate::provider::Loaded;
use crate::provider::Settings;

pub const DEFAULT_FILE: &str = "palisade.yaml";

/// Loads and validates a cluster file and resolves its profile (or `profile_flag` when given).
pub fn load_cluster_file(path: &Path, profile_flag: &[String]) -> anyhow::Result<Loaded> {
    let (file, source) = cluster_file::load(path, Date::today(), crate::controls::is_known)?;
    let refs = if profile_flag.is_empty() {
        file.profile.list()
    } else {
        profile_flag.to_vec()
    };
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let profile = profile::resolve(&refs, dir).map_err(|e| {
        // an unknown profile named in the file is reported at the file's `profile` line
        if profile_flag.is_empty()
            && matches!(
                e,
                profile::ProfileError::Unknown { .. } | profile::ProfileError::Read { .. }
            )
        {
            anyhow::Error::new(cluster_file::LoadError::Invalid {
                problems: vec![cluster_file::Problem {
                    location: source.locate("profile"),
                    code: cluster_file::Code::UnknownProfile,
                    message: e.to_string(),
                }],
            })
        } else {
            anyhow::Error::new(e)
        }
    })?;
    Ok(Loaded {
        file,
        source,
        profile,
    })
}

/// Resolves `--profile` values (default: baseline) relative to the working directory.
pub fn resolve_profiles(flag: &[String]) -> anyhow::Result<ResolvedProfile> {
    let refs = if flag.is_empty() {
        vec!["baseline".to_string()]
    } else {
        flag.to_vec()
    };
    Ok(profile::resolve(&refs, Path::new("."))?)
}

/// Reads a kops spec, warning of every field kops would drop (a misspelt security setting
/// would be lost without a word).
pub fn read_spec(path: &Path, o: &mut super::Output<'_>) -> anyhow::Result<KopsSpec> {
    let text = crate::input::read_text(path, crate::input::KOPS_SPEC)
        .context("cannot read the kops spec")?;
    let spec = KopsSpec::parse(&text, &path.display().to_string())?;
    for issue in spec.unknown_fields() {
        o.note(&format!(
            "warning: {}: {}",
            path.display(),
            crate::yaml::bound_quotes(&issue.to_string())
        ))?;
    }
    Ok(spec)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    Yaml,
    Json,
}

impl From<DocFormat> for crate::provider::DocFormat {
    fn from(f: DocFormat) -> Self {
        match f {
            DocFormat::Yaml => crate::provider::DocFormat::Yaml,
            DocFormat::Json => crate::provider::DocFormat::Json,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Plans also come as a pull-request comment (GitHub-flavoured Markdown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

/// Audit reports also come as SARIF 2.1.0 and JUnit XML, for CI systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Sarif,
    Junit,
    /// A pull-request comment: a summary table, each cluster's failures in a collapsible
    /// section.
    Markdown,
}

/// `given`, else `$KOPS_STATE_STORE`, else `file://./.palisade/state`.
pub fn state_or_env(given: Option<String>) -> String {
    given
        .or_else(kops_state_env)
        .unwrap_or_else(|| crate::provider::kops::render::DEFAULT_STATE_STORE.to_string())
}

fn kops_state_env() -> Option<String> {
    std::env::var("KOPS_STATE_STORE")
        .ok()
        .filter(|s| !s.is_empty())
}

/// What the providers take from the command line and the environment.
pub fn settings(
    state: Option<String>,
    state_kms_key: Option<String>,
    gke_endpoint: Option<String>,
) -> Settings {
    let custom_s3 = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    Settings {
        state,
        state_env: kops_state_env(),
        state_region: None,
        state_kms_key,
        s3_path_style: custom_s3,
        gke_endpoint: gke_endpoint.or_else(|| {
            std::env::var(crate::provider::gke::client::ENDPOINT_ENV)
                .ok()
                .filter(|s| !s.is_empty())
        }),
        kube_endpoint: std::env::var(crate::provider::gke::kube::ENDPOINT_ENV)
            .ok()
            .filter(|s| !s.is_empty()),
        kube_token: std::env::var(crate::provider::gke::kube::TOKEN_ENV)
            .ok()
            .filter(|s| !s.is_empty())
            .map(crate::secrets::Secret::new),
        google_metadata: super::cloud::google_metadata_possible(),
        // asked only where it matters (audit --live): it looks at the filesystem
        aws_credentials: false,
        lease_seconds: std::env::var(crate::provider::kops::LEASE_ENV)
            .ok()
            .filter(|s| !s.is_empty()),
        lock: None,
        kops_only_flags: Vec::new(),
    }
}

/// Opens a state store with the settings of the environment.
pub fn open_store(
    url: &str,
    kms_key_id: Option<String>,
) -> anyhow::Result<Box<dyn crate::state::StateStore>> {
    let s = settings(None, kms_key_id, None);
    Ok(crate::provider::kops::open_store(url, &s)?)
}

/// Loads a cluster file, runs plan's cloud checks, and plans it with its provider.
pub fn plan_cluster_file(
    path: &Path,
    settings: &Settings,
    o: &mut super::Output<'_>,
) -> anyhow::Result<Box<dyn crate::provider::Planned>> {
    let loaded = load_cluster_file(path, &[])?;
    super::cloud::check_cluster_file(&loaded, o)?;
    let provider = crate::provider::for_cluster_file(&loaded.file);
    Ok(provider.plan(&loaded, settings)?)
}

/// `NAME` was given: remember it for a provider that does not take it.
pub fn given(flags: &mut Vec<&'static str>, name: &'static str, present: bool) {
    if present {
        flags.push(name);
    }
}

/// What a render says on stderr besides its output: warnings, and each waived finding with
/// the waiver's reason (kops and GKE).
pub fn render_notes(
    warnings: &[String],
    findings: &[crate::audit::Finding],
    o: &mut super::Output<'_>,
) -> std::io::Result<()> {
    for w in warnings {
        o.warn(w)?;
    }
    for f in findings {
        if let Some(w) = &f.waiver {
            o.note(&format!(
                "waived: {} for {} ({}): {}",
                f.control, f.object, f.message, w.reason
            ))?;
        }
    }
    Ok(())
}
