//! `placeplan`: SEND specialist-place sufficiency planning from the command line.
//!
//! Exit codes: 0 success (a checked plan was written), 1 no feasible plan (the reason is
//! printed), 2 usage or input error (every problem is listed with file, line and column) or
//! another failure, such as a solver failure (printed with its code, docs/errors.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use placeplan_app::pipeline::plan_scenario;
use placeplan_app::RunError;
use placeplan_io::atomic::{OutputError, OutputKind, StagedDir};
use placeplan_io::scenario::{load_scenario, SCENARIO_FILE};
use placeplan_io::synth::Scale;
use placeplan_model::forecast::{forecasts, Variant};
use placeplan_model::size::check_model_size;
use placeplan_model::{Problems, Scenario, MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S};
use placeplan_report::{compare, export, sweep_table};
use placeplan_solver::{Backend, SolveError};

mod init;
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
        /// Backend: flow (exact min-cost-flow engine; LPs it cannot prove optimal go to microlp),
        /// microlp, or highs (with `--features highs`).
        #[arg(long, default_value = "flow")]
        backend: Backend,
        /// Plan for the unmitigated forecast even when the scenario sets policy levers.
        #[arg(long)]
        unmitigated: bool,
        /// Outputs to write: any of csv, xlsx, geojson, html, or all.
        #[arg(long, default_value = "all", value_parser = parse_formats)]
        formats: export::Formats,
    },
    /// Run every variant of a sweep file in parallel and write a comparison table.
    Sweep {
        /// Sweep file (TOML): a base scenario and axes or named variants.
        file: PathBuf,
        /// Output directory: sweep.csv, pareto.csv and one folder per variant.
        #[arg(long)]
        out: PathBuf,
        /// Worker threads (default: one per core; at most 256).
        #[arg(long, default_value_t = 0,
              value_parser = clap::value_parser!(u64).range(0..=placeplan_app::sweep::MAX_THREADS as u64))]
        threads: u64,
    },
    /// Compare two or more run directories side by side.
    Compare {
        /// Run directories written by `plan` or `sweep`.
        #[arg(required = true, num_args = 2..)]
        runs: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
        format: CompareFormat,
    },
    /// Solve an OR-Library capacitated facility location instance (conformance of the MIP path).
    Cflp {
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
    },
    /// Score the forecast method against DfE SEN2 history: fit up to each origin, forecast, and
    /// compare with what happened, beside naive baselines.
    Backtest {
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
    },
    /// Import real public data (DfE SEN2).
    Import {
        #[command(subcommand)]
        what: ImportKind,
    },
    /// Write a synthetic benchmark scenario at ward, LSOA or region scale (docs/performance.md).
    Synth {
        /// ward (~700 demand groups), lsoa (~6,000) or region (~50,000).
        #[arg(long)]
        scale: Scale,
        /// Seed; the same scale and seed always write the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Directory to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Build a validated scenario from published files (GIAS, ONS/Nomis, DfE EHC plans,
    /// boundaries) and write what it assumed to ASSUMPTIONS.md.
    Init(init::InitArgs),
    /// Write the bundled demo local authority scenario.
    Demo {
        /// Folder to write: a new or empty folder, or one `placeplan demo` or `synth` wrote.
        #[arg(long)]
        out: PathBuf,
    },
}

/// How `compare` prints.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CompareFormat {
    Table,
    Csv,
    Json,
}

/// Plain text for people, or JSON for programs.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TextFormat {
    Text,
    Json,
}

/// `--formats`: a comma-separated list of csv, xlsx, geojson, html or all.
fn parse_formats(list: &str) -> Result<export::Formats, String> {
    export::Formats::parse(list)
}

#[derive(Subcommand)]
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

/// What went wrong, mapped to an exit code.
enum Failure {
    /// Exit 2: bad input or usage.
    Input(String),
    /// Exit 1: no feasible plan.
    Infeasible(String),
    /// Exit 2 as well: the solver failed (printed with its code).
    Solver(String),
    /// Exit 2 as well: outputs could not be written, or another failure outside the model.
    Other(anyhow::Error),
}

impl From<Problems> for Failure {
    fn from(p: Problems) -> Self {
        Failure::Input(p.to_string())
    }
}

impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        Failure::Input(e.to_problem().to_string())
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
        Err(Failure::Solver(msg)) => {
            eprintln!("{msg}");
            ExitCode::from(2)
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
        Command::Forecast { dir, out } => {
            let s = load_scenario(&dir)?;
            let out = out.unwrap_or_else(|| default_out(&s));
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
        Command::Plan {
            dir,
            out,
            backend,
            unmitigated,
            formats,
        } => {
            if !backend.is_available() {
                return Err(unavailable(backend));
            }
            let s = load_scenario(&dir)?;
            check_model_size(&s, &dir.join(SCENARIO_FILE))?;
            let out = out.unwrap_or_else(|| default_out(&s));
            // The output folder is checked before any work: a folder placeplan may not replace
            // is refused at once.
            let staged = StagedDir::new(&out, OutputKind::Run)?;
            let variant = if unmitigated || s.levers.is_empty() {
                Variant::Unmitigated
            } else {
                Variant::Mitigated
            };
            plan(&s, staged, backend, variant, formats)
        }
        Command::Sweep { file, out, threads } => sweep(&file, &out, threads as usize),
        Command::Backtest {
            sen2,
            new_plans,
            population,
            origin,
            horizon,
            la,
            format,
        } => {
            let text = placeplan_app::backtest::run_backtest_cli_origins(
                &sen2,
                new_plans.as_deref(),
                population.as_deref(),
                &origin,
                horizon,
                la.as_deref(),
                format == TextFormat::Json,
            )?;
            print!("{text}");
            Ok(())
        }
        Command::Import { what } => import(what),
        Command::Cflp {
            file,
            capacity,
            backend,
            time_limit,
            format,
        } => {
            use placeplan_solver::cflp;
            if !backend.is_available() {
                return Err(unavailable(backend));
            }
            let (min, max) = (MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S);
            if !(min..=max).contains(&time_limit) {
                return Err(Failure::Input(format!(
                    "--time-limit {time_limit} must be {min} to {max} seconds (one week)"
                )));
            }
            let inst =
                cflp::read_cflp(&file, capacity).map_err(|e| Failure::Input(e.to_string()))?;
            let r = cflp::solve_cflp(&inst, backend, time_limit).map_err(|e| match e {
                SolveError::Infeasible(_) => Failure::Infeasible(e.coded().to_string()),
                other => Failure::Solver(other.coded().to_string()),
            })?;
            if format == TextFormat::Json {
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
            } else {
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
            Ok(())
        }
        Command::Compare { runs, format } => {
            let mut problems = Problems::default();
            let mut read = Vec::new();
            for dir in &runs {
                match compare::read_run(dir) {
                    Ok(r) => read.push(r),
                    Err(p) => problems.extend(p),
                }
            }
            if !problems.is_empty() {
                return Err(problems.into());
            }
            let c = compare::compare(&read);
            match format {
                CompareFormat::Csv => print!("{}", String::from_utf8_lossy(&c.to_csv())),
                CompareFormat::Json => print!("{}", String::from_utf8_lossy(&c.to_json())),
                CompareFormat::Table => print!("{}", c.to_text()),
            }
            Ok(())
        }
        Command::Synth { scale, seed, out } => {
            let staged = StagedDir::new(&out, OutputKind::Scenario)?;
            placeplan_io::synth::write_instance(staged.path(), scale, seed)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
            staged.commit()?;
            println!(
                "wrote the {scale} instance (seed {seed}) to {}",
                out.display()
            );
            Ok(())
        }
        Command::Init(args) => init::run(args),
        Command::Demo { out } => {
            let staged = StagedDir::new(&out, OutputKind::Scenario)?;
            placeplan_io::demo::write_demo(staged.path())
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
            staged.commit()?;
            println!("wrote the demo scenario to {}", out.display());
            Ok(())
        }
    }
}

/// A backend this build does not have (E504).
fn unavailable(backend: Backend) -> Failure {
    Failure::Input(SolveError::Unavailable(backend).coded().to_string())
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

/// Writes one file into a staging folder (made by [`StagedDir`]; synced on commit).
fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Other(anyhow::anyhow!("writing {}: {e}", path.display())))
}

fn plan(
    s: &Scenario,
    staged: StagedDir,
    backend: Backend,
    variant: Variant,
    formats: export::Formats,
) -> Result<(), Failure> {
    let planned = plan_scenario(s, variant, backend).map_err(|e| match e {
        RunError::Infeasible(_) => Failure::Infeasible(e.coded().to_string()),
        other => Failure::Solver(other.coded().to_string()),
    })?;
    let out = staged.target().to_path_buf();
    let written = export::write_run(
        staged.path(),
        &planned.outputs(s),
        &planned.forecasts,
        formats,
    )
    .map_err(|e| {
        Failure::from(OutputError::Io {
            path: out.clone(),
            source: e,
        })
    })?;
    staged.commit()?;
    let run = &planned.run;
    table::print_plan(s, &run.demand, &run.plan, &run.costing, &run.summary);
    for note in &run.baseline_notes {
        eprintln!("note: {note}");
    }
    println!("wrote {} to {}", written.join(", "), out.display());
    Ok(())
}

fn sweep(file: &Path, out: &Path, threads: usize) -> Result<(), Failure> {
    use placeplan_app::sweep;
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
    // The whole sweep is staged and replaces `out` in one step at the end.
    let staged = StagedDir::new(out, OutputKind::Sweep)?;
    let results = sweep::run_sweep(&base, &spec, staged.path(), threads, &progress)?;
    bar.finish_and_clear();
    write(
        &staged.path().join("sweep.csv"),
        &sweep_table::sweep_csv(&results),
    )?;
    let points = sweep_table::pareto(&results);
    write(
        &staged.path().join("pareto.csv"),
        &sweep_table::pareto_csv(&points),
    )?;
    let title = format!("{}: sweep of {n} variants", base.name);
    write(
        &staged.path().join("report.html"),
        &placeplan_report::sweep_report::sweep_report(&title, &results, &points),
    )?;
    staged.commit()?;
    let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
    println!(
        "{}: {n} variants, {ok} planned, {} without a plan",
        file.display(),
        n - ok
    );
    for r in &results {
        match &r.outcome {
            Ok(f) => println!(
                "  {:<48} NPV £{:>8.2}m  new places {:>5.0}  out of area (final year) {:>5.0}",
                r.spec.name,
                f.npv / 1e6,
                f.new_places,
                f.out_of_area_final
            ),
            Err(reason) => println!(
                "  {:<48} no plan: {}",
                r.spec.name,
                reason.lines().next().unwrap_or("")
            ),
        }
    }
    println!(
        "wrote sweep.csv, pareto.csv ({} variants on a capital vs running-cost frontier), report.html and one folder per variant to {}",
        points.iter().filter(|p| p.on_frontier).count(),
        out.display()
    );
    Ok(())
}

fn import(what: ImportKind) -> Result<(), Failure> {
    match what {
        ImportKind::Sen2 {
            caseload,
            new_plans,
            out,
        } => {
            use placeplan_io::import::sen2;
            let series = sen2::read_sen2(&caseload, new_plans.as_deref())?;
            print!("{}", sen2::summary(&series));
            if let Some(out) = out {
                let file = out.join("sen2.csv");
                placeplan_io::atomic::write_new(&[(
                    file.clone(),
                    sen2::to_tidy_csv(&series).into_bytes(),
                )])?;
                println!("wrote {}", file.display());
            }
            Ok(())
        }
        ImportKind::Gias {
            file,
            la,
            include_closed,
            host_max_places,
            out,
        } => {
            use placeplan_io::import::gias;
            let opts = gias::GiasOptions {
                la,
                include_closed,
                host_max_places,
                ..Default::default()
            };
            let imported = gias::read_gias(&file, &opts)?;
            placeplan_io::atomic::write_new(&[
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
        ImportKind::Population {
            file,
            year,
            code,
            out,
        } => {
            use placeplan_io::import::ons;
            let rows = ons::read_population(
                &file,
                &ons::OnsOptions {
                    year: Some(year),
                    codes: code,
                    ..Default::default()
                },
            )?;
            placeplan_io::atomic::write_new(&[(
                out.join("population.csv"),
                ons::population_csv(&rows),
            )])?;
            println!(
                "{}: {} rows for {year} written to {}",
                file.display(),
                rows.len(),
                out.join("population.csv").display()
            );
            Ok(())
        }
    }
}
