//! A small CSV reader that checks headers and fields one by one, so that every problem in a file
//! is reported at once with its line, column and field name.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rustix::fs::{Mode, OFlags};

use placeplan_model::domain::{Need, NeedSet, Phase, PhaseSet, MAX_AGE};
use placeplan_model::error::{Code, InputError, Problems};

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

/// One data row, with typed accessors that record problems instead of failing.
pub struct Row<'a> {
    path: &'a Path,
    cols: &'a HashMap<String, usize>,
    rec: &'a csv::StringRecord,
    pub line: u64,
    problems: &'a mut Problems,
    /// False once any field of this row had a problem.
    pub ok: bool,
}

impl Row<'_> {
    /// Position of a column: by the name as given, else lower-case (the header keys are lower
    /// case; importers pass the names as published, e.g. `SEN1 (name)`, to show them in messages).
    fn col(&self, field: &str) -> Option<usize> {
        match self.cols.get(field) {
            Some(c) => Some(*c),
            None => self.cols.get(&field.to_ascii_lowercase()).copied(),
        }
    }

    fn err(&mut self, field: &str, code: Code, message: String) {
        let col = self.col(field).map(|c| c as u64 + 1);
        self.problems.push(
            InputError::new(self.path, code, message)
                .at(self.line, col)
                .field(field),
        );
        self.ok = false;
    }

    /// Raw text of an optional column ("" when absent or empty).
    pub fn text(&self, field: &str) -> &str {
        self.col(field).and_then(|c| self.rec.get(c)).unwrap_or("")
    }

    /// A required non-empty text value of at most [`MAX_TEXT_CHARS`] characters.
    pub fn required(&mut self, field: &str) -> Option<String> {
        if self.text(field).is_empty() {
            self.err(field, Code::Empty, format!("'{field}' is empty"));
            return None;
        }
        self.name(field)
    }

    /// An optional text value (empty allowed) of at most [`MAX_TEXT_CHARS`] characters.
    pub fn name(&mut self, field: &str) -> Option<String> {
        let t = self.text(field);
        if t.len() > MAX_TEXT_CHARS && t.chars().count() > MAX_TEXT_CHARS {
            let n = t.chars().count();
            self.err(
                field,
                Code::TextTooLong,
                format!("'{field}' has {n} characters; at most {MAX_TEXT_CHARS} are accepted"),
            );
            return None;
        }
        Some(t.to_string())
    }

    /// A required finite number.
    pub fn number(&mut self, field: &str) -> Option<f64> {
        let t = self.required(field)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.err(
                    field,
                    Code::NotANumber,
                    format!("'{field}' must be a number, found '{t}'"),
                );
                None
            }
        }
    }

    /// An optional finite number (empty means none).
    pub fn optional_number(&mut self, field: &str) -> Option<Option<f64>> {
        if self.text(field).is_empty() {
            return Some(None);
        }
        let v = self.non_negative(field)?;
        Some(Some(v))
    }

    /// A required number >= 0.
    pub fn non_negative(&mut self, field: &str) -> Option<f64> {
        let v = self.number(field)?;
        if v < 0.0 {
            self.err(
                field,
                Code::Negative,
                format!("'{field}' must be zero or more, found {v}"),
            );
            return None;
        }
        Some(v)
    }

    /// A required number in 0..=max.
    pub fn bounded(&mut self, field: &str, max: f64) -> Option<f64> {
        let v = self.non_negative(field)?;
        if v > max {
            self.err(
                field,
                Code::ValueTooLarge,
                format!("'{field}' = {v} is above the largest plausible value {max}"),
            );
            return None;
        }
        Some(v)
    }

    /// A required whole number >= 0.
    pub fn count(&mut self, field: &str) -> Option<u32> {
        let v = self.non_negative(field)?;
        if v.fract() != 0.0 || v > u32::MAX as f64 {
            self.err(
                field,
                Code::NotAnInteger,
                format!("'{field}' must be a whole number, found {v}"),
            );
            return None;
        }
        Some(v as u32)
    }

    /// A calendar year.
    pub fn year(&mut self, field: &str) -> Option<i32> {
        let t = self.required(field)?;
        match t.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            Ok(y) => {
                self.err(
                    field,
                    Code::YearOutOfRange,
                    format!("year {y} is outside 1990-2100"),
                );
                None
            }
            Err(_) => {
                self.err(
                    field,
                    Code::NotAnInteger,
                    format!("'{field}' must be a year such as 2025, found '{t}'"),
                );
                None
            }
        }
    }

    /// An age in whole years 0..=25.
    pub fn age(&mut self, field: &str) -> Option<u8> {
        let t = self.required(field)?;
        match t.parse::<i64>() {
            Ok(a) if (0..=MAX_AGE as i64).contains(&a) => Some(a as u8),
            Ok(a) => {
                self.err(
                    field,
                    Code::AgeOutOfRange,
                    format!("age {a} is outside 0-{MAX_AGE}"),
                );
                None
            }
            Err(_) => {
                self.err(
                    field,
                    Code::NotAnInteger,
                    format!("'{field}' must be a whole age, found '{t}'"),
                );
                None
            }
        }
    }

    /// yes/no, true/false, 1/0 (empty = default).
    pub fn boolean(&mut self, field: &str, default: bool) -> Option<bool> {
        let t = self.name(field)?.to_ascii_lowercase();
        match t.as_str() {
            "" => Some(default),
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                self.err(
                    field,
                    Code::NotABool,
                    format!("'{field}' must be yes or no, found '{t}'"),
                );
                None
            }
        }
    }

    /// A value parsed by `FromStr` into one of a fixed set, with the code to report otherwise.
    pub fn parsed<T: FromStr>(&mut self, field: &str, code: Code, what: &str) -> Option<T> {
        let t = self.required(field)?;
        match t.parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.err(field, code, format!("unknown {what} '{t}'"));
                None
            }
        }
    }

    pub fn need(&mut self, field: &str) -> Option<Need> {
        self.parsed(field, Code::UnknownNeed, "need")
    }

    /// `ASD;SLCN` or `ANY`.
    pub fn needs(&mut self, field: &str) -> Option<NeedSet> {
        let t = self.required(field)?;
        if t.eq_ignore_ascii_case("any") || t == "*" {
            return Some(NeedSet::all());
        }
        let mut set = NeedSet::default();
        let mut good = true;
        for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<Need>() {
                Ok(n) => set = set.with(n),
                Err(_) => {
                    self.err(field, Code::UnknownNeed, format!("unknown need '{part}'"));
                    good = false;
                }
            }
        }
        if good && set.is_empty() {
            self.err(field, Code::Empty, format!("'{field}' lists no need"));
            return None;
        }
        good.then_some(set)
    }

    pub fn phase(&mut self, field: &str) -> Option<Phase> {
        self.parsed(field, Code::UnknownPhase, "phase")
    }

    /// `primary;secondary`.
    pub fn phases(&mut self, field: &str) -> Option<PhaseSet> {
        let t = self.required(field)?;
        let mut set = PhaseSet::default();
        let mut good = true;
        for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<Phase>() {
                Ok(p) => set = set.with(p),
                Err(_) => {
                    self.err(field, Code::UnknownPhase, format!("unknown phase '{part}'"));
                    good = false;
                }
            }
        }
        if good && set.is_empty() {
            self.err(field, Code::Empty, format!("'{field}' lists no phase"));
            return None;
        }
        good.then_some(set)
    }

    /// Latitude and longitude in WGS84 degrees, inside the UK.
    pub fn lat_lon(&mut self, lat_field: &str, lon_field: &str) -> Option<(f64, f64)> {
        let lat = self.number(lat_field);
        let lon = self.number(lon_field);
        let (lat, lon) = (lat?, lon?);
        let mut good = true;
        if !(UK_LAT.0..=UK_LAT.1).contains(&lat) {
            self.err(
                lat_field,
                Code::OutsideUk,
                format!("latitude {lat} is outside the UK"),
            );
            good = false;
        }
        if !(UK_LON.0..=UK_LON.1).contains(&lon) {
            self.err(
                lon_field,
                Code::OutsideUk,
                format!("longitude {lon} is outside the UK"),
            );
            good = false;
        }
        good.then_some((lat, lon))
    }

    /// Record a problem found by the caller about a field of this row.
    pub fn problem(&mut self, field: &str, code: Code, message: String) {
        self.err(field, code, message);
    }
}

/// Opens an input file for reading; every file placeplan reads is opened here. Refuses, as one
/// problem: a path that does not exist (E001); a folder, a symbolic link loop or a file that
/// cannot be opened (E002); anything that is not a regular file (E007: reading a FIFO blocks until
/// something writes to it, a device such as `/dev/zero` never ends); a file larger than `limit`
/// bytes (E005). The file is opened without blocking and checked again once open, so a path
/// replaced by a FIFO in between is refused too. Reads through the result stop after `limit + 1`
/// bytes, so a file that holds more than its size says (files under `/proc`) or grows while it is
/// read is caught as well: the caller reports E005 when more than `limit` bytes arrive.
pub fn open_input(path: &Path, limit: u64) -> Result<std::io::Take<File>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| open_problem(path, &e))?;
    if let Some(p) = kind_problem(path, &meta.file_type()) {
        return Err(p);
    }
    if meta.len() > limit {
        return Err(InputError::new(
            path,
            Code::TooLarge,
            format!("file is {} bytes; the limit is {limit}", meta.len()),
        ));
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(e) => return Err(open_problem(path, &std::io::Error::from(e))),
    };
    let meta = file
        .metadata()
        .map_err(|e| InputError::new(path, Code::Unreadable, format!("cannot read: {e}")))?;
    if let Some(p) = kind_problem(path, &meta.file_type()) {
        return Err(p);
    }
    Ok(file.take(limit.saturating_add(1)))
}

/// Reads a whole input file of at most `limit` bytes (see [`open_input`]).
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut src = open_input(path, limit)?;
    let mut data = Vec::new();
    src.read_to_end(&mut data)
        .map_err(|e| InputError::new(path, Code::Unreadable, format!("cannot read: {e}")))?;
    if data.len() as u64 > limit {
        return Err(too_large_while_reading(path, limit));
    }
    Ok(data)
}

/// Reads a whole input file of at most `limit` bytes as UTF-8 text. A file in another encoding
/// is one E002 problem saying what it seems to be and where the first byte that is not UTF-8 is.
pub fn read_input_text(path: &Path, limit: u64) -> Result<String, InputError> {
    let data = read_input(path, limit)?;
    if let Some(kind) = utf16_kind(&data) {
        return Err(utf16_problem(path, kind));
    }
    String::from_utf8(data).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = (0..at)
            .rev()
            .find(|&i| ends_line(bytes, i))
            .map_or(0, |i| i + 1);
        let line = (0..line_start).filter(|&i| ends_line(bytes, i)).count() as u64 + 1;
        let col = String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count() as u64
            + 1;
        not_utf8_problem(path, bytes, bytes[at]).at(line, Some(col))
    })
}

/// Reads a whole input file, recording a missing, unreadable or too-large file in `problems`.
pub fn read_bytes(path: &Path, problems: &mut Problems) -> Option<Vec<u8>> {
    match read_input(path, MAX_FILE_BYTES) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(e);
            None
        }
    }
}

fn open_problem(path: &Path, e: &std::io::Error) -> InputError {
    if e.kind() == std::io::ErrorKind::NotFound {
        let dangling = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let message = if dangling {
            format!(
                "file not found: {} is a symbolic link to a file that does not exist",
                path.display()
            )
        } else {
            format!("file not found: {}", path.display())
        };
        return InputError::new(path, Code::MissingFile, message);
    }
    if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return InputError::new(
            path,
            Code::Unreadable,
            "a symbolic link loop: the link leads back to itself, so there is no file to read",
        );
    }
    InputError::new(path, Code::Unreadable, format!("cannot read: {e}"))
}

/// The problem with reading something that is not a regular file, if it is not one.
fn kind_problem(path: &Path, t: &std::fs::FileType) -> Option<InputError> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(InputError::new(
            path,
            Code::Unreadable,
            "expected a file, found a directory",
        ));
    }
    let what = if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Some(InputError::new(
        path,
        Code::NotRegularFile,
        format!("not a regular file: this is {what}, which placeplan does not read"),
    ))
}

fn too_large_while_reading(path: &Path, limit: u64) -> InputError {
    InputError::new(
        path,
        Code::TooLarge,
        format!("more than {limit} bytes (the limit) arrived while reading, though the file's size said less"),
    )
}

/// Whether `head`, the start of a file, is UTF-16 text, and which kind: with a byte-order mark,
/// or (without one) a NUL byte in most of every other byte, as plain text in UTF-16 has.
pub(crate) fn utf16_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some("UTF-16 little-endian (byte-order mark FF FE)");
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16 big-endian (byte-order mark FE FF)");
    }
    let pairs = (head.len() / 2).min(2048);
    if pairs < 2 {
        return None;
    }
    let nul = |parity: usize| (0..pairs).filter(|&i| head[2 * i + parity] == 0).count();
    let (even, odd) = (nul(0), nul(1));
    if odd * 4 >= pairs * 3 && even * 16 <= pairs {
        Some("UTF-16 little-endian (a NUL byte after most characters)")
    } else if even * 4 >= pairs * 3 && odd * 16 <= pairs {
        Some("UTF-16 big-endian (a NUL byte before most characters)")
    } else {
        None
    }
}

const SAVE_AS_UTF8: &str = "save it as UTF-8 (in Excel: Save As, CSV UTF-8)";

pub(crate) fn utf16_problem(path: &Path, kind: &str) -> InputError {
    InputError::new(
        path,
        Code::Unreadable,
        format!("not UTF-8 text: {kind} detected; {SAVE_AS_UTF8}"),
    )
}

/// The problem for a file that is not UTF-8 text: `byte` is the first that is not.
fn not_utf8_problem(path: &Path, head: &[u8], byte: u8) -> InputError {
    let what = if head.starts_with(b"PK\x03\x04") {
        "the file is a zip archive (an Excel workbook?), not text".to_string()
    } else {
        format!(
            "byte 0x{byte:02X} is not UTF-8; the file looks like Windows-1252 (ANSI) or Latin-1 text"
        )
    };
    InputError::new(
        path,
        Code::Unreadable,
        format!("not UTF-8 text: {what}; {SAVE_AS_UTF8}"),
    )
}

/// Reads `path`, checks the header has every `required` column (case-insensitive), and calls
/// `each` on every data row. Problems go to `problems`; reading goes on after a bad row.
/// The file is read as a stream, so memory does not grow with its size (only with what `each`
/// keeps). A file that is not UTF-8, or larger than [`MAX_FILE_BYTES`], is one problem.
/// Returns true when every record of the file was read into fields: false if the file could
/// not be read, lacks a required column or has a malformed record (whose values, such as an id
/// it defines, are then unknown).
pub fn read_csv(
    path: &Path,
    required: &[&str],
    problems: &mut Problems,
    each: impl FnMut(&mut Row),
) -> bool {
    read_csv_at_most(path, required, MAX_RECORDS, problems, each)
}

/// [`read_csv`] of a file that may have at most `max_rows` records (E005 beyond, and reading
/// stops there, so memory stays bounded by what `each` keeps of that many rows).
pub fn read_csv_at_most(
    path: &Path,
    required: &[&str],
    max_rows: u64,
    problems: &mut Problems,
    each: impl FnMut(&mut Row),
) -> bool {
    read_csv_limited(path, required, (MAX_FILE_BYTES, max_rows), problems, each)
}

fn read_csv_limited(
    path: &Path,
    required: &[&str],
    (limit, max_rows): (u64, u64),
    problems: &mut Problems,
    each: impl FnMut(&mut Row),
) -> bool {
    let input = match open_input(path, limit) {
        Ok(f) => f,
        Err(e) => {
            problems.push(e);
            return false;
        }
    };
    let src = Source::new(Box::new(input), limit);
    let layout = Layout {
        first_line: 1,
        footnotes: false,
    };
    read_records(path, src, required, max_rows, layout, problems, each)
}

/// Where a table starts in its text, and what may follow it.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Line of the header row in the file (1 unless a preamble, such as the title block of a
    /// Nomis download, was cut off before the text given).
    pub first_line: u64,
    /// Rows of one field after the header (footnotes and source lines under a published table)
    /// are skipped instead of reported as malformed.
    pub footnotes: bool,
}

/// [`read_csv`] of text already decoded (the importers of published files take Windows-1252
/// as well as UTF-8, and cut a preamble off before the header): the same reader, limits and
/// line numbers as scenario files, counted from `layout.first_line`.
pub fn read_csv_text(
    path: &Path,
    text: String,
    layout: Layout,
    problems: &mut Problems,
    each: impl FnMut(&mut Row),
) -> bool {
    let limit = MAX_FILE_BYTES.max(text.len() as u64);
    let src = Source::new(Box::new(std::io::Cursor::new(text.into_bytes())), limit);
    read_records(path, src, &[], MAX_RECORDS, layout, problems, each)
}

fn read_records(
    path: &Path,
    src: Source,
    required: &[&str],
    max_rows: u64,
    layout: Layout,
    problems: &mut Problems,
    mut each: impl FnMut(&mut Row),
) -> bool {
    let header_line = layout.first_line.max(1);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(src);
    let mut lines = LineCounter {
        byte: 0,
        line: header_line - 1,
    };
    let headers = rdr.headers().cloned();
    if let Some(stop) = stopped(path, &rdr, &lines) {
        problems.push(stop);
        return false;
    }
    let headers = match headers {
        Ok(h) => h,
        Err(e) => {
            problems.push(
                InputError::new(path, Code::Unreadable, csv_message(&e)).at(header_line, None),
            );
            return false;
        }
    };
    let mut cols: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let key = h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        if cols.insert(key.clone(), i).is_some() {
            problems.push(
                InputError::new(
                    path,
                    Code::DuplicateColumn,
                    format!("column '{key}' appears twice"),
                )
                .at(header_line, Some(i as u64 + 1))
                .field(key),
            );
        }
    }
    let mut header_ok = true;
    for r in required {
        if !cols.contains_key(*r) {
            problems.push(
                InputError::new(
                    path,
                    Code::MissingColumn,
                    format!("required column '{r}' is missing"),
                )
                .at(header_line, None)
                .field(*r),
            );
            header_ok = false;
        }
    }
    if !header_ok {
        return false;
    }
    let width = headers.len();
    let mut complete = true;
    let mut rec = csv::StringRecord::new();
    let mut n: u64 = 0;
    loop {
        let read = rdr.read_record(&mut rec);
        // A source that stopped (too large, not UTF-8) may have cut this record short.
        if let Some(stop) = stopped(path, &rdr, &lines) {
            problems.push(stop);
            return false;
        }
        match read {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| lines.line_of(rdr.get_ref(), p.byte()))
                    .unwrap_or(0);
                problems.push(
                    InputError::new(path, Code::MalformedRecord, csv_message(&e)).at(line, None),
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return false;
                }
                complete = false;
                continue;
            }
        }
        n += 1;
        if n > max_rows {
            let max = placeplan_model::numfmt::thousands(max_rows as f64);
            problems.push(InputError::new(
                path,
                Code::TooLarge,
                format!("more than {max} rows, the most placeplan reads from this file"),
            ));
            return false;
        }
        let start = rec.position().map(|p| p.byte());
        let line = start
            .map(|b| lines.line_of(rdr.get_ref(), b))
            .unwrap_or(n + 1);
        if let Some(b) = start {
            rdr.get_mut().forget_before(b);
        }
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != width {
            if layout.footnotes && rec.len() == 1 {
                continue;
            }
            let mut message = format!("row has {} fields, the header has {width}", rec.len());
            let end = rdr.position().byte();
            if let Some(last) = start.and_then(|b| lines.last_line(rdr.get_ref(), b, end)) {
                if last > line {
                    message += &format!(
                        "; it runs on to line {last}: a quote (\") opens a field that does not close where it should"
                    );
                }
            }
            problems.push(InputError::new(path, Code::MalformedRecord, message).at(line, None));
            complete = false;
            continue;
        }
        let mut row = Row {
            path,
            cols: &cols,
            rec: &rec,
            line,
            problems,
            ok: true,
        };
        each(&mut row);
    }
    complete
}

/// The problem that made the source stop, if it did.
fn stopped(path: &Path, rdr: &csv::Reader<Source>, lines: &LineCounter) -> Option<InputError> {
    let src = rdr.get_ref();
    Some(match src.stop.as_ref()? {
        Stop::TooLarge => too_large_while_reading(path, src.limit),
        Stop::Utf16(kind) => utf16_problem(path, kind),
        Stop::NotUtf8(at) => {
            let (line, col) = lines.position_of(src, *at);
            not_utf8_problem(path, &src.head, src.byte(*at).unwrap_or(0)).at(line, Some(col))
        }
        Stop::Io(e) => InputError::new(path, Code::Unreadable, format!("cannot read: {e}")),
    })
}

/// Why a [`Source`] stopped early.
enum Stop {
    /// More than the limit arrived.
    TooLarge,
    /// The file is UTF-16 text (which kind).
    Utf16(&'static str),
    /// The byte at this offset is not UTF-8.
    NotUtf8(u64),
    Io(String),
}

/// The bytes of a CSV file as the CSV reader takes them: at most `limit`, checked to be UTF-8 as
/// they pass, and kept from the start of the current record on, so that lines can be counted
/// without holding the whole file. On a problem it stops (reads end) and says why in `stop`.
struct Source {
    inner: Box<dyn Read>,
    limit: u64,
    /// The bytes handed out from offset `base` of the file on.
    window: Vec<u8>,
    base: u64,
    /// Bytes before this offset are UTF-8 (a character cut by the end of a read waits here).
    checked: u64,
    /// The first bytes of the file, to tell what a file that is not UTF-8 is.
    head: Vec<u8>,
    stop: Option<Stop>,
}

impl Source {
    fn new(inner: Box<dyn Read>, limit: u64) -> Source {
        Source {
            inner,
            limit,
            window: Vec::new(),
            base: 0,
            checked: 0,
            head: Vec::new(),
            stop: None,
        }
    }

    /// Offset after the last byte handed out.
    fn end(&self) -> u64 {
        self.base + self.window.len() as u64
    }

    fn byte(&self, at: u64) -> Option<u8> {
        let i = at.checked_sub(self.base)?;
        self.window.get(usize::try_from(i).ok()?).copied()
    }

    /// Whether the byte at `at` ends a line (see [`ends_line`]).
    fn ends_line(&self, at: u64) -> bool {
        match self.byte(at) {
            Some(b'\n') => true,
            Some(b'\r') => self.byte(at + 1) != Some(b'\n'),
            _ => false,
        }
    }

    /// Lets go of the bytes before `offset` (the start of a record whose line has been counted),
    /// a large piece at a time.
    fn forget_before(&mut self, offset: u64) {
        let n = offset
            .saturating_sub(self.base)
            .min(self.window.len() as u64) as usize;
        if n >= 1 << 16 && n * 2 >= self.window.len() {
            self.window.drain(..n);
            self.base += n as u64;
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.is_some() {
            return Ok(0);
        }
        let n = loop {
            match self.inner.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.stop = Some(Stop::Io(e.to_string()));
                    return Ok(0);
                }
            }
        };
        if n == 0 {
            if self.checked < self.end() {
                // The file ends inside a character.
                self.stop = Some(Stop::NotUtf8(self.checked));
            }
            return Ok(0);
        }
        if self.end() + n as u64 > self.limit {
            self.stop = Some(Stop::TooLarge);
            return Ok(0);
        }
        let first = self.end() == 0;
        self.window.extend_from_slice(&buf[..n]);
        if self.head.len() < 4096 {
            let more = (4096 - self.head.len()).min(n);
            self.head.extend_from_slice(&buf[..more]);
        }
        if first {
            if let Some(kind) = utf16_kind(&buf[..n]) {
                self.stop = Some(Stop::Utf16(kind));
                return Ok(0);
            }
        }
        let from = (self.checked - self.base) as usize;
        match std::str::from_utf8(&self.window[from..]) {
            Ok(_) => self.checked = self.end(),
            Err(e) => {
                let at = self.checked + e.valid_up_to() as u64;
                if e.error_len().is_some() {
                    self.stop = Some(Stop::NotUtf8(at));
                    return Ok(0);
                }
                self.checked = at;
            }
        }
        Ok(n)
    }
}

/// Whether the byte at `i` ends a line: `\n`, or a `\r` not followed by `\n` (old Mac line
/// endings, which the CSV reader also takes as the end of a record; its own line count does not).
pub(crate) fn ends_line(data: &[u8], i: usize) -> bool {
    match data[i] {
        b'\n' => true,
        b'\r' => data.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

/// 1-based line numbers from byte offsets, counted incrementally as records are read in order.
/// (The CSV reader's own line number points at a blank line before a record, not the record,
/// and counts only `\n`.)
#[derive(Default)]
struct LineCounter {
    /// Offset counted up to (a record start), and the line ends before it.
    byte: u64,
    line: u64,
}

impl LineCounter {
    fn line_of(&mut self, src: &Source, start: u64) -> u64 {
        let start = start.min(src.end());
        if start > self.byte {
            let from = self.byte.max(src.base);
            self.line += (from..start).filter(|&i| src.ends_line(i)).count() as u64;
            self.byte = start;
        }
        // Skip the blank lines the reader passed over before this record.
        let mut line = self.line;
        let mut i = start;
        while let Some(b'\n' | b'\r') = src.byte(i) {
            line += src.ends_line(i) as u64;
            i += 1;
        }
        line + 1
    }

    /// The last line of a record from `start` to `end`, line ends at its end left out.
    fn last_line(&self, src: &Source, start: u64, end: u64) -> Option<u64> {
        let mut end = end.min(src.end());
        while end > start && matches!(src.byte(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        let first = self.line + 1;
        Some(first + (start..end).filter(|&i| src.ends_line(i)).count() as u64)
    }

    /// Line and character column of the byte at `at`, at or after the counted offset.
    fn position_of(&self, src: &Source, at: u64) -> (u64, u64) {
        let from = self.byte.max(src.base);
        let at = at.clamp(from, src.end());
        let mut line = self.line;
        let mut line_start = from;
        for i in from..at {
            if src.ends_line(i) {
                line += 1;
                line_start = i + 1;
            }
        }
        let lo = (line_start - src.base) as usize;
        let hi = (at - src.base) as usize;
        let col = String::from_utf8_lossy(&src.window[lo..hi]).chars().count() as u64 + 1;
        (line + 1, col)
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "text is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, expected {expected_len}"),
        _ => e.to_string(),
    }
}

/// Path of a file named in scenario.toml, relative to the scenario directory.
pub fn resolve(dir: &Path, name: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of the rows of `text` read as a CSV with columns `id` and `n`, and the lines of
    /// the problems.
    fn lines_of(text: &str) -> (Vec<u64>, Vec<u64>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let mut problems = Problems::default();
        let mut rows = Vec::new();
        read_csv(&path, &["id", "n"], &mut problems, |row| {
            if row.number("n").is_some() {
                rows.push(row.line);
            }
        });
        (rows, problems.iter().filter_map(|p| p.line).collect())
    }

    #[test]
    fn lines_are_counted_for_every_line_ending() {
        // Row "b" is bad; a blank line before "c".
        for end in ["\n", "\r\n", "\r"] {
            let text = ["id,n", "a,1", "b,x", "", "c,3"].join(end) + end;
            assert_eq!(lines_of(&text), (vec![2, 5], vec![3]), "{end:?}");
        }
        // A lone CR inside an LF file ends a record, so it ends a line too.
        assert_eq!(lines_of("id,n\na,1\rb,x\nc,3\n"), (vec![2, 4], vec![3]));
    }

    #[test]
    fn lines_are_counted_in_a_file_longer_than_the_bytes_kept() {
        // About 450 KB: the reader lets go of what lies behind every 64 KiB or so.
        for end in ["\n", "\r\n", "\r"] {
            let mut rows = vec!["id,n".to_string()];
            for i in 2..=30_001 {
                let bad = matches!(i, 3 | 15_000 | 30_001);
                rows.push(format!("row{i},{}", if bad { "x" } else { "1" }));
            }
            let text = rows.join(end) + end;
            let (good, bad) = lines_of(&text);
            assert_eq!(good.len(), 29_997, "{end:?}");
            assert_eq!(good[..2], [2, 4], "{end:?}");
            assert_eq!(good.last(), Some(&30_000), "{end:?}");
            assert_eq!(bad, vec![3, 15_000, 30_001], "{end:?}");
        }
    }

    #[test]
    fn a_byte_that_is_not_utf8_is_one_problem_at_its_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut data = b"id,n\n".to_vec();
        for i in 0..20_000 {
            data.extend_from_slice(format!("r{i},{i}\n").as_bytes());
        }
        // Line 20,002: "é" is two characters before the Windows-1252 byte.
        data.extend_from_slice("é,Cr".as_bytes());
        data.extend_from_slice(b"\xE8che\n");
        std::fs::write(&path, &data).unwrap();
        let mut problems = Problems::default();
        let complete = read_csv(&path, &["id", "n"], &mut problems, |row| {
            row.number("n");
        });
        assert!(!complete);
        let p: Vec<_> = problems.iter().collect();
        assert_eq!(p.len(), 1, "{problems}");
        assert_eq!(p[0].code, Code::Unreadable);
        assert_eq!(
            (p[0].line, p[0].column),
            (Some(20_002), Some(5)),
            "{}",
            p[0]
        );
        assert!(p[0].message.contains("0xE8") && p[0].message.contains("Windows-1252"));
    }

    #[test]
    fn utf16_is_told_from_text_with_a_nul() {
        let le: Vec<u8> = "id,name\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "id,name\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(utf16_kind(&le).unwrap().contains("little-endian"));
        assert!(utf16_kind(&be).unwrap().contains("big-endian"));
        assert!(utf16_kind(b"\xFF\xFEi\x00d\x00").unwrap().contains("FF FE"));
        assert!(utf16_kind(b"\xFE\xFF\x00i\x00d").unwrap().contains("FE FF"));
        assert_eq!(utf16_kind(b"id,name\nW01,A\x00B\n"), None);
        assert_eq!(utf16_kind(b"id,n\n"), None);
    }

    #[test]
    fn reads_stop_at_the_limit_not_at_the_size_the_file_gives() {
        // Files under /proc say they are empty and hold more.
        let proc_file = Path::new("/proc/self/status");
        assert_eq!(std::fs::metadata(proc_file).unwrap().len(), 0);
        let e = read_input(proc_file, 64).unwrap_err();
        assert_eq!(e.code, Code::TooLarge, "{e}");
        assert!(e.message.contains("while reading"), "{e}");
        assert!(read_input(proc_file, 1 << 20).unwrap().len() > 64);
        // The same while a CSV file is read as a stream: one problem, no row read.
        let mut problems = Problems::default();
        let mut rows = 0;
        let complete =
            read_csv_limited(proc_file, &["name"], (64, 9), &mut problems, |_| rows += 1);
        assert!(!complete);
        assert_eq!(rows, 0);
        let p: Vec<_> = problems.iter().collect();
        assert_eq!(p.len(), 1, "{problems}");
        assert_eq!(p[0].code, Code::TooLarge);
        assert!(p[0].message.contains("while reading"), "{}", p[0]);
        // A file larger than the limit is refused before it is read.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "id,n\na,1\n").unwrap();
        let e = read_input(&path, 8).unwrap_err();
        assert_eq!(e.code, Code::TooLarge);
        assert!(e.message.contains("file is 9 bytes; the limit is 8"), "{e}");
        assert_eq!(read_input(&path, 9).unwrap(), b"id,n\na,1\n");
        let mut problems = Problems::default();
        assert!(!read_csv_limited(
            &path,
            &["id"],
            (8, 9),
            &mut problems,
            |_| {}
        ));
        assert_eq!(problems.iter().next().unwrap().code, Code::TooLarge);
        assert!(read_csv_limited(
            &path,
            &["id"],
            (9, 9),
            &mut Problems::default(),
            |_| {}
        ));
    }

    #[test]
    fn reading_stops_at_the_most_rows_a_file_may_have() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "id,n\na,1\nb,x\nc,3\nd,y\ne,5\n").unwrap();
        let mut problems = Problems::default();
        let mut rows = Vec::new();
        let complete = read_csv_at_most(&path, &["id", "n"], 3, &mut problems, |row| {
            rows.push(row.line);
            row.number("n");
        });
        assert!(!complete);
        assert_eq!(rows, vec![2, 3, 4]);
        let p: Vec<_> = problems.iter().map(|p| (p.code, p.line)).collect();
        assert_eq!(p, vec![(Code::NotANumber, Some(3)), (Code::TooLarge, None)]);
        let mut problems = Problems::default();
        assert!(read_csv_at_most(
            &path,
            &["id", "n"],
            5,
            &mut problems,
            |_| {}
        ));
        assert!(problems.is_empty());
    }
}
