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

pub mod children;
pub mod gias;
pub mod ons;
pub mod sen2;

/// The shared data folder of real public files, for the tests.
#[cfg(test)]
#[path = "../../../../tests/support/data.rs"]
mod test_data;

use std::path::Path;

use crate::csvread::{ends_line, read_csv_text, Layout, Row};
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

/// A `--columns` map: a council's own column names for the names a reader knows
/// (`EstablishmentName=school name`). Matched case-insensitively; a published name the file
/// also has is left as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    /// (name the reader knows, the file's name), both as given.
    pub pairs: Vec<(String, String)>,
}

impl ColumnMap {
    /// Parses `KNOWN=THEIRS` items, each given on its own or several separated by commas.
    pub fn parse(items: &[String]) -> Result<ColumnMap, String> {
        let mut pairs = Vec::new();
        for item in items.iter().flat_map(|i| i.split(',')) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            match item.split_once('=') {
                Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                    pairs.push((k.trim().to_string(), v.trim().to_string()))
                }
                _ => {
                    return Err(format!(
                    "--columns '{item}' is not KNOWN=THEIRS (e.g. EstablishmentName=school name)"
                ))
                }
            }
        }
        Ok(ColumnMap { pairs })
    }

    /// The name a reader knows for a header name of the file (the name itself when unmapped).
    fn rename<'a>(&'a self, name: &'a str) -> &'a str {
        self.pairs
            .iter()
            .find(|(_, theirs)| norm(theirs) == norm(name))
            .map_or(name, |(known, _)| known.as_str())
    }
}

/// The header of a published table: its column names (after a `--columns` map) and its line.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub names: Vec<String>,
    pub line: u64,
}

impl Header {
    /// The column's name as the header spells it, else the first accepted name: a column the
    /// file lacks reads as empty, and its problems carry no column number.
    pub fn col(&self, names: &[&str]) -> String {
        self.find(names).unwrap_or_else(|| names[0].to_string())
    }

    /// The column's name as the header spells it, by any of its accepted names
    /// (case-insensitive).
    pub fn find(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| {
            let n = norm(n);
            self.names.iter().find(|h| norm(h) == n).cloned()
        })
    }
}

/// A published file decoded to text, its header found: what [`read_table`] reads.
pub(crate) struct Table {
    pub header: Header,
    /// The text from the header row on (the header renamed by the column map).
    text: String,
}

/// Finds the header of a published file's text (decoded by [`read_text`]: UTF-8 with or
/// without a byte-order mark, else Windows-1252): the first record for which `is_header` holds
/// on the names renamed by `columns` (lines above are a preamble). `None`, with the problem
/// recorded, when there is no such header.
pub(crate) fn find_header(
    path: &Path,
    text: String,
    columns: &ColumnMap,
    is_header: impl Fn(&[String]) -> bool,
    problems: &mut Problems,
) -> Option<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    // Only the first lines are searched: a header is near the top.
    for _ in 0..200 {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) | Err(_) => break,
        }
        let names: Vec<String> = rec
            .iter()
            .map(|h| {
                columns
                    .rename(h.trim().trim_start_matches('\u{feff}'))
                    .to_string()
            })
            .collect();
        if !is_header(&names) {
            continue;
        }
        let start = rec.position().map_or(0, |p| p.byte() as usize);
        let end = rdr.position().byte() as usize;
        let bytes = text.as_bytes();
        // The record may start at blank lines the reader passed over.
        let mut s = start;
        while s < end && (bytes[s] == b'\n' || bytes[s] == b'\r') {
            s += 1;
        }
        let line = (0..s).filter(|&i| ends_line(bytes, i)).count() as u64 + 1;
        // The header row again, renamed, on one line (so lines below keep their numbers): a
        // line break inside a quoted name becomes a space, or the written header would run
        // over several lines again and every line below would be counted that many too far.
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        let one_line: Vec<String> = names.iter().map(|n| n.replace(['\r', '\n'], " ")).collect();
        let _ = w.write_record(&one_line);
        let head = String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default();
        // The end of the header's line (the reader may stop before or after its line end).
        let mut e = end.min(bytes.len());
        if e > s && !matches!(bytes[e - 1], b'\n' | b'\r') {
            if bytes.get(e) == Some(&b'\r') {
                e += 1;
            }
            if bytes.get(e) == Some(&b'\n') {
                e += 1;
            }
        } else if e > 0 && bytes[e - 1] == b'\r' && bytes.get(e) == Some(&b'\n') {
            e += 1;
        }
        let rest = &text[e..];
        let original_lines = (s..e).filter(|&i| ends_line(bytes, i)).count();
        let mut out = head;
        // A header whose quoted names ran over several lines keeps its line count.
        for _ in 1..original_lines.max(1) {
            out.push('\n');
        }
        out.push_str(rest);
        return Some(Table {
            header: Header { names, line },
            text: out,
        });
    }
    problems.push(
        InputError::new(
            path,
            Code::MissingColumn,
            "no header row of a known layout found",
        )
        .at(1, None),
    );
    None
}

/// Reads every data row of `table` with the scenario files' CSV reader ([`read_csv_text`]):
/// the same line and column numbers, limits and checks. Rows of one field under the table
/// (footnotes) are skipped. Returns true when every record was read into fields.
pub(crate) fn read_table(
    path: &Path,
    table: Table,
    problems: &mut Problems,
    each: impl FnMut(&mut Row),
) -> bool {
    let layout = Layout {
        first_line: table.header.line,
        footnotes: true,
    };
    read_csv_text(path, table.text, layout, problems, each)
}

/// Checks that the header has each required column (each a list of accepted names); records
/// E004 on the header line for each one missing.
pub(crate) fn require(
    path: &Path,
    header: &Header,
    required: &[&[&str]],
    problems: &mut Problems,
) -> bool {
    let mut ok = true;
    for names in required {
        if header.find(names).is_none() {
            problems.push(
                InputError::new(
                    path,
                    Code::MissingColumn,
                    format!("required column '{}' is missing", names[0]),
                )
                .at(header.line, None)
                .field(names[0]),
            );
            ok = false;
        }
    }
    ok
}

/// A cell read by `parse`; `None` when empty (no problem) or when `parse` fails (problem
/// `code` recorded, "expected {expected}, found '...'").
pub(crate) fn cell<T>(
    row: &mut Row,
    col: &str,
    parse: impl Fn(&str) -> Option<T>,
    code: Code,
    expected: &str,
) -> Option<T> {
    let t = row.text(col).to_string();
    if t.is_empty() {
        return None;
    }
    let v = parse(&t);
    if v.is_none() {
        row.problem(col, code, format!("expected {expected}, found '{t}'"));
    }
    v
}

/// A number in a published file: plain (`1234`, `1234.0`) or with comma thousands separators
/// (`1,234`). `None` when empty (no problem) or not a number (problem recorded).
pub(crate) fn number_of(row: &mut Row, col: &str) -> Option<f64> {
    cell(row, col, parse_number, Code::NotANumber, "a number")
}

/// A whole number of zero or more (places, pupils, ages); `None` when empty.
pub(crate) fn count_of(row: &mut Row, col: &str) -> Option<u32> {
    let v = number_of(row, col)?;
    if v < 0.0 {
        row.problem(
            col,
            Code::Negative,
            format!("expected zero or more, found {v}"),
        );
        return None;
    }
    if v.fract() != 0.0 || v > u32::MAX as f64 {
        row.problem(
            col,
            Code::NotAnInteger,
            format!("expected a whole number, found {v}"),
        );
        return None;
    }
    Some(v as u32)
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

    /// The table of `text` (as t.csv) whose header starts with `code`.
    fn code_table(text: String, problems: &mut Problems) -> Table {
        find_header(
            Path::new("t.csv"),
            text,
            &ColumnMap::default(),
            |r| r.first().map(String::as_str) == Some("code"),
            problems,
        )
        .unwrap()
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
        let path = Path::new("t.csv");
        let t = code_table(text, &mut problems);
        assert_eq!(t.header.line, 3, "{end:?}");
        let value = t.header.col(&["VALUE"]);
        read_table(path, t, &mut problems, |r| {
            if let Some(v) = number_of(r, &value) {
                seen.push((r.line, v));
            }
        });
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

    /// Regression (fuzzing the GIAS importer): a quote in the header opened a name that ran
    /// over three lines; rewritten, the header still ran over three lines and two more were
    /// added to keep the count, so every row below was said to be two lines further down (the
    /// last one beyond the end of the file).
    #[test]
    fn a_header_name_over_several_lines_keeps_the_rows_on_their_lines() {
        for end in ["\n", "\r\n"] {
            let text = ["code,\"val", "", "ue\",n", "A,1,2", "B,2"].join(end) + end;
            let mut problems = Problems::default();
            let path = Path::new("t.csv");
            let t = code_table(text, &mut problems);
            assert_eq!(t.header.line, 1);
            let mut seen = Vec::new();
            read_table(path, t, &mut problems, |r| seen.push(r.line));
            assert_eq!(seen, vec![4], "{end:?}");
            let msgs: Vec<String> = problems.iter().map(|e| e.to_string()).collect();
            assert_eq!(msgs.len(), 1, "{msgs:?}");
            assert!(msgs[0].starts_with("t.csv:5: E003"), "{end:?}: {}", msgs[0]);
        }
    }

    #[test]
    fn missing_column_is_reported_on_the_header_line() {
        let mut problems = Problems::default();
        let t = find_header(
            Path::new("t.csv"),
            "\"title\"\ncode,other\nA,1\n".into(),
            &ColumnMap::default(),
            |r| r.len() > 1,
            &mut problems,
        )
        .unwrap();
        assert!(!require(
            Path::new("t.csv"),
            &t.header,
            &[&["code"], &["value", "count"]],
            &mut problems
        ));
        assert_eq!(problems.len(), 1);
        let e = &problems.0[0];
        assert_eq!((e.code, e.line), (Code::MissingColumn, Some(2)));
    }

    #[test]
    fn a_column_map_renames_a_councils_columns() {
        let map =
            ColumnMap::parse(&["URN=school urn, EstablishmentName=School Name".into()]).unwrap();
        let mut problems = Problems::default();
        let t = find_header(
            Path::new("t.csv"),
            "School URN,school name\r\n1,A\r\n".into(),
            &map,
            |r| r.iter().any(|n| n == "URN"),
            &mut problems,
        )
        .unwrap();
        assert_eq!(t.header.names, ["URN", "EstablishmentName"]);
        let name = t.header.col(&["establishmentname"]);
        let mut got = Vec::new();
        read_table(Path::new("t.csv"), t, &mut problems, |r| {
            got.push((r.line, r.text(&name).to_string()))
        });
        assert_eq!(got, [(2, "A".to_string())]);
        assert!(ColumnMap::parse(&["URN".into()]).is_err());
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
                ages: None,
                gender: placeplan_model::domain::SchoolGender::Girls,
                selective: true,
                line: 2,
            }],
            skipped: Default::default(),
        };
        let schools = String::from_utf8(imported.schools_csv()).unwrap();
        assert_eq!(
            schools.lines().nth(1),
            Some("105015,'@SUM(A1),mainstream,primary,53.40000,-3.02000,no,0,,,,,girls,yes")
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
