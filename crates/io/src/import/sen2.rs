//! Reader for the DfE "Education, health and care plans" (SEN2) underlying data files:
//! `sen2_age_caseload.csv` (statements + EHC plans each January, by geography and age band) and
//! `sen2_age_new_plans.csv` (new plans in each calendar year, by age band).
//!
//! * Only `Local authority` rows are kept; `National` and `Regional` rows (and the other DfE
//!   geographic levels) are recognised and skipped; an unknown level is an error (E121), so a
//!   typo cannot silently drop an authority.
//! * Suppressed or unavailable cells (`x` not available, `c` confidential, `z` not applicable,
//!   `u`, `low`, `:`, `~` and blank) are kept as missing (`None`), never as zero.
//! * Authorities are keyed by `old_la_code` (e.g. 390 Gateshead), which the DfE keeps when the
//!   nine-character ONS code changes without a boundary change (Gateshead E08000020 -> E08000037
//!   in 2014, Northumberland E06000048 -> E06000057, Buckinghamshire E10000002 -> E06000060 in
//!   2021). A boundary change gets a new old code (Dorset 835 -> 838, BCP 839 from 2019,
//!   North/West Northamptonshire 940/941 from 2021), so merged or split authorities are separate
//!   series and their histories stop or start: nothing is spliced.
//! * Every bad row is reported with file:line:column, field and a stable code; reading goes on so
//!   that all problems of a file are reported at once.

use std::collections::BTreeMap;
use std::path::Path;

use std::io::Read;

use crate::csvread::{read_csv, Row};
use placeplan_model::domain::ProvisionKind;
use placeplan_model::error::{Code, Problems};

/// The DfE age bands, in order: 0-4, 5-10, 11-15, 16-19, 20-25.
pub const BANDS: [&str; 5] = ["0-4", "5-10", "11-15", "16-19", "20-25"];
/// Width of each band in years of age.
pub const BAND_WIDTH: [u32; 5] = [5, 6, 5, 4, 6];
/// The `characteristic_age` labels the DfE uses for [`BANDS`].
pub const DFE_BAND_LABELS: [&str; 5] = [
    "Under 5",
    "Age 5 to 10",
    "Age 11 to 15",
    "Age 16 to 19",
    "Age 20 to 25",
];

/// Cell values that mean "no figure" in DfE files (compared case-insensitively).
pub const SUPPRESSED: [&str; 7] = ["x", "c", "z", "u", "low", ":", "~"];

/// Geographic levels used in DfE underlying data (only `Local authority` is kept).
const KNOWN_LEVELS: [&str; 16] = [
    "national",
    "regional",
    "local authority",
    "local authority district",
    "parliamentary constituency",
    "local skills improvement plan area",
    "local enterprise partnership",
    "english devolved area",
    "opportunity area",
    "mayoral combined authority",
    "ward",
    "mat",
    "sponsor",
    "school",
    "provider",
    "institution",
];

/// One local authority's SEN2 history. Values are counts of plans (statements + EHC plans);
/// `None` is a suppressed, unavailable or absent cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sen2Series {
    /// The authority's current nine-character code (the newest year's `new_la_code`).
    pub la_code: String,
    /// The DfE three-digit code (stable through code-only changes).
    pub old_la_code: String,
    /// The newest year's name.
    pub name: String,
    /// Earlier nine-character codes of the same authority (same old code), oldest first.
    pub former_codes: Vec<String>,
    /// Plans each January by band [`BANDS`]. Before 2015 the DfE has no 20-25 rows (statements
    /// ended at 19), so that band is `None` there.
    pub caseload: BTreeMap<i32, [Option<f64>; 5]>,
    /// The DfE `Total` row each January.
    pub caseload_total: BTreeMap<i32, Option<f64>>,
    /// New plans made in each calendar year (they are in the caseload of the next January).
    pub new_plans: BTreeMap<i32, [Option<f64>; 5]>,
    /// The DfE `Total` row of new plans each calendar year.
    pub new_plans_total: BTreeMap<i32, Option<f64>>,
    /// Plans each January by placement, in [`ProvisionKind::ALL`] order, where the file gives
    /// placements (the current layout's placement columns, or `sen2_estab_caseload.csv`).
    pub placements: BTreeMap<i32, [f64; 6]>,
}

impl Sen2Series {
    /// Total plans in January `year`: the DfE total, else the sum of the bands when bands 0-19 are
    /// all present (a missing 20-25 band counts as none before 2015 only).
    pub fn total(&self, year: i32) -> Option<f64> {
        total_of(
            self.caseload_total.get(&year).copied().flatten(),
            self.caseload.get(&year),
            year,
        )
    }

    /// Total new plans made in calendar `year`, on the same rule as [`Sen2Series::total`].
    pub fn new_total(&self, year: i32) -> Option<f64> {
        total_of(
            self.new_plans_total.get(&year).copied().flatten(),
            self.new_plans.get(&year),
            year + 1,
        )
    }

    /// Plans in January `year` in band `b` (index into [`BANDS`]).
    pub fn band(&self, year: i32, b: usize) -> Option<f64> {
        self.caseload
            .get(&year)
            .and_then(|r| r.get(b).copied().flatten())
    }

    /// New plans made in calendar `year` in band `b`.
    pub fn new_band(&self, year: i32, b: usize) -> Option<f64> {
        self.new_plans
            .get(&year)
            .and_then(|r| r.get(b).copied().flatten())
    }

    /// First and last January with a total.
    pub fn years(&self) -> Option<(i32, i32)> {
        let ys: Vec<i32> = self
            .caseload
            .keys()
            .chain(self.caseload_total.keys())
            .copied()
            .filter(|&y| self.total(y).is_some())
            .collect();
        Some((*ys.iter().min()?, *ys.iter().max()?))
    }

    /// True when `code` names this authority: its current or a former nine-character code, its
    /// three-digit code, or its name (case-insensitive).
    pub fn matches(&self, code: &str) -> bool {
        let c = code.trim();
        self.la_code.eq_ignore_ascii_case(c)
            || self.old_la_code == c
            || self.name.eq_ignore_ascii_case(c)
            || self.former_codes.iter().any(|f| f.eq_ignore_ascii_case(c))
    }
}

/// The series as one tidy CSV text: `la_code,old_la_code,name,measure,year,age_group,count`, with
/// `measure` = `caseload` (January) or `new_plans` (calendar year) and an empty count for a
/// suppressed or absent cell. Rows are in code, measure, year, band order.
pub fn to_tidy_csv(series: &[Sen2Series]) -> String {
    let mut out = String::from("la_code,old_la_code,name,measure,year,age_group,count\n");
    let quote = |t: &str| {
        let t = crate::csvcell::text_cell(t);
        if t.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t
        }
    };
    for s in series {
        let name = quote(&s.name);
        let (la_code, old_la_code) = (quote(&s.la_code), quote(&s.old_la_code));
        for (measure, bands, totals) in [
            ("caseload", &s.caseload, &s.caseload_total),
            ("new_plans", &s.new_plans, &s.new_plans_total),
        ] {
            let years: std::collections::BTreeSet<i32> =
                bands.keys().chain(totals.keys()).copied().collect();
            for y in years {
                let row = bands.get(&y).copied().unwrap_or([None; 5]);
                let cells = row
                    .iter()
                    .zip(BANDS)
                    .map(|(v, b)| (b, *v))
                    .chain([("total", totals.get(&y).copied().flatten())]);
                for (band, v) in cells {
                    out.push_str(&format!(
                        "{la_code},{old_la_code},{name},{measure},{y},{band},{}\n",
                        v.map_or(String::new(), |v| v.to_string())
                    ));
                }
            }
        }
    }
    out
}

/// A short plain-text account of what was read: authorities, years, missing cells, code
/// changes and the series that start or stop (boundary changes).
pub fn summary(series: &[Sen2Series]) -> String {
    let years = |f: &dyn Fn(&Sen2Series) -> Vec<i32>| {
        let all: Vec<i32> = series.iter().flat_map(f).collect();
        match (all.iter().min(), all.iter().max()) {
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => "none".to_string(),
        }
    };
    let case_years = years(&|s: &Sen2Series| s.caseload.keys().copied().collect());
    let new_years = years(&|s: &Sen2Series| s.new_plans.keys().copied().collect());
    // Cells of the 20-25 band before the reforms (no DfE rows) are counted apart.
    let (mut missing, mut pre_reform) = (0usize, 0usize);
    for s in series {
        for (first_reform_year, rows) in [(2015, &s.caseload), (2014, &s.new_plans)] {
            for (y, r) in rows {
                for (b, v) in r.iter().enumerate() {
                    if v.is_none() {
                        if b == 4 && *y < first_reform_year {
                            pre_reform += 1;
                        } else {
                            missing += 1;
                        }
                    }
                }
            }
        }
    }
    let mut out = format!(
        "{} local authorities; caseload Januarys {case_years}; new plans calendar years {new_years}; {missing} band cells suppressed or missing, besides {pre_reform} cells of the 20-25 band before the 2014 reforms (no rows)\n",
        series.len()
    );
    let last = series.iter().filter_map(|s| s.years()).map(|y| y.1).max();
    let first = series.iter().filter_map(|s| s.years()).map(|y| y.0).min();
    for s in series {
        if !s.former_codes.is_empty() {
            out.push_str(&format!(
                "code change: {} ({}) was {}\n",
                s.name,
                s.la_code,
                s.former_codes.join(", ")
            ));
        }
        if let Some((a, b)) = s.years() {
            if Some(a) != first || Some(b) != last {
                out.push_str(&format!(
                    "partial series (boundary change): {} ({}, DfE {}) January {a}-{b}\n",
                    s.name, s.la_code, s.old_la_code
                ));
            }
        }
    }
    out
}

fn total_of(total: Option<f64>, bands: Option<&[Option<f64>; 5]>, january: i32) -> Option<f64> {
    if total.is_some() {
        return total;
    }
    let b = bands?;
    let mut sum = 0.0;
    for (i, v) in b.iter().enumerate() {
        match v {
            Some(v) => sum += v,
            // Plans for 20-25 year olds began with the 2014 reforms (first January: 2015).
            None if i == 4 && january < 2015 => {}
            None => return None,
        }
    }
    Some(sum)
}

/// Which SEN2 file a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `sen2_age_caseload.csv` (2022 release and earlier): plans each January by age band.
    Caseload,
    /// `sen2_age_new_plans.csv`: new plans each calendar year by age band.
    NewPlans,
    /// `sen2_estab_caseload.csv`: plans each January by establishment type.
    Establishments,
    /// The current (2023 on) `caseload.csv`: `time_period` 202425, `breakdown_topic`,
    /// `breakdown`, `ehcplans` and one column per placement.
    Current,
}

impl Kind {
    fn value_column(self) -> &'static str {
        match self {
            Kind::Caseload | Kind::Establishments => "total_all",
            Kind::NewPlans => "total_new_all",
            Kind::Current => "ehcplans",
        }
    }

    /// The kind of SEN2 file a header (names in any case) is, if it is one placeplan reads.
    pub fn of_header(names: &[String]) -> Option<Kind> {
        let has = |n: &str| names.iter().any(|h| h.trim().eq_ignore_ascii_case(n));
        if !has("time_period") || !has("geographic_level") {
            return None;
        }
        if has("breakdown_topic") && has("breakdown") && has("ehcplans") {
            Some(Kind::Current)
        } else if has("characteristic_age") && has("total_new_all") {
            Some(Kind::NewPlans)
        } else if has("characteristic_age") && has("total_all") {
            Some(Kind::Caseload)
        } else if has("establishment_type") && has("total_all") {
            Some(Kind::Establishments)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Caseload => "DfE SEN2 caseload by age band (2022 layout)",
            Kind::NewPlans => "DfE SEN2 new plans by age band (2022 layout)",
            Kind::Establishments => "DfE SEN2 caseload by establishment type (2022 layout)",
            Kind::Current => "DfE EHC plans caseload (current layout)",
        }
    }
}

#[derive(Default)]
struct Builder {
    /// year -> (new code, name), from both files.
    ids: BTreeMap<i32, (String, String)>,
    series: Sen2Series,
}

/// The header of a CSV file (first line, byte-order mark dropped), or `None` when it cannot
/// be read (the reader then reports why).
pub fn header_of(path: &Path) -> Option<Vec<String>> {
    use std::io::BufRead;
    let f = crate::csvread::open_input(path, crate::csvread::MAX_FILE_BYTES).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(f.take(1 << 20))
        .read_line(&mut line)
        .ok()?;
    let line = line.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let rec = rdr.records().next()?.ok()?;
    Some(rec.iter().map(|h| h.trim().to_string()).collect())
}

/// Reads the SEN2 caseload file (either layout, or the caseload by establishment type) and,
/// optionally, the new-plans file; returns every local authority, sorted by current code. All
/// problems in both files are reported at once.
pub fn read_sen2(caseload: &Path, new_plans: Option<&Path>) -> Result<Vec<Sen2Series>, Problems> {
    let kind = header_of(caseload)
        .and_then(|h| Kind::of_header(&h))
        .unwrap_or(Kind::Caseload);
    let mut files = vec![(caseload.to_path_buf(), kind)];
    if let Some(p) = new_plans {
        files.push((p.to_path_buf(), Kind::NewPlans));
    }
    read_sen2_files(&files)
}

/// Reads SEN2 files of any kind into one series per local authority.
pub fn read_sen2_files(files: &[(std::path::PathBuf, Kind)]) -> Result<Vec<Sen2Series>, Problems> {
    let mut problems = Problems::default();
    let mut las: BTreeMap<String, Builder> = BTreeMap::new();
    for (path, kind) in files {
        read_one(path, *kind, &mut las, &mut problems);
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    let mut out: Vec<Sen2Series> = las
        .into_iter()
        .map(|(key, b)| {
            let mut s = b.series;
            s.old_la_code = if key.starts_with('#') {
                String::new()
            } else {
                key
            };
            if let Some((code, name)) = b.ids.values().next_back() {
                s.la_code = code.clone();
                s.name = name.clone();
            }
            for (code, _) in b.ids.values() {
                if *code != s.la_code && !s.former_codes.contains(code) {
                    s.former_codes.push(code.clone());
                }
            }
            s
        })
        .collect();
    out.sort_by(|a, b| (&a.la_code, &a.old_la_code).cmp(&(&b.la_code, &b.old_la_code)));
    Ok(out)
}

fn read_one(path: &Path, kind: Kind, las: &mut BTreeMap<String, Builder>, problems: &mut Problems) {
    let value_col = kind.value_column();
    let by = match kind {
        Kind::Caseload | Kind::NewPlans => "characteristic_age",
        Kind::Establishments => "establishment_type",
        Kind::Current => "breakdown",
    };
    let mut required = vec![
        "time_period",
        "geographic_level",
        "old_la_code",
        "new_la_code",
        "la_name",
        by,
        value_col,
    ];
    if kind == Kind::Current {
        required.push("breakdown_topic");
    }
    // (key, year, band or 5 for Total, or the breakdown) -> first line, to report repeats.
    let mut seen: BTreeMap<(String, i32, String), u64> = BTreeMap::new();
    read_csv(path, &required, problems, |row| {
        let level = row.text("geographic_level").to_ascii_lowercase();
        if level.is_empty() {
            row.problem(
                "geographic_level",
                Code::Empty,
                "'geographic_level' is empty".into(),
            );
            return;
        }
        if !KNOWN_LEVELS.contains(&level.as_str()) {
            let t = row.text("geographic_level").to_string();
            row.problem(
                "geographic_level",
                Code::UnknownGeographicLevel,
                format!("unknown geographic level '{t}'"),
            );
            return;
        }
        if level != "local authority" {
            return;
        }
        let year = january(row);
        // What the row counts: an age band (5 = all plans), or a placement.
        let what = match kind {
            Kind::Caseload | Kind::NewPlans => age_band(row, "characteristic_age").map(Some),
            Kind::Current => {
                let topic = row.text("breakdown_topic").to_ascii_lowercase();
                if topic == "all ehc plans" || topic == "total" {
                    Some(Some(5))
                } else if topic.contains("age") && !topic.contains("start") {
                    age_band(row, "breakdown").map(Some)
                } else {
                    // Sex, ethnicity, years in place, age when the plan started: not used.
                    return;
                }
            }
            Kind::Establishments => Some(None),
        };
        let ids = la_ids(row);
        let value = count_cell(row, value_col);
        let (Some(year), Some(what), Some((key, new_code, name)), Some(value)) =
            (year, what, ids, value)
        else {
            return;
        };
        let label = match what {
            Some(b) => b.to_string(),
            None => format!(
                "{}|{}",
                row.text(by).to_ascii_lowercase(),
                row.text("establishment_group").to_ascii_lowercase()
            ),
        };
        if let Some(first) = seen.insert((key.clone(), year, label), row.line) {
            row.problem(
                by,
                Code::DuplicateRow,
                format!(
                    "{} {year} '{}' repeats line {first}",
                    if name.is_empty() { &key } else { &name },
                    row.text(by)
                ),
            );
            return;
        }
        let b = las.entry(key).or_default();
        if kind != Kind::NewPlans || !b.ids.contains_key(&year) {
            // Caseload names win; new-plans years are calendar years (one earlier).
            b.ids.insert(year, (new_code, name));
        }
        let s = &mut b.series;
        if kind == Kind::Establishments {
            let t = row.text("establishment_type").to_ascii_lowercase();
            let group = row.text("establishment_group").to_ascii_lowercase();
            if t != "total" {
                if let Some(p) = provision_of(&t, &group) {
                    s.placements.entry(year).or_insert([0.0; 6])[p as usize] +=
                        value.unwrap_or(0.0);
                }
            }
            return;
        }
        if kind == Kind::Current && what == Some(5) {
            if let Some(p) = current_placements(row, value) {
                s.placements.insert(year, p);
            }
        }
        let (bands, totals) = match kind {
            Kind::NewPlans => (&mut s.new_plans, &mut s.new_plans_total),
            _ => (&mut s.caseload, &mut s.caseload_total),
        };
        match what {
            Some(5) => {
                totals.insert(year, value);
            }
            Some(band) => bands.entry(year).or_insert([None; 5])[band] = value,
            None => {}
        }
    });
}

/// The January a row counts: `time_period` 2022 (calendar year, 2022 release) or 202122
/// (academic year, current layout: the caseload as at January of the second year).
fn january(row: &mut Row) -> Option<i32> {
    let t = row.text("time_period").to_string();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let first: i32 = t[..4].parse().ok()?;
        let second: i32 = t[4..].parse().ok()?;
        if (first + 1) % 100 == second && (1990..2100).contains(&first) {
            return Some(first + 1);
        }
        row.problem(
            "time_period",
            Code::YearOutOfRange,
            format!("time_period '{t}' is not an academic year such as 202425"),
        );
        return None;
    }
    row.year("time_period")
}

/// Which placement an establishment type of `sen2_estab_caseload.csv` is.
fn provision_of(t: &str, group: &str) -> Option<ProvisionKind> {
    use ProvisionKind::*;
    Some(
        if group == "further education" || t.starts_with("specialist post-16") {
            FurtherEducation
        } else if t.contains("sen unit") || t.contains("resourced") {
            ResourcedBase
        } else if t.starts_with("mainstream") {
            Mainstream
        } else if t.starts_with("special - non-maintained")
            || t.starts_with("special - independent")
        {
            Independent
        } else if t.starts_with("special") || t.starts_with("hospital") {
            Special
        } else {
            Other
        },
    )
}

/// Plans by placement from the current layout's placement columns ([`ProvisionKind::ALL`]
/// order): resourced provision and SEN units of each mainstream kind; the rest of mainstream;
/// independent and non-maintained special; the rest of special; FE; and everything else
/// (alternative provision, elective home education, NEET, early years, ...) as the plans not in
/// those totals. `None` when a total the split needs is suppressed.
fn current_placements(row: &Row, plans: Option<f64>) -> Option<[f64; 6]> {
    let v = |c: &str| crate::import::parse_number(row.text(c)).unwrap_or(0.0);
    let total = |c: &str| crate::import::parse_number(row.text(c));
    let rb: f64 = ["la_maintained", "academy", "free_school"]
        .iter()
        .map(|k| {
            v(&format!("mainstream_{k}_resourced_provision"))
                + v(&format!("mainstream_{k}_senunit"))
        })
        .sum();
    let mainstream = total("mainstream_total")?;
    let special = total("special_total")?;
    let fe = total("fe_total")?;
    let independent = v("special_independent") + v("special_non_maintained");
    let plans = plans?;
    let other = (plans - mainstream - special - fe).max(0.0);
    Some([
        (mainstream - rb).max(0.0),
        rb,
        (special - independent).max(0.0),
        independent,
        fe,
        other,
    ])
}

/// Index of the age band (5 for `Total`), recording E120 for anything else. Takes the DfE
/// labels (`Under 5`, `Age 5 to 10`, ...) and their variants (`Under age 5`, `Aged 5 to 10`,
/// `5 to 10`, `0 to 4`, `20 and over`).
fn age_band(row: &mut Row, field: &str) -> Option<usize> {
    let t = row.required(field)?;
    let norm = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if norm.eq_ignore_ascii_case("total") || norm.eq_ignore_ascii_case("all ehc plans") {
        return Some(5);
    }
    if let Some(i) = DFE_BAND_LABELS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(&norm))
    {
        return Some(i);
    }
    let nums: Vec<u32> = norm
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    let under = norm.to_ascii_lowercase().contains("under");
    let band = match nums.as_slice() {
        [5] if under => Some(0),
        [0, 4] => Some(0),
        [5, 10] => Some(1),
        [11, 15] => Some(2),
        [16, 19] => Some(3),
        [20, 25] | [20] => Some(4),
        _ => None,
    };
    if band.is_none() {
        row.problem(
            field,
            Code::UnknownAgeBand,
            format!("unknown age band '{t}'"),
        );
    }
    band
}

/// (key, new code, name): the key is the old code, or `#` + new code when the old one is blank.
fn la_ids(row: &mut Row) -> Option<(String, String, String)> {
    let old = row.text("old_la_code").to_string();
    let new = row.text("new_la_code").to_string();
    let name = row.text("la_name").to_string();
    let mut good = true;
    let old_ok = old.len() == 3 && old.bytes().all(|b| b.is_ascii_digit());
    if !old.is_empty() && !old_ok {
        row.problem(
            "old_la_code",
            Code::BadAreaCode,
            format!("old_la_code must be three digits such as 344, found '{old}'"),
        );
        good = false;
    }
    let new_ok = new.len() == 9
        && new.as_bytes()[0].is_ascii_uppercase()
        && new.bytes().skip(1).all(|b| b.is_ascii_digit());
    if !new.is_empty() && !new_ok {
        row.problem(
            "new_la_code",
            Code::BadAreaCode,
            format!(
                "new_la_code must be a letter and eight digits such as E08000015, found '{new}'"
            ),
        );
        good = false;
    }
    if old.is_empty() && new.is_empty() {
        row.problem(
            "new_la_code",
            Code::Empty,
            "a local authority row needs old_la_code or new_la_code".into(),
        );
        good = false;
    }
    if !good {
        return None;
    }
    let key = if old.is_empty() {
        format!("#{new}")
    } else {
        old
    };
    Some((key, new, name))
}

/// A count cell: `Some(None)` for a suppressed or blank cell, `Some(Some(v))` for a number >= 0,
/// `None` (problem recorded) otherwise.
fn count_cell(row: &mut Row, field: &str) -> Option<Option<f64>> {
    let t = row.text(field);
    if t.is_empty() || SUPPRESSED.iter().any(|s| s.eq_ignore_ascii_case(t)) {
        return Some(None);
    }
    row.non_negative(field).map(Some)
}

#[cfg(test)]
use crate::import::test_data;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The DfE's current layout (Wirral rows of the 2025 release, January 2019-2022) and the
    /// 2022 release's caseload by establishment type agree on the totals, and both give the
    /// placements.
    #[test]
    fn real_current_layout_and_establishment_file_wirral() {
        let current = "wirral-public/dfe-ehcp-2025/caseload_wirral_upto_202122.csv";
        let estab = "dfe-sen2-2022/sen2_estab_caseload.csv";
        let Some(data) = test_data::shared_data(&[current, estab]) else {
            return;
        };
        let names = header_of(&data.join(current)).unwrap();
        assert_eq!(Kind::of_header(&names), Some(Kind::Current));
        let s = read_sen2(&data.join(current), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 1);
        let w = &s[0];
        assert_eq!(
            (w.la_code.as_str(), w.old_la_code.as_str()),
            ("E08000015", "344")
        );
        let totals: Vec<_> = (2019..=2022).map(|y| w.total(y)).collect();
        assert_eq!(
            totals,
            [Some(2121.0), Some(2728.0), Some(3053.0), Some(3291.0)]
        );
        // January 2019: mainstream 600 of which 194 in resourced provision or SEN units;
        // special 1160 of which 103 independent or non-maintained; FE 340; 21 elsewhere.
        assert_eq!(
            w.placements[&2019],
            [406.0, 194.0, 1057.0, 103.0, 340.0, 21.0]
        );

        let s = read_sen2(&data.join(estab), None).unwrap_or_else(|e| panic!("{e}"));
        let w = s.iter().find(|s| s.old_la_code == "344").unwrap();
        // January 2022 by establishment type (Total 3291).
        let p = w.placements[&2022];
        assert_eq!(p.iter().sum::<f64>(), 3291.0);
        assert_eq!(p, [643.0, 133.0, 1221.0, 107.0, 452.0, 735.0]);
    }

    const HEADER: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic_age,Total_st,Total_st_pc,Total_ehc,Total_ehc_pc,Total_all,Total_all_pc";
    const NEW_HEADER: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic_age,Total_new_st,Total_new_st_pc,Total_new_ehc,Total_new_ehc_pc,Total_new_all,Total_new_all_pc";

    fn row(year: i32, level: &str, old: &str, new: &str, name: &str, age: &str, v: &str) -> String {
        format!("{year},Calendar year,{level},E92000001,England,\"\",\"\",{old},{new},{name},{age},z,z,{v},100,{v},100")
    }

    fn write(dir: &Path, name: &str, header: &str, rows: &[String]) -> std::path::PathBuf {
        let p = dir.join(name);
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "{header}").unwrap();
        for r in rows {
            writeln!(f, "{r}").unwrap();
        }
        p
    }

    fn full_year(year: i32, old: &str, new: &str, name: &str, vals: [&str; 6]) -> Vec<String> {
        let mut out = vec![row(
            year,
            "Local authority",
            old,
            new,
            name,
            "Total",
            vals[5],
        )];
        for (i, l) in DFE_BAND_LABELS.iter().enumerate() {
            out.push(row(year, "Local authority", old, new, name, l, vals[i]));
        }
        out
    }

    #[test]
    fn reads_las_skips_national_and_keeps_suppressed_cells_missing() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![row(2016, "National", "", "", "", "Total", "256315")];
        rows.push(row(2016, "Regional", "", "", "", "Total", "1000"));
        rows.extend(full_year(
            2016,
            "344",
            "E08000015",
            "Wirral",
            ["100", "x", "300", "c", "z", "1000"],
        ));
        rows.extend(full_year(
            2017,
            "344",
            "E08000015",
            "Wirral",
            ["110", "210", "", "410", "20", "1050"],
        ));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let s = read_sen2(&p, None).unwrap();
        assert_eq!(s.len(), 1);
        let w = &s[0];
        assert_eq!(
            (w.la_code.as_str(), w.old_la_code.as_str(), w.name.as_str()),
            ("E08000015", "344", "Wirral")
        );
        assert_eq!(
            w.caseload[&2016],
            [Some(100.0), None, Some(300.0), None, None]
        );
        assert_eq!(w.caseload[&2017][2], None, "blank cell is missing");
        assert_eq!(w.total(2016), Some(1000.0));
        assert_eq!(w.band(2017, 4), Some(20.0));
        assert!(w.new_plans.is_empty());
    }

    #[test]
    fn bad_numbers_are_reported_with_line_column_field_and_code() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = full_year(
            2016,
            "344",
            "E08000015",
            "Wirral",
            ["1,0", "-5", "3", "4", "5", "12"],
        );
        // line 8: unknown band; line 9: unknown level; line 10: bad codes
        rows.push(row(
            2016,
            "Local authority",
            "344",
            "E08000015",
            "Wirral",
            "Age 26 to 30",
            "1",
        ));
        rows.push(row(
            2016,
            "Local authorty",
            "344",
            "E08000015",
            "Wirral",
            "Total",
            "1",
        ));
        rows.push(row(
            2017,
            "Local authority",
            "34",
            "E0800001",
            "Wirral",
            "Total",
            "1",
        ));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        let got: Vec<(u64, Option<u64>, Code, Option<String>)> = err
            .iter()
            .map(|e| (e.line.unwrap(), e.column, e.code, e.field.clone()))
            .collect();
        // "1,0" is quoted? No: unquoted it splits the row, so line 3 has too many fields.
        assert_eq!(got[0].0, 3);
        assert_eq!(got[0].2, Code::MalformedRecord);
        assert_eq!(
            got[1],
            (4, Some(16), Code::Negative, Some("total_all".into()))
        );
        assert_eq!(
            got[2],
            (
                8,
                Some(11),
                Code::UnknownAgeBand,
                Some("characteristic_age".into())
            )
        );
        assert_eq!(
            got[3],
            (
                9,
                Some(3),
                Code::UnknownGeographicLevel,
                Some("geographic_level".into())
            )
        );
        assert_eq!(
            got[4],
            (10, Some(8), Code::BadAreaCode, Some("old_la_code".into()))
        );
        assert_eq!(
            got[5],
            (10, Some(9), Code::BadAreaCode, Some("new_la_code".into()))
        );
        assert_eq!(got.len(), 6, "{err}");
        let text = err.to_string();
        assert!(text.contains("case.csv:4:16: E102 [total_all]"), "{text}");
    }

    #[test]
    fn a_word_where_a_count_belongs_is_not_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![row(
            2016,
            "Local authority",
            "344",
            "E08000015",
            "Wirral",
            "Total",
            "lots",
        )];
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        assert_eq!(err.len(), 1);
        let e = &err.0[0];
        assert_eq!(
            (e.line, e.column, e.code),
            (Some(2), Some(16), Code::NotANumber)
        );
    }

    #[test]
    fn repeated_rows_missing_columns_and_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            row(
                2016,
                "Local authority",
                "344",
                "E08000015",
                "Wirral",
                "Total",
                "1",
            ),
            row(
                2016,
                "Local authority",
                "344",
                "E08000015",
                "Wirral",
                "Total",
                "2",
            ),
        ];
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        assert_eq!(err.0[0].code, Code::DuplicateRow);
        assert_eq!(err.0[0].line, Some(3));
        assert!(err.0[0].message.contains("repeats line 2"));

        let p = write(dir.path(), "bad.csv", "time_period,geographic_level", &[]);
        let err = read_sen2(&p, None).unwrap_err();
        assert!(err.iter().all(|e| e.code == Code::MissingColumn));
        assert_eq!(err.len(), 5);

        let err = read_sen2(&dir.path().join("nope.csv"), None).unwrap_err();
        assert_eq!(err.0[0].code, Code::MissingFile);
    }

    #[test]
    fn code_changes_join_and_boundary_changes_stay_separate() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![];
        let v = ["1", "2", "3", "4", "0", "10"];
        rows.extend(full_year(2013, "390", "E08000020", "Gateshead", v));
        rows.extend(full_year(2014, "390", "E08000037", "Gateshead", v));
        rows.extend(full_year(2019, "835", "E10000009", "Dorset", v));
        rows.extend(full_year(2020, "838", "E06000059", "Dorset", v));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let mut newp = vec![];
        newp.extend(full_year(2013, "390", "E08000037", "Gateshead", v));
        newp.extend(full_year(2018, "835", "E10000009", "Dorset", v));
        newp.push(row(
            2019,
            "Local authority",
            "838",
            "E06000059",
            "Dorset",
            "Total",
            "x",
        ));
        let np = write(dir.path(), "new.csv", NEW_HEADER, &newp);
        let s = read_sen2(&p, Some(&np)).unwrap();
        let codes: Vec<&str> = s.iter().map(|s| s.la_code.as_str()).collect();
        assert_eq!(codes, ["E06000059", "E08000037", "E10000009"]);
        let g = &s[1];
        assert_eq!(g.former_codes, ["E08000020"]);
        assert_eq!(g.caseload.len(), 2);
        assert_eq!(g.new_total(2013), Some(10.0));
        assert!(g.matches("E08000020") && g.matches("390") && g.matches("gateshead"));
        assert_eq!(s[0].new_plans_total[&2019], None);
        assert_eq!(s[0].new_total(2019), None);
        assert_eq!(s[2].years(), Some((2019, 2019)));
    }

    #[test]
    fn tidy_csv_and_summary() {
        let mut s = Sen2Series {
            la_code: "E08000015".into(),
            old_la_code: "344".into(),
            name: "Wirral, The".into(),
            ..Default::default()
        };
        s.caseload
            .insert(2015, [Some(1.0), None, Some(3.0), Some(4.0), Some(0.0)]);
        s.caseload_total.insert(2015, Some(8.0));
        let csv = to_tidy_csv(&[s.clone()]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(
            lines[1],
            "E08000015,344,\"Wirral, The\",caseload,2015,0-4,1"
        );
        assert_eq!(
            lines[2],
            "E08000015,344,\"Wirral, The\",caseload,2015,5-10,"
        );
        assert_eq!(
            lines[6],
            "E08000015,344,\"Wirral, The\",caseload,2015,total,8"
        );
        let text = summary(&[s]);
        assert!(
            text.starts_with("1 local authorities; caseload Januarys 2015-2015"),
            "{text}"
        );
        assert!(text.contains("1 band cells suppressed or missing, besides 0 cells"));
    }

    #[test]
    fn total_falls_back_to_bands_and_20_25_exists_from_2015() {
        let mut s = Sen2Series::default();
        s.caseload
            .insert(2014, [Some(1.0), Some(2.0), Some(3.0), Some(4.0), None]);
        s.caseload
            .insert(2016, [Some(1.0), Some(2.0), Some(3.0), Some(4.0), None]);
        s.caseload_total.insert(2016, None);
        assert_eq!(s.total(2014), Some(10.0));
        assert_eq!(s.total(2016), None);
        assert_eq!(s.total(2020), None);
    }
}
