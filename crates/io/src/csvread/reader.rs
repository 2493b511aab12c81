//! Reading a CSV file as a stream: the header checked for every required column, then each
//! record handed out as a [`Row`] with its line, every problem recorded and reading going on.

use std::collections::HashMap;
use std::path::Path;

use placeplan_model::error::{Code, InputError, Problems};

use super::input::{not_utf8_problem, open_input, too_large_while_reading, utf16_problem};
use super::limits::{MAX_FILE_BYTES, MAX_RECORDS};
use super::row::Row;
use super::source::{LineCounter, Source, Stop};

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
    let mut lines = LineCounter::from_line(header_line);
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

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "text is not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, expected {expected_len}"),
        _ => e.to_string(),
    }
}
#[cfg(test)]
mod tests {
    use super::super::input::read_input;
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
