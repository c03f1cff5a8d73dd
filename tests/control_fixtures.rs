//! Every half of every control has a passing and a failing fixture under
//! `tests/fixtures/controls/ID/` (`kops-pass.yaml`, `kops-fail.yaml`, `gke-pass.json`,
//! `gke-fail.json`, `live-pass.json`, `live-fail.json`), each with a header naming its verdict
//! (a GKE fixture of a guardrail carries the cluster's Kubernetes objects as `_kubernetes`)
//! and the field that decides it, judged here by the control's own half with the strict
//! profile's parameters.

mod common;

use std::path::Path;

use palisade::controls::{self, Check, Control, Verdict};
use palisade::gke::ClusterView;
use palisade::kops::live::LiveState;
use palisade::kops::KopsSpec;
use palisade::profile::ResolvedProfile;
use serde_json::Value;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Half {
    Kops,
    Gke,
    Live,
}

impl Half {
    fn file(self, verdict: &str) -> String {
        match self {
            Half::Kops => format!("kops-{verdict}.yaml"),
            Half::Gke => format!("gke-{verdict}.json"),
            Half::Live => format!("live-{verdict}.json"),
        }
    }
}

fn halves(c: &Control) -> Vec<Half> {
    let mut out = Vec::new();
    if !c.kops.clouds().is_empty() {
        out.push(Half::Kops);
    }
    if c.gke.is_some() {
        out.push(Half::Gke);
    }
    if c.live.is_some() {
        out.push(Half::Live);
    }
    out
}

/// A fixture's header: the verdict it claims and the field that decides it.
type Header = Option<(String, String)>;

/// (verdict, field) from a kops fixture's two header comments.
fn yaml_header(text: &str) -> Header {
    let mut lines = text.lines();
    let verdict = lines
        .next()?
        .strip_prefix("# verdict: ")?
        .trim()
        .to_string();
    let field = lines.next()?.strip_prefix("# field: ")?.trim().to_string();
    Some((verdict, field))
}

/// (verdict, field) from a JSON fixture's `_fixture` key, which is removed.
fn json_header(doc: &mut Value) -> Header {
    let header = doc.as_object_mut()?.remove("_fixture")?;
    Some((
        header.get("verdict")?.as_str()?.to_string(),
        header.get("field")?.as_str()?.to_string(),
    ))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_kops(path: &Path) -> Result<(KopsSpec, Header), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let spec = KopsSpec::parse(&text, &path.display().to_string()).map_err(|e| e.to_string())?;
    Ok((spec, yaml_header(&text)))
}

/// What the half says of the fixture, and its header.
fn judge(
    c: &Control,
    half: Half,
    dir: &Path,
    verdict: &str,
    profile: &ResolvedProfile,
) -> Result<(Vec<Check>, Header), String> {
    let params = profile.setting(c.id).params;
    let path = dir.join(half.file(verdict));
    match half {
        Half::Kops => {
            let (spec, header) = read_kops(&path)?;
            Ok((c.check_kops(&spec, &params), header))
        }
        Half::Gke => {
            let mut doc = read_json(&path)?;
            let header = json_header(&mut doc);
            // the Kubernetes objects of the cluster's own API, for the guardrails' GKE halves
            let objects = doc.as_object_mut().and_then(|m| m.remove("_kubernetes"));
            match objects {
                Some(list) => {
                    let objects: Vec<serde_yaml::Value> = serde_json::from_value(list)
                        .map_err(|e| format!("{}: _kubernetes: {e}", path.display()))?;
                    let in_cluster = palisade::guardrails::InCluster {
                        objects,
                        minor: None,
                        unread: None,
                        declared: None,
                    };
                    Ok((
                        c.check_gke(&ClusterView::with_objects(&doc, &in_cluster), &params),
                        header,
                    ))
                }
                None => Ok((c.check_gke(&ClusterView::new(&doc), &params), header)),
            }
        }
        Half::Live => {
            let mut doc = read_json(&path)?;
            let header = json_header(&mut doc);
            let live: LiveState =
                serde_json::from_value(doc).map_err(|e| format!("{}: {e}", path.display()))?;
            // judged against the control's passing spec
            let (spec, _) = read_kops(&dir.join(Half::Kops.file("pass")))?;
            Ok((c.check_live(&spec, &live, &params), header))
        }
    }
}

/// Everything wrong with the fixtures under `root`; empty when every half is covered.
fn problems(root: &Path) -> Vec<String> {
    let profile =
        palisade::profile::resolve(&["strict".to_string()], Path::new(".")).expect("strict");
    let mut out = Vec::new();
    for c in controls::all() {
        let dir = root.join(c.id);
        let wanted = halves(c);
        for half in [Half::Kops, Half::Gke, Half::Live] {
            for verdict in ["pass", "fail"] {
                let file = dir.join(half.file(verdict));
                if !wanted.contains(&half) {
                    if file.exists() {
                        out.push(format!(
                            "{}: {c:?} has no {half:?} half",
                            file.display(),
                            c = c.id
                        ));
                    }
                    continue;
                }
                if !file.exists() {
                    out.push(format!("{}: missing", file.display()));
                    continue;
                }
                let (checks, header) = match judge(c, half, &dir, verdict, &profile) {
                    Ok(r) => r,
                    Err(e) => {
                        out.push(e);
                        continue;
                    }
                };
                let Some((said, field)) = header else {
                    out.push(format!("{}: no header (verdict and field)", file.display()));
                    continue;
                };
                if said != verdict {
                    out.push(format!("{}: header says {said}", file.display()));
                }
                let shown: Vec<String> = checks
                    .iter()
                    .map(|k| format!("{} {} {}: {}", k.verdict, k.object, k.path, k.message))
                    .collect();
                let ok = match verdict {
                    "fail" => checks.iter().any(|k| {
                        k.verdict == Verdict::Fail
                            && (k.path == field || k.path.starts_with(&field))
                    }),
                    _ => {
                        checks.iter().any(|k| k.verdict == Verdict::Pass)
                            && checks.iter().all(|k| k.verdict == Verdict::Pass)
                    }
                };
                if !ok {
                    out.push(format!(
                        "{}: expected {verdict} on {field}, the {half:?} half says {shown:?}",
                        file.display()
                    ));
                }
            }
        }
    }
    if let Ok(entries) = std::fs::read_dir(root) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() && controls::find(&name).is_none() {
                out.push(format!("{}: no control {name}", e.path().display()));
            }
        }
    }
    out
}

fn fixtures() -> std::path::PathBuf {
    common::root().join("tests/fixtures/controls")
}

#[test]
fn every_half_of_every_control_has_a_passing_and_a_failing_fixture() {
    let found = problems(&fixtures());
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read").flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

#[test]
fn the_walk_fails_when_a_fixture_is_removed_or_says_the_wrong_verdict() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().join("controls");
    copy_dir(&fixtures(), &root);
    assert!(problems(&root).is_empty());

    std::fs::remove_file(root.join("rbac/kops-fail.yaml")).expect("rm");
    let found = problems(&root);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("rbac/kops-fail.yaml: missing"),
        "{found:?}"
    );

    // a passing fixture put where a failing one belongs is caught by its verdict
    std::fs::copy(
        root.join("rbac/kops-pass.yaml"),
        root.join("rbac/kops-fail.yaml"),
    )
    .expect("copy");
    let found = problems(&root);
    assert!(
        found
            .iter()
            .any(|p| p.contains("rbac/kops-fail.yaml: header says pass"))
            && found.iter().any(|p| p.contains("expected fail")),
        "{found:?}"
    );

    // a GKE fixture for a kops-only control is refused
    std::fs::copy(
        root.join("rbac/gke-pass.json"),
        root.join("tls-min-version/gke-pass.json"),
    )
    .expect("copy");
    assert!(problems(&root)
        .iter()
        .any(|p| p.contains("tls-min-version/gke-pass.json") && p.contains("no Gke half")));
}
