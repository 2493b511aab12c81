//! Whether a folder may be replaced by output of a kind: it does not exist, is empty, or
//! placeplan wrote everything in it, unchanged since.

use std::path::Path;

use super::marker::{read_marker, walk, MARKER};
use super::{OutputError, OutputKind};

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

#[cfg(test)]
mod tests {
    use super::super::{stage, StagedDir};
    use super::*;

    /// The folder of a user, with their files in it, is refused before any work and left as it
    /// was; it is never marked, so a second run refuses it too.
    #[test]
    fn a_folder_with_other_files_is_refused_and_never_marked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        for _ in 0..2 {
            let e = StagedDir::new(dir.path(), OutputKind::Run).unwrap_err();
            assert!(matches!(e, OutputError::NotOurs { .. }), "{e}");
            assert!(e.to_string().contains("notes.txt"), "{e}");
            assert_eq!(e.to_problem().code.as_str(), "E401");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("notes.txt")]);
    }

    #[test]
    fn an_output_folder_with_a_file_added_or_edited_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        stage(&out, &[("plan.csv", b"1"), ("v/c.csv", b"1")]).unwrap();
        // Replacing it whole works while it is as placeplan left it.
        stage(&out, &[("plan.csv", b"2"), ("v/c.csv", b"2")]).unwrap();

        std::fs::write(out.join("v/notes.txt"), b"mine").unwrap();
        let e = stage(&out, &[("plan.csv", b"3")]).unwrap_err();
        assert!(e.to_string().contains("v/notes.txt"), "{e}");
        std::fs::remove_file(out.join("v/notes.txt")).unwrap();

        std::fs::write(out.join("plan.csv"), b"edited by hand").unwrap();
        let e = stage(&out, &[("plan.csv", b"3")]).unwrap_err();
        assert!(e.to_string().contains("plan.csv was changed"), "{e}");
        assert_eq!(
            std::fs::read(out.join("plan.csv")).unwrap(),
            b"edited by hand"
        );
    }

    #[test]
    fn output_of_another_kind_or_a_forged_marker_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        stage(&out, &[("plan.csv", b"1")]).unwrap();
        let e = StagedDir::new(&out, OutputKind::Sweep).unwrap_err();
        assert!(e.to_string().contains("run outputs, not sweep"), "{e}");

        let user = dir.path().join("user");
        std::fs::create_dir(&user).unwrap();
        std::fs::write(user.join("data.csv"), b"mine").unwrap();
        std::fs::write(user.join(MARKER), b"written by placeplan\n").unwrap();
        assert!(StagedDir::new(&user, OutputKind::Run).is_err());
    }

    #[test]
    fn a_file_or_a_symlink_as_the_target_is_refused_up_front() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.txt");
        std::fs::write(&file, b"mine").unwrap();
        let e = StagedDir::new(&file, OutputKind::Run).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
        assert_eq!(e.to_problem().code.as_str(), "E402");
        #[cfg(unix)]
        {
            let real = dir.path().join("real");
            std::fs::create_dir(&real).unwrap();
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            let e = StagedDir::new(&link, OutputKind::Run).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    }
}
