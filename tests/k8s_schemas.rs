//! Every Kubernetes object Palisade ships validates, strictly, against the Kubernetes OpenAPI
//! schemas of every minor version from 1.30 to the newest the examples use: kubernetes-validate
//! (PyPI, installed by scripts/test.sh) run from Python by scripts/validate-k8s.py, so that a
//! kind without a schema is an error. Covers every kops example under its own profile and
//! under strict, and the GKE example's objects.

mod common;

use common::{palisade, python, root, text};
use palisade::kops::KopsSpec;

#[test]
fn shipped_objects_validate_against_the_kubernetes_schemas() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut files = Vec::new();
    let mut newest = 30;
    for ex in ["kops-minimal.yaml", "kops-private-ha.yaml"] {
        let path = root().join("examples").join(ex).display().to_string();
        let rendered = palisade(&["render", "-f", &path]);
        assert_eq!(
            rendered.status.code(),
            Some(0),
            "{ex}: {}",
            text(&rendered.stderr)
        );
        let spec_path = dir.path().join(format!("{ex}.spec.yaml"));
        std::fs::write(&spec_path, &rendered.stdout).expect("write");
        let strict = palisade(&[
            "harden",
            "kops",
            &spec_path.display().to_string(),
            "--profile",
            "strict",
        ]);
        for (label, bytes) in [("baseline", &rendered.stdout), ("strict", &strict.stdout)] {
            let spec = KopsSpec::parse(&text(bytes), ex).expect("parse");
            let minor =
                palisade::yaml::tree::get_str(spec.cluster(), &["spec", "kubernetesVersion"])
                    .and_then(palisade::version::kubernetes_version)
                    .map(|(_, m, _)| m)
                    .expect("version");
            newest = newest.max(minor);
            let objects: Vec<serde_yaml::Value> = spec.objects().cloned().collect();
            assert!(
                objects.len() >= 4,
                "{ex} ({label}): {} objects",
                objects.len()
            );
            let mut stream = String::new();
            for o in &objects {
                stream.push_str("---\n");
                stream.push_str(&serde_yaml::to_string(o).expect("yaml"));
            }
            let file = dir.path().join(format!("{ex}.{label}.objects.yaml"));
            std::fs::write(&file, stream).expect("write");
            files.push(file.display().to_string());
        }
    }
    // the GKE example's objects, as its plan applies them through the cluster's API
    let gke = dir.path().join("gke");
    let rendered = palisade(&[
        "render",
        "-f",
        &root()
            .join("examples/gke-private.yaml")
            .display()
            .to_string(),
        "--manifests",
        &gke.display().to_string(),
    ]);
    assert_eq!(
        rendered.status.code(),
        Some(0),
        "{}",
        text(&rendered.stderr)
    );
    let mut gke_files: Vec<String> = std::fs::read_dir(&gke)
        .expect("manifests")
        .flatten()
        .map(|e| e.path().display().to_string())
        .collect();
    assert_eq!(gke_files.len(), 14, "{gke_files:?}");
    files.append(&mut gke_files);
    let out = std::process::Command::new(python())
        .arg(root().join("scripts/validate-k8s.py"))
        .args(["30", &newest.to_string()])
        .args(&files)
        .output()
        .expect("run python");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("0 invalid"),
        "{}",
        text(&out.stdout)
    );
}
