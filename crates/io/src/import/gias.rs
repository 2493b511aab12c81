//! DfE "Get Information About Schools" (GIAS) establishment CSV -> `schools.csv` and
//! `capacity.csv`.
//!
//! Columns used (names as in the GIAS "all establishment data" download, matched
//! case-insensitively): `URN`, `EstablishmentName`, `TypeOfEstablishment (name)`,
//! `EstablishmentStatus (name)`, `PhaseOfEducation (name)`, `StatutoryLowAge`,
//! `StatutoryHighAge`, `OfficialSixthForm (name)`, `Easting`, `Northing` (or `Latitude` /
//! `Longitude`), `SchoolCapacity`, `NumberOfPupils`, `ResourcedProvisionCapacity`,
//! `ResourcedProvisionOnRoll`, `SenUnitCapacity`, `SenUnitOnRoll`, `SEN1 (name)` ..
//! `SEN13 (name)`, and `LA (code)`, `LA (name)`, `DistrictAdministrative (code)` to select
//! authorities. Only `URN`, `EstablishmentName`, `TypeOfEstablishment (name)` and coordinates
//! are required.
//!
//! Mapping:
//! * kind: state special schools (community, foundation, academy and free-school special) ->
//!   `special`; non-maintained and independent special schools -> `independent`; special post-16
//!   institutions -> `post16`; state mainstream schools and academies -> `mainstream`. Other
//!   establishments (independent mainstream, pupil referral units and alternative provision,
//!   FE and HE, children's centres, Welsh and overseas establishments, ...) are skipped and
//!   counted by reason.
//! * phases: `PhaseOfEducation` (middle and all-through schools serve primary and secondary; a
//!   sixth form adds post16); "Not applicable" (most special schools) -> every phase whose age
//!   band overlaps `StatutoryLowAge`..`StatutoryHighAge`.
//! * capacity: special, independent and post-16 schools -> `SchoolCapacity` (else
//!   `NumberOfPupils`); mainstream schools -> resourced provision + SEN unit capacity (else
//!   their numbers on roll). Places are split across the school's phases in proportion to the
//!   years of age each phase covers within the statutory age range (largest remainder, so the
//!   split adds up); needs are the school's `SEN1`..`SEN13` types, or `ANY` when it lists none.
//! * coordinates: British National Grid (OSGB36) eastings and northings -> WGS84 latitude and
//!   longitude ([`osgb36_to_wgs84`]).
//!
//! Only rows that are kept (status, authority and type) are checked; each problem is reported
//! with file:line:column and a stable code.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::csvcell::text_cell;
use crate::csvread::{Row, UK_LAT, UK_LON};
use crate::import::{
    count_of, find_header, norm, number_of, read_table, read_text, require, ColumnMap, Header,
};
use placeplan_model::domain::{
    phases_taught, Need, NeedSet, Phase, PhaseSet, SchoolGender, SchoolKind,
};
use placeplan_model::error::{Code, InputError, Problems};

/// What to import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GiasOptions {
    /// Local authorities to keep, each matched case-insensitively against `LA (code)` (e.g.
    /// `344`), `LA (name)` (`Wirral`) or `DistrictAdministrative (code)` (`E08000015`). Empty
    /// keeps every authority. An authority that matches no row is an error (E210).
    pub la: Vec<String>,
    /// Keep closed and proposed establishments too (default: `Open` and `Open, but proposed to
    /// close` only; without a status column, those with no `CloseDate`).
    pub include_closed: bool,
    /// When set, every kept state mainstream school (maintained school, academy or free school)
    /// teaching primary or secondary may host a new resourced base with at most this many new
    /// places (`can_host_base = yes`). Single-sex and selective schools are marked too: the
    /// scenario's `[bases]` rules decide whether they are used.
    pub host_max_places: Option<u32>,
    /// A council's own column names for the GIAS ones (`EstablishmentName=school name`).
    pub columns: ColumnMap,
}

/// One establishment as it goes into `schools.csv` and `capacity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct GiasSchool {
    pub urn: String,
    pub name: String,
    pub kind: SchoolKind,
    pub phases: PhaseSet,
    pub lat: f64,
    pub lon: f64,
    pub can_host_base: bool,
    pub max_new_places: u32,
    /// Existing specialist places: (needs, phase, places).
    pub capacity: Vec<(NeedSet, Phase, u32)>,
    /// Statutory low and high (leaving) age, when given.
    pub ages: Option<(u8, u8)>,
    pub gender: SchoolGender,
    pub selective: bool,
    /// Line in the GIAS file.
    pub line: u64,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GiasImport {
    /// Kept establishments, by URN.
    pub schools: Vec<GiasSchool>,
    /// Rows left out, counted by reason (e.g. "closed", "type: Pupil referral unit").
    pub skipped: BTreeMap<String, usize>,
}

impl GiasImport {
    /// `schools.csv` in the scenario format, with the host-rule columns.
    pub fn schools_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "id",
            "name",
            "kind",
            "phases",
            "lat",
            "lon",
            "can_host_base",
            "max_new_places",
            "capex_per_place",
            "place_cost",
            "low_age",
            "high_age",
            "gender",
            "selective",
        ]);
        for s in &self.schools {
            let (low, high) = s.ages.map_or((String::new(), String::new()), |(l, h)| {
                (l.to_string(), h.to_string())
            });
            let _ = w.write_record([
                text_cell(&s.urn).as_str(),
                &text_cell(&s.name),
                s.kind.code(),
                &s.phases
                    .iter()
                    .map(|p| p.code())
                    .collect::<Vec<_>>()
                    .join(";"),
                &format!("{:.5}", s.lat),
                &format!("{:.5}", s.lon),
                if s.can_host_base { "yes" } else { "no" },
                &s.max_new_places.to_string(),
                "",
                "",
                &low,
                &high,
                s.gender.code(),
                if s.selective { "yes" } else { "no" },
            ]);
        }
        w.into_inner().unwrap_or_default()
    }

    /// `capacity.csv` in the scenario format.
    pub fn capacity_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["school", "needs", "phase", "places"]);
        for s in &self.schools {
            for (needs, phase, places) in &s.capacity {
                let _ = w.write_record([
                    text_cell(&s.urn).as_str(),
                    &needs.label(),
                    phase.code(),
                    &places.to_string(),
                ]);
            }
        }
        w.into_inner().unwrap_or_default()
    }
}

/// What placeplan makes of a GIAS establishment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Keep(SchoolKind),
    Skip,
}

/// Types of state mainstream school that may host a new base (not nursery schools, 16-19
/// institutions, studio schools or university technical colleges).
const HOST_TYPES: [&str; 8] = [
    "community school",
    "voluntary aided school",
    "voluntary controlled school",
    "foundation school",
    "academy sponsor led",
    "academy converter",
    "free schools",
    "city technology college",
];

/// Maps `EstablishmentTypeGroup (name)`, for a council's cut that has the group and not the
/// type. Special schools of every governance are in one group and are read as state special
/// schools.
fn establishment_group(t: &str) -> Option<Kind> {
    use Kind::*;
    let k = match norm(t).replace('\u{2019}', "'").as_str() {
        "special schools" => Keep(SchoolKind::Special),
        "local authority maintained schools" | "academies" | "free schools" => {
            Keep(SchoolKind::Mainstream)
        }
        "independent schools"
        | "colleges"
        | "universities"
        | "other types"
        | "welsh schools"
        | "children's centres"
        | "online provider" => Skip,
        _ => return None,
    };
    Some(k)
}

/// Maps `TypeOfEstablishment (name)`; `None` for a type placeplan does not know.
fn establishment_kind(t: &str) -> Option<Kind> {
    let t = norm(t).replace('\u{2019}', "'");
    use Kind::*;
    use SchoolKind::*;
    let k = match t.as_str() {
        "community special school"
        | "foundation special school"
        | "academy special sponsor led"
        | "academy special converter"
        | "free schools special" => Keep(Special),
        "non-maintained special school" | "other independent special school" => Keep(Independent),
        "special post 16 institution" => Keep(Post16),
        "community school"
        | "voluntary aided school"
        | "voluntary controlled school"
        | "foundation school"
        | "city technology college"
        | "academy sponsor led"
        | "academy converter"
        | "free schools"
        | "university technical college"
        | "studio schools"
        | "la nursery school"
        | "academy 16-19 converter"
        | "academy 16 to 19 sponsor led"
        | "free schools 16 to 19"
        | "sixth form centres" => Keep(Mainstream),
        "other independent school"
        | "pupil referral unit"
        | "academy alternative provision converter"
        | "academy alternative provision sponsor led"
        | "free schools alternative provision"
        | "further education"
        | "secure units"
        | "academy secure 16 to 19"
        | "offshore schools"
        | "service childrens education"
        | "service children's education"
        | "miscellaneous"
        | "higher education institutions"
        | "welsh establishment"
        | "british schools overseas"
        | "online provider"
        | "institution funded by other government department"
        | "children's centre"
        | "children's centre linked site" => Skip,
        _ if t.contains("special")
            && (t.contains("independent") || t.contains("non-maintained")) =>
        {
            Keep(Independent)
        }
        _ if t.contains("special") => Keep(Special),
        _ => return None,
    };
    Some(k)
}

/// Maps a GIAS SEN provision type such as `ASD - Autistic Spectrum Disorder`.
/// `Ok(None)` for an empty or "not applicable" cell.
fn sen_need(t: &str) -> Result<Option<Need>, ()> {
    let t = t.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("not applicable") {
        return Ok(None);
    }
    let code = t.split(" - ").next().unwrap_or(t).trim();
    if code.eq_ignore_ascii_case("BESD") {
        // Behaviour, emotional and social difficulty: the name before SEMH (2014).
        return Ok(Some(Need::Semh));
    }
    code.parse::<Need>().map(Some)
}

/// Phases of a `PhaseOfEducation (name)`, before the sixth form; `None` for "Not applicable"
/// or an unknown name (then the age range decides).
fn phase_of_education(t: &str) -> Option<PhaseSet> {
    let set = |ps: &[Phase]| ps.iter().fold(PhaseSet::default(), |s, p| s.with(*p));
    match norm(t).as_str() {
        "nursery" => Some(set(&[Phase::EarlyYears])),
        "primary" => Some(set(&[Phase::Primary])),
        "middle deemed primary" | "middle deemed secondary" | "all-through" | "all through" => {
            Some(set(&[Phase::Primary, Phase::Secondary]))
        }
        "secondary" => Some(set(&[Phase::Secondary])),
        "16 plus" | "16+" => Some(set(&[Phase::Post16])),
        _ => None,
    }
}

/// Splits `places` over `phases` in proportion to the years of age each covers within the
/// ages taught, `low ..= leaving - 1` (equal shares without an age range), by largest remainder.
/// Early years get places only at a school that teaches no older pupil: a special school from 2
/// to 11 has its places in primary, where its pupils of statutory school age are.
fn split_places(places: u32, phases: PhaseSet, ages: Option<(u8, u8)>) -> Vec<(Phase, u32)> {
    let school_age = phases.iter().any(|p| p != Phase::EarlyYears);
    let weights: Vec<(Phase, f64)> = phases
        .iter()
        .map(|p| {
            let a = p.age_group().ages();
            let w = match ages {
                _ if p == Phase::EarlyYears && school_age => 0.0,
                Some((lo, leaving)) => {
                    let from = (*a.start()).max(lo);
                    let to = (*a.end()).min(leaving.saturating_sub(1));
                    if to >= from {
                        (to - from + 1) as f64
                    } else {
                        0.0
                    }
                }
                None => 1.0,
            };
            (p, w)
        })
        .collect();
    let total: f64 = weights.iter().map(|w| w.1).sum();
    if total <= 0.0 || places == 0 {
        return Vec::new();
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| places as f64 * w.1 / total)
        .collect();
    let mut out: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut left = places - out.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    weights
        .iter()
        .zip(out)
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| (w.0, n))
        .collect()
}

/// Column names as the file spells them, looked up once (an absent column reads as empty).
struct Cols {
    urn: String,
    name: String,
    kind: String,
    group: String,
    status: String,
    close_date: String,
    open_date: String,
    phase: String,
    low: String,
    high: String,
    sixth: String,
    gender: String,
    admissions: String,
    easting: String,
    northing: String,
    lat: String,
    lon: String,
    capacity: String,
    pupils: String,
    rp_capacity: String,
    rp_roll: String,
    unit_capacity: String,
    unit_roll: String,
    la: Vec<String>,
    sen: Vec<String>,
    /// Which optional columns the file has.
    has_type: bool,
    has_status: bool,
    has_easting: bool,
}

const URN: &[&str] = &["URN"];
const NAME: &[&str] = &[
    "EstablishmentName",
    "Establishment name",
    "school name",
    "name",
];
const TYPE: &[&str] = &[
    "TypeOfEstablishment (name)",
    "TypeOfEstablishment",
    "Type of establishment",
];
const GROUP: &[&str] = &[
    "EstablishmentTypeGroup (name)",
    "EstablishmentTypeGroup",
    "Establishment type group",
];

impl Cols {
    fn new(h: &Header) -> Cols {
        let f = |names: &[&str]| h.col(names);
        let mut sen: Vec<(u32, String)> = h
            .names
            .iter()
            .filter_map(|n| {
                let k = norm(n);
                let k = k.strip_suffix(" (name)").unwrap_or(&k);
                let k = k.strip_prefix("sen")?;
                k.parse::<u32>().ok().map(|k| (k, n.clone()))
            })
            .collect();
        sen.sort();
        Cols {
            urn: f(URN),
            name: f(NAME),
            kind: f(TYPE),
            group: f(GROUP),
            status: f(&[
                "EstablishmentStatus (name)",
                "EstablishmentStatus",
                "Status",
            ]),
            close_date: f(&["CloseDate", "Close date"]),
            open_date: f(&["OpenDate", "Open date"]),
            phase: f(&[
                "PhaseOfEducation (name)",
                "PhaseOfEducation",
                "Phase of education",
            ]),
            low: f(&["StatutoryLowAge", "Statutory low age"]),
            high: f(&["StatutoryHighAge", "Statutory high age"]),
            sixth: f(&["OfficialSixthForm (name)", "OfficialSixthForm"]),
            gender: f(&["Gender (name)", "Gender"]),
            admissions: f(&[
                "AdmissionsPolicy (name)",
                "AdmissionsPolicy",
                "Admissions policy",
            ]),
            easting: f(&["Easting"]),
            northing: f(&["Northing"]),
            lat: f(&["Latitude", "lat"]),
            lon: f(&["Longitude", "lon", "long"]),
            capacity: f(&["SchoolCapacity", "School capacity"]),
            pupils: f(&["NumberOfPupils", "Number of pupils"]),
            rp_capacity: f(&["ResourcedProvisionCapacity"]),
            rp_roll: f(&["ResourcedProvisionOnRoll"]),
            unit_capacity: f(&["SenUnitCapacity"]),
            unit_roll: f(&["SenUnitOnRoll"]),
            la: ["LA (code)", "LA (name)", "DistrictAdministrative (code)"]
                .iter()
                .filter_map(|n| h.find(&[n]))
                .collect(),
            sen: sen.into_iter().map(|x| x.1).collect(),
            has_type: h.find(TYPE).is_some(),
            has_status: h
                .find(&[
                    "EstablishmentStatus (name)",
                    "EstablishmentStatus",
                    "Status",
                ])
                .is_some(),
            has_easting: h.find(&["Easting"]).is_some(),
        }
    }
}

/// Whether a header row is a GIAS establishment table (after a column map).
pub fn is_gias_header(names: &[String]) -> bool {
    let has = |cands: &[&str]| {
        names
            .iter()
            .any(|n| cands.iter().any(|c| norm(c) == norm(n)))
    };
    has(URN) && has(NAME) && (has(TYPE) || has(GROUP))
}

/// Reads a GIAS establishment CSV (the full extract or a search download, UTF-8 or
/// Windows-1252). All problems are returned together.
pub fn read_gias(path: &Path, opts: &GiasOptions) -> Result<GiasImport, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_gias(path, &text, opts)
}

/// Parses GIAS CSV text; `path` is only used in messages.
pub fn parse_gias(path: &Path, text: &str, opts: &GiasOptions) -> Result<GiasImport, Problems> {
    let mut problems = Problems::default();
    let Some(table) = find_header(
        path,
        text.to_string(),
        &opts.columns,
        |names| names.iter().any(|n| norm(n) == "urn"),
        &mut problems,
    ) else {
        return Err(problems);
    };
    if !require(path, &table.header, &[URN, NAME], &mut problems)
        || (table.header.find(TYPE).is_none()
            && !require(path, &table.header, &[TYPE], &mut problems))
    {
        if table.header.find(GROUP).is_none() {
            problems.sort();
            return Err(problems);
        }
        problems = Problems::default();
    }
    let mut out = GiasImport::default();
    let wanted: Vec<String> = opts.la.iter().map(|l| norm(l)).collect();
    let mut la_found: HashMap<String, bool> = wanted.iter().map(|w| (w.clone(), false)).collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let c = Cols::new(&table.header);
    let mut skip = |why: String| *out.skipped.entry(why).or_default() += 1;
    let mut schools = Vec::new();
    read_table(path, table, &mut problems, |row| {
        // Selection first: rows of other authorities, closed or out of scope are not checked.
        if !wanted.is_empty() {
            let hit =
                c.la.iter()
                    .map(|col| norm(row.text(col)))
                    .find(|v| la_found.contains_key(v));
            match hit {
                Some(v) => {
                    la_found.insert(v, true);
                }
                None => return,
            }
        }
        let closed = date(row, &c.close_date);
        let _opened = date(row, &c.open_date);
        if !opts.include_closed {
            if c.has_status {
                let st = norm(row.text(&c.status));
                if !(st == "open" || st == "open, but proposed to close") {
                    skip(format!("status: {}", row.text(&c.status)));
                    return;
                }
            } else if closed.is_some() {
                skip("closed (a CloseDate is given)".to_string());
                return;
            }
        }
        let (type_name, kind) = if c.has_type {
            let t = row.text(&c.kind).to_string();
            let k = establishment_kind(&t);
            (t, k)
        } else {
            let t = row.text(&c.group).to_string();
            let k = establishment_group(&t);
            (t, k)
        };
        let kind = match kind {
            Some(Kind::Keep(k)) => k,
            Some(Kind::Skip) => {
                skip(format!("type: {type_name}"));
                return;
            }
            None => {
                skip(format!("type not recognised: {type_name}"));
                return;
            }
        };
        let host_type = HOST_TYPES.contains(&norm(&type_name).as_str())
            || (!c.has_type && kind == SchoolKind::Mainstream);
        if let Some(s) = school(row, &c, kind, host_type, opts, &mut seen) {
            schools.push(s);
        }
    });
    let mut missing: Vec<&String> = la_found
        .iter()
        .filter(|(_, f)| !**f)
        .map(|(k, _)| k)
        .collect();
    missing.sort();
    for m in missing {
        let original = opts
            .la
            .iter()
            .find(|l| norm(l) == *m)
            .cloned()
            .unwrap_or_else(|| m.clone());
        problems.push(
            InputError::new(
                path,
                Code::UnknownArea,
                format!("no establishment of local authority '{original}' in the file"),
            )
            .field("LA (code)"),
        );
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    schools.sort_by(|a: &GiasSchool, b: &GiasSchool| {
        (a.urn.len(), &a.urn).cmp(&(b.urn.len(), &b.urn))
    });
    out.schools = schools;
    Ok(out)
}

/// A GIAS date, `dd-mm-yyyy` (also `dd/mm/yyyy`); `None` when empty or bad (E131 recorded).
/// Returns (year, month, day).
fn date(row: &mut Row, col: &str) -> Option<(i32, u32, u32)> {
    let expected = "a date such as 01-09-2012 (dd-mm-yyyy)";
    crate::import::cell(row, col, parse_date, Code::BadDate, expected)
}

/// `dd-mm-yyyy` or `dd/mm/yyyy` to (year, month, day), checking the day exists.
pub fn parse_date(t: &str) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = t.trim().split(['-', '/']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (d, m, y): (u32, u32, i32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

/// Checks and maps one kept row.
fn school(
    row: &mut Row,
    c: &Cols,
    kind: SchoolKind,
    host_type: bool,
    opts: &GiasOptions,
    seen: &mut HashMap<String, u64>,
) -> Option<GiasSchool> {
    let urn = row.text(&c.urn).to_string();
    if urn.is_empty() {
        row.problem(&c.urn, Code::Empty, "URN is empty".into());
    } else if !urn.chars().all(|ch| ch.is_ascii_digit()) {
        row.problem(
            &c.urn,
            Code::NotAnInteger,
            format!("URN must be a whole number, found '{urn}'"),
        );
    } else if let Some(first) = seen.get(&urn) {
        row.problem(
            &c.urn,
            Code::DuplicateId,
            format!("URN {urn} already appears on line {first}"),
        );
    } else {
        seen.insert(urn.clone(), row.line);
    }
    let name = row.text(&c.name).to_string();
    if name.is_empty() {
        row.problem(&c.name, Code::Empty, "EstablishmentName is empty".into());
    }

    // Ages and phases. The statutory high age is the age pupils leave at.
    let low = count_of(row, &c.low);
    let high = count_of(row, &c.high);
    let ages = match (low, high) {
        (Some(l), Some(h)) if l < h && h <= 30 => Some((l as u8, h as u8)),
        (Some(l), Some(h)) => {
            row.problem(
                &c.high,
                Code::AgeOutOfRange,
                format!("StatutoryHighAge {h} (the leaving age) must be above StatutoryLowAge {l} and at most 30"),
            );
            None
        }
        _ => None,
    };
    let taught = ages.map(|(l, h)| phases_taught(l, h));
    let mut phases = match (phase_of_education(row.text(&c.phase)), taught) {
        (Some(p), Some(t)) => {
            // Both given: the phases of the name that the age range teaches (a primary 3-11
            // has a nursery class, but its phase of education is primary).
            let both = p
                .iter()
                .filter(|x| t.contains(*x))
                .fold(PhaseSet::default(), |s, x| s.with(x));
            if both.is_empty() {
                p
            } else {
                both
            }
        }
        (Some(p), None) => p,
        (None, Some(t)) => t,
        (None, None) => {
            let t = row.text(&c.phase).to_string();
            let col = if row.text(&c.phase).is_empty() {
                c.low.clone()
            } else {
                c.phase.clone()
            };
            row.problem(
                &col,
                Code::UnknownPhase,
                format!(
                    "cannot tell the phases: PhaseOfEducation is '{t}' and there is no statutory age range"
                ),
            );
            PhaseSet::default()
        }
    };
    if norm(row.text(&c.sixth)) == "has a sixth form"
        && taught.is_none_or(|t| t.contains(Phase::Post16))
    {
        phases = phases.with(Phase::Post16);
    }
    if kind == SchoolKind::Post16 && !phases.contains(Phase::Post19) {
        // Specialist post-16 institutions serve 16-25 unless their age range says otherwise.
        if ages.is_none_or(|(_, h)| h >= 21) {
            phases = phases.with(Phase::Post16).with(Phase::Post19);
        }
    }

    // Who it admits.
    let gender = match norm(row.text(&c.gender)).as_str() {
        "" | "not applicable" | "not collected" => SchoolGender::Mixed,
        t => match t.parse::<SchoolGender>() {
            Ok(g) => g,
            Err(()) => {
                let t = row.text(&c.gender).to_string();
                row.problem(
                    &c.gender,
                    Code::UnknownGender,
                    format!("unknown Gender '{t}'"),
                );
                SchoolGender::Mixed
            }
        },
    };
    let selective = norm(row.text(&c.admissions)) == "selective";

    // Needs.
    let mut needs = NeedSet::default();
    for col in &c.sen {
        let t = row.text(col).to_string();
        match sen_need(&t) {
            Ok(Some(n)) => needs = needs.with(n),
            Ok(None) => {}
            Err(()) => row.problem(
                col,
                Code::UnknownNeed,
                format!("unknown SEN provision type '{t}'"),
            ),
        }
    }
    if needs.is_empty() {
        needs = NeedSet::all();
    }

    let ll = location(row, c);

    // Existing specialist places.
    let value = |row: &mut Row, cap: &str, roll: &str| -> u32 {
        match count_of(row, cap) {
            Some(v) if v > 0 => v,
            _ => count_of(row, roll).unwrap_or(0),
        }
    };
    let (places, split_phases) = match kind {
        SchoolKind::Mainstream => {
            let rp = value(row, &c.rp_capacity, &c.rp_roll);
            let unit = value(row, &c.unit_capacity, &c.unit_roll);
            // Resourced provision serves the school's statutory phases, not its nursery.
            let ps = phases
                .iter()
                .filter(|p| *p != Phase::EarlyYears)
                .fold(PhaseSet::default(), |s, p| s.with(p));
            (rp + unit, if ps.is_empty() { phases } else { ps })
        }
        _ => (value(row, &c.capacity, &c.pupils), phases),
    };
    let capacity = split_places(places, split_phases, ages)
        .into_iter()
        .map(|(p, n)| (needs, p, n))
        .collect();

    let can_host = kind == SchoolKind::Mainstream
        && host_type
        && opts.host_max_places.is_some_and(|m| m > 0)
        && (phases.contains(Phase::Primary) || phases.contains(Phase::Secondary));
    let ll = ll?;
    if !row.ok || phases.is_empty() {
        return None;
    }
    Some(GiasSchool {
        urn,
        name,
        kind,
        phases,
        lat: ll.0,
        lon: ll.1,
        can_host_base: can_host,
        max_new_places: if can_host {
            opts.host_max_places.unwrap_or(0)
        } else {
            0
        },
        capacity,
        ages,
        gender,
        selective,
        line: row.line,
    })
}

/// WGS84 latitude and longitude of a row: from Easting and Northing (British National Grid),
/// else from Latitude and Longitude. `None` with a problem recorded when neither is usable.
fn location(row: &mut Row, c: &Cols) -> Option<(f64, f64)> {
    let e = number_of(row, &c.easting);
    let n = number_of(row, &c.northing);
    match (e, n) {
        (Some(e), Some(n)) => {
            if !(0.0..=700_000.0).contains(&e) || !(0.0..=1_300_000.0).contains(&n) {
                row.problem(
                    &c.easting,
                    Code::OutsideGrid,
                    format!("easting {e}, northing {n} is outside the British National Grid"),
                );
                return None;
            }
            let (lat, lon) = osgb36_to_wgs84(e, n);
            if !(UK_LAT.0..=UK_LAT.1).contains(&lat) || !(UK_LON.0..=UK_LON.1).contains(&lon) {
                row.problem(
                    &c.easting,
                    Code::OutsideGrid,
                    format!("easting {e}, northing {n} is at {lat:.4}, {lon:.4}, outside the UK"),
                );
                return None;
            }
            Some((lat, lon))
        }
        _ if row.text(&c.easting).is_empty() && row.text(&c.northing).is_empty() => {
            let lat = number_of(row, &c.lat);
            let lon = number_of(row, &c.lon);
            match (lat, lon) {
                (Some(lat), Some(lon)) => {
                    if (UK_LAT.0..=UK_LAT.1).contains(&lat) && (UK_LON.0..=UK_LON.1).contains(&lon)
                    {
                        Some((lat, lon))
                    } else {
                        row.problem(
                            &c.lat,
                            Code::OutsideUk,
                            format!("latitude {lat}, longitude {lon} is outside the UK"),
                        );
                        None
                    }
                }
                _ => {
                    if row.ok {
                        let col = if c.has_easting { &c.easting } else { &c.lat };
                        row.problem(
                            col,
                            Code::Empty,
                            "no location: Easting and Northing (or Latitude and Longitude) are empty"
                                .into(),
                        );
                    }
                    None
                }
            }
        }
        _ => {
            // One of the two is empty or was not a number (already reported).
            if row.ok {
                let col = if e.is_none() { &c.easting } else { &c.northing };
                row.problem(
                    col,
                    Code::Empty,
                    "Easting and Northing are both needed".into(),
                );
            }
            None
        }
    }
}

/// British National Grid easting and northing (metres, OSGB36 datum) to WGS84 latitude and
/// longitude (degrees).
///
/// Inverse transverse Mercator on the Airy 1830 ellipsoid (Ordnance Survey, "A guide to
/// coordinate systems in Great Britain", annex C), then the OS 7-parameter Helmert shift from
/// OSGB36 to WGS84 (ETRS89). The Helmert shift is good to about 5 m across Great Britain, which
/// is ample for journey estimates; OSTN15 (the 1 cm grid shift) is not needed here.
pub fn osgb36_to_wgs84(easting: f64, northing: f64) -> (f64, f64) {
    let (lat, lon) = grid_to_osgb36(easting, northing);
    // OSGB36 geodetic -> cartesian (Airy 1830, height 0).
    let (a, b) = (6_377_563.396, 6_356_256.909);
    let e2 = 1.0 - (b * b) / (a * a);
    let (sp, cp) = lat.sin_cos();
    let (sl, cl) = lon.sin_cos();
    let nu = a / (1.0 - e2 * sp * sp).sqrt();
    let (x, y, z) = (nu * cp * cl, nu * cp * sl, (1.0 - e2) * nu * sp);
    // Helmert OSGB36 -> WGS84 (the inverse of the OS ETRS89 -> OSGB36 parameters).
    let sec = std::f64::consts::PI / (180.0 * 3600.0);
    let (tx, ty, tz) = (446.448, -125.157, 542.060);
    let s = -20.4894e-6;
    let (rx, ry, rz) = (0.1502 * sec, 0.2470 * sec, 0.8421 * sec);
    let x2 = tx + (1.0 + s) * x - rz * y + ry * z;
    let y2 = ty + rz * x + (1.0 + s) * y - rx * z;
    let z2 = tz - ry * x + rx * y + (1.0 + s) * z;
    // Cartesian -> WGS84 geodetic (GRS80 / WGS84 ellipsoid), by iteration.
    let (a, b) = (6_378_137.0, 6_356_752.314_245);
    let e2 = 1.0 - (b * b) / (a * a);
    let p = (x2 * x2 + y2 * y2).sqrt();
    let mut phi = z2.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let nu = a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let next = (z2 + e2 * nu * phi.sin()).atan2(p);
        if (next - phi).abs() < 1e-12 {
            phi = next;
            break;
        }
        phi = next;
    }
    (phi.to_degrees(), y2.atan2(x2).to_degrees())
}

/// Inverse transverse Mercator: National Grid easting/northing to OSGB36 latitude and longitude
/// in radians.
fn grid_to_osgb36(e: f64, n: f64) -> (f64, f64) {
    let (a, b) = (6_377_563.396, 6_356_256.909);
    let f0 = 0.999_601_271_7;
    let phi0 = 49f64.to_radians();
    let lambda0 = (-2f64).to_radians();
    let (n0, e0) = (-100_000.0, 400_000.0);
    let e2 = 1.0 - (b * b) / (a * a);
    let nn = (a - b) / (a + b);
    let (n2, n3) = (nn * nn, nn * nn * nn);
    let meridional = |phi: f64| {
        let (d, s) = (phi - phi0, phi + phi0);
        b * f0
            * ((1.0 + nn + 1.25 * n2 + 1.25 * n3) * d
                - (3.0 * nn + 3.0 * n2 + 21.0 / 8.0 * n3) * d.sin() * s.cos()
                + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * d).sin() * (2.0 * s).cos()
                - 35.0 / 24.0 * n3 * (3.0 * d).sin() * (3.0 * s).cos())
    };
    let mut phi = (n - n0) / (a * f0) + phi0;
    let mut m = meridional(phi);
    for _ in 0..100 {
        if (n - n0 - m).abs() < 1e-5 {
            break;
        }
        phi += (n - n0 - m) / (a * f0);
        m = meridional(phi);
    }
    let (sp, cp) = phi.sin_cos();
    let tp = sp / cp;
    let nu = a * f0 / (1.0 - e2 * sp * sp).sqrt();
    let rho = a * f0 * (1.0 - e2) / (1.0 - e2 * sp * sp).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let (t2, t4, t6) = (tp * tp, tp.powi(4), tp.powi(6));
    let sec = 1.0 / cp;
    let vii = tp / (2.0 * rho * nu);
    let viii = tp / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
    let ix = tp / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
    let x = sec / nu;
    let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
    let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
    let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
    let de = e - e0;
    let lat = phi - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lon = lambda0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metres between two WGS84 points (small distances).
    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        let dlat = (a.0 - b.0).to_radians() * 6_371_000.0;
        let dlon = (a.1 - b.1).to_radians() * 6_371_000.0 * a.0.to_radians().cos();
        (dlat * dlat + dlon * dlon).sqrt()
    }

    #[test]
    fn inverse_transverse_mercator_matches_the_os_worked_example() {
        // OS guide, annex C: E 651409.903, N 313177.270 -> 52°39'27.2531"N, 1°43'4.5177"E.
        let (lat, lon) = grid_to_osgb36(651_409.903, 313_177.270);
        let dms = |d: f64, m: f64, s: f64| d + m / 60.0 + s / 3600.0;
        assert!((lat.to_degrees() - dms(52.0, 39.0, 27.2531)).abs() < 1e-7);
        assert!((lon.to_degrees() - dms(1.0, 43.0, 4.5177)).abs() < 1e-7);
    }

    #[test]
    fn grid_to_wgs84_within_five_metres_of_reference_points() {
        // References: PROJ (EPSG:27700 -> EPSG:4326 through the OS Helmert, EPSG:1314); the
        // first is also the published Movable Type example 52°39'28.72"N 1°42'57.79"E.
        let cases = [
            ((651_409.903, 313_177.270), (52.6579786, 1.7160520)),
            ((530_000.0, 180_000.0), (51.5039908, -0.1283539)),
            ((332_000.0, 388_000.0), (53.3844479, -3.0238103)),
            ((200_000.0, 700_000.0), (56.1506208, -5.2214483)),
            ((85_000.0, 10_000.0), (49.9070587, -6.3888125)),
        ];
        for ((e, n), want) in cases {
            let got = osgb36_to_wgs84(e, n);
            let d = metres(got, want);
            assert!(d < 5.0, "({e}, {n}) -> {got:?}, {d:.2} m from {want:?}");
        }
    }

    #[test]
    fn places_split_by_years_of_age_and_add_up() {
        let ps = phases_taught(2, 19);
        assert_eq!(
            ps.iter().collect::<Vec<_>>(),
            vec![
                Phase::EarlyYears,
                Phase::Primary,
                Phase::Secondary,
                Phase::Post16
            ]
        );
        // Ages taught 2-18 (19 is the leaving age): early years get none at a school that
        // teaches older pupils; 5-10 (6), 11-15 (5), 16-18 (3) of 14.
        let split = split_places(100, ps, Some((2, 19)));
        assert_eq!(
            split,
            vec![
                (Phase::Primary, 43),
                (Phase::Secondary, 36),
                (Phase::Post16, 21)
            ]
        );
        // Regression (issue 17): a primary special school 2-11 has no secondary places.
        let primary = phases_taught(2, 11);
        assert_eq!(
            split_places(49, primary, Some((2, 11))),
            vec![(Phase::Primary, 49)]
        );
        assert_eq!(split.iter().map(|x| x.1).sum::<u32>(), 100);
        assert_eq!(split_places(0, ps, None), vec![]);
    }

    #[test]
    fn sen_types_map_to_needs() {
        assert_eq!(
            sen_need("ASD - Autistic Spectrum Disorder"),
            Ok(Some(Need::Asd))
        );
        assert_eq!(
            sen_need("SpLD - Specific Learning Difficulty"),
            Ok(Some(Need::Spld))
        );
        assert_eq!(
            sen_need("SEMH - Social, Emotional and Mental Health"),
            Ok(Some(Need::Semh))
        );
        assert_eq!(
            sen_need("BESD - Behaviour, Emotional and Social Difficulties"),
            Ok(Some(Need::Semh))
        );
        assert_eq!(
            sen_need("OTH - Other Difficulty/Disability"),
            Ok(Some(Need::Oth))
        );
        assert_eq!(sen_need(""), Ok(None));
        assert_eq!(sen_need("XYZ - Unknown"), Err(()));
    }

    const HEADER: &str = "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),\
EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,\
OfficialSixthForm (name),SchoolCapacity,NumberOfPupils,TypeOfResourcedProvision (name),\
ResourcedProvisionOnRoll,ResourcedProvisionCapacity,SenUnitOnRoll,SenUnitCapacity,\
SEN1 (name),SEN2 (name),Easting,Northing";

    fn fixture() -> String {
        [
            HEADER,
            // A special school for ASD and SLD, ages 2-19.
            "105704,344,Wirral,Meadow Bank School,Community special school,Open,Not applicable,2,19,Has a sixth form,100,98,Not applicable,,,,,ASD - Autistic Spectrum Disorder,SLD - Severe Learning Difficulty,332000,388000",
            // A primary academy with a 12-place ASD resourced base; a comma in the name.
            "136437,344,Wirral,\"Kelmore Docks Primary Academy, Birkenhead\",Academy converter,Open,Primary,3,11,Not applicable,420,400,Resourced provision,10,12,,,ASD - Autistic Spectrum Disorder,,331000,389000",
            // A secondary with a sixth form and no specialist places.
            "105920,344,Wirral,Marston Vale High School,Foundation school,\"Open, but proposed to close\",Secondary,11,18,Has a sixth form,1200,1100,,,,,,,,333000,387000",
            // An independent special school.
            "140001,344,Wirral,Oak Lodge School,Other independent special school,Open,Not applicable,7,15,Not applicable,40,35,,,,,,\"SEMH - Social, Emotional and Mental Health\",,334000,386000",
            // Skipped: closed, a pupil referral unit, another authority, an unknown type.
            "105001,344,Wirral,Old School,Community school,Closed,Primary,4,11,,200,,,,,,,,,330000,380000",
            "105002,344,Wirral,Wirral Hospitals School,Pupil referral unit,Open,Not applicable,5,16,,50,,,,,,,,,330000,381000",
            "105003,343,Sefton,Far School,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,400000",
            "105004,344,Wirral,Strange Place,Something new,Open,Primary,4,11,,200,,,,,,,,,330000,382000",
        ]
        .join("\n")
            + "\n"
    }

    #[test]
    fn imports_schools_and_capacity_for_one_authority() {
        let opts = GiasOptions {
            la: vec!["wirral".into()],
            include_closed: false,
            host_max_places: Some(20),
            ..Default::default()
        };
        let imp = parse_gias(Path::new("gias.csv"), &fixture(), &opts).unwrap();
        let urns: Vec<&str> = imp.schools.iter().map(|s| s.urn.as_str()).collect();
        assert_eq!(urns, vec!["105704", "105920", "136437", "140001"]);
        assert_eq!(imp.skipped.values().sum::<usize>(), 3);
        assert_eq!(imp.skipped.get("status: Closed"), Some(&1));
        assert_eq!(imp.skipped.get("type: Pupil referral unit"), Some(&1));
        assert_eq!(
            imp.skipped.get("type not recognised: Something new"),
            Some(&1)
        );
        let special = &imp.schools[0];
        assert_eq!(special.kind, SchoolKind::Special);
        assert_eq!(special.phases.iter().count(), 4);
        assert_eq!(special.ages, Some((2, 19)));
        assert_eq!(special.capacity.iter().map(|c| c.2).sum::<u32>(), 100);
        assert!(special.capacity.iter().all(|c| c.0.label() == "ASD;SLD"));
        let (lat, lon) = (special.lat, special.lon);
        assert!(metres((lat, lon), (53.3844479, -3.0238103)) < 5.0);
        let schools = String::from_utf8(imp.schools_csv()).unwrap();
        let capacity = String::from_utf8(imp.capacity_csv()).unwrap();
        assert_eq!(
            schools.lines().next().unwrap(),
            "id,name,kind,phases,lat,lon,can_host_base,max_new_places,capex_per_place,place_cost,low_age,high_age,gender,selective"
        );
        assert!(schools
            .contains("136437,\"Kelmore Docks Primary Academy, Birkenhead\",mainstream,primary,"));
        assert!(schools.contains("105920,Marston Vale High School,mainstream,secondary;post16,"));
        assert!(schools.contains(",yes,20,,,3,11,mixed,no\n"), "{schools}");
        assert!(schools.contains("140001,Oak Lodge School,independent,primary;secondary,"));
        assert!(capacity.contains("136437,ASD,primary,12\n"));
        // Ages taught 7-14: four years of primary, four of secondary.
        assert!(capacity.contains("140001,SEMH,primary,20\n"));
        assert!(capacity.contains("140001,SEMH,secondary,20\n"));
        assert!(!capacity.contains("105920,"));
        assert_eq!(capacity.lines().count(), 1 + 3 + 1 + 2);
    }

    #[test]
    fn imported_files_load_as_a_scenario() {
        // The importer's output passes the scenario loader's checks.
        let imp = parse_gias(
            Path::new("gias.csv"),
            &fixture(),
            &GiasOptions {
                host_max_places: Some(20),
                ..Default::default()
            },
        )
        .unwrap();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "scenario.toml",
            "localities.csv",
            "population.csv",
            "history.csv",
        ] {
            std::fs::copy(demo.join(f), dir.path().join(f)).unwrap();
        }
        std::fs::write(dir.path().join("schools.csv"), imp.schools_csv()).unwrap();
        std::fs::write(dir.path().join("capacity.csv"), imp.capacity_csv()).unwrap();
        let s = crate::scenario::load_scenario(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.schools.len(), 5);
        assert!(s.provisions.iter().map(|p| p.places).sum::<u32>() >= 100 + 12 + 10);
    }

    #[test]
    fn bad_rows_are_reported_with_line_column_and_code() {
        let text = [
            HEADER,
            "12A,344,Wirral,Bad Urn,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,380000",
            "105010,344,Wirral,No Place,Community school,Open,Primary,4,11,,200,,,,,,,,,,",
            "105011,344,Wirral,Far Away,Community school,Open,Primary,4,11,,200,,,,,,,,,900000,380000",
            "105012,344,Wirral,Odd Need,Community special school,Open,Not applicable,4,11,,20,,,,,,,XYZ - Unknown,,330000,380000",
            "105013,344,Wirral,No Phase,Community school,Open,Not applicable,,,,200,,,,,,,,,330000,380000",
            "105014,344,Wirral,Minus,Academy converter,Open,Primary,4,11,,200,,,,-5,,,,,330000,380000",
            "105014,344,Wirral,Twice,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,380000",
        ]
        .join("\n");
        let opts = GiasOptions {
            la: vec!["344".into(), "999".into()],
            ..Default::default()
        };
        let err = parse_gias(Path::new("g.csv"), &text, &opts).unwrap_err();
        let msgs: Vec<String> = err.iter().map(|e| e.to_string()).collect();
        let has = |p: &str| msgs.iter().any(|m| m.starts_with(p));
        assert!(has("g.csv:2:1: E111 [URN]"), "{msgs:#?}");
        assert!(has("g.csv:3:20: E110 [Easting]"), "{msgs:#?}");
        assert!(has("g.csv:4:20: E130 [Easting]"), "{msgs:#?}");
        assert!(has("g.csv:5:18: E103 [SEN1 (name)]"), "{msgs:#?}");
        assert!(
            has("g.csv:6:7: E104 [PhaseOfEducation (name)]"),
            "{msgs:#?}"
        );
        assert!(
            has("g.csv:7:15: E102 [ResourcedProvisionCapacity]"),
            "{msgs:#?}"
        );
        assert!(has("g.csv:8:1: E201 [URN]"), "{msgs:#?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("E210") && m.contains("'999'")),
            "{msgs:#?}"
        );
        assert_eq!(err.len(), 8, "{msgs:#?}");
    }

    #[test]
    fn windows_1252_download_reads() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(
            b"\n105704,344,Wirral,St Mary\x92s Cr\xE8che School,Community special school,Open,Not applicable,2,11,,40,,,,,,,,,332000,388000\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("edubasealldata.csv");
        std::fs::write(&p, bytes).unwrap();
        let imp = read_gias(&p, &GiasOptions::default()).unwrap();
        assert_eq!(imp.schools[0].name, "St Mary’s Crèche School");
        let err = read_gias(&dir.path().join("missing.csv"), &GiasOptions::default()).unwrap_err();
        assert_eq!(err.0[0].code, Code::MissingFile);
    }
}
