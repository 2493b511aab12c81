//! Whether a folder may be replaced by output of a kind: it does not exist, is empty, or
//! placeplan wrote everything in it, unchanged since.

use std::path::Path;

use super::folder::{OutputError, OutputKind};
use super::marker::{read_marker, walk, MARKER};

/// Why the folder `dir` may not be replaced by output of `kind`; `None` if it may (it is empty
/// or placeplan wrote everything in it, unchanged since).
pub(super) fn foreign_content(dir: &Path, kind: OutputKind) -> std::io::Result<Option<String>> {
    let found = match walk(dir)? {
        Ok(found) => found,
        Err(reason) => return Ok(Some(reason)),
    };
    let marker = read_marker(dir);
    let has_marker_file = std::fs::symlink_metadata(dir.join(MARKER)).is_ok();
    if found.is_empty() && !has_marker_file {
        return Ok(None);
    }
    if found.is_empty() && marker.is_none() {
        return Ok(Some(format!(
            "it holds a file named {MARKER} that placeplan did not write"
        )));
    }
    let Some((marked, entries)) = marker else {
        let mut names: Vec<&String> = found.keys().filter(|p| !p.contains('/')).collect();
        names.truncate(3);
        let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        return Ok(Some(format!(
            "it is not empty (it holds {}) and placeplan did not write it",
            names.join(", ")
        )));
    };
    if marked != kind {
        return Ok(Some(format!(
            "it holds placeplan {} outputs, not {} outputs",
            marked.code(),
            kind.code()
        )));
    }
    let Some(entries) = entries else {
        return Ok(Some(
            "it is a staging folder of a run that did not finish".into(),
        ));
    };
    for (path, e) in &found {
        match entries.get(path) {
            None => return Ok(Some(format!("{path} was not written by placeplan"))),
            Some(w) if w != e => {
                return Ok(Some(format!("{path} was changed after placeplan wrote it")))
            }
            Some(_) => {}
        }
    }
    Ok(None)
}

/// Why `dir` is not a whole, finished output of `kind` exactly as placeplan wrote it (every
/// entry its marker lists is there unchanged, and nothing else); `None` if it is.
pub fn incomplete_output(dir: &Path, kind: OutputKind) -> Option<String> {
    match is_folder(dir) {
        Ok(true) => {}
        Ok(false) => return Some("it does not exist".into()),
        Err(e) => return Some(e.to_string()),
    }
    let Some((marked, entries)) = read_marker(dir) else {
        return Some("placeplan did not write it (it has no placeplan marker)".into());
    };
    if marked != kind {
        return Some(format!(
            "it holds placeplan {} outputs, not {} outputs",
            marked.code(),
            kind.code()
        ));
    }
    let Some(entries) = entries else {
        return Some("it is a staging folder of a run that did not finish".into());
    };
    let found = match walk(dir) {
        Ok(Ok(found)) => found,
        Ok(Err(reason)) => return Some(reason),
        Err(e) => return Some(format!("it cannot be read: {e}")),
    };
    if let Some(path) = entries.keys().find(|p| !found.contains_key(*p)) {
        return Some(format!("{path} was removed after placeplan wrote it"));
    }
    match foreign_content(dir, kind) {
        Ok(None) => None,
        Ok(Some(reason)) => Some(reason),
        Err(e) => Some(format!("it cannot be read: {e}")),
    }
}

/// Refuses a target that is not a folder, or a folder that may not be replaced.
pub(super) fn check_target(target: &Path, kind: OutputKind) -> Result<(), OutputError> {
    if !is_folder(target)? {
        return Ok(());
    }
    match foreign_content(target, kind).map_err(OutputError::io(target))? {
        None => Ok(()),
        Some(reason) => Err(OutputError::NotOurs {
            path: target.to_path_buf(),
            reason,
        }),
    }
}

/// Whether `target` is a folder (false: it does not exist); a file, a symbolic link or anything
/// else is refused.
pub(super) fn is_folder(target: &Path) -> Result<bool, OutputError> {
    let meta = match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(OutputError::io(target)(e)),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(OutputError::NotAFolder {
            path: target.to_path_buf(),
            what: "a symbolic link (give the folder it points to)".into(),
        });
    }
    if !meta.is_dir() {
        return Err(OutputError::NotAFolder {
            path: target.to_path_buf(),
            what: if meta.is_file() {
                "a file".into()
            } else {
                "a special file".into()
            },
        });
    }
    Ok(true)
}

/// Whether a folder left at a staging path may be removed: this run's own staging, or old
/// outputs that placeplan wrote, unchanged.
pub(super) fn removable(dir: &Path) -> bool {
    match read_marker(dir) {
        Some((_, None)) => true,
        Some((kind, Some(_))) => matches!(foreign_content(dir, kind), Ok(None)),
        None => false,
    }
}
