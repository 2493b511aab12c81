//! Writing outputs atomically.
//!
//! * One file: it goes to a temporary file in the same directory and is renamed over the target
//!   only once complete ([`write_atomic`]).
//! * A whole output directory: every file is written into a staging directory beside it, which
//!   then replaces the target in one step ([`StagedDir`]). On Linux an existing output directory
//!   is swapped with the staging one by `renameat2(RENAME_EXCHANGE)`, so a reader, or a run killed
//!   at any moment, sees the previous complete outputs or the new complete ones, never a mix.
//!   Only directories placeplan made (they hold a `.placeplan` marker) or empty ones are swapped;
//!   in any other directory the files are renamed in one by one, and other files are left alone.
//!   A run holds a lock on its staging directory's marker while it writes; a staging directory
//!   whose marker is not locked was left by a run that was killed, and the next run writing to
//!   the same target removes it (on Unix; elsewhere such leftovers stay).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".placeplan-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are created private (0600); outputs are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Name of the marker file in every output directory placeplan writes.
pub const MARKER: &str = ".placeplan";

/// A staging directory whose contents replace `target` on [`StagedDir::commit`]. Dropped
/// without committing, it is removed and the target is untouched.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    staging: Option<tempfile::TempDir>,
    /// The staging marker, open and locked while this run writes (Unix).
    _lock: Option<std::fs::File>,
}

impl StagedDir {
    /// Creates an empty staging directory beside `target` (same file system, so renames are
    /// atomic).
    pub fn new(target: &Path) -> std::io::Result<StagedDir> {
        let parent = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "out".into());
        let prefix = format!(".{name}.placeplan-staging-");
        remove_stale_staging(&parent, &prefix);
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&parent)?;
        // The marker is written and locked under another name, then renamed: another run
        // never sees an unlocked marker in a live staging folder (the lock follows the file).
        let unlocked = staging.path().join(".placeplan-marker.tmp");
        std::fs::write(&unlocked, b"written by placeplan\n")?;
        let lock = lock_marker(&unlocked);
        std::fs::rename(&unlocked, staging.path().join(MARKER))?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            staging: Some(staging),
            _lock: lock,
        })
    }

    /// Where to write the outputs.
    pub fn path(&self) -> &Path {
        self.staging.as_ref().map_or(&self.target, |s| s.path())
    }

    /// Puts the staged outputs in place of the target.
    pub fn commit(mut self) -> std::io::Result<()> {
        let Some(staging) = self.staging.take() else {
            return Ok(());
        };
        let staged = staging.keep();
        // Everything staged reaches the disk before it replaces the target.
        let result = sync_tree(&staged).and_then(|()| replace_dir(&staged, &self.target));
        if staged.exists() {
            let _ = std::fs::remove_dir_all(&staged);
        }
        result
    }
}

/// Opens a staging marker and takes an exclusive lock on it without waiting; `None` if the file
/// cannot be opened or another process holds the lock (it is still writing).
#[cfg(unix)]
fn lock_marker(marker: &Path) -> Option<std::fs::File> {
    use rustix::fs::{flock, FlockOperation};
    let file = std::fs::File::open(marker).ok()?;
    flock(&file, FlockOperation::NonBlockingLockExclusive).ok()?;
    Some(file)
}

#[cfg(not(unix))]
fn lock_marker(_marker: &Path) -> Option<std::fs::File> {
    None
}

/// Removes staging directories beside the target that a killed run left: those named with
/// `prefix` whose marker no running process holds locked. A directory without a marker (one
/// being created this instant) or with a held lock is left alone; failures are ignored, as
/// the leftovers are harmless.
fn remove_stale_staging(parent: &Path, prefix: &str) {
    if cfg!(not(unix)) {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let stale_name = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(prefix));
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !stale_name || !is_dir {
            continue;
        }
        let dir = entry.path();
        if let Some(lock) = lock_marker(&dir.join(MARKER)) {
            let _ = std::fs::remove_dir_all(&dir);
            drop(lock);
        }
    }
}

/// Flushes every file under `dir` to disk: one `syncfs` of its file system on Linux, otherwise
/// each file in turn.
#[cfg(target_os = "linux")]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    let d = std::fs::File::open(dir)?;
    rustix::fs::syncfs(&d)?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            sync_tree(&p)?;
        } else {
            std::fs::File::open(&p)?.sync_all()?;
        }
    }
    Ok(())
}

/// Whether `dir` may be replaced whole: it is empty or placeplan made it.
fn replaceable(dir: &Path) -> std::io::Result<bool> {
    if dir.join(MARKER).is_file() {
        return Ok(true);
    }
    Ok(std::fs::read_dir(dir)?.next().is_none())
}

fn replace_dir(staged: &Path, target: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::rename(staged, target),
        Err(e) => Err(e),
        Ok(m) if m.is_dir() && replaceable(target)? => exchange(staged, target),
        Ok(m) if m.is_dir() => merge_into(staged, target),
        Ok(_) => Err(std::io::Error::other(format!(
            "{} exists and is not a directory",
            target.display()
        ))),
    }
}

/// Swaps two directories in one step; afterwards `staged` holds the old outputs.
#[cfg(target_os = "linux")]
fn exchange(staged: &Path, target: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // File systems without RENAME_EXCHANGE: fall back to moving files in one by one.
        Err(_) => merge_into(staged, target),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, target: &Path) -> std::io::Result<()> {
    merge_into(staged, target)
}

/// Moves every entry of `staged` into `target`, replacing same-named entries.
fn merge_into(staged: &Path, target: &Path) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(staged)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for from in entries {
        let Some(name) = from.file_name() else {
            continue;
        };
        let to = target.join(name);
        if to.is_dir() && from.is_dir() {
            let old = tempfile::Builder::new()
                .prefix(".placeplan-old-")
                .tempdir_in(target)?;
            std::fs::rename(&to, old.path().join("dir"))?;
        }
        std::fs::rename(&from, &to)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.csv");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.csv")]);
    }

    #[test]
    fn staged_directory_replaces_the_old_outputs_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = StagedDir::new(&out).unwrap();
        write_atomic(&first.path().join("a.csv"), b"1").unwrap();
        write_atomic(&first.path().join("b.csv"), b"1").unwrap();
        first.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"1");

        let second = StagedDir::new(&out).unwrap();
        write_atomic(&second.path().join("a.csv"), b"2").unwrap();
        // Before commit the old outputs are untouched.
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"1");
        second.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
        assert!(
            !out.join("b.csv").exists(),
            "outputs of the old run must not linger"
        );
        // No staging directories are left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);

        // A dropped stage leaves nothing behind and changes nothing.
        let third = StagedDir::new(&out).unwrap();
        write_atomic(&third.path().join("a.csv"), b"3").unwrap();
        drop(third);
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn staging_left_by_a_killed_run_is_removed_but_a_live_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let make = |suffix: &str, marker: bool| {
            let d = dir.path().join(format!(".out.placeplan-staging-{suffix}"));
            std::fs::create_dir(&d).unwrap();
            std::fs::write(d.join("plan.csv"), b"half").unwrap();
            if marker {
                std::fs::write(d.join(MARKER), b"written by placeplan\n").unwrap();
            }
            d
        };
        let killed = make("killed", true);
        let live = make("live", true);
        let unmarked = make("unmarked", false);
        // Another run still writing holds the lock on its marker.
        let held = lock_marker(&live.join(MARKER)).expect("lock");
        // A staging directory of another target is not this run's business.
        let other = dir.path().join(".other.placeplan-staging-x");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join(MARKER), b"written by placeplan\n").unwrap();

        let staged = StagedDir::new(&out).unwrap();
        // This run's own staging directory is locked while it writes.
        assert!(lock_marker(&staged.path().join(MARKER)).is_none());
        write_atomic(&staged.path().join("plan.csv"), b"x").unwrap();
        staged.commit().unwrap();

        assert!(!killed.exists(), "a killed run's staging must be removed");
        assert!(live.exists() && unmarked.exists() && other.exists());
        drop(held);
        assert_eq!(std::fs::read(out.join("plan.csv")).unwrap(), b"x");
    }

    #[test]
    fn a_directory_with_other_files_keeps_them() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"mine").unwrap();
        let staged = StagedDir::new(dir.path()).unwrap();
        write_atomic(&staged.path().join("plan.csv"), b"x").unwrap();
        staged.commit().unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("notes.txt")).unwrap(),
            b"mine"
        );
        assert_eq!(std::fs::read(dir.path().join("plan.csv")).unwrap(), b"x");
    }
}
