//! `placeplan import sen2|gias|population ...`: read a published file and write the scenario
//! file it feeds (or a tidy CSV).

use std::path::PathBuf;

use placeplan_io::atomic::write_new;
use placeplan_io::import::{gias, ons, sen2};

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: ImportKind,
}

#[derive(clap::Subcommand)]
enum ImportKind {
    /// DfE SEN2 EHC plan caseload (and new plans) by LA and age band: prints a summary and, with
    /// --out DIR, writes DIR/sen2.csv (la_code, old_la_code, name, measure, year, age_group,
    /// count).
    Sen2 {
        /// sen2_age_caseload.csv, or the current release's caseload.csv
        caseload: PathBuf,
        /// sen2_age_new_plans.csv
        #[arg(long)]
        new_plans: Option<PathBuf>,
        /// Folder to write sen2.csv into (as the other importers take a folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// DfE GIAS establishment register: writes schools.csv and capacity.csv for a scenario.
    Gias {
        /// GIAS establishment CSV (edubasealldata*.csv).
        file: PathBuf,
        /// Local authority to keep: code (344), name (Wirral) or district code (E08000015).
        /// Repeat for several.
        #[arg(long)]
        la: Vec<String>,
        /// Keep closed and proposed establishments too.
        #[arg(long)]
        include_closed: bool,
        /// Mark mainstream schools as able to host a base with this many new places at most.
        #[arg(long)]
        host_max_places: Option<u32>,
        /// Scenario directory to write schools.csv and capacity.csv into.
        #[arg(long)]
        out: PathBuf,
    },
    /// ONS / Nomis population by single year of age: writes population.csv for one year.
    Population {
        /// Wide CSV with an area code column and columns 0..89, 90+.
        file: PathBuf,
        /// Mid-year of the estimate or projection.
        #[arg(long)]
        year: i32,
        /// Area codes to keep (repeat for several; default all).
        #[arg(long)]
        code: Vec<String>,
        /// Scenario directory to write population.csv into.
        #[arg(long)]
        out: PathBuf,
    },
}

/// What to import, and where to.
pub enum Config {
    /// SEN2 caseload (and new plans): a summary, and with `out` a tidy CSV.
    Sen2 {
        caseload: PathBuf,
        new_plans: Option<PathBuf>,
        out: Option<PathBuf>,
    },
    /// The GIAS register: schools.csv and capacity.csv in the scenario folder `out`.
    Gias {
        file: PathBuf,
        options: gias::GiasOptions,
        out: PathBuf,
    },
    /// ONS population of one year: population.csv in the scenario folder `out`.
    Population {
        file: PathBuf,
        options: ons::OnsOptions,
        out: PathBuf,
    },
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(match self.what {
            ImportKind::Sen2 {
                caseload,
                new_plans,
                out,
            } => Config::Sen2 {
                caseload,
                new_plans,
                out,
            },
            ImportKind::Gias {
                file,
                la,
                include_closed,
                host_max_places,
                out,
            } => Config::Gias {
                file,
                options: gias::GiasOptions {
                    la,
                    include_closed,
                    host_max_places,
                    ..Default::default()
                },
                out,
            },
            ImportKind::Population {
                file,
                year,
                code,
                out,
            } => Config::Population {
                file,
                options: ons::OnsOptions {
                    year: Some(year),
                    codes: code,
                    ..Default::default()
                },
                out,
            },
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    match config {
        Config::Sen2 {
            caseload,
            new_plans,
            out,
        } => {
            let series = sen2::read_sen2(&caseload, new_plans.as_deref())?;
            print!("{}", sen2::summary(&series));
            if let Some(out) = out {
                let file = out.join("sen2.csv");
                write_new(&[(file.clone(), sen2::to_tidy_csv(&series).into_bytes())])?;
                println!("wrote {}", file.display());
            }
            Ok(())
        }
        Config::Gias { file, options, out } => {
            let imported = gias::read_gias(&file, &options)?;
            write_new(&[
                (out.join("schools.csv"), imported.schools_csv()),
                (out.join("capacity.csv"), imported.capacity_csv()),
            ])?;
            println!(
                "{}: {} schools written to {}",
                file.display(),
                imported.schools.len(),
                out.display()
            );
            for (reason, n) in &imported.skipped {
                println!("  skipped {n}: {reason}");
            }
            Ok(())
        }
        Config::Population { file, options, out } => {
            let rows = ons::read_population(&file, &options)?;
            write_new(&[(out.join("population.csv"), ons::population_csv(&rows))])?;
            println!(
                "{}: {} rows for {} written to {}",
                file.display(),
                rows.len(),
                options.year.map(|y| y.to_string()).unwrap_or_default(),
                out.join("population.csv").display()
            );
            Ok(())
        }
    }
}
