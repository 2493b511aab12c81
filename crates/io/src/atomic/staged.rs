//! [`StagedDir`]: a staging folder, locked while a run writes it, that replaces its target on
//! commit; leftovers of killed runs are removed.

use std::path::{Path, PathBuf};

use super::folder::{parent_of, staging_prefix, OutputError, OutputKind};
use super::marker::{marker_text, read_marker, write_manifest, write_marker, MARKER};
use super::ownership::{check_target, removable};
use super::swap::replace_dir;

/// A staging folder whose contents replace `target` on [`StagedDir::commit`]. Dropped without
/// committing, it is removed and the target is untouched.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    kind: OutputKind,
    staging: Option<tempfile::TempDir>,
    /// The staging folder, open and locked while this run writes (Unix).
    _lock: Option<std::fs::File>,
}

impl StagedDir {
    /// Checks that `target` may be replaced by output of `kind` (see the module notes) and
    /// creates an empty staging folder beside it (same file system, so renames are atomic).
    pub fn new(target: &Path, kind: OutputKind) -> Result<StagedDir, OutputError> {
        check_target(target, kind)?;
        let parent = parent_of(target);
        std::fs::create_dir_all(&parent).map_err(OutputError::io(target))?;
        let prefix = staging_prefix(target);
        remove_stale_staging(&parent, &prefix);
        // The staging folder is locked before its marker appears: another run never sees a
        // marked, unlocked staging folder that is still being written. Until it is locked it
        // looks like the empty leftover of a killed run, which another run starting this
        // instant may remove: then a new one is made.
        let mut attempt = 0;
        let (staging, lock) = loop {
            attempt += 1;
            let staging = tempfile::Builder::new()
                .prefix(&prefix)
                .tempdir_in(&parent)
                .map_err(OutputError::io(target))?;
            let lock = lock_dir(staging.path());
            let last = attempt >= STAGING_ATTEMPTS;
            if lock.is_none() && cfg!(unix) && !last {
                continue;
            }
            match write_marker(staging.path(), &marker_text(kind, None)) {
                Ok(()) => break (staging, lock),
                Err(_) if !last => continue,
                Err(e) => return Err(OutputError::io(target)(e)),
            }
        };
        Ok(StagedDir {
            target: target.to_path_buf(),
            kind,
            staging: Some(staging),
            _lock: lock,
        })
    }

    /// The folder the outputs will replace.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Where to write the outputs.
    pub fn path(&self) -> &Path {
        self.staging.as_ref().map_or(&self.target, |s| s.path())
    }

    /// Puts the staged outputs in place of the target, after checking once more that the target
    /// may be replaced. On any failure the target is left as it was and the staging folder is
    /// removed.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let Some(staging) = self.staging.take() else {
            return Ok(());
        };
        let staged = staging.path().to_path_buf();
        let target = self.target.clone();
        // The marker lists everything staged, then everything reaches the disk before it
        // replaces the target.
        let result = write_manifest(&staged, self.kind)
            .and_then(|()| sync_tree(&staged))
            .map_err(OutputError::io(&target))
            .and_then(|()| {
                // From here the staging path may hold the old outputs: keep the folder.
                let staged = staging.keep();
                let r = replace_dir(&staged, &target, self.kind);
                // Old outputs checked right after the swap are removed without a second look;
                // anything else at the staging path only if it is placeplan's.
                let checked = matches!(r, Ok(true));
                if staged.exists() && (checked || removable(&staged)) {
                    remove_marked(&staged);
                }
                r.map(|_| ())
            });
        if result.is_ok() {
            sync_parent(&target);
        }
        result
    }
}

/// Staging folders made before giving up when other runs keep removing them as leftovers.
const STAGING_ATTEMPTS: u32 = 5;

/// Opens a staging folder and takes an exclusive lock on it without waiting; `None` if it
/// cannot be opened or another process holds the lock (it is still writing).
#[cfg(unix)]
fn lock_dir(dir: &Path) -> Option<std::fs::File> {
    use rustix::fs::{flock, FlockOperation};
    let file = std::fs::File::open(dir).ok()?;
    flock(&file, FlockOperation::NonBlockingLockExclusive).ok()?;
    Some(file)
}

#[cfg(not(unix))]
fn lock_dir(_dir: &Path) -> Option<std::fs::File> {
    None
}

/// Removes staging folders beside the target that a killed run left: those named with `prefix`
/// whose marker placeplan wrote and no running process holds locked. A folder without such a
/// marker (one being created this instant, or anything else) or with a held lock is left
/// alone; failures are ignored, as the leftovers are harmless.
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
        // A staging folder that a run was killed in before its marker appeared is empty (but
        // for the marker's temporary file).
        let unmarked_empty = || {
            std::fs::read_dir(&dir)
                .is_ok_and(|mut d| d.all(|e| e.is_ok_and(|e| e.file_name() == ".placeplan.tmp")))
        };
        if read_marker(&dir).is_none() && !unmarked_empty() {
            continue;
        }
        if let Some(lock) = lock_dir(&dir) {
            if read_marker(&dir).is_none() || removable(&dir) {
                remove_marked(&dir);
            }
            drop(lock);
        }
    }
}

/// Removes a folder placeplan marked, its marker last: a run killed while removing it leaves a
/// marked folder, which the next run removes.
fn remove_marked(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name() == MARKER {
                continue;
            }
            let _ = if e.file_type().is_ok_and(|t| t.is_dir()) {
                std::fs::remove_dir_all(e.path())
            } else {
                std::fs::remove_file(e.path())
            };
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    let _ = std::fs::remove_dir(dir);
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

/// Makes the rename that put the outputs in place durable (best effort).
fn sync_parent(target: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(parent_of(target)) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = target;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stages `files` into `out` and commits them (the tests of every module use it).
    fn stage(out: &Path, files: &[(&str, &[u8])]) -> Result<(), OutputError> {
        let staged = StagedDir::new(out, OutputKind::Run)?;
        for (name, bytes) in files {
            let p = staged.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        staged.commit()
    }

    #[test]
    fn staged_directory_replaces_the_old_outputs_whole() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        stage(&out, &[("a.csv", b"1"), ("b.csv", b"1"), ("v/c.csv", b"1")]).unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"1");

        let second = StagedDir::new(&out, OutputKind::Run).unwrap();
        std::fs::write(second.path().join("a.csv"), b"2").unwrap();
        // Before commit the old outputs are untouched.
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"1");
        second.commit().unwrap();
        assert_eq!(std::fs::read(out.join("a.csv")).unwrap(), b"2");
        assert!(
            !out.join("b.csv").exists() && !out.join("v").exists(),
            "outputs of the old run must not linger"
        );
        // No staging folders are left beside it.
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);

        // A dropped stage leaves nothing behind and changes nothing.
        let third = StagedDir::new(&out, OutputKind::Run).unwrap();
        std::fs::write(third.path().join("a.csv"), b"3").unwrap();
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
                std::fs::write(d.join(MARKER), marker_text(OutputKind::Run, None)).unwrap();
            }
            d
        };
        let killed = make("killed", true);
        let live = make("live", true);
        let unmarked = make("unmarked", false);
        // A folder with a marker placeplan did not write is not removed.
        let forged = make("forged", false);
        std::fs::write(forged.join(MARKER), b"written by someone\n").unwrap();
        // Another run still writing holds the lock on its marker.
        let held = lock_dir(&live).expect("lock");
        // A staging folder of another target is not this run's business.
        let other = dir.path().join(".other.placeplan-staging-x");
        std::fs::create_dir(&other).unwrap();
        std::fs::write(other.join(MARKER), marker_text(OutputKind::Run, None)).unwrap();

        let staged = StagedDir::new(&out, OutputKind::Run).unwrap();
        // This run's own staging folder is locked while it writes.
        assert!(lock_dir(staged.path()).is_none());
        std::fs::write(staged.path().join("plan.csv"), b"x").unwrap();
        staged.commit().unwrap();

        assert!(!killed.exists(), "a killed run's staging must be removed");
        assert!(live.exists() && unmarked.exists() && other.exists() && forged.exists());
        drop(held);
        assert_eq!(std::fs::read(out.join("plan.csv")).unwrap(), b"x");
    }

    /// A file placed in the target between the check and the swap is swapped back untouched.
    #[test]
    fn a_folder_that_changes_before_the_swap_is_left_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let staged = StagedDir::new(&out, OutputKind::Run).unwrap();
        std::fs::write(staged.path().join("plan.csv"), b"x").unwrap();
        std::fs::write(out.join("notes.txt"), b"mine").unwrap();
        assert!(staged.commit().is_err());
        assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
        assert!(!out.join("plan.csv").exists());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out")]);
    }

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
