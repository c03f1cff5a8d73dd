//! Stable codes for the problems users see (cluster-file errors and refusals), in cargo-deny's
//! manner: kebab-case, never renamed, shown after each message (`[code]`) and in JSON output, so
//! that scripts and tests match codes rather than prose. `tests/catalogue.rs` snapshots the list.

use std::fmt;

use serde::Serialize;

macro_rules! codes {
    ($($variant:ident => $code:literal: $doc:literal,)*) => {
        /// What kind of problem a cluster file has.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in the order documented.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// What the code means, in a line.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }
        }
    };
}

codes! {
    InvalidYaml => "invalid-yaml": "the file is not YAML, or not the YAML shape of a cluster file",
    TooDeep => "too-deep": "mappings and sequences nested deeper than any cluster file needs",
    UnknownField => "unknown-field": "a key the cluster file format does not have (a typo?)",
    MissingField => "missing-field": "a required key is absent",
    WrongType => "wrong-type": "a value of the wrong type (a string where a number belongs, …)",
    UnknownValue => "unknown-value": "a value outside the allowed set",
    InvalidCidr => "invalid-cidr": "not a CIDR, or a CIDR with host bits set outside its prefix",
    InvalidDate => "invalid-date": "a date that is not YYYY-MM-DD",
    WrongApiVersion => "wrong-api-version": "apiVersion is not palisade.dev/v1alpha1",
    WrongKind => "wrong-kind": "kind is not Cluster",
    EmptyProfileList => "empty-profile-list": "an empty profile list",
    UnknownProfile => "unknown-profile": "a profile that is neither built in nor a readable file",
    InvalidProfile => "invalid-profile": "a profile file that is not a valid profile (its own line and column)",
    TwoProviders => "two-providers": "both a kops: and a gke: section",
    NoProvider => "no-provider": "neither a kops: nor a gke: section",
    InvalidClusterName => "invalid-cluster-name": "a cluster name the provider does not accept",
    InvalidGkeProject => "invalid-gke-project": "not a Google Cloud project id",
    InvalidGkeLocation => "invalid-gke-location": "not a GKE region or zone",
    InvalidGkeNetwork => "invalid-gke-network": "not a VPC network or subnetwork name or path",
    InvalidSecondaryRange => "invalid-secondary-range": "not a secondary range name",
    SameSecondaryRange => "same-secondary-range": "pods and services share one secondary range",
    UnknownReleaseChannel => "unknown-release-channel": "not a GKE release channel",
    UnknownNetworkPolicyEngine => "unknown-network-policy-engine": "neither calico nor dataplane-v2",
    InvalidKmsKey => "invalid-kms-key": "not a Cloud KMS key name",
    InvalidServiceAccount => "invalid-service-account": "not a service account email",
    NoNodePools => "no-node-pools": "a GKE cluster without a node pool",
    AutopilotNodePools => "autopilot-node-pools": "node pools on an Autopilot cluster, which makes its own",
    AutopilotZonal => "autopilot-zonal": "an Autopilot cluster in a zone (Autopilot clusters are regional)",
    AutopilotCalico => "autopilot-calico": "Calico on Autopilot, where Dataplane V2 enforces NetworkPolicy",
    InvalidNodePoolName => "invalid-node-pool-name": "a node pool name GKE does not accept",
    DuplicateNodePool => "duplicate-node-pool": "two node pools with one name",
    DiskTooSmall => "disk-too-small": "a node disk below the provider's minimum",
    UnsupportedCloud => "unsupported-cloud": "a kops cloud Palisade does not render for",
    NoZones => "no-zones": "no zone listed",
    ZoneNotInRegion => "zone-not-in-region": "a zone that is not in the region",
    DuplicateZone => "duplicate-zone": "a zone listed twice",
    TooManyZones => "too-many-zones": "more zones than the network is split for",
    InvalidKubernetesVersion => "invalid-kubernetes-version": "not a MAJOR.MINOR.PATCH version",
    KubernetesTooOld => "kubernetes-too-old": "older than the provider supports",
    NetworkTooSmall => "network-too-small": "a network too small for its subnets",
    NetworkNotIpv4 => "network-not-ipv4": "an IPv6 network where kops needs IPv4",
    NetworkOverlapsPods => "network-overlaps-pods": "the network overlaps the pod and service range",
    ControlPlaneCount => "control-plane-count": "a control-plane size other than 1 or 3",
    ControlPlaneZones => "control-plane-zones": "3 control-plane nodes with fewer than 3 zones",
    NoNodeGroups => "no-node-groups": "a kops cluster without a node group",
    InvalidNodeGroupName => "invalid-node-group-name": "a node group name kops does not accept",
    ReservedNodeGroupName => "reserved-node-group-name": "a node group name Palisade uses itself",
    DuplicateNodeGroup => "duplicate-node-group": "two node groups with one name",
    MinAboveMax => "min-above-max": "a minimum size above the maximum",
    ZeroMaxNodes => "zero-max-nodes": "a group or pool that could have no nodes",
    ZoneNotInCluster => "zone-not-in-cluster": "a group zone that is not one of the cluster's zones",
    InvalidStateStore => "invalid-state-store": "a state store that is neither file:// nor s3://",
    InvalidDiscoveryStore => "invalid-discovery-store": "an IRSA discovery store kops cannot use",
    InvalidSshKey => "invalid-ssh-key": "not an OpenSSH public key",
    UnreadableSshKey => "unreadable-ssh-key": "the SSH public key file cannot be read",
    UnknownOverrideGroup => "unknown-override-group": "overrides for an instance group the cluster does not have",
    InvalidOverride => "invalid-override": "an override the provider's schema refuses",
    InvalidProviderRequest => "invalid-provider-request": "rendered provider input the provider's API would refuse (a defect of Palisade)",
    InvalidNamespace => "invalid-namespace": "a namespace name that is not a DNS label, or a system namespace",
    DuplicateNamespace => "duplicate-namespace": "two namespaces with one name",
    UnknownControl => "unknown-control": "a waiver for a control the catalogue does not have",
    WaiverWithoutReason => "waiver-without-reason": "a waiver that does not say why",
    WaiverExpired => "waiver-expired": "a waiver past its expiry date",
    DuplicateWaiver => "duplicate-waiver": "two waivers for one control",
    WaiverForbidden => "waiver-forbidden": "a waiver the profile forbids",
    ControlRefused => "control-refused": "an enforced control fails and no waiver carries it",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Code {
    /// The code of a serde_yaml message about the cluster file's shape.
    pub fn of_parse_error(message: &str) -> Code {
        // nested errors name their path first: `kops.zones: invalid type: …`
        let message = match message.split_once(": ") {
            Some((path, rest)) if !path.contains(' ') => rest,
            _ => message,
        };
        if message.starts_with("unknown field") {
            Code::UnknownField
        } else if message.starts_with("missing field") {
            Code::MissingField
        } else if message.starts_with("invalid type") {
            Code::WrongType
        } else if message.starts_with("unknown variant") {
            Code::UnknownValue
        } else if message.starts_with("invalid date") {
            Code::InvalidDate
        } else if message.contains("is not a CIDR") || message.contains("host bits set") {
            Code::InvalidCidr
        } else {
            Code::InvalidYaml
        }
    }
}
