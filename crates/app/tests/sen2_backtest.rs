//! Backtest on the real DfE SEN2 release. The data is found through PLACEPLAN_DATA or
//! ../../../shared/data relative to this crate; when absent the tests say so loudly and pass,
//! except in CI (env `CI` set), where they fail.

use std::path::PathBuf;

use placeplan_app::backtest::{
    backtest, pool_reports, run_backtest_cli, run_backtest_cli_origins, Method,
};
use placeplan_io::import::sen2::{read_sen2, read_sen2_files, Kind};

#[path = "../../../tests/support/data.rs"]
mod data;

fn data_dir() -> Option<PathBuf> {
    data::shared_data(&[
        "dfe-sen2-2022/sen2_age_caseload.csv",
        "dfe-sen2-2022/sen2_age_new_plans.csv",
    ])
    .map(|d| d.join("dfe-sen2-2022"))
}

/// The backtest with settings `st` at origins 2015-2019, horizons 1-5, pooled: the run the
/// printed tables for docs/forecasting.md come from.
fn pooled_2015_2019(
    s: &[placeplan_io::import::sen2::Sen2Series],
    st: &placeplan_app::backtest::BacktestSettings,
) -> placeplan_app::backtest::PooledReport {
    let reports: Vec<_> = [2015, 2016, 2017, 2018, 2019]
        .iter()
        .map(|&o| placeplan_app::backtest::backtest_with(s, None, o, 5, None, st))
        .collect();
    pool_reports(&reports)
}

/// The caseload, new-plans and (when present) establishment-type files, as the command reads
/// them.
fn files(dir: &std::path::Path) -> Vec<(PathBuf, Kind)> {
    let mut f = vec![
        (dir.join("sen2_age_caseload.csv"), Kind::Caseload),
        (dir.join("sen2_age_new_plans.csv"), Kind::NewPlans),
    ];
    let estab = dir.join("sen2_estab_caseload.csv");
    if estab.is_file() {
        f.push((estab, Kind::Establishments));
    }
    f
}

#[test]
fn real_sen2_reads_every_local_authority() {
    let Some(dir) = data_dir() else { return };
    let s = read_sen2(
        &dir.join("sen2_age_caseload.csv"),
        Some(&dir.join("sen2_age_new_plans.csv")),
    )
    .expect("the DfE files read without problems");
    let wirral = s.iter().find(|s| s.la_code == "E08000015").expect("Wirral");
    assert_eq!(wirral.old_la_code, "344");
    assert_eq!(wirral.total(2015), Some(1564.0));
    assert_eq!(wirral.total(2019), Some(2121.0));
    assert_eq!(wirral.total(2022), Some(3291.0));
    let gateshead = s
        .iter()
        .find(|s| s.old_la_code == "390")
        .expect("Gateshead");
    assert_eq!(gateshead.la_code, "E08000037");
    assert_eq!(gateshead.years(), Some((2010, 2022)));
    let national_2022: f64 = s.iter().filter_map(|s| s.total(2022)).sum();
    assert_eq!(national_2022, 473_255.0);
    let text = placeplan_io::import::sen2::summary(&s);
    eprintln!("{text}");
    assert!(text.contains("code change: Gateshead (E08000037) was E08000020"));
    assert!(text.contains("partial series (boundary change): Bournemouth, Christchurch and Poole (E06000058, DfE 839) January 2020-2022"));
    assert!(text.contains(
        "partial series (boundary change): Northamptonshire (E10000021, DfE 928) January 2010-2021"
    ));
    // 152 authorities of 2022 plus Bournemouth, Poole, Dorset (old) and Northamptonshire.
    assert_eq!(s.len(), 156);
}

#[test]
fn placeplan_beats_naive_baselines_at_horizon_5_and_is_deterministic() {
    let Some(dir) = data_dir() else { return };
    let case = dir.join("sen2_age_caseload.csv");
    let newp = dir.join("sen2_age_new_plans.csv");
    let s = read_sen2_files(&files(&dir)).unwrap();
    let reports: Vec<_> = [2015, 2016, 2017]
        .iter()
        .map(|&o| backtest(&s, None, o, 5, None))
        .collect();
    let pooled = pool_reports(&reports);
    let text = run_backtest_cli_origins(
        &case,
        Some(&newp),
        None,
        &[2015, 2016, 2017],
        5,
        None,
        false,
    )
    .unwrap();
    eprintln!("{text}");
    let at = |m: Method| {
        pooled
            .scores
            .iter()
            .find(|x| x.method == m && x.horizon == 5)
            .unwrap()
            .mape
    };
    let pp = at(Method::Placeplan);
    for m in [
        Method::LastValue,
        Method::LinearTrend,
        Method::ConstantGrowth,
    ] {
        assert!(
            pp < at(m),
            "pooled: placeplan {pp:.1}% vs {} {:.1}%",
            m.as_str(),
            at(m)
        );
    }
    // Per origin: placeplan beats every baseline at 2016 and 2017. At 2015 every method misses
    // the post-2015 surge by about a third; constant growth was within a point of placeplan
    // there with each authority's own trend (32.6% vs 33.1%), and that is what this asserts
    // (with the national trend placeplan has 30.2%; docs/forecasting.md).
    for r in &reports {
        let at = |m: Method| {
            r.scores
                .iter()
                .find(|x| x.method == m && x.horizon == 5)
                .unwrap()
                .mape
        };
        let pp = at(Method::Placeplan);
        for m in [
            Method::LastValue,
            Method::LinearTrend,
            Method::ConstantGrowth,
        ] {
            let slack = if r.origin == 2015 && m == Method::ConstantGrowth {
                1.0
            } else {
                0.0
            };
            assert!(
                pp < at(m) + slack,
                "origin {}: placeplan {pp:.1}% vs {} {:.1}%",
                r.origin,
                m.as_str(),
                at(m)
            );
        }
    }
    assert!(pp < 26.0, "pooled placeplan MAPE {pp:.1}% regressed");
    let again = run_backtest_cli_origins(
        &case,
        Some(&newp),
        None,
        &[2015, 2016, 2017],
        5,
        None,
        false,
    )
    .unwrap();
    assert_eq!(text, again);
    let j1 = run_backtest_cli(&case, None, None, 2017, 5, None, true).unwrap();
    let j2 = run_backtest_cli(&case, None, None, 2017, 5, None, true).unwrap();
    assert_eq!(j1, j2);
}

/// Sensitivity of the pooled scores to each setting, one at a time (printed for
/// docs/forecasting.md): `cargo test -p placeplan-app --test sen2_backtest -- --ignored --nocapture`.
#[test]
#[ignore = "prints the sensitivity table for docs/forecasting.md"]
fn sensitivity_of_pooled_scores_to_settings() {
    use placeplan_app::backtest::{BacktestSettings, Measure};
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    let base = BacktestSettings::default();
    let mut variants: Vec<(String, BacktestSettings)> = vec![("default".into(), base.clone())];
    for v in [3, 5] {
        variants.push((
            format!("history_years={v}"),
            BacktestSettings {
                history_years: v,
                ..base.clone()
            },
        ));
    }
    for v in [1, 2, 3] {
        variants.push((
            format!("error_origins={v}"),
            BacktestSettings {
                error_origins: v,
                ..base.clone()
            },
        ));
    }
    for v in [0.5, 0.75] {
        variants.push((
            format!("error_scale_power={v}"),
            BacktestSettings {
                error_scale_power: v,
                ..base.clone()
            },
        ));
    }
    for v in [0.5, 0.25, 0.0] {
        variants.push((
            format!("own_trend_weight={v}"),
            BacktestSettings {
                own_trend_weight: v,
                ..base.clone()
            },
        ));
    }
    for v in [0.6, 0.9, 1.0] {
        variants.push((
            format!("damping={v}"),
            BacktestSettings {
                damping: v,
                ..base.clone()
            },
        ));
    }
    eprintln!("| settings | plans MAPE h1 / h3 / h5 | plans bias h5 | plans cov80 h3 / h5 (below/above h5) | width h3 / h5 | IS% h3 / h5 | specialist MAPE h3 | specialist bias h3 | specialist cov80 h3 |");
    eprintln!("|---|---|---|---|---|---|---|---|---|");
    for (name, st) in variants {
        let p = pooled_2015_2019(&s, &st);
        let at = |m: Measure, h: u32| {
            p.scores
                .iter()
                .find(|x| x.measure == m && x.method == Method::Placeplan && x.horizon == h)
                .unwrap()
        };
        let iv = |m: Measure, h: u32| at(m, h).interval.unwrap_or_default();
        eprintln!(
            "| {name} | {:.1} / {:.1} / {:.1} | {:+.1} | {:.1} / {:.1} ({:.1}/{:.1}) | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} | {:+.1} | {:.1} |",
            at(Measure::Plans, 1).mape,
            at(Measure::Plans, 3).mape,
            at(Measure::Plans, 5).mape,
            at(Measure::Plans, 5).bias,
            iv(Measure::Plans, 3).coverage,
            iv(Measure::Plans, 5).coverage,
            iv(Measure::Plans, 5).below,
            iv(Measure::Plans, 5).above,
            iv(Measure::Plans, 3).median_width,
            iv(Measure::Plans, 5).median_width,
            iv(Measure::Plans, 3).score,
            iv(Measure::Plans, 5).score,
            at(Measure::Specialist, 3).mape,
            at(Measure::Specialist, 3).bias,
            iv(Measure::Specialist, 3).coverage,
        );
    }
}

/// The scenario forecast's own Monte Carlo P10-P90 (what `forecast.csv` reports) against the
/// intervals from its track record, pooled over origins 2015-2019 (printed for
/// docs/forecasting.md): `cargo test --release -p placeplan-app --test sen2_backtest --
/// --ignored --nocapture monte_carlo`.
#[test]
#[ignore = "prints the interval comparison for docs/forecasting.md"]
fn monte_carlo_bands_against_the_track_record() {
    use placeplan_app::backtest::{BacktestSettings, IntervalSource, Measure};
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    eprintln!("| interval | measure | h | cov80 | below / above | width | IS% |");
    eprintln!("|---|---|---|---|---|---|---|");
    for (name, source) in [
        ("track record", IntervalSource::TrackRecord),
        ("Monte Carlo", IntervalSource::MonteCarlo { runs: 1000 }),
        ("wider of both", IntervalSource::Wider { runs: 1000 }),
    ] {
        let st = BacktestSettings {
            interval_source: source,
            ..BacktestSettings::default()
        };
        let p = pooled_2015_2019(&s, &st);
        for m in Measure::ALL {
            for h in 1..=5 {
                let Some(x) = p
                    .scores
                    .iter()
                    .find(|x| x.measure == m && x.method == Method::Placeplan && x.horizon == h)
                else {
                    continue;
                };
                let iv = x.interval.unwrap_or_default();
                eprintln!(
                    "| {name} | {} | {h} | {:.1} | {:.1} / {:.1} | {:.1} | {:.1} |",
                    m.as_str(),
                    iv.coverage,
                    iv.below,
                    iv.above,
                    iv.median_width,
                    iv.score
                );
            }
        }
    }
}

/// The specialist share projected by transitions between settings, by the base-year share
/// with its damped trend, and a blend, pooled over origins 2015-2019 (printed for
/// docs/forecasting.md): `cargo test --release -p placeplan-app --test sen2_backtest --
/// --ignored --nocapture share_methods`.
#[test]
#[ignore = "prints the share-method comparison for docs/forecasting.md"]
fn share_methods_compared() {
    use placeplan_app::backtest::{BacktestSettings, Measure};
    use placeplan_model::forecast::ShareMethod;
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    eprintln!("| share | MAPE h1 / h2 / h3 / h4 / h5 | bias h1 / h3 / h5 | cov80 h3 | IS% h3 |");
    eprintln!("|---|---|---|---|---|");
    for (name, m) in [
        ("trend", ShareMethod::Trend),
        ("transitions", ShareMethod::Transitions),
        ("blend 0.5", ShareMethod::Blend(0.5)),
    ] {
        let st = BacktestSettings {
            share_method: m,
            ..BacktestSettings::default()
        };
        let p = pooled_2015_2019(&s, &st);
        let at = |h: u32| {
            p.scores
                .iter()
                .find(|x| {
                    x.measure == Measure::Specialist
                        && x.method == Method::Placeplan
                        && x.horizon == h
                })
                .unwrap()
        };
        let iv = at(3).interval.unwrap_or_default();
        eprintln!(
            "| {name} | {:.1} / {:.1} / {:.1} / {:.1} / {:.1} | {:+.1} / {:+.1} / {:+.1} | {:.1} | {:.1} |",
            at(1).mape,
            at(2).mape,
            at(3).mape,
            at(4).mape,
            at(5).mape,
            at(1).bias,
            at(3).bias,
            at(5).bias,
            iv.coverage,
            iv.score
        );
    }
}

/// The national trend the scenario forecast shrinks towards
/// (`placeplan_model::forecast::NATIONAL_TREND`) is the backtest's at origin 2022: every
/// authority's caseload of Januarys 2018-2022 summed and calibrated as one.
#[test]
fn the_national_trend_is_the_backtests() {
    use placeplan_app::backtest::{national_trend, BacktestSettings};
    use placeplan_model::forecast::NATIONAL_TREND;
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    let t = national_trend(&s, 2022, &BacktestSettings::default()).unwrap();
    eprintln!("national trend at origin 2022: {t:.6}");
    assert!(
        (NATIONAL_TREND - t).abs() < 1e-6,
        "{NATIONAL_TREND} vs {t:.6}"
    );
}

#[test]
fn one_authority_gets_the_same_forecast_as_in_the_all_authority_run() {
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    let all = backtest(&s, None, 2017, 5, None);
    let one = backtest(&s, None, 2017, 5, Some("344"));
    assert_eq!(one.scored, 1);
    let wirral: Vec<_> = all
        .forecasts
        .iter()
        .filter(|f| f.la_code == "E08000015")
        .cloned()
        .collect();
    assert_eq!(one.forecasts, wirral);
    let text = run_backtest_cli(
        &dir.join("sen2_age_caseload.csv"),
        None,
        None,
        2017,
        5,
        Some("E08000015"),
        false,
    )
    .unwrap();
    eprintln!("{text}");
    assert!(text.contains("authority: Wirral (E08000015)"));
}

#[test]
fn post_origin_data_cannot_change_a_forecast_or_its_interval() {
    let Some(dir) = data_dir() else { return };
    let mut s = read_sen2_files(&files(&dir)).unwrap();
    let before = backtest(&s, None, 2016, 5, None);
    assert!(before.scored > 100);
    // Double every caseload and placement after January 2016 and every new plan from
    // calendar 2016.
    for x in &mut s {
        for (y, row) in x.caseload.iter_mut() {
            if *y > 2016 {
                row.iter_mut().flatten().for_each(|v| *v *= 2.0);
            }
        }
        for (y, t) in x.caseload_total.iter_mut() {
            if *y > 2016 {
                t.iter_mut().for_each(|v| *v *= 2.0);
            }
        }
        for (y, row) in x.placements.iter_mut() {
            if *y > 2016 {
                row.iter_mut().for_each(|v| *v *= 2.0);
            }
        }
        for (y, row) in x.new_plans.iter_mut() {
            if *y >= 2016 {
                row.iter_mut().flatten().for_each(|v| *v *= 2.0);
            }
        }
        for (y, t) in x.new_plans_total.iter_mut() {
            if *y >= 2016 {
                t.iter_mut().for_each(|v| *v *= 2.0);
            }
        }
    }
    let after = backtest(&s, None, 2016, 5, None);
    assert_eq!(before.calibration, after.calibration);
    assert_eq!(before.forecasts.len(), after.forecasts.len());
    // Both measures are covered when the establishment file is there.
    let measures: std::collections::BTreeSet<_> =
        before.forecasts.iter().map(|f| f.measure).collect();
    eprintln!("measures scored: {measures:?}");
    for (a, b) in before.forecasts.iter().zip(&after.forecasts) {
        assert_eq!(
            (
                a.measure,
                a.placeplan,
                a.low,
                a.high,
                a.last_value,
                a.linear_trend,
                a.constant_growth
            ),
            (
                b.measure,
                b.placeplan,
                b.low,
                b.high,
                b.last_value,
                b.linear_trend,
                b.constant_growth
            )
        );
        assert_eq!(b.actual, 2.0 * a.actual);
    }
}

#[test]
fn ons_population_is_matched_and_changes_no_forecast() {
    let Some(dir) = data_dir() else { return };
    let ons = dir.join("../ons/lad_population_by_single_year_age.csv");
    if !ons.is_file() {
        eprintln!(
            "\n*** SKIPPED: ONS population not found at {} ***\n",
            ons.display()
        );
        return;
    }
    let s = read_sen2(
        &dir.join("sen2_age_caseload.csv"),
        Some(&dir.join("sen2_age_new_plans.csv")),
    )
    .unwrap();
    let pop = placeplan_app::backtest::read_population_bands(&ons).expect("ONS file reads");
    let a = backtest(&s, None, 2017, 5, None);
    let b = backtest(&s, Some(&pop), 2017, 5, None);
    assert_eq!(a.forecasts, b.forecasts);
    let matched = b.population_matched.unwrap();
    eprintln!(
        "population matched for {matched} of {} authorities",
        s.len()
    );
    assert!(matched > 100);
}

/// What docs/forecasting.md says of the issue 18 targets that are not met, measured:
/// - the width target at h3 is narrower than the national-growth reference's own shortest
///   interval holding 80% (total plans 27.2%, specialist placements 25.3%) or 75% of its actuals;
/// - the national total itself, forecast from the same pre-origin history, is under-forecast by
///   more than 20% at h5 on average over the origins (the 2016-2021 surge);
/// - at origin 2019, whose history holds the surge, the forecast of total plans is within 1
///   point of the reference's MAPE at every horizon scored.
#[test]
fn the_targets_not_met_rest_on_the_national_surge() {
    use placeplan_app::backtest::{BacktestSettings, Measure};
    let Some(dir) = data_dir() else { return };
    let s = read_sen2_files(&files(&dir)).unwrap();
    let st = BacktestSettings::default();
    let pooled = pooled_2015_2019(&s, &st);
    let hindsight = |m: Measure, h: u32| {
        pooled
            .reference
            .iter()
            .find(|r| r.measure == m && r.horizon == h)
            .and_then(|r| r.interval)
            .unwrap()
            .median_width
    };
    assert!(hindsight(Measure::Plans, 3) > 20.0 + 5.0);
    assert!(s.iter().any(|x| !x.placements.is_empty()));
    assert!(hindsight(Measure::Specialist, 3) > 20.0 + 5.0);
    // Even holding only 75% (the lower end of the coverage target) it is wider than 20% at h3.
    let at_75 = pooled_2015_2019(
        &s,
        &BacktestSettings {
            interval: 0.75,
            ..BacktestSettings::default()
        },
    );
    let plans_h3_75 = at_75
        .reference
        .iter()
        .find(|r| r.measure == Measure::Plans && r.horizon == 3)
        .and_then(|r| r.interval)
        .unwrap();
    eprintln!("reference h3, 75%: width {:.1}%", plans_h3_75.median_width);
    assert!(plans_h3_75.coverage >= 75.0);
    assert!(plans_h3_75.median_width > 20.0);
    let national_h5 = pooled
        .national
        .iter()
        .find(|n| n.0 == Measure::Plans && n.1 == 5)
        .unwrap();
    assert_eq!(
        national_h5.3, 3,
        "origins 2015-2017 reach January 2020-2022"
    );
    assert!(national_h5.2 < -20.0, "{}", national_h5.2);
    let r2019 = placeplan_app::backtest::backtest_with(&s, None, 2019, 5, None, &st);
    for h in 1..=3u32 {
        let at = |v: &[placeplan_app::backtest::HorizonScore], m: Option<Method>| {
            v.iter()
                .find(|x| {
                    x.measure == Measure::Plans && x.horizon == h && m.is_none_or(|m| x.method == m)
                })
                .unwrap()
                .mape
        };
        let (pp, reference) = (
            at(&r2019.scores, Some(Method::Placeplan)),
            at(&r2019.reference, None),
        );
        assert!(pp <= reference + 1.0, "h{h}: {pp:.1} vs {reference:.1}");
        let national = r2019
            .national
            .iter()
            .find(|n| n.measure == Measure::Plans && n.horizon == h)
            .unwrap();
        assert!(national.error().abs() < 1.0, "h{h}: {}", national.error());
    }
}
