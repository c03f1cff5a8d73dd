//! A value that must never reach a terminal, a log or an error message.

use std::fmt;

use ring::rand::{SecureRandom, SystemRandom};

/// Wraps key material. `Debug` and `Display` print `(sensitive value)`; there is no
/// `Serialize`, so it cannot end up in a plan or a report by accident. `expose` is the one way
/// to the bytes, used only where they are written to the state store.
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Secret(self.0.clone())
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive value)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(sensitive value)")
    }
}

/// `N` bytes from the OS CSPRNG.
pub fn random_bytes<const N: usize>() -> Result<Secret<[u8; N]>, String> {
    let mut buf = [0u8; N];
    SystemRandom::new()
        .fill(&mut buf)
        .map_err(|_| "the system random source failed".to_string())?;
    Ok(Secret(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints() {
        let s = random_bytes::<32>().expect("rng");
        assert_eq!(format!("{s} {s:?}"), "(sensitive value) (sensitive value)");
        let t = random_bytes::<32>().expect("rng");
        assert_ne!(s.expose(), t.expose(), "two keys from the CSPRNG are equal");
    }
}
