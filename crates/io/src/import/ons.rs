//! ONS / Nomis population by single year of age -> `population.csv` rows.
//!
//! Accepts the wide layout ONS and Nomis publish for local authorities, wards, MSOAs and LSOAs:
//! one row per area, a code column, usually a name column, then one column per single year of
//! age (`0` .. `89` and `90+`, or `Age 0`, `Aged 0`, `age_0`, `Age under 1`, ...). An optional
//! year column (`year`, `date`, `mid-year`) selects rows of the requested year; without one,
//! every row is taken to be that year. Title lines above the header (as in Nomis downloads) and
//! one-field footnote lines below the table are skipped.
//!
//! Only ages 0-25 are kept (placeplan's range); every one must be present. Each area becomes a
//! locality with the area code as its id.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::import::{norm, read_rows, read_text, Header};
use placeplan_model::domain::MAX_AGE;
use placeplan_model::error::{Code, InputError, Problems};

/// What to import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnsOptions {
    /// The mid-year the counts are for (written to the `year` column; with a year column in the
    /// file, only its rows are used).
    pub year: i32,
    /// Area codes to keep (case-insensitive, e.g. `E08000015`); empty keeps every area. A code
    /// the file does not contain is an error.
    pub codes: Vec<String>,
}

/// Population of one area at one single year of age.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    /// Area code, used as the locality id.
    pub locality: String,
    /// Area name ("" when the file has none).
    pub name: String,
    pub year: i32,
    pub age: u8,
    pub count: f64,
}

/// Column names accepted for the area code and name, and for the year.
const CODE_COLUMNS: [&str; 13] = [
    "code",
    "geography code",
    "geography_code",
    "geogcode",
    "mnemonic",
    "area code",
    "areacode",
    "la code",
    "lad code",
    "ladcode",
    "lsoa code",
    "msoa code",
    "ward code",
];
const NAME_COLUMNS: [&str; 9] = [
    "name",
    "geography name",
    "geography_name",
    "area name",
    "areaname",
    "la name",
    "lad name",
    "area",
    "geography",
];
const YEAR_COLUMNS: [&str; 4] = ["year", "date", "mid-year", "mid_year"];

/// The single year of age a column header stands for: `0`, `Age 0`, `Aged 0`, `age_0`,
/// `Age under 1` (0), `90+` / `Aged 90+` (90, the open-ended top group).
pub fn age_of_header(h: &str) -> Option<u8> {
    let mut t = norm(h);
    for prefix in ["aged", "age"] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start_matches([' ', '_', '-', ':']).to_string();
            break;
        }
    }
    if t == "under 1" || t == "under_1" || t == "<1" {
        return Some(0);
    }
    let t = t
        .trim_end_matches(" and over")
        .trim_end_matches(" and above")
        .trim_end_matches('+')
        .trim();
    if t.is_empty() || t.len() > 3 || !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A code column: one of the known names, or a column whose name ends in `code` / `cd`
/// (e.g. `LAD23CD`, `LSOA21CD`).
fn code_column(h: &Header) -> Option<usize> {
    h.find(&CODE_COLUMNS).or_else(|| {
        h.names.iter().position(|n| {
            let n = norm(n);
            n.ends_with("code") || (n.ends_with("cd") && n.len() <= 10)
        })
    })
}

fn name_column(h: &Header) -> Option<usize> {
    h.find(&NAME_COLUMNS).or_else(|| {
        h.names.iter().position(|n| {
            let n = norm(n);
            n.ends_with(" name") || (n.ends_with("nm") && n.len() <= 10)
        })
    })
}

/// Reads a population file. All problems are returned together.
pub fn read_population(path: &Path, opts: &OnsOptions) -> Result<Vec<PopulationRow>, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_population(path, &text, opts)
}

/// Parses population text; `path` is only used in messages.
pub fn parse_population(
    path: &Path,
    text: &str,
    opts: &OnsOptions,
) -> Result<Vec<PopulationRow>, Problems> {
    let mut problems = Problems::default();
    if !(1990..=2100).contains(&opts.year) {
        problems.push(InputError::new(
            path,
            Code::YearOutOfRange,
            format!("year {} is outside 1990-2100", opts.year),
        ));
        return Err(problems);
    }
    let wanted: HashMap<String, String> = opts
        .codes
        .iter()
        .map(|c| (c.trim().to_ascii_uppercase(), c.clone()))
        .collect();
    let mut found: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    // The header is the first line with an age-0 column.
    let is_header = |r: &csv::StringRecord| r.iter().any(|f| age_of_header(f) == Some(0));
    let mut ages: Option<Vec<(u8, usize)>> = None;
    let header = read_rows(path, text, is_header, &[], &mut problems, |row| {
        let h = row.header;
        let cols = ages.get_or_insert_with(|| {
            let mut v: Vec<(u8, usize)> = h
                .names
                .iter()
                .enumerate()
                .filter_map(|(i, n)| age_of_header(n).map(|a| (a, i)))
                .filter(|(a, _)| *a <= MAX_AGE)
                .collect();
            v.sort();
            v.dedup_by_key(|x| x.0);
            v
        });
        if cols.len() != MAX_AGE as usize + 1 {
            return;
        }
        let code_col = code_column(h);
        let year_col = h.find(&YEAR_COLUMNS);
        if let Some(yc) = year_col {
            let t = row.text(Some(yc)).to_string();
            // Nomis dates may read "2023" or "June 2023".
            let year = t
                .split(|c: char| !c.is_ascii_digit())
                .find(|p| p.len() == 4)
                .and_then(|p| p.parse::<i32>().ok());
            match year {
                Some(y) if y == opts.year => {}
                Some(_) => return,
                None => {
                    row.problem(
                        Some(yc),
                        Code::NotAnInteger,
                        format!("expected a year such as 2023, found '{t}'"),
                    );
                    return;
                }
            }
        }
        let code = row.text(code_col).to_string();
        if code.is_empty() {
            row.problem(code_col, Code::Empty, "the area code is empty".into());
            return;
        }
        let key = code.to_ascii_uppercase();
        if !wanted.is_empty() && !wanted.contains_key(&key) {
            return;
        }
        if let Some(first) = found.get(&key) {
            row.problem(
                code_col,
                Code::DuplicateRow,
                format!("area '{code}' already appears on line {first}"),
            );
            return;
        }
        found.insert(key, row.line);
        let name = row.text(name_column(h)).to_string();
        let mut counts = Vec::with_capacity(cols.len());
        for &(age, col) in cols.iter() {
            match row.number(Some(col)) {
                Some(v) if v < 0.0 => row.problem(
                    Some(col),
                    Code::Negative,
                    format!("population must be zero or more, found {v}"),
                ),
                Some(v) => counts.push((age, v)),
                None if row.text(Some(col)).is_empty() => row.problem(
                    Some(col),
                    Code::Empty,
                    format!("population at age {age} is empty"),
                ),
                None => {}
            }
        }
        if row.ok {
            for (age, count) in counts {
                out.push(PopulationRow {
                    locality: code.clone(),
                    name: name.clone(),
                    year: opts.year,
                    age,
                    count,
                });
            }
        }
    });
    if let Some(h) = &header {
        let present: Vec<u8> = h.names.iter().filter_map(|n| age_of_header(n)).collect();
        for a in 0..=MAX_AGE {
            if !present.contains(&a) {
                problems.push(
                    InputError::new(
                        path,
                        Code::MissingColumn,
                        format!(
                            "no column for age {a}: every single year of age 0-{MAX_AGE} is needed"
                        ),
                    )
                    .at(h.line, None)
                    .field(format!("age {a}")),
                );
            }
        }
        if code_column(h).is_none() {
            problems.push(
                InputError::new(
                    path,
                    Code::MissingColumn,
                    "no area code column (code, geography code, mnemonic, LAD23CD, ...)",
                )
                .at(h.line, None)
                .field("code"),
            );
        }
        let mut missing: Vec<&String> = wanted
            .iter()
            .filter(|(k, _)| !found.contains_key(*k))
            .map(|(_, v)| v)
            .collect();
        missing.sort();
        for m in missing {
            problems.push(
                InputError::new(
                    path,
                    Code::UnknownArea,
                    format!("area '{m}' is not in the file for {}", opts.year),
                )
                .field("code"),
            );
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// `population.csv` (locality, year, age, count) for the rows, sorted by locality then age.
pub fn population_csv(rows: &[PopulationRow]) -> Vec<u8> {
    let mut sorted: Vec<&PopulationRow> = rows.iter().collect();
    sorted.sort_by(|a, b| (&a.locality, a.year, a.age).cmp(&(&b.locality, b.year, b.age)));
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["locality", "year", "age", "count"]);
    for r in sorted {
        let count = if r.count.fract() == 0.0 {
            format!("{:.0}", r.count)
        } else {
            format!("{:.3}", r.count)
        };
        let _ = w.write_record([
            &crate::csvcell::text_cell(&r.locality),
            &r.year.to_string(),
            &r.age.to_string(),
            &count,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// Total population by area over the imported ages, in code order (for reports and checks).
pub fn totals(rows: &[PopulationRow]) -> BTreeMap<String, f64> {
    let mut t = BTreeMap::new();
    for r in rows {
        *t.entry(r.locality.clone()).or_insert(0.0) += r.count;
    }
    t
}

/// The shared data folder of real public files, for the tests.
#[cfg(test)]
#[path = "../../../../tests/support/data.rs"]
mod test_data;

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(header_prefix: &str, rows: &[(&str, &str, f64)]) -> String {
        let mut t = header_prefix.to_string();
        for a in 0..=89 {
            t.push_str(&format!(",{a}"));
        }
        t.push_str(",90+\n");
        for (code, name, base) in rows {
            t.push_str(&format!("{code},{name},0"));
            for a in 0..=90 {
                t.push_str(&format!(",{}", base + a as f64));
            }
            t.push('\n');
        }
        t
    }

    #[test]
    fn reads_the_ons_layout_for_one_year_filtered_by_code() {
        let text = wide(
            "code,name,all",
            &[
                ("E08000015", "Wirral", 100.0),
                ("E06000001", "Hartlepool", 10.0),
            ],
        );
        let opts = OnsOptions {
            year: 2023,
            codes: vec!["e08000015".into()],
        };
        let rows = parse_population(Path::new("pop.csv"), &text, &opts).unwrap();
        assert_eq!(rows.len(), 26);
        assert!(rows
            .iter()
            .all(|r| r.locality == "E08000015" && r.year == 2023));
        assert_eq!(rows[0].name, "Wirral");
        assert_eq!((rows[0].age, rows[0].count), (0, 100.0));
        assert_eq!((rows[25].age, rows[25].count), (25, 125.0));
        let csv = String::from_utf8(population_csv(&rows)).unwrap();
        assert!(csv.starts_with("locality,year,age,count\nE08000015,2023,0,100\n"));
        assert_eq!(csv.lines().count(), 27);
    }

    #[test]
    fn reads_a_nomis_download_with_title_block_and_year_column() {
        let mut text = String::from(
            "\"Population estimates - local authority based by single year of age\"\n\
             \"ONS Crown Copyright Reserved\"\n\n",
        );
        text.push_str("Date,Geography,Geography code,Age under 1");
        for a in 1..=89 {
            text.push_str(&format!(",Age {a}"));
        }
        text.push_str(",Aged 90+\n");
        for (year, base) in [(2022, 1.0), (2023, 2.0)] {
            text.push_str(&format!("{year},Wirral,E08000015,\"1,000\""));
            for _ in 1..=90 {
                text.push_str(&format!(",{base}"));
            }
            text.push('\n');
        }
        text.push_str("\"Source: Nomis\"\n");
        let opts = OnsOptions {
            year: 2023,
            codes: vec![],
        };
        let rows = parse_population(Path::new("nomis.csv"), &text, &opts).unwrap();
        assert_eq!(rows.len(), 26);
        assert_eq!(rows[0].count, 1000.0);
        assert_eq!(rows[1].count, 2.0);
        assert_eq!(rows[0].name, "Wirral");
    }

    #[test]
    fn every_bad_cell_is_reported_with_line_and_column() {
        let mut text = wide("code,name,all", &[("E1", "A", 1.0), ("E2", "B", 1.0)]);
        // Line 2: age 3 (column 7) is text; line 3: age 0 (column 4) negative.
        text = text.replacen(",A,0,1,2,3,4,", ",A,0,1,2,3,x,", 1);
        text = text.replacen(",B,0,1,", ",B,0,-1,", 1);
        let repeated = text.lines().nth(1).unwrap().to_owned();
        text.push_str(&repeated);
        text.push('\n');
        let opts = OnsOptions {
            year: 2023,
            codes: vec!["E1".into(), "E2".into(), "E9".into()],
        };
        let err = parse_population(Path::new("p.csv"), &text, &opts).unwrap_err();
        let msgs: Vec<String> = err.iter().map(|e| e.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.starts_with("p.csv:2:7: E101 [3]")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("p.csv:3:4: E102 [0]")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.starts_with("p.csv:4:1: E205 [code]")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("E210") && m.contains("E9")),
            "{msgs:#?}"
        );
        assert_eq!(err.len(), 4, "{msgs:#?}");
    }

    #[test]
    fn missing_ages_are_reported() {
        let text = "code,name,0,1,2\nE1,A,1,2,3\n";
        let opts = OnsOptions {
            year: 2023,
            codes: vec![],
        };
        let err = parse_population(Path::new("p.csv"), text, &opts).unwrap_err();
        assert_eq!(err.len(), 23);
        assert!(err
            .iter()
            .all(|e| e.code == Code::MissingColumn && e.line == Some(1)));
    }

    #[test]
    fn headers_for_ages() {
        assert_eq!(age_of_header("0"), Some(0));
        assert_eq!(age_of_header("Age 17"), Some(17));
        assert_eq!(age_of_header("Aged 90+"), Some(90));
        assert_eq!(age_of_header("age_5"), Some(5));
        assert_eq!(age_of_header("Age under 1"), Some(0));
        assert_eq!(age_of_header("90 and over"), Some(90));
        assert_eq!(age_of_header("all"), None);
        assert_eq!(age_of_header("code"), None);
        assert_eq!(age_of_header("2023"), None);
    }

    /// The real ONS mid-year estimates file (shared/data), e.g. Wirral E08000015.
    #[test]
    fn real_ons_file_wirral() {
        let file = "ons/lad_population_by_single_year_age.csv";
        let Some(data) = super::test_data::shared_data(&[file]) else {
            return;
        };
        let path = data.join(file);
        let all = read_population(
            &path,
            &OnsOptions {
                year: 2023,
                codes: vec![],
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let t = totals(&all);
        assert_eq!(t.len(), 360, "every district of the file");
        let rows = read_population(
            &path,
            &OnsOptions {
                year: 2023,
                codes: vec!["E08000015".into()],
            },
        )
        .unwrap();
        assert_eq!(rows.len(), 26);
        assert_eq!(rows[0].name, "Wirral");
        // Values as published: age 0 2,924; age 25 3,516; ages 0-25 sum 90,464.
        assert_eq!(rows[0].count, 2924.0);
        assert_eq!(rows[25].count, 3516.0);
        let sum: f64 = rows.iter().map(|r| r.count).sum();
        assert_eq!(sum, 90_464.0);
    }
}
