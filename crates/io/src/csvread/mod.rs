//! A small CSV reader that checks headers and fields one by one, so that every problem in a file
//! is reported at once with its line, column and field name.
//!
//! `input` opens and reads every input file (only regular files, within a size limit, as
//! UTF-8); `source` streams a CSV file's bytes to the reader and counts its lines; `reader`
//! checks the header and hands out rows; `row` reads a row's fields into typed values;
//! `limits` are the sizes every file is read within.

use std::path::{Path, PathBuf};

mod input;
mod limits;
mod reader;
mod row;
mod source;

pub(crate) use input::{ends_line, utf16_kind, utf16_problem};
pub use input::{open_input, read_bytes, read_input, read_input_text};
pub use limits::{MAX_FILE_BYTES, MAX_RECORDS, MAX_TEXT_CHARS, UK_LAT, UK_LON};
pub use reader::{read_csv, read_csv_at_most, read_csv_text, Layout};
pub use row::Row;

/// Path of a file named in scenario.toml, relative to the scenario directory.
pub fn resolve(dir: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}
