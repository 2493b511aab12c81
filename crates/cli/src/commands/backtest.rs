//! `placeplan backtest --sen2 FILE --origin YEAR...`: score the forecast method on DfE SEN2
//! history beside naive baselines.

use std::path::PathBuf;

use super::TextFormat;
use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// SEN2 caseload CSV (sen2_age_caseload.csv).
    #[arg(long)]
    sen2: PathBuf,
    /// SEN2 new plans CSV (default: sen2_age_new_plans.csv beside the caseload file).
    #[arg(long)]
    new_plans: Option<PathBuf>,
    /// ONS population by single year of age per district (optional).
    #[arg(long)]
    population: Option<PathBuf>,
    /// Origin year(s): the last January used for fitting. Repeat for several origins.
    #[arg(long, required = true, num_args = 1..)]
    origin: Vec<i32>,
    /// Years ahead to score.
    #[arg(long, default_value_t = 5)]
    horizon: u32,
    /// Score one local authority (new or old code, or name).
    #[arg(long)]
    la: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

/// A backtest to run. The horizon, the authority and the origins are checked against the data
/// once it is read (`placeplan_app::backtest`), with their codes.
pub struct Config {
    /// The SEN2 caseload file.
    pub sen2: PathBuf,
    /// The SEN2 new-plans file; `None`: the one beside the caseload file.
    pub new_plans: Option<PathBuf>,
    /// ONS population by single year of age.
    pub population: Option<PathBuf>,
    /// One or more origin years.
    pub origins: Vec<i32>,
    pub horizon: u32,
    /// One local authority to score, else all.
    pub la: Option<String>,
    pub format: TextFormat,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            sen2: self.sen2,
            new_plans: self.new_plans,
            population: self.population,
            origins: self.origin,
            horizon: self.horizon,
            la: self.la,
            format: self.format,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let text = placeplan_app::backtest::run_backtest_cli_origins(
        &config.sen2,
        config.new_plans.as_deref(),
        config.population.as_deref(),
        &config.origins,
        config.horizon,
        config.la.as_deref(),
        config.format == TextFormat::Json,
    )?;
    print!("{text}");
    Ok(())
}
