//! Canary: every byte plan, apply and audit print (text and JSON, verbose), and the saved plan,
//! is searched for the key material apply generated. None may appear.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{palisade, text};

#[test]
fn no_key_material_in_any_output() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}", dir.path().display());
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    let saved = dir.path().join("saved-plan.json").display().to_string();
    let mut seen = Vec::new();
    let runs: Vec<Vec<&str>> = vec![
        vec!["-vv", "plan", "-f", &f, "--state", &state, "--out", &saved],
        vec!["-vv", "plan", "-f", &f, "--state", &state, "-o", "json"],
        vec!["-vv", "apply", &saved, "--yes"],
        vec!["-vv", "plan", "-f", &f, "--state", &state],
        vec!["-vv", "plan", "-f", &f, "--state", &state, "-o", "json"],
        vec!["-vv", "apply", "-f", &f, "--state", &state, "--yes"],
        vec!["-vv", "audit", "-f", &f],
        vec!["-vv", "audit", "-f", &f, "-o", "json"],
        vec!["-vv", "render", "-f", &f],
    ];
    for args in &runs {
        let out = palisade(args);
        assert!(
            matches!(out.status.code(), Some(0) | Some(2)),
            "{args:?}: {}",
            text(&out.stderr)
        );
        seen.push((format!("{args:?} stdout"), text(&out.stdout)));
        seen.push((format!("{args:?} stderr"), text(&out.stderr)));
    }
    seen.push((
        "saved plan".into(),
        std::fs::read_to_string(&saved).expect("saved plan"),
    ));

    let stored = std::fs::read_to_string(
        dir.path()
            .join("minimal.example.com/secrets/encryptionconfig"),
    )
    .expect("secret");
    let wrapper: serde_json::Value = serde_json::from_str(&stored).expect("kops secret json");
    let data = wrapper["Data"].as_str().expect("Data").to_string();
    let config: serde_yaml::Value =
        serde_yaml::from_slice(&STANDARD.decode(&data).expect("base64")).expect("yaml");
    let key_b64 = config["resources"][0]["providers"][0]["secretbox"]["keys"][0]["secret"]
        .as_str()
        .expect("key")
        .to_string();
    let key = STANDARD.decode(&key_b64).expect("key base64");
    assert_eq!(key.len(), 32);
    let key_hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    let needles = [
        data.as_str(),
        &data[..24],
        key_b64.as_str(),
        &key_b64[..16],
        key_hex.as_str(),
        &key_hex[..16],
    ];
    for (what, output) in &seen {
        for n in &needles {
            assert!(!output.contains(n), "{what} contains key material");
        }
    }
    // the plan said a secret would be made, without saying what it holds
    assert!(seen
        .iter()
        .any(|(_, o)| o.contains("Secret/encryptionconfig = (sensitive value)")));
}

#[test]
fn key_rotation_adds_a_key_first_keeps_the_old_and_prints_neither() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}", dir.path().display());
    let f = common::root()
        .join("examples/kops-minimal.yaml")
        .display()
        .to_string();
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    let path = dir
        .path()
        .join("minimal.example.com/secrets/encryptionconfig");
    let keys = |p: &std::path::Path| -> Vec<(String, String)> {
        let wrapper: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).expect("secret")).expect("json");
        let cfg: serde_yaml::Value = serde_yaml::from_slice(
            &STANDARD
                .decode(wrapper["Data"].as_str().expect("Data"))
                .expect("b64"),
        )
        .expect("yaml");
        cfg["resources"][0]["providers"][0]["secretbox"]["keys"]
            .as_sequence()
            .expect("keys")
            .iter()
            .map(|k| {
                (
                    k["name"].as_str().expect("name").to_string(),
                    k["secret"].as_str().expect("secret").to_string(),
                )
            })
            .collect()
    };
    let before = keys(&path);
    let out = palisade(&[
        "-vv",
        "rotate-encryption-key",
        "-f",
        &f,
        "--state",
        &state,
        "--yes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let after = keys(&path);
    assert_eq!(after.len(), 2);
    assert_eq!(after[0].0, "palisade-2");
    assert_eq!(
        after[1], before[0],
        "the old key must stay, behind the new one"
    );
    for (_, secret) in &after {
        assert!(
            !text(&out.stdout).contains(secret.as_str())
                && !text(&out.stderr).contains(secret.as_str())
        );
    }
    // apply does not overwrite the rotated secret
    assert_eq!(
        palisade(&["apply", "-f", &f, "--state", &state, "--yes"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(keys(&path), after);
}
