//! `placeplan`: SEND specialist-place sufficiency planning from the command line.
//!
//! Exit codes: 0 success (a checked plan was written), 1 no feasible plan (the reason is
//! printed), 2 usage or input error (every problem is listed with file, line and column) or
//! another failure, such as a solver failure (printed with its code, docs/errors.md).
//!
//! Each subcommand is one module of `commands`: its flags as clap parses them (`Args`), the
//! typed, checked configuration they become before any work starts (`Config`, made by
//! `Args::config`), and the work (`run`). This file only parses, dispatches and maps a
//! [`Failure`] to its exit code. A new subcommand is a new module and one variant of
//! [`Command`] (with its line in [`run`]).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod failure;
mod table;

use commands::{
    backtest, cflp, compare, demo, forecast, import, init, plan, sweep, sweep_merge, synth,
    validate,
};
use failure::Failure;

#[derive(Parser)]
#[command(
    name = "placeplan",
    version,
    about = "Forecast SEND specialist-place demand and plan where new resourced-base places go"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a scenario directory and list every problem (exit 2 if any).
    Validate(validate::Args),
    /// Forecast demand and write forecast.csv.
    Forecast(forecast::Args),
    /// Forecast, optimise new places, check the plan and write all outputs.
    Plan(plan::Args),
    /// Run every variant of a sweep file in parallel and write a comparison table.
    Sweep(sweep::Args),
    /// Merge the shards of a sweep (`sweep --shard I/N`) into the outputs of the whole sweep.
    SweepMerge(sweep_merge::Args),
    /// Compare two or more run directories side by side.
    Compare(compare::Args),
    /// Solve an OR-Library capacitated facility location instance (conformance of the MIP path).
    Cflp(cflp::Args),
    /// Score the forecast method against DfE SEN2 history: fit up to each origin, forecast, and
    /// compare with what happened, beside naive baselines.
    Backtest(backtest::Args),
    /// Import real public data (DfE SEN2).
    Import(import::Args),
    /// Write a synthetic benchmark scenario at ward, LSOA or region scale (docs/performance.md).
    Synth(synth::Args),
    /// Build a validated scenario from published files (GIAS, ONS/Nomis, DfE EHC plans,
    /// boundaries) and write what it assumed to ASSUMPTIONS.md.
    Init(init::InitArgs),
    /// Write the bundled demo local authority scenario.
    Demo(demo::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// Turns the command's flags into its checked configuration, then runs it.
fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Validate(args) => validate::run(args.config()?),
        Command::Forecast(args) => forecast::run(args.config()?),
        Command::Plan(args) => plan::run(args.config()?),
        Command::Sweep(args) => sweep::run(args.config()?),
        Command::SweepMerge(args) => sweep_merge::run(args.config()?),
        Command::Compare(args) => compare::run(args.config()?),
        Command::Cflp(args) => cflp::run(args.config()?),
        Command::Backtest(args) => backtest::run(args.config()?),
        Command::Import(args) => import::run(args.config()?),
        Command::Synth(args) => synth::run(args.config()?),
        Command::Init(args) => init::run(args),
        Command::Demo(args) => demo::run(args.config()?),
    }
}
