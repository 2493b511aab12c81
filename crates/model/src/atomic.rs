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
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{name}.placeplan-staging-"))
            .tempdir_in(&parent)?;
        std::fs::write(staging.path().join(MARKER), b"written by placeplan\n")?;
        Ok(StagedDir {
            target: target.to_path_buf(),
            staging: Some(staging),
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
