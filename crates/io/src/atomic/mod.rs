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
//!
//! `file` writes single files; `marker` reads and writes the marker and walks a folder;
//! `ownership` decides whether a folder may be replaced; `staged` is [`StagedDir`]; `swap`
//! puts a staging folder in place of its target.

use std::fmt;
use std::path::{Path, PathBuf};

mod file;
mod marker;
mod ownership;
mod staged;
mod swap;

pub use file::{write_atomic, write_new};
pub use marker::MARKER;
pub use staged::StagedDir;

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

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Stages `files` into `out` and commits them (the tests of every module use it).
#[cfg(test)]
fn stage(out: &Path, files: &[(&str, &[u8])]) -> Result<(), OutputError> {
    let staged = StagedDir::new(out, OutputKind::Run)?;
    for (name, bytes) in files {
        let p = staged.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    staged.commit()
}
