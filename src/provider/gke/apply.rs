//! Runs a GKE plan: `clusters.create`, or the steps one at a time, each Operation polled to DONE
//! before the next call (GKE refuses a second mutating operation on a cluster meanwhile). The
//! first failure stops the run and says what was and was not applied.

use thiserror::Error;

use super::client::{GkeClient, GkeError};
use super::plan::GkePlan;

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
    Ok(calls)
}
