//! Runs a GKE plan: `clusters.create`, or the steps one at a time, each Operation polled to DONE
//! before the next call (GKE refuses a second mutating operation on a cluster meanwhile). The
//! first failure stops the run and says what was and was not applied. Then the Kubernetes
//! objects, one server-side apply at a time, through the cluster's API as it is after the calls
//! (read again: the calls may have opened its DNS endpoint).

use thiserror::Error;

use super::client::{GkeClient, GkeError};
use super::kube::KubeApi;
use super::plan::GkePlan;
use super::provider::KubeReach;

#[derive(Debug, Error)]
#[error("{error}\napplied: {}\nnot applied: {}", list(.applied), list(.not_applied))]
pub struct ApplyFailure {
    pub applied: Vec<String>,
    pub failed: String,
    pub not_applied: Vec<String>,
    pub error: GkeError,
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "nothing".into()
    } else {
        items.join("; ")
    }
}

/// Applies `plan`; returns the calls made, in order.
pub async fn apply(
    client: &GkeClient,
    plan: &GkePlan,
    reach: &KubeReach,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<String>, ApplyFailure> {
    let parent = plan
        .cluster
        .rsplit_once("/clusters/")
        .map_or(plan.cluster.as_str(), |(p, _)| p)
        .to_string();
    let mut calls: Vec<String> = Vec::new();
    if plan.create.is_some() {
        calls.push(format!("clusters.create {}", plan.cluster));
    }
    calls.extend(
        plan.steps
            .iter()
            .map(|s| format!("{} {}", s.label(), s.object)),
    );
    calls.extend(plan.objects.iter().map(|o| {
        let how = if o.replace {
            "replace"
        } else {
            "server-side apply"
        };
        format!("{how} {}", o.object)
    }));
    let fail = |i: usize, error: GkeError| ApplyFailure {
        applied: calls[..i].to_vec(),
        failed: calls[i].clone(),
        not_applied: calls[i..].to_vec(),
        error,
    };
    let mut index = 0;
    if let Some(request) = &plan.create {
        progress(&format!(
            "[1/{}] clusters.create {}",
            calls.len(),
            plan.cluster
        ));
        let op = client.create(request).await.map_err(|e| fail(0, e))?;
        client
            .wait(&parent, "clusters.create", op, progress)
            .await
            .map_err(|e| fail(0, e))?;
        index = 1;
    }
    for step in &plan.steps {
        progress(&format!("[{}/{}] {}", index + 1, calls.len(), calls[index]));
        let op = client
            .send(step, &plan.cluster)
            .await
            .map_err(|e| fail(index, e))?;
        client
            .wait(&parent, &step.call, op, progress)
            .await
            .map_err(|e| fail(index, e))?;
        index += 1;
    }
    if plan.objects.is_empty() {
        return Ok(calls);
    }
    let live = client
        .get_cluster(&plan.cluster)
        .await
        .and_then(|c| {
            c.ok_or_else(|| GkeError::Call {
                call: "clusters.get".into(),
                resource: plan.cluster.clone(),
                message: "the cluster is not there".into(),
            })
        })
        .map_err(|e| fail(index, e))?;
    let api = KubeApi::connect(reach.reach(&live))
        .await
        .map_err(|e| fail(index, GkeError::Kube(e)))?;
    let minor = crate::gke::ClusterView::new(&live).minor();
    if plan.create.is_some()
        && minor.is_none()
        && plan
            .objects
            .iter()
            .any(|o| o.object.starts_with("Namespace/"))
    {
        return Err(fail(
            index,
            GkeError::Call {
                call: "clusters.get".into(),
                resource: plan.cluster.clone(),
                message: super::provider::no_version(&live),
            },
        ));
    }
    for o in &plan.objects {
        progress(&format!(
            "[{}/{}] {} ({})",
            index + 1,
            calls.len(),
            calls[index],
            api.base_url()
        ));
        let mut body = o.body.clone();
        if plan.create.is_some() {
            // a new cluster's version is known now
            if let Some(minor) = &minor {
                crate::controls::guardrails::namespace_pod_security::pin_version(&mut body, minor);
            }
        }
        let written = if o.replace {
            api.replace(&body).await
        } else {
            api.apply(&body).await
        };
        written.map_err(|e| fail(index, GkeError::Kube(e)))?;
        index += 1;
    }
    Ok(calls)
}
