//! Running the `kops` binary after Palisade has written the state store: `kops update cluster`
//! turns the stored spec into cloud resources. Palisade never reimplements that.

use std::path::PathBuf;
use std::process::Command;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum KopsError {
    #[error("the kops binary `{bin}` was not found; install kops (https://kops.sigs.k8s.io/getting_started/install/) or pass --kops-bin PATH")]
    NotFound { bin: String },
    #[error("cannot run {bin}: {reason}")]
    Spawn { bin: String, reason: String },
    #[error("kops update cluster failed (exit {code}):\n{stderr}")]
    Failed { code: String, stderr: String },
}

/// What kops printed.
#[derive(Debug)]
pub struct KopsRun {
    pub stdout: String,
    pub stderr: String,
}

/// `kops update cluster` for one cluster of a state store: what continues after `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KopsUpdate {
    pub cluster: String,
    /// The state store URL as kops takes it.
    pub state: String,
}

impl KopsUpdate {
    /// The arguments of `kops update cluster`; `yes` applies.
    pub fn args(&self, yes: bool) -> Vec<String> {
        let mut args = vec![
            "update".into(),
            "cluster".into(),
            "--name".into(),
            self.cluster.clone(),
            "--state".into(),
            self.state.clone(),
        ];
        if yes {
            args.push("--yes".into());
        }
        args
    }

    /// Why kops cannot run the cluster from this store, and how to move it: a `file://` store
    /// serves a plan's review, not a cluster. The nodes read their configuration from the
    /// store (the Cluster's `configBase`), and a path on this machine is not reachable from
    /// them: kops itself warns that the local filesystem store "is not functional for running
    /// clusters". `apply_again` is the command that writes the same objects elsewhere, with
    /// `--state` left to add.
    pub fn unrunnable(&self, apply_again: &str) -> Option<String> {
        if !self.state.starts_with("file://") {
            return None;
        }
        Some(format!(
            "kops cannot run a cluster from the file:// store {state}: the nodes read their configuration from the state store, and a path on this machine is not reachable from them (a file:// store is for reviewing plans offline). To create the cluster, move it to S3:\n  palisade state-bucket create s3://BUCKET --region REGION   # versioned, encrypted, TLS-only, no public access\n  {apply_again} --state s3://BUCKET      # writes the same objects there\n  kops update cluster --name {cluster} --state s3://BUCKET --yes\n(or set kops.stateStore: s3://BUCKET in the cluster file)",
            state = self.state,
            cluster = self.cluster,
        ))
    }
}

/// Runs `bin` (a path, or a name looked up on PATH) with `args`.
pub fn run(bin: &PathBuf, args: &[String]) -> Result<KopsRun, KopsError> {
    let shown = bin.display().to_string();
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => KopsError::NotFound { bin: shown.clone() },
            _ => KopsError::Spawn {
                bin: shown.clone(),
                reason: e.to_string(),
            },
        })?;
    let run = KopsRun {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    if out.status.success() {
        Ok(run)
    } else {
        Err(KopsError::Failed {
            code: out
                .status
                .code()
                .map_or("by signal".into(), |c| c.to_string()),
            stderr: run.stderr,
        })
    }
}
