//! `placeplan plan DIR`: forecast, optimise new places, check the plan and write all outputs.

use std::path::PathBuf;

use placeplan_app::pipeline::{plan_prepared, prepare, Prepared};
use placeplan_app::RunError;
use placeplan_io::atomic::{write_new, OutputError, OutputKind, StagedDir};
use placeplan_io::scenario::{load_scenario, SCENARIO_FILE};
use placeplan_model::forecast::Variant;
use placeplan_model::size::check_model_size;
use placeplan_model::Scenario;
use placeplan_report::export;
use placeplan_solver::export::ModelFormat;
use placeplan_solver::Backend;

use super::default_out;
use crate::failure::{available, Failure};
use crate::table;

#[derive(clap::Args)]
pub struct Args {
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
    /// Also write the optimisation model as built, in free MPS format, to this new file
    /// (before solving; an existing file is never replaced).
    #[arg(long)]
    write_mps: Option<PathBuf>,
    /// Also write the optimisation model as built, in CPLEX LP format, to this new file.
    #[arg(long)]
    write_lp: Option<PathBuf>,
}

/// `--formats`: a comma-separated list of csv, xlsx, geojson, html or all.
fn parse_formats(list: &str) -> Result<export::Formats, String> {
    export::Formats::parse(list)
}

/// Which forecast the plan is made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForecastChoice {
    /// The scenario's: mitigated when it sets policy levers, else unmitigated.
    Scenario,
    /// Unmitigated, even when the scenario sets policy levers (`--unmitigated`).
    Unmitigated,
}

impl ForecastChoice {
    /// The forecast variant for scenario `s`.
    pub fn variant(self, s: &Scenario) -> Variant {
        match self {
            ForecastChoice::Unmitigated => Variant::Unmitigated,
            ForecastChoice::Scenario if s.levers.is_empty() => Variant::Unmitigated,
            ForecastChoice::Scenario => Variant::Mitigated,
        }
    }
}

/// A plan to make: checked before the scenario is read.
pub struct Config {
    /// The scenario directory.
    pub dir: PathBuf,
    /// The output folder; `None`: out/<scenario name>/.
    pub out: Option<PathBuf>,
    /// A backend this build has.
    pub backend: Backend,
    pub forecast: ForecastChoice,
    pub formats: export::Formats,
    /// Model files to write: (path, format).
    pub model_files: Vec<(PathBuf, ModelFormat)>,
}

impl Args {
    /// Refuses a backend this build does not have (E504).
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            dir: self.dir,
            out: self.out,
            backend: available(self.backend)?,
            forecast: if self.unmitigated {
                ForecastChoice::Unmitigated
            } else {
                ForecastChoice::Scenario
            },
            formats: self.formats,
            model_files: self
                .write_mps
                .map(|p| (p, ModelFormat::Mps))
                .into_iter()
                .chain(self.write_lp.map(|p| (p, ModelFormat::Lp)))
                .collect(),
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let dir = &config.dir;
    let s = load_scenario(dir)?;
    check_model_size(&s, &dir.join(SCENARIO_FILE))?;
    let out = config.out.unwrap_or_else(|| default_out(&s));
    // The output folder is checked before any work: a folder placeplan may not replace
    // is refused at once.
    let staged = StagedDir::new(&out, OutputKind::Run)?;
    let prepared = prepare(&s, config.forecast.variant(&s));
    if !config.model_files.is_empty() {
        let files: Vec<(PathBuf, Vec<u8>)> = config
            .model_files
            .iter()
            .map(|(path, format)| (path.clone(), prepared.model_file(&s, *format)))
            .collect();
        write_new(&files)?;
        for (path, _) in &files {
            println!("wrote the model to {}", path.display());
        }
    }
    plan(&s, staged, config.backend, prepared, config.formats)
}

fn plan(
    s: &Scenario,
    staged: StagedDir,
    backend: Backend,
    prepared: Prepared,
    formats: export::Formats,
) -> Result<(), Failure> {
    let planned = plan_prepared(s, prepared, backend).map_err(|e| match e {
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
