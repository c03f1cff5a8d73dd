//! What several subcommands share: loading a cluster file with its profile, and formats.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cluster_file::{self, ClusterFile, Date};
use crate::kops::KopsSpec;
use crate::profile::{self, ResolvedProfile};
use crate::provider::kops::render::{render, Rendered};
use crate::source_map::SourceMap;

pub const DEFAULT_FILE: &str = "palisade.yaml";

pub struct Loaded {
    pub file: ClusterFile,
    pub source: SourceMap,
    pub profile: ResolvedProfile,
}

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
            anyhow::anyhow!("{}: {e}", source.locate("profile"))
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

/// Renders a loaded cluster file; refusals are left in the result for the caller to judge.
pub fn render_loaded(l: &Loaded) -> anyhow::Result<Rendered> {
    Ok(render(&l.file, &l.profile, &l.source)?)
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

pub fn read_spec(path: &PathBuf) -> anyhow::Result<KopsSpec> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(KopsSpec::parse(&text, &path.display().to_string())?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocFormat {
    Yaml,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

/// Audit reports also come as SARIF 2.1.0 and JUnit XML, for CI systems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Text,
    Json,
    Sarif,
    Junit,
}

/// The state store: `--state`, else the file's `kops.stateStore`, else `$KOPS_STATE_STORE`,
/// else the embedded default beside the working directory.
pub fn resolve_state(flag: Option<&str>, file: &ClusterFile) -> String {
    let from_file = file.kops.as_ref().and_then(|k| k.state_store.clone());
    state_or_env(flag.map(str::to_string).or(from_file))
}

/// `given`, else `$KOPS_STATE_STORE`, else `file://./.palisade/state`.
pub fn state_or_env(given: Option<String>) -> String {
    given
        .or_else(|| {
            std::env::var("KOPS_STATE_STORE")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .unwrap_or_else(|| crate::provider::kops::render::DEFAULT_STATE_STORE.to_string())
}

/// S3 settings from the environment and flags: path-style addressing when an endpoint other
/// than AWS is set (`AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL`), KMS when a key is named.
pub fn s3_options(kms_key_id: Option<String>) -> crate::state::S3Options {
    let custom = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    crate::state::S3Options {
        path_style: custom,
        kms_key_id,
        endpoint_url: None,
    }
}

/// Opens a state store with the settings of the environment.
pub fn open_store(
    url: &str,
    kms_key_id: Option<String>,
) -> anyhow::Result<Box<dyn crate::state::StateStore>> {
    Ok(crate::state::open_with(url, &s3_options(kms_key_id))?)
}

/// Loads, renders (refusing what the controls refuse) and plans a cluster file.
pub fn plan_cluster_file(
    path: &Path,
    state_flag: Option<&str>,
    kms_key_id: Option<String>,
    o: &mut super::Output<'_>,
) -> anyhow::Result<(crate::plan::Plan, Box<dyn crate::state::StateStore>)> {
    let loaded = load_cluster_file(path, &[])?;
    super::cloud::check_cluster_file(&loaded, o)?;
    let mut rendered = render_loaded(&loaded)?.accepted()?;
    let url = resolve_state(state_flag, &loaded.file);
    crate::provider::kops::render::set_config_base(&mut rendered.spec, &url);
    let store = open_store(&url, kms_key_id)?;
    let plan =
        crate::provider::kops::make_plan(&loaded.file, &loaded.profile, &rendered, store.as_ref())?;
    Ok((plan, store))
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
