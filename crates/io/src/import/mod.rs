//! Importers of real public data formats into scenario files.
//!
//! * [`gias`]: the DfE "Get Information About Schools" establishment CSV -> `schools.csv` and
//!   `capacity.csv` (British National Grid eastings/northings converted to WGS84).
//! * [`ons`]: ONS / Nomis population by single year of age (wide CSV, columns 0..90+) ->
//!   `population.csv`.
//! * [`sen2`]: DfE SEN2 caseload files.
//!
//! Like scenario files, every bad row is reported with file:line:column, field, a stable code
//! ([`placeplan_model::error::Code`]) and a hint, and all problems in a file are reported at once. The
//! GIAS and ONS readers share the small table reader below: it accepts UTF-8 or Windows-1252
//! text (GIAS downloads are Windows-1252), skips preamble lines before the header row (Nomis
//! downloads have a title block) and looks columns up case-insensitively.

pub mod gias;
pub mod ons;
pub mod sen2;

use std::collections::HashMap;
use std::path::Path;

use crate::csvread::{ends_line, MAX_RECORDS};
use placeplan_model::error::{Code, InputError, Problems};

/// Reads a file as text: UTF-8 (with or without a byte-order mark), else Windows-1252.
/// Missing, unreadable or too-large files, and UTF-16 text, are recorded in `problems`.
pub(crate) fn read_text(path: &Path, problems: &mut Problems) -> Option<String> {
    let bytes = crate::csvread::read_bytes(path, problems)?;
    if let Some(kind) = crate::csvread::utf16_kind(&bytes) {
        problems.push(crate::csvread::utf16_problem(path, kind));
        return None;
    }
    Some(decode(&bytes))
}

/// UTF-8 if the bytes are valid UTF-8, else Windows-1252 (a superset of Latin-1 for text).
/// A UTF-8 byte-order mark is dropped.
pub fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252(b)).collect(),
    }
}

/// Windows-1252 to Unicode. The five bytes it leaves undefined map to U+FFFD.
fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
        '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{FFFD}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}

/// Column names are matched trimmed and lower-case.
pub(crate) fn norm(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()
}

/// A header row: column names and where they are.
pub(crate) struct Header {
    pub names: Vec<String>,
    pub line: u64,
    index: HashMap<String, usize>,
}

impl Header {
    fn new(rec: &csv::StringRecord, line: u64) -> Header {
        let names: Vec<String> = rec.iter().map(|h| h.trim().to_string()).collect();
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(norm(n)).or_insert(i);
        }
        Header { names, line, index }
    }

    /// Position of a column, by any of its names (case-insensitive).
    pub fn find(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.index.get(&norm(n)).copied())
    }
}

/// One data row with accessors that record problems against its line and column.
pub(crate) struct Rec<'a> {
    pub path: &'a Path,
    pub line: u64,
    pub header: &'a Header,
    rec: &'a csv::StringRecord,
    problems: &'a mut Problems,
    /// False once a field of this row had a problem.
    pub ok: bool,
}

impl Rec<'_> {
    /// Trimmed text of a column (empty when the column is absent).
    pub fn text(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.rec.get(c)).unwrap_or("").trim()
    }

    /// Records a problem about a column of this row.
    pub fn problem(&mut self, col: Option<usize>, code: Code, message: String) {
        let mut e =
            InputError::new(self.path, code, message).at(self.line, col.map(|c| c as u64 + 1));
        if let Some(name) = col.and_then(|c| self.header.names.get(c)) {
            e = e.field(name.clone());
        }
        self.problems.push(e);
        self.ok = false;
    }

    /// A number; plain (`1234`, `1234.0`) or with comma thousands separators (`1,234`).
    /// `None` when empty (no problem recorded) or not a number (problem recorded).
    pub fn number(&mut self, col: Option<usize>) -> Option<f64> {
        let t = self.text(col).to_string();
        if t.is_empty() {
            return None;
        }
        match parse_number(&t) {
            Some(v) => Some(v),
            None => {
                self.problem(
                    col,
                    Code::NotANumber,
                    format!("expected a number, found '{t}'"),
                );
                None
            }
        }
    }

    /// A whole number of zero or more (places, pupils); `None` when empty.
    pub fn count(&mut self, col: Option<usize>) -> Option<u32> {
        let v = self.number(col)?;
        if v < 0.0 {
            self.problem(
                col,
                Code::Negative,
                format!("expected zero or more, found {v}"),
            );
            return None;
        }
        if v.fract() != 0.0 || v > u32::MAX as f64 {
            self.problem(
                col,
                Code::NotAnInteger,
                format!("expected a whole number, found {v}"),
            );
            return None;
        }
        Some(v as u32)
    }
}

/// Parses `1234`, `-12.5`, `1,234` or `1,234.5`; rejects anything else (and non-finite values).
pub(crate) fn parse_number(t: &str) -> Option<f64> {
    let t = t.trim();
    if let Ok(v) = t.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    // Thousands separators: groups of exactly three digits after the first.
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = int.strip_prefix('-').unwrap_or(int);
    let mut groups = digits.split(',');
    let first = groups.next()?;
    let ok_first =
        !first.is_empty() && first.len() <= 3 && first.chars().all(|c| c.is_ascii_digit());
    let rest: Vec<&str> = groups.collect();
    if !ok_first
        || rest.is_empty()
        || rest
            .iter()
            .any(|g| g.len() != 3 || !g.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let joined = format!(
        "{}{}{}{}",
        if int.starts_with('-') { "-" } else { "" },
        first,
        rest.concat(),
        if frac.is_empty() {
            String::new()
        } else {
            format!(".{frac}")
        }
    );
    joined.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads CSV `text`: the header is the first record for which `is_header` holds (earlier lines
/// are a preamble and ignored); checks `required` columns (each a list of accepted names) and
/// calls `each` on every later non-empty record with as many fields as the header. Shorter
/// records of one field after the data (footnotes) are ignored. Returns the header, or `None`
/// (with problems recorded) when there is none or a required column is missing.
pub(crate) fn read_rows(
    path: &Path,
    text: &str,
    is_header: impl Fn(&csv::StringRecord) -> bool,
    required: &[&[&str]],
    problems: &mut Problems,
    mut each: impl FnMut(&mut Rec),
) -> Option<Header> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Line numbers come from byte offsets: the csv crate's own line count skips blank lines and
    // counts only `\n`, though a lone `\r` ends a record too.
    let bytes = text.as_bytes();
    let newlines: Vec<usize> = (0..bytes.len()).filter(|&i| ends_line(bytes, i)).collect();
    let line_at = |byte: u64| {
        // A record after blank lines starts (for the csv crate) at the first blank line.
        let mut b = byte as usize;
        while b < bytes.len() && (bytes[b] == b'\n' || bytes[b] == b'\r') {
            b += 1;
        }
        newlines.partition_point(|&i| i < b) as u64 + 1
    };
    let mut rec = csv::StringRecord::new();
    let mut header: Option<Header> = None;
    let mut n: u64 = 0;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                problems.push(
                    InputError::new(path, Code::MalformedRecord, e.to_string()).at(line, None),
                );
                continue;
            }
        }
        let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(0);
        let Some(h) = &header else {
            if is_header(&rec) {
                let h = Header::new(&rec, line);
                let mut missing = false;
                for names in required {
                    if h.find(names).is_none() {
                        problems.push(
                            InputError::new(
                                path,
                                Code::MissingColumn,
                                format!("required column '{}' is missing", names[0]),
                            )
                            .at(line, None)
                            .field(names[0]),
                        );
                        missing = true;
                    }
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                for (i, name) in h.names.iter().enumerate() {
                    let k = norm(name);
                    if k.is_empty() {
                        continue;
                    }
                    if seen.insert(k.clone(), i).is_some() {
                        problems.push(
                            InputError::new(
                                path,
                                Code::DuplicateColumn,
                                format!("column '{name}' appears twice"),
                            )
                            .at(line, Some(i as u64 + 1))
                            .field(name.clone()),
                        );
                        missing = true;
                    }
                }
                if missing {
                    return None;
                }
                header = Some(h);
            }
            continue;
        };
        n += 1;
        if n > MAX_RECORDS {
            problems.push(InputError::new(
                path,
                Code::TooLarge,
                format!("more than {MAX_RECORDS} records"),
            ));
            break;
        }
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if rec.len() != h.names.len() {
            if rec.len() == 1 {
                // A footnote or source line under the table.
                continue;
            }
            problems.push(
                InputError::new(
                    path,
                    Code::MalformedRecord,
                    format!(
                        "row has {} fields, the header has {}",
                        rec.len(),
                        h.names.len()
                    ),
                )
                .at(line, None),
            );
            continue;
        }
        let mut r = Rec {
            path,
            line,
            header: h,
            rec: &rec,
            problems,
            ok: true,
        };
        each(&mut r);
    }
    if header.is_none() {
        problems
            .push(InputError::new(path, Code::MissingColumn, "no header row found").at(1, None));
    }
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1252_and_drops_bom() {
        assert_eq!(decode(b"\xEF\xBB\xBFURN,Name"), "URN,Name");
        assert_eq!(
            decode(b"St Mary\x92s, Cr\xE8che \x80"),
            "St Mary’s, Crèche €"
        );
        assert_eq!(
            decode("Ysgol Gymraeg Bro Alun – Ŵ".as_bytes()),
            "Ysgol Gymraeg Bro Alun – Ŵ"
        );
    }

    #[test]
    fn numbers_with_thousands_separators() {
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number("12,345,678.5"), Some(12345678.5));
        assert_eq!(parse_number("915.0"), Some(915.0));
        assert_eq!(parse_number("-3"), Some(-3.0));
        assert_eq!(parse_number("1,23"), None);
        assert_eq!(parse_number("1.234,5"), None);
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
    }

    #[test]
    fn preamble_and_footnotes_are_skipped_bad_rows_reported() {
        // Regression (fuzzing the GIAS importer): with old Mac (CR) line endings every row was
        // said to be on line 1.
        for end in ["\n", "\r\n", "\r"] {
            preamble_and_footnotes(end);
        }
    }

    fn preamble_and_footnotes(end: &str) {
        let text = [
            "\"A title\"",
            "\"Source: ONS\"",
            "code,value",
            "A,1",
            "B,2,3",
            "",
            "C,x",
            "\"Footnote\"",
        ]
        .join(end)
            + end;
        let mut problems = Problems::default();
        let mut seen = Vec::new();
        let h = read_rows(
            Path::new("t.csv"),
            &text,
            |r| r.get(0) == Some("code"),
            &[&["code"], &["value"]],
            &mut problems,
            |r| {
                let c = r.header.find(&["value"]);
                if let Some(v) = r.number(c) {
                    seen.push((r.line, v));
                }
            },
        )
        .unwrap();
        assert_eq!(h.line, 3, "{end:?}");
        assert_eq!(seen, vec![(4, 1.0)], "{end:?}");
        let msgs: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
        assert_eq!(problems.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("t.csv:5: E003"), "{}", msgs[0]);
        assert!(
            msgs[1].starts_with("t.csv:7:2: E101 [value]"),
            "{}",
            msgs[1]
        );
    }

    #[test]
    fn missing_column_is_reported_on_the_header_line() {
        let mut problems = Problems::default();
        let h = read_rows(
            Path::new("t.csv"),
            "code,other\nA,1\n",
            |_| true,
            &[&["code"], &["value", "count"]],
            &mut problems,
            |_| {},
        );
        assert!(h.is_none());
        assert_eq!(problems.len(), 1);
        let e = &problems.0[0];
        assert_eq!((e.code, e.line), (Code::MissingColumn, Some(1)));
    }

    /// Regression: names and codes from the public files went verbatim into the tidy SEN2 CSV,
    /// schools.csv and population.csv, where a spreadsheet runs text such as `=HYPERLINK(...)`
    /// as a formula. Such text cells now start with a single quote; numbers are left alone.
    #[test]
    fn importer_csv_outputs_neutralise_formula_text() {
        use super::{gias, ons, sen2};
        use placeplan_model::domain::{NeedSet, Phase, PhaseSet, SchoolKind};

        let mut s = sen2::Sen2Series {
            la_code: "-E08000015".into(),
            old_la_code: "@344".into(),
            name: "=HYPERLINK(\"http://x\",\"y\")".into(),
            ..Default::default()
        };
        s.caseload_total.insert(2015, Some(8.0));
        let tidy = sen2::to_tidy_csv(&[s]);
        assert_eq!(
            tidy.lines().nth(6),
            Some("'-E08000015,'@344,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",caseload,2015,total,8")
        );

        let imported = gias::GiasImport {
            schools: vec![gias::GiasSchool {
                urn: "105015".into(),
                name: "@SUM(A1)".into(),
                kind: SchoolKind::Mainstream,
                phases: PhaseSet::default().with(Phase::Primary),
                lat: 53.4,
                lon: -3.02,
                can_host_base: false,
                max_new_places: 0,
                capacity: vec![(NeedSet::all(), Phase::Primary, 5)],
                line: 2,
            }],
            skipped: Default::default(),
        };
        let schools = String::from_utf8(imported.schools_csv()).unwrap();
        assert_eq!(
            schools.lines().nth(1),
            Some("105015,'@SUM(A1),mainstream,primary,53.40000,-3.02000,no,0,,")
        );

        let rows = [ons::PopulationRow {
            locality: "+E08000015".into(),
            name: String::new(),
            year: 2023,
            age: 4,
            count: 12.0,
        }];
        let pop = String::from_utf8(ons::population_csv(&rows)).unwrap();
        assert_eq!(pop.lines().nth(1), Some("'+E08000015,2023,4,12"));
    }
}
