//! `placeplan sweep FILE --out DIR`: every variant of a sweep file in parallel, a comparison
//! table, the Pareto frontier and a report.

use std::path::PathBuf;

use placeplan_app::sweep;
use placeplan_io::atomic::{OutputKind, StagedDir};
use placeplan_io::scenario::load_scenario;
use placeplan_report::sweep_table;

use super::write;
use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Sweep file (TOML): a base scenario and axes or named variants.
    file: PathBuf,
    /// Output directory: sweep.csv, pareto.csv and one folder per variant.
    #[arg(long)]
    out: PathBuf,
    /// Worker threads (default: one per core; at most 256).
    #[arg(long, default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=placeplan_app::sweep::MAX_THREADS as u64))]
    threads: u64,
}

/// A sweep to run.
pub struct Config {
    /// The sweep file.
    pub file: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Worker threads, at most `sweep::MAX_THREADS`; 0: one per core.
    pub threads: usize,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            file: self.file,
            out: self.out,
            threads: self.threads as usize,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let (file, out, threads) = (&config.file, &config.out, config.threads);
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
