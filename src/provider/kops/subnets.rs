//! Subnet layout of a new cluster: the network is split in eight; the first eighth holds the
//! small utility subnets (load balancers, NAT, bastion), one per zone, and each zone gets one
//! of the other eighths for its nodes. For 10.0.0.0/16 that is utility /22s in 10.0.0.0/19 and
//! a /19 per zone from 10.0.32.0 on, as `kops create cluster` lays them out.

use ipnet::Ipv4Net;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSubnets {
    pub zone: String,
    pub nodes: Ipv4Net,
    pub utility: Ipv4Net,
}

/// The layout for `zones` (at most 7) in `network` (/20 or larger); the cluster file loader
/// checks both bounds, and `None` answers anything outside them.
pub fn layout(network: Ipv4Net, zones: &[String]) -> Option<Vec<ZoneSubnets>> {
    if zones.len() > 7 || network.prefix_len() > 20 {
        return None;
    }
    let eighths: Vec<Ipv4Net> = network.subnets(network.prefix_len() + 3).ok()?.collect();
    let utility: Vec<Ipv4Net> = eighths
        .first()?
        .subnets(network.prefix_len() + 6)
        .ok()?
        .collect();
    Some(
        zones
            .iter()
            .enumerate()
            .map(|(i, z)| ZoneSubnets {
                zone: z.clone(),
                nodes: eighths[i + 1],
                utility: utility[i],
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kops_like_layout() {
        let zones = vec!["eu-west-1a".to_string(), "eu-west-1b".to_string()];
        let l = layout("10.0.0.0/16".parse().expect("net"), &zones).expect("layout");
        assert_eq!(l[0].nodes.to_string(), "10.0.32.0/19");
        assert_eq!(l[1].nodes.to_string(), "10.0.64.0/19");
        assert_eq!(l[0].utility.to_string(), "10.0.0.0/22");
        assert_eq!(l[1].utility.to_string(), "10.0.4.0/22");
    }

    #[test]
    fn refuses_small_networks() {
        assert!(layout("10.0.0.0/24".parse().expect("net"), &["a".into()]).is_none());
    }
}
