//! Checks against the cloud that plan runs when AWS credentials are at hand: the zones exist
//! in the region, and machine types are not burstable. Without credentials nothing is asked
//! (and no metadata service is probed); burstable types are then judged from a built-in list.

use super::common::Loaded;
use super::Output;
use crate::aws::{is_burstable_family, Ec2};

/// Whether the standard chain has credentials without probing an instance metadata service.
pub fn credentials_present() -> bool {
    let env = [
        "AWS_ACCESS_KEY_ID",
        "AWS_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ];
    if env
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()))
    {
        return true;
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    home.is_some_and(|h| h.join(".aws/credentials").exists() || h.join(".aws/config").exists())
}

/// Names a file that stands in for the DMI product name (tests).
pub const DMI_PRODUCT_ENV: &str = "PALISADE_DMI_PRODUCT_NAME";
const DMI_PRODUCT: &str = "/sys/class/dmi/id/product_name";

/// Whether a Google metadata server can answer here: `GCE_METADATA_HOST` names one, or the
/// machine says it is a Compute Engine VM (its DMI product name is "Google Compute Engine",
/// as Google's own client libraries check). Reads one small file; asks no server.
pub fn google_metadata_possible() -> bool {
    if std::env::var_os("GCE_METADATA_HOST").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let path = std::env::var_os(DMI_PRODUCT_ENV)
        .filter(|v| !v.is_empty())
        .map_or_else(
            || std::path::PathBuf::from(DMI_PRODUCT),
            std::path::PathBuf::from,
        );
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut name = String::new();
    let _ = std::io::Read::read_to_string(&mut std::io::Read::take(file, 256), &mut name);
    name.trim().starts_with("Google")
}

/// Zone and instance-type checks for a loaded cluster file.
pub fn check_cluster_file(l: &Loaded, o: &mut Output<'_>) -> anyhow::Result<()> {
    let Some(k) = &l.file.kops else { return Ok(()) };
    let mut types: Vec<(String, String)> = vec![(
        "kops.controlPlane.machineType".into(),
        k.control_plane.machine_type.clone(),
    )];
    for (i, g) in k.node_groups.iter().enumerate() {
        types.push((
            format!("kops.nodeGroups[{i}].machineType"),
            g.machine_type.clone(),
        ));
    }
    let ec2 = if credentials_present() {
        Some(Ec2::connect(&k.region).map_err(anyhow::Error::msg)?)
    } else {
        o.info("no AWS credentials found: zones not checked, burstable types judged from the built-in list")?;
        None
    };
    let burstable: Vec<String> = match &ec2 {
        Some(ec2) => {
            match ec2.zones() {
                Ok(known) => {
                    let mut problems = Vec::new();
                    for (i, z) in k.zones.iter().enumerate() {
                        if !known.contains(z) {
                            problems.push(format!(
                                "{}: zone {z} does not exist in region {} (it has: {})",
                                l.source.locate(&format!("kops.zones[{i}]")),
                                k.region,
                                known.join(", ")
                            ));
                        }
                    }
                    if !problems.is_empty() {
                        anyhow::bail!("{}", problems.join("\n"));
                    }
                }
                Err(e) => o.warn(&format!("could not check the zones of {}: {e}", k.region))?,
            }
            let names: Vec<String> = types.iter().map(|(_, t)| t.clone()).collect();
            ec2.burstable(&names).unwrap_or_else(|e| {
                let _ = o.warn(&format!(
                    "could not look up instance types ({e}); using the built-in list"
                ));
                names
                    .into_iter()
                    .filter(|t| is_burstable_family(t))
                    .collect()
            })
        }
        None => types
            .iter()
            .map(|(_, t)| t.clone())
            .filter(|t| is_burstable_family(t))
            .collect(),
    };
    for (field, t) in &types {
        if burstable.contains(t) {
            o.warn(&format!(
                "{}: {t} is a burstable type: its CPU credits run out under steady load and the node slows to a fraction of a core; prefer a fixed-performance type (m6i, m7i, c7i…)",
                l.source.locate(field)
            ))?;
        }
    }
    Ok(())
}
