//! Loading a scenario directory: `scenario.toml` plus CSV files, mapped into [`Scenario`].
//!
//! Every file is read completely and every problem is collected; cross-file checks
//! ([`crate::validate`]) run on whatever could be read, so one run reports everything.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::csvread::{read_csv, read_csv_at_most, resolve};
use placeplan_model::domain::*;
use placeplan_model::error::{Code, InputError, Problems};

/// Names of the data files, relative to the scenario directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileNames {
    pub localities: String,
    pub population: String,
    pub history: String,
    pub schools: String,
    pub capacity: String,
    /// Optional road network; empty for straight-line travel.
    pub roads: String,
}

impl Default for FileNames {
    fn default() -> Self {
        FileNames {
            localities: "localities.csv".into(),
            population: "population.csv".into(),
            history: "history.csv".into(),
            schools: "schools.csv".into(),
            capacity: "capacity.csv".into(),
            roads: String::new(),
        }
    }
}

/// Capital budget: one amount for every year, or one amount per plan year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Budget {
    PerYear(f64),
    Schedule(Vec<f64>),
}

/// The `scenario.toml` file as written. Every key is documented in docs/scenario-format.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub name: String,
    pub base_year: i32,
    #[serde(default = "default_horizon")]
    pub horizon: u32,
    #[serde(default = "default_discount")]
    pub discount_rate: f64,
    #[serde(default = "default_budget")]
    pub capital_budget: Budget,
    #[serde(default)]
    pub files: FileNames,
    #[serde(default)]
    pub costs: CostParams,
    #[serde(default)]
    pub journey: JourneyLimits,
    #[serde(default)]
    pub travel: TravelSettings,
    #[serde(default)]
    pub bases: BaseRules,
    #[serde(default)]
    pub forecast: ForecastSettings,
    #[serde(default)]
    pub solver: SolverSettings,
    /// `[[levers]]` tables.
    #[serde(default)]
    pub levers: Vec<Lever>,
}

fn default_horizon() -> u32 {
    5
}
fn default_discount() -> f64 {
    0.035
}
fn default_budget() -> Budget {
    Budget::PerYear(5_000_000.0)
}

pub const SCENARIO_FILE: &str = "scenario.toml";

/// Largest count accepted in one population or history row.
pub const MAX_COUNT: f64 = 1e7;
/// Largest number of places in one capacity row or one school's site.
pub const MAX_PLACES: f64 = 1e5;
/// Largest amount of money in pounds in one CSV row or one `[costs]` setting.
pub const MAX_MONEY: f64 = 1e9;
/// Largest capital budget for one plan year, in pounds.
pub const MAX_BUDGET: f64 = 1e10;
/// Largest new base, in places.
pub const MAX_BASE_SIZE: u32 = 1_000;
/// Largest `forecast.shrinkage_plans`.
pub const MAX_SHRINKAGE_PLANS: f64 = 1e6;
/// Most localities and schools one scenario may have (the travel matrix is dense): the most
/// rows read from localities.csv and schools.csv.
pub const MAX_LOCALITIES: usize = 50_000;
pub const MAX_SCHOOLS: usize = 20_000;
/// Most rows read from capacity.csv and roads.csv. Like the limits above, and the 20 million
/// rows of population.csv and history.csv, they bound the memory a scenario takes to load
/// (docs/reliability.md).
pub const MAX_CAPACITY_ROWS: u64 = 1_000_000;
pub const MAX_ROADS: u64 = 5_000_000;

/// Reads and checks a scenario directory. On failure returns every problem found, sorted.
pub fn load_scenario(dir: &Path) -> Result<Scenario, Problems> {
    let mut problems = Problems::default();
    let toml_path = dir.join(SCENARIO_FILE);
    let Some((file, toml_text)) = read_scenario_toml(&toml_path, &mut problems) else {
        problems.sort();
        return Err(problems);
    };
    check_settings(&toml_path, &file, &mut problems);
    place_settings(&toml_path, &toml_text, &mut problems);

    let path = |name: &str| resolve(dir, name);
    let (localities, locality_ids, localities_read) =
        read_localities(&path(&file.files.localities), &mut problems);
    let loc_index: HashMap<&str, usize> = localities
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i))
        .collect();
    let (schools, school_ids, schools_read) = read_schools(
        &path(&file.files.schools),
        &file.bases.phases,
        &mut problems,
    );
    let school_index: HashMap<&str, usize> = schools
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let provisions = read_capacity(
        &path(&file.files.capacity),
        &schools,
        &Known {
            index: &school_index,
            all: &school_ids,
            complete: schools_read,
        },
        &mut problems,
    );
    let locs = Known {
        index: &loc_index,
        all: &locality_ids,
        complete: localities_read,
    };
    let population = read_population(&path(&file.files.population), &locs, &mut problems);
    let history = read_history(&path(&file.files.history), &locs, &mut problems);
    let roads = if file.files.roads.is_empty() {
        Vec::new()
    } else {
        let node_ids: HashSet<&str> = loc_index
            .keys()
            .chain(school_index.keys())
            .copied()
            .collect();
        read_roads(&path(&file.files.roads), &node_ids, &mut problems)
    };

    let capital_budget = match &file.capital_budget {
        Budget::PerYear(b) => vec![*b; file.horizon as usize],
        Budget::Schedule(v) => v.clone(),
    };
    let scenario = Scenario {
        name: file.name,
        base_year: file.base_year,
        horizon: file.horizon,
        discount_rate: file.discount_rate,
        capital_budget,
        costs: file.costs,
        journey: file.journey,
        travel: file.travel,
        bases: file.bases,
        forecast: file.forecast,
        solver: file.solver,
        levers: file.levers,
        localities,
        schools,
        provisions,
        population,
        history,
        roads,
    };
    // A file with problems of its own is not checked for coverage as well: its rejected rows
    // would be reported again as missing.
    let clean = |f: &Path| !problems.iter().any(|p| p.file == f);
    let files = ResolvedFiles {
        population: path(&file.files.population),
        history: path(&file.files.history),
        population_clean: clean(&path(&file.files.population)) && localities_read,
        history_clean: clean(&path(&file.files.history)),
    };
    crate::validate::cross_check(&scenario, &files, &mut problems);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// Settings a sweep may not change, because they change which data the scenario needs.
pub const FIXED_SETTINGS: [&str; 4] = ["name", "base_year", "horizon", "files"];

impl ScenarioFile {
    /// The settings of a loaded scenario, as they would be written in `scenario.toml`
    /// (file names are not kept and come back as the defaults).
    pub fn of(s: &Scenario) -> ScenarioFile {
        ScenarioFile {
            name: s.name.clone(),
            base_year: s.base_year,
            horizon: s.horizon,
            discount_rate: s.discount_rate,
            capital_budget: Budget::Schedule(s.capital_budget.clone()),
            files: FileNames::default(),
            costs: s.costs.clone(),
            journey: s.journey.clone(),
            travel: s.travel.clone(),
            bases: s.bases.clone(),
            forecast: s.forecast.clone(),
            solver: s.solver.clone(),
            levers: s.levers.clone(),
        }
    }
}

/// A copy of `s` with some settings changed, each given as a dotted `scenario.toml` key
/// (`capital_budget`, `bases.lead_time`, `costs.independent_place`, `levers`, ...) and a TOML
/// value. The result is checked like a loaded scenario; problems are reported against `origin`
/// (the sweep file) with the key as the field.
pub fn with_settings(
    s: &Scenario,
    overrides: &[(String, toml::Value)],
    origin: &Path,
) -> Result<Scenario, Problems> {
    // Each setting on its own first, so every bad one is named; then all together, which also
    // catches combinations (e.g. min_size above max_size).
    let mut problems = Problems::default();
    if overrides.len() > 1 {
        for o in overrides {
            if let Err(p) = apply_settings(s, std::slice::from_ref(o), origin) {
                problems.extend(p);
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    apply_settings(s, overrides, origin)
}

fn apply_settings(
    s: &Scenario,
    overrides: &[(String, toml::Value)],
    origin: &Path,
) -> Result<Scenario, Problems> {
    let mut problems = Problems::default();
    let bad = |key: &str, msg: String| InputError::new(origin, Code::BadSweep, msg).field(key);
    let mut table = match toml::Table::try_from(ScenarioFile::of(s)) {
        Ok(t) => t,
        Err(e) => {
            problems.push(bad(
                "",
                format!("cannot represent the scenario settings: {e}"),
            ));
            return Err(problems);
        }
    };
    for (key, value) in overrides {
        let top = key.split('.').next().unwrap_or("");
        if FIXED_SETTINGS.contains(&top) {
            problems.push(bad(key, format!("'{key}' cannot vary in a sweep")));
            continue;
        }
        if let Err(msg) = set_dotted(&mut table, key, value.clone()) {
            problems.push(bad(key, msg));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let file: ScenarioFile = match toml::Value::Table(table).try_into() {
        Ok(f) => f,
        Err(e) => {
            let keys: Vec<&str> = overrides.iter().map(|(k, _)| k.as_str()).collect();
            problems.push(bad(
                &keys.join(", "),
                format!("invalid setting: {}", e.message().trim()),
            ));
            return Err(problems);
        }
    };
    check_settings(origin, &file, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut out = s.clone();
    out.discount_rate = file.discount_rate;
    out.capital_budget = match file.capital_budget {
        Budget::PerYear(b) => vec![b; s.horizon as usize],
        Budget::Schedule(v) => v,
    };
    out.costs = file.costs;
    out.journey = file.journey;
    out.travel = file.travel;
    out.bases = file.bases;
    out.forecast = file.forecast;
    out.solver = file.solver;
    out.levers = file.levers;
    Ok(out)
}

fn set_dotted(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("'{key}' is not a setting name"));
    }
    let mut t = table;
    for p in &parts[..parts.len() - 1] {
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        t = entry
            .as_table_mut()
            .ok_or_else(|| format!("'{p}' in '{key}' is a value, not a table"))?;
    }
    t.insert(parts[parts.len() - 1].to_string(), value);
    Ok(())
}

/// Paths the cross-file checks report against, and whether each file read without a problem
/// (for population, also that every row of localities.csv was read).
pub struct ResolvedFiles {
    pub population: PathBuf,
    pub history: PathBuf,
    pub population_clean: bool,
    pub history_clean: bool,
}

fn read_scenario_toml(path: &Path, problems: &mut Problems) -> Option<(ScenarioFile, String)> {
    let text = match crate::csvread::read_input_text(path, crate::csvread::MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(e) if e.code == Code::MissingFile => {
            problems.push(InputError::new(
                path,
                Code::MissingFile,
                format!(
                    "no {SCENARIO_FILE} in {}",
                    path.parent().unwrap_or(path).display()
                ),
            ));
            return None;
        }
        Err(e) => {
            problems.push(e);
            return None;
        }
    };
    match toml::from_str::<ScenarioFile>(&text) {
        Ok(f) => Some((f, text)),
        Err(e) => {
            let mut err = InputError::new(path, Code::TomlSyntax, e.message().to_string());
            if let Some(span) = e.span() {
                let (line, col) = line_col(&text, span.start);
                err = err.at(line, Some(col));
            }
            problems.push(err);
            None
        }
    }
}

/// Gives the E302 problems about `path` the line and column of their setting in `text`: the
/// setting's key, or for `levers[i]` the i-th `[[levers]]` table; for a setting left out of the
/// file, the table that would hold it, if that is there.
fn place_settings(path: &Path, text: &str, problems: &mut Problems) {
    let Ok(doc) = toml::de::DeTable::parse(text) else {
        return;
    };
    for p in problems.0.iter_mut() {
        if p.code != Code::BadSetting || p.file != path || p.line.is_some() {
            continue;
        }
        let Some(field) = p.field.as_deref() else {
            continue;
        };
        if let Some(offset) = setting_offset(doc.get_ref(), field) {
            let (line, col) = line_col(text, offset);
            p.line = Some(line);
            p.column = Some(col);
        }
    }
}

/// Byte offset of a dotted setting (`solver.time_limit_s`, `levers[0]`) in a parsed document:
/// where its key starts, or where the deepest table on its way that the file has starts.
fn setting_offset(doc: &toml::de::DeTable, field: &str) -> Option<usize> {
    let mut table = doc;
    let mut found = None;
    for part in field.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.strip_suffix(']')?.parse::<usize>().ok()),
            None => (part, None),
        };
        let Some((key, value)) = table.iter().find(|(k, _)| k.get_ref().as_ref() == name) else {
            return found;
        };
        found = Some(key.span().start);
        let mut value = value;
        if let Some(i) = index {
            let toml::de::DeValue::Array(items) = value.get_ref() else {
                return found;
            };
            let Some(item) = items.get(i) else {
                return found;
            };
            found = Some(item.span().start);
            value = item;
        }
        match value.get_ref() {
            toml::de::DeValue::Table(t) => table = t,
            _ => return found,
        }
    }
    found
}

/// 1-based line and character column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let upto = &text[..offset.min(text.len())];
    let line = upto.matches('\n').count() as u64 + 1;
    let col = upto.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, col)
}

/// Range and consistency checks on the settings (all collected).
fn check_settings(path: &Path, f: &ScenarioFile, problems: &mut Problems) {
    let mut bad = |field: &str, msg: String| {
        problems.push(InputError::new(path, Code::BadSetting, msg).field(field));
    };
    if f.name.trim().is_empty() {
        bad("name", "name is empty".into());
    }
    if !(1990..=2100).contains(&f.base_year) {
        bad(
            "base_year",
            format!("base_year {} is outside 1990-2100", f.base_year),
        );
    }
    if !(1..=15).contains(&f.horizon) {
        bad(
            "horizon",
            format!("horizon {} must be 1 to 15 years", f.horizon),
        );
    }
    if !(0.0..=0.2).contains(&f.discount_rate) {
        bad(
            "discount_rate",
            format!(
                "discount_rate {} must be between 0 and 0.2",
                f.discount_rate
            ),
        );
    }
    let budget_ok = |b: &f64| b.is_finite() && (0.0..=MAX_BUDGET).contains(b);
    match &f.capital_budget {
        Budget::PerYear(b) if !budget_ok(b) => bad(
            "capital_budget",
            format!("capital_budget {b} must be between 0 and {MAX_BUDGET:e} pounds"),
        ),
        Budget::Schedule(v) => {
            if v.len() != f.horizon as usize {
                bad(
                    "capital_budget",
                    format!(
                        "capital_budget lists {} years but the horizon is {}",
                        v.len(),
                        f.horizon
                    ),
                );
            }
            if !v.iter().all(budget_ok) {
                bad(
                    "capital_budget",
                    format!(
                        "every capital_budget entry must be between 0 and {MAX_BUDGET:e} pounds"
                    ),
                );
            }
        }
        _ => {}
    }
    let c = &f.costs;
    for (name, v) in [
        ("costs.resourced_base_place", c.resourced_base_place),
        ("costs.special_place", c.special_place),
        ("costs.independent_place", c.independent_place),
        ("costs.post16_place", c.post16_place),
        ("costs.transport_fixed", c.transport_fixed),
        ("costs.transport_per_km", c.transport_per_km),
        ("costs.out_of_area_transport", c.out_of_area_transport),
        ("costs.capex_per_place", c.capex_per_place),
        ("costs.base_fixed_cost", c.base_fixed_cost),
    ] {
        if !(v.is_finite() && (0.0..=MAX_MONEY).contains(&v)) {
            bad(
                name,
                format!("{name} = {v} must be between 0 and {MAX_MONEY:e} pounds"),
            );
        }
    }
    for p in Phase::ALL {
        let m = f.journey.minutes(p);
        if !(m.is_finite() && m > 0.0 && m <= 600.0) {
            bad(
                &format!("journey.{}", p.code()),
                format!("journey limit {m} minutes must be above 0 and at most 600"),
            );
        }
    }
    let t = &f.travel;
    if !(t.detour_factor.is_finite() && (1.0..=5.0).contains(&t.detour_factor)) {
        bad(
            "travel.detour_factor",
            format!("detour_factor {} must be 1 to 5", t.detour_factor),
        );
    }
    if !(t.speed_kmh.is_finite() && (1.0..=150.0).contains(&t.speed_kmh)) {
        bad(
            "travel.speed_kmh",
            format!("speed_kmh {} must be 1 to 150", t.speed_kmh),
        );
    }
    if !(t.fixed_minutes.is_finite() && (0.0..=120.0).contains(&t.fixed_minutes)) {
        bad(
            "travel.fixed_minutes",
            format!("fixed_minutes {} must be 0 to 120", t.fixed_minutes),
        );
    }
    let b = &f.bases;
    if b.max_size == 0 || b.max_size > MAX_BASE_SIZE {
        bad(
            "bases.max_size",
            format!(
                "max_size {} must be 1 to {MAX_BASE_SIZE} places",
                b.max_size
            ),
        );
    }
    if b.min_size > b.max_size {
        bad(
            "bases.min_size",
            format!(
                "base sizes need 0 <= min_size <= max_size, found {}..{}",
                b.min_size, b.max_size
            ),
        );
    }
    if b.lead_time > f.horizon {
        bad(
            "bases.lead_time",
            format!(
                "lead_time {} is longer than the horizon {}",
                b.lead_time, f.horizon
            ),
        );
    }
    if b.phases.iter().any(|p| matches!(p, Phase::Post19)) {
        bad(
            "bases.phases",
            "new bases in mainstream schools cannot serve post19".into(),
        );
    }
    let fc = &f.forecast;
    if !(0.0..=1.0).contains(&fc.trend_damping) {
        bad(
            "forecast.trend_damping",
            format!("trend_damping {} must be 0 to 1", fc.trend_damping),
        );
    }
    if !(0.0..=1.0).contains(&fc.max_rate_growth) {
        bad(
            "forecast.max_rate_growth",
            format!("max_rate_growth {} must be 0 to 1", fc.max_rate_growth),
        );
    }
    if !(fc.shrinkage_plans.is_finite()
        && (0.0..=MAX_SHRINKAGE_PLANS).contains(&fc.shrinkage_plans))
    {
        bad(
            "forecast.shrinkage_plans",
            format!(
                "shrinkage_plans {} must be 0 to {MAX_SHRINKAGE_PLANS:e}",
                fc.shrinkage_plans
            ),
        );
    }
    if !(1..=100_000).contains(&fc.runs) {
        bad(
            "forecast.runs",
            format!("runs {} must be 1 to 100000", fc.runs),
        );
    }
    for (i, l) in f.levers.iter().enumerate() {
        let field = format!("levers[{i}]");
        if !(l.value.is_finite() && l.value > 0.0 && l.value <= 5.0) {
            bad(
                &field,
                format!(
                    "{} lever value {} must be above 0 and at most 5",
                    l.kind.code(),
                    l.value
                ),
            );
        }
        let last = f.base_year + f.horizon as i32;
        if l.start_year <= f.base_year || l.start_year > last {
            bad(
                &field,
                format!(
                    "{} lever starts in {}; it must start in a plan year {}-{}",
                    l.kind.code(),
                    l.start_year,
                    f.base_year + 1,
                    last
                ),
            );
        }
        if l.ramp_years > 20 {
            bad(
                &field,
                format!("ramp_years {} must be at most 20", l.ramp_years),
            );
        }
    }
    let s = &f.solver;
    if !(MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S).contains(&s.time_limit_s) {
        bad(
            "solver.time_limit_s",
            format!(
                "time_limit_s {} must be {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S} seconds (one week)",
                s.time_limit_s
            ),
        );
    }
    if !(0.0..=1.0).contains(&s.mip_gap) {
        bad(
            "solver.mip_gap",
            format!("mip_gap {} must be 0 to 1", s.mip_gap),
        );
    }
}

/// Reads localities; also returns every id defined, valid or not, so that references to a row
/// that was itself rejected are not reported again in every other file, and whether every row
/// was read (if not, an id used elsewhere may be defined in a row that could not be read).
fn read_localities(path: &Path, problems: &mut Problems) -> (Vec<Locality>, HashSet<String>, bool) {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let required = ["id", "name", "lat", "lon"];
    let complete = read_csv_at_most(path, &required, MAX_LOCALITIES as u64, problems, |row| {
        let id = row.required("id");
        check_id(row, "id", id.as_deref());
        let name = row.name("name");
        let ll = row.lat_lon("lat", "lon");
        if !row.text("residents").is_empty() {
            row.bounded("residents", MAX_COUNT);
        }
        if let Some(id) = &id {
            if let Some(first) = seen.get(id) {
                row.problem(
                    "id",
                    Code::DuplicateId,
                    format!("locality '{id}' is already defined on line {first}"),
                );
            } else {
                seen.insert(id.clone(), row.line);
            }
        }
        if let (true, Some(id), Some(name), Some((lat, lon))) = (row.ok, id, name, ll) {
            out.push(Locality { id, name, lat, lon });
        }
    });
    (out, seen.into_keys().collect(), complete)
}

fn read_schools(
    path: &Path,
    base_phases: &[Phase],
    problems: &mut Problems,
) -> (Vec<School>, HashSet<String>, bool) {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let complete = read_csv_at_most(
        path,
        &["id", "name", "kind", "phases", "lat", "lon"],
        MAX_SCHOOLS as u64,
        problems,
        |row| {
            let id = row.required("id");
            check_id(row, "id", id.as_deref());
            let name = row.name("name");
            let kind = row.parsed::<SchoolKind>("kind", Code::UnknownSchoolKind, "school kind");
            let phases = row.phases("phases");
            let ll = row.lat_lon("lat", "lon");
            let can_host = row.boolean("can_host_base", false);
            let max_new = if row.text("max_new_places").is_empty() {
                Some(0)
            } else {
                row.bounded("max_new_places", MAX_PLACES)
                    .and_then(|_| row.count("max_new_places"))
            };
            let capex = optional_money(row, "capex_per_place");
            let place_cost = optional_money(row, "place_cost");
            if let (Some(true), Some(kind), Some(phases)) = (can_host, kind, phases) {
                let teaches_base_phase = base_phases.iter().any(|p| phases.contains(*p));
                if kind != SchoolKind::Mainstream || !teaches_base_phase {
                    row.problem(
                        "can_host_base",
                        Code::CannotHostBase,
                        format!(
                            "a {} school teaching no phase in [bases] phases cannot host a base",
                            kind.code()
                        ),
                    );
                }
            }
            if let Some(id) = &id {
                if let Some(first) = seen.get(id) {
                    row.problem(
                        "id",
                        Code::DuplicateId,
                        format!("school '{id}' is already defined on line {first}"),
                    );
                } else {
                    seen.insert(id.clone(), row.line);
                }
            }
            if let (
                true,
                Some(id),
                Some(name),
                Some(kind),
                Some(phases),
                Some((lat, lon)),
                Some(can_host_base),
                Some(max_new_places),
                Some(capex_per_place),
                Some(place_cost),
            ) = (
                row.ok, id, name, kind, phases, ll, can_host, max_new, capex, place_cost,
            ) {
                out.push(School {
                    id,
                    name,
                    kind,
                    phases,
                    lat,
                    lon,
                    can_host_base,
                    max_new_places,
                    capex_per_place,
                    place_cost,
                });
            }
        },
    );
    (out, seen.into_keys().collect(), complete)
}

/// An optional amount of pounds in a CSV row: empty, or zero to [`MAX_MONEY`] (E113 above).
fn optional_money(row: &mut crate::csvread::Row, field: &str) -> Option<Option<f64>> {
    if row.text(field).is_empty() {
        return Some(None);
    }
    row.bounded(field, MAX_MONEY).map(Some)
}

fn read_capacity(
    path: &Path,
    schools: &[School],
    schools_known: &Known,
    problems: &mut Problems,
) -> Vec<ExistingProvision> {
    let mut out = Vec::new();
    let mut seen: HashMap<(usize, Phase, String), u64> = HashMap::new();
    read_csv_at_most(
        path,
        &["school", "needs", "phase", "places"],
        MAX_CAPACITY_ROWS,
        problems,
        |row| {
            let school = row.required("school");
            let needs = row.needs("needs");
            let phase = row.phase("phase");
            let places = row
                .bounded("places", MAX_PLACES)
                .and_then(|_| row.count("places"));
            let idx = school.as_ref().and_then(|_| {
                schools_known.resolve(
                    row,
                    "school",
                    Code::UnknownSchool,
                    ("school", "schools.csv"),
                )
            });
            if let (Some(i), Some(p)) = (idx, phase) {
                if !schools[i].phases.contains(p) {
                    row.problem(
                        "phase",
                        Code::PhaseNotServed,
                        format!("school '{}' does not teach {p}", schools[i].id),
                    );
                }
                if let Some(n) = needs {
                    let key = (i, p, n.label());
                    if let Some(first) = seen.get(&key) {
                        row.problem(
                            "needs",
                            Code::DuplicateRow,
                            format!("same school, needs and phase as line {first}"),
                        );
                    } else {
                        seen.insert(key, row.line);
                    }
                }
            }
            if let (true, Some(school), Some(needs), Some(phase), Some(places)) =
                (row.ok, idx, needs, phase, places)
            {
                out.push(ExistingProvision {
                    school,
                    needs,
                    phase,
                    places,
                });
            }
        },
    );
    out
}

fn read_population(path: &Path, loc_index: &Known, problems: &mut Problems) -> Vec<PopulationCell> {
    let mut out = Vec::new();
    let mut seen: HashMap<(usize, i32, u8), u64> = HashMap::new();
    read_csv(
        path,
        &["locality", "year", "age", "count"],
        problems,
        |row| {
            let loc = locality_field(row, loc_index);
            let year = row.year("year");
            let age = row.age("age");
            let count = row.bounded("count", MAX_COUNT);
            if let (Some(l), Some(y), Some(a)) = (loc, year, age) {
                if let Some(first) = seen.insert((l, y, a), row.line) {
                    row.problem(
                        "age",
                        Code::DuplicateRow,
                        format!("same locality, year and age as line {first}"),
                    );
                }
            }
            if let (true, Some(locality), Some(year), Some(age), Some(count)) =
                (row.ok, loc, year, age, count)
            {
                out.push(PopulationCell {
                    locality,
                    year,
                    age,
                    count,
                });
            }
        },
    );
    out
}

fn read_history(path: &Path, loc_index: &Known, problems: &mut Problems) -> Vec<HistoryCell> {
    let mut out = Vec::new();
    let mut seen: HashMap<(i32, usize, u8, Need, ProvisionKind), u64> = HashMap::new();
    read_csv(
        path,
        &["year", "locality", "age", "need", "provision", "count"],
        problems,
        |row| {
            let year = row.year("year");
            let loc = locality_field(row, loc_index);
            let age = row.age("age");
            let need = row.need("need");
            let provision =
                row.parsed::<ProvisionKind>("provision", Code::UnknownProvision, "provision");
            let count = row.bounded("count", MAX_COUNT);
            if let (Some(y), Some(l), Some(a), Some(n), Some(p)) = (year, loc, age, need, provision)
            {
                if let Some(first) = seen.insert((y, l, a, n, p), row.line) {
                    row.problem(
                        "count",
                        Code::DuplicateRow,
                        format!("same year, locality, age, need and provision as line {first}"),
                    );
                }
            }
            if let (
                true,
                Some(year),
                Some(locality),
                Some(age),
                Some(need),
                Some(provision),
                Some(count),
            ) = (row.ok, year, loc, age, need, provision, count)
            {
                out.push(HistoryCell {
                    year,
                    locality,
                    age,
                    need,
                    provision,
                    count,
                });
            }
        },
    );
    out
}

fn read_roads(path: &Path, nodes: &HashSet<&str>, problems: &mut Problems) -> Vec<Road> {
    let mut out = Vec::new();
    let required = ["from", "to", "minutes"];
    read_csv_at_most(path, &required, MAX_ROADS, problems, |row| {
        let from = row.required("from");
        check_id(row, "from", from.as_deref());
        let to = row.required("to");
        check_id(row, "to", to.as_deref());
        let minutes = row.non_negative("minutes");
        let km = if row.text("km").is_empty() {
            Some(None)
        } else {
            row.non_negative("km").map(Some)
        };
        if let (true, Some(from), Some(to), Some(minutes), Some(km)) =
            (row.ok, from, to, minutes, km)
        {
            out.push(Road {
                from,
                to,
                minutes,
                km,
            });
        }
    });
    // Other ids are junctions. A network that touches no locality or school is a wrong file.
    let touches = out
        .iter()
        .any(|r| nodes.contains(r.from.as_str()) || nodes.contains(r.to.as_str()));
    if !out.is_empty() && !touches {
        problems.push(InputError::new(
            path,
            Code::UnknownRoadNode,
            "no road starts or ends at a locality or school id",
        ));
    }
    out
}

/// Refuses an id that starts like a spreadsheet formula (E115): ids are copied into the CSV
/// outputs. The row is rejected, but the id still counts as defined, so rows that refer to it
/// are not reported again.
fn check_id(row: &mut crate::csvread::Row, field: &str, id: Option<&str>) {
    if let Some(id) = id.filter(|id| crate::csvcell::starts_like_formula(id)) {
        row.problem(
            field,
            Code::FormulaId,
            format!("id '{id}' starts like a spreadsheet formula"),
        );
    }
}

/// Ids a file defines: the valid rows' indices, every id seen (valid or not), and whether every
/// row of the file was read.
struct Known<'a> {
    index: &'a HashMap<&'a str, usize>,
    all: &'a HashSet<String>,
    complete: bool,
}

impl Known<'_> {
    /// Index of the referenced id; an unknown id is reported, an id whose own row was rejected
    /// only makes this row unusable (its problem is already reported where it is defined). When
    /// the defining file could not be read whole, an unknown id is not reported either: it may
    /// be defined in the rows that could not be read.
    fn resolve(
        &self,
        row: &mut crate::csvread::Row,
        field: &str,
        code: Code,
        (what, file): (&str, &str),
    ) -> Option<usize> {
        let id = row.required(field)?;
        match self.index.get(id.as_str()) {
            Some(i) => Some(*i),
            None if self.all.contains(&id) || !self.complete => {
                row.ok = false;
                None
            }
            None => {
                row.problem(field, code, format!("{what} '{id}' is not in {file}"));
                None
            }
        }
    }
}

fn locality_field(row: &mut crate::csvread::Row, locs: &Known) -> Option<usize> {
    locs.resolve(
        row,
        "locality",
        Code::UnknownLocality,
        ("locality", "localities.csv"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_can_be_overridden_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        crate::demo::write_demo(dir.path()).unwrap();
        let s = load_scenario(dir.path()).unwrap();
        let origin = Path::new("sweep.toml");
        let v = with_settings(
            &s,
            &[
                ("capital_budget".into(), toml::Value::Float(1.0e6)),
                ("bases.lead_time".into(), toml::Value::Integer(2)),
                (
                    "costs.independent_place".into(),
                    toml::Value::Float(80_000.0),
                ),
            ],
            origin,
        )
        .unwrap();
        assert_eq!(v.capital_budget, vec![1.0e6; 5]);
        assert_eq!(v.bases.lead_time, 2);
        assert_eq!(v.costs.independent_place, 80_000.0);
        assert_eq!(v.costs.special_place, s.costs.special_place);
        assert_eq!(v.history, s.history);

        let e = with_settings(
            &s,
            &[("bases.lead_time".into(), toml::Value::Integer(9))],
            origin,
        )
        .unwrap_err();
        assert!(e.to_string().contains("lead_time 9"), "{e}");
        let e = with_settings(
            &s,
            &[("costs.typo".into(), toml::Value::Float(1.0))],
            origin,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("E303") && e.to_string().contains("typo"),
            "{e}"
        );
        let e =
            with_settings(&s, &[("horizon".into(), toml::Value::Integer(3))], origin).unwrap_err();
        assert!(e.to_string().contains("cannot vary"), "{e}");
    }

    /// Regression: settings without an upper bound (or below a sane minimum) passed validate
    /// and failed later; `solver.time_limit_s = 1e19` made `plan` panic. Every numeric setting
    /// is checked against its documented range, NaN and infinities included, and the ends of
    /// each range are accepted.
    #[test]
    fn every_setting_range_is_checked_and_time_limit_1e19_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        crate::demo::write_demo(dir.path()).unwrap();
        let s = load_scenario(dir.path()).unwrap();
        let origin = Path::new("sweep.toml");
        use toml::Value::{Float as F, Integer as I};
        let bad: Vec<(&str, toml::Value)> = vec![
            ("solver.time_limit_s", F(1e19)),
            ("solver.time_limit_s", F(1e-9)),
            ("solver.time_limit_s", F(0.0)),
            ("solver.time_limit_s", F(f64::NAN)),
            ("solver.time_limit_s", F(f64::INFINITY)),
            ("solver.time_limit_s", F(604_801.0)),
            ("solver.mip_gap", F(f64::NAN)),
            ("solver.mip_gap", F(1.5)),
            ("discount_rate", F(f64::NAN)),
            ("discount_rate", F(0.3)),
            ("capital_budget", F(f64::NAN)),
            ("capital_budget", F(-1.0)),
            ("capital_budget", F(1e300)),
            ("capital_budget", F(1.1e10)),
            ("costs.capex_per_place", F(f64::INFINITY)),
            ("costs.special_place", F(2e9)),
            ("costs.transport_per_km", F(-1.0)),
            ("journey.primary", F(f64::NAN)),
            ("journey.secondary", F(0.0)),
            ("journey.post19", F(601.0)),
            ("travel.detour_factor", F(f64::NAN)),
            ("travel.speed_kmh", F(0.5)),
            ("travel.fixed_minutes", F(121.0)),
            ("bases.max_size", I(0)),
            ("bases.max_size", I(4_000_000_000)),
            ("bases.max_size", I(1_001)),
            ("bases.min_size", I(21)),
            ("bases.lead_time", I(6)),
            ("forecast.trend_damping", F(f64::NAN)),
            ("forecast.max_rate_growth", F(1.5)),
            ("forecast.shrinkage_plans", F(f64::NAN)),
            ("forecast.shrinkage_plans", F(1e300)),
            ("forecast.runs", I(0)),
            ("forecast.runs", I(100_001)),
        ];
        for (key, value) in bad {
            let shown = format!("{key} = {value}");
            let e = with_settings(&s, &[(key.to_string(), value)], origin)
                .err()
                .unwrap_or_else(|| panic!("{shown} was accepted"));
            assert!(
                e.iter()
                    .any(|p| p.code == Code::BadSetting && p.field.as_deref() == Some(key)),
                "{shown}: {e}"
            );
        }
        let good: Vec<(&str, toml::Value)> = vec![
            ("solver.time_limit_s", F(0.1)),
            ("solver.time_limit_s", F(604_800.0)),
            ("capital_budget", F(1e10)),
            ("costs.capex_per_place", F(1e9)),
            ("bases.max_size", I(1_000)),
            ("forecast.shrinkage_plans", F(1e6)),
            ("forecast.runs", I(100_000)),
        ];
        for (key, value) in good {
            let shown = format!("{key} = {value}");
            if let Err(e) = with_settings(&s, &[(key.to_string(), value)], origin) {
                panic!("{shown} was refused: {e}");
            }
        }
    }

    #[test]
    fn setting_positions_are_the_key_the_lever_or_the_table() {
        let text = "name = \"x\"\n[bases]\nmin_size = 8\n\n[[levers]]\nvalue = 1.0\n\n  [[levers]]\nvalue = 9.0\n";
        let doc = toml::de::DeTable::parse(text).unwrap();
        let at = |field: &str| setting_offset(doc.get_ref(), field).map(|o| line_col(text, o));
        assert_eq!(at("name"), Some((1, 1)));
        assert_eq!(at("bases.min_size"), Some((3, 1)));
        // Left out of the file: the table that would hold it.
        assert_eq!(at("bases.lead_time"), Some((2, 2)));
        assert_eq!(at("levers[1]"), Some((8, 3)));
        assert_eq!(at("levers[0]"), Some((5, 1)));
        assert_eq!(at("solver.time_limit_s"), None);
        // No such lever: where the levers start.
        assert_eq!(at("levers[7]"), Some((5, 3)));
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = x\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        // byte offset of 'x' is 6 + "bé = ".len() = 6 + 6
        assert_eq!(line_col(t, 12), (2, 6));
    }
}
