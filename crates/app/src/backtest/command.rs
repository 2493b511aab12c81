//! The files and the command: ONS population by band, the SEN2 new-plans file beside the
//! caseload, and `placeplan backtest` over one or several origins (its usage problems coded).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use placeplan_io::csvread::read_csv;
use placeplan_io::import::sen2::{header_of, read_sen2_files, Kind};
use placeplan_model::error::{Code, InputError, Problems};

use super::la::{has_window, history};
use super::report::{BacktestSettings, BandPopulation, MAX_HORIZON};
use super::score::{backtest_with, pool_reports};
use super::table::{format_pooled, format_report};

// ---------------------------------------------------------------------------------------------
// Files and the command

/// Reads ONS mid-year population by single year of age (`code, name, all, 0, 1, ..., 90+`) into
/// [`BandPopulation`]. Ages 0-25 are required.
pub fn read_population_bands(path: &Path) -> Result<BandPopulation, Problems> {
    let ages: Vec<String> = (0..=25).map(|a| a.to_string()).collect();
    let mut required: Vec<&str> = vec!["code"];
    required.extend(ages.iter().map(String::as_str));
    let mut problems = Problems::default();
    let mut out = BandPopulation::new();
    let mut lines: BTreeMap<String, u64> = BTreeMap::new();
    read_csv(path, &required, &mut problems, |row| {
        let Some(code) = row.required("code") else {
            return;
        };
        let mut bands = [0.0; 5];
        let mut ok = true;
        for (a, col) in ages.iter().enumerate() {
            match row.non_negative(col) {
                Some(v) => bands[band_of_age(a)] += v,
                None => ok = false,
            }
        }
        if !ok {
            return;
        }
        if let Some(first) = lines.insert(code.clone(), row.line) {
            row.problem(
                "code",
                Code::DuplicateRow,
                format!("area {code} repeats line {first}"),
            );
            return;
        }
        out.insert(code, bands);
    });
    if problems.is_empty() {
        Ok(out)
    } else {
        problems.sort();
        Err(problems)
    }
}

fn band_of_age(a: usize) -> usize {
    match a {
        0..=4 => 0,
        5..=10 => 1,
        11..=15 => 2,
        16..=19 => 3,
        _ => 4,
    }
}

/// A file next to the caseload file, when it exists.
fn sibling(caseload: &Path, name: &str) -> Option<PathBuf> {
    let p = caseload.parent()?.join(name);
    (p.is_file() && p != caseload).then_some(p)
}

/// Reads the files and runs the backtest at one origin; returns the printed table, or JSON.
/// Placements by establishment type are read from `sen2_estab_caseload.csv` next to the
/// caseload file when it is there (specialist placements are scored only with it). `new_plans`
/// (default: `sen2_age_new_plans.csv` next to the caseload file, when there) is read and
/// checked but the forecast does not use it: the scenario forecast calibrates new plans from the
/// caseload.
pub fn run_backtest_cli(
    sen2: &Path,
    new_plans: Option<&Path>,
    population: Option<&Path>,
    origin: i32,
    horizon: u32,
    la: Option<&str>,
    json: bool,
) -> Result<String, Problems> {
    run_backtest_cli_origins(sen2, new_plans, population, &[origin], horizon, la, json)
}

/// [`run_backtest_cli`] over several origins, followed (for more than one) by the pooled scores
/// and the issue 18 targets. JSON is one report for one origin, else
/// `{"reports": [...], "pooled": {...}}`.
pub fn run_backtest_cli_origins(
    sen2: &Path,
    new_plans: Option<&Path>,
    population: Option<&Path>,
    origins: &[i32],
    horizon: u32,
    la: Option<&str>,
    json: bool,
) -> Result<String, Problems> {
    let kind = header_of(sen2)
        .and_then(|h| Kind::of_header(&h))
        .unwrap_or(Kind::Caseload);
    let mut files = vec![(sen2.to_path_buf(), kind)];
    if let Some(np) = new_plans
        .map(Path::to_path_buf)
        .or_else(|| sibling(sen2, "sen2_age_new_plans.csv"))
    {
        files.push((np, Kind::NewPlans));
    }
    if kind == Kind::Caseload {
        if let Some(estab) = sibling(sen2, "sen2_estab_caseload.csv") {
            files.push((estab, Kind::Establishments));
        }
    }
    let series = read_sen2_files(&files)?;
    let pop = match population {
        Some(p) => Some(read_population_bands(p)?),
        None => None,
    };
    let bad = |field: &str, code: Code, msg: String| {
        let mut p = Problems::default();
        p.push(InputError::new(sen2, code, msg).field(field));
        p
    };
    if !(1..=MAX_HORIZON).contains(&horizon) {
        return Err(bad(
            "horizon",
            Code::BadBacktestWindow,
            format!("horizon {horizon} must be 1 to {MAX_HORIZON} years"),
        ));
    }
    if let Some(c) = la {
        if !series.iter().any(|s| s.matches(c)) {
            return Err(bad(
                "la",
                Code::UnknownArea,
                format!("no local authority '{c}' in {}", sen2.display()),
            ));
        }
    }
    if origins.is_empty() {
        return Err(bad(
            "origin",
            Code::BadBacktestWindow,
            "no origin given".into(),
        ));
    }
    let st = BacktestSettings::default();
    let last = series.iter().filter_map(|s| s.years()).map(|y| y.1).max();
    let mut reports = Vec::new();
    for &o in origins {
        if !series.iter().any(|s| has_window(s, o, &st)) {
            let w = history(o, &st);
            return Err(bad(
                "origin",
                Code::BadBacktestWindow,
                format!(
                    "origin {o}: no authority has caseload for every January {}-{}",
                    w.start(),
                    w.end()
                ),
            ));
        }
        if last.is_none_or(|l| l <= o) {
            return Err(bad(
                "origin",
                Code::BadBacktestWindow,
                format!(
                    "origin {o}: no actuals after it (the data ends in January {})",
                    last.unwrap_or(o)
                ),
            ));
        }
        reports.push(backtest_with(&series, pop.as_ref(), o, horizon, la, &st));
    }
    let pooled = (reports.len() > 1).then(|| pool_reports(&reports));
    if json {
        let text = match (&pooled, reports.as_slice()) {
            (None, [one]) => serde_json::to_string_pretty(one),
            _ => serde_json::to_string_pretty(&serde_json::json!({
                "reports": reports,
                "pooled": pooled,
            })),
        };
        return Ok(text.unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n");
    }
    let mut out = String::new();
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format_report(r));
    }
    if let Some(p) = &pooled {
        out.push('\n');
        out.push_str(&format_pooled(p, &st));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use placeplan_io::import::sen2::{read_sen2, Sen2Series, DFE_BAND_LABELS};

    use super::super::test_series::synth;
    use super::*;

    /// Writes synthetic series as DfE-format caseload and new-plans files.
    fn write_files(dir: &Path, series: &[Sen2Series]) -> (PathBuf, PathBuf) {
        let head = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic_age";
        let mut case = format!("{head},Total_all\n");
        let mut new = format!("{head},Total_new_all\n");
        let line = |out: &mut String, y: &i32, s: &Sen2Series, age: &str, v: Option<f64>| {
            let v = v.map_or("x".to_string(), |v| v.to_string());
            let _ = writeln!(
                out,
                "{y},Calendar year,Local authority,E92000001,England,,,{},{},{},{age},{v}",
                s.old_la_code, s.la_code, s.name
            );
        };
        for s in series {
            for (y, row) in &s.caseload {
                line(&mut case, y, s, "Total", s.caseload_total[y]);
                for (b, v) in row.iter().enumerate() {
                    line(&mut case, y, s, DFE_BAND_LABELS[b], *v);
                }
            }
            for (y, row) in &s.new_plans {
                line(&mut new, y, s, "Total", s.new_plans_total[y]);
                for (b, v) in row.iter().enumerate() {
                    line(&mut new, y, s, DFE_BAND_LABELS[b], *v);
                }
            }
        }
        let c = dir.join("sen2_age_caseload.csv");
        let n = dir.join("sen2_age_new_plans.csv");
        std::fs::write(&c, case).unwrap();
        std::fs::write(&n, new).unwrap();
        (c, n)
    }

    #[test]
    fn the_command_reads_files_and_reports_usage_problems_with_codes() {
        let dir = tempfile::tempdir().unwrap();
        let series = vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.06),
            synth("E06000002", "806", 2010..=2022, 2.0, 0.03),
        ];
        let (case, newp) = write_files(dir.path(), &series);
        // The files written hold no placements.
        let back = read_sen2(&case, Some(&newp)).unwrap();
        let mut plain = series.clone();
        plain.iter_mut().for_each(|s| s.placements.clear());
        assert_eq!(back, plain);

        let text = run_backtest_cli(&case, None, None, 2016, 5, None, false).unwrap();
        assert!(text.contains("placeplan               5  2021"), "{text}");
        let one = run_backtest_cli(&case, None, None, 2016, 3, Some("806"), false).unwrap();
        assert!(one.contains("authority: LA 806 (E06000002)"), "{one}");
        let json = run_backtest_cli(&case, Some(&newp), None, 2016, 5, None, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["origin"], 2016);
        assert_eq!(v["scores"][0]["method"], "placeplan");
        // The national total's forecast is in the JSON too (docs/forecasting.md).
        let national = v["national"].as_array().unwrap();
        assert_eq!(national[0]["measure"], "plans");
        assert_eq!(national[0]["horizon"], 1);
        assert!(national[0]["forecast"].as_f64().unwrap() > 0.0);
        let multi =
            run_backtest_cli_origins(&case, None, None, &[2015, 2016], 5, None, false).unwrap();
        assert!(multi.contains("pooled over origins 2015, 2016"));
        assert!(multi.contains("targets (issue 18, pooled)"));
        assert!(multi.contains(
            "national total, forecast by placeplan as one authority (mean error over origins):"
        ));
        assert!(multi.contains("placeplan's forecast of the national total itself: "));
        assert!(multi.contains("its interval fitted in hindsight to its own errors"));
        assert!(text.contains("national total (the authorities eligible, summed), forecast by placeplan as one authority from the same Januarys:"));
        let mj = run_backtest_cli_origins(&case, None, None, &[2015, 2016], 5, None, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&mj).unwrap();
        assert_eq!(v["reports"].as_array().unwrap().len(), 2);

        let code = |r: Result<String, Problems>| r.unwrap_err().0[0].code;
        assert_eq!(
            code(run_backtest_cli(
                &case,
                None,
                None,
                2016,
                5,
                Some("E09999999"),
                false
            )),
            Code::UnknownArea
        );
        assert_eq!(
            code(run_backtest_cli(&case, None, None, 2016, 0, None, false)),
            Code::BadBacktestWindow
        );
        assert_eq!(
            code(run_backtest_cli(&case, None, None, 2011, 5, None, false)),
            Code::BadBacktestWindow
        );
        assert_eq!(
            code(run_backtest_cli(&case, None, None, 2022, 5, None, false)),
            Code::BadBacktestWindow
        );
        // The scenario forecast calibrates from the caseload: the new-plans file is optional,
        // but a named one that is missing is an error.
        std::fs::remove_file(&newp).unwrap();
        assert_eq!(
            run_backtest_cli(&case, None, None, 2016, 5, None, false).unwrap(),
            text
        );
        assert_eq!(
            code(run_backtest_cli(
                &case,
                Some(&newp),
                None,
                2016,
                5,
                None,
                false
            )),
            Code::MissingFile
        );
        let pop = dir.path().join("pop.csv");
        std::fs::write(&pop, "code,name,all,0,1\nE06000001,A,10,1,2\n").unwrap();
        let err = read_population_bands(&pop).unwrap_err();
        assert!(err.iter().all(|e| e.code == Code::MissingColumn));
    }

    #[test]
    fn population_bands_sum_single_years() {
        let dir = tempfile::tempdir().unwrap();
        let ages: Vec<String> = (0..=90).map(|a| a.to_string()).collect();
        let vals: Vec<String> = (0..=90).map(|_| "2".to_string()).collect();
        let text = format!(
            "code,name,all,{}\nE06000001,A,182,{}\nE06000002,B,1,{}\n",
            ages.join(","),
            vals.join(","),
            vals.iter()
                .enumerate()
                .map(|(i, v)| if i == 7 { "-1".to_string() } else { v.clone() })
                .collect::<Vec<_>>()
                .join(",")
        );
        let p = dir.path().join("pop.csv");
        std::fs::write(&p, text).unwrap();
        let err = read_population_bands(&p).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(
            (err.0[0].line, err.0[0].column, err.0[0].code),
            (Some(3), Some(11), Code::Negative)
        );
        let fixed = std::fs::read_to_string(&p).unwrap().replace(",-1,", ",2,");
        std::fs::write(&p, fixed).unwrap();
        let pop = read_population_bands(&p).unwrap();
        assert_eq!(pop["E06000001"], [10.0, 12.0, 10.0, 8.0, 12.0]);
    }
}
