//! The state store's own bucket, judged by the controls' store halves: `plan` and `apply`
//! read it before anything is written, `audit --state` reports it. A file:// store has no
//! bucket (and runs no cluster): nothing is read.

use crate::audit::{evaluate_store, Finding};
use crate::cluster_file::{Code, Problem, Waiver};
use crate::controls::Verdict;
use crate::kops::KopsSpec;
use crate::plan::{PlanDocument, WaiverInEffect};
use crate::profile::{Level, ResolvedProfile};
use crate::provider::{Error, Loaded, Settings};

/// The store halves' findings for the `s3://` store at `url` (none for a file:// store, or when
/// the profile turns every store control off).
pub fn store_findings(
    spec: &KopsSpec,
    url: &str,
    profile: &ResolvedProfile,
    waivers: &[Waiver],
    s: &Settings,
) -> Result<Vec<Finding>, Error> {
    let Some((bucket, _)) = crate::aws::bucket::split_url(url) else {
        return Ok(Vec::new());
    };
    let wanted = crate::controls::all()
        .iter()
        .any(|c| c.store.is_some() && profile.level(c.id) != Level::Off);
    if !wanted {
        return Ok(Vec::new());
    }
    let discovery = crate::yaml::tree::get_str(
        spec.cluster(),
        &["spec", "serviceAccountIssuerDiscovery", "discoveryStore"],
    );
    let s3 = crate::aws::S3::connect(s.state_region.as_deref(), s.s3_path_style)
        .map_err(Error::Cloud)?;
    let facts = s3.observe(&bucket, discovery);
    Ok(evaluate_store(&facts, profile, waivers))
}

/// The failures that refuse a plan (enforced, not waived), each as a message with its remedy.
pub fn refusals(findings: &[Finding], url: &str, region: Option<&str>) -> Vec<String> {
    let region = region.unwrap_or("REGION");
    findings
        .iter()
        .filter(|f| f.is_blocking())
        .map(|f| {
            format!(
                "control `{}` ({}) fails for {} of the state store {url}: {}. Fix the bucket (`palisade state-bucket create {url} --region {region}` sets what is missing), or add a waiver (waivers: - control: {}, reason: \"…\")",
                f.control, f.severity, f.object, f.message, f.control
            )
        })
        .collect()
}

/// The bucket of the store at `url`, judged for a plan of the cluster file: an enforced failure
/// without a waiver refuses the plan (at `kops.stateStore` when the file names the store).
pub fn judge(
    l: &Loaded,
    spec: &KopsSpec,
    url: &str,
    settings: &Settings,
) -> Result<Vec<Finding>, Error> {
    let findings = store_findings(spec, url, &l.profile, &l.file.waivers, settings)?;
    let refused = refusals(&findings, url, settings.state_region.as_deref());
    if !refused.is_empty() {
        let named = l
            .file
            .kops
            .as_ref()
            .is_some_and(|k| k.state_store.is_some());
        let at = l
            .source
            .locate(if named { "kops.stateStore" } else { "kops" });
        crate::render::accept(
            refused
                .into_iter()
                .map(|message| Problem {
                    location: at.clone(),
                    code: Code::ControlRefused,
                    message,
                })
                .collect(),
        )?;
    }
    Ok(findings)
}

/// What the plan shows of the bucket: the waivers that carry it, failures that do not refuse
/// (audit level), and what could not be read.
pub fn show(doc: &mut PlanDocument, findings: &[Finding], profile: &ResolvedProfile) {
    doc.waivers.extend(WaiverInEffect::from_findings(findings));
    // the enforced failures refused the plan already: what fails here is audit level, said as
    // a render says it
    doc.warnings
        .extend(crate::audit::verdict::warnings(findings, &[], profile));
    for f in findings.iter().filter(|f| f.verdict == Verdict::Unknown) {
        doc.warnings.push(format!(
            "`{}` could not judge {} {}: {}",
            f.control, f.object, f.path, f.message
        ));
    }
}
