//! `scenario.toml`: its keys as types, reading it with positions for every problem, range
//! checks of every setting, and changing settings by dotted key (sweep variants).

use std::path::Path;

use serde::{Deserialize, Serialize};

use placeplan_model::domain::*;
use placeplan_model::error::{Code, InputError, Problems};

use super::*;

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
    /// Optional GeoJSON boundaries of the localities (`code` = locality id), drawn on the
    /// report's map; empty for none.
    pub boundaries: String,
    /// Optional: the authority's pupils in other authorities' schools in the base year; empty
    /// for none.
    pub placed_elsewhere: String,
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
            boundaries: String::new(),
            placed_elsewhere: String::new(),
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
    pub expansion: ExpansionRules,
    #[serde(default)]
    pub new_school: NewSchoolRules,
    #[serde(default)]
    pub capital: CapitalSettings,
    #[serde(default)]
    pub forecast: ForecastSettings,
    #[serde(default)]
    pub solver: SolverSettings,
    /// `[[levers]]` tables.
    #[serde(default)]
    pub levers: Vec<Lever>,
}

pub(super) fn default_horizon() -> u32 {
    5
}
pub(super) fn default_discount() -> f64 {
    0.035
}
pub(super) fn default_budget() -> Budget {
    Budget::PerYear(5_000_000.0)
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
            expansion: s.expansion.clone(),
            new_school: s.new_school.clone(),
            capital: s.capital.clone(),
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

pub(super) fn apply_settings(
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
    out.expansion = file.expansion;
    out.new_school = file.new_school;
    out.capital = file.capital;
    out.forecast = file.forecast;
    out.solver = file.solver;
    out.levers = file.levers;
    Ok(out)
}

pub(super) fn set_dotted(
    table: &mut toml::Table,
    key: &str,
    value: toml::Value,
) -> Result<(), String> {
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

pub(super) fn read_scenario_toml(
    path: &Path,
    problems: &mut Problems,
) -> Option<(ScenarioFile, String)> {
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
pub(super) fn place_settings(path: &Path, text: &str, problems: &mut Problems) {
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
pub(super) fn setting_offset(doc: &toml::de::DeTable, field: &str) -> Option<usize> {
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
pub(super) fn check_settings(path: &Path, f: &ScenarioFile, problems: &mut Problems) {
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
        ("costs.move_cost", c.move_cost),
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
    for (need, r) in &b.sizes {
        let key = format!("bases.sizes.{}", need.code());
        if r.max_size == 0 || r.max_size > MAX_BASE_SIZE {
            bad(
                &format!("{key}.max_size"),
                format!(
                    "max_size {} must be 1 to {MAX_BASE_SIZE} places",
                    r.max_size
                ),
            );
        }
        if r.min_size > r.max_size {
            bad(
                &format!("{key}.min_size"),
                format!(
                    "base sizes need 0 <= min_size <= max_size, found {}..{}",
                    r.min_size, r.max_size
                ),
            );
        }
        if !b.needs.contains(need) {
            bad(
                &key,
                format!(
                    "a size range for {} bases, but {} is not in bases.needs, so no such base is planned",
                    need.code(),
                    need.code()
                ),
            );
        }
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
    check_new_provision(f, &mut bad);
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
    let c = &f.capital;
    if !(1..=MAX_ASSET_LIFE).contains(&c.asset_life) {
        bad(
            "capital.asset_life",
            format!(
                "asset_life {} must be 1 to {MAX_ASSET_LIFE} years",
                c.asset_life
            ),
        );
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
    if !(MIN_OCCUPANCY_TARGET..=1.0).contains(&s.occupancy_target) {
        bad(
            "solver.occupancy_target",
            format!(
                "occupancy_target {} must be {MIN_OCCUPANCY_TARGET} to 1 (a share of places)",
                s.occupancy_target
            ),
        );
    }
    if s.bring_back && !s.stability {
        bad(
            "solver.bring_back",
            "bring_back = true needs stability = true: without stability every pupil is placed anew each year and nobody is brought back".to_string(),
        );
    }
    if !(0.0..=1.0).contains(&s.mip_gap) {
        bad(
            "solver.mip_gap",
            format!("mip_gap {} must be 0 to 1", s.mip_gap),
        );
    }
}

/// `[expansion]` and `[new_school]`: sizes, lead times and capital within reason.
fn check_new_provision(f: &ScenarioFile, bad: &mut impl FnMut(&str, String)) {
    let e = &f.expansion;
    if e.class_size == 0 || e.class_size > MAX_BASE_SIZE {
        bad(
            "expansion.class_size",
            format!(
                "class_size {} must be 1 to {MAX_BASE_SIZE} places",
                e.class_size
            ),
        );
    }
    let n = &f.new_school;
    if n.max_size == 0 || n.max_size > MAX_SCHOOL_SIZE {
        bad(
            "new_school.max_size",
            format!(
                "max_size {} must be 1 to {MAX_SCHOOL_SIZE} places",
                n.max_size
            ),
        );
    }
    if n.min_size > n.max_size {
        bad(
            "new_school.min_size",
            format!(
                "school sizes need 0 <= min_size <= max_size, found {}..{}",
                n.min_size, n.max_size
            ),
        );
    }
    // A lead time past the horizon is allowed: such places cannot open within the plan, so
    // none are funded (a short plan keeps the default lead times).
    for (field, lead) in [
        ("expansion.lead_time", e.lead_time),
        ("new_school.lead_time", n.lead_time),
    ] {
        if lead > MAX_LEAD_TIME {
            bad(
                field,
                format!("lead_time {lead} must be at most {MAX_LEAD_TIME} years"),
            );
        }
    }
    for (field, money) in [
        ("expansion.capex_per_place", e.capex_per_place),
        ("new_school.capex_per_place", n.capex_per_place),
        ("new_school.lump_sum", n.lump_sum),
    ] {
        if !(money.is_finite() && (0.0..=MAX_BUDGET).contains(&money)) {
            bad(
                field,
                format!("{money} must be between 0 and {MAX_BUDGET:e} pounds"),
            );
        }
    }
}
