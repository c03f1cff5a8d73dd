//! Reading and writing fields of a YAML value tree by path.
//!
//! kops documents are kept as trees, not typed structs, so that every field Palisade does not own
//! survives a round trip exactly (kops has hundreds of fields and adds more each release).

use serde_yaml::{Mapping, Value};

/// The value at `path` (mapping keys), if every step exists.
pub fn get<'a>(root: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut node = root;
    for key in path {
        node = field(node.as_mapping()?, key)?;
    }
    Some(node)
}

/// The value of the string key `key` of `map`. The mappings of a spec are small: a scan
/// compares fewer bytes than hashing the key does, and a large one is looked up by hash.
pub fn field<'a>(map: &'a Mapping, key: &str) -> Option<&'a Value> {
    if map.len() > 32 {
        return map.get(key);
    }
    map.iter()
        .find(|(k, _)| matches!(k, Value::String(s) if s == key))
        .map(|(_, v)| v)
}

pub fn get_bool(root: &Value, path: &[&str]) -> Option<bool> {
    get(root, path).and_then(Value::as_bool)
}

pub fn get_str<'a>(root: &'a Value, path: &[&str]) -> Option<&'a str> {
    get(root, path).and_then(Value::as_str)
}

pub fn get_i64(root: &Value, path: &[&str]) -> Option<i64> {
    get(root, path).and_then(Value::as_i64)
}

/// A list of strings; non-string items are skipped.
pub fn get_str_list(root: &Value, path: &[&str]) -> Option<Vec<String>> {
    let seq = get(root, path)?.as_sequence()?;
    Some(
        seq.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
    )
}

/// The mapping at `path`, created (and any non-mapping in the way replaced) when missing.
pub fn ensure_map<'a>(root: &'a mut Value, path: &[&str]) -> &'a mut Mapping {
    let mut node = root;
    for key in path {
        if !node.is_mapping() {
            *node = Value::Mapping(Mapping::new());
        }
        let map = match node {
            Value::Mapping(m) => m,
            _ => unreachable!("made a mapping just above"),
        };
        if !map.get(*key).is_some_and(Value::is_mapping) {
            map.insert(Value::from(*key), Value::Mapping(Mapping::new()));
        }
        node = match map.get_mut(*key) {
            Some(v) => v,
            None => unreachable!("inserted just above"),
        };
    }
    if !node.is_mapping() {
        *node = Value::Mapping(Mapping::new());
    }
    match node {
        Value::Mapping(m) => m,
        _ => unreachable!("made a mapping just above"),
    }
}

/// Sets `path` to `value`, creating parents; an existing key keeps its place in the mapping.
pub fn set(root: &mut Value, path: &[&str], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        *root = value;
        return;
    };
    let map = ensure_map(root, parents);
    if map.get(*last) != Some(&value) {
        map.insert(Value::from(*last), value);
    }
}

/// Removes `path`; returns whether something was there.
pub fn remove(root: &mut Value, path: &[&str]) -> bool {
    let Some((last, parents)) = path.split_last() else {
        return false;
    };
    let mut node = root;
    for key in parents {
        match node.as_mapping_mut().and_then(|m| m.get_mut(*key)) {
            Some(v) => node = v,
            None => return false,
        }
    }
    node.as_mapping_mut()
        .and_then(|m| m.remove(*last))
        .is_some()
}

/// A list of strings as a YAML sequence.
/// A mapping of `pairs`, in their order.
pub fn map(pairs: Vec<(&str, Value)>) -> Value {
    Value::Mapping(
        pairs
            .into_iter()
            .map(|(k, v)| (Value::from(k), v))
            .collect::<Mapping>(),
    )
}

pub fn str_seq<S: AsRef<str>>(items: &[S]) -> Value {
    Value::Sequence(items.iter().map(|s| Value::from(s.as_ref())).collect())
}

/// Deep merge: mappings merge key by key, anything else (lists included) replaces, as kops
/// merges a user spec over its defaults.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The tree with every mapping's keys in sorted order, as kops itself writes specs.
pub fn sorted(node: &Value) -> Value {
    match node {
        Value::Mapping(m) => {
            let mut pairs: Vec<(&Value, &Value)> = m.iter().collect();
            pairs.sort_by(|(a, _), (b, _)| sort_key(a).cmp(sort_key(b)));
            Value::Mapping(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Sequence(s) => Value::Sequence(s.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// How [`sorted`] orders a mapping's keys: strings by their text, every other key first.
fn sort_key(k: &Value) -> &str {
    k.as_str().unwrap_or_default()
}

/// Whether [`sorted`] would leave the tree as it is.
pub fn is_sorted(node: &Value) -> bool {
    match node {
        Value::Mapping(m) => {
            m.keys()
                .zip(m.keys().skip(1))
                .all(|(a, b)| sort_key(a) <= sort_key(b))
                && m.values().all(is_sorted)
        }
        Value::Sequence(s) => s.iter().all(is_sorted),
        _ => true,
    }
}

/// A value as text (a mapping key as a path segment, a field in a message): a string as it
/// is, anything else as its YAML.
pub fn text_of(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// `path.key` (`key` alone at the root), the dotted paths [`leaves`] spells.
fn child_path(path: &str, k: &Value) -> String {
    let mut out = path.to_string();
    push_key(&mut out, k);
    out
}

/// Extends `path` to its child `k` as [`child_path`] spells it.
fn push_key(path: &mut String, k: &Value) {
    if !path.is_empty() {
        path.push('.');
    }
    match k.as_str() {
        Some(key) => path.push_str(key),
        None => path.push_str(&text_of(k)),
    }
}

/// Every leaf of a tree as (dotted path, value), in document order. Empty mappings and lists
/// count as leaves so that adding or removing one is seen.
pub fn leaves(root: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    walk(root, String::new(), &mut out);
    out
}

fn walk(node: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match node {
        Value::Mapping(m) if !m.is_empty() => {
            for (k, v) in m {
                let p = child_path(&path, k);
                walk(v, p, out);
            }
        }
        Value::Sequence(s) if !s.is_empty() => {
            for (i, v) in s.iter().enumerate() {
                walk(v, format!("{path}[{i}]"), out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

/// The paths (as [`leaves`] spells them) of the leaves of `now` that are not in `prior` with
/// the same value: what [`leaves`] of both and a comparison would give, in one walk of both
/// trees that builds a path only for a leaf that differs.
pub fn changed_leaves(prior: Option<&Value>, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    changed(prior, now, &mut String::new(), &mut out);
    out
}

/// The changed leaves under `now`; `path` (where `now` is) is extended and restored.
fn changed(prior: Option<&Value>, now: &Value, path: &mut String, out: &mut Vec<String>) {
    let at = path.len();
    match now {
        Value::Mapping(m) if !m.is_empty() => {
            let old = prior.and_then(Value::as_mapping);
            for (k, v) in m {
                let was = old.and_then(|o| match k {
                    Value::String(key) => field(o, key),
                    other => o.get(other),
                });
                push_key(path, k);
                changed(was, v, path, out);
                path.truncate(at);
            }
        }
        Value::Sequence(s) if !s.is_empty() => {
            let old = prior.and_then(Value::as_sequence);
            for (i, v) in s.iter().enumerate() {
                use std::fmt::Write;
                let _ = write!(path, "[{i}]");
                changed(old.and_then(|o| o.get(i)), v, path, out);
                path.truncate(at);
            }
        }
        _ if prior != Some(now) => out.push(path.clone()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_leaves_are_the_leaves_that_differ() {
        let before = yaml(
            "a: 1
b: {c: 2, d: [x, y]}
e: {}
",
        );
        let after = yaml(
            "a: 1
b: {c: 3, d: [x, z, w]}
e: {f: 1}
g: []
",
        );
        let by_leaves: Vec<String> = {
            let old: std::collections::BTreeMap<String, Value> =
                leaves(&before).into_iter().collect();
            leaves(&after)
                .into_iter()
                .filter(|(p, v)| old.get(p) != Some(v))
                .map(|(p, _)| p)
                .collect()
        };
        assert_eq!(changed_leaves(Some(&before), &after), by_leaves);
        assert_eq!(by_leaves, ["b.c", "b.d[1]", "b.d[2]", "e.f", "g"]);
        assert_eq!(changed_leaves(None, &after).len(), leaves(&after).len());
        assert!(changed_leaves(Some(&after), &after).is_empty());
    }

    fn yaml(s: &str) -> Value {
        serde_yaml::from_str(s).expect("test yaml")
    }

    /// What `changed_leaves` must give: the leaves of `now` whose value `prior` lacks.
    fn by_leaves(prior: Option<&Value>, now: &Value) -> Vec<String> {
        let old: std::collections::BTreeMap<String, Value> =
            prior.map(leaves).unwrap_or_default().into_iter().collect();
        leaves(now)
            .into_iter()
            .filter(|(p, v)| old.get(p) != Some(v))
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn changed_leaves_agree_with_the_leaves_on_every_pair() {
        let trees = [
            "a: 1",
            "a: {b: 1}",
            "a: {b: 2, c: [1, 2]}",
            "a: {}",
            "a: []",
            "a: [{x: 1}, {x: 2}]",
            "a: [{x: 1}]",
            "a: null",
            "{a: 1, 7: seven, true: t}",
            "{a: 1, 7: eight}",
            "'': {'': 1, b: 2}",
            "'': {'': 2}",
            "spec: {kubelet: {anonymousAuth: false}, subnets: [{name: a, cidr: 10.0.0.0/24}]}",
            "spec: {kubelet: {anonymousAuth: true}, subnets: [{name: a, cidr: 10.0.1.0/24}, {name: b}]}",
            "[1, 2]",
            "scalar",
        ];
        let values: Vec<Value> = trees.iter().map(|t| yaml(t)).collect();
        for now in &values {
            assert_eq!(changed_leaves(None, now), by_leaves(None, now), "{now:?}");
            for prior in &values {
                assert_eq!(
                    changed_leaves(Some(prior), now),
                    by_leaves(Some(prior), now),
                    "{prior:?} -> {now:?}"
                );
            }
        }
    }

    #[test]
    fn a_field_is_found_as_the_mapping_finds_it_small_or_large() {
        for size in [0, 1, 5, 32, 33, 100] {
            let mut text: String = (0..size).map(|i| format!("k{i}: {i}\n")).collect();
            text.push_str("1: number\ntrue: bool\n\"7\": seven\n");
            let v = yaml(&text);
            let m = v.as_mapping().expect("mapping");
            for key in ["k0", "k4", "k32", "k99", "1", "true", "7", "missing", ""] {
                assert_eq!(field(m, key), m.get(key), "{size} keys, {key:?}");
            }
        }
        assert_eq!(
            field(yaml("1: a").as_mapping().expect("mapping"), "1"),
            None
        );
        assert_eq!(
            get(&yaml("a: {b: {c: 3}}"), &["a", "b", "c"]),
            Some(&Value::from(3))
        );
    }

    #[test]
    fn set_creates_parents_and_keeps_order() {
        let mut v = yaml("a: 1\nb: {c: 2}\nz: 9\n");
        set(&mut v, &["b", "d", "e"], Value::from(true));
        set(&mut v, &["a"], Value::from(5));
        assert_eq!(
            serde_yaml::to_string(&v).expect("yaml"),
            "a: 5\nb:\n  c: 2\n  d:\n    e: true\nz: 9\n"
        );
        assert_eq!(get_bool(&v, &["b", "d", "e"]), Some(true));
        assert!(remove(&mut v, &["b", "c"]));
        assert!(!remove(&mut v, &["b", "c"]));
    }

    #[test]
    fn merge_replaces_lists_and_merges_maps() {
        let mut v = yaml("a: {x: 1, l: [1, 2]}\n");
        merge(&mut v, &yaml("a: {y: 2, l: [3]}\n"));
        assert_eq!(v, yaml("a: {x: 1, l: [3], y: 2}\n"));
    }

    #[test]
    fn leaves_lists_paths() {
        let v = yaml("a: {b: [x, {c: 1}], e: {}}\n");
        let paths: Vec<String> = leaves(&v).into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, vec!["a.b[0]", "a.b[1].c", "a.e"]);
    }
}
