//! How much of the public internet a list of networks lets in, judged on the union of the
//! list, not entry by entry: `[0.0.0.0/1, 128.0.0.0/1]` opens everything as surely as
//! `0.0.0.0/0` does.
//!
//! Private and special-purpose ranges (RFC 1918, shared address space, loopback, link-local,
//! multicast, reserved; IPv6 unique-local, link-local, multicast) count for nothing: a VPN or an
//! office network behind them exposes nothing to the internet. IPv4-mapped IPv6 addresses
//! (`::ffff:0:0/96`) count as the IPv4 addresses they map.
//!
//! **The threshold**: a list is *open* when the union of its public IPv4 addresses is larger
//! than one /8 (16,777,216 addresses, the largest block a single organisation holds), or the
//! union of its public IPv6 space is larger than one /32 (a whole provider's allocation).

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// Public IPv4 addresses a list may open before it counts as open: one /8.
pub const MAX_PUBLIC_V4: u64 = 1 << 24;
/// Public IPv6 space a list may open before it counts as open, in /64 networks: one /32.
pub const MAX_PUBLIC_V6_64S: u128 = 1 << 32;

const SPECIAL_V4: &[(&str, &str)] = &[
    ("0.0.0.0/8", "this network"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared address space"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"),
    ("192.0.2.0/24", "documentation"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
];

/// Only global unicast (2000::/3) is public; of it, documentation is not.
const PUBLIC_V6: &str = "2000::/3";
const SPECIAL_V6_IN_PUBLIC: &[&str] = &["2001:db8::/32"];

/// What a list of networks opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Public IPv4 addresses in the union of the list.
    pub public_v4: u64,
    /// Public IPv6 /64 networks in the union of the list.
    pub public_v6_64s: u128,
    /// Entries that are not CIDRs (left out of the sums).
    pub unparsable: Vec<String>,
}

fn v4_range(n: &Ipv4Net) -> (u64, u64) {
    (
        u64::from(u32::from(n.network())),
        u64::from(u32::from(n.broadcast())) + 1,
    )
}

/// `[start, end)` ranges merged.
fn merge(mut ranges: Vec<(u128, u128)>) -> Vec<(u128, u128)> {
    ranges.sort();
    let mut out: Vec<(u128, u128)> = Vec::new();
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The size of `ranges` minus what lies in `holes` (both merged).
fn size_without(ranges: &[(u128, u128)], holes: &[(u128, u128)]) -> u128 {
    let mut total = 0;
    for &(s, e) in ranges {
        let mut size = e - s;
        for &(hs, he) in holes {
            let (os, oe) = (s.max(hs), e.min(he));
            if os < oe {
                size -= oe - os;
            }
        }
        total += size;
    }
    total
}

fn v6_range_64s(n: &Ipv6Net) -> (u128, u128) {
    // in units of /64: a prefix longer than /64 still occupies (part of) one /64
    let start = u128::from(n.network()) >> 64;
    let end = (u128::from(n.broadcast()) >> 64) + 1;
    (start, end)
}

/// The IPv4 network an IPv4-mapped IPv6 network stands for.
fn mapped_v4(n: &Ipv6Net) -> Option<Ipv4Net> {
    let mapped: Ipv6Net = "::ffff:0:0/96".parse().ok()?;
    if !mapped.contains(n) {
        return None;
    }
    let bits = u128::from(n.network()) as u32;
    Ipv4Net::new(Ipv4Addr::from(bits), n.prefix_len().saturating_sub(96)).ok()
}

impl Exposure {
    /// Judges `entries` (CIDRs; anything else is listed as unparsable).
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a str>) -> Exposure {
        let mut v4: Vec<(u128, u128)> = Vec::new();
        let mut v6: Vec<(u128, u128)> = Vec::new();
        let mut unparsable = Vec::new();
        for e in entries {
            match e.trim().parse::<IpNet>() {
                Ok(IpNet::V4(n)) => {
                    let (s, e) = v4_range(&n.trunc());
                    v4.push((u128::from(s), u128::from(e)));
                }
                Ok(IpNet::V6(n)) => match mapped_v4(&n.trunc()) {
                    Some(m) => {
                        let (s, e) = v4_range(&m);
                        v4.push((u128::from(s), u128::from(e)));
                    }
                    None => v6.push(v6_range_64s(&n.trunc())),
                },
                Err(_) => unparsable.push(e.to_string()),
            }
        }
        let holes4 = merge(
            SPECIAL_V4
                .iter()
                .filter_map(|(c, _)| c.parse::<Ipv4Net>().ok())
                .map(|n| {
                    let (s, e) = v4_range(&n);
                    (u128::from(s), u128::from(e))
                })
                .collect(),
        );
        let public_v4 = size_without(&merge(v4), &holes4) as u64;
        // IPv6: what lies inside 2000::/3, less documentation space
        let public: Ipv6Net = PUBLIC_V6
            .parse()
            .unwrap_or_else(|_| Ipv6Net::new(Ipv6Addr::UNSPECIFIED, 0).unwrap_or_default());
        let (ps, pe) = v6_range_64s(&public);
        let inside: Vec<(u128, u128)> = merge(v6)
            .into_iter()
            .filter_map(|(s, e)| {
                let (s, e) = (s.max(ps), e.min(pe));
                (s < e).then_some((s, e))
            })
            .collect();
        let holes6 = merge(
            SPECIAL_V6_IN_PUBLIC
                .iter()
                .filter_map(|c| c.parse::<Ipv6Net>().ok())
                .map(|n| v6_range_64s(&n))
                .collect(),
        );
        Exposure {
            public_v4,
            public_v6_64s: size_without(&inside, &holes6),
            unparsable,
        }
    }

    /// Whether the list opens more than the threshold (see the module's documentation).
    pub fn is_open(&self) -> bool {
        self.public_v4 > MAX_PUBLIC_V4 || self.public_v6_64s > MAX_PUBLIC_V6_64S
    }

    /// What it opens, for a message: `50.0% of the public IPv4 internet (2147483648 addresses)`.
    pub fn describe(&self) -> String {
        // the public IPv4 space: 2^32 less the special ranges (about 3.7 billion)
        let total_v4 = Exposure::of(["0.0.0.0/0"]).public_v4.max(1);
        let mut parts = Vec::new();
        if self.public_v4 > 0 {
            parts.push(format!(
                "{:.1}% of the public IPv4 internet ({} addresses)",
                self.public_v4 as f64 * 100.0 / total_v4 as f64,
                self.public_v4
            ));
        }
        if self.public_v6_64s > 0 {
            let total_v6: u128 = 1 << 61; // 2000::/3 in /64s
            parts.push(format!(
                "{:.1}% of the public IPv6 internet",
                self.public_v6_64s as f64 * 100.0 / total_v6 as f64
            ));
        }
        if parts.is_empty() {
            "no public addresses".into()
        } else {
            parts.join(" and ")
        }
    }

    /// A list for a message: at most four entries, each printable and cut to 43 characters
    /// (a CIDR is at most 43), then how many more there are.
    pub fn excerpt<'a>(list: impl IntoIterator<Item = &'a str>) -> String {
        let all: Vec<&str> = list.into_iter().collect();
        let mut shown: Vec<String> = all
            .iter()
            .take(4)
            .map(|e| {
                let printable: String = e.escape_debug().collect();
                if printable.chars().count() > 43 {
                    format!("{}…", printable.chars().take(43).collect::<String>())
                } else {
                    printable
                }
            })
            .collect();
        if all.len() > 4 {
            shown.push(format!("and {} more", all.len() - 4));
        }
        shown.join(", ")
    }

    /// The threshold, for messages.
    pub fn limit() -> &'static str {
        "at most one /8 of public IPv4 space (16777216 addresses) and one /32 of public IPv6"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(list: &[&str]) -> bool {
        Exposure::of(list.iter().copied()).is_open()
    }

    #[test]
    fn the_internet_in_pieces_is_open() {
        assert!(open(&["0.0.0.0/0"]));
        assert!(open(&["::/0"]));
        assert!(open(&["0.0.0.0/1", "128.0.0.0/1"]));
        assert!(open(&["::/1", "8000::/1"]));
        let eights: Vec<String> = (0..256).map(|i| format!("{i}.0.0.0/8")).collect();
        assert!(Exposure::of(eights.iter().map(String::as_str)).is_open());
        // the whole IPv4 internet, spelt as IPv4-mapped IPv6
        assert!(open(&["::ffff:0.0.0.0/96"]));
        // two public /8s are more than one
        assert!(open(&["11.0.0.0/8", "12.0.0.0/8"]));
        assert!(open(&["2600::/12"]));
    }

    #[test]
    fn named_networks_are_not() {
        assert!(!open(&["203.0.113.0/24", "198.51.100.7/32"]));
        assert!(!open(&["11.0.0.0/8"]), "one /8 is the limit, not over it");
        // private space counts for nothing, however large
        assert!(!open(&[
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10"
        ]));
        assert!(!open(&["fc00::/7", "fe80::/10"]));
        assert!(!open(&["2001:db8::/32", "2a00:1450::/32"]));
        // overlapping entries are counted once
        assert!(!open(&["11.0.0.0/9", "11.0.0.0/8", "11.128.0.0/9"]));
        assert!(!open(&[]));
    }

    #[test]
    fn it_says_how_much_is_open() {
        let e = Exposure::of(["0.0.0.0/1", "128.0.0.0/1"]);
        assert_eq!(
            e.describe(),
            format!(
                "100.0% of the public IPv4 internet ({} addresses)",
                e.public_v4
            )
        );
        let half = Exposure::of(["0.0.0.0/1"]);
        assert!(
            half.describe()
                .starts_with("56.5% of the public IPv4 internet"),
            "{}",
            half.describe()
        );
        let bad = Exposure::of(["banana", "10.0.0.0/8"]);
        assert_eq!(bad.unparsable, ["banana"]);
        assert_eq!(bad.describe(), "no public addresses");
    }
}
