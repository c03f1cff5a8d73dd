//! `iam-legacy-off`: nodes get scoped IAM policies, not the legacy broad ones.

use crate::controls::common::{Field, FieldRule, Want, WhenUnset};
use crate::controls::{Control, Severity, Status};
use crate::kops::Cloud;

pub static CONTROL: Control = Control {
    id: "iam-legacy-off",
    title: "Use kops' scoped IAM policies, not the legacy ones",
    severity: Severity::High,
    family: "nodes",
    rationale: "Legacy IAM gave every node broad EC2 and Route 53 rights, which any pod that \
                reaches the node's credentials inherits.",
    source: "kops docs/iam_roles.md",
    references: &[],
    kops_fields: &["spec.iam.legacy"],
    detection: "Fails when spec.iam.legacy is true. Unset passes: kops defaults it to false.",
    params: &[],
    kops: &FieldRule {
        fields: &[Field {
            path: &["spec", "iam", "legacy"],
            want: Want::Bool(false),
            unset: WhenUnset::Pass("kops defaults it to false"),
        }],
        clouds: &[Cloud::Aws],
    },
    gke: None,
    live: None,
    store: None,
    status: Status::Stable,
};
