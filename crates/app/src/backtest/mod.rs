//! Rolling-origin backtest per local authority on the DfE SEN2 release, of the scenario forecast
//! itself (`placeplan_model::forecast`, the one `plan` uses) beside naive baselines. See
//! `docs/forecasting.md`.
//!
//! **One model.** Each authority at origin January `o` is a scenario with one locality: its
//! history is the SEN2 caseload of Januarys `o - history_years ..= o` by single year of age
//! (each DfE band spread evenly over its ages), split into specialist and other placements by
//! that January's specialist share (`sen2_estab_caseload.csv`), with a flat population. The
//! scenario forecast is calibrated on that history alone and projected `h` years; its central
//! projection of total plans and of specialist places is what is scored.
//!
//! **What a forecast may know.** Caseload and placements up to January `o`; nothing later.
//! Intervals come from the same forecast's errors at earlier origins, scored only on actuals up
//! to January `o`. (The model's national continuation rates by age are fixed constants, from
//! the national 2024/25 release: see the docs.)
//!
//! `la` builds an authority's scenario and runs the forecast and the baselines; `score` runs
//! one origin, its intervals and the scores; `report` holds what is reported; `table` prints it;
//! `command` reads the files and runs the command.

mod command;
mod la;
mod report;
mod score;
mod table;
#[cfg(test)]
mod test_series;

pub use command::{read_population_bands, run_backtest_cli, run_backtest_cli_origins};
pub use la::national_trend;
pub use report::{
    BacktestReport, BacktestSettings, BandPopulation, Calibration, Exclusion, HorizonScore,
    IntervalScore, IntervalSource, LaForecast, Measure, Method, NationalScore, MAX_HORIZON,
};
pub use score::{backtest, backtest_with, pool_reports, PooledReport};
pub use table::{format_pooled, format_report};
