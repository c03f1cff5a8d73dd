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
    pub fn secret(&self, name: &str) -> String {
        format!("{}/secrets/{name}", self.cluster)
    }
    pub fn ssh_public_key(&self, fingerprint: &str) -> String {
        format!("{}/pki/ssh/public/admin/{fingerprint}", self.cluster)
    }
}

/// The name of the encryption-at-rest secret kops reads when `spec.encryptionConfig` is true.
pub const ENCRYPTION_SECRET_NAME: &str = "encryptionconfig";
