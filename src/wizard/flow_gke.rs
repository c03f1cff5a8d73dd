//! The questions for a GKE cluster. Each answer is checked by the cluster file's own rules
//! (gke_checks), and every weakening the file would need is asked for as a waiver, with its
//! reason and expiry, or refused when the profile forbids it.

use super::answers::{waivable, Answers, ProviderAnswers};
use super::answers_gke::{
    region_of, GkeAnswers, GkeNodes, GkePoolAnswers, NodeAccount, SecretsKey, POOL_MACHINE_TYPE,
    POOL_MAX_NODES, POOL_MIN_NODES,
};
use super::flow::{api_access, common, may_waive, namespaces, waiver, whole_number, Facts};
use super::gke_checks as check;
use super::prompter::Prompter;

/// Turns a check's `Option<problem>` into what a validator returns.
fn ok(problem: Option<String>) -> Result<(), String> {
    problem.map_or(Ok(()), Err)
}

fn project_and_name(p: &mut dyn Prompter) -> Result<(String, String), String> {
    p.say("The Google Cloud project the cluster lives in, by its id (6-30 lowercase letters, digits and '-', starting with a letter; `gcloud projects list` shows them).");
    let project = p.input("Project id", None, &|s| ok(check::project(s)))?;
    p.say("The cluster's name in GKE: lowercase letters, digits and '-', starting with a letter, at most 40 characters.");
    let name = p.input("Cluster name", None, &|s| ok(check::cluster_name(s)))?;
    Ok((project, name))
}

fn autopilot(p: &mut dyn Prompter) -> Result<bool, String> {
    p.say("Autopilot: Google runs and patches the nodes and bills per pod request, but the cluster is regional only and has no node pools to tune; Standard: you size node pools and pick their machine types, for more control.");
    let modes = [
        "standard — node pools you size (machine type, min/max nodes), billed per node".to_string(),
        "autopilot — GKE makes and patches the nodes, billed per pod request; regional only"
            .to_string(),
    ];
    Ok(p.select("Mode", &modes, 0)? == 1)
}

fn location(p: &mut dyn Prompter, autopilot: bool) -> Result<String, String> {
    if autopilot {
        p.say("Location: a region (europe-west1). Autopilot clusters are regional: the control plane and nodes are spread over the region's zones.");
    } else {
        p.say("Location: a region (europe-west1) gives a regional control plane, replicated across its zones, that stays up through a zone outage and upgrades; a zone (europe-west1-b) is cheaper, but its single control plane is down while it is upgraded or the zone is out.");
    }
    p.input(
        "Location (region or zone)",
        Some("europe-west1"),
        &move |s| ok(check::location(s, autopilot)),
    )
}

/// `projects/P/…/NAME` or `NAME`: the project it names (else `default_project`) and the name.
fn path_parts<'a>(value: &'a str, default_project: &'a str) -> (&'a str, &'a str) {
    let name = value.rsplit('/').next().unwrap_or(value);
    let project = value
        .strip_prefix("projects/")
        .and_then(|r| r.split('/').next())
        .unwrap_or(default_project);
    (project, name)
}

/// The commands that make a VPC-native network and subnetwork with these names, in `region`.
fn network_commands(project: &str, region: &str, names: &NetworkNames) -> String {
    let (net_project, net) = path_parts(&names.network, project);
    let (sub_project, sub) = path_parts(&names.subnetwork, project);
    format!(
        "  gcloud compute networks create {net} --project {net_project} --subnet-mode=custom\n  gcloud compute networks subnets create {sub} --project {sub_project} --network {net} --region {region} --range 10.0.0.0/20 --secondary-range {pods}=10.4.0.0/14,{services}=10.8.0.0/20 --enable-private-ip-google-access",
        pods = names.pods_range,
        services = names.services_range,
    )
}

/// The network a cluster uses, by the names the cluster file gives.
struct NetworkNames {
    network: String,
    subnetwork: String,
    pods_range: String,
    services_range: String,
}

/// Network, subnetwork and its two secondary ranges.
fn network(p: &mut dyn Prompter, region: &str) -> Result<NetworkNames, String> {
    p.say("The cluster is VPC-native: nodes get addresses from a subnetwork in the cluster's region, pods and Services from two secondary ranges of that subnetwork. Give their names (the commands to create them follow).");
    let network = p.input("VPC network", Some("gke-vpc"), &|s| ok(check::network(s)))?;
    let subnetwork = p.input(
        &format!("Subnetwork (in {region})"),
        Some(&format!("gke-{region}")),
        &|s| ok(check::subnetwork(s)),
    )?;
    let pods = p.input("Secondary range for pods", Some("pods"), &|s| {
        ok(check::pods_range(s))
    })?;
    let pods_for_check = pods.clone();
    let services = p.input(
        "Secondary range for Services",
        Some("services"),
        &move |s| ok(check::services_range(&pods_for_check, s)),
    )?;
    Ok(NetworkNames {
        network,
        subnetwork,
        pods_range: pods,
        services_range: services,
    })
}

fn release_channel(p: &mut dyn Prompter) -> Result<String, String> {
    p.say("GKE upgrades the control plane and the nodes along a release channel, so security patches arrive without you (control release-channel).");
    let channels = [
        "regular — new versions a few weeks after rapid: what most clusters want".to_string(),
        "stable — versions proven on regular first: fewest changes, patches a little later"
            .to_string(),
        "rapid — the newest versions first, for trying them out".to_string(),
        "extended — stays on a minor version for up to 24 months (extra cost)".to_string(),
    ];
    let i = p.select("Release channel", &channels, 0)?;
    Ok(["regular", "stable", "rapid", "extended"][i].to_string())
}

fn network_policy(p: &mut dyn Prompter) -> Result<String, String> {
    p.say("NetworkPolicy needs an enforcer: Dataplane V2 is eBPF, built into GKE, with network policy logging, but can be chosen only when the cluster is created; Calico is an add-on that can also be turned on for an existing cluster.");
    let engines = [
        "calico — the network-policy add-on; can be enabled on an existing cluster later"
            .to_string(),
        "dataplane-v2 — eBPF, built in, network policy logging; only at cluster creation"
            .to_string(),
    ];
    let i = p.select("Network policy", &engines, 0)?;
    Ok(["calico", "dataplane-v2"][i].to_string())
}

fn pool(p: &mut dyn Prompter) -> Result<GkePoolAnswers, String> {
    p.say("One node pool, named nodes, to start with. Its sizes are per zone: a regional cluster runs the pool in each zone of the region (usually three), so the cluster has three times as many nodes.");
    let machine_type = p.input("Node machine type", Some(POOL_MACHINE_TYPE), &|s| {
        ok(check::machine_type(s))
    })?;
    let min_nodes = whole_number(&p.input(
        "Fewest nodes per zone",
        Some(&POOL_MIN_NODES.to_string()),
        &|s| whole_number(s).map(|_| ()),
    )?)?;
    let max_nodes = whole_number(&p.input(
        "Most nodes per zone",
        Some(&min_nodes.max(POOL_MAX_NODES).to_string()),
        &move |s| ok(check::pool_sizes(min_nodes, whole_number(s)?)),
    )?)?;
    Ok(GkePoolAnswers {
        machine_type,
        min_nodes,
        max_nodes,
    })
}

fn profile(p: &mut dyn Prompter) -> Result<String, String> {
    let profiles = [
        "baseline — private nodes, authorized networks, Workload Identity, Shielded nodes with Secure Boot, KMS-encrypted Secrets, control-plane logs, a release channel".to_string(),
        "strict — baseline plus no public IP endpoint (admins come through the VPC or the IAM-checked DNS endpoint), Binary Authorization (its API and a project policy needed), restricted pods; no waiver for Secrets encryption".to_string(),
    ];
    Ok(["baseline", "strict"][p.select("Profile", &profiles, 0)?].to_string())
}

/// The commands that make a node account with the roles it needs.
fn node_account_commands(project: &str) -> String {
    let member = format!("serviceAccount:gke-nodes@{project}.iam.gserviceaccount.com");
    format!(
        "  gcloud iam service-accounts create gke-nodes --project {project}\n  gcloud projects add-iam-policy-binding {project} --member {member} --role roles/container.defaultNodeServiceAccount\n  gcloud projects add-iam-policy-binding {project} --member {member} --role roles/artifactregistry.reader"
    )
}

fn node_account(
    p: &mut dyn Prompter,
    facts: &Facts,
    project: &str,
    profile: &str,
) -> Result<NodeAccount, String> {
    p.say(&format!(
        "The nodes run as a service account. The Compute Engine default (PROJECT_NUMBER-compute@developer.gserviceaccount.com) is a project Editor: any pod that reaches the node's credentials can change most of the project (control node-service-account). A node account needs only roles/container.defaultNodeServiceAccount, and roles/artifactregistry.reader to pull images from Artifact Registry. To create one:\n{}",
        node_account_commands(project)
    ));
    let suggested = format!("gke-nodes@{project}.iam.gserviceaccount.com");
    loop {
        let account = p.input(
            "Node service account (NAME@PROJECT.iam.gserviceaccount.com)",
            Some(&suggested),
            &|s| ok(check::service_account(s)),
        )?;
        if !check::is_compute_default(&account) {
            return Ok(NodeAccount::Own(account));
        }
        if !may_waive(profile, waivable::NODE_ACCOUNT.id) {
            p.say(&format!("The {profile} profile forbids a waiver for node-service-account: give an account made for the nodes."));
            continue;
        }
        p.say("warning: that is the Compute Engine default account, a project Editor. The cluster file will name no account (GKE then uses the default) and carry a waiver for node-service-account.");
        if p.confirm(
            "Run the nodes as the Compute Engine default anyway, with a waiver?",
            false,
        )? {
            return Ok(NodeAccount::ComputeDefault(waiver(p, facts)?));
        }
    }
}

fn secrets_key(
    p: &mut dyn Prompter,
    facts: &Facts,
    (project, location, name): (&str, &str, &str),
    profile: &str,
) -> Result<SecretsKey, String> {
    let region = region_of(location);
    p.say(&format!(
        "GKE encrypts etcd at the storage layer; a Cloud KMS key of yours also encrypts Secrets at the application layer (control secrets-encryption-at-rest). The key must be in the cluster's region ({region}), and the GKE service agent (service-PROJECT_NUMBER@container-engine-robot.iam.gserviceaccount.com) needs roles/cloudkms.cryptoKeyEncrypterDecrypter on it:\n  gcloud kms keyrings create gke --location {region} --project {project}\n  gcloud kms keys create {name}-secrets --keyring gke --location {region} --purpose encryption --project {project}\n  gcloud kms keys add-iam-policy-binding {name}-secrets --keyring gke --location {region} --project {project} --member serviceAccount:service-PROJECT_NUMBER@container-engine-robot.iam.gserviceaccount.com --role roles/cloudkms.cryptoKeyEncrypterDecrypter"
    ));
    let waivable = may_waive(profile, waivable::SECRETS_ENCRYPTION.id);
    let profile_for_check = profile.to_string();
    let location_for_check = location.to_string();
    let key = p.input(
        "Cloud KMS key for Secrets (projects/P/locations/L/keyRings/R/cryptoKeys/K; empty: none, with a waiver)",
        Some(""),
        &move |s| match s.is_empty() {
            true if waivable => Ok(()),
            true => Err(format!("the {profile_for_check} profile forbids a waiver for secrets-encryption-at-rest: give a key")),
            false => ok(check::kms_key(s, &location_for_check)),
        },
    )?;
    if !key.is_empty() {
        return Ok(SecretsKey::Kms(key));
    }
    p.say("warning: without a key, Secrets have only Google's storage-layer encryption: whoever reads etcd itself (a backup, a control-plane compromise) reads them in plain text. The cluster file will carry a waiver for secrets-encryption-at-rest.");
    Ok(SecretsKey::Waived(waiver(p, facts)?))
}

pub(super) fn ask(p: &mut dyn Prompter, facts: &Facts) -> Result<Answers, String> {
    p.say("A hardened GKE cluster: private nodes, authorized networks, Workload Identity, Shielded nodes, Secrets encrypted with your key, and guardrails in your namespaces.");
    let (project, name) = project_and_name(p)?;
    let autopilot = autopilot(p)?;
    let location = location(p, autopilot)?;
    let region = region_of(&location).to_string();
    let net = network(p, &region)?;
    p.say(&format!(
        "If the network and subnetwork do not exist yet, create them (private nodes have no external IP: add Cloud NAT in {region} for images from outside Google):\n{}",
        network_commands(&project, &region, &net)
    ));
    let release_channel = release_channel(p)?;
    let nodes = if autopilot {
        GkeNodes::Autopilot
    } else {
        let network_policy = network_policy(p)?;
        GkeNodes::Standard {
            network_policy,
            pool: pool(p)?,
        }
    };
    let profile = profile(p)?;
    p.say("Only the networks you name reach the control plane (authorized networks): your office or VPN egress, in CIDR form; with the strict profile, addresses inside the VPC.");
    let api = api_access(
        p,
        facts,
        "Networks allowed to reach the control plane",
        Some(&profile),
    )?;
    let node_account = node_account(p, facts, &project, &profile)?;
    let secrets = secrets_key(p, facts, (&project, &location, &name), &profile)?;
    let namespaces = namespaces(p)?;
    Ok(Answers {
        name,
        provider: ProviderAnswers::Gke(GkeAnswers {
            project,
            location,
            nodes,
            network: net.network,
            subnetwork: net.subnetwork,
            pods_range: net.pods_range,
            services_range: net.services_range,
            release_channel,
            node_account,
            secrets,
        }),
        common: common(api, profile == "strict", namespaces),
    })
}
