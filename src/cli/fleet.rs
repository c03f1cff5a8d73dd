//! One command over many cluster files (`-f` several times, or directories): each file is run
//! as the one-file command would run it, into buffers, a bounded number at a time; then the
//! sections are printed in file order, each headed by its file and cluster, and one summary.
//! A bad file is reported at its line and does not stop the others; the exit code is the
//! worst of them (1 over 2 over 0).

use std::path::{Path, PathBuf};

use super::{exit, Output};
use crate::cluster_file::{Code, Problem};

/// How one file went.
pub struct Ran<T> {
    pub file: PathBuf,
    pub code: u8,
    /// What the one-file command printed on stdout and stderr.
    pub out: String,
    pub err: String,
    pub result: Result<T, Failure>,
}

impl<T> Ran<T> {
    /// What the file's run said on stderr, each line after the file's name.
    pub fn notes(&self, o: &mut Output<'_>) -> std::io::Result<()> {
        for line in self.err.lines() {
            o.note(&format!("{}: {line}", shown(&self.file)))?;
        }
        Ok(())
    }
}

/// Why a file produced no result.
pub struct Failure {
    /// The whole message, as the one-file command prints it after `error: `.
    pub message: String,
    /// The cluster-file problems it carries (file, line, column, code), when it is about one.
    pub problems: Option<Vec<Problem>>,
}

impl Failure {
    /// Refused by a control (or a waiver rule), rather than unreadable or invalid.
    pub fn refused(&self) -> bool {
        self.problems.as_ref().is_some_and(|ps| {
            !ps.is_empty()
                && ps.iter().all(|p| {
                    matches!(
                        p.code,
                        Code::ControlRefused | Code::WaiverForbidden | Code::WaiverExpired
                    )
                })
        })
    }
}

/// A path as text output shows it: as it is, or quoted with escapes when it holds a control
/// character (a newline in a file name must not start a line of its own: a forged section
/// header, or a YAML document in a render stream).
pub fn shown(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars().any(char::is_control) {
        format!("{s:?}")
    } else {
        s
    }
}

/// The files to run: `-f` values (files or directories), `palisade.yaml` when none.
pub fn files(given: &[PathBuf]) -> anyhow::Result<crate::fleet::Discovered> {
    if given.is_empty() {
        return Ok(crate::fleet::Discovered {
            files: vec![PathBuf::from(super::common::DEFAULT_FILE)],
            ..Default::default()
        });
    }
    crate::fleet::discover(given).map_err(anyhow::Error::msg)
}

/// Whether a run is over many files (several, or any directory): the fleet display.
pub fn is_fleet(d: &crate::fleet::Discovered) -> bool {
    d.from_directory || d.files.len() > 1
}

/// Runs `one` over every file, concurrently, results in file order.
pub fn run_each<T: Send>(
    files: &[PathBuf],
    verbosity: u8,
    one: impl Fn(&Path, &mut Output<'_>) -> anyhow::Result<(u8, T)> + Sync,
) -> Vec<Ran<T>> {
    crate::fleet::in_order(files, crate::fleet::workers(), |file| {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let mut input = std::io::empty();
        let mut o = Output {
            out: &mut out,
            err: &mut err,
            input: &mut input,
            color: false,
            verbosity,
        };
        let (code, result) = match one(file, &mut o) {
            Ok((code, t)) => (code, Ok(t)),
            Err(e) => (
                exit::ERROR,
                Err(Failure {
                    message: format!("{e:#}"),
                    problems: super::errors::problems_of(&e),
                }),
            ),
        };
        Ran {
            file: file.clone(),
            code,
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            result,
        }
    })
}

/// The worst exit code: an error over pending changes or findings over success.
pub fn worst(codes: impl Iterator<Item = u8>) -> u8 {
    codes.fold(exit::OK, |w, c| match (w, c) {
        (exit::ERROR, _) | (_, exit::ERROR) => exit::ERROR,
        (exit::ATTENTION, _) | (_, exit::ATTENTION) => exit::ATTENTION,
        _ => exit::OK,
    })
}

/// Prints each file's section (stdout) and what it said on stderr, prefixed by its file.
pub fn print_sections<T>(
    runs: &[Ran<T>],
    title: impl Fn(&Ran<T>) -> String,
    o: &mut Output<'_>,
) -> std::io::Result<()> {
    for r in runs {
        o.print(&format!("== {} ==\n", title(r)))?;
        o.print(&r.out)?;
        if !r.out.is_empty() && !r.out.ends_with('\n') {
            o.print("\n")?;
        }
        if let Err(f) = &r.result {
            // every line after the first indented: nothing in a message starts a line of its own
            let message = first_lines(&f.message, 20).replace('\n', "\n  ");
            o.print(&format!("error: {message}\n"))?;
        }
        o.print("\n")?;
        r.notes(o)?;
    }
    Ok(())
}

/// At most `n` lines of `text`, saying how many were left out.
fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= n {
        return text.to_string();
    }
    format!(
        "{}\n… ({} more lines)",
        lines[..n].join("\n"),
        lines.len() - n
    )
}

/// The failure of `file` as JSON: the file, its problems with line and column (as the
/// one-file commands print them), or its message.
pub fn failure_json(file: &Path, f: &Failure) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = match &f.problems {
        Some(ps) => ps.iter().map(super::errors::problem_json).collect(),
        None => vec![serde_json::json!({"message": crate::yaml::bound_quotes(&f.message)})],
    };
    serde_json::json!({
        "file": file.display().to_string(),
        "refused": f.refused(),
        "errors": errors,
    })
}
