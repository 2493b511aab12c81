//! `placeplan cflp FILE`: solve an OR-Library capacitated facility location instance.

use std::path::PathBuf;

use placeplan_model::{MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S};
use placeplan_solver::{cflp, Backend, SolveError};

use super::TextFormat;
use crate::failure::{available, Failure};

#[derive(clap::Args)]
pub struct Args {
    /// Instance file (cap41.txt ... capc.txt).
    file: PathBuf,
    /// Capacity of every site (required for capa/capb/capc, which leave it as a word).
    #[arg(long)]
    capacity: Option<f64>,
    /// Backend: microlp or highs (facility location is a MIP; flow means microlp here).
    #[arg(long, default_value = "microlp")]
    backend: Backend,
    /// Seconds before giving up.
    #[arg(long, default_value_t = 600.0)]
    time_limit: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

/// An instance to solve: checked before it is read.
pub struct Config {
    /// The instance file.
    pub file: PathBuf,
    /// Capacity of every site, overriding the file's.
    pub capacity: Option<f64>,
    /// A backend this build has.
    pub backend: Backend,
    /// Seconds, within `MIN_TIME_LIMIT_S..=MAX_TIME_LIMIT_S`.
    pub time_limit: f64,
    pub format: TextFormat,
}

impl Args {
    /// Refuses a backend this build does not have (E504), then a time limit out of range.
    pub fn config(self) -> Result<Config, Failure> {
        let backend = available(self.backend)?;
        let time_limit = self.time_limit;
        let (min, max) = (MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S);
        if !(min..=max).contains(&time_limit) {
            return Err(Failure::Input(format!(
                "--time-limit {time_limit} must be {min} to {max} seconds (one week)"
            )));
        }
        Ok(Config {
            file: self.file,
            capacity: self.capacity,
            backend,
            time_limit,
            format: self.format,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let Config {
        file,
        capacity,
        backend,
        time_limit,
        format,
    } = config;
    let inst = cflp::read_cflp(&file, capacity).map_err(|e| Failure::Input(e.to_string()))?;
    let r = cflp::solve_cflp(&inst, backend, time_limit).map_err(|e| match e {
        SolveError::Infeasible(_) => Failure::Infeasible(e.coded().to_string()),
        other => Failure::Solver(other.coded().to_string()),
    })?;
    match format {
        TextFormat::Json => {
            let v = serde_json::json!({
                "instance": inst.name,
                "sites": inst.sites(),
                "customers": inst.customers(),
                "backend": backend.name(),
                "objective": r.objective,
                "status": r.status,
                "seconds": r.seconds,
                "open": r.open,
                "lagrangian_bound": r.lower_bound,
                "sites_fixed_open": r.fixed_open,
                "sites_fixed_closed": r.fixed_closed,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        TextFormat::Text => {
            println!(
                "{}: {} sites x {} customers, {backend}: objective {:.3}, status {}, {:.3} s, {} sites open ({} fixed open, {} fixed closed by the bounds)",
                inst.name,
                inst.sites(),
                inst.customers(),
                r.objective,
                r.status,
                r.seconds,
                r.open.len(),
                r.fixed_open,
                r.fixed_closed
            );
        }
    }
    Ok(())
}
