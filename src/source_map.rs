//! Where each field of a YAML document stands in its file.
//!
//! serde gives a position only for errors it raises itself. Checks that run after
//! deserialisation (duplicate names, expired waivers, overrides the kops schema does not know)
//! name a field path instead, and this map turns the path into `file:line:col` so every error a
//! user sees points at the line to fix.

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A position in a source file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Field paths (`kops.nodeGroups[1].name`) of the first document of a file, with the position of
/// each key (or of each sequence item).
#[derive(Debug, Default)]
pub struct SourceMap {
    file: String,
    positions: HashMap<String, (usize, usize)>,
    too_deep: Option<(usize, usize)>,
    /// The first key repeated in its mapping: where the repeat is, and the key.
    duplicate: Option<(usize, usize, String)>,
    /// The first alias of an anchor that itself holds aliases (how a small file expands
    /// without bound).
    nested_alias: Option<(usize, usize)>,
}

/// The position where `[`/`{` brackets first nest deeper than [`MAX_DEPTH`], outside quoted
/// scalars and comments; a cheap over-estimate of flow nesting (a bracket inside a plain scalar
/// counts too, which no real cluster file nests 64 deep).
fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut col) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut prev = '\n';
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = c;
            continue;
        }
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None if comment => {}
            None => match c {
                '#' if prev.is_whitespace() => comment = true,
                // a quote opens a quoted scalar only where a scalar can start
                '"' | '\'' if prev.is_whitespace() || "[{,:-".contains(prev) => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((line, col));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    None
}

/// How deep mappings and sequences may nest in a cluster file or profile; real ones nest a
/// few levels (overrides included, fewer than 20).
pub const MAX_DEPTH: usize = 64;

impl SourceMap {
    /// Builds the map. Text that is not valid YAML gives an empty map: the caller reports the
    /// parse error itself, with the position serde found.
    pub fn new(file: &str, text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // Events are read one at a time (the parser's own loader recurses once per level and
        // overflows the stack on deep input). A scan error only ends the walk early; positions
        // seen so far stay useful. Nesting beyond MAX_DEPTH ends it too, and is reported.
        // flow collections (`[[[…`, `{a: {a: …`) are measured first: the scanner reads a flow
        // collection ahead before it yields an event, in time quadratic in its depth
        let mut too_deep = flow_too_deep(text);
        while let Ok((event, mark)) = parser.next_token() {
            if too_deep.is_some() {
                break;
            }
            if matches!(event, Event::StreamEnd) || builder.done {
                break;
            }
            builder.on_event(event, mark);
            if builder.stack.len() > MAX_DEPTH {
                too_deep = Some((mark.line(), mark.col() + 1));
                break;
            }
        }
        SourceMap {
            file: file.to_string(),
            positions: builder.positions,
            too_deep,
            duplicate: builder.duplicate,
            nested_alias: builder.nested_alias,
        }
    }

    /// Where a parse error serde reported at `line:column` is best shown: a duplicate key at
    /// its repeat (serde points at the mapping), an expansion past serde's limit at the alias
    /// that starts it (serde points at the file's start).
    pub fn place_parse_error(&self, message: &str, line: usize, column: usize) -> Location {
        if message.contains("duplicate") {
            if let Some((l, c, _)) = &self.duplicate {
                return self.at(*l, *c);
            }
        }
        if message.contains("repetition limit") || message.contains("recursion limit") {
            if let Some((l, c)) = self.nested_alias {
                return self.at(l, c);
            }
        }
        self.at(line, column)
    }

    /// The first key repeated in its mapping, where the repeat is.
    pub fn duplicate_key(&self) -> Option<(Location, String)> {
        self.duplicate
            .as_ref()
            .map(|(l, c, k)| (self.at(*l, *c), k.clone()))
    }

    /// What to say of such an error, where serde's own words say too little.
    pub fn explain_parse_error(&self, message: &str) -> String {
        if message.contains("repetition limit") && self.nested_alias.is_some() {
            return "an alias of an anchor that itself holds aliases: expanded, this document grows without bound (repetition limit exceeded); write the values out".to_string();
        }
        message.to_string()
    }

    /// Where the document nests deeper than [`MAX_DEPTH`] levels, if it does.
    pub fn too_deep(&self) -> Option<Location> {
        self.too_deep.map(|(line, column)| self.at(line, column))
    }

    /// The position of `path`, or of its nearest ancestor that is in the file (a missing field
    /// is reported where its parent is), or of the file's start.
    pub fn locate(&self, path: &str) -> Location {
        let mut probe = path.to_string();
        loop {
            if let Some(&(line, column)) = self.positions.get(&probe) {
                return self.at(line, column);
            }
            match parent(&probe) {
                Some(p) => probe = p,
                None => return self.at(1, 1),
            }
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// A location at a position serde reported.
    pub fn at(&self, line: usize, column: usize) -> Location {
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

/// `a.b[2].c` → `a.b[2]` → `a.b` → `a` → none.
fn parent(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(path[..cut].to_string())
}

enum Frame {
    Map { key: Option<String>, anchor: usize },
    Seq { index: usize, anchor: usize },
}

impl Frame {
    fn anchor(&self) -> usize {
        match self {
            Frame::Map { anchor, .. } | Frame::Seq { anchor, .. } => *anchor,
        }
    }
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    prefix: Vec<String>,
    positions: HashMap<String, (usize, usize)>,
    done: bool,
    duplicate: Option<(usize, usize, String)>,
    nested_alias: Option<(usize, usize)>,
    /// Anchors (yaml-rust2's ids) whose node holds an alias.
    holds_alias: std::collections::HashSet<usize>,
}

impl Builder {
    fn path(&self) -> String {
        let mut out = String::new();
        for seg in &self.prefix {
            if seg.starts_with('[') || out.is_empty() {
                out.push_str(seg);
            } else {
                out.push('.');
                out.push_str(seg);
            }
        }
        out
    }

    fn record(&mut self, mark: Marker) {
        let path = self.path();
        self.positions
            .entry(path)
            .or_insert((mark.line(), mark.col() + 1));
    }

    /// Called before a value (scalar or collection) starts: works out its path segment.
    /// Returns false when the event is a mapping key, which is recorded and consumed here.
    fn enter_value(&mut self, scalar_key: Option<&str>, mark: Marker) -> bool {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) if key.is_none() => {
                let name = scalar_key.unwrap_or("?").to_string();
                *key = Some(name.clone());
                self.prefix.push(name.clone());
                if scalar_key.is_some()
                    && self.duplicate.is_none()
                    && self.positions.contains_key(&self.path())
                {
                    self.duplicate = Some((mark.line(), mark.col() + 1, name));
                }
                self.record(mark);
                self.prefix.pop();
                false
            }
            Some(Frame::Map { key, .. }) => {
                let name = key.clone().unwrap_or_default();
                self.prefix.push(name);
                true
            }
            Some(Frame::Seq { index, .. }) => {
                let seg = format!("[{index}]");
                *index += 1;
                self.prefix.push(seg);
                self.record(mark);
                true
            }
            None => true,
        }
    }

    /// Called after a value ends: pops its segment and readies the parent for the next key.
    fn leave_value(&mut self) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
            self.prefix.pop();
        } else if let Some(Frame::Seq { .. }) = self.stack.last() {
            self.prefix.pop();
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        match ev {
            Event::Scalar(text, ..) if self.enter_value(Some(&text), mark) => self.leave_value(),
            Event::Alias(id) => {
                if self.holds_alias.contains(&id) && self.nested_alias.is_none() {
                    self.nested_alias = Some((mark.line(), mark.col() + 1));
                }
                for f in &self.stack {
                    if f.anchor() > 0 {
                        self.holds_alias.insert(f.anchor());
                    }
                }
                if self.enter_value(None, mark) {
                    self.leave_value();
                }
            }
            Event::MappingStart(anchor, _) => {
                // a collection used as a key has no readable path; treat it as a value
                self.enter_value(None, mark);
                self.stack.push(Frame::Map { key: None, anchor });
            }
            Event::SequenceStart(anchor, _) => {
                self.enter_value(None, mark);
                self.stack.push(Frame::Seq { index: 0, anchor });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.leave_value();
            }
            Event::DocumentEnd => self.done = true,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_items() {
        let text = "a: 1\nb:\n  c: x\n  d:\n  - one\n  - name: two\n    e: 3\n";
        let map = SourceMap::new("f.yaml", text);
        assert_eq!(map.locate("a").line, 1);
        assert_eq!(map.locate("b.c").line, 3);
        assert_eq!(map.locate("b.c").column, 3);
        assert_eq!(map.locate("b.d[0]").line, 5);
        assert_eq!(map.locate("b.d[1].name").line, 6);
        assert_eq!(map.locate("b.d[1].e").line, 7);
        // a missing field is reported at its nearest parent
        assert_eq!(map.locate("b.d[1].missing").line, 6);
        assert_eq!(map.locate("zzz").line, 1);
    }

    #[test]
    fn flow_collections() {
        let map = SourceMap::new("f.yaml", "x: {y: [1, 2]}\nz: 3\n");
        assert_eq!(map.locate("x.y[1]").line, 1);
        assert_eq!(map.locate("z").line, 2);
    }
}
