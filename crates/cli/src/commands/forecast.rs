//! `placeplan forecast DIR`: forecast demand and write forecast.csv.

use std::path::PathBuf;

use placeplan_io::atomic::{OutputKind, StagedDir};
use placeplan_io::scenario::load_scenario;
use placeplan_model::forecast::forecasts;
use placeplan_report::export;

use super::{default_out, write};
use crate::failure::Failure;
use crate::table;

#[derive(clap::Args)]
pub struct Args {
    dir: PathBuf,
    /// Output directory (default out/<scenario name>/).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// What `forecast` reads and where it writes.
pub struct Config {
    /// The scenario directory.
    pub dir: PathBuf,
    /// The output folder; `None`: out/<scenario name>/.
    pub out: Option<PathBuf>,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            dir: self.dir,
            out: self.out,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let s = load_scenario(&config.dir)?;
    let out = config.out.unwrap_or_else(|| default_out(&s));
    let staged = StagedDir::new(&out, OutputKind::Run)?;
    let fcs = forecasts(&s);
    write(
        &staged.path().join("forecast.csv"),
        &export::forecast_csv(&s, &fcs),
    )?;
    staged.commit()?;
    for fc in &fcs {
        table::print_forecast(&s, fc);
    }
    println!("wrote {}", out.join("forecast.csv").display());
    Ok(())
}
