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
//! `folder` says what an output folder holds and why it cannot be written; `file` writes
//! single files; `marker` reads and writes the marker and walks a folder;
//! `ownership` decides whether a folder may be replaced; `staged` is [`StagedDir`]; `swap`
//! puts a staging folder in place of its target.

mod file;
mod folder;
mod marker;
mod ownership;
mod staged;
mod swap;

pub use file::{write_atomic, write_new};
pub use folder::{OutputError, OutputKind};
pub use marker::{file_id, MARKER};
pub use ownership::incomplete_output;
pub use staged::StagedDir;
