//! Rolling-origin backtest of total EHC plans per local authority on the DfE SEN2 release, for
//! the band-level placeplan method and three naive baselines. See `docs/forecasting.md`.
//!
//! Everything a forecast made at origin January `o` uses is data a planner had then: caseload up
//! to January `o` and new plans up to calendar year `o - 1` (they are in the January `o` return).
//! Pooling across authorities (national rates, the national new-plan trend) uses the same
//! pre-origin data of every authority. Intervals come from the method's own past errors, scored
//! only on actuals up to January `o`.
//!
//! **placeplan (band-level stock-flow).** Bands 0-4, 5-10, 11-15 and 16-25 (16-19 and 20-25 are
//! one band: the 20-25 band does not exist before 2015 and its growth in 2015-2018 is the
//! statements-to-EHCP conversion itself). Each January, band b keeps the share `1 - 1/w` of its
//! plans (w = band width in years) and receives `1/w` of the band below; a continuation rate
//! `c[b]` applies to that pool (the 16-25 band keeps all its plans plus the 1/5 of 11-15 moving
//! up, times `c[16-25]`). New plans of calendar year y join in January y+1:
//! `P[b](y+1) = N[b](y) + c[b] * ((1 - 1/w[b]) P[b](y) + P[b-1](y) / w[b-1])`.
//! * `c[b]` for 0-15 is pooled over the last `fit_years` transitions; the 16-25 rate is taken from
//!   the latest transition only (the 2014 reforms moved it every year from 2015 to 2018: a level
//!   shift, so older years would pull it back towards the statement era).
//! * Rates are national (ratio of sums over all authorities) with the authority's own rate mixed
//!   in by its size: `(num + k c_nat) / (den + k)`, `k = shrink_plans`.
//! * New plans: the authority's level (trend-adjusted mean of the last `level_years` calendar
//!   years, by band) grown by the national log-linear trend of total new plans over the last
//!   `trend_years`, clamped to +-`max_trend`, damped by `damping` per year ahead (as in the
//!   scenario forecast). With population (ONS, one mid-year only) the new-plan flow is a rate per
//!   head times a flat population, which is the same number: population changes no forecast here.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use placeplan_io::csvread::read_csv;
use placeplan_io::import::sen2::{read_sen2, Sen2Series};
use placeplan_model::error::{Code, InputError, Problems};

/// Population by band (0-4, 5-10, 11-15, 16-19, 20-25) keyed by nine-character LA code.
pub type BandPopulation = BTreeMap<String, [f64; 5]>;

/// Model bands: 0-4, 5-10, 11-15, 16-25.
const NB: usize = 4;
/// Widths of the three school-age model bands.
const WIDTH: [f64; 3] = [5.0, 6.0, 5.0];
/// Longest horizon the backtest accepts.
pub const MAX_HORIZON: u32 = 10;

/// A forecasting method scored by the backtest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Band-level stock-flow (this module).
    Placeplan,
    /// The origin's value, held flat.
    LastValue,
    /// Least-squares line through the last `baseline_years + 1` Januarys.
    LinearTrend,
    /// Compound growth over the last `baseline_years` years, continued.
    ConstantGrowth,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::Placeplan,
        Method::LastValue,
        Method::LinearTrend,
        Method::ConstantGrowth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Placeplan => "placeplan",
            Method::LastValue => "last_value",
            Method::LinearTrend => "linear_trend",
            Method::ConstantGrowth => "constant_growth",
        }
    }
}

/// Settings of the backtest. The defaults are the documented method; they are fixed, not fitted
/// per origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestSettings {
    /// Transitions (years) the 0-15 continuation rates are pooled over.
    pub fit_years: u32,
    /// Calendar years of national new plans the trend is fitted on.
    pub trend_years: u32,
    /// Calendar years averaged for an authority's new-plan level.
    pub level_years: u32,
    /// Damping of the new-plan trend per year ahead (1 = none).
    pub damping: f64,
    /// Largest yearly log-growth of new plans the trend may take.
    pub max_trend: f64,
    /// Prior weight of the national rate, in plan-years, when mixing in an authority's own rate.
    pub shrink_plans: f64,
    /// Years back the linear-trend and constant-growth baselines use.
    pub baseline_years: u32,
    /// Central probability of the placeplan interval (0.8 = P10-P90).
    pub interval: f64,
    /// Fewest past errors needed before an interval is given.
    pub min_interval_errors: usize,
}

impl Default for BacktestSettings {
    fn default() -> Self {
        BacktestSettings {
            fit_years: 3,
            trend_years: 5,
            level_years: 3,
            damping: 0.8,
            max_trend: 0.15,
            shrink_plans: 5000.0,
            baseline_years: 3,
            interval: 0.8,
            min_interval_errors: 30,
        }
    }
}

/// Scores of one method at one horizon, over the authorities scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonScore {
    pub method: Method,
    pub horizon: u32,
    /// Target January (single-origin reports; 0 when pooled over origins).
    pub year: i32,
    /// Forecasts scored.
    pub n: usize,
    /// Mean absolute percentage error.
    pub mape: f64,
    /// Median absolute percentage error.
    pub median_ape: f64,
    /// Mean signed percentage error (forecast - actual) / actual: negative = under-forecast.
    pub bias: f64,
    /// Share (%) of actuals inside the interval (placeplan only, when it has one).
    pub coverage: Option<f64>,
}

/// An authority left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub la_code: String,
    pub name: String,
    pub reason: String,
}

/// Forecasts and actual for one authority and horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaForecast {
    pub la_code: String,
    pub name: String,
    pub origin: i32,
    pub horizon: u32,
    pub year: i32,
    pub actual: f64,
    pub placeplan: f64,
    /// placeplan interval (None when too few past errors were available).
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub last_value: f64,
    pub linear_trend: f64,
    pub constant_growth: f64,
    /// Reference only: origin value x actual national growth (uses post-origin data).
    pub national_actual_growth: f64,
}

impl LaForecast {
    fn value(&self, m: Method) -> f64 {
        match m {
            Method::Placeplan => self.placeplan,
            Method::LastValue => self.last_value,
            Method::LinearTrend => self.linear_trend,
            Method::ConstantGrowth => self.constant_growth,
        }
    }
}

/// What placeplan was calibrated to at the origin (national values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Continuation rates 0-4, 5-10, 11-15, 16-25.
    pub continuation: [f64; NB],
    /// Yearly growth of new plans (exp(trend) - 1) before damping.
    pub new_plan_growth: f64,
    /// Authorities the national rates pool.
    pub pool: usize,
    /// Quantiles of log(actual / forecast) by horizon used for the interval (None = no interval).
    pub interval_log_errors: Vec<Option<(f64, f64)>>,
    /// Past forecasts the interval quantiles come from, and their origins.
    pub interval_errors: usize,
    pub interval_origins: Vec<i32>,
}

/// A backtest at one origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub origin: i32,
    pub horizon: u32,
    pub la: Option<String>,
    pub settings: BacktestSettings,
    /// Authorities scored at every horizon with actuals.
    pub scored: usize,
    pub excluded: Vec<Exclusion>,
    pub calibration: Option<Calibration>,
    pub scores: Vec<HorizonScore>,
    /// Reference, not a forecast: origin value x the actual national growth to the target year.
    /// It shows how much of the error is spread between authorities rather than the national trend.
    pub reference: Vec<HorizonScore>,
    /// Last January in the file; horizons beyond it are not scored.
    pub last_year: i32,
    /// Authorities with population matched (when population was given).
    pub population_matched: Option<usize>,
    pub notes: Vec<String>,
    pub forecasts: Vec<LaForecast>,
}

// ---------------------------------------------------------------------------------------------
// Data access

/// Plans in January `y` by model band, when bands 0-15 and the total are known.
fn stock(s: &Sen2Series, y: i32) -> Option<[f64; NB]> {
    let t = s.total(y)?;
    let b = [s.band(y, 0)?, s.band(y, 1)?, s.band(y, 2)?];
    Some([b[0], b[1], b[2], (t - b[0] - b[1] - b[2]).max(0.0)])
}

/// New plans made in calendar year `y` by model band.
fn inflow(s: &Sen2Series, y: i32) -> Option<[f64; NB]> {
    let t = s.new_total(y)?;
    let b = [s.new_band(y, 0)?, s.new_band(y, 1)?, s.new_band(y, 2)?];
    Some([b[0], b[1], b[2], (t - b[0] - b[1] - b[2]).max(0.0)])
}

/// The pool each continuation rate applies to.
fn base(p: &[f64; NB]) -> [f64; NB] {
    [
        (1.0 - 1.0 / WIDTH[0]) * p[0],
        (1.0 - 1.0 / WIDTH[1]) * p[1] + p[0] / WIDTH[0],
        (1.0 - 1.0 / WIDTH[2]) * p[2] + p[1] / WIDTH[1],
        p[3] + p[2] / WIDTH[2],
    ]
}

/// One January ahead.
fn step(p: &[f64; NB], n: &[f64; NB], c: &[f64; NB]) -> [f64; NB] {
    let b = base(p);
    let mut q = [0.0; NB];
    for i in 0..NB {
        q[i] = (n[i] + c[i] * b[i]).max(0.0);
    }
    q
}

/// Years of the fitting window for origin `o`.
struct Window {
    /// Januarys of caseload needed.
    stock: std::ops::RangeInclusive<i32>,
    /// Calendar years of new plans needed.
    new: std::ops::RangeInclusive<i32>,
}

fn window(o: i32, st: &BacktestSettings) -> Window {
    let back = st.fit_years.max(st.baseline_years).max(1) as i32;
    let nb = st.trend_years.max(st.level_years).max(2) as i32;
    Window {
        stock: o - back..=o,
        new: o - nb..=o - 1,
    }
}

fn has_window(s: &Sen2Series, w: &Window) -> bool {
    w.stock
        .clone()
        .all(|y| stock(s, y).is_some_and(|p| p.iter().sum::<f64>() > 0.0))
        && w.new.clone().all(|y| inflow(s, y).is_some())
}

// ---------------------------------------------------------------------------------------------
// Calibration

/// Sums behind one authority's continuation rates.
#[derive(Default, Clone, Copy)]
struct RateSums {
    num: [f64; NB],
    den: [f64; NB],
}

fn rate_sums(s: &Sen2Series, o: i32, st: &BacktestSettings) -> RateSums {
    let mut r = RateSums::default();
    for y in (o - st.fit_years.max(1) as i32)..o {
        let (Some(p), Some(q), Some(n)) = (stock(s, y), stock(s, y + 1), inflow(s, y)) else {
            continue;
        };
        let b = base(&p);
        let bands = if y == o - 1 { 0..NB } else { 0..NB - 1 };
        for i in bands {
            r.num[i] += q[i] - n[i];
            r.den[i] += b[i];
        }
    }
    r
}

/// National rates and trend at an origin.
struct National {
    c: [f64; NB],
    /// Log-growth per year of new plans.
    g: f64,
    pool: usize,
}

fn national(series: &[Sen2Series], o: i32, st: &BacktestSettings) -> Option<National> {
    let w = window(o, st);
    let pool: Vec<&Sen2Series> = series.iter().filter(|s| has_window(s, &w)).collect();
    if pool.is_empty() {
        return None;
    }
    let mut sums = RateSums::default();
    for s in &pool {
        let r = rate_sums(s, o, st);
        for i in 0..NB {
            sums.num[i] += r.num[i];
            sums.den[i] += r.den[i];
        }
    }
    let mut c = [1.0; NB];
    for i in 0..NB {
        if sums.den[i] > 0.0 {
            c[i] = sums.num[i] / sums.den[i];
        }
    }
    let t = st.trend_years.max(2) as i32;
    let pts: Vec<(f64, f64)> = ((o - t)..o)
        .map(|y| {
            let total: f64 = pool
                .iter()
                .filter_map(|s| inflow(s, y))
                .map(|n| n.iter().sum::<f64>())
                .sum();
            (y as f64, total)
        })
        .collect();
    let g = log_slope(&pts).clamp(-st.max_trend, st.max_trend);
    Some(National {
        c,
        g,
        pool: pool.len(),
    })
}

/// Least-squares slope of ln(value) against x over the positive values; 0 with fewer than two.
pub fn log_slope(points: &[(f64, f64)]) -> f64 {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.1 > 0.0 && p.1.is_finite())
        .map(|p| (p.0, p.1.ln()))
        .collect();
    if pts.len() < 2 {
        return 0.0;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// placeplan's totals for Januarys o+1 ..= o+h (None when the authority lacks the window).
fn placeplan(
    s: &Sen2Series,
    o: i32,
    h: u32,
    nat: &National,
    st: &BacktestSettings,
) -> Option<Vec<f64>> {
    if !has_window(s, &window(o, st)) {
        return None;
    }
    let sums = rate_sums(s, o, st);
    let k = st.shrink_plans.max(0.0);
    let mut c = nat.c;
    for i in 0..NB {
        if sums.den[i] + k > 0.0 {
            c[i] = (sums.num[i] + k * nat.c[i]) / (sums.den[i] + k);
        }
    }
    let l = st.level_years.max(1) as i32;
    let mut level = [0.0; NB];
    for y in (o - l)..o {
        let n = inflow(s, y)?;
        let adj = (nat.g * (o - 1 - y) as f64).exp();
        for i in 0..NB {
            level[i] += n[i] * adj / l as f64;
        }
    }
    let mut p = stock(s, o)?;
    let mut out = Vec::with_capacity(h as usize);
    let mut damp_sum = 0.0;
    for j in 0..h {
        damp_sum += st.damping.powi(j as i32 + 1);
        let grow = (nat.g * damp_sum).exp();
        let n = level.map(|v| v * grow);
        p = step(&p, &n, &c);
        out.push(p.iter().sum());
    }
    Some(out)
}

/// Baseline forecasts of the total at o+h: (last value, linear trend, constant growth).
fn baselines(s: &Sen2Series, o: i32, h: u32, k: u32) -> Option<(f64, f64, f64)> {
    let k = k.max(1) as i32;
    let ys: Vec<(f64, f64)> = ((o - k)..=o)
        .map(|y| s.total(y).map(|v| (y as f64, v)))
        .collect::<Option<_>>()?;
    let last = ys.last()?.1;
    let n = ys.len() as f64;
    let mx = ys.iter().map(|p| p.0).sum::<f64>() / n;
    let my = ys.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = ys.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = ys.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let linear = (my + slope * ((o + h as i32) as f64 - mx)).max(0.0);
    let first = ys[0].1;
    let growth = if first > 0.0 && last > 0.0 {
        last * (last / first).powf(h as f64 / k as f64)
    } else {
        last
    };
    Some((last, linear, growth))
}

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

// ---------------------------------------------------------------------------------------------
// Tables

fn method_label(m: Method, st: &BacktestSettings) -> String {
    match m {
        Method::Placeplan => "placeplan".to_string(),
        Method::LastValue => "last value".to_string(),
        Method::LinearTrend => format!("linear trend ({}y)", st.baseline_years),
        Method::ConstantGrowth => format!("constant growth ({}y)", st.baseline_years),
    }
}

fn score_table(
    out: &mut String,
    scores: &[HorizonScore],
    reference: &[HorizonScore],
    st: &BacktestSettings,
    pooled: bool,
) {
    let pct = st.interval * 100.0;
    let _ = writeln!(
        out,
        "{:<22} {:>2} {:>5} {:>5} {:>7} {:>7} {:>7} {:>8}",
        "method",
        "h",
        if pooled { "" } else { "year" },
        "n",
        "MAPE%",
        "MdAPE%",
        "bias%",
        format!("cov{pct:.0}%")
    );
    for m in Method::ALL {
        for s in scores.iter().filter(|s| s.method == m) {
            let _ = writeln!(
                out,
                "{:<22} {:>2} {:>5} {:>5} {:>7.1} {:>7.1} {:>+7.1} {:>8}",
                method_label(m, st),
                s.horizon,
                if pooled {
                    String::new()
                } else {
                    s.year.to_string()
                },
                s.n,
                s.mape,
                s.median_ape,
                s.bias,
                s.coverage.map_or("-".to_string(), |c| format!("{c:.1}"))
            );
        }
    }
    if !reference.is_empty() {
        let _ = writeln!(
            out,
            "reference, not a forecast (origin value x actual national growth: uses post-origin data):"
        );
        for s in reference {
            let _ = writeln!(
                out,
                "{:<22} {:>2} {:>5} {:>5} {:>7.1} {:>7.1} {:>+7.1} {:>8}",
                "national actual",
                s.horizon,
                if pooled {
                    String::new()
                } else {
                    s.year.to_string()
                },
                s.n,
                s.mape,
                s.median_ape,
                s.bias,
                "-"
            );
        }
    }
}

/// The printed table of one report.
pub fn format_report(r: &BacktestReport) -> String {
    let mut out = String::new();
    let st = &r.settings;
    let _ = writeln!(
        out,
        "SEN2 backtest: total EHC plans (statements + EHC plans) per local authority, origin January {}, horizons 1-{}",
        r.origin, r.horizon
    );
    if let Some(la) = &r.la {
        match r.forecasts.first() {
            Some(f) => {
                let _ = writeln!(out, "authority: {} ({})", f.name, f.la_code);
            }
            None => {
                let _ = writeln!(out, "authority: {la}");
            }
        }
    }
    if let Some(c) = &r.calibration {
        let _ = writeln!(
            out,
            "fitted on January {}-{} caseload and calendar {}-{} new plans only; national continuation {} = {}; new-plan growth {:+.1}%/yr (damping {}); pool {} LAs",
            window(r.origin, st).stock.start(),
            r.origin,
            window(r.origin, st).new.start(),
            r.origin - 1,
            ["0-4", "5-10", "11-15", "16-25"].join("/"),
            c.continuation
                .iter()
                .map(|v| format!("{v:.3}"))
                .collect::<Vec<_>>()
                .join("/"),
            100.0 * c.new_plan_growth,
            st.damping,
            c.pool
        );
        let _ = writeln!(
            out,
            "interval: {:.0}% from {} placeplan errors at origins {} (actuals up to January {} only)",
            st.interval * 100.0,
            c.interval_errors,
            match c.interval_origins.as_slice() {
                [] => "none".to_string(),
                [one] => one.to_string(),
                [first, .., last] => format!("{first}-{last}"),
            },
            r.origin
        );
    }
    let _ = writeln!(
        out,
        "scored: {} {}; excluded: {}",
        r.scored,
        if r.scored == 1 {
            "authority"
        } else {
            "authorities"
        },
        r.excluded.len()
    );
    let mut reasons: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in &r.excluded {
        let key = e
            .reason
            .split(" (")
            .next()
            .unwrap_or(&e.reason)
            .split(':')
            .next()
            .unwrap_or(&e.reason)
            .to_string();
        reasons.entry(key).or_default().push(&e.name);
    }
    for (why, names) in &reasons {
        let _ = writeln!(out, "  {} {}: {}", names.len(), why, names.join("; "));
    }
    if let Some(n) = r.population_matched {
        let _ = writeln!(
            out,
            "population: {n} authorities matched (one mid-year, held flat: it changes no forecast)"
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !r.scores.is_empty() {
        out.push('\n');
        score_table(&mut out, &r.scores, &r.reference, st, false);
    }
    if r.la.is_some() && !r.forecasts.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<10} {:>4} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "code", "year", "actual", "placeplan", "low", "high", "last", "linear", "growth"
        );
        for f in &r.forecasts {
            let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
            let _ = writeln!(
                out,
                "{:<10} {:>4} {:>8.0} {:>9.0} {:>9} {:>9} {:>9.0} {:>9.0} {:>9.0}",
                f.la_code,
                f.year,
                f.actual,
                f.placeplan,
                opt(f.low),
                opt(f.high),
                f.last_value,
                f.linear_trend,
                f.constant_growth
            );
        }
    }
    out
}

/// Issue 3 targets at the longest horizon, from pooled scores.
fn targets(out: &mut String, p: &PooledReport) {
    let at = |m: Method| {
        p.scores
            .iter()
            .find(|s| s.method == m && s.horizon == p.horizon)
    };
    let Some(pp) = at(Method::Placeplan) else {
        return;
    };
    let best_naive = [
        Method::LastValue,
        Method::LinearTrend,
        Method::ConstantGrowth,
    ]
    .into_iter()
    .filter_map(at)
    .map(|s| s.mape)
    .fold(f64::INFINITY, f64::min);
    let met = |b: bool| if b { "met" } else { "NOT met" };
    let _ = writeln!(out, "\ntargets at horizon {} (pooled):", p.horizon);
    let _ = writeln!(
        out,
        "  MAPE <= 10%: {:.1}% {}; best naive baseline {:.1}% ({})",
        pp.mape,
        met(pp.mape <= 10.0),
        best_naive,
        if pp.mape < best_naive {
            "placeplan better"
        } else {
            "placeplan NOT better"
        }
    );
    let _ = writeln!(
        out,
        "  |bias| <= 3%: {:+.1}% {}",
        pp.bias,
        met(pp.bias.abs() <= 3.0)
    );
    match pp.coverage {
        Some(c) => {
            let _ = writeln!(
                out,
                "  80% interval covers 75-85%: {c:.1}% {}",
                met((75.0..=85.0).contains(&c))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  80% interval covers 75-85%: no interval at every origin"
            );
        }
    }
}

/// The printed table of scores pooled over origins, with the issue 3 targets.
pub fn format_pooled(p: &PooledReport, st: &BacktestSettings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "pooled over origins {}: every authority-origin pair counts once",
        p.origins
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    score_table(&mut out, &p.scores, &p.reference, st, true);
    targets(&mut out, p);
    out
}

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

/// The new-plans file next to a caseload file, when it exists.
fn sibling_new_plans(caseload: &Path) -> Option<PathBuf> {
    let p = caseload.parent()?.join("sen2_age_new_plans.csv");
    p.is_file().then_some(p)
}

/// Reads the files and runs the backtest at one origin; returns the printed table, or JSON.
/// `new_plans` defaults to `sen2_age_new_plans.csv` next to the caseload file.
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
/// and the issue 3 targets. JSON is one report for one origin, else
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
    let sibling = sibling_new_plans(sen2);
    let np: Option<&Path> = new_plans.or(sibling.as_deref());
    let mut problems = Problems::default();
    if np.is_none() {
        problems.push(
            InputError::new(
                sen2,
                Code::MissingFile,
                "placeplan needs the SEN2 new-plans file (sen2_age_new_plans.csv): pass it, or put it next to the caseload file",
            )
            .field("new_plans"),
        );
        return Err(problems);
    }
    let series = read_sen2(sen2, np)?;
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
        if national(&series, o, &st).is_none() {
            let w = window(o, &st);
            return Err(bad(
                "origin",
                Code::BadBacktestWindow,
                format!(
                    "origin {o}: no authority has caseload for January {}-{} and new plans for {}-{}",
                    w.stock.start(),
                    w.stock.end(),
                    w.new.start(),
                    w.new.end()
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
    use super::*;
    use placeplan_io::import::sen2::DFE_BAND_LABELS;

    /// Caseload by band at Januarys `years` and new plans in the calendar year before each.
    fn synth(
        code: &str,
        old: &str,
        years: std::ops::RangeInclusive<i32>,
        scale: f64,
        growth: f64,
    ) -> Sen2Series {
        let mut s = Sen2Series {
            la_code: code.into(),
            old_la_code: old.into(),
            name: format!("LA {old}"),
            ..Default::default()
        };
        let stock = [100.0, 600.0, 700.0, 300.0, 100.0];
        let new = [40.0, 60.0, 30.0, 8.0, 2.0];
        for y in years {
            let f = scale * (1.0 + growth).powi(y - 2010);
            let c = stock.map(|v| Some(v * f));
            s.caseload.insert(y, c);
            s.caseload_total
                .insert(y, Some(stock.iter().sum::<f64>() * f));
            let n = new.map(|v| Some(v * f / (1.0 + growth)));
            s.new_plans.insert(y - 1, n);
            s.new_plans_total
                .insert(y - 1, Some(new.iter().sum::<f64>() * f / (1.0 + growth)));
        }
        s
    }

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
        let back = read_sen2(&case, Some(&newp)).unwrap();
        assert_eq!(back, series);

        let text = run_backtest_cli(&case, None, None, 2016, 5, None, false).unwrap();
        assert!(text.contains("placeplan               5  2021"), "{text}");
        let one = run_backtest_cli(&case, None, None, 2016, 3, Some("806"), false).unwrap();
        assert!(one.contains("authority: LA 806 (E06000002)"), "{one}");
        let json = run_backtest_cli(&case, Some(&newp), None, 2016, 5, None, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["origin"], 2016);
        assert_eq!(v["scores"][0]["method"], "placeplan");
        let multi =
            run_backtest_cli_origins(&case, None, None, &[2015, 2016], 5, None, false).unwrap();
        assert!(multi.contains("pooled over origins 2015, 2016"));
        assert!(multi.contains("targets at horizon 5"));
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
        std::fs::remove_file(&newp).unwrap();
        assert_eq!(
            code(run_backtest_cli(&case, None, None, 2016, 5, None, false)),
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
