//! ONS / Nomis population by single year of age -> `population.csv` rows.
//!
//! Two layouts, told apart by the header (names matched case-insensitively, after a
//! `--columns` map):
//! * **wide**, as ONS and Nomis publish for local authorities, wards, MSOAs and LSOAs: one row
//!   per area (and sex, and year), a code column, usually a name column, then one column per
//!   single year of age (`0` .. `89` and `90+`, or `Age 0`, `Aged 0`, `age_0`, `Age under 1`).
//! * **long**: one row per area, age (and sex, and year), with an `age` column and a value
//!   column (`value`, `count`, `population`, `obs_value`, `observation`).
//!
//! Sex: with a `sex` (or `gender`, `c_sex`) column, persons rows (`Persons`, `All persons`,
//! `All`, `Total`, `0`) are used where an area, year and age has one; otherwise males (`Males`,
//! `M`, `1`) and females (`Females`, `F`, `2`) are added up. Never all three, so no one is
//! counted twice; males without females (or the reverse) is E132.
//!
//! Years: a year column (`year`, `period`, `time_period`, `date`, `mid-year`, ...) gives each
//! row's year (the first four-digit year in the cell: `2019`, `mid-2019`, `30/06/2019`), and
//! a file may hold several; without one, the year in the file name (`..._mid2019.csv`), else the
//! year asked for. Title lines above the header (Nomis) and one-field footnotes below are
//! skipped.
//!
//! Only ages 0-25 are kept (placeplan's range); every one must be present. Each area becomes a
//! locality with the area code as its id.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::import::{find_header, norm, number_of, read_table, read_text, ColumnMap, Header};
use placeplan_model::domain::MAX_AGE;
use placeplan_model::error::{Code, InputError, Problems};

/// What to import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnsOptions {
    /// Keep only this mid-year when the file says which year each row is for; label the rows
    /// with it when it does not (and its name gives no year).
    pub year: Option<i32>,
    /// Area codes to keep (case-insensitive, e.g. `E08000015`); empty keeps every area. A code
    /// the file does not contain is an error.
    pub codes: Vec<String>,
    /// A council's own column names (`age=age_years`).
    pub columns: ColumnMap,
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

/// What a population file held, and how it was read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PopulationImport {
    /// Sorted by locality, year, age.
    pub rows: Vec<PopulationRow>,
    /// `wide` or `long`.
    pub layout: &'static str,
    /// Cells made by adding males and females (no persons row), and cells taken from persons
    /// rows in a file that has sex rows.
    pub summed_sexes: usize,
    pub persons_rows: usize,
    /// The year taken from the file name (no year column), if that is where it came from.
    pub year_from_name: Option<i32>,
}

impl PopulationImport {
    pub fn years(&self) -> BTreeSet<i32> {
        self.rows.iter().map(|r| r.year).collect()
    }
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
const YEAR_COLUMNS: [&str; 9] = [
    "year",
    "period",
    "time_period",
    "time period",
    "date",
    "mid-year",
    "mid_year",
    "mid year",
    "reference year",
];
const SEX_COLUMNS: [&str; 5] = ["sex", "gender", "c_sex", "sex (name)", "sex_name"];
const AGE_COLUMNS: [&str; 4] = ["age", "single year of age", "age_single", "c_age"];
const VALUE_COLUMNS: [&str; 7] = [
    "value",
    "count",
    "population",
    "obs_value",
    "observation",
    "persons",
    "number",
];

/// The single year of age a column header (or a long file's age cell) stands for: `0`,
/// `Age 0`, `Aged 0`, `age_0`, `Age under 1` (0), `90+` / `Aged 90+` (90, the open-ended top
/// group).
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

/// Whether a header row is a population table: wide (an age-0 column) or long (an age column
/// and a value column).
pub fn is_population_header(names: &[String]) -> bool {
    let has = |cands: &[&str]| names.iter().any(|n| cands.contains(&norm(n).as_str()));
    names.iter().any(|n| age_of_header(n) == Some(0)) || (has(&AGE_COLUMNS) && has(&VALUE_COLUMNS))
}

/// A code column: one of the known names, or a column whose name ends in `code` / `cd`
/// (e.g. `LAD23CD`, `LSOA21CD`, `LSOA Code`).
fn code_column(h: &Header) -> Option<String> {
    h.find(&CODE_COLUMNS).or_else(|| {
        h.names
            .iter()
            .find(|n| {
                let n = norm(n);
                n.ends_with("code") || (n.ends_with("cd") && n.len() <= 10)
            })
            .cloned()
    })
}

fn name_column(h: &Header) -> Option<String> {
    h.find(&NAME_COLUMNS).or_else(|| {
        h.names
            .iter()
            .find(|n| {
                let n = norm(n);
                n.ends_with(" name") || (n.ends_with("nm") && n.len() <= 10)
            })
            .cloned()
    })
}

/// The first plausible four-digit year (1990-2100) in a text: `2019`, `mid-2019`,
/// `30/06/2019`, `hfal_pop_mid2019.csv`.
pub fn year_in(t: &str) -> Option<i32> {
    t.split(|c: char| !c.is_ascii_digit())
        .filter(|p| p.len() == 4 || p.len() == 6)
        .filter_map(|p| p[..4].parse::<i32>().ok())
        .find(|y| (1990..=2100).contains(y))
}

/// Persons, males or females.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sex {
    Persons,
    Male,
    Female,
}

fn sex_of(t: &str) -> Option<Sex> {
    match norm(t).as_str() {
        "" | "persons" | "person" | "all persons" | "all" | "total" | "p" | "0" | "all people"
        | "people" => Some(Sex::Persons),
        "male" | "males" | "m" | "1" | "men" | "boys" => Some(Sex::Male),
        "female" | "females" | "f" | "2" | "women" | "girls" => Some(Sex::Female),
        _ => None,
    }
}

/// Reads a population file (every year it holds, or the one asked for). All problems are
/// returned together.
pub fn read_population(path: &Path, opts: &OnsOptions) -> Result<Vec<PopulationRow>, Problems> {
    read_population_file(path, opts).map(|p| p.rows)
}

/// [`read_population`], with how the file was read.
pub fn read_population_file(path: &Path, opts: &OnsOptions) -> Result<PopulationImport, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_population(path, &text, opts)
}

/// One (area, year, age): each sex's count and the line it came from.
#[derive(Default)]
struct Cell {
    persons: Option<(f64, u64)>,
    male: Option<(f64, u64)>,
    female: Option<(f64, u64)>,
}

/// Parses population text; `path` is used in messages and, without a year column, for the year.
pub fn parse_population(
    path: &Path,
    text: &str,
    opts: &OnsOptions,
) -> Result<PopulationImport, Problems> {
    let mut problems = Problems::default();
    if let Some(y) = opts.year {
        if !(1990..=2100).contains(&y) {
            problems.push(InputError::new(
                path,
                Code::YearOutOfRange,
                format!("year {y} is outside 1990-2100"),
            ));
            return Err(problems);
        }
    }
    let Some(table) = find_header(
        path,
        text.to_string(),
        &opts.columns,
        is_population_header,
        &mut problems,
    ) else {
        return Err(problems);
    };
    let h = table.header.clone();
    let wide = h.names.iter().any(|n| age_of_header(n) == Some(0));
    let mut out = PopulationImport {
        layout: if wide { "wide" } else { "long" },
        ..Default::default()
    };
    // Columns.
    let age_cols: Vec<(u8, String)> = if wide {
        let mut v: Vec<(u8, String)> = h
            .names
            .iter()
            .filter_map(|n| age_of_header(n).map(|a| (a, n.clone())))
            .filter(|(a, _)| *a <= MAX_AGE)
            .collect();
        v.sort();
        v.dedup_by_key(|x| x.0);
        for a in 0..=MAX_AGE {
            if !v.iter().any(|x| x.0 == a) {
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
        v
    } else {
        Vec::new()
    };
    let code_col = code_column(&h);
    if code_col.is_none() {
        problems.push(
            InputError::new(
                path,
                Code::MissingColumn,
                "no area code column (code, geography code, mnemonic, LAD23CD, LSOA Code, ...)",
            )
            .at(h.line, None)
            .field("code"),
        );
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    let code_col = code_col.unwrap_or_default();
    let name_col = name_column(&h).unwrap_or_default();
    let year_col = h.find(&YEAR_COLUMNS);
    let sex_col = h.find(&SEX_COLUMNS);
    let age_col = h.col(&AGE_COLUMNS);
    let value_col = h.col(&VALUE_COLUMNS);
    let name_year = path.file_name().and_then(|n| year_in(&n.to_string_lossy()));
    let fixed_year = match (&year_col, opts.year, name_year) {
        (Some(_), _, _) => None,
        (None, Some(y), _) => Some(y),
        (None, None, Some(y)) => {
            out.year_from_name = Some(y);
            Some(y)
        }
        (None, None, None) => {
            problems.push(
                InputError::new(
                    path,
                    Code::UnknownYear,
                    "the file has no year, period or date column and its name has no year",
                )
                .at(h.line, None),
            );
            return Err(problems);
        }
    };
    let wanted: HashMap<String, String> = opts
        .codes
        .iter()
        .map(|c| (c.trim().to_ascii_uppercase(), c.clone()))
        .collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut cells: BTreeMap<(String, i32, u8), Cell> = BTreeMap::new();
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut has_sex_rows = false;
    let mut seen_rows: HashMap<(String, i32, &str), u64> = HashMap::new();
    read_table(path, table, &mut problems, |row| {
        let year = match (&year_col, fixed_year) {
            (_, Some(y)) => y,
            (Some(yc), None) => {
                let t = row.text(yc).to_string();
                match year_in(&t) {
                    Some(y) if opts.year.is_none_or(|w| w == y) => y,
                    Some(_) => return,
                    None => {
                        row.problem(
                            yc,
                            Code::UnknownYear,
                            format!("expected a year such as 2023, found '{t}'"),
                        );
                        return;
                    }
                }
            }
            (None, None) => return,
        };
        let code = row.text(&code_col).to_string();
        if code.is_empty() {
            row.problem(&code_col, Code::Empty, "the area code is empty".into());
            return;
        }
        let key = code.to_ascii_uppercase();
        if !wanted.is_empty() && !wanted.contains_key(&key) {
            return;
        }
        let sex = match &sex_col {
            None => Sex::Persons,
            Some(sc) => match sex_of(row.text(sc)) {
                Some(s) => s,
                None => {
                    let t = row.text(sc).to_string();
                    row.problem(sc, Code::UnknownSex, format!("unknown sex '{t}'"));
                    return;
                }
            },
        };
        found.insert(key.clone());
        if wide {
            let what = match sex {
                Sex::Persons => "persons",
                Sex::Male => "males",
                Sex::Female => "females",
            };
            if let Some(first) = seen_rows.insert((key.clone(), year, what), row.line) {
                row.problem(
                    &code_col,
                    Code::DuplicateRow,
                    format!("{what} of area '{code}' in {year} already given on line {first}"),
                );
                return;
            }
        }
        let mut values: Vec<(u8, f64, String)> = Vec::new();
        if wide {
            for (age, col) in &age_cols {
                match number_of(row, col) {
                    Some(v) if v < 0.0 => row.problem(
                        col,
                        Code::Negative,
                        format!("population must be zero or more, found {v}"),
                    ),
                    Some(v) => values.push((*age, v, col.clone())),
                    None if row.text(col).is_empty() => row.problem(
                        col,
                        Code::Empty,
                        format!("population at age {age} is empty"),
                    ),
                    None => {}
                }
            }
        } else {
            let t = row.text(&age_col).to_string();
            let Some(age) = age_of_header(&t) else {
                row.problem(
                    &age_col,
                    Code::NotAnInteger,
                    format!("expected a single year of age such as 7 or 90+, found '{t}'"),
                );
                return;
            };
            if age > MAX_AGE {
                return;
            }
            match number_of(row, &value_col) {
                Some(v) if v < 0.0 => row.problem(
                    &value_col,
                    Code::Negative,
                    format!("population must be zero or more, found {v}"),
                ),
                Some(v) => values.push((age, v, value_col.clone())),
                None if row.text(&value_col).is_empty() => {
                    row.problem(&value_col, Code::Empty, "the population is empty".into())
                }
                None => {}
            }
        }
        if !row.ok {
            return;
        }
        if sex != Sex::Persons {
            has_sex_rows = true;
        }
        if !name_col.is_empty() {
            names
                .entry(key.clone())
                .or_insert_with(|| row.text(&name_col).to_string());
        }
        for (age, v, col) in values {
            let cell = cells.entry((code.clone(), year, age)).or_default();
            let slot = match sex {
                Sex::Persons => &mut cell.persons,
                Sex::Male => &mut cell.male,
                Sex::Female => &mut cell.female,
            };
            if let Some((_, first)) = slot {
                let what = match sex {
                    Sex::Persons => "persons",
                    Sex::Male => "males",
                    Sex::Female => "females",
                };
                let first = *first;
                row.problem(
                    &col,
                    Code::DuplicateRow,
                    format!("{what} of area '{code}' in {year} at age {age} already given on line {first}"),
                );
                return;
            }
            *slot = Some((v, row.line));
        }
    });
    for ((code, year, age), cell) in &cells {
        let count = match (cell.persons, cell.male, cell.female) {
            (Some((p, _)), _, _) => {
                if has_sex_rows {
                    out.persons_rows += 1;
                }
                p
            }
            (None, Some((m, _)), Some((f, _))) => {
                out.summed_sexes += 1;
                m + f
            }
            (None, Some((_, line)), None) | (None, None, Some((_, line))) => {
                let (has, lacks) = if cell.male.is_some() {
                    ("males", "females")
                } else {
                    ("females", "males")
                };
                problems.push(
                    InputError::new(
                        path,
                        Code::UnknownSex,
                        format!(
                            "area '{code}' in {year} at age {age} has {has} but no {lacks} and no persons row"
                        ),
                    )
                    .at(line, None),
                );
                continue;
            }
            (None, None, None) => continue,
        };
        out.rows.push(PopulationRow {
            locality: code.clone(),
            name: names
                .get(&code.to_ascii_uppercase())
                .cloned()
                .unwrap_or_default(),
            year: *year,
            age: *age,
            count,
        });
    }
    // Every area and year needs every age 0-25 (a long file may lack some).
    if !wide {
        let mut ages: BTreeMap<(&str, i32), usize> = BTreeMap::new();
        for r in &out.rows {
            *ages.entry((&r.locality, r.year)).or_default() += 1;
        }
        for ((code, year), n) in ages {
            if n != MAX_AGE as usize + 1 {
                problems.push(
                    InputError::new(
                        path,
                        Code::MissingPopulation,
                        format!(
                            "area '{code}' in {year} has {n} of the {} single years of age 0-{MAX_AGE}",
                            MAX_AGE + 1
                        ),
                    )
                    .field(age_col.clone()),
                );
            }
        }
    }
    let mut missing: Vec<&String> = wanted
        .iter()
        .filter(|(k, _)| !found.contains(*k))
        .map(|(_, v)| v)
        .collect();
    missing.sort();
    for m in missing {
        let when = opts.year.map_or(String::new(), |y| format!(" for {y}"));
        problems.push(
            InputError::new(
                path,
                Code::UnknownArea,
                format!("area '{m}' is not in the file{when}"),
            )
            .field(code_col.clone()),
        );
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

#[cfg(test)]
use crate::import::test_data;

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
            year: Some(2023),
            codes: vec!["e08000015".into()],
            ..Default::default()
        };
        let rows = parse_population(Path::new("pop.csv"), &text, &opts)
            .unwrap()
            .rows;
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
            year: Some(2023),
            codes: vec![],
            ..Default::default()
        };
        let rows = parse_population(Path::new("nomis.csv"), &text, &opts)
            .unwrap()
            .rows;
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
            year: Some(2023),
            codes: vec!["E1".into(), "E2".into(), "E9".into()],
            ..Default::default()
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
            year: Some(2023),
            codes: vec![],
            ..Default::default()
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
                year: Some(2023),
                codes: vec![],
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let t = totals(&all);
        assert_eq!(t.len(), 360, "every district of the file");
        let rows = read_population(
            &path,
            &OnsOptions {
                year: Some(2023),
                codes: vec!["E08000015".into()],
                ..Default::default()
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
