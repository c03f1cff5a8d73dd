//! Generic helpers over YAML / JSON value trees and serde_yaml messages; nothing here knows a
//! provider.

pub mod tree;

/// serde_yaml appends " at line L column C" to its messages; the location is printed in front.
/// The message is also bounded: a value it quotes is cut to a short excerpt, and a document
/// that is not a mapping at all (a key file, a token, /etc/passwd given as a cluster file or
/// profile) is not quoted.
pub fn strip_location(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    bound_quotes(&not_a_mapping(message).unwrap_or_else(|| message.to_string()))
}

/// The longest excerpt of a value an error message quotes.
pub const MAX_EXCERPT: usize = 24;

/// `invalid type: string "…whole file…", expected struct X` for a whole document: said without
/// the content.
fn not_a_mapping(message: &str) -> Option<String> {
    let rest = message.strip_prefix("invalid type: ")?;
    let (kind, expected) = rest.split_once(", expected struct ")?;
    let kind = kind.split([' ', '"']).next().unwrap_or("value");
    Some(format!(
        "the document is a YAML {kind}, not a mapping (expected {expected}); its content is not shown"
    ))
}

/// Every `"…"` in `message` longer than [`MAX_EXCERPT`] characters, cut.
pub fn bound_quotes(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    let mut rest = message;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        // the closing quote: the next one not escaped
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let Some(end) = end else {
            // no closing quote: cut the rest
            out.push_str(&after.chars().take(MAX_EXCERPT).collect::<String>());
            if after.chars().count() > MAX_EXCERPT {
                out.push('…');
            }
            return out;
        };
        let quoted = &after[..end];
        if quoted.chars().count() > MAX_EXCERPT {
            out.push_str(&quoted.chars().take(MAX_EXCERPT).collect::<String>());
            out.push('…');
        } else {
            out.push_str(quoted);
        }
        out.push('"');
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_never_quote_more_than_an_excerpt() {
        let key =
            "-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ";
        let m = strip_location(&format!(
            "invalid type: string \"{key}\", expected struct ClusterFile at line 1 column 1"
        ));
        assert!(!m.contains("BEGIN") && !m.contains("b3Bl"), "{m}");
        assert!(m.contains("not a mapping"), "{m}");
        let m = strip_location(&format!(
            "kops.zones[0]: invalid value \"{}\"",
            "x".repeat(500)
        ));
        assert!(m.len() < 80, "{m}");
        assert!(m.ends_with("…\""), "{m}");
        assert_eq!(
            bound_quotes("short \"a\" and \"b\""),
            "short \"a\" and \"b\""
        );
    }
}
