//! `palisade controls list|explain`: the catalogue, and each control's documentation.

use std::fmt::Write as _;

use serde_json::json;

use super::common::ReportFormat;
use super::{exit, Output};
use crate::controls::{self, Control, ParamValue};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Every control with its id, severity and title.
    List {
        #[arg(short = 'o', long = "output", value_enum, default_value = "text")]
        output: ReportFormat,
    },
    /// What a control enforces, why, the kops fields, how audit decides, the CIS ids.
    Explain { id: String },
}

pub fn run(a: Args, o: &mut Output<'_>) -> anyhow::Result<u8> {
    match a.command.unwrap_or(Sub::List {
        output: ReportFormat::Text,
    }) {
        Sub::List {
            output: ReportFormat::Json,
        } => {
            let items: Vec<_> = controls::all().iter().map(|c| item(c)).collect();
            let doc = json!({"format_version": crate::audit::FORMAT_VERSION, "controls": items});
            o.print(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
        }
        Sub::List {
            output: ReportFormat::Text,
        } => {
            let mut t = String::new();
            for c in controls::all() {
                let _ = writeln!(t, "{:<30} {:<9} {}", c.id, c.severity, c.title);
            }
            o.print(&t)?;
        }
        Sub::Explain { id } => {
            let Some(c) = controls::find(&id) else {
                anyhow::bail!(
                    "unknown control `{id}`; `palisade controls list` shows the catalogue"
                );
            };
            o.print(&explain(c))?;
        }
    }
    Ok(exit::OK)
}

fn item(c: &Control) -> serde_json::Value {
    json!({
        "id": c.id,
        "title": c.title,
        "severity": c.severity,
        "family": c.family,
        "rationale": c.rationale,
        "source": c.source,
        "references": c.references,
        "kops_fields": c.kops_fields,
        "gke_fields": c.gke.map(|g| g.fields()).unwrap_or_default(),
        "gke_objects": c.gke.map(|g| g.objects()).unwrap_or_default(),
        "live_fields": c.live.map(|l| l.fields()).unwrap_or_default(),
        "store_fields": c.store.map(|s| s.fields()).unwrap_or_default(),
        "status": c.status,
        "params": c.params.iter().map(|p| p.name).collect::<Vec<_>>(),
    })
}

pub fn explain(c: &Control) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} — {}\nseverity: {}   family: {}{}\n",
        c.id,
        c.title,
        c.severity,
        c.family,
        match c.status {
            controls::Status::Stable => "",
            controls::Status::Preview => "   status: preview (no built-in profile enforces it)",
        }
    );
    let _ = writeln!(t, "Why it matters\n  {}\n", c.rationale);
    let _ = writeln!(t, "Source\n  {}\n", c.source);
    if !c.kops_fields.is_empty() {
        let _ = writeln!(t, "kops fields");
        for f in c.kops_fields {
            let _ = writeln!(t, "  {f}");
        }
    }
    if let Some(g) = c.gke {
        if !c.kops_fields.is_empty() {
            t.push('\n');
        }
        if !g.fields().is_empty() {
            let _ = writeln!(t, "GKE fields (container v1 Cluster)");
            for f in g.fields() {
                let _ = writeln!(t, "  {f}");
            }
        }
        if !g.objects().is_empty() {
            let _ = writeln!(
                t,
                "GKE: Kubernetes objects, server-side applied through the cluster's API"
            );
            for f in g.objects() {
                let _ = writeln!(t, "  {f}");
            }
        }
    }
    if let Some(l) = c.live {
        let _ = writeln!(t, "\nLive on AWS (audit --live)");
        for f in l.fields() {
            let _ = writeln!(t, "  {f}");
        }
    }
    if let Some(st) = c.store {
        let _ = writeln!(
            t,
            "\nThe s3:// state store's bucket (plan, apply, audit --state, state-bucket check)"
        );
        for f in st.fields() {
            let _ = writeln!(t, "  {f}");
        }
    }
    let _ = writeln!(t, "\nHow audit decides\n  {}", c.detection);
    if !c.params.is_empty() {
        let _ = writeln!(t, "\nParameters (set in a profile)");
        for p in c.params {
            let default = match p.value {
                ParamValue::Int { default, min } => format!("default {default}, at least {min}"),
                ParamValue::Registries => "default none (off); a list of host[:port][/path]".into(),
                ParamValue::Choice { default, allowed } => {
                    format!("default {default}; one of {}", allowed.join(", "))
                }
            };
            let _ = writeln!(t, "  {}: {} ({default})", p.name, p.doc);
        }
    }
    if !c.references.is_empty() {
        let _ = writeln!(
            t,
            "\nCIS Benchmarks (cis-gke: CIS GKE Benchmark 1.6+ numbering)"
        );
        for r in c.references {
            let _ = writeln!(t, "  {} {}", r.benchmark, r.id);
        }
    }
    t
}
