//! Keys of one cluster in a kops state store (kops NOTES §a). Nothing else is ever written
//! under `CLUSTER/`: kops refuses to delete a cluster whose prefix holds unknown keys.

pub struct Layout<'a> {
    pub cluster: &'a str,
}

impl Layout<'_> {
    pub fn config(&self) -> String {
        format!("{}/config", self.cluster)
    }
    pub fn instance_group_prefix(&self) -> String {
        format!("{}/instancegroup/", self.cluster)
    }
    pub fn instance_group(&self, name: &str) -> String {
        format!("{}/instancegroup/{name}", self.cluster)
    }
    /// Whether `key` is one of the cluster's `instancegroup/NAME` keys.
    pub fn is_instance_group(&self, key: &str) -> bool {
        key.strip_prefix(&self.instance_group_prefix())
            .is_some_and(|n| !n.contains('/'))
    }
    pub fn secret(&self, name: &str) -> String {
        format!("{}/secrets/{name}", self.cluster)
    }
    pub fn ssh_public_key(&self, fingerprint: &str) -> String {
        format!("{}/pki/ssh/public/admin/{fingerprint}", self.cluster)
    }
    /// The Kubernetes objects kops applies with the cluster (`kops create -f` puts them there).
    pub fn cluster_addons(&self) -> String {
        format!("{}/clusteraddons/default", self.cluster)
    }
}

/// The name of the encryption-at-rest secret kops reads when `spec.encryptionConfig` is true.
pub const ENCRYPTION_SECRET_NAME: &str = "encryptionconfig";

/// The largest object a store read accepts: a kops document or secret is a few kilobytes; a
/// 50-group cluster's objects stay far below this.
pub const MAX_OBJECT_BYTES: u64 = 16 * 1024 * 1024;

/// Whether `key` is a store key at all: relative, `/`-separated, no empty, `.` or `..`
/// segment, no backslash or control character, at most 1024 bytes (S3's limit).
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > 1024 {
        return Err("a key is 1 to 1024 bytes".into());
    }
    if key.starts_with('/') {
        return Err("a key is relative to the store (no leading /)".into());
    }
    if key.chars().any(|c| c == '\\' || c.is_control()) {
        return Err("a key holds no backslash or control character".into());
    }
    if key
        .split('/')
        .any(|seg| seg.is_empty() || seg == "." || seg == "..")
    {
        return Err("a key has no empty, `.` or `..` segment".into());
    }
    Ok(())
}

/// Whether `name` can be a cluster's prefix: a DNS name (lowercase labels of letters, digits
/// and `-`, separated by dots), as kops and the cluster file require — never `.palisade-…`,
/// `..` or a name with spaces.
pub fn check_cluster_name(name: &str) -> Result<(), String> {
    check_key(name)?;
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(format!(
            "{:?} is not a cluster name (lowercase DNS labels separated by dots)",
            crate::yaml::bound_quotes(name)
        ));
    }
    Ok(())
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !s.starts_with('.')
}

impl Layout<'_> {
    /// Whether `key` is one of the keys Palisade writes for this cluster: `config`,
    /// `instancegroup/NAME`, `secrets/encryptionconfig`, `pki/ssh/public/admin/FINGERPRINT`,
    /// `clusteraddons/default`.
    pub fn owns(&self, key: &str) -> Result<(), String> {
        check_cluster_name(self.cluster)?;
        check_key(key)?;
        let Some(rest) = key
            .strip_prefix(self.cluster)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Err(format!("not under the cluster {}/", self.cluster));
        };
        let ok = match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["config"] => true,
            ["instancegroup", name] => is_name(name),
            ["secrets", name] => *name == ENCRYPTION_SECRET_NAME,
            ["clusteraddons", "default"] => true,
            ["pki", "ssh", "public", "admin", fp] => {
                fp.len() == 32 && fp.bytes().all(|b| b.is_ascii_hexdigit())
            }
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "not a key of the kops layout Palisade writes ({c}/config, {c}/instancegroup/NAME, {c}/secrets/{ENCRYPTION_SECRET_NAME}, {c}/pki/ssh/public/admin/FINGERPRINT, {c}/clusteraddons/default)",
                c = self.cluster
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_outside_the_layout_are_refused() {
        let l = Layout {
            cluster: "c.example.com",
        };
        for ok in [
            "c.example.com/config",
            "c.example.com/instancegroup/nodes-eu-west-1a",
            "c.example.com/secrets/encryptionconfig",
            "c.example.com/pki/ssh/public/admin/0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(l.owns(ok), Ok(()), "{ok}");
        }
        for bad in [
            "../../x",
            "/etc/passwd",
            "c.example.com//config",
            "c.example.com/../other/config",
            "other.example.com/config",
            "c.example.com/secrets/ca",
            "c.example.com/instancegroup/../config",
            "c.example.com/instancegroup/a/b",
            "c.example.com/cluster-completed.spec",
            "c.example.com/pki/private/ca/key",
            "c.example.com/config\0",
        ] {
            assert!(l.owns(bad).is_err(), "{bad}");
        }
        assert!(Layout { cluster: "../x" }.owns("../x/config").is_err());
        for bad in [".palisade-tmp", "UPPER case", "...", "-x", "a/b", "x-"] {
            assert!(check_cluster_name(bad).is_err(), "{bad}");
        }
        assert!(check_cluster_name("prod.k8s.example.com").is_ok());
    }
}

/// What kops and Palisade keep under a cluster's prefix (`CLUSTER/…`), and the apply leases
/// beside them: every other key of a state store bucket is something else's.
pub fn is_state_key(key: &str) -> bool {
    if key.starts_with(".palisade-lease-") {
        return true;
    }
    let Some((cluster, rest)) = key.split_once('/') else {
        return false;
    };
    if cluster.is_empty() {
        return false;
    }
    const FILES: [&str; 3] = ["config", "cluster-completed.spec", "kops-version.txt"];
    const DIRS: [&str; 8] = [
        "instancegroup/",
        "secrets/",
        "pki/",
        "clusteraddons/",
        "addons/",
        "manifests/",
        "backups/",
        "igconfig/",
    ];
    FILES.contains(&rest) || DIRS.iter().any(|d| rest.starts_with(d))
}

#[cfg(test)]
mod state_keys {
    use super::is_state_key;

    #[test]
    fn state_keys_are_told_from_other_objects() {
        for k in [
            "dev.example.com/config",
            "dev.example.com/instancegroup/nodes",
            "dev.example.com/secrets/encryptionconfig",
            "dev.example.com/pki/private/ca/1.key",
            ".palisade-lease-dev.example.com",
        ] {
            assert!(is_state_key(k), "{k}");
        }
        for k in [
            "photos/cat.jpg",
            "config",
            "/config",
            "dev.example.com/notes.txt",
        ] {
            assert!(!is_state_key(k), "{k}");
        }
    }
}
