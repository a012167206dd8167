//! The house rules of ARCHITECTURE.md, checked on the source itself: which layer may import which,
//! no import cycle between files, and no file too long to read in one sitting.
//!
//! The source is read as text. A file's imports are the `crate::`, `super::` and `self::` paths it
//! names before its unit tests (brace groups expanded one level), each mapped to the longest module
//! path that is a file. A module naming its own child modules (declaring or re-exporting them) is
//! structure, not an import, so those edges are left out; a child naming its parent is kept. The
//! TUI is held stricter: there even a `mod.rs` importing from its own children counts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Longest a source file may be before its unit tests, in lines.
const MAX_LINES: usize = 700;

/// A module path, such as `["tui", "app"]`.
type Module = Vec<String>;

struct Source {
    path: PathBuf,
    /// The text before the first `#[cfg(test)]`, with line comments removed.
    code: String,
    /// Lines before the first `#[cfg(test)]`.
    lines: usize,
    /// True for `mod.rs`, `lib.rs` and `main.rs`: the file's children live beside it.
    is_dir: bool,
}

fn sources() -> BTreeMap<Module, Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Module = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let is_dir = matches!(
                module.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            );
            if is_dir {
                module.pop();
            }
            let text = fs::read_to_string(&path).unwrap();
            let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = before_tests
                .lines()
                .map(|l| l.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            let lines = before_tests.lines().count();
            if module.is_empty() && path.ends_with("main.rs") {
                // The binary is its own crate; its `crate::` is not the library's.
                module = vec!["<bin>".into()];
            }
            out.insert(
                module,
                Source {
                    path,
                    code,
                    lines,
                    is_dir,
                },
            );
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths a file names, each as written (`crate::a::b`, `super::c`, `self::d::e`), brace groups
/// expanded one level (`crate::a::{b, c::d}` gives `crate::a::b` and `crate::a::c`).
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != ':';
        let head = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|h| starts_word && code_at(&bytes, i, h));
        let Some(head) = head else {
            i += 1;
            continue;
        };
        let mut path = vec![head.trim_end_matches("::").to_string()];
        // Just after the head's name, at its `::`.
        let mut j = i + head.len() - 2;
        loop {
            if code_at(&bytes, j, "::{") {
                let close = bytes[j..].iter().position(|&c| c == '}').map(|p| p + j);
                let inner: String = bytes[j + 3..close.unwrap_or(bytes.len())].iter().collect();
                for item in inner.split(',') {
                    let first = item.trim().split("::").next().unwrap_or_default();
                    let first = first.split_whitespace().next().unwrap_or_default();
                    if !first.is_empty() && first.chars().all(is_ident) && first != "self" {
                        let mut p = path.clone();
                        p.push(first.to_string());
                        out.push(p);
                    }
                }
                j = close.unwrap_or(bytes.len());
                break;
            }
            if !code_at(&bytes, j, "::") {
                break;
            }
            j += 2;
            let start = j;
            while j < bytes.len() && is_ident(bytes[j]) {
                j += 1;
            }
            if j == start {
                break;
            }
            path.push(bytes[start..j].iter().collect());
        }
        out.push(path);
        i = j.max(i + 1);
    }
    out
}

fn code_at(chars: &[char], at: usize, s: &str) -> bool {
    let n = s.chars().count();
    at + n <= chars.len() && chars[at..at + n].iter().copied().eq(s.chars())
}

/// The modules each file imports (see the module doc for what counts). `strict` keeps a module's
/// imports of its own children too, read also from `use child::…` lines.
fn imports_with(
    sources: &BTreeMap<Module, Source>,
    strict: bool,
) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut graph = BTreeMap::new();
    for (module, source) in sources {
        if top(module) == "<bin>" {
            continue;
        }
        let mut targets = BTreeSet::new();
        for path in named_paths(&source.code) {
            let mut resolved: Module = match path[0].as_str() {
                "crate" => Vec::new(),
                "self" if source.is_dir => module.clone(),
                "self" => module.clone(),
                _ if source.is_dir => module[..module.len().saturating_sub(1)].to_vec(),
                _ => module[..module.len().saturating_sub(1)].to_vec(),
            };
            for part in &path[1..] {
                if part == "super" {
                    resolved.pop();
                } else {
                    resolved.push(part.clone());
                }
            }
            // The longest prefix that is a file.
            while !resolved.is_empty() && !sources.contains_key(&resolved) {
                resolved.pop();
            }
            let is_child = resolved.len() > module.len() && resolved.starts_with(module);
            if !resolved.is_empty() && &resolved != module && (strict || !is_child) {
                targets.insert(resolved);
            }
        }
        if strict && source.is_dir {
            // `use child::Item;` and `pub use child::Item;` in a directory's mod.rs.
            for line in source.code.lines().map(str::trim) {
                let Some(path) = line.strip_prefix("use ").or(line.strip_prefix("pub use ")) else {
                    continue;
                };
                let mut child = module.clone();
                child.push(path.split("::").next().unwrap_or_default().to_string());
                if sources.contains_key(&child) {
                    targets.insert(child);
                }
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

/// The top-level module a file belongs to ("" for the library root).
fn top(module: &Module) -> &str {
    module.first().map_or("", String::as_str)
}

/// The imports the house rules count (a module naming its own children is left out).
fn imports(sources: &BTreeMap<Module, Source>) -> BTreeMap<Module, BTreeSet<Module>> {
    imports_with(sources, false)
}

fn name(module: &Module) -> String {
    module.join("::")
}

/// Import cycles: strongly connected groups of more than one file.
fn cycles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<String>> {
    // Kosaraju: finish order on the graph, then components on its reverse.
    fn visit<'a>(
        v: &'a Module,
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        seen: &mut BTreeSet<&'a Module>,
        order: &mut Vec<&'a Module>,
    ) {
        if !seen.insert(v) {
            return;
        }
        for w in graph.get(v).into_iter().flatten() {
            visit(w, graph, seen, order);
        }
        order.push(v);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for v in graph.keys() {
        visit(v, graph, &mut seen, &mut order);
    }
    let mut reverse: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (v, ws) in graph {
        for w in ws {
            reverse.entry(w.clone()).or_default().insert(v.clone());
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for v in order.into_iter().rev() {
        if assigned.contains(v) {
            continue;
        }
        let mut group = Vec::new();
        let mut stack = vec![v.clone()];
        while let Some(x) = stack.pop() {
            if !assigned.insert(x.clone()) {
                continue;
            }
            group.push(name(&x));
            stack.extend(reverse.get(&x).into_iter().flatten().cloned());
        }
        if group.len() > 1 {
            group.sort();
            out.push(group);
        }
    }
    out
}

#[test]
fn no_import_cycle_between_files() {
    let sources = sources();
    let found = cycles(&imports(&sources));
    assert!(
        found.is_empty(),
        "files that import each other (directly or around a loop): {found:?}"
    );
}

#[test]
fn no_file_is_too_long_to_read_in_one_sitting() {
    let long: Vec<String> = sources()
        .values()
        .filter(|s| s.lines > MAX_LINES)
        .map(|s| format!("{} ({} lines)", s.path.display(), s.lines))
        .collect();
    assert!(
        long.is_empty(),
        "over {MAX_LINES} lines before the unit tests: {long:?}"
    );
}

/// The engine: what finds, checks, remembers and judges devices. It never imports a front end.
const ENGINE: &[&str] = &[
    "catalog",
    "checks",
    "discovery",
    "duplicates",
    "evidence",
    "identify",
    "inventory",
    "makers",
    "model",
    "reminders",
    "sanitize",
    "schedule",
    "score",
    "secrets",
    "session",
    "standing",
    "store",
    "verify",
    "watch",
];

#[test]
fn the_engine_never_imports_a_front_end() {
    let sources = sources();
    let graph = imports(&sources);
    let mut wrong = Vec::new();
    for (module, targets) in &graph {
        if !ENGINE.contains(&top(module)) {
            continue;
        }
        for t in targets {
            if matches!(top(t), "tui" | "cli" | "report" | "usage") {
                wrong.push(format!("{} imports {}", name(module), name(t)));
            }
        }
        let code = &sources[module].code;
        for ui in ["ratatui", "crossterm", "clap"] {
            if code.contains(&format!("{ui}::")) {
                wrong.push(format!("{} names {ui}", name(module)));
            }
        }
    }
    assert!(wrong.is_empty(), "layer rule broken: {wrong:?}");
}

#[test]
fn only_the_terminal_ui_draws() {
    let sources = sources();
    let wrong: Vec<String> = sources
        .iter()
        .filter(|(m, _)| !matches!(top(m), "tui" | "<bin>"))
        .filter(|(_, s)| s.code.contains("ratatui::") || s.code.contains("crossterm::"))
        .map(|(m, _)| name(m))
        .collect();
    assert!(
        wrong.is_empty(),
        "ratatui or crossterm outside src/tui: {wrong:?}"
    );
}

#[test]
fn the_catalog_depends_only_on_check_definitions() {
    let sources = sources();
    let graph = imports(&sources);
    let catalog: Module = vec!["catalog".into()];
    let checks: Vec<String> = graph[&catalog]
        .iter()
        .filter(|m| top(m) == "checks")
        .map(name)
        .collect();
    assert_eq!(
        checks,
        ["checks::definition"],
        "what the catalog takes from checks"
    );
    // Nothing the catalog reaches, however far, does network IO.
    let mut reached = BTreeSet::new();
    let mut stack = vec![catalog];
    while let Some(m) = stack.pop() {
        if reached.insert(m.clone()) {
            stack.extend(graph.get(&m).into_iter().flatten().cloned());
        }
    }
    let networked: Vec<String> = reached
        .iter()
        .filter(|m| {
            let code = &sources[*m].code;
            ["tokio::", "TcpStream", "UdpSocket", "surge_ping", "mdns_sd"]
                .iter()
                .any(|io| code.contains(io))
        })
        .map(name)
        .collect();
    assert!(
        networked.is_empty(),
        "the catalog reaches network code through: {networked:?}"
    );
}

/// The TUI, stricter: no loop even through a `mod.rs` and its children, and the screens import
/// only what lies below them.
#[test]
fn the_tui_is_layered_even_through_its_mod_files() {
    let sources = sources();
    let tui: BTreeMap<Module, BTreeSet<Module>> = imports_with(&sources, true)
        .into_iter()
        .filter(|(m, _)| top(m) == "tui")
        .map(|(m, ts)| (m, ts.into_iter().filter(|t| top(t) == "tui").collect()))
        .collect();
    // The reader sees the imports written every way: `use app::{..}` in mod.rs, a re-export, an
    // inline path, `super::{a, b}`.
    let tui_mod: Module = vec!["tui".into()];
    let module = |s: &str| -> Module { s.split("::").map(String::from).collect() };
    assert!(tui[&tui_mod].contains(&module("tui::app")));
    assert!(tui[&module("tui::app")].contains(&module("tui::router")));
    assert!(tui[&module("tui::render")].contains(&module("tui::screens")));
    assert!(tui[&module("tui::screens::detail")].contains(&module("tui::screens::edit")));
    assert_eq!(
        cycles(&tui),
        Vec::<Vec<String>>::new(),
        "an import loop in src/tui"
    );
    let above = [
        "tui",
        "tui::app",
        "tui::render",
        "tui::router",
        "tui::scanning",
        "tui::status",
    ];
    for (m, targets) in &tui {
        if !name(m).starts_with("tui::screens") {
            continue;
        }
        for t in targets {
            assert!(
                !above.contains(&name(t).as_str()),
                "{} imports {}, a layer above the screens",
                name(m),
                name(t)
            );
        }
    }
}

/// The TUI's `App` routes and applies effects; the screens hold the rest.
#[test]
fn the_app_stays_a_router() {
    let app = &sources()[&vec!["tui".to_string(), "app".to_string()]];
    let lines = fs::read_to_string(&app.path).unwrap().lines().count();
    assert!(lines < 500, "src/tui/app.rs has {lines} lines");
}

#[test]
fn the_reader_sees_cycles_the_rules_mean() {
    // The reader itself: a made-up pair that import each other is a cycle; a parent naming its
    // child is not an import.
    let mut graph = BTreeMap::new();
    let a: Module = vec!["a".into()];
    let b: Module = vec!["b".into()];
    graph.insert(a.clone(), BTreeSet::from([b.clone()]));
    graph.insert(b.clone(), BTreeSet::from([a.clone()]));
    assert_eq!(cycles(&graph), vec![vec!["a".to_string(), "b".to_string()]]);
    let paths = named_paths(
        "use crate::tui::{theme, screens::list};\nlet x = super::y::Z;\nuse super::{a, b};",
    );
    assert!(paths.contains(&vec!["super".into(), "a".into()]));
    assert!(paths.contains(&vec!["super".into(), "b".into()]));
    assert!(paths.contains(&vec!["crate".into(), "tui".into(), "theme".into()]));
    assert!(paths.contains(&vec!["crate".into(), "tui".into(), "screens".into()]));
    assert!(paths.contains(&vec!["super".into(), "y".into(), "Z".into()]));
}
