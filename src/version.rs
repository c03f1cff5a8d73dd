//! Kubernetes versions as cluster files, kops specs and profiles write them.

/// `(major, minor, patch)` of a Kubernetes version as kops writes it (`1.34.1`, `v1.34.1`);
/// the patch is `None` when absent or not a number. Anything after the patch is ignored.
pub fn kubernetes_version(v: &str) -> Option<(u32, u32, Option<u32>)> {
    let mut parts = v.trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().and_then(|p| p.parse().ok());
    Some((major, minor, patch))
}

/// `v1.N`: the minor version a version string names, as the Pod Security `-version` labels
/// take it (`1.33.5-gke.1201000` → `v1.33`).
pub fn minor_label(v: &str) -> Option<String> {
    let (major, minor, _) = kubernetes_version(v)?;
    Some(format!("v{major}.{minor}"))
}
