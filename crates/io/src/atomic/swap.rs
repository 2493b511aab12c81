//! Putting a staging folder in place of its target: a rename, or a swap in one step checked
//! right after (three renames where the file system cannot swap).

use std::path::Path;

use super::folder::{parent_of, staging_prefix, OutputError, OutputKind};
use super::ownership::{foreign_content, is_folder};

/// Replaces `target` by `staged`. Afterwards `staged` holds the old outputs, if any; returns
/// whether they were checked right after the swap to be placeplan's and unchanged.
pub(super) fn replace_dir(
    staged: &Path,
    target: &Path,
    kind: OutputKind,
) -> Result<bool, OutputError> {
    // Renaming onto a folder fails unless it is empty; should another run put its outputs in
    // place meanwhile, they are then swapped like any earlier outputs.
    if let Err(e) = std::fs::symlink_metadata(target) {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(OutputError::io(target)(e));
        }
        match std::fs::rename(staged, target) {
            Ok(()) => return Ok(false),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::DirectoryNotEmpty | std::io::ErrorKind::AlreadyExists
                ) => {}
            Err(e) => return Err(OutputError::io(target)(e)),
        }
    }
    // The folder's contents were checked when the run began; they are checked once more right
    // after the swap, on the folder swapped out: should it have gained something placeplan did
    // not write (or been edited) since, it is swapped back untouched. (A folder that cannot be
    // walked now, because a concurrent run is removing old outputs, passed the first check.)
    is_folder(target)?;
    exchange(staged, target)?;
    match foreign_content(staged, kind) {
        Ok(Some(reason)) => {
            let _ = exchange(staged, target);
            Err(OutputError::NotOurs {
                path: target.to_path_buf(),
                reason,
            })
        }
        Ok(None) => Ok(true),
        Err(_) => Ok(false),
    }
}

/// Swaps two folders in one step; afterwards `staged` holds the old outputs.
#[cfg(target_os = "linux")]
fn exchange(staged: &Path, target: &Path) -> Result<(), OutputError> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // File systems without RENAME_EXCHANGE.
        Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOSYS) => {
            exchange_by_renames(staged, target)
        }
        Err(e) => Err(OutputError::io(target)(e.into())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, target: &Path) -> Result<(), OutputError> {
    exchange_by_renames(staged, target)
}

/// Swaps two folders by three renames through a third name beside them. Not one step: for a
/// moment `target` does not exist, but it never holds a mix of two runs.
fn exchange_by_renames(staged: &Path, target: &Path) -> Result<(), OutputError> {
    let parent = parent_of(target);
    let aside = tempfile::Builder::new()
        .prefix(&format!("{}old-", staging_prefix(target)))
        .tempdir_in(&parent)
        .map_err(OutputError::io(target))?
        .keep();
    std::fs::rename(target, &aside).map_err(OutputError::io(target))?;
    if let Err(e) = std::fs::rename(staged, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(OutputError::io(target)(e));
    }
    std::fs::rename(&aside, staged).map_err(OutputError::io(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swapping_by_renames_gives_the_same_result() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(a.join("x"), b"a").unwrap();
        std::fs::write(b.join("x"), b"b").unwrap();
        exchange_by_renames(&a, &b).unwrap();
        assert_eq!(std::fs::read(a.join("x")).unwrap(), b"b");
        assert_eq!(std::fs::read(b.join("x")).unwrap(), b"a");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
