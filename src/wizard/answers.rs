//! What the wizard learns: enough for a complete cluster file. The answers every provider asks
//! (the API's networks, the profile, the namespaces) sit beside the provider's own, so one
//! question, one check and one stretch of the written file serve both providers.

use crate::cluster_file::Date;

pub use super::answers_gke::{GkeAnswers, GkePoolAnswers, NodeAccount, SecretsKey};

/// The controls the wizard may write a waiver for, by their own ids.
pub mod waivable {
    pub use crate::controls::network::api_access_restricted::CONTROL as API_ACCESS;
    pub use crate::controls::nodes::node_service_account::CONTROL as NODE_ACCOUNT;
    pub use crate::controls::secrets::encryption_at_rest::CONTROL as SECRETS_ENCRYPTION;
}
pub use super::answers_kops::{KopsAnswers, SshAccess, StateStore};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// The cluster's name (kops: a DNS name; GKE: a label of at most 40).
    pub name: String,
    pub provider: ProviderAnswers,
    pub common: CommonAnswers,
}

/// The answers only one provider asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderAnswers {
    Kops(KopsAnswers),
    Gke(GkeAnswers),
}

/// The answers both providers ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommonAnswers {
    pub api_cidrs: Vec<String>,
    /// Set when `api_cidrs` opens the API to everyone: the waiver of api-access-restricted.
    pub api_waiver: Option<WaiverAnswer>,
    /// `baseline` or `strict`.
    pub profile: String,
    /// The teams' namespaces (the in-cluster guardrails act on them).
    pub namespaces: Vec<String>,
    /// The one of them where Services may be exposed (LoadBalancer, NodePort).
    pub ingress_namespace: Option<String>,
}

/// An accepted weakening, as the cluster file's `waivers:` holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverAnswer {
    pub reason: String,
    /// No date: the waiver holds until someone removes it.
    pub expires: Option<Date>,
}

impl Answers {
    pub fn kops(&self) -> Option<&KopsAnswers> {
        match &self.provider {
            ProviderAnswers::Kops(k) => Some(k),
            ProviderAnswers::Gke(_) => None,
        }
    }

    pub fn gke(&self) -> Option<&GkeAnswers> {
        match &self.provider {
            ProviderAnswers::Gke(g) => Some(g),
            ProviderAnswers::Kops(_) => None,
        }
    }

    /// Every waiver the file will carry, by control id, in the order the file lists them.
    pub fn waivers(&self) -> Vec<(&'static str, &WaiverAnswer)> {
        let mut out = Vec::new();
        if let Some(w) = &self.common.api_waiver {
            out.push((waivable::API_ACCESS.id, w));
        }
        if let ProviderAnswers::Gke(g) = &self.provider {
            if let NodeAccount::ComputeDefault(w) = &g.node_account {
                out.push((waivable::NODE_ACCOUNT.id, w));
            }
            if let SecretsKey::Waived(w) = &g.secrets {
                out.push((waivable::SECRETS_ENCRYPTION.id, w));
            }
        }
        out
    }

    /// One line on what the file describes, for the note init prints after writing it.
    pub fn summary(&self) -> String {
        match &self.provider {
            ProviderAnswers::Kops(k) => format!(
                "kops cluster {} in {} ({}), profile {}",
                self.name,
                k.region,
                k.zones.join(", "),
                self.common.profile
            ),
            ProviderAnswers::Gke(g) => format!(
                "GKE {} cluster {} in {} ({}), profile {}",
                if g.autopilot() {
                    "Autopilot"
                } else {
                    "Standard"
                },
                self.name,
                g.project,
                g.location,
                self.common.profile
            ),
        }
    }
}
