//! Every malformed cluster file under tests/fixtures/malformed gives exit 1 and a message that
//! names the file and the line, never a panic. Each fixture's header says what must be said
//! (`# expect: REGEX`) and where (`# line: N`); scripts/gen-malformed-fixtures.py makes them.

mod common;

use common::{fixtures, palisade, rel, text};

#[test]
fn malformed_cluster_files_are_refused_with_file_and_line() {
    let files = fixtures("malformed");
    assert!(files.len() >= 20, "only {} malformed fixtures", files.len());
    for f in files {
        let body = std::fs::read_to_string(&f).expect("fixture");
        let expect = body
            .lines()
            .find_map(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{} has no `# expect:` header", f.display()));
        let line = body.lines().find_map(|l| l.strip_prefix("# line: "));
        let code = body
            .lines()
            .find_map(|l| l.strip_prefix("# code: "))
            .unwrap_or_else(|| panic!("{} has no `# code:` header", f.display()));
        let path = rel(&f);
        let out = palisade(&["render", "-f", &path]);
        let err = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{path}: exit {:?}\n{err}",
            out.status.code()
        );
        assert!(
            out.stdout.is_empty(),
            "{path}: render printed to stdout: {}",
            text(&out.stdout)
        );
        assert!(!err.contains("panicked"), "{path}: render panicked: {err}");
        let re = regex::Regex::new(expect).expect("expect regex");
        assert!(
            re.is_match(&err),
            "{path}: stderr does not match {expect:?}:\n{err}"
        );
        let at = match line {
            Some(l) => format!("{path}:{l}:"),
            None => format!("{path}:"),
        };
        assert!(
            err.contains(&at),
            "{path}: stderr does not name {at}:\n{err}"
        );
        assert!(
            err.contains(&format!("[{code}]")),
            "{path}: stderr does not carry the code [{code}]:\n{err}"
        );
        // with -o json the same problems come as JSON on stdout, with their codes
        let json = palisade(&["render", "-f", &path, "-o", "json"]);
        assert_eq!(json.status.code(), Some(1), "{path}");
        let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap_or_else(|e| {
            panic!(
                "{path}: -o json error output is not JSON ({e}): {}",
                text(&json.stdout)
            )
        });
        let errors = doc["errors"].as_array().expect("errors");
        assert!(
            errors.iter().any(|e| e["code"] == code
                && e["file"] == path.as_str()
                && line.is_none_or(
                    |l| e["line"].as_u64().map(|n| n.to_string()).as_deref() == Some(l)
                )),
            "{path}: no error with code {code} at line {line:?}: {doc:#}"
        );

        // audit reads the same file: an invalid file is an error (1); a valid file that a
        // control refuses is a finding (2)
        let audit = palisade(&["audit", "-f", &path]);
        let aerr = text(&audit.stderr);
        assert!(!aerr.contains("panicked"), "{path}: audit panicked: {aerr}");
        match audit.status.code() {
            Some(1) => assert!(
                aerr.contains(&at),
                "{path}: audit stderr does not name {at}:\n{aerr}"
            ),
            Some(2) => assert!(
                text(&audit.stdout).contains("FAIL"),
                "{path}: audit exit 2 without a failure"
            ),
            other => panic!("{path}: audit exit {other:?}"),
        }
    }
}
