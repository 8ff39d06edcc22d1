//! The layers of both crates, checked: each top-level module belongs to
//! one layer and imports only from its own layer or those below it, and no
//! modules import each other round in a circle. A module added to either
//! crate must be given its layer here.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

/// The app's layers, lowest first: plain data (what pages are rendered
/// from, what forms say is wrong, dates, paths), the database, the domain
/// (catalog, loans, accounts, sessions), and the pages on top.
const APP: &[&[&str]] = &[
    &[
        "assets",
        "dates",
        "error",
        "language",
        "model",
        "page_inputs",
        "paging",
        "paths",
        "problems",
        "session_id",
        "visit_count",
    ],
    &["db"],
    &[
        "accounts",
        "catalog",
        "history",
        "loans",
        "members",
        "password_reset",
        "session",
        "throttle",
    ],
    &["api", "form_fields", "islands", "layout", "pages"],
];

/// The app's macros (`in_transaction!` …), by the module that defines them.
const APP_MACROS: &[(&str, &str)] = &[
    ("execute", "db"),
    ("in_transaction", "db"),
    ("on_reader", "db"),
    ("on_writer", "db"),
    ("record_change", "history"),
    ("run_view_writes", "db"),
];

/// The server's layers, lowest first: settings; what talks to the
/// database, the mail and the files; what each request passes through;
/// the router built of them; the binary's commands.
const SERVER: &[&[&str]] = &[
    &["client", "config", "telemetry"],
    &[
        "backups",
        "catalog_files",
        "database",
        "mail",
        "session_layer",
    ],
    &[
        "addresses",
        "connections",
        "forms",
        "hashed_files",
        "monitoring",
        "origin",
        "page_requests",
        "request_log",
        "routes",
        "security",
        "state",
    ],
    &["startup"],
    &["cli", "layers"],
];

/// Each top-level module of the crate whose source is in `src`, with the
/// top-level modules of the same crate it names (`crate::x`, `use
/// crate::{x, …}`), outside comments and tests.
fn imports(src: &Path, macros: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let relative = path.strip_prefix(src).unwrap();
        let module = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code: String = text
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap()
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let named = graph.entry(module.clone()).or_default();
        for name in crate_names(&code) {
            let name = macros
                .iter()
                .find(|(mac, _)| *mac == name)
                .map_or(name.as_str(), |(_, module)| module)
                .to_string();
            if name != module && name != "self" {
                named.insert(name);
            }
        }
    }
    graph
}

/// The first names after `crate::`, including each one in a braced list.
fn crate_names(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(list) = rest.strip_prefix('{') {
            // Top-level entries of the list: `a::b, c, d::{e, f}`.
            let mut depth = 0;
            let mut entry = String::new();
            for c in list.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.push(first_name(&entry));
                        entry.clear();
                        continue;
                    }
                    _ => {}
                }
                entry.push(c);
            }
            names.push(first_name(&entry));
        } else {
            names.push(first_name(rest));
        }
    }
    names.retain(|name| !name.is_empty());
    names
}

fn first_name(path: &str) -> String {
    path.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// Checks `graph` against `layers`: every module placed, every import at
/// or below its module's layer, and no circle.
fn check(crate_name: &str, graph: &BTreeMap<String, BTreeSet<String>>, layers: &[&[&str]]) {
    let layer_of = |module: &str| layers.iter().position(|layer| layer.contains(&module));
    let mut wrong = Vec::new();
    for (module, named) in graph {
        let Some(level) = layer_of(module) else {
            wrong.push(format!("{crate_name}::{module} has no layer"));
            continue;
        };
        for name in named {
            match layer_of(name) {
                Some(other) if other > level => wrong.push(format!(
                    "{crate_name}::{module} (layer {level}) imports {name} (layer {other})"
                )),
                _ => {}
            }
        }
    }
    // A circle: a module that reaches itself.
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut next: Vec<&String> = graph[start].iter().collect();
        while let Some(module) = next.pop() {
            if module == start {
                wrong.push(format!(
                    "{crate_name}::{start} imports itself round a circle"
                ));
                break;
            }
            if seen.insert(module) {
                next.extend(graph.get(module).into_iter().flatten());
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_imports_from_a_layer_above_it_or_round_a_circle() {
    let server = Path::new(env!("CARGO_MANIFEST_DIR"));
    let app_graph = imports(&server.join("../app/src"), APP_MACROS);
    assert!(app_graph.len() > 20, "the app's modules: {app_graph:?}");
    check("app", &app_graph, APP);
    check("server", &imports(&server.join("src"), &[]), SERVER);
}

#[test]
fn a_module_that_imports_from_above_is_found() {
    let graph = BTreeMap::from([
        ("db".to_string(), BTreeSet::from(["pages".to_string()])),
        ("pages".to_string(), BTreeSet::from(["db".to_string()])),
    ]);
    let layers: &[&[&str]] = &[&["db"], &["pages"]];
    let found = std::panic::catch_unwind(|| check("test", &graph, layers));
    let message = *found.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.contains("test::db (layer 0) imports pages (layer 1)"),
        "{message}"
    );
    assert!(message.contains("round a circle"), "{message}");
    assert_eq!(
        crate_names("use crate::{a::b, c, d::{e, f}};\nlet x = crate::g::h();"),
        ["a", "c", "d", "g"]
    );
}
