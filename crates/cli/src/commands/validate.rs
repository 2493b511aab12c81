//! `placeplan validate DIR`: load and check a scenario, listing every problem.

use std::path::PathBuf;

use placeplan_io::scenario::{load_scenario, SCENARIO_FILE};
use placeplan_model::size::check_model_size;

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Scenario directory (holds scenario.toml).
    dir: PathBuf,
}

/// What `validate` checks.
pub struct Config {
    /// The scenario directory.
    pub dir: PathBuf,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config { dir: self.dir })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let dir = config.dir;
    let s = load_scenario(&dir)?;
    check_model_size(&s, &dir.join(SCENARIO_FILE))?;
    println!(
        "{}: valid ({} localities, {} schools, {} existing provisions, {} history rows, {} population rows)",
        dir.display(),
        s.localities.len(),
        s.schools.len(),
        s.provisions.len(),
        s.history.len(),
        s.population.len()
    );
    Ok(())
}
