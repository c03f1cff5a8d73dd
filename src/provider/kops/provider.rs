//! kops behind the provider seam: render into the state-store layout, plan against the store,
//! apply with conditional writes, and the live half of `audit`.

use super::render::{render, set_config_base, DEFAULT_STATE_STORE};
use super::{apply_held, apply_with_progress, derive, make_plan, observe};
use crate::audit::{evaluate_live, Finding};
use crate::cluster_file::{ClusterFile, Waiver};
use crate::kops::KopsSpec;
use crate::plan::{Plan, PlanDocument};
use crate::profile::ResolvedProfile;
use crate::provider::{DocFormat, Error, Loaded, Planned, Provider, RenderOutput, Settings};
use crate::state::{lock_within, ApplyLock, S3Options, StateStore};

pub struct KopsProvider;

/// The state store: `--state`, else the file's `kops.stateStore`, else `$KOPS_STATE_STORE`,
/// else the embedded default beside the working directory.
pub fn state_url(file: &ClusterFile, s: &Settings) -> String {
    s.state
        .clone()
        .or_else(|| file.kops.as_ref().and_then(|k| k.state_store.clone()))
        .or_else(|| s.state_env.clone())
        .unwrap_or_else(|| DEFAULT_STATE_STORE.to_string())
}

/// The environment variable that sets how long an S3 apply lease lasts without renewal.
pub const LEASE_ENV: &str = "PALISADE_LEASE_SECONDS";

/// The lease length `$PALISADE_LEASE_SECONDS` asks for: whole seconds, 3 to 3600.
fn lease_length(s: &Settings) -> Result<Option<std::time::Duration>, Error> {
    let Some(raw) = &s.lease_seconds else {
        return Ok(None);
    };
    match raw.parse::<u64>() {
        Ok(n) if (3..=3600).contains(&n) => Ok(Some(std::time::Duration::from_secs(n))),
        _ => Err(Error::Unsupported(crate::yaml::bound_quotes(&format!(
            "{LEASE_ENV} is {raw:?}; expected whole seconds from 3 to 3600"
        )))),
    }
}

/// The settings with the bucket region the cluster file names for its own store
/// (`kops.stateStoreRegion`), when `url` is that store.
pub fn with_store_region(file: &ClusterFile, url: &str, s: &Settings) -> Settings {
    let mut s = s.clone();
    if let Some(k) = &file.kops {
        if k.state_store.as_deref() == Some(url) && k.state_store_region.is_some() {
            s.state_region = k.state_store_region.clone();
        }
    }
    s
}

/// Opens the store at `url` with the settings' S3 options.
pub fn open_store(url: &str, s: &Settings) -> Result<Box<dyn StateStore>, Error> {
    let options = S3Options {
        path_style: s.s3_path_style,
        kms_key_id: s.state_kms_key.clone(),
        endpoint_url: None,
        // only an S3 store keeps leases: a file store never reads the setting
        lease: if url.starts_with("s3://") {
            lease_length(s)?
        } else {
            None
        },
        region: s.state_region.clone(),
    };
    Ok(crate::state::open_with(url, &options)?)
}

/// The region of a kops spec, from its first subnet's zone (`eu-west-1a` → `eu-west-1`).
pub fn region_of(spec: &KopsSpec) -> Option<String> {
    let subnets = crate::yaml::tree::get(spec.cluster(), &["spec", "subnets"])?.as_sequence()?;
    let zone = subnets
        .iter()
        .find_map(|s| crate::yaml::tree::get_str(s, &["zone"]))?;
    Some(
        zone.trim_end_matches(|c: char| c.is_ascii_lowercase())
            .to_string(),
    )
}

/// The live halves over the cluster's running EC2 state (`audit --live`).
pub fn live_findings(
    spec: &KopsSpec,
    profile: &ResolvedProfile,
    waivers: &[Waiver],
    s: &Settings,
) -> Result<Vec<Finding>, Error> {
    if !s.aws_credentials {
        return Err(Error::Cloud("audit --live reads the cluster's instances and security groups from EC2 and needs AWS credentials (environment, profile or SSO)".into()));
    }
    let region = region_of(spec).ok_or_else(|| {
        Error::Cloud("cannot tell the cluster's region: its spec has no subnet with a zone".into())
    })?;
    let ec2 = crate::aws::Ec2::connect(&region).map_err(Error::Cloud)?;
    let live = crate::aws::observe(&ec2, spec.cluster_name()).map_err(Error::Cloud)?;
    Ok(evaluate_live(spec, &live, profile, waivers))
}

impl Provider for KopsProvider {
    fn render(
        &self,
        l: &Loaded,
        settings: &Settings,
        format: DocFormat,
    ) -> Result<RenderOutput, Error> {
        let mut rendered = render(&l.file, &l.profile, &l.source)?.accepted()?;
        // render names no --state: the file's store, else $KOPS_STATE_STORE, else the default
        let store_only = Settings {
            state: None,
            ..settings.clone()
        };
        let url = state_url(&l.file, &store_only);
        set_config_base(&mut rendered.spec, &url);
        let text = match format {
            DocFormat::Yaml => rendered.spec.to_yaml(),
            DocFormat::Json => {
                serde_json::to_string_pretty(&rendered.spec.documents().collect::<Vec<_>>())
                    .map_err(|e| Error::Encode {
                        what: "the kops documents as JSON".into(),
                        reason: e.to_string(),
                    })?
                    + "\n"
            }
        };
        Ok(RenderOutput {
            text,
            warnings: rendered.warnings,
            findings: rendered.findings,
            objects: rendered.spec.objects().cloned().collect(),
        })
    }

    fn audit(&self, l: &Loaded, settings: &Settings, live: bool) -> Result<Vec<Finding>, Error> {
        let rendered = render(&l.file, &l.profile, &l.source)?;
        let mut findings = rendered.findings;
        if live {
            findings.extend(live_findings(
                &rendered.spec,
                &l.profile,
                &l.file.waivers,
                settings,
            )?);
        }
        Ok(findings)
    }

    fn plan(&self, l: &Loaded, settings: &Settings) -> Result<Box<dyn Planned>, Error> {
        let mut rendered = render(&l.file, &l.profile, &l.source)?.accepted()?;
        let url = state_url(&l.file, settings);
        let settings = &with_store_region(&l.file, &url, settings);
        let store = open_store(&url, settings)?;
        // the store as resolved: a relative file:// URL names one directory
        set_config_base(&mut rendered.spec, store.url());
        // the bucket itself, judged before anything (even the apply lease) is written to it
        let bucket = super::store_bucket::judge(l, &rendered.spec, store.url(), settings)?;
        let lock = match settings.lock {
            Some(wait) => Some(lock_within(
                store.as_ref(),
                rendered.spec.cluster_name(),
                wait,
            )?),
            None => None,
        };
        let plan = make_plan(&l.file, &l.profile, rendered, store.as_ref())?;
        let mut planned = KopsPlanned::new(plan, store);
        planned.lock = lock;
        super::store_bucket::show(&mut planned.document, &bucket, &l.profile);
        Ok(Box::new(planned))
    }
}

/// A kops plan and the store it is applied to, with the apply lock when it was taken before
/// the store was read (apply).
pub struct KopsPlanned {
    plan: Plan,
    document: PlanDocument,
    // dropped before the store: releasing a lease needs the store's runtime
    lock: Option<Box<dyn ApplyLock>>,
    store: Box<dyn StateStore>,
}

impl KopsPlanned {
    pub fn new(plan: Plan, store: Box<dyn StateStore>) -> Self {
        let document = plan.document();
        KopsPlanned {
            plan,
            document,
            lock: None,
            store,
        }
    }

    /// A plan saved by `plan --out`, for the store it names (`--state`, when given, must name
    /// the same one). Nothing in the file is taken on trust: its digest is checked, the store
    /// is read again at the versions it was based on, and what it shows is derived from the
    /// documents it writes and the store (checked and judged by its profile, see `derive`).
    pub fn saved(text: &str, what: &str, settings: &Settings) -> Result<Self, Error> {
        let intent = crate::plan::open_saved(text, what)?;
        let today = crate::cluster_file::Date::today();
        if let Some(w) = intent
            .waivers
            .iter()
            .find(|w| w.expiry().is_some_and(|d| d < today))
        {
            return Err(Error::Unsupported(format!(
                "{what} carries a waiver for {} that expired on {}; make the plan again",
                w.control,
                w.expires.as_deref().unwrap_or("")
            )));
        }
        let url = settings
            .state
            .clone()
            .unwrap_or_else(|| intent.state.clone());
        let store = open_store(&url, settings)?;
        if store.url() != intent.state {
            return Err(Error::Unsupported(format!(
                "{what} is for the state store {}, not {}",
                intent.state,
                store.url()
            )));
        }
        super::check::check_intent(&intent)?;
        let lock = match settings.lock {
            Some(wait) => Some(lock_within(store.as_ref(), &intent.cluster, wait)?),
            None => None,
        };
        let stored = observe(&intent, store.as_ref())?;
        let plan = derive(intent, &stored, "no reason in the plan's trace")?;
        let mut planned = KopsPlanned::new(plan, store);
        planned.lock = lock;
        let refs = &planned.plan.intent.profile_refs;
        let builtins = crate::profile::builtin_names();
        let unchecked: Vec<&str> = refs
            .iter()
            .filter(|r| !builtins.contains(&r.as_str()))
            .map(String::as_str)
            .collect();
        let mut note = format!(
            "{what}: digest checked; every change above is derived from the documents it writes and what {} holds now, and the result was judged again by profile {}",
            planned.plan.state(),
            crate::yaml::bound_quotes(&format!("{:?}", refs.join(" + ")))
        );
        if !unchecked.is_empty() {
            note.push_str(&format!(
                " (profile file {} as the plan carries it: nothing checks that copy; review it)",
                crate::yaml::bound_quotes(&format!("{:?}", unchecked.join(", ")))
            ));
        }
        planned.document.notes.push(note);
        Ok(planned)
    }
}

impl Planned for KopsPlanned {
    fn document(&self) -> &PlanDocument {
        &self.document
    }

    fn saved(&self) -> Result<String, Error> {
        crate::plan::seal(&self.plan.intent).map_err(|e| Error::Encode {
            what: "the plan".into(),
            reason: e.to_string(),
        })
    }

    fn question(&self) -> String {
        format!("\nApply these changes to {}?", self.plan.state())
    }

    fn cancelled(&self) -> &'static str {
        "apply cancelled; nothing was written"
    }

    fn apply(&self, progress: &mut dyn FnMut(&str)) -> Result<Vec<String>, Error> {
        let total = self.plan.changes.len();
        let mut done = 0;
        let mut report = |key: &str| {
            done += 1;
            progress(&format!("[{done}/{total}] wrote {key}"));
        };
        let applied = match &self.lock {
            Some(lock) => apply_held(&self.plan, self.store.as_ref(), lock.as_ref(), &mut report)?,
            None => apply_with_progress(&self.plan, self.store.as_ref(), &mut report)?,
        };
        Ok(vec![format!(
            "\nApply complete: {} object(s) written to {}.",
            applied.keys.len(),
            self.plan.state()
        )])
    }

    fn kops_update(&self) -> Option<super::wrapper::KopsUpdate> {
        Some(super::wrapper::KopsUpdate {
            cluster: self.plan.cluster().to_string(),
            state: self.plan.state().to_string(),
        })
    }
}
