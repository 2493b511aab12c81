//! `placeplan`: SEND specialist-place sufficiency planning from the command line.
//!
//! Exit codes: 0 success (a checked plan was written), 1 no feasible plan (the reason is
//! printed), 2 usage or input error (every problem is listed with file, line and column).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use placeplan_model::export::{self, Summary};
use placeplan_model::finance::cost_plan;
use placeplan_model::forecast::{forecasts, Variant};
use placeplan_model::io::load_scenario;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::{atomic::write_atomic, Problems, Scenario};
use placeplan_solver::{baseline, check, solve, Backend, Options, SolveError};

mod table;

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
    Validate {
        /// Scenario directory (holds scenario.toml).
        dir: PathBuf,
    },
    /// Forecast demand and write forecast.csv.
    Forecast {
        dir: PathBuf,
        /// Output directory (default out/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Forecast, optimise new places, check the plan and write all outputs.
    Plan {
        dir: PathBuf,
        /// Output directory (default out/<scenario name>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// LP backend: microlp (always built) or highs (with `--features highs`).
        #[arg(long, default_value = "microlp")]
        backend: String,
        /// Plan for the unmitigated forecast even when the scenario sets policy levers.
        #[arg(long)]
        unmitigated: bool,
    },
    /// Write the bundled demo local authority scenario.
    Demo {
        /// Directory to write (default scenarios/demo).
        #[arg(long, default_value = "scenarios/demo")]
        out: PathBuf,
    },
}

/// What went wrong, mapped to an exit code.
enum Failure {
    /// Exit 2: bad input or usage.
    Input(String),
    /// Exit 1: no feasible plan.
    Infeasible(String),
    /// Exit 2 as well: outputs could not be written, or another failure outside the model.
    Other(anyhow::Error),
}

impl From<Problems> for Failure {
    fn from(p: Problems) -> Self {
        Failure::Input(p.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
        }
        Err(Failure::Infeasible(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(1)
        }
        Err(Failure::Other(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Validate { dir } => {
            let s = load_scenario(&dir)?;
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
        Command::Forecast { dir, out } => {
            let s = load_scenario(&dir)?;
            let out = out.unwrap_or_else(|| default_out(&s));
            let fcs = forecasts(&s);
            write(&out.join("forecast.csv"), &export::forecast_csv(&s, &fcs))?;
            for fc in &fcs {
                table::print_forecast(&s, fc);
            }
            println!("wrote {}", out.join("forecast.csv").display());
            Ok(())
        }
        Command::Plan {
            dir,
            out,
            backend,
            unmitigated,
        } => {
            let backend: Backend = backend.parse().map_err(Failure::Input)?;
            if !backend.is_available() {
                return Err(Failure::Input(SolveError::Unavailable(backend).to_string()));
            }
            let s = load_scenario(&dir)?;
            let out = out.unwrap_or_else(|| default_out(&s));
            let variant = if unmitigated || s.levers.is_empty() {
                Variant::Unmitigated
            } else {
                Variant::Mitigated
            };
            plan(&s, &out, backend, variant)
        }
        Command::Demo { out } => {
            placeplan_model::demo::write_demo(&out)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
            println!("wrote the demo scenario to {}", out.display());
            Ok(())
        }
    }
}

fn default_out(s: &Scenario) -> PathBuf {
    let slug: String = s
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Path::new("out").join(slug.trim_matches('-'))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    write_atomic(path, bytes)
        .map_err(|e| Failure::Other(anyhow::anyhow!("writing {}: {e}", path.display())))
}

fn plan(s: &Scenario, out: &Path, backend: Backend, variant: Variant) -> Result<(), Failure> {
    let fcs = forecasts(s);
    let fc = fcs.iter().find(|f| f.variant == variant).unwrap_or(&fcs[0]);
    let demand = fc.specialist_demand(s.localities.len());
    let travel = TravelMatrix::build(s);
    let infeasible = |e: SolveError| match e {
        SolveError::Infeasible(_) => Failure::Infeasible(e.to_string()),
        other => Failure::Other(anyhow::anyhow!(other)),
    };
    let plan = solve(s, &travel, &demand, &Options::optimise(), backend).map_err(infeasible)?;
    let report = check(s, &travel, &demand, &plan);
    if !report.passed() {
        return Err(Failure::Other(anyhow::anyhow!(
            "the plan failed the independent check and was not written:\n  {}",
            report.violations.join("\n  ")
        )));
    }
    let costing = cost_plan(s, &travel, &demand, &plan);
    let mut summary = Summary::new(s, &demand, &plan, &costing, report.checked, fc.trend);
    // Baselines: each is a feasible plan, checked like the optimised one before it is compared.
    if let Ok(dn) = baseline::do_nothing(s, &travel, &demand, backend) {
        if check(s, &travel, &demand, &dn).passed() {
            summary = summary.with_do_nothing(&cost_plan(s, &travel, &demand, &dn));
            if let Ok(g) = baseline::greedy(s, &travel, &demand, &dn, backend) {
                if check(s, &travel, &demand, &g).passed() {
                    summary =
                        summary.with_greedy(&cost_plan(s, &travel, &demand, &g), g.new_places());
                }
            }
        }
    }
    write(&out.join("forecast.csv"), &export::forecast_csv(s, &fcs))?;
    write(&out.join("plan.csv"), &export::plan_csv(s, &plan))?;
    write(
        &out.join("placements.csv"),
        &export::placements_csv(s, &travel, &demand, &plan),
    )?;
    write(&out.join("costs.csv"), &export::costs_csv(&costing))?;
    write(&out.join("summary.json"), &summary.to_json())?;
    table::print_plan(s, &demand, &plan, &costing, &summary);
    println!(
        "wrote forecast.csv, plan.csv, placements.csv, costs.csv, summary.json to {}",
        out.display()
    );
    Ok(())
}
