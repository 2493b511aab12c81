//! `placeplan sweep-merge DIR... --out DIR`: puts the shards of one sweep (each written by
//! `placeplan sweep FILE --shard I/N`) together into exactly the sweep.csv, pareto.csv,
//! capital.csv, report.html and variant folders an unsharded `placeplan sweep` writes.

use std::path::PathBuf;

use placeplan_app::sweep::merge;
use placeplan_io::atomic::{OutputKind, StagedDir};

use super::sweep::{print_results, print_written, write_tables};
use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// The shard folders (the --out of every `placeplan sweep FILE --shard I/N`), in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    shards: Vec<PathBuf>,
    /// Output directory: sweep.csv, pareto.csv, capital.csv (when the capital budget varies),
    /// report.html and one folder per variant.
    #[arg(long)]
    out: PathBuf,
}

/// Shards to merge.
pub struct Config {
    /// The shard folders.
    pub shards: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            shards: self.shards,
            out: self.out,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    // Every shard is checked before anything is written.
    let merged = merge::read_shards(&config.shards)?;
    let staged = StagedDir::new(&config.out, OutputKind::Sweep)?;
    merge::copy_folders(&merged.folders, staged.path()).map_err(|e| {
        Failure::Other(anyhow::anyhow!(
            "copying the variants' folders to {}: {e}",
            config.out.display()
        ))
    })?;
    let written = write_tables(staged.path(), &merged.title, &merged.results)?;
    staged.commit()?;
    print_results(
        &format!(
            "{} shards merged: {} variants",
            merged.shards,
            merged.results.len()
        ),
        &merged.results,
    );
    print_written(&written, &config.out);
    Ok(())
}
