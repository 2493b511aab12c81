//! Cohort-progression (stock-flow) forecast of EHC plans and specialist places.
//!
//! State: plans by locality x single year of age 0-25 x need. Each January everyone ages one
//! year and continues with a rate by age (plans carried into an age take that age's need mix:
//! need changes are transitions); new plans = population(age) x incidence(age, need) x a
//! locality factor x a damped trend. Specialist demand = plans x the share by need and phase that
//! history shows in specialist provision (resourced base, special, independent), with a damped
//! trend per phase.
//!
//! Calibration from the scenario's history (LA level, single years of age):
//! * new plans at age a in year y are the all-need residual
//!   `sum_n plans(y, a, n) - c(a-1) * sum_n plans(y-1, a-1, n)`, with c the continuation rates;
//!   where it is negative over the last three years, c(a-1) is lowered to what history shows
//!   and a takes no new plans; incidence = new / population, split by the age's need mix;
//! * the trend g is the log-linear slope of the all-age new-plan rate over the history years,
//!   clamped to +-`max_rate_growth`; ahead it is shrunk towards the national trend
//!   (`OWN_TREND_WEIGHT` x its own + the rest x `NATIONAL_TREND`) and damped by
//!   `trend_damping` per year ahead;
//! * the specialist share is the base year's, by need and phase, with each phase's log-linear
//!   trend over the history years (clamped to +-5%), damped the same way;
//! * transitions between settings (net yearly rates into or out of specialist settings by need,
//!   phase and step, from cohort stocks a year apart, shrunk towards the all-need rate) give an
//!   alternative share path by age and need (`ShareMethod`); measured worse on the SEN2
//!   backtest, it is not the default;
//! * the locality factor is (observed + k) / (expected + k) with k = `shrinkage_plans`,
//!   so small areas are pulled towards the LA rate.
//!
//! Policy levers (`[[levers]]`) multiply the new-plan rate, the specialist share of cohorts
//! entering a phase, or post-19 continuation, each from a start year with a linear ramp. The
//! "unmitigated" forecast ignores them; the "mitigated" forecast applies them.
//!
//! Uncertainty: `runs` seeded Monte Carlo draws of the trend (its regression standard error), the
//! base-year level (standard error of the fitted level), year-to-year noise in the new-plan rate
//! (the residual spread of the fit), each phase's specialist share (its spread over the history
//! years) and the leaving rates (a fixed 10% log-scale spread). Every reported cell and total gets
//! the central projection (all draws at their centre) and the P10/P50/P90 over runs; totals are
//! summed within each run before percentiles are taken. Runs are drawn from `(seed, run)` streams,
//! so results do not depend on thread count or order.
//!
//! `output` is what a forecast holds (`Forecast`, its cells and totals, `Band`, `Variant`);
//! `calibrate` holds the continuation rates and fits every other rate from history, with the
//! log-linear fit of `fit`; `project` runs the projection and its Monte Carlo runs for each
//! variant; `demand` rounds the specialist forecast to whole pupils by demand group with the
//! totals-preserving (controlled) rounding of `round`.

mod calibrate;
mod demand;
mod fit;
mod output;
mod project;
mod round;

pub use calibrate::{
    calibrate, calibrate_with, Calibration, ShareMethod, TrendPrior, CONTINUATION, LEAVING_SD,
    NATIONAL_TREND, OWN_TREND_WEIGHT,
};
pub use demand::{Demand, DemandGroup};
pub use fit::{log_linear_fit, log_linear_growth, LogLinearFit};
pub use output::{base_year_specialist, Band, Forecast, ForecastCell, ForecastTotal, Variant};
pub use project::{forecast, forecast_variant, forecasts, variants};
pub use round::{controlled_round, largest_remainder};
