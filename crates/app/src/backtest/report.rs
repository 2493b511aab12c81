//! What the backtest reports: the methods it scores, its settings, and the reports of one
//! origin (scores, exclusions, calibration, every forecast).

use std::collections::BTreeMap;

use serde::Serialize;

use placeplan_model::forecast::ShareMethod;

/// Population by band (0-4, 5-10, 11-15, 16-19, 20-25) keyed by nine-character LA code.
pub type BandPopulation = BTreeMap<String, [f64; 5]>;

/// Longest horizon the backtest accepts.
pub const MAX_HORIZON: u32 = 10;

/// A forecasting method scored by the backtest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The scenario forecast (`placeplan_model::forecast`), the authority as one locality.
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

/// What is forecast and scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Total EHC plans (statements + EHC plans).
    Plans,
    /// Specialist placements: resourced provision / SEN units, special schools, independent and
    /// non-maintained special schools (`sen2_estab_caseload.csv`).
    Specialist,
}

impl Measure {
    pub const ALL: [Measure; 2] = [Measure::Plans, Measure::Specialist];

    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Plans => "plans",
            Measure::Specialist => "specialist",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Measure::Plans => "total EHC plans",
            Measure::Specialist => {
                "specialist placements (resourced provision/unit + special + independent)"
            }
        }
    }
}

/// Settings of the backtest. The defaults are the documented method; they are fixed, not fitted
/// per origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestSettings {
    /// Years of history before the origin the scenario is calibrated on (Januarys o-k ..= o).
    pub history_years: u32,
    /// Damping of the new-plan trend per year ahead (the scenario's `trend_damping`).
    pub damping: f64,
    /// Largest yearly growth of the new-plan rate (the scenario's `max_rate_growth`).
    pub max_trend: f64,
    /// Years back the linear-trend and constant-growth baselines use.
    pub baseline_years: u32,
    /// Central probability of the placeplan interval (0.8 = P10-P90).
    pub interval: f64,
    /// Fewest past errors needed before an interval is given.
    pub min_interval_errors: usize,
    /// Earlier origins whose errors make the interval: the most recent this many (0 = all).
    pub error_origins: u32,
    /// A past error at horizon h' counts at horizon h scaled by (h/h')^power (1: in proportion,
    /// as trend errors grow; 0.5: as a random walk's).
    pub error_scale_power: f64,
    /// Where the placeplan interval comes from (the track record unless measuring the
    /// alternative).
    pub interval_source: IntervalSource,
    /// How the scenario forecast projects the specialist share (its default unless measuring
    /// another).
    pub share_method: ShareMethod,
    /// Weight of the authority's own new-plan trend ahead; the rest is the national trend at
    /// the origin (every authority's caseload summed over the same pre-origin Januarys and
    /// calibrated as one), as the scenario forecast shrinks its own towards the national trend
    /// (default: the model's `OWN_TREND_WEIGHT`; 1 = its own only).
    pub own_trend_weight: f64,
}

/// Where the placeplan interval scored by the backtest comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntervalSource {
    /// The model's own errors at earlier origins (the documented method).
    TrackRecord,
    /// The scenario forecast's own P10-P90 over this many seeded Monte Carlo runs (its rates
    /// drawn from their calibrated spreads; model.md section 1), for comparison. Needs
    /// `interval` = 0.8.
    MonteCarlo { runs: u32 },
    /// On each side the wider of the two (track record and Monte Carlo P10-P90 over `runs`).
    Wider { runs: u32 },
}

impl Default for BacktestSettings {
    fn default() -> Self {
        let f = placeplan_model::domain::ForecastSettings::default();
        BacktestSettings {
            history_years: 4,
            damping: f.trend_damping,
            max_trend: f.max_rate_growth,
            baseline_years: 3,
            interval: 0.8,
            min_interval_errors: 30,
            error_origins: 0,
            error_scale_power: 1.0,
            interval_source: IntervalSource::TrackRecord,
            share_method: ShareMethod::DEFAULT,
            own_trend_weight: placeplan_model::forecast::OWN_TREND_WEIGHT,
        }
    }
}

/// Scores of one method at one horizon, over the authorities scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonScore {
    pub measure: Measure,
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
    /// Interval scores (placeplan, when every forecast scored has an interval; the reference,
    /// of its interval fitted in hindsight).
    pub interval: Option<IntervalScore>,
}

/// How a method's intervals did over the forecasts scored.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct IntervalScore {
    /// Share (%) of actuals inside the interval.
    pub coverage: f64,
    /// Share (%) of actuals below the low end, and above the high end.
    pub below: f64,
    pub above: f64,
    /// Median width (high - low) as a % of the forecast.
    pub median_width: f64,
    /// Mean interval score (Gneiting and Raftery: width plus 2/alpha times each miss, alpha =
    /// 1 - the interval's probability), as a % of the actual: lower is better.
    pub score: f64,
}

/// An authority left out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub measure: Measure,
    pub la_code: String,
    pub name: String,
    pub reason: String,
}

/// Forecasts and actual for one authority and horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LaForecast {
    pub measure: Measure,
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
    /// Reference only: origin value x actual national growth of the measure (uses post-origin
    /// data).
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

/// The intervals placeplan gives at the origin, from its own past errors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Quantiles of log(actual / forecast) by horizon for total plans (None = no interval).
    pub plans_log_errors: Vec<Option<(f64, f64)>>,
    /// The same for specialist placements.
    pub specialist_log_errors: Vec<Option<(f64, f64)>>,
    /// Past forecasts the interval quantiles come from, and their origins.
    pub interval_errors: usize,
    pub interval_origins: Vec<i32>,
}

/// The national total of a measure (every authority eligible at the origin and horizon,
/// summed), forecast by placeplan as one authority from the same pre-origin Januarys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NationalScore {
    pub measure: Measure,
    pub origin: i32,
    pub horizon: u32,
    pub year: i32,
    /// Authorities summed.
    pub authorities: usize,
    pub forecast: f64,
    pub actual: f64,
}

impl NationalScore {
    /// (forecast - actual) / actual, %: negative = under-forecast.
    pub fn error(&self) -> f64 {
        100.0 * (self.forecast - self.actual) / self.actual
    }
}

/// A backtest at one origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub origin: i32,
    pub horizon: u32,
    pub la: Option<String>,
    pub settings: BacktestSettings,
    /// Authorities scored at every horizon with actuals (total plans; specialist placements).
    pub scored: usize,
    pub scored_specialist: usize,
    pub excluded: Vec<Exclusion>,
    pub calibration: Option<Calibration>,
    pub scores: Vec<HorizonScore>,
    /// Reference, not a forecast: origin value x the actual national growth to the target year.
    /// It shows how much of the error is spread between authorities rather than the national trend.
    /// Its `interval` is fitted in hindsight to its own errors (the shortest interval that holds
    /// the interval's share of log(actual / reference) over the authorities scored): the
    /// narrowest interval of that coverage a forecast as accurate as the reference could give
    /// with one relative width.
    pub reference: Vec<HorizonScore>,
    /// The national total (the authorities eligible at the origin, summed) forecast by the same
    /// model as one authority from the same pre-origin Januarys, against its actual: how far the
    /// model misses the national total itself.
    pub national: Vec<NationalScore>,
    /// Last January in the file; horizons beyond it are not scored.
    pub last_year: i32,
    /// Authorities with population matched (when population was given).
    pub population_matched: Option<usize>,
    pub notes: Vec<String>,
    pub forecasts: Vec<LaForecast>,
}
