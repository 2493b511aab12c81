//! Finds the shared folder of real public data (DfE SEN2, ONS, OR-Library) for the tests that
//! read it (included with `#[path]`).
//!
//! The folder is `$PLACEPLAN_DATA`, else `shared/data` beside the repository. A test whose data
//! is missing skips loudly on a developer's machine; in CI (env `CI` set) it fails, so a CI run
//! never passes without having run it.

use std::path::{Path, PathBuf};

/// The data folder, when every path in `needs` (relative to it) exists. Otherwise `None` after
/// a loud SKIPPED message, or a panic in CI.
pub fn shared_data(needs: &[&str]) -> Option<PathBuf> {
    let root = match std::env::var_os("PLACEPLAN_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    let missing: Vec<String> = needs
        .iter()
        .map(|n| root.join(n))
        .filter(|p| !p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(root);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "shared data missing in CI: {} (the shared data folder must be beside the \
             repository, or PLACEPLAN_DATA must name it)",
            missing.join(", ")
        );
    }
    eprintln!(
        "\n==========================================================\n\
         SKIPPED: shared data not found: {}\n\
         set PLACEPLAN_DATA to the shared data folder; this test did not run\n\
         ==========================================================\n",
        missing.join(", ")
    );
    None
}
