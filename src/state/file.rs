//! `file://` state store: a directory laid out as kops lays out its bucket.
//!
//! A write goes to a temporary file outside the cluster's prefix and is renamed into place, so
//! a reader never sees half an object. The compare-and-swap is made atomic by an exclusive
//! lock on `.palisade-cas.lock` around check and rename; the apply lock is a second lock file
//! per cluster, taken with `try_lock` so a second apply fails at once instead of waiting.
//! Both lock files sit at the store root, outside every `CLUSTER/` prefix.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use ring::digest;

use super::{ApplyLock, Object, Precondition, StateStore, StoreError, Version};

pub struct FileStore {
    url: String,
    root: PathBuf,
}

struct FileLock {
    _file: File,
}

impl ApplyLock for FileLock {}

fn version_of(data: &[u8]) -> Version {
    digest::digest(&digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        let ok = !key.is_empty()
            && key
                .split('/')
                .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
        if !ok {
            return Err(StoreError::io(key, "not a valid store key"));
        }
        Ok(self.root.join(key))
    }

    fn exclusive(&self, name: &str) -> Result<File, StoreError> {
        fs::create_dir_all(&self.root).map_err(|e| StoreError::io(self.root.display(), e))?;
        let path = self.root.join(name);
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(path.display(), e))
    }
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".palisade") {
            continue;
        }
        let key = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if entry.file_type()?.is_dir() {
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
        walk(&self.root.join(dir_part), dir_part, &mut out)
            .map_err(|e| StoreError::io(self.root.display(), e))?;
        out.retain(|k| k.starts_with(prefix));
        out.sort();
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        let path = self.path(key)?;
        match fs::read(&path) {
            Ok(data) => Ok(Some(Object {
                version: version_of(&data),
                data,
            })),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(path.display(), e)),
        }
    }

    fn put(&self, key: &str, data: &[u8], condition: &Precondition) -> Result<Version, StoreError> {
        let target = self.path(key)?;
        let tmp_dir = self.root.join(".palisade-tmp");
        fs::create_dir_all(&tmp_dir).map_err(|e| StoreError::io(tmp_dir.display(), e))?;
        let mut nonce = [0u8; 8];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce)
            .map_err(|_| StoreError::io("random", "the system random source failed"))?;
        let tmp = tmp_dir.join(format!(
            "{}-{}",
            std::process::id(),
            u64::from_le_bytes(nonce)
        ));
        {
            let mut f = File::create(&tmp).map_err(|e| StoreError::io(tmp.display(), e))?;
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
                fs::create_dir_all(parent).map_err(|e| StoreError::io(parent.display(), e))?;
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
        let name = format!(".palisade-apply-{cluster}.lock");
        let file = self.exclusive(&name)?;
        match file.try_lock() {
            Ok(()) => Ok(Box::new(FileLock { _file: file })),
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
