//! The backtest at one origin: placeplan's intervals from its own past errors, the forecasts of
//! every scored authority, and their scores by method and horizon, alone or pooled over origins.

use serde::Serialize;

use placeplan_io::import::sen2::Sen2Series;

use super::band::{baselines, has_window, national, placeplan, window};
use super::report::{
    BacktestReport, BacktestSettings, BandPopulation, Calibration, Exclusion, HorizonScore,
    LaForecast, Method, MAX_HORIZON,
};

/// Quantile with linear interpolation of a sorted slice.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Interval quantiles by horizon, how many past errors they rest on, and the origins scored.
type PastErrors = (Vec<Option<(f64, f64)>>, usize, Vec<i32>);

/// Interval quantiles of log(actual/forecast) for horizons 1..=h, from placeplan forecasts made at
/// earlier origins o' < o and scored on actuals up to January o only. An error at horizon h' is
/// scaled by h/h' (trend-type errors grow linearly with the horizon) and pooled over h' <= h.
fn past_errors(series: &[Sen2Series], o: i32, h: u32, st: &BacktestSettings) -> PastErrors {
    let first = series
        .iter()
        .filter_map(|s| s.years())
        .map(|y| y.0)
        .min()
        .unwrap_or(o);
    let mut by_h: Vec<Vec<f64>> = vec![Vec::new(); h as usize + 1];
    let mut origins = Vec::new();
    for o2 in first..o {
        let Some(nat) = national(series, o2, st) else {
            continue;
        };
        let reach = ((o - o2) as u32).min(h);
        let mut any = false;
        for s in series {
            let Some(f) = placeplan(s, o2, reach, &nat, st) else {
                continue;
            };
            for (j, fv) in f.iter().enumerate() {
                let year = o2 + j as i32 + 1;
                debug_assert!(year <= o);
                if let Some(a) = s.total(year) {
                    if a > 0.0 && *fv > 0.0 {
                        by_h[j + 1].push((a / fv).ln());
                        any = true;
                    }
                }
            }
        }
        if any {
            origins.push(o2);
        }
    }
    let n_errors = by_h.iter().map(Vec::len).sum();
    let tail = (1.0 - st.interval.clamp(0.0, 1.0)) / 2.0;
    let mut out = Vec::new();
    for hh in 1..=h {
        let mut e: Vec<f64> = Vec::new();
        for (h2, errs) in by_h.iter().enumerate().skip(1).take(hh as usize) {
            let scale = hh as f64 / h2 as f64;
            e.extend(errs.iter().map(|x| x * scale));
        }
        if e.len() < st.min_interval_errors {
            out.push(None);
            continue;
        }
        e.sort_by(f64::total_cmp);
        out.push(Some((quantile(&e, tail), quantile(&e, 1.0 - tail))));
    }
    (out, n_errors, origins)
}

// ---------------------------------------------------------------------------------------------
// The backtest

/// Backtest at one origin with the default settings. `la` restricts scoring to one authority
/// (current or former code, DfE code or name); calibration always pools every authority.
pub fn backtest(
    series: &[Sen2Series],
    population: Option<&BandPopulation>,
    origin: i32,
    horizon: u32,
    la: Option<&str>,
) -> BacktestReport {
    backtest_with(
        series,
        population,
        origin,
        horizon,
        la,
        &BacktestSettings::default(),
    )
}

/// [`backtest`] with explicit settings.
pub fn backtest_with(
    series: &[Sen2Series],
    population: Option<&BandPopulation>,
    origin: i32,
    horizon: u32,
    la: Option<&str>,
    st: &BacktestSettings,
) -> BacktestReport {
    let h = horizon.clamp(1, MAX_HORIZON);
    let o = origin;
    let last_year = series
        .iter()
        .filter_map(|s| s.years())
        .map(|y| y.1)
        .max()
        .unwrap_or(o);
    let mut report = BacktestReport {
        origin: o,
        horizon: h,
        la: la.map(str::to_string),
        settings: st.clone(),
        scored: 0,
        excluded: Vec::new(),
        calibration: None,
        scores: Vec::new(),
        reference: Vec::new(),
        last_year,
        population_matched: population
            .map(|p| series.iter().filter(|s| p.contains_key(&s.la_code)).count()),
        notes: Vec::new(),
        forecasts: Vec::new(),
    };
    if horizon != h {
        report.notes.push(format!(
            "horizon {horizon} clamped to {h} (1-{MAX_HORIZON})"
        ));
    }
    if let Some(c) = la {
        if !series.iter().any(|s| s.matches(c)) {
            report
                .notes
                .push(format!("no local authority '{c}' in the data"));
            return report;
        }
    }
    let Some(nat) = national(series, o, st) else {
        let w = window(o, st);
        report.notes.push(format!(
            "no authority has caseload for January {}-{} and new plans for {}-{}: origin {o} cannot be backtested",
            w.stock.start(),
            w.stock.end(),
            w.new.start(),
            w.new.end()
        ));
        return report;
    };
    let target_last = (o + h as i32).min(last_year);
    if target_last <= o {
        report.notes.push(format!(
            "no actuals after January {o} (the data ends in {last_year})"
        ));
    } else if o + (h as i32) > last_year {
        report.notes.push(format!(
            "horizons beyond {} (January {}) have no actuals: the data ends in {last_year}",
            last_year - o,
            last_year
        ));
    }
    let (interval, n_errors, interval_origins) = past_errors(series, o, h, st);
    if interval.iter().any(Option::is_none) {
        report.notes.push(format!(
            "placeplan intervals need at least {} past errors scored before {o}; horizons without them have no interval",
            st.min_interval_errors
        ));
    }
    report.calibration = Some(Calibration {
        continuation: nat.c,
        new_plan_growth: nat.g.exp() - 1.0,
        pool: nat.pool,
        interval_log_errors: interval.clone(),
        interval_errors: n_errors,
        interval_origins,
    });

    // Every authority is checked (the reference row's national totals sum all those scoreable);
    // only the selected ones are scored and listed.
    let w = window(o, st);
    let mut eligible: Vec<&Sen2Series> = Vec::new();
    let mut scored: Vec<&Sen2Series> = Vec::new();
    for s in series {
        let reason = if !has_window(s, &w) {
            match s.years() {
                Some((first, _)) if first > o => {
                    format!("created after the origin (first January {first})")
                }
                Some((_, last)) if last < o => {
                    format!("abolished before the origin (last January {last})")
                }
                None => "no caseload in the data".to_string(),
                _ => format!(
                    "missing or suppressed values in the fitting years (January {}-{}, new plans {}-{})",
                    w.stock.start(),
                    w.stock.end(),
                    w.new.start(),
                    w.new.end()
                ),
            }
        } else if let Some(y) =
            ((o + 1)..=target_last).find(|&y| s.total(y).is_none_or(|v| v <= 0.0))
        {
            match s.years() {
                Some((_, last)) if last < y => format!(
                    "boundary change: series ends in January {last}, before the target year {y}"
                ),
                _ => format!("no actual total for January {y}"),
            }
        } else {
            eligible.push(s);
            if la.is_none_or(|c| s.matches(c)) {
                scored.push(s);
            }
            continue;
        };
        if la.is_none_or(|c| s.matches(c)) {
            report.excluded.push(Exclusion {
                la_code: s.la_code.clone(),
                name: s.name.clone(),
                reason,
            });
        }
    }
    report
        .excluded
        .sort_by(|a, b| (&a.la_code, &a.name).cmp(&(&b.la_code, &b.name)));
    report.scored = scored.len();
    let national_total = |y: i32| -> f64 { eligible.iter().filter_map(|s| s.total(y)).sum() };
    let nat_o = national_total(o);
    for s in &scored {
        let Some(pp) = placeplan(s, o, h, &nat, st) else {
            continue;
        };
        for j in 1..=h {
            let year = o + j as i32;
            if year > target_last {
                break;
            }
            let (Some(actual), Some((lv, lin, cg))) =
                (s.total(year), baselines(s, o, j, st.baseline_years))
            else {
                continue;
            };
            let f = pp[j as usize - 1];
            let iv = interval[j as usize - 1];
            report.forecasts.push(LaForecast {
                la_code: s.la_code.clone(),
                name: s.name.clone(),
                origin: o,
                horizon: j,
                year,
                actual,
                placeplan: f,
                low: iv.map(|q| f * q.0.exp()),
                high: iv.map(|q| f * q.1.exp()),
                last_value: lv,
                linear_trend: lin,
                constant_growth: cg,
                national_actual_growth: if nat_o > 0.0 {
                    lv * national_total(year) / nat_o
                } else {
                    lv
                },
            });
        }
    }
    let (scores, reference) = score(&report.forecasts, h, false);
    report.scores = scores;
    report.reference = reference;
    report
}

/// Scores per method and horizon; `pooled` leaves the year at 0.
fn score(rows: &[LaForecast], h: u32, pooled: bool) -> (Vec<HorizonScore>, Vec<HorizonScore>) {
    let mut scores = Vec::new();
    let mut reference = Vec::new();
    for j in 1..=h {
        let at: Vec<&LaForecast> = rows.iter().filter(|r| r.horizon == j).collect();
        if at.is_empty() {
            continue;
        }
        let year = if pooled { 0 } else { at[0].year };
        for m in Method::ALL {
            let mut s = stats(at.iter().map(|r| (r.value(m), r.actual)), m, j, year);
            if m == Method::Placeplan && at.iter().all(|r| r.low.is_some()) {
                let inside = at
                    .iter()
                    .filter(|r| {
                        r.low.is_some_and(|l| l <= r.actual)
                            && r.high.is_some_and(|u| r.actual <= u)
                    })
                    .count();
                s.coverage = Some(100.0 * inside as f64 / at.len() as f64);
            }
            scores.push(s);
        }
        reference.push(stats(
            at.iter().map(|r| (r.national_actual_growth, r.actual)),
            Method::LastValue,
            j,
            year,
        ));
    }
    (scores, reference)
}

fn stats(pairs: impl Iterator<Item = (f64, f64)>, m: Method, h: u32, year: i32) -> HorizonScore {
    let mut ape = Vec::new();
    let mut signed = 0.0;
    for (f, a) in pairs {
        let e = 100.0 * (f - a) / a;
        ape.push(e.abs());
        signed += e;
    }
    let n = ape.len();
    let mape = if n > 0 {
        ape.iter().sum::<f64>() / n as f64
    } else {
        0.0
    };
    ape.sort_by(f64::total_cmp);
    HorizonScore {
        method: m,
        horizon: h,
        year,
        n,
        mape,
        median_ape: if n > 0 { quantile(&ape, 0.5) } else { 0.0 },
        bias: if n > 0 { signed / n as f64 } else { 0.0 },
        coverage: None,
    }
}

/// Scores pooled over several origins (every authority-origin pair counts once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledReport {
    pub origins: Vec<i32>,
    pub horizon: u32,
    pub scores: Vec<HorizonScore>,
    pub reference: Vec<HorizonScore>,
}

/// Pools the forecasts of several single-origin reports.
pub fn pool_reports(reports: &[BacktestReport]) -> PooledReport {
    let rows: Vec<LaForecast> = reports
        .iter()
        .flat_map(|r| r.forecasts.iter().cloned())
        .collect();
    let h = reports.iter().map(|r| r.horizon).max().unwrap_or(1);
    let (scores, reference) = score(&rows, h, true);
    PooledReport {
        origins: reports.iter().map(|r| r.origin).collect(),
        horizon: h,
        scores,
        reference,
    }
}

#[cfg(test)]
mod tests {
    use super::super::band::log_slope;
    use super::super::table::format_report;
    use super::super::test_series::synth;
    use super::*;

    fn exact_settings() -> BacktestSettings {
        BacktestSettings {
            damping: 1.0,
            min_interval_errors: 1,
            ..BacktestSettings::default()
        }
    }

    fn score(r: &BacktestReport, m: Method, h: u32) -> &HorizonScore {
        r.scores
            .iter()
            .find(|s| s.method == m && s.horizon == h)
            .unwrap()
    }

    #[test]
    fn ten_percent_growth_is_exact_for_constant_growth_and_placeplan() {
        let series = vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.10),
            synth("E06000002", "806", 2010..=2022, 2.0, 0.10),
            synth("E06000003", "807", 2010..=2022, 0.5, 0.10),
        ];
        let r = backtest_with(&series, None, 2016, 5, None, &exact_settings());
        assert_eq!(r.scored, 3);
        assert!(r.excluded.is_empty());
        let c = r.calibration.as_ref().unwrap();
        assert!((c.new_plan_growth - 0.10).abs() < 1e-12);
        for h in 1..=5u32 {
            assert!(score(&r, Method::ConstantGrowth, h).mape < 1e-9);
            assert!(score(&r, Method::Placeplan, h).mape < 1e-9, "h{h}");
            // Last value misses by 1 - 1.1^-h of the actual, below it.
            let lv = score(&r, Method::LastValue, h);
            let want = 100.0 * (1.0 - 1.1f64.powi(-(h as i32)));
            assert!((lv.mape - want).abs() < 1e-9, "{} vs {want}", lv.mape);
            assert!((lv.bias + want).abs() < 1e-9);
            assert!((lv.median_ape - want).abs() < 1e-9);
        }
        // Linear trend through 1.1^-3, 1.1^-2, 1.1^-1, 1 at x = -3..0, evaluated at x = 1:
        let y = [1.1f64.powi(-3), 1.1f64.powi(-2), 1.1f64.powi(-1), 1.0];
        let ybar = y.iter().sum::<f64>() / 4.0;
        let slope = (-1.5 * y[0] - 0.5 * y[1] + 0.5 * y[2] + 1.5 * y[3]) / 5.0;
        let f1 = ybar + slope * 2.5;
        let want = 100.0 * (1.1 - f1) / 1.1;
        assert!((score(&r, Method::LinearTrend, 1).mape - want).abs() < 1e-9);
        // Growth 10% is below the trend cap; a cap of 5% binds and under-forecasts.
        let capped = BacktestSettings {
            max_trend: 0.05,
            ..exact_settings()
        };
        let r2 = backtest_with(&series, None, 2016, 5, None, &capped);
        assert!(score(&r2, Method::Placeplan, 5).bias < -1.0);
    }

    #[test]
    fn damping_slows_the_new_plan_trend() {
        let series = vec![synth("E06000001", "805", 2010..=2022, 1.0, 0.10)];
        let r = backtest(&series, None, 2016, 5, None);
        let pp = score(&r, Method::Placeplan, 5);
        assert!(pp.bias < 0.0 && pp.bias > -10.0, "{}", pp.bias);
    }

    #[test]
    fn flat_series_are_forecast_exactly_by_every_method() {
        let series = vec![synth("E06000001", "805", 2010..=2022, 1.0, 0.0)];
        let r = backtest_with(&series, None, 2017, 5, None, &exact_settings());
        for s in &r.scores {
            assert!(s.mape < 1e-9, "{:?}", s);
        }
        let pp = score(&r, Method::Placeplan, 5);
        assert_eq!(pp.coverage, Some(100.0));
    }

    #[test]
    fn boundary_changes_and_gaps_are_excluded_and_counted() {
        let mut gap = synth("E06000004", "808", 2010..=2022, 1.0, 0.05);
        gap.caseload.get_mut(&2015).unwrap()[1] = None; // suppressed in the fitting window
        let series = vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.05),
            synth("E10000009", "835", 2010..=2019, 1.0, 0.05), // abolished 2019
            synth("E06000059", "838", 2020..=2022, 1.0, 0.05), // created 2019
            gap,
        ];
        let r = backtest(&series, None, 2016, 5, None);
        assert_eq!(r.scored, 1);
        let why: Vec<(&str, &str)> = r
            .excluded
            .iter()
            .map(|e| (e.la_code.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(why.len(), 3);
        assert!(why[0].1.starts_with("missing or suppressed"), "{why:?}");
        assert!(why[1].1.starts_with("created after the origin"), "{why:?}");
        assert!(why[2].1.starts_with("boundary change"), "{why:?}");
        // The abolished authority is scored at an origin whose targets it still has.
        let r = backtest(&series, None, 2015, 4, None);
        assert_eq!(r.scored, 2);
        let text = format_report(&r);
        assert!(
            text.contains("scored: 2 authorities; excluded: 2"),
            "{text}"
        );
    }

    #[test]
    fn horizons_past_the_data_are_noted_not_scored() {
        let series = vec![synth("E06000001", "805", 2010..=2022, 1.0, 0.05)];
        let r = backtest(&series, None, 2020, 5, None);
        assert_eq!(
            r.scores.iter().map(|s| s.horizon).max(),
            Some(2),
            "{:?}",
            r.notes
        );
        assert!(r.notes.iter().any(|n| n.contains("the data ends in 2022")));
        // An origin with too little history gives an empty report with a note, not a panic.
        let r = backtest(&series, None, 2011, 5, None);
        assert!(r.scores.is_empty() && !r.notes.is_empty());
        let r = backtest(&series, None, 2016, 5, Some("nowhere"));
        assert!(r.scores.is_empty() && r.notes[0].contains("nowhere"));
    }

    #[test]
    fn flat_population_changes_no_forecast() {
        let series = vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.07),
            synth("E06000002", "806", 2010..=2022, 3.0, 0.02),
        ];
        let mut pop = BandPopulation::new();
        pop.insert("E06000001".into(), [5000.0, 6000.0, 5000.0, 4000.0, 6000.0]);
        let a = backtest(&series, None, 2016, 5, None);
        let b = backtest(&series, Some(&pop), 2016, 5, None);
        assert_eq!(a.forecasts, b.forecasts);
        assert_eq!(b.population_matched, Some(1));
    }

    #[test]
    fn log_slope_and_quantiles() {
        let pts: Vec<(f64, f64)> = (0..5).map(|i| (i as f64, 3.0 * 1.2f64.powi(i))).collect();
        assert!((log_slope(&pts) - 1.2f64.ln()).abs() < 1e-12);
        assert_eq!(log_slope(&[(1.0, 5.0)]), 0.0);
        assert_eq!(log_slope(&[(1.0, 5.0), (1.0, 6.0)]), 0.0);
        assert_eq!(log_slope(&[(1.0, 0.0), (2.0, 6.0)]), 0.0);
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
