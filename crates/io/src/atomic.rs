//! Writing outputs atomically, and never over anything placeplan did not write.
//!
//! * One file: it goes to a temporary file in the same directory and is renamed over the target
//!   only once complete ([`write_atomic`]).
//! * A whole output folder: every file is written into a staging folder beside it, which then
//!   replaces the target in one step ([`StagedDir`]). On Linux an existing output folder is
//!   swapped with the staging one by `renameat2(RENAME_EXCHANGE)`, so a reader, or a run killed
//!   at any moment, sees the previous complete outputs or the new complete ones, never a mix; two
//!   runs writing to one folder at once each swap in a whole folder, and the last one wins whole.
//!
//! **Ownership.** The target of a [`StagedDir`] must not exist, be an empty folder, or be a
//! folder placeplan wrote: one whose marker file ([`MARKER`]) names the same kind of output and
//! lists every entry in it, each file with the size and a hash of the bytes placeplan wrote. Anything else (a folder holding a file placeplan did not write, a file placeplan
//! wrote that has since been edited, a file, a symbolic link) is refused before any work is done
//! ([`StagedDir::new`]) and checked again at the moment of the swap ([`StagedDir::commit`]): if
//! the folder changed in between, the swap is undone. placeplan never merges its outputs into a
//! folder and never marks a folder it did not create whole.
//!
//! A run holds a lock on its staging folder while it writes; a marked staging folder that is
//! not locked was left by a run that was killed, and the next run writing to the same
//! target removes it (on Unix; elsewhere such leftovers stay).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    complete_temp_file(path, bytes)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// Writes new files, each atomically (a temporary file, then a rename that never replaces). If
/// any of them exists already, nothing is written (E401): placeplan never overwrites a file it
/// cannot tell it wrote.
pub fn write_new(files: &[(PathBuf, Vec<u8>)]) -> Result<(), OutputError> {
    let exists = |path: &Path| OutputError::NotOurs {
        path: path.to_path_buf(),
        reason: "the file already exists (move it away or choose another --out)".into(),
    };
    if let Some((path, _)) = files
        .iter()
        .find(|(p, _)| std::fs::symlink_metadata(p).is_ok())
    {
        return Err(exists(path));
    }
    for (path, bytes) in files {
        let written = complete_temp_file(path, bytes)
            .and_then(|tmp| tmp.persist_noclobber(path).map_err(|e| e.error));
        match written {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(path)),
            Err(e) => return Err(OutputError::io(path)(e)),
        }
    }
    Ok(())
}

/// A temporary file beside `path` (its folder created if need be) holding `bytes`, synced to
/// disk and readable like any output, ready to be renamed to `path`.
fn complete_temp_file(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".placeplan-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are created private (0600); outputs are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Name of the marker file in every output folder placeplan writes.
pub const MARKER: &str = ".placeplan";

/// What an output folder holds; a folder is only ever replaced by output of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The outputs of `plan` or `forecast` for one scenario.
    Run,
    /// The outputs of `sweep`: tables, the report and one folder per variant.
    Sweep,
    /// A scenario written by `demo` or `synth`.
    Scenario,
}

impl OutputKind {
    fn code(self) -> &'static str {
        match self {
            OutputKind::Run => "run",
            OutputKind::Sweep => "sweep",
            OutputKind::Scenario => "scenario",
        }
    }

    fn parse(s: &str) -> Option<OutputKind> {
        [OutputKind::Run, OutputKind::Sweep, OutputKind::Scenario]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// Why an output folder cannot be written.
#[derive(Debug)]
pub enum OutputError {
    /// The target holds something placeplan did not write (or has been changed since).
    NotOurs { path: PathBuf, reason: String },
    /// The target is a file, a symbolic link or something else that is not a folder.
    NotAFolder { path: PathBuf, what: String },
    /// Reading or writing failed (permissions, a full disk, ...); the target is unchanged.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::NotOurs { path, reason } => write!(
                f,
                "{} is not a placeplan output folder: {reason}; placeplan replaces only folders it wrote itself",
                path.display()
            ),
            OutputError::NotAFolder { path, what } => {
                write!(f, "{} is {what}, not an output folder", path.display())
            }
            OutputError::Io { path, source } => write!(
                f,
                "cannot write outputs to {}: {source} (nothing was changed)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for OutputError {}

impl OutputError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
        move |source| OutputError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The error as an input problem with its stable code (E401, E402 or E403).
    pub fn to_problem(&self) -> placeplan_model::error::InputError {
        use placeplan_model::error::{Code, InputError};
        let (path, code) = match self {
            OutputError::NotOurs { path, .. } => (path, Code::OutputNotOurs),
            OutputError::NotAFolder { path, .. } => (path, Code::OutputNotAFolder),
            OutputError::Io { path, .. } => (path, Code::OutputNotWritten),
        };
        InputError::new(path, code, self.to_string())
    }
}

impl From<OutputError> for placeplan_model::error::Problems {
    fn from(e: OutputError) -> Self {
        let mut p = placeplan_model::error::Problems::default();
        p.push(e.to_problem());
        p
    }
}

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
        let staging = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(&parent)
            .map_err(OutputError::io(target))?;
        // The staging folder is locked before its marker appears: another run never sees a
        // marked, unlocked staging folder that is still being written.
        let lock = lock_dir(staging.path());
        write_marker(staging.path(), &marker_text(kind, None)).map_err(OutputError::io(target))?;
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

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    format!(".{name}.placeplan-staging-")
}

/// First line of every marker.
const MARKER_HEAD: &str = "placeplan output folder: ";

/// The marker's text: its kind, a note for people who open it, and (once committed) one line
/// per entry: `d PATH` for a folder, `f SIZE HASH PATH` for a file (the hash of its bytes, so
/// the marker, like every output, is the same for the same inputs), paths relative and
/// separated by `/`, sorted.
fn marker_text(kind: OutputKind, entries: Option<&BTreeMap<String, Entry>>) -> String {
    let mut s = format!(
        "{MARKER_HEAD}{}\n# Written by placeplan. placeplan replaces this folder whole on its next run to it,\n# but only while it holds just the entries listed here, unchanged.\n",
        kind.code()
    );
    match entries {
        None => s.push_str("staging\n"),
        Some(entries) => {
            for (path, e) in entries {
                match e {
                    Entry::Dir => s.push_str(&format!("d {path}\n")),
                    Entry::File { size, hash } => {
                        s.push_str(&format!("f {size} {hash:016x} {path}\n"))
                    }
                }
            }
        }
    }
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Dir,
    File { size: u64, hash: u64 },
}

/// The marker of `dir`, parsed: its kind and entries (`None` entries for a staging marker).
/// `None` if there is no marker placeplan could have written.
fn read_marker(dir: &Path) -> Option<(OutputKind, Option<BTreeMap<String, Entry>>)> {
    let path = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    // A marker is a small regular file; anything else is not placeplan's.
    if !meta.is_file() || meta.len() > 64 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    let kind = OutputKind::parse(lines.next()?.strip_prefix(MARKER_HEAD)?)?;
    let mut entries = BTreeMap::new();
    for line in lines {
        if line.starts_with('#') {
            continue;
        }
        if line == "staging" {
            return Some((kind, None));
        }
        if let Some(p) = line.strip_prefix("d ") {
            entries.insert(p.to_string(), Entry::Dir);
        } else if let Some(rest) = line.strip_prefix("f ") {
            let mut parts = rest.splitn(3, ' ');
            let size = parts.next()?.parse().ok()?;
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            entries.insert(parts.next()?.to_string(), Entry::File { size, hash });
        } else {
            return None;
        }
    }
    Some((kind, Some(entries)))
}

/// Every entry under `dir` but its marker, by relative path. Symbolic links and other special
/// files are returned as `Err` (placeplan never writes them).
fn walk(dir: &Path) -> std::io::Result<Result<BTreeMap<String, Entry>, String>> {
    let mut out = BTreeMap::new();
    // Hard links (a sweep's variants share one forecast.csv) are read and hashed once.
    let mut hashed: HashMap<(u64, u64), u64> = HashMap::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().to_string();
            if rel.is_empty() && name == MARKER {
                continue;
            }
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let meta = std::fs::symlink_metadata(e.path())?;
            if meta.is_dir() {
                out.insert(path.clone(), Entry::Dir);
                stack.push((e.path(), path));
            } else if meta.is_file() {
                let hash = match file_id(&meta) {
                    Some(id) => match hashed.get(&id) {
                        Some(h) => *h,
                        None => *hashed.entry(id).or_insert(content_hash(&e.path())?),
                    },
                    None => content_hash(&e.path())?,
                };
                out.insert(
                    path,
                    Entry::File {
                        size: meta.len(),
                        hash,
                    },
                );
            } else {
                return Ok(Err(format!("{path} is not a regular file or folder")));
            }
        }
    }
    Ok(Ok(out))
}

/// The device and inode of a file with more than one link (`None` for a file with one link, or
/// off Unix).
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.nlink() > 1).then(|| (meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// FNV-1a (64-bit) of a file's bytes: fixed by its definition, so markers written by one build
/// of placeplan are read the same by any other.
fn content_hash(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(h);
        }
        for &b in &buf[..n] {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Why the folder `dir` may not be replaced by output of `kind`; `None` if it may (it is empty
/// or placeplan wrote everything in it, unchanged since).
fn foreign_content(dir: &Path, kind: OutputKind) -> std::io::Result<Option<String>> {
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
fn check_target(target: &Path, kind: OutputKind) -> Result<(), OutputError> {
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
fn is_folder(target: &Path) -> Result<bool, OutputError> {
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

/// Writes the marker of `dir` in one step (a temporary file, then a rename): a run killed at any
/// moment leaves the old marker or the new one, never a part.
fn write_marker(dir: &Path, text: &str) -> std::io::Result<()> {
    let tmp = dir.join(".placeplan.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(MARKER))
}

/// Records everything under `staged` in its marker.
fn write_manifest(staged: &Path, kind: OutputKind) -> std::io::Result<()> {
    let entries = match walk(staged)? {
        Ok(e) => e,
        Err(reason) => return Err(std::io::Error::other(reason)),
    };
    write_marker(staged, &marker_text(kind, Some(&entries)))
}

/// Whether a folder left at a staging path may be removed: this run's own staging, or old
/// outputs that placeplan wrote, unchanged.
fn removable(dir: &Path) -> bool {
    match read_marker(dir) {
        Some((_, None)) => true,
        Some((kind, Some(_))) => matches!(foreign_content(dir, kind), Ok(None)),
        None => false,
    }
}

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

/// Replaces `target` by `staged`. Afterwards `staged` holds the old outputs, if any; returns
/// whether they were checked right after the swap to be placeplan's and unchanged.
fn replace_dir(staged: &Path, target: &Path, kind: OutputKind) -> Result<bool, OutputError> {
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

    /// A hard-linked file (a sweep's shared forecast.csv) is hashed once per walk, with the same
    /// hash as a copy of it.
    #[cfg(unix)]
    #[test]
    fn hard_links_get_the_hash_of_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("v")).unwrap();
        std::fs::write(dir.path().join("a.csv"), b"year,p50\n").unwrap();
        std::fs::hard_link(dir.path().join("a.csv"), dir.path().join("v/a.csv")).unwrap();
        std::fs::write(dir.path().join("copy.csv"), b"year,p50\n").unwrap();
        let found = walk(dir.path()).unwrap().unwrap();
        let hash = |p: &str| match found[p] {
            Entry::File { hash, .. } => hash,
            Entry::Dir => panic!("{p} is a file"),
        };
        assert_eq!(
            hash("a.csv"),
            content_hash(&dir.path().join("copy.csv")).unwrap()
        );
        assert_eq!(hash("v/a.csv"), hash("a.csv"));
        assert_eq!(hash("copy.csv"), hash("a.csv"));
        // FNV-1a 64 published test vectors: "" and "a".
        std::fs::write(dir.path().join("empty"), b"").unwrap();
        std::fs::write(dir.path().join("one"), b"a").unwrap();
        assert_eq!(
            content_hash(&dir.path().join("empty")).unwrap(),
            0xcbf2_9ce4_8422_2325
        );
        assert_eq!(
            content_hash(&dir.path().join("one")).unwrap(),
            0xaf63_dc4c_8601_ec8c
        );
    }

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
