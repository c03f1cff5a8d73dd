//! CIDRs as kops accepts them: canonical (no host bits outside the prefix).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr(ipnet::IpNet);

impl Cidr {
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let net: ipnet::IpNet = s
            .parse()
            .map_err(|_| format!("{s:?} is not a CIDR (expected an address and a prefix length, like 203.0.113.0/24)"))?;
        if net.trunc() != net {
            return Err(format!(
                "{s} has host bits set outside the /{} prefix; kops rejects it. Did you mean {}?",
                net.prefix_len(),
                net.trunc()
            ));
        }
        Ok(Cidr(net))
    }

    pub fn net(&self) -> ipnet::IpNet {
        self.0
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for Cidr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Cidr".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A network in canonical CIDR form (no host bits outside the prefix), e.g. 203.0.113.0/24",
            "pattern": "^([0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)/[0-9]{1,3}$"
        })
    }
}
