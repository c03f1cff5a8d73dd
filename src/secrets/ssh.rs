//! kops keys an SSH public key by the MD5 fingerprint of its blob, hex without colons.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use md5::{Digest, Md5};

/// The fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA… comment`).
pub fn fingerprint(public_key: &str) -> Result<String, String> {
    let blob = public_key
        .split_whitespace()
        .nth(1)
        .ok_or("not an OpenSSH public key: expected `TYPE BASE64 [COMMENT]`")?;
    let bytes = STANDARD
        .decode(blob)
        .map_err(|_| "the key's base64 part does not decode")?;
    Ok(Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_the_blob() {
        // blob "abc" → md5 900150983cd24fb0d6963f7d28e17f72
        assert_eq!(
            fingerprint("ssh-ed25519 YWJj me@host").expect("fp"),
            "900150983cd24fb0d6963f7d28e17f72"
        );
        assert!(fingerprint("garbage").is_err());
    }
}
