//! The paths callers write a run through, gathered in one place: the data a run hands to the
//! renderers ([`RunOutputs`], from `run`), the composition of every renderer into files
//! ([`Formats`], [`write_run`], [`write_run_staged`], [`SharedFile`], from `files`) and the CSV
//! tables and `summary.json` (from `tables`). Only re-exports: no module of the crate imports
//! this one.

pub use crate::files::{write_run, write_run_staged, Formats, SharedFile};
pub use crate::run::RunOutputs;
pub use crate::tables::{
    costs_csv, fixed, forecast_csv, moves_csv, placements_csv, plan_csv, summary_json,
};
