//! An output folder: the kind of output it holds, why it cannot be written, and where it and
//! its staging folders are.

use std::fmt;
use std::path::{Path, PathBuf};

/// What an output folder holds; a folder is only ever replaced by output of its own kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// The outputs of `plan` or `forecast` for one scenario.
    Run,
    /// The outputs of `sweep`: tables, the report and one folder per variant.
    Sweep,
    /// A scenario written by `demo` or `synth`.
    Scenario,
    /// One shard of a sweep (`sweep --shard I/N`): its variants' folders and its record.
    SweepShard,
}

impl OutputKind {
    pub(super) fn code(self) -> &'static str {
        match self {
            OutputKind::Run => "run",
            OutputKind::Sweep => "sweep",
            OutputKind::Scenario => "scenario",
            OutputKind::SweepShard => "sweep-shard",
        }
    }

    pub(super) fn parse(s: &str) -> Option<OutputKind> {
        [
            OutputKind::Run,
            OutputKind::Sweep,
            OutputKind::Scenario,
            OutputKind::SweepShard,
        ]
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
    pub(super) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
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

pub(super) fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The name every staging folder of `target` starts with (beside it, hidden).
pub(super) fn staging_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out".into());
    format!(".{name}.placeplan-staging-")
}
