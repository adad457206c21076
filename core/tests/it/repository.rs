//! The repository holds every file its tests, examples and build scripts
//! read: a fresh clone passes its tests with nothing beside it. Public data
//! that a test needs is copied into `kb-fixtures/` with its PROVENANCE.md;
//! only benchmarks (`benches/`) and the guides (`docs/`) may name the data
//! folder that sits beside the project on the developers' machines.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("core/ sits in the workspace").to_path_buf()
}

/// The files git tracks, or, outside a checkout (a source archive), every
/// file below the workspace but build output, installed packages and hidden
/// folders.
fn tracked_files(root: &Path) -> Vec<PathBuf> {
    let listed = Command::new("git").arg("-C").arg(root).args(["ls-files", "-z"]).output();
    if let Ok(out) = listed
        && out.status.success()
    {
        return out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).as_ref()))
            .collect();
    }
    let mut files = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(root.join(&folder)).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = folder.join(&name);
            if entry.file_type().unwrap().is_dir() {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    folders.push(path);
                }
            } else {
                files.push(path);
            }
        }
    }
    files
}

/// The places in `text` that reach for the data folder beside the project.
fn names_the_folder_beside(text: &str) -> Vec<(usize, String)> {
    // Built here, so that this file does not name it itself.
    let needles = [["..", "shared"].join("/"), [".parent / \"", "shared", "\""].concat()];
    text.lines()
        .enumerate()
        .filter(|(_, line)| needles.iter().any(|n| line.contains(n.as_str())))
        .map(|(i, line)| (i + 1, line.trim().to_string()))
        .collect()
}

#[test]
fn no_file_outside_docs_and_benches_reads_the_data_beside_the_project() {
    let root = workspace();
    let files = tracked_files(&root);
    assert!(files.len() > 100, "found the project's files: {}", files.len());
    let mut found = Vec::new();
    for path in files {
        if path.starts_with("docs") || path.starts_with("benches") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&path)) else { continue }; // not text
        for (line, what) in names_the_folder_beside(&text) {
            found.push(format!("{}:{line}: {what}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "these files read data from beside the project, which a fresh clone does not have; \
         copy the data into kb-fixtures/ with a PROVENANCE.md and read it there:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_check_finds_what_it_looks_for() {
    let path = ["..", "shared", "eval", "rows.jsonl"].join("/");
    assert_eq!(names_the_folder_beside(&format!("a\nlet p = \"{path}\";\n")), [(2, format!("let p = \"{path}\";"))]);
    let python = ["ROOT.parent / \"", "shared", "\" / \"eval\""].concat();
    assert_eq!(names_the_folder_beside(&python).len(), 1);
    assert!(names_the_folder_beside("kb-fixtures/newport/rows.jsonl\nshared_catalog()\n").is_empty());
}

#[test]
fn every_fixture_folder_says_where_its_data_came_from() {
    let fixtures = workspace().join("kb-fixtures");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let folder = entry.unwrap().path();
        if folder.file_name().is_some_and(|n| n == "riverton") {
            continue; // written for the project: a fictional city
        }
        let provenance = folder.join("PROVENANCE.md");
        let text = std::fs::read_to_string(&provenance).unwrap_or_else(|e| {
            panic!("{}: {e}; every folder of public data needs its PROVENANCE.md", provenance.display())
        });
        for word in ["licen", "commit"] {
            assert!(text.to_lowercase().contains(word), "{} says nothing of its {word}", provenance.display());
        }
    }
}
