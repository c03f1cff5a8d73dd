//! EC2 look-ups through aws-sdk-ec2: zones and instance types for plan, and the live state of
//! a kops cluster's instances and security groups for `audit --live`.

pub mod bucket;
mod burstable;
mod client;
mod live;
pub mod protect;
mod s3;

pub use burstable::is_burstable_family;
pub use client::Ec2;
pub use live::observe;
pub use s3::S3;
