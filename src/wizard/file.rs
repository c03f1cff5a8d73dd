//! The cluster file `init` writes, with a short comment on what each hardening choice does.
//! One function per provider writes its section (file_kops, file_gke); the head and the tail
//! (access, namespaces, waivers) are written here for both, so the wizard and `--no-input`
//! cannot drift apart.

use std::fmt::Write as _;

use super::answers::{Answers, ProviderAnswers};

/// A double-quoted YAML string: JSON strings are YAML strings, so this is always safe.
pub(super) fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// A plain scalar when `s` reads back as the same string in any YAML (names, paths, emails),
/// else a quoted one.
pub(super) fn scalar(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._/@".contains(&b))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        s.to_string()
    } else {
        q(s)
    }
}

pub(super) fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

/// `writeln!` into a String cannot fail.
pub(super) fn line(t: &mut String, text: &str) {
    let _ = writeln!(t, "{text}");
}

pub fn cluster_file_text(a: &Answers) -> String {
    let mut t = String::new();
    line(
        &mut t,
        "# Palisade cluster file, written by `palisade init`. Next: palisade plan -f THIS_FILE",
    );
    line(&mut t, "# Editors: `palisade schema > palisade.schema.json` and the modeline below check this file as you type.");
    line(
        &mut t,
        "# yaml-language-server: $schema=./palisade.schema.json",
    );
    line(&mut t, "apiVersion: palisade.dev/v1alpha1");
    line(&mut t, "kind: Cluster");
    line(&mut t, &format!("name: {}", q(&a.name)));
    match &a.provider {
        ProviderAnswers::Kops(k) => super::file_kops::write(&mut t, k, &a.common),
        ProviderAnswers::Gke(g) => super::file_gke::write(&mut t, g, &a.common),
    }
    namespaces(&mut t, a);
    waivers(&mut t, a);
    t
}

fn namespaces(t: &mut String, a: &Answers) {
    if a.common.namespaces.is_empty() {
        return;
    }
    line(
        t,
        "# the teams' namespaces: Pod Security labels, default-deny network policies, no API token",
    );
    match &a.provider {
        ProviderAnswers::Kops(_) => line(t, "# for the default service account (the guardrail controls); kops applies them with the cluster"),
        ProviderAnswers::Gke(_) => line(t, "# for the default service account (the guardrail controls); applied through the cluster's API once it exists"),
    }
    line(t, "namespaces:");
    for n in &a.common.namespaces {
        line(t, &format!("- name: {}", q(n)));
        if a.common.ingress_namespace.as_ref() == Some(n) {
            line(
                t,
                "  # the only namespace whose Services may be LoadBalancer or NodePort",
            );
            line(t, "  ingress: true");
        }
    }
}

fn waivers(t: &mut String, a: &Answers) {
    let waivers = a.waivers();
    if waivers.is_empty() {
        return;
    }
    line(
        t,
        "# accepted weakenings: shown by every plan and audit; once expired, the file is refused",
    );
    line(t, "waivers:");
    for (control, w) in waivers {
        line(t, &format!("- control: {control}"));
        line(t, &format!("  reason: {}", q(&w.reason)));
        if let Some(d) = w.expires {
            line(t, &format!("  expires: {d}"));
        }
    }
}
