//! `placeplan compare RUN RUN...`: two or more run directories side by side.

use std::path::PathBuf;

use placeplan_model::Problems;
use placeplan_report::compare;

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Run directories written by `plan` or `sweep`.
    #[arg(required = true, num_args = 2..)]
    runs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    format: CompareFormat,
}

/// How `compare` prints.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Table,
    Csv,
    Json,
}

/// The runs to compare and how to print them.
pub struct Config {
    /// Two or more run directories.
    pub runs: Vec<PathBuf>,
    pub format: CompareFormat,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            runs: self.runs,
            format: self.format,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let mut problems = Problems::default();
    let mut read = Vec::new();
    for dir in &config.runs {
        match compare::read_run(dir) {
            Ok(r) => read.push(r),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let c = compare::compare(&read);
    match config.format {
        CompareFormat::Csv => print!("{}", String::from_utf8_lossy(&c.to_csv())),
        CompareFormat::Json => print!("{}", String::from_utf8_lossy(&c.to_json())),
        CompareFormat::Table => print!("{}", c.to_text()),
    }
    Ok(())
}
