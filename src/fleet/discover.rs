//! Which files under the paths given are Palisade cluster files.

use std::path::{Path, PathBuf};

/// The cluster files found, and how many other YAML files were passed over.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Sorted by path; each once.
    pub files: Vec<PathBuf>,
    /// YAML files under a directory that are not cluster files (skipped, never an error).
    pub skipped: usize,
    /// Whether a directory was given (the run is then a fleet run, even for one file).
    pub from_directory: bool,
}

/// How deep a directory is searched; deeper trees are a mistake, not a repository layout.
const MAX_DEPTH: usize = 32;
/// How many entries a search reads at most.
const MAX_ENTRIES: usize = 100_000;

/// Whether `text` says it is a cluster file: a top-level `apiVersion: palisade.dev/v1alpha1`
/// and `kind: Cluster`. Read as lines, not parsed, so that a cluster file with a mistake in it
/// is still recognised (and then reported at its line) rather than skipped.
pub fn is_cluster_file_text(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let top = |key: &str, want: &str| {
        text.lines().any(|l| {
            l.strip_prefix(key)
                .and_then(|rest| rest.trim_start_matches([' ', '\t']).strip_prefix(':'))
                .map(|v| {
                    v.split('#')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .trim_matches(['"', '\''])
                })
                == Some(want)
        })
    };
    top("apiVersion", crate::cluster_file::API_VERSION) && top("kind", "Cluster")
}

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .is_some_and(|x| x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml"))
}

/// The cluster files named by `paths`: a file is taken as it is (a cluster file given by name
/// is one, and a mistake in it is reported); a directory is searched recursively for YAML
/// files that say they are cluster files. Links are not followed into directories.
pub fn discover(paths: &[PathBuf]) -> Result<Discovered, String> {
    find(paths, false)
}

/// As [`discover`], but files named one by one are sorted as a directory's are: those that do
/// not say they are cluster files are skipped and counted (a pre-commit hook passes every
/// changed YAML file).
pub fn discover_among(paths: &[PathBuf]) -> Result<Discovered, String> {
    find(paths, true)
}

fn find(paths: &[PathBuf], sort_files: bool) -> Result<Discovered, String> {
    let mut d = Discovered::default();
    let mut seen = 0usize;
    for p in paths {
        let Ok(meta) = std::fs::metadata(p) else {
            // missing or unreadable: kept, so that loading it reports why, beside the others
            d.files.push(p.clone());
            continue;
        };
        if meta.is_dir() {
            d.from_directory = true;
            walk(p, 0, &mut d, &mut seen)?;
        } else if sort_files {
            d.from_directory = true;
            consider(p, &mut d);
        } else {
            d.files.push(p.clone());
        }
    }
    d.files.sort();
    d.files.dedup();
    // the same file named twice (`-f de -f ./de`) is planned once
    let mut seen = std::collections::BTreeSet::new();
    d.files
        .retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    Ok(d)
}

fn walk(dir: &Path, depth: usize, d: &mut Discovered, seen: &mut usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "{}: more than {MAX_DEPTH} directories deep",
            dir.display()
        ));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        // a directory that cannot be read: kept as an entry, so that it is reported (loading
        // it says why) and the rest of the tree is still searched
        d.files.push(dir.to_path_buf());
        return Ok(());
    };
    for entry in entries {
        *seen += 1;
        if *seen > MAX_ENTRIES {
            return Err(format!(
                "more than {MAX_ENTRIES} files and directories under the paths given"
            ));
        }
        let Ok(entry) = entry else {
            d.files.push(dir.to_path_buf());
            continue;
        };
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            d.files.push(path);
            continue;
        };
        let name = entry.file_name();
        if kind.is_dir() {
            // .git, .palisade (a local state store) and the like are not cluster files
            if !name.to_string_lossy().starts_with('.') {
                walk(&path, depth + 1, d, seen)?;
            }
        } else if kind.is_file() && is_yaml(&path) {
            consider(&path, d);
        }
    }
    Ok(())
}

/// How much of a file is read to tell whether it is a cluster file.
const SNIFF_BYTES: u64 = 64 * 1024;

/// A YAML file found (or passed among others): kept when it says it is a cluster file, and
/// when it cannot be read at all (loading it then says why); skipped and counted otherwise.
/// Only its beginning is read here, as bytes, so a cluster file that is too large or not UTF-8
/// is still recognised, and then refused at load with the reason.
fn consider(path: &Path, d: &mut Discovered) {
    use std::io::Read;
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        // a FIFO or a device is never opened here (it could block); loading it refuses it
        d.files.push(path.to_path_buf());
        return;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(SNIFF_BYTES).read_to_end(&mut head));
    match read {
        Ok(_) if is_cluster_file_text(&String::from_utf8_lossy(&head)) => {
            d.files.push(path.to_path_buf())
        }
        Ok(_) => d.skipped += 1,
        Err(_) => d.files.push(path.to_path_buf()),
    }
}

#[cfg(test)]
mod tests {
    use super::is_cluster_file_text;

    #[test]
    fn cluster_files_are_told_by_their_first_two_keys() {
        assert!(is_cluster_file_text(
            "apiVersion: palisade.dev/v1alpha1\nkind: Cluster\nname: x\n"
        ));
        assert!(is_cluster_file_text(
            "# c\nkind: \"Cluster\"   # yes\napiVersion: 'palisade.dev/v1alpha1'\nname: [broken\n"
        ));
        assert!(!is_cluster_file_text(
            "apiVersion: palisade.dev/v1alpha1\nkind: Profile\n"
        ));
        assert!(!is_cluster_file_text("apiVersion: v1\nkind: Cluster\n"));
        assert!(is_cluster_file_text(
            "\u{feff}apiVersion : palisade.dev/v1alpha1\nkind:\tCluster\n"
        ));
        assert!(!is_cluster_file_text(
            "spec:\n  apiVersion: palisade.dev/v1alpha1\n  kind: Cluster\n"
        ));
    }
}
