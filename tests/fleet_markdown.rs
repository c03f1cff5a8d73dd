//! Issue 14: plans as a pull-request comment. The markdown plan of the kops examples is
//! snapshotted, every table in it is well-formed (the same number of cells in every row as in
//! its header, the separator row right under it), secrets never show, and a fleet whose
//! details would pass GitHub's 65,536-character limit is cut, the largest plans first, with a
//! note saying so.

mod common;

use common::{palisade, root, text, write};

/// The cells of a table row: split on pipes that are not escaped.
fn cells(row: &str) -> Vec<String> {
    let inner = row
        .trim()
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .unwrap_or_else(|| panic!("a table row starts and ends with a pipe: {row:?}"));
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        match (c, escaped) {
            ('\\', false) => escaped = true,
            ('|', false) => out.push(String::new()),
            (c, _) => {
                escaped = false;
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// Every table: a header, a separator of the same width, rows of the same width. Returns
/// the number of tables.
fn check_tables(md: &str) -> usize {
    let lines: Vec<&str> = md.lines().collect();
    let mut tables = 0;
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with('|') {
            i += 1;
            continue;
        }
        tables += 1;
        let width = cells(lines[i]).len();
        let sep = cells(lines.get(i + 1).copied().unwrap_or(""));
        assert_eq!(sep.len(), width, "separator under {:?}", lines[i]);
        assert!(
            sep.iter().all(|c| {
                let c = c.trim().trim_start_matches(':').trim_end_matches(':');
                c.len() >= 3 && c.chars().all(|x| x == '-')
            }),
            "separator {:?}",
            lines[i + 1]
        );
        i += 2;
        while i < lines.len() && lines[i].starts_with('|') {
            assert_eq!(cells(lines[i]).len(), width, "row {:?}", lines[i]);
            i += 1;
        }
    }
    tables
}

#[test]
fn the_markdown_plan_of_the_examples() {
    let dir = tempfile::tempdir().expect("tmp");
    let state = format!("file://{}/state", dir.path().display());
    let out = palisade(&[
        "plan",
        "-f",
        &root()
            .join("examples/kops-minimal.yaml")
            .display()
            .to_string(),
        "-f",
        &root()
            .join("examples/kops-private-ha.yaml")
            .display()
            .to_string(),
        "--state",
        &state,
        "-o",
        "markdown",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = text(&out.stdout)
        .replace(&dir.path().display().to_string(), "[TMP]")
        .replace(&root().display().to_string(), "[ROOT]");
    assert_eq!(check_tables(&md), 3, "{md}");
    assert_eq!(md.matches("<details>").count(), 2);
    assert_eq!(md.matches("</details>").count(), 2);
    assert!(
        md.contains("| Secret/encryptionconfig |  |  | (sensitive value) |"),
        "{md}"
    );
    assert!(!md.contains("secretbox:"), "no secret material");
    insta::assert_snapshot!("markdown_plan_of_the_kops_examples", md);
}

#[test]
fn a_plan_over_the_comment_limit_is_cut_with_a_note() {
    let dir = tempfile::tempdir().expect("tmp");
    let kops = std::fs::read_to_string(root().join("examples/kops-minimal.yaml")).expect("read");
    std::fs::create_dir(dir.path().join("clusters")).expect("dir");
    for i in 0..20 {
        write(
            &dir.path().join("clusters"),
            &format!("c{i}.yaml"),
            &kops.replace(
                "name: minimal.example.com",
                &format!("name: c{i}.example.com"),
            ),
        );
    }
    // one larger than the others: its details go first
    let big = std::fs::read_to_string(root().join("examples/kops-private-ha.yaml")).expect("read");
    write(&dir.path().join("clusters"), "big.yaml", &big);
    let state = format!("file://{}/state", dir.path().display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "plan", "-f", "clusters", "--state", &state, "-o", "markdown",
        ])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.chars().count() <= 65_536,
        "{} characters",
        md.chars().count()
    );
    assert!(
        md.contains("were left out to stay under GitHub's 65,536-character comment limit"),
        "{md}"
    );
    let note = md
        .lines()
        .find(|l| l.starts_with("_The details of"))
        .expect("the note");
    assert!(
        note.contains("clusters/big.yaml"),
        "the largest plan's details go first: {note}"
    );
    // the summary table still has every cluster
    assert!(check_tables(&md) >= 1);
    for i in 0..20 {
        assert!(md.contains(&format!("| c{i}.example.com | kops |")), "{md}");
    }
    let kept = md.matches("<details>").count();
    assert!(kept < 21 && kept > 0, "{kept} sections kept");
}
