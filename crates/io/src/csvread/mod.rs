//! A small CSV reader that checks headers and fields one by one, so that every problem in a file
//! is reported at once with its line, column and field name.
//!
//! `input` opens and reads every input file (only regular files, within a size limit, as
//! UTF-8); `source` streams a CSV file's bytes to the reader and counts its lines; `reader`
//! checks the header and hands out rows; `row` reads a row's fields into typed values.

use std::path::{Path, PathBuf};

mod input;
mod reader;
mod row;
mod source;

pub(crate) use input::{ends_line, utf16_kind, utf16_problem};
pub use input::{open_input, read_bytes, read_input, read_input_text};
pub use reader::{read_csv, read_csv_at_most};
pub use row::Row;

/// Largest input file placeplan reads (bytes). Larger files are rejected before parsing.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Most records read from one file. Beyond this the file is rejected.
pub const MAX_RECORDS: u64 = 20_000_000;
/// Longest text value (a name or an id) accepted, in characters: far above any real name, far
/// below the 32,767 characters of a workbook cell.
pub const MAX_TEXT_CHARS: usize = 500;

/// UK bounding box for WGS84 coordinates (mainland, islands and Northern Ireland).
pub const UK_LAT: (f64, f64) = (49.8, 60.9);
pub const UK_LON: (f64, f64) = (-8.7, 1.8);

/// Path of a file named in scenario.toml, relative to the scenario directory.
pub fn resolve(dir: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}
