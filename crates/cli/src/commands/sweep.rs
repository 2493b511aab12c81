//! `placeplan sweep FILE --out DIR [--shard I/N]`: every variant of a sweep file in parallel, a
//! comparison table, the Pareto frontier and a report; or one shard of the variants, for
//! `sweep-merge` to put together (`placeplan_app::sweep::shard`).

use std::path::{Path, PathBuf};

use placeplan_app::sweep::{self, shard::ShardRecord, Shard};
use placeplan_io::atomic::{OutputKind, StagedDir};
use placeplan_io::scenario::load_scenario;
use placeplan_report::sweep_capital;
use placeplan_report::sweep_table::{self, ParetoPoint, VariantResult};

use super::write;
use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Sweep file (TOML): a base scenario and axes or named variants.
    file: PathBuf,
    /// Output directory: sweep.csv, pareto.csv, capital.csv (when the capital budget varies),
    /// report.html and one folder per variant (with --shard: this
    /// shard's variant folders and shard.json).
    #[arg(long)]
    out: PathBuf,
    /// Worker threads (default: one per core; at most 256).
    #[arg(long, default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=placeplan_app::sweep::MAX_THREADS as u64))]
    threads: u64,
    /// Run only shard I of N (I counted from 1), for `placeplan sweep-merge` to put together
    /// (docs/scale-out.md).
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
}

/// A sweep to run.
pub struct Config {
    /// The sweep file.
    pub file: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Worker threads, at most `sweep::MAX_THREADS`; 0: one per core.
    pub threads: usize,
    /// The shard to run, or `None` for the whole sweep.
    pub shard: Option<Shard>,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            file: self.file,
            out: self.out,
            threads: self.threads as usize,
            shard: self.shard,
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
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    // The whole sweep (or shard) is staged and replaces `out` in one step at the end.
    let kind = match config.shard {
        Some(_) => OutputKind::SweepShard,
        None => OutputKind::Sweep,
    };
    let staged = StagedDir::new(out, kind)?;
    let shard = config.shard.unwrap_or(Shard::WHOLE);
    let results = sweep::run_shard(&base, &spec, shard, staged.path(), threads, &progress)?;
    bar.finish_and_clear();
    if let Some(shard) = config.shard {
        let record = ShardRecord::new(&base, &spec, shard, &results);
        write(
            &staged.path().join(sweep::shard::RECORD_FILE),
            &record.to_json(),
        )?;
        staged.commit()?;
        let results: Vec<VariantResult> = results.into_iter().map(|r| r.1).collect();
        print_results(
            &format!(
                "{}: shard {shard} ({} of {n} variants)",
                file.display(),
                results.len()
            ),
            &results,
        );
        println!(
            "wrote shard.json and one folder per variant to {}; merge every shard with placeplan sweep-merge",
            out.display()
        );
        return Ok(());
    }
    let results: Vec<VariantResult> = results.into_iter().map(|r| r.1).collect();
    let written = write_tables(staged.path(), &sweep::sweep_title(&base, n), &results)?;
    staged.commit()?;
    print_results(&format!("{}: {n} variants", file.display()), &results);
    print_written(&written, out);
    Ok(())
}

/// What [`write_tables`] wrote: the Pareto points, and whether `capital.csv` was written.
pub struct Written {
    pub points: Vec<ParetoPoint>,
    pub capital: bool,
}

/// Writes `sweep.csv`, `pareto.csv`, `report.html` and, when the variants set `capital_budget`
/// to at least two values, `capital.csv` of a whole sweep into `dir`. `placeplan sweep` and
/// `placeplan sweep-merge` both write them here, from the variants' results alone.
pub fn write_tables(
    dir: &Path,
    title: &str,
    results: &[VariantResult],
) -> Result<Written, Failure> {
    write(&dir.join("sweep.csv"), &sweep_table::sweep_csv(results))?;
    let points = sweep_table::pareto(results);
    write(&dir.join("pareto.csv"), &sweep_table::pareto_csv(&points))?;
    let levels = sweep_capital::capital_levels(results);
    if let Some(levels) = &levels {
        write(
            &dir.join("capital.csv"),
            &sweep_capital::capital_csv(levels),
        )?;
    }
    write(
        &dir.join("report.html"),
        &placeplan_report::sweep_report::sweep_report(title, results, &points),
    )?;
    Ok(Written {
        points,
        capital: levels.is_some(),
    })
}

/// Prints how many variants were planned, after `head`, then one line per variant.
pub fn print_results(head: &str, results: &[VariantResult]) {
    let n = results.len();
    let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
    println!("{head}, {ok} planned, {} without a plan", n - ok);
    for r in results {
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
}

/// Says what a whole sweep wrote where.
pub fn print_written(written: &Written, out: &Path) {
    println!(
        "wrote sweep.csv, pareto.csv ({} variants on a capital vs running-cost frontier), {}report.html and one folder per variant to {}",
        written.points.iter().filter(|p| p.on_frontier).count(),
        if written.capital { "capital.csv (NPV by total capital budget), " } else { "" },
        out.display()
    );
}
