//! `secrets-encryption-at-rest`: Secrets are encrypted in etcd.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::{Control, ParamSpec, ParamValue, Reference, Severity};
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
    detection: "Fails unless spec.encryptionConfig is true. kops then needs the secret \
                `encryptionconfig` in the state store before `kops update cluster`; Palisade's \
                apply writes it (an EncryptionConfiguration with a 32-byte key from the OS \
                CSPRNG, the profile's provider first and identity last).",
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
};
