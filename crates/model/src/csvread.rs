//! A small CSV reader that checks headers and fields one by one, so that every problem in a file
//! is reported at once with its line, column and field name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::domain::{Need, NeedSet, Phase, PhaseSet, MAX_AGE};
use crate::error::{Code, InputError, Problems};

/// Largest input file placeplan reads (bytes). Larger files are rejected before parsing.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Most records read from one file. Beyond this the file is rejected.
pub const MAX_RECORDS: u64 = 20_000_000;

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
    fn err(&mut self, field: &str, code: Code, message: String) {
        let col = self.cols.get(field).map(|c| *c as u64 + 1);
        self.problems.push(
            InputError::new(self.path, code, message)
                .at(self.line, col)
                .field(field),
        );
        self.ok = false;
    }

    /// Raw text of an optional column ("" when absent or empty).
    pub fn text(&self, field: &str) -> &str {
        self.cols
            .get(field)
            .and_then(|c| self.rec.get(*c))
            .unwrap_or("")
    }

    /// A required non-empty text value.
    pub fn required(&mut self, field: &str) -> Option<String> {
        let t = self.text(field).to_string();
        if t.is_empty() {
            self.err(field, Code::Empty, format!("'{field}' is empty"));
            return None;
        }
        Some(t)
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
        let t = self.text(field).to_ascii_lowercase();
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

/// Reads a whole input file, recording a missing, unreadable or too-large file in `problems`.
pub fn read_bytes(path: &Path, problems: &mut Problems) -> Option<Vec<u8>> {
    let problem = match std::fs::metadata(path) {
        Err(_) => Some((
            Code::MissingFile,
            format!("file not found: {}", path.display()),
        )),
        Ok(m) if m.is_dir() => Some((
            Code::Unreadable,
            "expected a file, found a directory".to_string(),
        )),
        Ok(m) if m.len() > MAX_FILE_BYTES => Some((
            Code::TooLarge,
            format!("file is {} bytes; the limit is {MAX_FILE_BYTES}", m.len()),
        )),
        Ok(_) => None,
    };
    if let Some((code, message)) = problem {
        problems.push(InputError::new(path, code, message));
        return None;
    }
    match std::fs::read(path) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(InputError::new(
                path,
                Code::Unreadable,
                format!("cannot read: {e}"),
            ));
            None
        }
    }
}

/// Reads `path`, checks the header has every `required` column (case-insensitive), and calls
/// `each` on every data row. Problems go to `problems`; reading goes on after a bad row.
/// Returns false if the file could not be read at all.
pub fn read_csv(
    path: &Path,
    required: &[&str],
    problems: &mut Problems,
    mut each: impl FnMut(&mut Row),
) -> bool {
    let Some(data) = read_bytes(path, problems) else {
        return false;
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(&data[..]);
    let mut lines = LineCounter::default();
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(InputError::new(path, Code::Unreadable, csv_message(&e)).at(1, None));
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
                .at(1, Some(i as u64 + 1))
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
                .at(1, None)
                .field(*r),
            );
            header_ok = false;
        }
    }
    if !header_ok {
        return true;
    }
    let width = headers.len();
    let mut rec = csv::StringRecord::new();
    let mut n: u64 = 0;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e
                    .position()
                    .map(|p| lines.line_of(&data, p.byte() as usize))
                    .unwrap_or(0);
                problems.push(
                    InputError::new(path, Code::MalformedRecord, csv_message(&e)).at(line, None),
                );
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return true;
                }
                continue;
            }
        }
        n += 1;
        if n > MAX_RECORDS {
            problems.push(InputError::new(
                path,
                Code::TooLarge,
                format!("more than {MAX_RECORDS} records"),
            ));
            return true;
        }
        let line = rec
            .position()
            .map(|p| lines.line_of(&data, p.byte() as usize))
            .unwrap_or(n + 1);
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rec.len() != width {
            problems.push(
                InputError::new(
                    path,
                    Code::MalformedRecord,
                    format!("row has {} fields, the header has {width}", rec.len()),
                )
                .at(line, None),
            );
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
    true
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
    byte: usize,
    line: u64,
}

impl LineCounter {
    fn line_of(&mut self, data: &[u8], start: usize) -> u64 {
        let start = start.min(data.len());
        if start < self.byte {
            *self = LineCounter::default();
        }
        self.line += (self.byte..start).filter(|&i| ends_line(data, i)).count() as u64;
        self.byte = start;
        // Skip the blank lines the reader passed over before this record.
        let mut line = self.line;
        for i in start..data.len() {
            match data[i] {
                b'\n' | b'\r' => line += ends_line(data, i) as u64,
                _ => break,
            }
        }
        line + 1
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
}
