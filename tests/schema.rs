//! `palisade schema`: a draft 2020-12 JSON Schema that accepts every example and rejects the
//! malformed fixtures whose fault is one of shape (unknown keys, wrong types, missing fields).

mod common;

use common::{fixtures, palisade, root};

fn schema() -> serde_json::Value {
    let out = palisade(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn as_json(path: &std::path::Path) -> serde_json::Value {
    let v: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).expect("read")).expect("yaml");
    serde_json::to_value(v).expect("json")
}

#[test]
fn the_schema_accepts_the_examples_and_rejects_shape_errors() {
    let s = schema();
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    let v = jsonschema::draft202012::new(&s).expect("a valid draft 2020-12 schema");
    let mut examples = 0;
    for e in std::fs::read_dir(root().join("examples")).expect("examples") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let errors: Vec<String> = v.iter_errors(&as_json(&p)).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
            examples += 1;
        }
    }
    assert!(examples >= 2);
    let shape_errors = [
        "unknown-top-level-key",
        "unknown-kops-key",
        "unknown-node-group-key",
        "wrong-type-min-size",
        "wrong-type-zones",
        "missing-region",
        "wrong-api-version",
        "cidr-not-a-cidr",
    ];
    let mut rejected = 0;
    for f in fixtures("malformed") {
        let name = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if shape_errors.contains(&name.as_str()) {
            assert!(!v.is_valid(&as_json(&f)), "{name} passes the schema");
            rejected += 1;
        }
    }
    assert_eq!(rejected, shape_errors.len());
}
