//! `placeplan import sen2|gias|population ...`: read a published file and write the scenario
//! file it feeds (or a tidy CSV).

use std::path::{Path, PathBuf};

use placeplan_io::atomic::write_new;
use placeplan_io::import::{gias, ons, sen2, ColumnMap};
use placeplan_model::{Code, InputError, Problems};

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
        /// A council's own column names for the published ones, KNOWN=THEIRS (repeat, or
        /// separate with commas), e.g. --columns EstablishmentName="school name".
        #[arg(long)]
        columns: Vec<String>,
        /// Scenario directory to write schools.csv and capacity.csv into.
        #[arg(long)]
        out: PathBuf,
    },
    /// ONS / Nomis population by single year of age: writes population.csv.
    Population {
        /// Wide (columns 0..89, 90+) or long (age and value columns) CSV with an area code
        /// column.
        file: PathBuf,
        /// Mid-year to keep, when the file has a year column; the mid-year of every row when
        /// it has none (else the year in the file name; else E142).
        #[arg(long)]
        year: Option<i32>,
        /// A council's own column names for the ones placeplan knows, KNOWN=THEIRS, e.g.
        /// --columns age=age_years,value=people.
        #[arg(long)]
        columns: Vec<String>,
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
                columns,
                out,
            } => Config::Gias {
                options: gias::GiasOptions {
                    la,
                    include_closed,
                    host_max_places,
                    columns: column_map(&columns, &file)?,
                },
                file,
                out,
            },
            ImportKind::Population {
                file,
                year,
                columns,
                code,
                out,
            } => Config::Population {
                options: ons::OnsOptions {
                    year,
                    codes: code,
                    columns: column_map(&columns, &file)?,
                },
                file,
                out,
            },
        })
    }
}

/// A `--columns` map, or E143 naming `file` when an item is not KNOWN=THEIRS.
pub(crate) fn column_map(items: &[String], file: &Path) -> Result<ColumnMap, Failure> {
    ColumnMap::parse(items).map_err(|m| {
        let mut p = Problems::default();
        p.push(InputError::new(file, Code::BadColumnMap, m).field("--columns"));
        Failure::from(p)
    })
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
            let years: std::collections::BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
            println!(
                "{}: {} rows for {} written to {}",
                file.display(),
                rows.len(),
                years
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                out.join("population.csv").display()
            );
            Ok(())
        }
    }
}
