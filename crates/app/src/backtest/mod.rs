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

mod band;
mod command;
mod report;
mod score;
mod table;
#[cfg(test)]
mod test_series;

pub use band::log_slope;
pub use command::{read_population_bands, run_backtest_cli, run_backtest_cli_origins};
pub use report::{
    BacktestReport, BacktestSettings, BandPopulation, Calibration, Exclusion, HorizonScore,
    LaForecast, Method, MAX_HORIZON,
};
pub use score::{backtest, backtest_with, pool_reports, PooledReport};
pub use table::{format_pooled, format_report};
