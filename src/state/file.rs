//! `file://` state store: a directory laid out as kops lays out its bucket.
//!
//! A write goes to a temporary file outside the cluster's prefix and is renamed into place, so
//! a reader never sees half an object. The compare-and-swap is made atomic by an exclusive
//! lock on `.palisade-cas.lock` around check and rename; the apply lock is a second lock file
//! per cluster, taken with `try_lock` so a second apply fails at once instead of waiting.
//! Both lock files sit at the store root, outside every `CLUSTER/` prefix.
//!
//! What the store holds is the cluster's secrets: directories are created 0700 and every
//! object 0600 from its creation (the temporary file is made so, and renamed into place). No
//! symbolic link under the root is followed, only regular files are read, and no read takes
//! more than [`MAX_OBJECT_BYTES`]. Temporary files left by a killed writer are removed when
//! the next apply takes its lock.

use std::collections::HashSet;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use ring::digest;

use super::{
    check_key, ApplyLock, Object, Precondition, StateStore, StoreError, Version, MAX_OBJECT_BYTES,
};

pub struct FileStore {
    url: String,
    root: PathBuf,
}

struct FileLock {
    _file: File,
}

impl ApplyLock for FileLock {}

fn version_of(data: &[u8]) -> Version {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let sum = digest::digest(&digest::SHA256, data);
    let mut out = String::with_capacity(64);
    for b in sum.as_ref() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

impl FileStore {
    /// Opens the store rooted at `root`. Nothing is created until something is written, so a
    /// plan against a new store leaves no trace.
    pub fn open(url: &str, root: PathBuf) -> Result<Self, StoreError> {
        if root.exists() && !root.is_dir() {
            return Err(StoreError::io(
                root.display(),
                "exists and is not a directory",
            ));
        }
        Ok(FileStore {
            url: url.to_string(),
            root,
        })
    }

    /// The path of `key`, refusing a key that is not one and any symbolic link on the way
    /// from the root (a link would let a write land outside the store).
    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        self.walk_key(key, &mut HashSet::new(), true)
            .map(|(path, _)| path)
    }

    /// The refusal of a symbolic link at `path`.
    fn link(path: &Path) -> StoreError {
        StoreError::io(
            path.display(),
            "is a symbolic link inside the state store; Palisade follows none (replace it with the directory or file itself)",
        )
    }

    /// Checks `key` and each entry on its way from the root (the last one too when
    /// `last_too`), refusing a symbolic link; directories in `checked` (found to be none by an
    /// earlier key of the same read) are skipped and those checked are added. Returns the
    /// path and whether every entry checked is there.
    fn walk_key(
        &self,
        key: &str,
        checked: &mut HashSet<PathBuf>,
        last_too: bool,
    ) -> Result<(PathBuf, bool), StoreError> {
        check_key(key)
            .map_err(|why| StoreError::io(key, format!("not a valid store key: {why}")))?;
        let mut here = self.root.clone();
        let mut segments = key.split('/').peekable();
        while let Some(seg) = segments.next() {
            here.push(seg);
            let last = segments.peek().is_none();
            if (last && !last_too) || (!last && checked.contains(&here)) {
                continue;
            }
            match fs::symlink_metadata(&here) {
                Ok(m) if m.file_type().is_symlink() => return Err(Self::link(&here)),
                Ok(_) if !last => {
                    checked.insert(here.clone());
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    return Ok((self.root.join(key), false))
                }
                Err(e) => return Err(StoreError::io(here.display(), e)),
            }
        }
        Ok((here, true))
    }

    /// `get`, with the directories already checked by the same read. The object is opened
    /// without following a link and without blocking (a FIFO), then judged on what was opened.
    fn get_checked(
        &self,
        key: &str,
        checked: &mut HashSet<PathBuf>,
    ) -> Result<Option<Object>, StoreError> {
        let (path, found) = self.walk_key(key, checked, false)?;
        if !found {
            return Ok(None);
        }
        let file = match OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(Self::link(&path)),
            Err(e) => return Err(StoreError::io(path.display(), e)),
        };
        let meta = file
            .metadata()
            .map_err(|e| StoreError::io(path.display(), e))?;
        if !meta.file_type().is_file() {
            // a FIFO or a device would block the read or never end
            return Err(StoreError::io(
                path.display(),
                "is not a regular file; a state store holds only files",
            ));
        }
        let mut data =
            Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 20) + 1);
        file.take(MAX_OBJECT_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| StoreError::io(path.display(), e))?;
        if data.len() as u64 > MAX_OBJECT_BYTES {
            return Err(StoreError::io(
                path.display(),
                format!("is larger than {MAX_OBJECT_BYTES} bytes, the limit for a store object"),
            ));
        }
        Ok(Some(Object {
            version: version_of(&data),
            data,
        }))
    }

    /// `path` (an entry Palisade keeps at the store root: the temporary directory, a lock
    /// file), refused when it is a symbolic link.
    fn own_entry(path: &Path) -> Result<(), StoreError> {
        match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => Err(StoreError::io(
                path.display(),
                "is a symbolic link inside the state store; Palisade follows none (remove it)",
            )),
            _ => Ok(()),
        }
    }

    /// Creates `dir` and its parents, 0700.
    fn mkdir(dir: &Path) -> Result<(), StoreError> {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| StoreError::io(dir.display(), e))
    }

    /// Removes temporary files whose writer is gone (named `PID-NONCE`; the process no longer
    /// runs), such as the ones a kill -9 mid-write leaves.
    fn remove_stale_temporaries(&self) {
        let dir = self.root.join(".palisade-tmp");
        if Self::own_entry(&dir).is_err() {
            return;
        }
        let Ok(entries) = fs::read_dir(&dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
            if !alive {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn exclusive(&self, name: &str) -> Result<File, StoreError> {
        Self::mkdir(&self.root)?;
        let path = self.root.join(name);
        Self::own_entry(&path)?;
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| StoreError::io(path.display(), e))
    }
}

/// The keys under `dir` (itself the key prefix `rel`); an error names the entry it is about.
fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<(), StoreError> {
    let at = |e: std::io::Error| StoreError::io(dir.display(), e);
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(at(e)),
    };
    for entry in entries {
        let entry = entry.map_err(at)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".palisade") {
            continue;
        }
        let key = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| StoreError::io(entry.path().display(), e))?;
        if kind.is_dir() {
            walk(&entry.path(), &key, out)?;
        } else {
            out.push(key);
        }
    }
    Ok(())
}

impl StateStore for FileStore {
    fn url(&self) -> &str {
        &self.url
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        // walk only the directory part of the prefix, then filter
        let dir_part = prefix.rsplit_once('/').map_or("", |(d, _)| d);
        let mut out = Vec::new();
        walk(&self.root.join(dir_part), dir_part, &mut out)?;
        out.retain(|k| k.starts_with(prefix));
        out.sort();
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        self.get_checked(key, &mut HashSet::new())
    }

    fn get_many(&self, keys: &[String]) -> Result<Vec<Option<Object>>, StoreError> {
        // the keys of one cluster share their directories: each is checked once
        let mut checked = HashSet::new();
        keys.iter()
            .map(|k| self.get_checked(k, &mut checked))
            .collect()
    }

    fn put(&self, key: &str, data: &[u8], condition: &Precondition) -> Result<Version, StoreError> {
        let target = self.path(key)?;
        let tmp_dir = self.root.join(".palisade-tmp");
        Self::own_entry(&tmp_dir)?;
        Self::mkdir(&tmp_dir)?;
        let mut nonce = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
            .map_err(|_| StoreError::io("random", "the system random source failed"))?;
        let tmp = tmp_dir.join(format!(
            "{}-{}",
            std::process::id(),
            u64::from_le_bytes(nonce)
        ));
        {
            // 0600 from creation: the object may be a secret, and is never world-readable
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)
                .map_err(|e| StoreError::io(tmp.display(), e))?;
            f.write_all(data)
                .and_then(|()| f.sync_all())
                .map_err(|e| StoreError::io(tmp.display(), e))?;
        }
        let result = (|| {
            let cas = self.exclusive(".palisade-cas.lock")?;
            cas.lock().map_err(|e| StoreError::io("cas lock", e))?;
            let current = self.get(key)?.map(|o| o.version);
            let holds = match (condition, &current) {
                (Precondition::Absent, None) => true,
                (Precondition::Matches(v), Some(c)) => v == c,
                _ => false,
            };
            if !holds {
                let expected = match condition {
                    Precondition::Absent => "no object".to_string(),
                    Precondition::Matches(v) => format!("version {}", &v[..v.len().min(12)]),
                };
                return Err(StoreError::Conflict {
                    key: key.to_string(),
                    expected,
                });
            }
            if let Some(parent) = target.parent() {
                Self::mkdir(parent)?;
                // the directories just made may have replaced nothing, but a link put in
                // meanwhile is still refused
                self.path(key)?;
            }
            fs::rename(&tmp, &target).map_err(|e| StoreError::io(target.display(), e))?;
            Ok(version_of(data))
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn lock(&self, cluster: &str) -> Result<Box<dyn ApplyLock>, StoreError> {
        super::check_cluster_name(cluster)
            .map_err(|why| StoreError::io(cluster, format!("not a cluster name: {why}")))?;
        let name = format!(".palisade-apply-{cluster}.lock");
        let file = self.exclusive(&name)?;
        match file.try_lock() {
            Ok(()) => {
                self.remove_stale_temporaries();
                Ok(Box::new(FileLock { _file: file }))
            }
            Err(fs::TryLockError::WouldBlock) => Err(StoreError::Locked {
                url: self.url.clone(),
                holder: format!("{} is locked", self.root.join(name).display()),
            }),
            Err(fs::TryLockError::Error(e)) => Err(StoreError::io(name, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_replace_and_conflicts() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = FileStore::open("file://t", dir.path().to_path_buf()).expect("open");
        let v1 = s
            .put("c/config", b"one", &Precondition::Absent)
            .expect("create");
        assert!(matches!(
            s.put("c/config", b"two", &Precondition::Absent),
            Err(StoreError::Conflict { .. })
        ));
        let v2 = s
            .put("c/config", b"two", &Precondition::Matches(v1.clone()))
            .expect("replace");
        assert!(matches!(
            s.put("c/config", b"three", &Precondition::Matches(v1)),
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            s.get("c/config").expect("get").map(|o| (o.data, o.version)),
            Some((b"two".to_vec(), v2))
        );
        s.put("c/instancegroup/a", b"x", &Precondition::Absent)
            .expect("ig");
        assert_eq!(
            s.list("c/instancegroup/").expect("list"),
            vec!["c/instancegroup/a"]
        );
        assert_eq!(
            s.list("c/").expect("list"),
            vec!["c/config", "c/instancegroup/a"]
        );
        assert!(s.get("../etc/passwd").is_err());
    }

    #[test]
    fn second_lock_fails_at_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let s = FileStore::open("file://t", dir.path().to_path_buf()).expect("open");
        let held = s.lock("c").expect("first");
        assert!(matches!(s.lock("c"), Err(StoreError::Locked { .. })));
        drop(held);
        assert!(s.lock("c").is_ok());
    }
}
