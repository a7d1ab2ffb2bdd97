//! Tidy checks, in rust-analyzer's style: the layer rules of `ARCHITECTURE.md` read off the source, so the
//! document stays true. A failure names the file and the line that breaks a rule.
//!
//! - Each module of `src/lib.rs` uses only the modules listed above it (data flows one way).
//! - `git2` is used only in `store/`, `axum` only in `web/`, `minijinja` only in `theme.rs`, `tantivy` only in
//!   `search/`, `rusqlite` (and its migration crate) only in `state/`, `lettre` only in `delivery/mail.rs`,
//!   `ureq` only in `delivery/webhook.rs`, `prometheus_client` only in `metrics.rs`.
//! - No handler module of `web/` imports another handler module; shared pieces live in the leaf modules.
//! - `ARCHITECTURE.md` names every module of `lib.rs` and every file of `web/` and `site/`.
//! - Every stylesheet of the theme closes each block it opens.

use std::path::{Path, PathBuf};

#[test]
fn modules_use_only_modules_above_them() {
    let order = lib_order();
    let mut problems = Vec::new();
    for (rank, module) in order.iter().enumerate() {
        for (file, number, line) in lines_of(&module_files(module)) {
            for used in crate_paths(&line) {
                let Some(used_rank) = order.iter().position(|it| *it == used) else { continue };
                if used_rank > rank {
                    problems.push(format!(
                        "{}:{number}: {module} uses {used}, which comes after it: {line}",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "layer rule broken:\n{}", problems.join("\n"));
}

/// Whether a file may use an outside crate.
type AllowedIn = dyn Fn(&Path) -> bool;

#[test]
fn outside_crates_stay_in_their_one_module() {
    let rules: [(&str, &AllowedIn); 10] = [
        ("git2", &|path| path.starts_with(src().join("store"))),
        // SMTP and the HTTP client of webhooks each stay in their one file of `delivery/`.
        ("lettre", &|path| path == src().join("delivery").join("mail.rs")),
        ("ureq", &|path| path == src().join("delivery").join("webhook.rs")),
        ("axum", &|path| path.starts_with(src().join("web"))),
        ("minijinja", &|path| path == src().join("theme.rs")),
        ("tantivy", &|path| path.starts_with(src().join("search"))),
        // Also catches `rusqlite_migration`: SQL and its crates stay behind the state store's typed methods.
        ("rusqlite", &|path| path.starts_with(src().join("state"))),
        ("tokio_postgres", &|path| path.starts_with(src().join("state"))),
        ("prometheus_client", &|path| path == src().join("metrics.rs")),
        // Also catches `fluent_syntax`: message files are read and formatted in one place.
        ("fluent", &|path| path == src().join("i18n.rs")),
    ];
    let mut problems = Vec::new();
    for (file, number, line) in lines_of(&rust_files(&src())) {
        let code = line.split("//").next().unwrap_or_default();
        for (krate, allowed) in &rules {
            let named = code.contains(&format!("{krate}::")) || code.contains(&format!("use {krate}"));
            if named && !allowed(&file) {
                problems.push(format!("{}:{number}: {krate} used outside its module: {line}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "outside crates leaked:\n{}", problems.join("\n"));
}

#[test]
fn web_handler_modules_import_no_other_handler_module() {
    let web = src().join("web");
    // A handler module is one the router routes to (`get(pages::content)`); the rest are leaves that handlers
    // share.
    let router = std::fs::read_to_string(web.join("mod.rs")).expect("web/mod.rs");
    let handlers: Vec<String> = rust_files(&web)
        .iter()
        .filter_map(|it| it.file_stem()?.to_str().map(str::to_string))
        .filter(|it| it != "mod")
        .filter(|it| {
            ["get(", "post(", "put(", "delete(", "fallback("]
                .iter()
                .any(|call| router.contains(&format!("{call}{it}::")))
        })
        .collect();
    assert!(handlers.len() >= 10, "found the handler modules: {handlers:?}");
    let mut problems = Vec::new();
    for (file, number, line) in lines_of(&rust_files(&web)) {
        let this = file.file_stem().and_then(|it| it.to_str()).unwrap_or_default().to_string();
        if this == "mod" {
            // The router names every handler; that is its job.
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        for handler in handlers.iter().filter(|it| **it != this) {
            let named = code.contains(&format!("super::{handler}::"))
                || code.contains(&format!("super::{handler};"))
                || code.contains(&format!("super::{{{handler}"))
                || code.contains(&format!("crate::web::{handler}::"));
            if named {
                problems
                    .push(format!("{}:{number}: {this} reaches into handler module {handler}: {line}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "a handler module imports another:\n{}", problems.join("\n"));
}

#[test]
fn architecture_names_every_module() {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut missing = Vec::new();
    for module in lib_order() {
        if !architecture.contains(&format!("`{module}")) {
            missing.push(format!("module `{module}`"));
        }
    }
    for folder in ["web", "site"] {
        for file in rust_files(&src().join(folder)) {
            let name = file.file_name().and_then(|it| it.to_str()).unwrap_or_default().to_string();
            if name != "mod.rs" && !architecture.contains(&format!("`{name}`")) {
                missing.push(format!("{folder}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md does not mention: {}", missing.join(", "));
}

// ---------------------------------------------------------------------------------------------------------
// Reading the source.

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn src() -> PathBuf {
    root().join("src")
}

/// The modules of `src/lib.rs`, in the order it lists them.
fn lib_order() -> Vec<String> {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("src/lib.rs");
    let order: Vec<String> = lib
        .lines()
        .filter_map(|it| it.trim().strip_prefix("pub mod "))
        .map(|it| it.trim_end_matches(';').to_string())
        .collect();
    assert!(order.len() >= 10, "lib.rs lists its modules: {order:?}");
    order
}

/// The files of one module of `lib.rs`: `src/<module>.rs` or everything under `src/<module>/`.
fn module_files(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    if file.is_file() { vec![file] } else { rust_files(&src().join(module)) }
}

/// Every `.rs` file under `folder`, in a stable order.
fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut res = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("{}: {err}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|it| it == "rs") {
                res.push(path);
            }
        }
    }
    res.sort();
    res
}

/// Every line of `files` outside `#[cfg(test)]` modules (tests may reach anywhere), with its file and number.
fn lines_of(files: &[PathBuf]) -> Vec<(PathBuf, usize, String)> {
    let mut res = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|err| panic!("{}: {err}", file.display()));
        for (i, line) in text.lines().enumerate() {
            if line.trim() == "#[cfg(test)]" {
                break;
            }
            res.push((file.clone(), i + 1, line.to_string()));
        }
    }
    res
}

/// The top-level modules a line names as `crate::<module>`, including inside `use crate::{a, b::c}`.
fn crate_paths(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    let mut res = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or_default();
            res.extend(inner.split(',').map(|it| first_segment(it.trim())));
        } else {
            res.push(first_segment(after));
        }
        rest = after;
    }
    res.retain(|it| !it.is_empty());
    res
}

fn first_segment(path: &str) -> String {
    path.chars().take_while(|it| it.is_alphanumeric() || *it == '_').collect()
}

#[test]
fn the_reader_of_crate_paths_sees_groups_and_nested_paths() {
    assert_eq!(crate_paths("use crate::{Error, Result, hooks, starter};"), ["Error", "Result", "hooks", "starter"]);
    assert_eq!(crate_paths("    let x = crate::site::page_kind(crate::web::y); // crate::theme"), ["site", "web"]);
    assert_eq!(crate_paths("use crate::content::{RepoPath, front_matter};"), ["content"]);
}

// A lost `}` in a stylesheet silently nests every rule after it inside the one before, and browsers then drop
// them: it happened once in a merge. Comments and strings are skipped; every block must close, in order.
#[test]
fn stylesheets_close_every_block() {
    let folder = root().join("themes/default/static");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).expect("the theme's static folder") {
        let path = entry.expect("an entry").path();
        if path.extension().is_none_or(|it| it != "css") {
            continue;
        }
        let css = std::fs::read_to_string(&path).expect("a stylesheet");
        if let Err(problem) = unbalanced_braces(&css) {
            panic!("{}: {problem}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 0, "no stylesheet found in {}", folder.display());
}

fn unbalanced_braces(css: &str) -> Result<(), String> {
    let (mut open, mut line, mut chars) = (Vec::new(), 1, css.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    line += usize::from(c == '\n');
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' | '\'' => {
                while let Some(it) = chars.next() {
                    match it {
                        '\\' => drop(chars.next()),
                        '\n' => line += 1,
                        it if it == c => break,
                        _ => {}
                    }
                }
            }
            '{' => open.push(line),
            '}' if open.pop().is_none() => return Err(format!("line {line}: `}}` closes nothing")),
            _ => {}
        }
    }
    match open.last() {
        Some(at) => Err(format!("the block opened on line {at} (or one inside it) never closes")),
        None => Ok(()),
    }
}

#[test]
fn the_brace_check_finds_a_lost_brace_and_ignores_comments_and_strings() {
    assert_eq!(unbalanced_braces("a { b: c; }\n/* { */ d { content: \"}\"; }"), Ok(()));
    assert!(unbalanced_braces("a { b: c;\nd { e: f; }").is_err());
    assert!(unbalanced_braces("a { b: c; } }").is_err());
}
