//! The TUI's files stay layered: no file under src/tui imports another that imports it back
//! (directly or round a loop; stricter than tests/architecture.rs, a mod.rs importing from its
//! own children counts here), the screens never import the app, the router, the drawing of the
//! whole frame or the run loop, and app.rs stays under 500 lines. Imports are read from the
//! source: `use` lines and paths written inline (`crate::tui::…`, `super::…`), outside comments
//! and `#[cfg(test)]` modules. (No file over 700 lines: tests/architecture.rs, for all of src/.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each module of `dir` (as `tui::screens::detail`) and its code before its unit tests.
fn modules(dir: &Path, module: &str, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            modules(&path, &format!("{module}::{name}"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let key = if name == "mod" {
                module.to_string()
            } else {
                format!("{module}::{name}")
            };
            out.insert(key, code(&path));
        }
    }
}

/// The code of `path` before `#[cfg(test)]`, without comments.
fn code(path: &PathBuf) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest known module that `path` (as `tui::a::b::Item`) names.
fn resolve(path: &[&str], known: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| known.contains_key(m))
}

/// The modules `module` refers to (other than itself and its own children declared with `mod`).
fn imports(module: &str, code: &str, known: &BTreeMap<String, String>) -> BTreeSet<String> {
    let is_dir_module = known.keys().any(|k| k.starts_with(&format!("{module}::")));
    // `super` of a directory's mod.rs is the parent of the directory; of a file, its directory.
    let parent: Vec<&str> = {
        let mut parts: Vec<&str> = module.split("::").collect();
        parts.pop();
        parts
    };
    let base_of_super = if is_dir_module {
        let mut p = parent.clone();
        if p.is_empty() {
            p.push("crate");
        }
        p
    } else {
        parent.clone()
    };
    let mut found = BTreeSet::new();
    // `use child::Item;` in a directory's mod.rs.
    for line in code.lines().map(str::trim) {
        let Some(path) = line
            .strip_prefix("use ")
            .or_else(|| line.strip_prefix("pub use "))
        else {
            continue;
        };
        let first = path.split("::").next().unwrap_or_default();
        let child = format!("{module}::{first}");
        if known.contains_key(&child) {
            found.insert(child);
        }
    }
    for (prefix, base) in [
        ("crate::tui", vec!["tui"]),
        ("super", base_of_super.clone()),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(&format!("{prefix}::")) {
            // Only a path that starts here (not the tail of a longer one).
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len() + 2..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let tails: Vec<String> = if let Some(inner) = rest.strip_prefix('{') {
                let end = inner.find('}').unwrap_or(inner.len());
                inner[..end]
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(rest.len());
                vec![rest[..end].to_string()]
            };
            for tail in tails {
                let mut path: Vec<&str> = base.clone();
                path.extend(tail.split("::").filter(|s| !s.is_empty() && *s != "self"));
                if let Some(target) = resolve(&path, known)
                    && target != module
                {
                    found.insert(target);
                }
            }
        }
    }
    found
}

/// A loop of imports, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn tui_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut known = BTreeMap::new();
    modules(&root, "tui", &mut known);
    known
        .iter()
        .map(|(module, code)| (module.clone(), imports(module, code, &known)))
        .collect()
}

#[test]
fn the_reader_sees_the_imports_written_every_way() {
    let graph = tui_graph();
    let app = &graph["tui::app"];
    // `use crate::tui::home::Home;` and an inline path and a re-export.
    assert!(app.contains("tui::home"), "{app:?}");
    assert!(app.contains("tui::screens::help"), "{app:?}");
    assert!(app.contains("tui::router"), "{app:?}");
    // `use super::{screens, status};` in render.rs.
    let render = &graph["tui::render"];
    assert!(render.contains("tui::screens"), "{render:?}");
    assert!(render.contains("tui::status"), "{render:?}");
    // `use app::{App, Command, Msg};` in mod.rs.
    assert!(graph["tui"].contains("tui::app"), "{:?}", graph["tui"]);
    // `use super::edit::{self, Edit};` in screens/detail.rs.
    assert!(graph["tui::screens::detail"].contains("tui::screens::edit"));
    // A loop is found when there is one.
    let mut looped = graph.clone();
    looped
        .get_mut("tui::theme")
        .unwrap()
        .insert("tui::app".into());
    assert!(find_cycle(&looped).is_some());
}

#[test]
fn no_file_in_the_tui_imports_one_that_imports_it_back() {
    let graph = tui_graph();
    assert_eq!(find_cycle(&graph), None, "an import loop in src/tui");
}

#[test]
fn screens_import_only_lower_layers() {
    let above = [
        "tui",
        "tui::app",
        "tui::render",
        "tui::router",
        "tui::scanning",
        "tui::status",
    ];
    for (module, imports) in tui_graph() {
        if !module.starts_with("tui::screens") {
            continue;
        }
        for import in imports {
            assert!(
                !above.contains(&import.as_str()),
                "{module} imports {import}, a layer above the screens"
            );
        }
    }
}

#[test]
fn app_stays_under_500_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let app = std::fs::read_to_string(root.join("app.rs")).unwrap();
    let lines = app.lines().count();
    assert!(lines < 500, "src/tui/app.rs has {lines} lines");
}
