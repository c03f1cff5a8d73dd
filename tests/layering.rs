//! The crate's top-level modules import one way: no module reaches, through any chain of
//! `crate::…` references, back to itself. Read from the sources, so a new `use` that closes a
//! loop fails here with the files that make each edge.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// module -> module it references -> files that reference it.
type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`None` for lib.rs / main.rs).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?.to_string();
    match first.strip_suffix(".rs") {
        Some("lib") | Some("main") => None,
        Some(m) => Some(m.to_string()),
        None => Some(first),
    }
}

/// Every top-level module named after `crate::` in `text`, comments left out: `crate::a::b`,
/// `crate::{a, b::c}`.
fn referenced_modules(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join(" ");
    {
        let mut rest = code.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(inner) = rest.strip_prefix('{') {
                // `crate::{a, b::{c}, d}` on one line; the first segment of each item counts.
                let mut depth = 0usize;
                let mut item_start = true;
                let mut ident = String::new();
                for ch in inner.chars() {
                    if ch.is_ascii_alphanumeric() || ch == '_' {
                        if item_start {
                            ident.push(ch);
                        }
                        continue;
                    }
                    if !ident.is_empty() {
                        out.insert(std::mem::take(&mut ident));
                        item_start = false;
                    }
                    match ch {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        _ => {}
                    }
                }
                if !ident.is_empty() {
                    out.insert(ident);
                }
            } else {
                let ident: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    out.insert(ident);
                }
            }
        }
    }
    out
}

fn graph_of(sources: &[(String, String, String)]) -> Graph {
    let modules: BTreeSet<&str> = sources.iter().map(|(_, m, _)| m.as_str()).collect();
    let mut graph = Graph::new();
    for (file, module, text) in sources {
        graph.entry(module.clone()).or_default();
        for target in referenced_modules(text) {
            if target != *module && modules.contains(target.as_str()) {
                graph
                    .entry(module.clone())
                    .or_default()
                    .entry(target)
                    .or_default()
                    .insert(file.clone());
            }
        }
    }
    graph
}

/// The strongly connected components with more than one module (Tarjan), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        next: usize,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flat_map(|e| e.keys()) {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v.as_str());
        }
    }
    s.found
}

fn describe(graph: &Graph, cycle: &[String]) -> String {
    let mut out = format!("cycle between {}:\n", cycle.join(", "));
    for a in cycle {
        for (b, files) in &graph[a] {
            if cycle.contains(b) {
                let files: Vec<&str> = files.iter().map(String::as_str).collect();
                out.push_str(&format!("  {a} -> {b}  ({})\n", files.join(", ")));
            }
        }
    }
    out
}

fn crate_sources() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .filter_map(|f| {
            let module = module_of(&src, &f)?;
            let text = std::fs::read_to_string(&f).expect("read source");
            let name = f
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap_or(&f)
                .display()
                .to_string();
            Some((name, module, text))
        })
        .collect()
}

#[test]
fn top_level_modules_import_one_way() {
    let sources = crate_sources();
    let graph = graph_of(&sources);
    assert!(
        graph.len() >= 15,
        "expected the crate's top-level modules, found {:?}",
        graph.keys().collect::<Vec<_>>()
    );
    let found = cycles(&graph);
    let report: Vec<String> = found.iter().map(|c| describe(&graph, c)).collect();
    assert!(
        found.is_empty(),
        "top-level modules import each other in a loop:\n{}",
        report.join("\n")
    );
}

#[test]
fn a_deliberately_added_cycle_is_caught() {
    // The real sources plus one line in the lowest layer that reaches the top one.
    let mut sources = crate_sources();
    let yaml = sources
        .iter_mut()
        .find(|(f, _, _)| f.ends_with("src/yaml/tree.rs"))
        .expect("src/yaml/tree.rs");
    yaml.2.push_str("\nuse crate::cli::Output;\n");
    let graph = graph_of(&sources);
    let found = cycles(&graph);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(&"yaml".to_string()) && found[0].contains(&"cli".to_string()));
    let text = describe(&graph, &found[0]);
    assert!(text.contains("yaml -> cli  (src/yaml/tree.rs)"), "{text}");
}

#[test]
fn references_are_read_from_every_use_form() {
    let text = "use crate::{audit, controls::{self, Params}, kops::spec};\n\
                use crate::{\n    secrets,\n    state::{Layout, Object},\n};\n\
                let x = crate::plan::Plan::default(); // crate::cli in a comment\n\
                pub use crate::yaml::tree;\n";
    let found: Vec<String> = referenced_modules(text).into_iter().collect();
    assert_eq!(
        found,
        ["audit", "controls", "kops", "plan", "secrets", "state", "yaml"]
    );
}
