//! Loading a scenario directory: `scenario.toml` plus CSV files, mapped into [`Scenario`].
//!
//! Every file is read completely and every problem is collected; cross-file checks
//! ([`crate::validate`]) run on whatever could be read, so one run reports everything.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::csvread::resolve;
use crate::validate::{cross_check, ResolvedFiles};
use placeplan_model::domain::*;
use placeplan_model::error::{Code, InputError, Problems};

mod host_columns;
mod settings;
mod tables;

pub use settings::*;
use tables::*;

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
/// Longest lead time of an expansion or a new school, in years.
pub const MAX_LEAD_TIME: u32 = 20;
/// Largest new special school, in places.
pub const MAX_SCHOOL_SIZE: u32 = 2_000;
/// Longest service life of a new place accepted, in years.
pub const MAX_ASSET_LIFE: u32 = 200;
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
    let placed_elsewhere = if file.files.placed_elsewhere.is_empty() {
        Vec::new()
    } else {
        read_placed_elsewhere(
            &path(&file.files.placed_elsewhere),
            &locs,
            &file.costs,
            &mut problems,
        )
    };
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

    let outlines = if file.files.boundaries.is_empty() {
        Vec::new()
    } else {
        read_outlines(&path(&file.files.boundaries), &localities, &mut problems)
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
        expansion: file.expansion,
        new_school: file.new_school,
        capital: file.capital,
        forecast: file.forecast,
        solver: file.solver,
        levers: file.levers,
        localities,
        schools,
        provisions,
        population,
        history,
        roads,
        placed_elsewhere,
        outlines,
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
    cross_check(&scenario, &files, &mut problems);
    if problems.is_empty() {
        Ok(scenario)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// The boundaries file: one feature per locality (`code` = its id), read by the same GeoJSON
/// reader as `init`'s; a code that is no locality is E202. Localities without a feature get no
/// outline.
fn read_outlines(
    file: &Path,
    localities: &[Locality],
    problems: &mut Problems,
) -> Vec<Vec<Vec<(f64, f64)>>> {
    let features = crate::init::boundaries::read_boundaries(file, problems);
    let mut out = vec![Vec::new(); localities.len()];
    for b in features {
        match localities.iter().position(|l| l.id == b.code) {
            Some(i) => out[i] = b.rings,
            None => problems.push(
                InputError::new(
                    file,
                    Code::UnknownLocality,
                    format!("boundary '{}' is not a locality in localities.csv", b.code),
                )
                .field("code"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use placeplan_model::error::Code;

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
            ("solver.occupancy_target", F(0.49)),
            ("solver.occupancy_target", F(1.01)),
            ("solver.occupancy_target", F(f64::NAN)),
            ("discount_rate", F(f64::NAN)),
            ("discount_rate", F(0.3)),
            ("capital_budget", F(f64::NAN)),
            ("capital_budget", F(-1.0)),
            ("capital_budget", F(1e300)),
            ("capital_budget", F(1.1e10)),
            ("costs.capex_per_place", F(f64::INFINITY)),
            ("costs.special_place", F(2e9)),
            ("costs.transport_per_km", F(-1.0)),
            ("costs.move_cost", F(f64::NAN)),
            ("costs.move_cost", F(-1.0)),
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
            ("expansion.class_size", I(0)),
            ("expansion.class_size", I(1_001)),
            ("expansion.lead_time", I(21)),
            ("expansion.capex_per_place", F(f64::NAN)),
            ("expansion.capex_per_place", F(1.1e10)),
            ("new_school.max_size", I(0)),
            ("new_school.max_size", I(2_001)),
            ("new_school.min_size", I(151)),
            ("new_school.lead_time", I(21)),
            ("new_school.capex_per_place", F(-1.0)),
            ("new_school.lump_sum", F(f64::INFINITY)),
            ("new_school.lump_sum", F(-1.0)),
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
            ("solver.occupancy_target", F(0.5)),
            ("solver.occupancy_target", F(1.0)),
            ("capital_budget", F(1e10)),
            ("costs.capex_per_place", F(1e9)),
            ("costs.move_cost", F(0.0)),
            ("bases.max_size", I(1_000)),
            ("forecast.shrinkage_plans", F(1e6)),
            ("forecast.runs", I(100_000)),
            ("expansion.class_size", I(1_000)),
            ("expansion.lead_time", I(20)),
            ("new_school.max_size", I(2_000)),
            ("new_school.min_size", I(150)),
            ("new_school.lead_time", I(20)),
            ("new_school.lump_sum", F(1e10)),
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
