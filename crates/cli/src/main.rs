//! `placeplan`: SEND specialist-place sufficiency planning from the command line.
//!
//! Exit codes: 0 success (a checked plan was written), 1 no feasible plan (the reason is
//! printed), 2 usage or input error (every problem is listed with file, line and column).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use placeplan_model::{compare, export};
use placeplan_model::forecast::{forecasts, Variant};
use placeplan_model::io::load_scenario;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::{atomic::write_atomic, Problems, Scenario};
use placeplan_solver::{plan_run, Backend, RunError, SolveError};

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
    /// Run every variant of a sweep file in parallel and write a comparison table.
    Sweep {
        /// Sweep file (TOML): a base scenario and axes or named variants.
        file: PathBuf,
        /// Output directory: sweep.csv, pareto.csv and one folder per variant.
        #[arg(long)]
        out: PathBuf,
        /// Worker threads (default: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
    /// Compare two or more run directories side by side.
    Compare {
        /// Run directories written by `plan` or `sweep`.
        #[arg(required = true, num_args = 2..)]
        runs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, default_value = "table", value_parser = ["table", "csv", "json"])]
        format: String,
    },
    /// Solve an OR-Library capacitated facility location instance (conformance of the MIP path).
    Cflp {
        /// Instance file (cap41.txt ... capc.txt).
        file: PathBuf,
        /// Capacity of every site (required for capa/capb/capc, which leave it as a word).
        #[arg(long)]
        capacity: Option<f64>,
        /// Backend: microlp or highs.
        #[arg(long, default_value = "microlp")]
        backend: String,
        /// Seconds before giving up.
        #[arg(long, default_value_t = 600.0)]
        time_limit: f64,
        /// Output format.
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
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
        Command::Sweep { file, out, threads } => sweep(&file, &out, threads),
        Command::Cflp {
            file,
            capacity,
            backend,
            time_limit,
            format,
        } => {
            use placeplan_solver::cflp;
            let backend: Backend = backend.parse().map_err(Failure::Input)?;
            if !backend.is_available() {
                return Err(Failure::Input(SolveError::Unavailable(backend).to_string()));
            }
            let inst = cflp::read_cflp(&file, capacity).map_err(|e| Failure::Input(e.to_string()))?;
            let r = cflp::solve_cflp(&inst, backend, time_limit).map_err(|e| match e {
                SolveError::Infeasible(_) => Failure::Infeasible(e.to_string()),
                other => Failure::Other(anyhow::anyhow!(other)),
            })?;
            if format == "json" {
                let v = serde_json::json!({
                    "instance": inst.name,
                    "sites": inst.sites(),
                    "customers": inst.customers(),
                    "backend": backend.name(),
                    "objective": r.objective,
                    "status": r.status,
                    "seconds": r.seconds,
                    "open": r.open,
                });
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                println!(
                    "{}: {} sites x {} customers, {backend}: objective {:.3}, status {}, {:.3} s, {} sites open",
                    inst.name,
                    inst.sites(),
                    inst.customers(),
                    r.objective,
                    r.status,
                    r.seconds,
                    r.open.len()
                );
            }
            Ok(())
        }
        Command::Compare { runs, format } => {
            let mut problems = Problems::default();
            let mut read = Vec::new();
            for dir in &runs {
                match compare::read_run(dir) {
                    Ok(r) => read.push(r),
                    Err(p) => problems.0.extend(p.0),
                }
            }
            if !problems.is_empty() {
                return Err(problems.into());
            }
            let c = compare::compare(&read);
            match format.as_str() {
                "csv" => print!("{}", String::from_utf8_lossy(&c.to_csv())),
                "json" => print!("{}", String::from_utf8_lossy(&c.to_json())),
                _ => print!("{}", c.to_text()),
            }
            Ok(())
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
    let travel = TravelMatrix::build(s);
    let run = plan_run(s, fc, &travel, backend, true).map_err(|e| match e {
        RunError::Infeasible(_) => Failure::Infeasible(e.to_string()),
        other => Failure::Other(anyhow::anyhow!(other)),
    })?;
    write(&out.join("forecast.csv"), &export::forecast_csv(s, &fcs))?;
    write(&out.join("plan.csv"), &export::plan_csv(s, &run.plan))?;
    write(
        &out.join("placements.csv"),
        &export::placements_csv(s, &travel, &run.demand, &run.plan),
    )?;
    write(&out.join("costs.csv"), &export::costs_csv(&run.costing))?;
    write(&out.join("summary.json"), &run.summary.to_json())?;
    table::print_plan(s, &run.demand, &run.plan, &run.costing, &run.summary);
    println!(
        "wrote forecast.csv, plan.csv, placements.csv, costs.csv, summary.json to {}",
        out.display()
    );
    Ok(())
}

fn sweep(file: &Path, out: &Path, threads: usize) -> Result<(), Failure> {
    use placeplan_solver::sweep;
    let spec = sweep::read_sweep(file)?;
    let base = load_scenario(&spec.base)?;
    sweep::check_variants(&base, &spec)?;
    let n = spec.variants.len();
    let bar = indicatif::ProgressBar::new(n as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} variants [{elapsed_precise}, eta {eta}] {wide_bar}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |done: usize| bar.set_position(done as u64);
    let results = sweep::run_sweep(&base, &spec, out, threads, &progress)?;
    bar.finish_and_clear();
    write(&out.join("sweep.csv"), &sweep::sweep_csv(&results))?;
    let points = sweep::pareto(&results);
    write(&out.join("pareto.csv"), &sweep::pareto_csv(&points))?;
    let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
    println!("{}: {n} variants, {ok} planned, {} without a plan", file.display(), n - ok);
    for r in &results {
        match &r.outcome {
            Ok(run) => println!(
                "  {:<48} NPV £{:>8.2}m  new places {:>5.0}  out of area (final year) {:>5.0}",
                r.spec.name,
                run.costing.npv / 1e6,
                run.plan.new_places(),
                run.plan.out_of_area(run.plan.years.len() - 1)
            ),
            Err(reason) => println!("  {:<48} no plan: {}", r.spec.name, reason.lines().next().unwrap_or("")),
        }
    }
    println!(
        "wrote sweep.csv, pareto.csv ({} variants on a capital vs running-cost frontier) and one folder per variant to {}",
        points.iter().filter(|p| p.on_frontier).count(),
        out.display()
    );
    Ok(())
}
