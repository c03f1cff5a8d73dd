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

/// The arguments of `kops update cluster` for `cluster` in `state`; `yes` applies.
pub fn update_args(cluster: &str, state: &str, yes: bool) -> Vec<String> {
    let mut args = vec![
        "update".into(),
        "cluster".into(),
        "--name".into(),
        cluster.into(),
        "--state".into(),
        state.into(),
    ];
    if yes {
        args.push("--yes".into());
    }
    args
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
