//! A small synchronous face over aws-sdk-ec2 (the rest of Palisade is synchronous).

use aws_sdk_ec2::types::{Filter, InstanceType};
use aws_sdk_ec2::Client;
use tokio::runtime::Runtime;

use crate::kops::live::{IngressRule, InstanceMetadata};

pub struct Ec2 {
    client: Client,
    runtime: Runtime,
}

fn describe<E>(what: &str, e: &aws_sdk_ec2::error::SdkError<E>) -> String
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::fmt::Debug,
{
    match e {
        aws_sdk_ec2::error::SdkError::ServiceError(s) => {
            format!(
                "{what}: {} ({})",
                s.err().message().unwrap_or("no message"),
                s.err().code().unwrap_or("no code")
            )
        }
        aws_sdk_ec2::error::SdkError::DispatchFailure(_) => {
            format!("{what}: cannot reach the EC2 endpoint")
        }
        other => format!("{what}: {other:?}").chars().take(300).collect(),
    }
}

fn cluster_filter(cluster: &str) -> Filter {
    Filter::builder()
        .name("tag:KubernetesCluster")
        .values(cluster)
        .build()
}

impl Ec2 {
    /// A client for `region`, with credentials and endpoint from the standard AWS chain.
    pub fn connect(region: &str) -> Result<Ec2, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let shared = runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new(region.to_string()))
                .load(),
        );
        Ok(Ec2 {
            client: Client::new(&shared),
            runtime,
        })
    }

    /// The zone names of the client's region.
    pub fn zones(&self) -> Result<Vec<String>, String> {
        let out = self
            .runtime
            .block_on(self.client.describe_availability_zones().send())
            .map_err(|e| describe("DescribeAvailabilityZones", &e))?;
        Ok(out
            .availability_zones()
            .iter()
            .filter_map(|z| z.zone_name().map(str::to_string))
            .collect())
    }

    /// Which of `types` are burstable, by EC2's own account; unknown types are reported as an error.
    pub fn burstable(&self, types: &[String]) -> Result<Vec<String>, String> {
        let req = self
            .client
            .describe_instance_types()
            .set_instance_types(Some(
                types
                    .iter()
                    .map(|t| InstanceType::from(t.as_str()))
                    .collect(),
            ));
        let out = self
            .runtime
            .block_on(req.send())
            .map_err(|e| describe("DescribeInstanceTypes", &e))?;
        Ok(out
            .instance_types()
            .iter()
            .filter(|i| i.burstable_performance_supported() == Some(true))
            .filter_map(|i| i.instance_type().map(|t| t.as_str().to_string()))
            .collect())
    }

    /// The running instances of a kops cluster (tag KubernetesCluster=NAME).
    pub fn instances(&self, cluster: &str) -> Result<Vec<InstanceMetadata>, String> {
        let state = Filter::builder()
            .name("instance-state-name")
            .values("pending")
            .values("running")
            .build();
        let mut pages = self
            .client
            .describe_instances()
            .filters(cluster_filter(cluster))
            .filters(state)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        self.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| describe("DescribeInstances", &e))?;
                for r in page.reservations() {
                    for i in r.instances() {
                        let meta = i.metadata_options();
                        out.push(InstanceMetadata {
                            id: i.instance_id().unwrap_or("?").to_string(),
                            http_tokens: meta
                                .and_then(|m| m.http_tokens())
                                .map(|t| t.as_str().to_string()),
                            hop_limit: meta.and_then(|m| m.http_put_response_hop_limit()),
                        });
                    }
                }
            }
            Ok::<(), String>(())
        })?;
        Ok(out)
    }

    /// The ingress rules of a kops cluster's security groups (tag KubernetesCluster=NAME).
    pub fn ingress(&self, cluster: &str) -> Result<Vec<IngressRule>, String> {
        let mut pages = self
            .client
            .describe_security_groups()
            .filters(cluster_filter(cluster))
            .into_paginator()
            .send();
        let mut out = Vec::new();
        self.runtime.block_on(async {
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| describe("DescribeSecurityGroups", &e))?;
                for g in page.security_groups() {
                    for p in g.ip_permissions() {
                        let mut cidrs: Vec<String> = p
                            .ip_ranges()
                            .iter()
                            .filter_map(|r| r.cidr_ip().map(str::to_string))
                            .collect();
                        cidrs.extend(
                            p.ipv6_ranges()
                                .iter()
                                .filter_map(|r| r.cidr_ipv6().map(str::to_string)),
                        );
                        out.push(IngressRule {
                            group_id: g.group_id().unwrap_or("?").to_string(),
                            protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                            from_port: p.from_port(),
                            to_port: p.to_port(),
                            cidrs,
                        });
                    }
                }
            }
            Ok::<(), String>(())
        })?;
        Ok(out)
    }
}
