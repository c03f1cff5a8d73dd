//! `palisade init`: write a first cluster file, from a wizard or from flags. Never applies.
//!
//! `--no-input` builds the same [`Answers`] the wizard does, with the same checks
//! (`crate::wizard::gke_checks`, `state_store`, `expiry`), and the file is written from them
//! by the one function the wizard uses. What is written must load and render: a refusal is
//! reported before anything is written.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};

use super::{exit, Output};
use crate::cluster_file::validate::name_problem;
use crate::cluster_file::{load_str, Date, Exposure};
use crate::wizard::{
    cluster_file_text, expiry, gke_checks as check, may_waive, run_flow_for, state_store, waivable,
    Answers, CommonAnswers, Facts, GkeAnswers, GkeNodes, GkePoolAnswers, KopsAnswers, NodeAccount,
    ProviderAnswers, SecretsKey, SshAccess, StateStore, TerminalPrompter, WaiverAnswer,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Provider {
    Kops,
    Gke,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the cluster file.
    #[arg(short = 'o', long = "output", default_value = "palisade.yaml")]
    output: PathBuf,
    /// Take every answer from flags; for scripts and CI.
    #[arg(long = "no-input")]
    no_input: bool,
    /// Overwrite an existing file.
    #[arg(long = "force")]
    force: bool,
    /// kops (a cluster on AWS; the default with --no-input) or gke. Without it the wizard asks
    /// it first.
    #[arg(long = "provider", value_enum)]
    provider: Option<Provider>,
    /// The cluster's name. kops: a DNS name (dev.k8s.example.com), inside --dns-zone when
    /// given; GKE: lowercase letters, digits and '-', at most 40.
    #[arg(long = "name")]
    name: Option<String>,
    /// kops: a public Route 53 zone for the API's DNS name; without it the cluster uses no DNS.
    #[arg(long = "dns-zone")]
    dns_zone: Option<String>,
    /// kops: the AWS region (eu-west-1).
    #[arg(long = "region")]
    region: Option<String>,
    /// kops: the zones of the region, comma-separated (eu-west-1a,eu-west-1b).
    #[arg(long = "zones", value_delimiter = ',')]
    zones: Vec<String>,
    /// kops: 1 control-plane node (cheaper), or 3 in three zones (survives losing one)
    /// [default: 1].
    #[arg(long = "control-plane-count", value_parser = clap::value_parser!(u32).range(1..=3))]
    control_plane_count: Option<u32>,
    /// kops: the control plane's instance type [default: m6i.large].
    #[arg(long = "control-plane-type")]
    control_plane_type: Option<String>,
    /// The nodes' machine type [default: m6i.large on kops, e2-standard-4 on GKE Standard].
    #[arg(long = "node-type")]
    node_type: Option<String>,
    /// The fewest nodes; on GKE per zone [default: 2 on kops, 1 on GKE Standard].
    #[arg(long = "nodes-min")]
    nodes_min: Option<u32>,
    /// The most nodes; on GKE per zone [default: 4 on kops, 3 on GKE Standard; at least
    /// --nodes-min].
    #[arg(long = "nodes-max")]
    nodes_max: Option<u32>,
    /// kops: s3://BUCKET[/PREFIX] where kops keeps the cluster. Without it, a local file://
    /// store: enough to review a plan, but kops cannot run a cluster from it.
    #[arg(long = "state-store")]
    state_store: Option<String>,
    /// kops: the region of the state store's bucket [default: --region].
    #[arg(long = "state-store-region", requires = "state_store")]
    state_store_region: Option<String>,
    /// A network allowed to reach the API (repeat); on GKE the authorized networks.
    #[arg(long = "api-cidr")]
    api_cidr: Vec<String>,
    /// Why an API open to 0.0.0.0/0 is acceptable (required with it).
    #[arg(long = "api-waiver-reason")]
    api_waiver_reason: Option<String>,
    /// When that waiver expires (YYYY-MM-DD, in the future); no expiry without it.
    #[arg(long = "api-waiver-expires", requires = "api_waiver_reason")]
    api_waiver_expires: Option<String>,
    /// kops: add a bastion reachable from these networks (repeat); without it, no SSH.
    #[arg(long = "bastion-cidr")]
    bastion_cidr: Vec<String>,
    /// baseline, or strict (more protection that needs more setup; `palisade profiles show`).
    #[arg(long = "profile", value_parser = ["baseline", "strict"], default_value = "baseline")]
    profile: String,
    /// kops: the public S3 bucket for IRSA's issuer documents (strict).
    #[arg(long = "discovery-store")]
    discovery_store: Option<String>,
    /// The teams' namespaces, comma-separated (the in-cluster guardrails act on them).
    #[arg(long = "namespaces", value_delimiter = ',')]
    namespaces: Vec<String>,
    /// The one namespace whose Services may be LoadBalancer or NodePort (one of --namespaces).
    #[arg(long = "ingress-namespace", requires = "namespaces")]
    ingress_namespace: Option<String>,
    /// GKE: the Google Cloud project id.
    #[arg(long = "project")]
    project: Option<String>,
    /// GKE: standard (node pools you size) or autopilot (GKE runs the nodes, billed per pod;
    /// regional only) [default: standard].
    #[arg(long = "mode", value_parser = ["standard", "autopilot"])]
    mode: Option<String>,
    /// GKE: a region (a regional, highly available control plane) or a zone (cheaper).
    #[arg(long = "location")]
    location: Option<String>,
    /// GKE: the VPC network, by name or projects/P/global/networks/N.
    #[arg(long = "network")]
    network: Option<String>,
    /// GKE: the subnetwork in the location's region, by name or its full path.
    #[arg(long = "subnetwork")]
    subnetwork: Option<String>,
    /// GKE: the subnetwork's secondary range for pods [default: pods].
    #[arg(long = "pods-range")]
    pods_range: Option<String>,
    /// GKE: the subnetwork's secondary range for Services [default: services].
    #[arg(long = "services-range")]
    services_range: Option<String>,
    /// GKE: the release channel the cluster is upgraded along [default: regular].
    #[arg(long, value_parser = ["regular", "stable", "rapid", "extended"])]
    release_channel: Option<String>,
    /// GKE Standard: what enforces NetworkPolicy [default: calico]; Autopilot always runs
    /// Dataplane V2.
    #[arg(long, value_parser = ["calico", "dataplane-v2"])]
    network_policy: Option<String>,
    /// GKE: the nodes' service account (NAME@PROJECT.iam.gserviceaccount.com); the Compute
    /// Engine default (`default`, N-compute@developer.gserviceaccount.com) needs
    /// --node-sa-waiver-reason.
    #[arg(long)]
    node_service_account: Option<String>,
    /// GKE: why running the nodes as the Compute Engine default account is acceptable.
    #[arg(long = "node-sa-waiver-reason")]
    node_sa_waiver_reason: Option<String>,
    /// When that waiver expires (YYYY-MM-DD, in the future); no expiry without it.
    #[arg(long = "node-sa-waiver-expires", requires = "node_sa_waiver_reason")]
    node_sa_waiver_expires: Option<String>,
    /// GKE: the Cloud KMS key that encrypts Secrets
    /// (projects/P/locations/L/keyRings/R/cryptoKeys/K, in the cluster's region); without
    /// it, --secrets-waiver-reason.
    #[arg(long = "secrets-kms-key")]
    secrets_kms_key: Option<String>,
    /// GKE: why Secrets encrypted at the storage layer only are acceptable (no KMS key).
    #[arg(long = "secrets-waiver-reason", conflicts_with = "secrets_kms_key")]
    secrets_waiver_reason: Option<String>,
    /// When that waiver expires (YYYY-MM-DD, in the future); no expiry without it.
    #[arg(long = "secrets-waiver-expires", requires = "secrets_waiver_reason")]
    secrets_waiver_expires: Option<String>,
}

/// A flag's value, or why --no-input cannot do without it.
fn need(v: &Option<String>, flag: &str, what: &str) -> anyhow::Result<String> {
    v.clone()
        .ok_or_else(|| anyhow!("--no-input needs {flag} ({what})"))
}

/// A check's problem as an error about `flag`.
fn checked(flag: &str, problem: Option<String>) -> anyhow::Result<()> {
    match problem {
        Some(why) => Err(anyhow!("{flag}: {why}")),
        None => Ok(()),
    }
}

/// A waiver from its two flags; `expires` is checked as the wizard checks it.
fn waiver(
    reason: &Option<String>,
    expires: &Option<String>,
    expires_flag: &str,
    today: Date,
) -> anyhow::Result<Option<WaiverAnswer>> {
    let Some(reason) = reason.clone().filter(|r| !r.trim().is_empty()) else {
        return Ok(None);
    };
    let expires = expiry(expires.as_deref().unwrap_or(""), today)
        .map_err(|why| anyhow!("{expires_flag}: {why}"))?;
    Ok(Some(WaiverAnswer { reason, expires }))
}

/// The flags of the other provider, given: a likely mix-up, refused rather than ignored.
fn stray_flags(a: &Args) -> Vec<&'static str> {
    let given = |present: bool, flag: &'static str| present.then_some(flag);
    let list: Vec<Option<&'static str>> = match a.provider.unwrap_or(Provider::Kops) {
        Provider::Gke => vec![
            given(a.dns_zone.is_some(), "--dns-zone"),
            given(a.region.is_some(), "--region"),
            given(!a.zones.is_empty(), "--zones"),
            given(a.control_plane_count.is_some(), "--control-plane-count"),
            given(a.control_plane_type.is_some(), "--control-plane-type"),
            given(a.state_store.is_some(), "--state-store"),
            given(!a.bastion_cidr.is_empty(), "--bastion-cidr"),
            given(a.discovery_store.is_some(), "--discovery-store"),
        ],
        Provider::Kops => vec![
            given(a.project.is_some(), "--project"),
            given(a.mode.is_some(), "--mode"),
            given(a.location.is_some(), "--location"),
            given(a.network.is_some(), "--network"),
            given(a.subnetwork.is_some(), "--subnetwork"),
            given(a.pods_range.is_some(), "--pods-range"),
            given(a.services_range.is_some(), "--services-range"),
            given(a.release_channel.is_some(), "--release-channel"),
            given(a.network_policy.is_some(), "--network-policy"),
            given(a.node_service_account.is_some(), "--node-service-account"),
            given(a.node_sa_waiver_reason.is_some(), "--node-sa-waiver-reason"),
            given(a.secrets_kms_key.is_some(), "--secrets-kms-key"),
            given(a.secrets_waiver_reason.is_some(), "--secrets-waiver-reason"),
        ],
    };
    list.into_iter().flatten().collect()
}

/// The API's networks, the profile and the namespaces, as the wizard would take them.
fn common_from_flags(a: &Args, today: Date) -> anyhow::Result<CommonAnswers> {
    if a.api_cidr.is_empty() {
        bail!("--no-input needs --api-cidr (the networks allowed to reach the Kubernetes API)");
    }
    let exposure = Exposure::of(a.api_cidr.iter().map(String::as_str));
    let api_waiver = if exposure.is_open() {
        let opens = format!(
            "--api-cidr {} opens the API to {}",
            Exposure::excerpt(a.api_cidr.iter().map(String::as_str)),
            exposure.describe()
        );
        if !may_waive(&a.profile, waivable::API_ACCESS.id) {
            bail!(
                "{opens}, and the {} profile forbids a waiver for api-access-restricted",
                a.profile
            );
        }
        let w = waiver(
            &a.api_waiver_reason,
            &a.api_waiver_expires,
            "--api-waiver-expires",
            today,
        )?;
        Some(w.ok_or_else(|| anyhow!("{opens}; give --api-waiver-reason to accept it"))?)
    } else {
        if a.api_waiver_expires.is_some() || a.api_waiver_reason.is_some() {
            bail!("--api-waiver-reason/--api-waiver-expires: --api-cidr opens the API to no one beyond the networks named, so there is nothing to waive");
        }
        None
    };
    let namespaces = crate::wizard::namespace_list(&a.namespaces.join(","))
        .map_err(|why| anyhow!("--namespaces: {why}"))?;
    if let Some(ingress) = &a.ingress_namespace {
        if !namespaces.contains(ingress) {
            bail!(
                "--ingress-namespace {ingress} is not one of --namespaces ({})",
                namespaces.join(", ")
            );
        }
    }
    Ok(CommonAnswers {
        api_cidrs: a.api_cidr.clone(),
        api_waiver,
        profile: a.profile.clone(),
        namespaces,
        ingress_namespace: a.ingress_namespace.clone(),
    })
}

fn kops_state_store(a: &Args, region: &str) -> anyhow::Result<StateStore> {
    let Some(url) = &a.state_store else {
        return Ok(StateStore::Local);
    };
    checked("--state-store", state_store::s3_store_problem(url))?;
    let bucket_region = a.state_store_region.clone().unwrap_or(region.to_string());
    checked(
        "--state-store-region",
        state_store::aws_region_problem(&bucket_region),
    )?;
    Ok(StateStore::S3 {
        url: url.clone(),
        region: bucket_region,
    })
}

fn kops_from_flags(a: &Args) -> anyhow::Result<KopsAnswers> {
    let bastion = Exposure::of(a.bastion_cidr.iter().map(String::as_str));
    if bastion.is_open() {
        bail!(
            "--bastion-cidr {} opens SSH to {}; SSH open to the internet is not offered: name your admin networks",
            Exposure::excerpt(a.bastion_cidr.iter().map(String::as_str)),
            bastion.describe()
        );
    }
    let region = need(&a.region, "--region", "the AWS region")?;
    if a.zones.is_empty() {
        bail!("--no-input needs --zones (zones of {region}, comma-separated)");
    }
    let nodes_min = a.nodes_min.unwrap_or(crate::wizard::KOPS_NODES_MIN);
    Ok(KopsAnswers {
        dns_zone: a.dns_zone.clone(),
        zones: a.zones.clone(),
        kubernetes_version: crate::wizard::KUBERNETES_VERSION_DEFAULT.into(),
        control_plane_count: a.control_plane_count.unwrap_or(1),
        control_plane_type: a
            .control_plane_type
            .clone()
            .unwrap_or(crate::wizard::KOPS_MACHINE_TYPE.into()),
        node_type: a
            .node_type
            .clone()
            .unwrap_or(crate::wizard::KOPS_MACHINE_TYPE.into()),
        nodes_min,
        nodes_max: a
            .nodes_max
            .unwrap_or(nodes_min.max(crate::wizard::KOPS_NODES_MAX)),
        ssh: if a.bastion_cidr.is_empty() {
            SshAccess::None
        } else {
            SshAccess::Bastion {
                cidrs: a.bastion_cidr.clone(),
            }
        },
        discovery_store: discovery_store(a)?,
        state_store: kops_state_store(a, &region)?,
        region,
    })
}

/// `--discovery-store`: a bucket of its own (its documents are public; the state store's
/// bucket holds the cluster's secrets), with a valid name.
fn discovery_store(a: &Args) -> anyhow::Result<Option<String>> {
    let Some(url) = &a.discovery_store else {
        return Ok(None);
    };
    let Some((bucket, _)) = crate::aws::bucket::split_url(url) else {
        bail!("--discovery-store {url:?}: expected s3://BUCKET");
    };
    if let Some(why) = crate::state::bucket::bucket_name_problem(&bucket) {
        bail!("--discovery-store: {why}");
    }
    let state = a
        .state_store
        .as_deref()
        .and_then(crate::aws::bucket::split_url);
    if state.is_some_and(|(b, _)| b == bucket) {
        bail!("--discovery-store s3://{bucket} is the state store's bucket: the issuer's documents are public and the state store holds the cluster's secrets; use a bucket of its own");
    }
    Ok(Some(url.clone()))
}

fn gke_nodes(a: &Args, autopilot: bool) -> anyhow::Result<GkeNodes> {
    if autopilot {
        let pool_flags: Vec<&str> = [
            (a.node_type.is_some(), "--node-type"),
            (a.nodes_min.is_some(), "--nodes-min"),
            (a.nodes_max.is_some(), "--nodes-max"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect();
        if !pool_flags.is_empty() {
            bail!(
                "--mode autopilot: GKE makes the nodes, there is no node pool to size; leave out {}",
                pool_flags.join(", ")
            );
        }
        if let Some(engine) = &a.network_policy {
            checked("--network-policy", check::network_policy(engine, true))?;
        }
        return Ok(GkeNodes::Autopilot);
    }
    let machine_type = a
        .node_type
        .clone()
        .unwrap_or(crate::wizard::POOL_MACHINE_TYPE.into());
    checked("--node-type", check::machine_type(&machine_type))?;
    let min_nodes = a.nodes_min.unwrap_or(crate::wizard::POOL_MIN_NODES);
    let max_nodes = a
        .nodes_max
        .unwrap_or(min_nodes.max(crate::wizard::POOL_MAX_NODES));
    checked(
        "--nodes-min/--nodes-max",
        check::pool_sizes(min_nodes, max_nodes),
    )?;
    Ok(GkeNodes::Standard {
        network_policy: a.network_policy.clone().unwrap_or("calico".into()),
        pool: GkePoolAnswers {
            machine_type,
            min_nodes,
            max_nodes,
        },
    })
}

fn gke_node_account(a: &Args, today: Date) -> anyhow::Result<NodeAccount> {
    let account = need(
        &a.node_service_account,
        "--node-service-account",
        "the nodes' service account, NAME@PROJECT.iam.gserviceaccount.com",
    )?;
    checked("--node-service-account", check::service_account(&account))?;
    let w = waiver(
        &a.node_sa_waiver_reason,
        &a.node_sa_waiver_expires,
        "--node-sa-waiver-expires",
        today,
    )?;
    match (check::is_compute_default(&account), w) {
        (false, None) => Ok(NodeAccount::Own(account)),
        (false, Some(_)) => bail!("--node-sa-waiver-reason: {account} is not the Compute Engine default account, so there is nothing to waive"),
        (true, _) if !may_waive(&a.profile, waivable::NODE_ACCOUNT.id) => bail!(
            "--node-service-account {account} is the Compute Engine default account, and the {} profile forbids a waiver for node-service-account",
            a.profile
        ),
        (true, Some(w)) => Ok(NodeAccount::ComputeDefault(w)),
        (true, None) => bail!("--node-service-account {account} is the Compute Engine default account, a project Editor; give an account made for the nodes, or --node-sa-waiver-reason to accept it"),
    }
}

fn gke_secrets(a: &Args, location: &str, today: Date) -> anyhow::Result<SecretsKey> {
    if let Some(key) = &a.secrets_kms_key {
        checked("--secrets-kms-key", check::kms_key(key, location))?;
        return Ok(SecretsKey::Kms(key.clone()));
    }
    if !may_waive(&a.profile, waivable::SECRETS_ENCRYPTION.id) {
        bail!(
            "--no-input needs --secrets-kms-key: the {} profile forbids a waiver for secrets-encryption-at-rest",
            a.profile
        );
    }
    waiver(
        &a.secrets_waiver_reason,
        &a.secrets_waiver_expires,
        "--secrets-waiver-expires",
        today,
    )?
    .map(SecretsKey::Waived)
    .ok_or_else(|| anyhow!("--no-input needs --secrets-kms-key (the Cloud KMS key that encrypts Secrets), or --secrets-waiver-reason to go without"))
}

fn gke_from_flags(a: &Args, today: Date) -> anyhow::Result<GkeAnswers> {
    let project = need(&a.project, "--project", "the Google Cloud project id")?;
    checked("--project", check::project(&project))?;
    let autopilot = a.mode.as_deref() == Some("autopilot");
    let location = need(&a.location, "--location", "a region or a zone")?;
    checked("--location", check::location(&location, autopilot))?;
    let network = need(&a.network, "--network", "the VPC network")?;
    checked("--network", check::network(&network))?;
    let subnetwork = need(&a.subnetwork, "--subnetwork", "the subnetwork")?;
    checked("--subnetwork", check::subnetwork(&subnetwork))?;
    let pods_range = a.pods_range.clone().unwrap_or("pods".into());
    checked("--pods-range", check::pods_range(&pods_range))?;
    let services_range = a.services_range.clone().unwrap_or("services".into());
    checked(
        "--services-range",
        check::services_range(&pods_range, &services_range),
    )?;
    Ok(GkeAnswers {
        nodes: gke_nodes(a, autopilot)?,
        release_channel: a.release_channel.clone().unwrap_or("regular".into()),
        node_account: gke_node_account(a, today)?,
        secrets: gke_secrets(a, &location, today)?,
        project,
        location,
        network,
        subnetwork,
        pods_range,
        services_range,
    })
}

fn from_flags(a: &Args, today: Date) -> anyhow::Result<Answers> {
    let stray = stray_flags(a);
    if !stray.is_empty() {
        let (this, other) = match a.provider.unwrap_or(Provider::Kops) {
            Provider::Gke => ("gke", "kops"),
            Provider::Kops => ("kops", "gke"),
        };
        bail!(
            "--provider {this} takes no {}: {} for --provider {other}",
            stray.join(", "),
            if stray.len() == 1 {
                "it is"
            } else {
                "they are"
            }
        );
    }
    let name = need(&a.name, "--name", "the cluster's name")?;
    let provider = match a.provider.unwrap_or(Provider::Kops) {
        Provider::Kops => {
            let k = kops_from_flags(a)?;
            checked("--name", name_problem(&name, k.dns_zone.as_deref()))?;
            ProviderAnswers::Kops(k)
        }
        Provider::Gke => {
            checked("--name", check::cluster_name(&name))?;
            ProviderAnswers::Gke(gke_from_flags(a, today)?)
        }
    };
    Ok(Answers {
        name,
        provider,
        common: common_from_flags(a, today)?,
    })
}

/// Facts for the wizard: EC2's zones when credentials are at hand, else the built-in lists.
fn facts(o: &mut Output<'_>) -> Facts {
    let mut f = Facts::builtin();
    if super::cloud::credentials_present() {
        let _ = o.info("AWS credentials found: zones and instance types come from EC2");
        f.zones =
            Box::new(
                |region| match crate::aws::Ec2::connect(region).and_then(|e| e.zones()) {
                    Ok(z) if !z.is_empty() => z,
                    _ => Facts::builtin().zones.as_ref()(region),
                },
            );
    }
    f
}

/// What init writes must load and render, with the same checks as every other command: a
/// refusal (a control the answers fail, a waiver the profile forbids) stops it here.
fn check_renders(text: &str, path: &Path) -> anyhow::Result<()> {
    let invalid = |e: &dyn std::fmt::Display| {
        anyhow!("the answers do not make a valid cluster file; nothing was written:\n{e}")
    };
    let (file, source) =
        load_str(text, path, Date::today(), crate::controls::is_known).map_err(|e| invalid(&e))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let profile = crate::profile::resolve(&file.profile.list(), dir).map_err(|e| invalid(&e))?;
    let loaded = crate::provider::Loaded {
        file,
        source,
        profile,
    };
    crate::provider::for_cluster_file(&loaded.file)
        .render(
            &loaded,
            &crate::provider::Settings::default(),
            crate::provider::DocFormat::Json,
        )
        .map_err(|e| invalid(&e))?;
    Ok(())
}

/// What to do next with the file just written.
fn next_steps(answers: &Answers, output: &Path) -> String {
    let plan = format!("Next: palisade plan -f {}", output.display());
    match &answers.provider {
        ProviderAnswers::Kops(k) if k.state_store == StateStore::Local => format!(
            "The state store is {} (no stateStore in the file). {} {}\n{plan}",
            state_store::DEFAULT_STATE_STORE,
            state_store::LOCAL_STORE_EXPLAINED,
            state_store::create_bucket_hint(&k.region)
        ),
        ProviderAnswers::Kops(_) => plan,
        ProviderAnswers::Gke(_) => format!(
            "{plan}   (Application Default Credentials: gcloud auth application-default login)"
        ),
    }
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    if a.output.exists() && !a.force {
        bail!(
            "{} exists; pass --force to overwrite it, or -o another file",
            a.output.display()
        );
    }
    let answers = if a.no_input {
        from_flags(&a, Date::today())?
    } else {
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            bail!("init asks questions and needs a terminal; in scripts use `palisade init --no-input --name … --region … --zones … --api-cidr …` (or --provider gke --project … --location …)");
        }
        let facts = facts(o);
        let mut prompter = TerminalPrompter::default();
        let gke = a.provider.map(|p| p == Provider::Gke);
        run_flow_for(&mut prompter, &facts, gke)
            .map_err(|e| anyhow!("init stopped: {e}; nothing was written"))?
    };
    if let Some(StateStore::S3 { url, .. }) = answers.kops().map(|k| &k.state_store) {
        if a.no_input && state_store::bucket_has_dots(url) {
            o.note(&format!("note: {}", state_store::DOTTED_BUCKET))?;
        }
    }
    let text = cluster_file_text(&answers);
    check_renders(&text, &a.output)?;
    std::fs::write(&a.output, &text)
        .with_context(|| format!("cannot write {}", a.output.display()))?;
    o.note(&format!(
        "\nWrote {}: {}.\n{}",
        a.output.display(),
        answers.summary(),
        next_steps(&answers, &a.output)
    ))?;
    Ok(exit::OK)
}
