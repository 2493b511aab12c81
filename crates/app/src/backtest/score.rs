//! The backtest at one origin: the scenario forecast of every authority (as one locality), its
//! intervals from its own past errors, the naive baselines, and their scores by measure, method
//! and horizon, alone or pooled over origins.

use serde::Serialize;

use placeplan_io::import::sen2::Sen2Series;

use super::la::{baselines, has_window, history, placeplan, specialist, LaPath};
use super::report::{
    BacktestReport, BacktestSettings, BandPopulation, Calibration, Exclusion, HorizonScore,
    IntervalScore, IntervalSource, LaForecast, Measure, Method, NationalScore, MAX_HORIZON,
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

/// The value of a measure in January `y`.
fn actual(s: &Sen2Series, m: Measure, y: i32) -> Option<f64> {
    match m {
        Measure::Plans => s.total(y),
        Measure::Specialist => specialist(s, y),
    }
    .filter(|v| *v > 0.0)
}

fn path(p: &LaPath, m: Measure) -> Option<&[f64]> {
    match m {
        Measure::Plans => Some(&p.plans),
        Measure::Specialist => p.specialist.as_deref(),
    }
}

/// The first origin any authority can be forecast from.
fn first_origin(series: &[Sen2Series], st: &BacktestSettings) -> Option<i32> {
    let first = series.iter().filter_map(|s| s.years()).map(|y| y.0).min()?;
    let last = series.iter().filter_map(|s| s.years()).map(|y| y.1).max()?;
    (first..=last).find(|&o| series.iter().any(|s| has_window(s, o, st)))
}

/// Interval quantiles by horizon, and the past errors and origins they rest on.
struct PastErrors {
    plans: Vec<Option<(f64, f64)>>,
    specialist: Vec<Option<(f64, f64)>>,
    n: usize,
    origins: Vec<i32>,
}

/// Interval quantiles of log(actual/forecast) for horizons 1..=h, by measure, from placeplan
/// forecasts made at earlier origins o' < o and scored on actuals up to January o only. An error
/// at horizon h' is scaled by (h/h')^`error_scale_power` and pooled over h' <= h.
fn past_errors(series: &[Sen2Series], o: i32, h: u32, st: &BacktestSettings) -> PastErrors {
    let mut by_h: [Vec<Vec<f64>>; 2] = [
        vec![Vec::new(); h as usize + 1],
        vec![Vec::new(); h as usize + 1],
    ];
    let mut origins = Vec::new();
    let mut start = first_origin(series, st).unwrap_or(o);
    if st.error_origins > 0 {
        start = start.max(o - st.error_origins as i32);
    }
    for o2 in start..o {
        let reach = ((o - o2) as u32).min(h);
        let mut any = false;
        let prior = super::la::national_trend(series, o2, st);
        for s in series {
            let Some(p) = placeplan(s, o2, reach, st, 1, prior) else {
                continue;
            };
            for (mi, m) in Measure::ALL.iter().enumerate() {
                let Some(f) = path(&p, *m) else {
                    continue;
                };
                for (j, fv) in f.iter().enumerate() {
                    let year = o2 + j as i32 + 1;
                    debug_assert!(year <= o);
                    if let Some(a) = actual(s, *m, year) {
                        if *fv > 0.0 {
                            by_h[mi][j + 1].push((a / fv).ln());
                            any = true;
                        }
                    }
                }
            }
        }
        if any {
            origins.push(o2);
        }
    }
    let n = by_h.iter().flatten().map(Vec::len).sum();
    let tail = (1.0 - st.interval.clamp(0.0, 1.0)) / 2.0;
    let quantiles = |by_h: &[Vec<f64>]| -> Vec<Option<(f64, f64)>> {
        (1..=h)
            .map(|hh| {
                let mut e: Vec<f64> = Vec::new();
                for (h2, errs) in by_h.iter().enumerate().skip(1).take(hh as usize) {
                    let scale = (hh as f64 / h2 as f64).powf(st.error_scale_power);
                    e.extend(errs.iter().map(|x| x * scale));
                }
                if e.len() < st.min_interval_errors.max(1) {
                    return None;
                }
                e.sort_by(f64::total_cmp);
                Some((quantile(&e, tail), quantile(&e, 1.0 - tail)))
            })
            .collect()
    };
    PastErrors {
        plans: quantiles(&by_h[0]),
        specialist: quantiles(&by_h[1]),
        n,
        origins,
    }
}

// ---------------------------------------------------------------------------------------------
// The backtest

/// Backtest at one origin with the default settings. `la` restricts scoring to one authority
/// (current or former code, DfE code or name). `population` is matched and reported only: the
/// forecast holds population flat (see `la`).
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

/// Why an authority cannot be scored on a measure at origin `o`, if it cannot.
fn exclusion(
    s: &Sen2Series,
    m: Measure,
    o: i32,
    target_last: i32,
    st: &BacktestSettings,
) -> Option<String> {
    let w = history(o, st);
    let window_ok = match m {
        Measure::Plans => has_window(s, o, st),
        Measure::Specialist => has_window(s, o, st) && w.clone().all(|y| actual(s, m, y).is_some()),
    };
    if !window_ok {
        return Some(match s.years() {
            Some((first, _)) if first > o => {
                format!("created after the origin (first January {first})")
            }
            Some((_, last)) if last < o => {
                format!("abolished before the origin (last January {last})")
            }
            None => "no caseload in the data".to_string(),
            _ => format!(
                "missing or suppressed values in the fitting years (January {}-{})",
                w.start(),
                w.end()
            ),
        });
    }
    let y = ((o + 1)..=target_last).find(|&y| actual(s, m, y).is_none())?;
    Some(match s.years() {
        Some((_, last)) if last < y => {
            format!("boundary change: series ends in January {last}, before the target year {y}")
        }
        _ => format!("no actual for January {y}"),
    })
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
        scored_specialist: 0,
        excluded: Vec::new(),
        calibration: None,
        scores: Vec::new(),
        reference: Vec::new(),
        national: Vec::new(),
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
    if !series.iter().any(|s| has_window(s, o, st)) {
        let w = history(o, st);
        report.notes.push(format!(
            "no authority has caseload for January {}-{}: origin {o} cannot be backtested",
            w.start(),
            w.end()
        ));
        return report;
    }
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
    let past = past_errors(series, o, h, st);
    if past.plans.iter().any(Option::is_none) {
        report.notes.push(format!(
            "placeplan intervals need at least {} past errors scored before {o}; horizons without them have no interval",
            st.min_interval_errors
        ));
    }
    if !series.iter().any(|s| !s.placements.is_empty()) {
        report.notes.push(
            "no placements by establishment type (sen2_estab_caseload.csv): specialist placements not scored"
                .to_string(),
        );
    }
    let intervals = [&past.plans, &past.specialist];
    report.calibration = Some(Calibration {
        plans_log_errors: past.plans.clone(),
        specialist_log_errors: past.specialist.clone(),
        interval_errors: past.n,
        interval_origins: past.origins.clone(),
    });

    for (mi, m) in Measure::ALL.into_iter().enumerate() {
        // Every authority is checked (the reference row's national totals sum all those
        // scoreable); only the selected ones are scored and listed.
        let mut eligible: Vec<&Sen2Series> = Vec::new();
        let mut scored: Vec<&Sen2Series> = Vec::new();
        for s in series {
            let selected = la.is_none_or(|c| s.matches(c));
            match exclusion(s, m, o, target_last, st) {
                None => {
                    eligible.push(s);
                    if selected {
                        scored.push(s);
                    }
                }
                Some(reason) => {
                    // Authorities with placements anywhere are listed for specialist placements;
                    // those the file does not cover at all are one note above.
                    if selected && (m == Measure::Plans || !s.placements.is_empty()) {
                        report.excluded.push(Exclusion {
                            measure: m,
                            la_code: s.la_code.clone(),
                            name: s.name.clone(),
                            reason,
                        });
                    }
                }
            }
        }
        match m {
            Measure::Plans => report.scored = scored.len(),
            Measure::Specialist => report.scored_specialist = scored.len(),
        }
        let national = |y: i32| -> f64 { eligible.iter().filter_map(|s| actual(s, m, y)).sum() };
        let nat_o = national(o);
        let runs = match st.interval_source {
            IntervalSource::TrackRecord => 1,
            IntervalSource::MonteCarlo { runs } | IntervalSource::Wider { runs } => runs.max(2),
        };
        let prior = super::la::national_trend(series, o, st);
        report
            .national
            .extend(national_score(&eligible, m, o, target_last, st, prior));
        for s in &scored {
            let Some(pp) = placeplan(s, o, h, st, runs, prior) else {
                continue;
            };
            let Some(f) = path(&pp, m) else {
                continue;
            };
            for j in 1..=h {
                let year = o + j as i32;
                if year > target_last {
                    break;
                }
                let (Some(a), Some((lv, lin, cg))) = (
                    actual(s, m, year),
                    baselines(|y| actual(s, m, y), o, j, st.baseline_years),
                ) else {
                    continue;
                };
                let fv = f[j as usize - 1];
                let track = intervals[mi][j as usize - 1].map(|q| (fv * q.0.exp(), fv * q.1.exp()));
                let mc = match m {
                    Measure::Plans => &pp.plans_band,
                    Measure::Specialist => &pp.specialist_band,
                }
                .get(j as usize - 1)
                .copied();
                let (low, high) = match (st.interval_source, track, mc) {
                    (IntervalSource::TrackRecord, t, _) => (t.map(|b| b.0), t.map(|b| b.1)),
                    (IntervalSource::MonteCarlo { .. }, _, b) => (b.map(|b| b.0), b.map(|b| b.1)),
                    (IntervalSource::Wider { .. }, Some(t), Some(b)) => {
                        (Some(t.0.min(b.0)), Some(t.1.max(b.1)))
                    }
                    (IntervalSource::Wider { .. }, _, _) => (None, None),
                };
                report.forecasts.push(LaForecast {
                    measure: m,
                    la_code: s.la_code.clone(),
                    name: s.name.clone(),
                    origin: o,
                    horizon: j,
                    year,
                    actual: a,
                    placeplan: fv,
                    low,
                    high,
                    last_value: lv,
                    linear_trend: lin,
                    constant_growth: cg,
                    national_actual_growth: if nat_o > 0.0 {
                        lv * national(year) / nat_o
                    } else {
                        lv
                    },
                });
            }
        }
    }
    report
        .excluded
        .sort_by(|a, b| (a.measure, &a.la_code, &a.name).cmp(&(b.measure, &b.la_code, &b.name)));
    let (scores, reference) = score(&report.forecasts, h, false, st.interval);
    report.scores = scores;
    report.reference = reference;
    report
}

/// The national total of measure `m` over the `eligible` authorities, forecast by placeplan as
/// one authority (their pre-origin Januarys summed, with the same national trend), against the
/// actual total at each target year up to `target_last`.
fn national_score(
    eligible: &[&Sen2Series],
    m: Measure,
    o: i32,
    target_last: i32,
    st: &BacktestSettings,
    prior: Option<f64>,
) -> Vec<NationalScore> {
    let Some(nat) = super::la::summed(eligible.iter().copied(), history(o, st)) else {
        return Vec::new();
    };
    let h = (target_last - o).max(0) as u32;
    let Some(pp) = (h > 0)
        .then(|| placeplan(&nat, o, h, st, 1, prior))
        .flatten()
    else {
        return Vec::new();
    };
    let Some(f) = path(&pp, m) else {
        return Vec::new();
    };
    (1..=h)
        .filter_map(|j| {
            let year = o + j as i32;
            let actual: f64 = eligible.iter().filter_map(|s| actual(s, m, year)).sum();
            (actual > 0.0).then(|| NationalScore {
                measure: m,
                origin: o,
                horizon: j,
                year,
                authorities: eligible.len(),
                forecast: f[j as usize - 1],
                actual,
            })
        })
        .collect()
}

/// Scores per measure, method and horizon; `pooled` leaves the year at 0.
fn score(
    rows: &[LaForecast],
    h: u32,
    pooled: bool,
    probability: f64,
) -> (Vec<HorizonScore>, Vec<HorizonScore>) {
    let mut scores = Vec::new();
    let mut reference = Vec::new();
    for measure in Measure::ALL {
        for j in 1..=h {
            let at: Vec<&LaForecast> = rows
                .iter()
                .filter(|r| r.measure == measure && r.horizon == j)
                .collect();
            if at.is_empty() {
                continue;
            }
            let year = if pooled { 0 } else { at[0].year };
            for m in Method::ALL {
                let mut s = stats(
                    at.iter().map(|r| (r.value(m), r.actual)),
                    measure,
                    m,
                    j,
                    year,
                );
                if m == Method::Placeplan {
                    s.interval = interval_score(&at, probability);
                }
                scores.push(s);
            }
            let mut r = stats(
                at.iter().map(|r| (r.national_actual_growth, r.actual)),
                measure,
                Method::LastValue,
                j,
                year,
            );
            r.interval = hindsight_interval(&at, probability);
            reference.push(r);
        }
    }
    (scores, reference)
}

/// The reference's interval fitted in hindsight to its own errors: the shortest interval
/// reference x [e^lo, e^hi] that holds at least `probability` of the actuals of `rows`, lo and
/// hi being two of their log(actual / reference) (the narrowest one relative width can be and
/// still cover that share of these actuals with a forecast as accurate as the reference),
/// scored as placeplan's are. None without rows with a positive reference.
fn hindsight_interval(rows: &[&LaForecast], probability: f64) -> Option<IntervalScore> {
    let rows: Vec<&LaForecast> = rows
        .iter()
        .copied()
        .filter(|r| r.national_actual_growth > 0.0 && r.actual > 0.0)
        .collect();
    let mut e: Vec<f64> = rows
        .iter()
        .map(|r| (r.actual / r.national_actual_growth).ln())
        .collect();
    if e.is_empty() {
        return None;
    }
    e.sort_by(f64::total_cmp);
    // The fewest sorted errors that make up the share, and the shortest run of that many.
    let k = ((probability.clamp(0.0, 1.0) * e.len() as f64).ceil() as usize).clamp(1, e.len());
    let (lo, hi) = e
        .windows(k)
        .map(|w| (w[0].exp(), w[k - 1].exp()))
        .min_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))?;
    // Its ends are actuals: held inside against the round-off of reference x e^(log error).
    let (lo, hi) = (lo * (1.0 - 1e-12), hi * (1.0 + 1e-12));
    let fitted: Vec<LaForecast> = rows
        .iter()
        .map(|r| LaForecast {
            placeplan: r.national_actual_growth,
            low: Some(r.national_actual_growth * lo),
            high: Some(r.national_actual_growth * hi),
            ..(*r).clone()
        })
        .collect();
    interval_score(&fitted.iter().collect::<Vec<_>>(), probability)
}

/// Coverage, misses on each side, median width and mean interval score of the placeplan
/// intervals (None unless every row has one).
fn interval_score(rows: &[&LaForecast], probability: f64) -> Option<IntervalScore> {
    let alpha = (1.0 - probability).clamp(1e-6, 1.0);
    let mut below = 0usize;
    let mut above = 0usize;
    let mut widths = Vec::with_capacity(rows.len());
    let mut score = 0.0;
    for r in rows {
        let (lo, hi) = (r.low?, r.high?);
        if r.actual < lo {
            below += 1;
        } else if r.actual > hi {
            above += 1;
        }
        if r.placeplan > 0.0 {
            widths.push(100.0 * (hi - lo) / r.placeplan);
        }
        let is = (hi - lo)
            + 2.0 / alpha * (lo - r.actual).max(0.0)
            + 2.0 / alpha * (r.actual - hi).max(0.0);
        score += 100.0 * is / r.actual;
    }
    let n = rows.len();
    if n == 0 {
        return None;
    }
    widths.sort_by(f64::total_cmp);
    let pct = |k: usize| 100.0 * k as f64 / n as f64;
    Some(IntervalScore {
        coverage: pct(n - below - above),
        below: pct(below),
        above: pct(above),
        median_width: if widths.is_empty() {
            0.0
        } else {
            quantile(&widths, 0.5)
        },
        score: score / n as f64,
    })
}

fn stats(
    pairs: impl Iterator<Item = (f64, f64)>,
    measure: Measure,
    m: Method,
    h: u32,
    year: i32,
) -> HorizonScore {
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
        measure,
        method: m,
        horizon: h,
        year,
        n,
        mape,
        median_ape: if n > 0 { quantile(&ape, 0.5) } else { 0.0 },
        bias: if n > 0 { signed / n as f64 } else { 0.0 },
        interval: None,
    }
}

/// Scores pooled over several origins (every authority-origin pair counts once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PooledReport {
    pub origins: Vec<i32>,
    pub horizon: u32,
    pub scores: Vec<HorizonScore>,
    pub reference: Vec<HorizonScore>,
    /// Total plans: bias (%) by horizon over the origins 2017-2019 only (the issue 18 target).
    pub plans_bias_2017_2019: Vec<(u32, f64)>,
    /// Error (%) of placeplan's forecast of the national total, by measure and horizon: the
    /// mean over the origins, each counted once, and the origins.
    pub national: Vec<(Measure, u32, f64, usize)>,
}

/// Pools the forecasts of several single-origin reports.
pub fn pool_reports(reports: &[BacktestReport]) -> PooledReport {
    let rows: Vec<LaForecast> = reports
        .iter()
        .flat_map(|r| r.forecasts.iter().cloned())
        .collect();
    let h = reports.iter().map(|r| r.horizon).max().unwrap_or(1);
    let probability = reports.first().map_or(0.8, |r| r.settings.interval);
    let (scores, reference) = score(&rows, h, true, probability);
    let late: Vec<LaForecast> = rows
        .iter()
        .filter(|r| r.measure == Measure::Plans && (2017..=2019).contains(&r.origin))
        .cloned()
        .collect();
    let plans_bias_2017_2019 = score(&late, h, true, probability)
        .0
        .iter()
        .filter(|s| s.method == Method::Placeplan)
        .map(|s| (s.horizon, s.bias))
        .collect();
    let mut national = Vec::new();
    for measure in Measure::ALL {
        for j in 1..=h {
            let errors: Vec<f64> = reports
                .iter()
                .flat_map(|r| &r.national)
                .filter(|n| n.measure == measure && n.horizon == j)
                .map(NationalScore::error)
                .collect();
            if !errors.is_empty() {
                let mean = errors.iter().sum::<f64>() / errors.len() as f64;
                national.push((measure, j, mean, errors.len()));
            }
        }
    }
    PooledReport {
        origins: reports.iter().map(|r| r.origin).collect(),
        horizon: h,
        scores,
        reference,
        plans_bias_2017_2019,
        national,
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::format_report;
    use super::super::test_series::{scaled_after, synth};
    use super::*;

    fn exact_settings() -> BacktestSettings {
        BacktestSettings {
            damping: 1.0,
            min_interval_errors: 1,
            ..BacktestSettings::default()
        }
    }

    /// Three authorities of different sizes, each growing 10% a year in every band.
    fn three_growing_ten_percent() -> Vec<Sen2Series> {
        vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.10),
            synth("E06000002", "806", 2010..=2022, 2.0, 0.10),
            synth("E06000003", "807", 2010..=2022, 0.5, 0.10),
        ]
    }

    fn score(r: &BacktestReport, m: Method, h: u32) -> &HorizonScore {
        score_of(r, Measure::Plans, m, h)
    }

    fn score_of(r: &BacktestReport, measure: Measure, m: Method, h: u32) -> &HorizonScore {
        r.scores
            .iter()
            .find(|s| s.measure == measure && s.method == m && s.horizon == h)
            .unwrap()
    }

    /// 10% growth a year in every band: the scenario forecast calibrates continuation where
    /// history carries fewer plans than the national rates (scaled to what it shows) and new
    /// plans elsewhere, both growing 10% a year; undamped it reproduces the series exactly, and
    /// so does constant growth. The specialist share is constant: specialist places too.
    #[test]
    fn ten_percent_growth_is_exact_for_constant_growth_and_placeplan() {
        let series = three_growing_ten_percent();
        let r = backtest_with(&series, None, 2016, 5, None, &exact_settings());
        assert_eq!((r.scored, r.scored_specialist), (3, 3));
        assert!(r.excluded.is_empty());
        for h in 1..=5u32 {
            assert!(score(&r, Method::ConstantGrowth, h).mape < 1e-9);
            assert!(score(&r, Method::Placeplan, h).mape < 1e-9, "h{h}");
            let sp = score_of(&r, Measure::Specialist, Method::Placeplan, h);
            assert!(sp.mape < 1e-9, "specialist h{h}: {}", sp.mape);
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

    /// The national trend: three authorities growing 10% a year and one flat, undamped. With
    /// its own trend only (weight 1), each is forecast exactly. With weight 0 on its own trend, each takes
    /// the national one: the flat authority is over-forecast and the growing ones
    /// under-forecast (the national sum grows by less than 10%). Nothing after the origin is read.
    #[test]
    fn the_national_trend_replaces_an_authoritys_own_with_weight_zero() {
        let series = vec![
            synth("E06000001", "805", 2010..=2022, 1.0, 0.10),
            synth("E06000002", "806", 2010..=2022, 2.0, 0.10),
            synth("E06000003", "807", 2010..=2022, 0.5, 0.10),
            synth("E06000004", "808", 2010..=2022, 1.0, 0.0),
        ];
        let own_only = BacktestSettings {
            own_trend_weight: 1.0,
            ..exact_settings()
        };
        let own = backtest_with(&series, None, 2016, 3, None, &own_only);
        for h in 1..=3u32 {
            assert!(score(&own, Method::Placeplan, h).mape < 1e-9, "h{h}");
        }
        let national = BacktestSettings {
            own_trend_weight: 0.0,
            ..exact_settings()
        };
        let r = backtest_with(&series, None, 2016, 3, None, &national);
        let bias = |code: &str| {
            r.forecasts
                .iter()
                .find(|f| f.measure == Measure::Plans && f.la_code == code && f.horizon == 3)
                .map(|f| f.placeplan / f.actual - 1.0)
                .unwrap()
        };
        assert!(bias("E06000004") > 0.01, "{}", bias("E06000004"));
        assert!(bias("E06000001") < -0.01, "{}", bias("E06000001"));
        // Post-origin data does not reach the national trend.
        let later = scaled_after(&series, 2016, 3.0);
        let r2 = backtest_with(&later, None, 2016, 3, None, &national);
        let fc =
            |r: &BacktestReport| -> Vec<f64> { r.forecasts.iter().map(|f| f.placeplan).collect() };
        assert_eq!(fc(&r), fc(&r2));
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
        assert_eq!(pp.interval.map(|i| i.coverage), Some(100.0));
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
        assert_eq!((r.scored, r.scored_specialist), (1, 1));
        let why: Vec<(&str, &str)> = r
            .excluded
            .iter()
            .filter(|e| e.measure == Measure::Plans)
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
            text.contains(
                "scored: total plans 2, specialist placements 2 authorities; excluded: 4"
            ),
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

    /// One authority's row at horizon 1 with this actual, every method (and the reference)
    /// forecasting `forecast`, no interval.
    fn one_row(actual: f64, forecast: f64) -> LaForecast {
        LaForecast {
            measure: Measure::Plans,
            la_code: "E1".into(),
            name: "A".into(),
            origin: 2016,
            horizon: 1,
            year: 2017,
            actual,
            placeplan: forecast,
            low: None,
            high: None,
            last_value: forecast,
            linear_trend: forecast,
            constant_growth: forecast,
            national_actual_growth: forecast,
        }
    }

    /// Interval scores by hand: forecasts 100 with interval 90-110 (alpha 0.2); actuals 100
    /// (inside), 80 (10 below: score 20 + 10 x 2/0.2 = 120) and 115 (5 above: 20 + 50 = 70).
    #[test]
    fn interval_score_by_hand() {
        let row = |actual: f64| LaForecast {
            low: Some(90.0),
            high: Some(110.0),
            ..one_row(actual, 100.0)
        };
        let rows = [row(100.0), row(80.0), row(115.0)];
        let refs: Vec<&LaForecast> = rows.iter().collect();
        let s = interval_score(&refs, 0.8).unwrap();
        let third = 100.0 / 3.0;
        assert!((s.coverage - third).abs() < 1e-9);
        assert!((s.below - third).abs() < 1e-9 && (s.above - third).abs() < 1e-9);
        assert!((s.median_width - 20.0).abs() < 1e-9);
        let want = (20.0 / 100.0 + 120.0 / 80.0 + 70.0 / 115.0) * 100.0 / 3.0;
        assert!((s.score - want).abs() < 1e-9, "{} vs {want}", s.score);
    }

    /// The reference's interval fitted in hindsight, by hand: five authorities with
    /// log(actual / reference) -0.3, -0.05, 0, 0.02, 0.1. 80% of five is four; of the two runs
    /// of four, [-0.3, 0.02] is e^0.02 - e^-0.3 = 0.2794 wide and [-0.05, 0.1] is
    /// e^0.1 - e^-0.05 = 0.1539, so the interval is reference x [e^-0.05, e^0.1], 15.39% wide,
    /// with the -0.3 below it. With every error's sign turned, the shortest run is
    /// [-0.1, 0.05] (14.64% wide) and the miss is above.
    #[test]
    fn the_references_hindsight_interval_by_hand() {
        let rows = |errors: &[f64]| -> Vec<LaForecast> {
            errors
                .iter()
                .map(|e| one_row(200.0 * e.exp(), 200.0))
                .collect()
        };
        let errors = [-0.3f64, -0.05, 0.0, 0.02, 0.1];
        let these = rows(&errors);
        let iv = hindsight_interval(&these.iter().collect::<Vec<_>>(), 0.8).unwrap();
        let want = 100.0 * (0.1f64.exp() - (-0.05f64).exp());
        assert!((iv.median_width - want).abs() < 1e-9, "{}", iv.median_width);
        assert!((iv.median_width - 15.394).abs() < 1e-3);
        assert!((iv.coverage - 80.0).abs() < 1e-9);
        assert!((iv.below - 20.0).abs() < 1e-9 && iv.above.abs() < 1e-9);
        let turned = rows(&errors.map(|e| -e));
        let iv = hindsight_interval(&turned.iter().collect::<Vec<_>>(), 0.8).unwrap();
        let want = 100.0 * (0.05f64.exp() - (-0.1f64).exp());
        assert!((iv.median_width - want).abs() < 1e-9, "{}", iv.median_width);
        assert!(iv.below.abs() < 1e-9 && (iv.above - 20.0).abs() < 1e-9);
        assert!(hindsight_interval(&[], 0.8).is_none());
    }

    /// The national total forecast as one authority: three authorities growing 10% a year,
    /// undamped, are forecast exactly, and so is their sum; a flat one abolished before the
    /// targets is not in it, whichever authority is scored. When every caseload after the origin
    /// is half as large again (a national surge no pre-origin history shows), no forecast
    /// changes and the national total is under-forecast by 1 - 1/1.5 = 33.3% at every horizon.
    #[test]
    fn the_national_total_is_forecast_from_pre_origin_history_only() {
        // Each forecast on its own trend: the national trend at the origin counts the flat
        // authority below, which has its history then.
        let own_trend = BacktestSettings {
            own_trend_weight: 1.0,
            ..exact_settings()
        };
        let mut series = three_growing_ten_percent();
        // Abolished in 2019: not eligible at origin 2016 for targets to 2021, so not summed.
        series.push(synth("E10000009", "835", 2010..=2019, 4.0, 0.0));
        let r = backtest_with(&series, None, 2016, 5, None, &own_trend);
        // With one authority scored, the national total is still every eligible one's.
        let one = backtest_with(&series, None, 2016, 5, Some("806"), &own_trend);
        assert_eq!(one.national, r.national);
        let plans: Vec<&NationalScore> = r
            .national
            .iter()
            .filter(|n| n.measure == Measure::Plans)
            .collect();
        assert_eq!(plans.len(), 5);
        // 1,800 plans a year at scale 1 in 2010, scales 3.5 in all.
        for n in &plans {
            let want = 1800.0 * 3.5 * 1.1f64.powi(n.year - 2010);
            assert_eq!(n.authorities, 3);
            assert!((n.actual - want).abs() < 1e-6, "{} vs {want}", n.actual);
            assert!(n.error().abs() < 1e-9, "h{}: {}", n.horizon, n.error());
        }
        let surge = scaled_after(&series, 2016, 1.5);
        let r2 = backtest_with(&surge, None, 2016, 5, None, &own_trend);
        for n in r2.national.iter().filter(|n| n.measure == Measure::Plans) {
            let want = 100.0 * (1.0 / 1.5 - 1.0);
            assert!(
                (n.error() - want).abs() < 1e-9,
                "h{}: {}",
                n.horizon,
                n.error()
            );
        }
        let fc =
            |r: &BacktestReport| -> Vec<f64> { r.national.iter().map(|n| n.forecast).collect() };
        assert_eq!(fc(&r), fc(&r2));
        // Pooled over two origins, each counts once.
        let r3 = backtest_with(&surge, None, 2015, 5, None, &own_trend);
        let pooled = pool_reports(&[r2, r3]);
        let h1 = pooled
            .national
            .iter()
            .find(|n| n.0 == Measure::Plans && n.1 == 1)
            .unwrap();
        assert_eq!(h1.3, 2);
    }

    #[test]
    fn quantiles() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert!(quantile(&[], 0.5).is_nan());
    }
}
