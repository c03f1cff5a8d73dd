//! Every committed fuzz input (the seed corpora under fuzz/corpus/ and the crashes found,
//! kept under fuzz/regressions/) replayed on stable through the same entry points the fuzz
//! targets drive (fuzz/entries.rs): the real command line on the input as a user's file. A
//! panic or an exit code other than 0, 1 or 2 fails; so what the fuzzer found stays found
//! without a nightly build in CI.

#[path = "../fuzz/entries.rs"]
mod entries;

use std::path::{Path, PathBuf};

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_committed_fuzz_input_replays_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut total = 0;
    for target in entries::TARGETS {
        let mut files = inputs(&root.join("fuzz/corpus").join(target));
        assert!(!files.is_empty(), "no seed corpus for {target}");
        files.extend(inputs(&root.join("fuzz/regressions").join(target)));
        for f in files {
            let data = std::fs::read(&f).expect("read");
            let result = std::panic::catch_unwind(|| entries::run(target, &data, root));
            assert!(result.is_ok(), "{target}: {} crashes", f.display());
            total += 1;
        }
    }
    assert!(total > 100, "only {total} inputs replayed");
}
