//! `audit --live` for a kops cluster on AWS: reads what the running instances and security
//! groups say. The controls' live halves judge it (`audit::evaluate_live`), so waivers and
//! levels apply to these findings as to every other.

use super::client::Ec2;
use crate::kops::live::LiveState;

/// The live EC2 state of the cluster named `cluster`.
pub fn observe(ec2: &Ec2, cluster: &str) -> Result<LiveState, String> {
    Ok(LiveState {
        instances: ec2.instances(cluster)?,
        ingress: ec2.ingress(cluster)?,
    })
}
