//! Guard tests over the control catalogue: ids, docs, lifecycle, parameters, and that the rest
//! of the crate asks a control instead of naming it.

mod common;

use std::path::Path;

use common::{palisade, text};
use palisade::controls::{self, Status};
use palisade::profile::Level;

#[test]
fn ids_are_unique_kebab_case_and_every_doc_section_is_filled() {
    let mut seen = std::collections::BTreeSet::new();
    for c in controls::all() {
        assert!(seen.insert(c.id), "{} is listed twice", c.id);
        assert!(
            !c.id.is_empty()
                && c.id.split('-').all(|w| !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{}: ids are kebab-case",
            c.id
        );
        for (what, text) in [
            ("title", c.title),
            ("family", c.family),
            ("rationale", c.rationale),
            ("source", c.source),
            ("detection", c.detection),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", c.id);
        }
        let on_kops = !c.kops.clouds().is_empty();
        assert_eq!(
            on_kops,
            !c.kops_fields.is_empty(),
            "{}: a kops half names the kops fields it sets and checks, and only a kops half does",
            c.id
        );
        if let Some(g) = c.gke {
            assert!(
                !g.fields().is_empty() || !g.objects().is_empty(),
                "{}: a GKE half names its fields, or the objects it applies",
                c.id
            );
        }
        if let Some(l) = c.live {
            assert!(
                !l.fields().is_empty(),
                "{}: a live half names what it reads",
                c.id
            );
        }
        if let Some(st) = c.store {
            assert!(
                !st.fields().is_empty(),
                "{}: a store half names what it reads",
                c.id
            );
        }
        assert!(
            on_kops || c.gke.is_some() || c.store.is_some(),
            "{}: a control has at least one half",
            c.id
        );
        for p in c.params {
            assert!(
                !p.doc.trim().is_empty(),
                "{}: parameter {} has no doc",
                c.id,
                p.name
            );
        }
    }
}

#[test]
fn built_in_profiles_never_enforce_a_preview_control() {
    for name in palisade::profile::builtin_names() {
        let profile =
            palisade::profile::resolve(&[name.to_string()], Path::new(".")).expect("profile");
        for c in controls::all() {
            if c.status == Status::Preview {
                assert_ne!(
                    profile.level(c.id),
                    Level::Enforce,
                    "{name} enforces {}, a preview control",
                    c.id
                );
            }
        }
    }
}

/// Code of a source file without its `#[cfg(test)]` module (unit tests may name controls).
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_control_id_is_named_outside_the_controls() {
    let root = common::root();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    let controls_dir = root.join("src/controls");
    let mut found = Vec::new();
    let mut looked = 0;
    for f in files.iter().filter(|f| !f.starts_with(&controls_dir)) {
        looked += 1;
        let body = std::fs::read_to_string(f).expect("read");
        for (n, line) in without_tests(&body).lines().enumerate() {
            for c in controls::all() {
                if line.contains(&format!("\"{}\"", c.id)) {
                    found.push(format!(
                        "{}:{}: names {} (ask the control instead)",
                        f.strip_prefix(&root).unwrap_or(f).display(),
                        n + 1,
                        c.id
                    ));
                }
            }
        }
    }
    assert!(looked > 50, "only {looked} files read");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn refusals_point_at_the_field_the_control_names() {
    let kops = controls::find("api-access-restricted").expect("control");
    assert_eq!(kops.kops_fix_field(), "access.apiCidrs");
    assert_eq!(kops.gke_fix_field(), "access.apiCidrs");
    assert_eq!(
        controls::find("ssh-access-restricted")
            .expect("control")
            .kops_fix_field(),
        "access.sshCidrs"
    );
    assert_eq!(
        controls::find("node-service-account")
            .expect("control")
            .gke_fix_field(),
        "gke.nodeServiceAccount"
    );
    // a control that names no field sends the user to the profile
    assert_eq!(
        controls::find("rbac").expect("control").kops_fix_field(),
        "profile"
    );
    // exactly one control decides the private subnet layout
    let layout: Vec<&str> = controls::all()
        .iter()
        .filter(|c| c.kops.needs_private_subnets())
        .map(|c| c.id)
        .collect();
    assert_eq!(layout, ["private-topology"]);
}

fn profile_file(dir: &Path, params: &str) -> String {
    let p = dir.join("team.yaml");
    std::fs::write(
        &p,
        format!(
            "apiVersion: palisade.dev/v1alpha1\nkind: Profile\nname: team\nextends: baseline\ncontrols:\n  audit-logging:\n    level: enforce\n    params:\n{params}"
        ),
    )
    .expect("write");
    p.display().to_string()
}

#[test]
fn a_parameter_of_the_wrong_type_or_name_is_a_profile_error_at_its_line() {
    let dir = tempfile::tempdir().expect("tmp");
    for (params, line_col, expected) in [
        (
            "      maxAge: \"thirty\"\n",
            ":9:7:",
            "parameter `maxAge` expects an integer",
        ),
        (
            "      maxAgee: 30\n",
            ":9:7:",
            "unknown parameter `maxAgee`, expected one of: maxAge, maxBackups, maxSize",
        ),
        (
            "      maxAge: 0\n",
            ":9:7:",
            "parameter `maxAge` is 0, expected at least",
        ),
    ] {
        let p = profile_file(dir.path(), params);
        let example = common::root().join("examples/kops-minimal.yaml");
        let example = example.display().to_string();
        for args in [
            vec!["profiles", "show", p.as_str()],
            vec!["audit", "-f", example.as_str(), "--profile", p.as_str()],
        ] {
            let out = palisade(&args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
            assert!(
                err.contains(&format!("{p}{line_col}")) && err.contains(expected),
                "{args:?}: expected {p}{line_col} {expected}, got: {err}"
            );
        }
    }
}

#[test]
fn problem_codes_are_stable_kebab_case_and_documented() {
    use palisade::cluster_file::Code;
    let mut seen = std::collections::BTreeSet::new();
    let mut listed = String::new();
    for c in Code::ALL {
        let code = c.as_str();
        assert!(seen.insert(code), "{code} twice");
        assert!(
            code.split('-').all(|w| !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
            "{code} is not kebab-case"
        );
        assert!(!c.doc().trim().is_empty(), "{code} has no doc");
        listed.push_str(&format!("{code}: {}\n", c.doc()));
    }
    // codes are never renamed: a change here is a breaking change for scripts
    insta::assert_snapshot!("problem_codes", listed);
}

/// Every `params.int("NAME")` / `params.str("NAME")` in a control's file names a parameter that
/// control declares: a misspelt name would silently read 0 or "".
#[test]
fn controls_read_only_the_parameters_they_declare() {
    let root = common::root().join("src/controls");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let re = regex::Regex::new(r#"params\.(int|str)\("([A-Za-z0-9_]+)"\)"#).expect("regex");
    let id_re = regex::Regex::new(r#"(?m)^    id: "([a-z0-9-]+)""#).expect("regex");
    let mut read = 0;
    for f in files {
        let body = std::fs::read_to_string(&f).expect("read");
        let Some(id) = id_re.captures(&body).map(|c| c[1].to_string()) else {
            continue;
        };
        let control = controls::find(&id).expect("a listed control");
        for cap in re.captures_iter(&body) {
            read += 1;
            assert!(
                control.params.iter().any(|p| p.name == &cap[2]),
                "{}: {id} reads parameter {:?}, which it does not declare",
                f.display(),
                &cap[2]
            );
        }
    }
    assert!(read >= 4, "only {read} parameter reads found");
}
