//! What the backtest reports: the methods it scores, its settings, and the reports of one
//! origin (scores, exclusions, calibration, every forecast).

use std::collections::BTreeMap;

use serde::Serialize;

/// Population by band (0-4, 5-10, 11-15, 16-19, 20-25) keyed by nine-character LA code.
pub type BandPopulation = BTreeMap<String, [f64; 5]>;

/// Model bands: 0-4, 5-10, 11-15, 16-25.
pub(super) const NB: usize = 4;
/// Widths of the three school-age model bands.
pub(super) const WIDTH: [f64; 3] = [5.0, 6.0, 5.0];
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
    pub(super) fn value(&self, m: Method) -> f64 {
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
