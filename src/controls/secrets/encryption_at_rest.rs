//! `secrets-encryption-at-rest`: Secrets are encrypted in etcd.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::{Control, ParamSpec, ParamValue, Params, Reference, Severity, Status};
use crate::kops::Cloud;

pub static CONTROL: Control = Control {
    id: "secrets-encryption-at-rest",
    title: "Encrypt Secrets at rest in etcd",
    severity: Severity::High,
    family: "secrets",
    rationale: "Without an encryption provider, Secrets sit in etcd, its backups and its \
                volume snapshots as plain base64.",
    source: "CIS Kubernetes Benchmark 1.2.27-1.2.28; kops issue 3356 and PR 3368",
    references: &[
        Reference { benchmark: "cis-gke", id: "5.3.1" },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.27",
        },
        Reference {
            benchmark: "cis-1.12",
            id: "1.2.28",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.27",
        },
        Reference {
            benchmark: "cis-1.10",
            id: "1.2.28",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.28",
        },
        Reference {
            benchmark: "cis-1.8",
            id: "1.2.29",
        },
    ],
    kops_fields: &[
        "spec.encryptionConfig",
        "state store secrets/encryptionconfig",
    ],
    detection: concat!(
        "Fails unless spec.encryptionConfig is true. kops then needs the secret \
                `encryptionconfig` in the state store before `kops update cluster`; Palisade's \
                apply writes it (an EncryptionConfiguration with a 32-byte key from the OS \
                CSPRNG, the profile's provider first and identity last).",
        " GKE: databaseEncryption.state ENCRYPTED with a Cloud KMS keyName (application-layer secrets encryption; GKE otherwise encrypts only at the storage layer); needs gke.secretsKmsKey; changed in place with clusters.update desiredDatabaseEncryption."
    ),
    params: &[ParamSpec {
        name: "provider",
        doc: "the encryption provider of the generated EncryptionConfiguration",
        value: ParamValue::Choice {
            default: "secretbox",
            allowed: &["secretbox", "aescbc"],
        },
    }],
    kops: &FieldRule {
        fields: &[Field {
            path: &["spec", "encryptionConfig"],
            want: Want::Bool(true),
            unset: WhenUnset::Fail("kops stores Secrets unencrypted by default"),
        }],
        clouds: &[Cloud::Aws, Cloud::Gce, Cloud::Other],
    },
    gke: Some(&Gke),
    live: None,
    store: None,
    status: Status::Stable,
};

/// The GKE half.
/// The EncryptionConfiguration provider these parameters ask for (`aescbc`, `secretbox`, …):
/// what apply and rotate-encryption-key put first in the generated secret.
pub fn provider(params: &Params) -> String {
    params.str("provider").to_string()
}

struct Gke;

impl crate::controls::GkeRule for Gke {
    fn fix_field(&self) -> Option<&'static str> {
        Some("gke.secretsKmsKey")
    }
    fn fields(&self) -> &'static [&'static str] {
        &["databaseEncryption.state", "databaseEncryption.keyName"]
    }

    fn check(
        &self,
        cluster: &crate::gke::ClusterView<'_>,
        _: &crate::controls::Params,
    ) -> Vec<crate::controls::Check> {
        let object = cluster.object();
        let state = cluster.enum_name(&["databaseEncryption", "state"]);
        let key = cluster.text(&["databaseEncryption", "keyName"]);
        let path = "databaseEncryption.state";
        vec![match (state, key) {
            (Some("ENCRYPTED" | "ALL_OBJECTS_ENCRYPTION_ENABLED"), Some(k)) => {
                crate::controls::Check::pass(
                    &object,
                    path,
                    format!("secrets are encrypted with {k}"),
                )
            }
            (Some(s @ ("ENCRYPTED" | "ALL_OBJECTS_ENCRYPTION_ENABLED")), None) => {
                crate::controls::Check::fail(
                    &object,
                    "databaseEncryption.keyName",
                    format!("{path} is {s} but no keyName is set"),
                )
            }
            (Some(s), _) => crate::controls::Check::fail(
                &object,
                path,
                format!("{path} is {s}: secrets are not encrypted with a KMS key"),
            ),
            (None, _) => crate::controls::Check::fail(
                &object,
                path,
                "application-layer secrets encryption is off",
            ),
        }]
    }

    fn apply(
        &self,
        cluster: &mut serde_json::Value,
        _: &crate::controls::Params,
        ctx: &crate::gke::GkeCtx,
    ) -> Result<(), String> {
        let Some(key) = &ctx.section.secrets_kms_key else {
            return Err("no KMS key for secrets: set gke.secretsKmsKey (projects/P/locations/L/keyRings/R/cryptoKeys/K)".into());
        };
        crate::gke::view::set(
            cluster,
            &["databaseEncryption", "state"],
            serde_json::Value::from("ENCRYPTED"),
        );
        crate::gke::view::set(
            cluster,
            &["databaseEncryption", "keyName"],
            serde_json::Value::from(key.as_str()),
        );
        Ok(())
    }
}
