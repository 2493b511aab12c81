//! placeplan-app: the application layer. One planning run is composed here once (forecast ->
//! travel -> solve -> check -> cost -> baselines -> summary) and used by `plan` and every sweep
//! variant; sweeps run it over a grid of variants in parallel; the backtest scores the forecast
//! on published history.

pub mod backtest;
pub mod pipeline;
pub mod sweep;

pub use pipeline::{plan_run, Run, RunError};
