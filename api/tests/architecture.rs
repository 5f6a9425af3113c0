//! The shape of the HTTP layer, checked on the source itself (issue 11, STYLE.md "The shape we
//! are moving to"): handlers extract, call one use case and map the answer, so a route module
//! never reaches storage, never imports another route module, and stays short.

#![expect(
    clippy::expect_used,
    reason = "a test: an unreadable source tree should fail it loudly"
)]

use std::path::{Path, PathBuf};

fn route_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/routes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("api/src/routes")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    files
}

fn module_names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .filter(|name| name != "mod")
        .collect()
}

#[test]
fn no_route_module_reaches_storage() {
    for file in route_files() {
        let text = std::fs::read_to_string(&file).expect("readable");
        assert!(
            !text.contains("kompetens_persistence"),
            "{} uses kompetens_persistence: routes call use cases in kompetens_app",
            file.display()
        );
    }
}

#[test]
fn no_route_module_imports_another() {
    let files = route_files();
    let modules = module_names(&files);
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        for module in &modules {
            for needle in [
                format!("super::{module}::"),
                format!("super::{module};"),
                format!("super::{module}::{{"),
                format!("routes::{module}::"),
            ] {
                assert!(
                    !text.contains(&needle),
                    "{} imports the route module {module}: share through kompetens_app or routes/mod.rs",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn route_files_stay_short() {
    for file in route_files() {
        let lines = std::fs::read_to_string(&file)
            .expect("readable")
            .lines()
            .count();
        assert!(
            lines <= 600,
            "{} has {lines} lines; a route file holds handlers and wire types only (at most 600)",
            file.display()
        );
    }
}
