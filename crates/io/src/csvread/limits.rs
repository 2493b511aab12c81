//! The limits every input file is read within.

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
