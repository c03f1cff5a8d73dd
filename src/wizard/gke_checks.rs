//! Checks of GKE answers, as the cluster file makes them. An answer is put into an otherwise
//! valid probe file and the file's own validator is asked about that one field, so the wizard
//! (and `--no-input`) refuse exactly what the written file would be refused for, with the
//! same words, and no rule is written twice.

use std::path::Path;

use super::answers_gke::region_of;
use crate::cluster_file::validate::validate;
use crate::cluster_file::{ClusterFile, Date, GkeMode, GkeSection};

/// Valid in every field: each check changes the fields it is about.
const PROBE: &str = "apiVersion: palisade.dev/v1alpha1
kind: Cluster
name: probe
gke:
  project: probe-project
  location: europe-west1
  network: probe-net
  subnetwork: probe-subnet
  nodePools:
  - {name: nodes, machineType: e2-standard-4, minNodes: 1, maxNodes: 3}
";

/// The validator's first word on `field` (or on anything under it) once `edit` has been
/// applied to the probe file.
fn problem(field: &str, edit: impl FnOnce(&mut ClusterFile, &mut GkeSection)) -> Option<String> {
    let Ok(mut file) = serde_yaml::from_str::<ClusterFile>(PROBE) else {
        return Some("internal: the probe cluster file does not parse".into());
    };
    let Some(mut gke) = file.gke.take() else {
        return Some("internal: the probe cluster file has no gke section".into());
    };
    edit(&mut file, &mut gke);
    if gke.autopilot() {
        gke.node_pools.clear();
    }
    file.gke = Some(gke);
    file.source = Path::new("palisade.yaml").to_path_buf();
    validate(&file, Date::today(), crate::controls::is_known)
        .into_iter()
        .find(|(path, _, _)| {
            path == field
                || path
                    .strip_prefix(field)
                    .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
        .map(|(_, _, message)| message)
}

fn mode(autopilot: bool) -> GkeMode {
    if autopilot {
        GkeMode::Autopilot
    } else {
        GkeMode::Standard
    }
}

/// A GKE cluster name.
pub fn cluster_name(name: &str) -> Option<String> {
    problem("name", |f, _| f.name = name.into())
}

/// A GCP project id.
pub fn project(project: &str) -> Option<String> {
    problem("gke.project", |_, g| g.project = project.into())
}

/// A region or zone; a zone is refused for Autopilot.
pub fn location(location: &str, autopilot: bool) -> Option<String> {
    problem("gke.location", |_, g| {
        g.location = location.into();
        g.mode = mode(autopilot);
    })
}

pub fn network(network: &str) -> Option<String> {
    problem("gke.network", |_, g| g.network = network.into())
}

pub fn subnetwork(subnetwork: &str) -> Option<String> {
    problem("gke.subnetwork", |_, g| g.subnetwork = subnetwork.into())
}

pub fn pods_range(range: &str) -> Option<String> {
    problem("gke.podsRange", |_, g| g.pods_range = range.into())
}

/// The services range, which must differ from the pods one.
pub fn services_range(pods: &str, services: &str) -> Option<String> {
    problem("gke.servicesRange", |_, g| {
        g.pods_range = pods.into();
        g.services_range = services.into();
    })
}

pub fn release_channel(channel: &str) -> Option<String> {
    problem("gke.releaseChannel", |_, g| {
        g.release_channel = channel.into()
    })
}

/// The NetworkPolicy engine; Autopilot takes Dataplane V2 only.
pub fn network_policy(engine: &str, autopilot: bool) -> Option<String> {
    problem("gke.networkPolicy", |_, g| {
        g.network_policy = Some(engine.into());
        g.mode = mode(autopilot);
    })
}

/// The shape of a service account email; whether it is the Compute Engine default is
/// [`is_compute_default`]'s call.
pub fn service_account(account: &str) -> Option<String> {
    problem("gke.nodeServiceAccount", |_, g| {
        g.node_service_account = Some(account.into())
    })
}

/// The Compute Engine default account (`default`, `N-compute@developer.gserviceaccount.com`),
/// as the node-service-account control judges it.
pub fn is_compute_default(account: &str) -> bool {
    crate::controls::nodes::node_service_account::is_default_account(account)
}

/// A Cloud KMS key name, in the cluster's region: GKE wants the key where the cluster is, and
/// Cloud KMS has regions, not zones.
pub fn kms_key(key: &str, location: &str) -> Option<String> {
    if let Some(why) = problem("gke.secretsKmsKey", |_, g| {
        g.secrets_kms_key = Some(key.into())
    }) {
        return Some(why);
    }
    let region = region_of(location);
    let key_location = key.split('/').nth(3).unwrap_or("");
    (key_location != region).then(|| {
        format!("the key is in {key_location:?}, the cluster in {location:?}: GKE needs the key in the cluster's region, {region}")
    })
}

/// The pool's sizes, per zone.
pub fn pool_sizes(min: u32, max: u32) -> Option<String> {
    problem("gke.nodePools", |_, g| {
        if let Some(p) = g.node_pools.first_mut() {
            p.min_nodes = min;
            p.max_nodes = max;
        }
    })
}

/// A Compute Engine machine type name (e2-standard-4, n2-highmem-8, c3-standard-4-lssd).
pub fn machine_type(t: &str) -> Option<String> {
    let ok = t.contains('-')
        && t.starts_with(|c: char| c.is_ascii_lowercase())
        && !t.ends_with('-')
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    (!ok).then(|| format!("{t:?} is not a Compute Engine machine type (like e2-standard-4)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_is_valid_and_each_check_speaks_of_its_field() {
        assert_eq!(problem("", |_, _| {}), None);
        assert_eq!(project("acme-prod-1"), None);
        for bad in [
            "acme",
            "Acme-prod",
            "1acme-prod",
            "acme-prod-",
            "acme_prod_1",
        ] {
            assert!(
                project(bad).is_some_and(|w| w.contains("project id")),
                "{bad}"
            );
        }
        assert!(cluster_name("Payments").is_some());
        assert_eq!(cluster_name("payments"), None);
        assert_eq!(location("europe-west1-b", false), None);
        assert!(location("europe-west1-b", true).is_some_and(|w| w.contains("regional")));
        assert!(location("europe", false).is_some());
        assert!(services_range("pods", "pods").is_some_and(|w| w.contains("different")));
        assert!(network_policy("calico", true).is_some());
        assert_eq!(network_policy("dataplane-v2", true), None);
        assert!(release_channel("beta").is_some());
        assert_eq!(
            service_account("nodes@acme-prod.iam.gserviceaccount.com"),
            None
        );
        assert!(service_account("nodes@example.com").is_some());
        assert!(is_compute_default(
            "123456789012-compute@developer.gserviceaccount.com"
        ));
        assert!(is_compute_default("default"));
        assert!(pool_sizes(3, 1).is_some_and(|w| w.contains("above")));
        assert!(pool_sizes(0, 0).is_some());
        assert_eq!(pool_sizes(0, 2), None);
        assert!(machine_type("m6i.large").is_some());
        assert_eq!(machine_type("e2-standard-4"), None);
    }

    #[test]
    fn a_kms_key_is_in_the_clusters_region() {
        let key = "projects/sec/locations/europe-west1/keyRings/gke/cryptoKeys/k";
        assert_eq!(kms_key(key, "europe-west1"), None);
        assert_eq!(kms_key(key, "europe-west1-c"), None);
        assert!(kms_key(key, "us-central1").is_some_and(|w| w.contains("us-central1")));
        assert!(kms_key("projects/sec/keyRings/gke", "europe-west1").is_some());
    }
}
