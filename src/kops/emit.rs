//! YAML output that kops reads back exactly.
//!
//! kops decodes with a YAML 1.1 parser (go-yaml v2 through sigs.k8s.io/yaml), where `yes`, `on`,
//! `N`, `1_000` or `2016-12-10T22:42:27Z` are not strings. serde_yaml writes YAML 1.2 and leaves
//! those unquoted, so a label value `"on"` would come back as `true`. This emitter quotes every
//! string that is not plainly a string under both versions; multi-line text becomes a literal
//! block, as kops users write audit policies.

use serde_yaml::Value;

const SPECIAL: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
    "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null", "NULL", "",
];

/// Whether `s` can stand unquoted and still be read as this string by YAML 1.1 and 1.2.
fn plain_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    // numbers, signs, dates, times and special floats all start like this; the only
    // whitespace the allowed bytes hold is a space, which may not lead or trail
    if first.is_ascii_digit()
        || matches!(first, b'+' | b'-' | b'.')
        || first == b' '
        || last == b' '
    {
        return false;
    }
    bytes
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || b"_./-:@ ()=,".contains(c))
        && !SPECIAL.contains(&s)
        && !s.contains(": ")
        && last != b':'
        && !s.contains(" #")
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if plain_ok(s) => s.clone(),
        Value::String(s) => quoted(s),
        Value::Tagged(t) => scalar(&t.value),
        Value::Sequence(_) | Value::Mapping(_) => String::new(),
    }
}

/// A literal block for multi-line text, when its lines allow one.
fn block(s: &str, indent: usize) -> Option<String> {
    if !s.contains('\n') || s.starts_with([' ', '\n']) || s.contains('\r') || s.contains('\t') {
        return None;
    }
    let body = s.strip_suffix('\n');
    let (marker, text) = match body {
        Some(b) if !b.ends_with('\n') => ("|", b),
        Some(_) => return None,
        None => ("|-", s),
    };
    if text.lines().any(|l| l.ends_with(' ')) {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::from(marker);
    out.push('\n');
    for line in text.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    Some(out)
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) if plain_ok(s) => s.clone(),
        Value::String(s) => quoted(s),
        other => quoted(&scalar(other)),
    }
}

fn is_empty_collection(v: &Value) -> Option<&'static str> {
    match v {
        Value::Mapping(m) if m.is_empty() => Some("{}"),
        Value::Sequence(s) if s.is_empty() => Some("[]"),
        _ => None,
    }
}

/// Writes the value that follows `key:` or `- `, at `indent` for its children.
fn value_after(v: &Value, indent: usize, out: &mut String) {
    if let Some(e) = is_empty_collection(v) {
        out.push(' ');
        out.push_str(e);
        out.push('\n');
        return;
    }
    match v {
        Value::Mapping(_) => {
            out.push('\n');
            emit(v, indent, out);
        }
        Value::Sequence(_) => {
            out.push('\n');
            // sequences under a key sit at the key's own indentation, as kops writes them
            emit(v, indent.saturating_sub(2), out);
        }
        Value::String(s) => match block(s, indent) {
            Some(b) => {
                out.push(' ');
                out.push_str(&b);
            }
            None => {
                out.push(' ');
                out.push_str(&scalar(v));
                out.push('\n');
            }
        },
        _ => {
            out.push(' ');
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Mapping(m) => {
            for (k, val) in m {
                out.push_str(&pad);
                out.push_str(&key_text(k));
                out.push(':');
                value_after(val, indent + 2, out);
            }
        }
        Value::Sequence(items) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match item {
                    Value::Mapping(m) if !m.is_empty() => {
                        // the first key shares the dash's line
                        let mut inner = String::new();
                        emit(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(inner.trim_start());
                    }
                    Value::Sequence(s) if !s.is_empty() => {
                        out.push('\n');
                        emit(item, indent + 2, out);
                    }
                    _ => value_after(item, indent + 2, out),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

/// One document as YAML text.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    if let Some(e) = is_empty_collection(v) {
        return format!("{e}\n");
    }
    emit(v, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plain_ok` as first written (char by char), which the byte-wise one must agree with.
    fn plain_ok_by_chars(s: &str) -> bool {
        if SPECIAL.contains(&s) || s.trim() != s {
            return false;
        }
        let first = s.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() || matches!(first, '+' | '-' | '.') {
            return false;
        }
        s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '_' | '.' | '/' | '-' | ':' | '@' | ' ' | '(' | ')' | '=' | ','
                )
        }) && !s.contains(": ")
            && !s.ends_with(':')
            && !s.contains(" #")
    }

    #[test]
    fn plain_scalars_are_judged_byte_by_byte_as_char_by_char() {
        let alphabet = [
            "a", "Z", "1", " ", ":", "#", "-", ".", "+", "_", "\t", "é", "\n", "(", "y", "o", "n",
        ];
        let mut cases: Vec<String> = SPECIAL.iter().map(|s| s.to_string()).collect();
        cases.extend(
            [
                "a: b",
                "a:",
                "x #y",
                "on ",
                " on",
                "eu-west-1a",
                "m6i.large",
                "1.34.1",
                "v1.34.1",
                "ok(1)=2,3@x/y",
            ]
            .map(String::from),
        );
        // every string of up to three symbols of the alphabet
        for a in alphabet {
            cases.push(a.to_string());
            for b in alphabet {
                cases.push(format!("{a}{b}"));
                for c in alphabet {
                    cases.push(format!("{a}{b}{c}"));
                }
            }
        }
        for s in &cases {
            assert_eq!(plain_ok(s), plain_ok_by_chars(s), "{s:?}");
        }
    }

    #[test]
    fn yaml_1_1_specials_stay_strings() {
        let v: Value = serde_yaml::from_str(
            "a: {x: 'yes', y: 'on', z: 'N', w: '1_000', t: '2016-12-10T22:42:27Z', n: 3, b: true}",
        )
        .expect("yaml");
        let text = to_yaml(&v);
        for q in [
            "\"yes\"",
            "\"on\"",
            "\"N\"",
            "\"1_000\"",
            "\"2016-12-10T22:42:27Z\"",
        ] {
            assert!(text.contains(q), "{q} not quoted in\n{text}");
        }
        assert!(
            text.contains("\"n\": 3") && text.contains("b: true"),
            "{text}"
        );
        assert_eq!(serde_yaml::from_str::<Value>(&text).expect("reparse"), v);
    }

    #[test]
    fn structures_and_blocks_round_trip() {
        let src = "k: v\nlist:\n- a\n- {name: x, roles: [ControlPlane], content: \"line one\\nline two\\n\"}\n- []\n- {}\nnested:\n  deep:\n  - - 1\n    - 2\nempty: ''\nspaced: ' lead'\nodd: \"a: b\"\nhash: \"x #y\"\n";
        let v: Value = serde_yaml::from_str(src).expect("yaml");
        let text = to_yaml(&v);
        assert_eq!(
            serde_yaml::from_str::<Value>(&text).expect(&text),
            v,
            "{text}"
        );
        assert!(text.contains("content: |\n"), "{text}");
    }
}
