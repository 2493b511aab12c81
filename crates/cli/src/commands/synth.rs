//! `placeplan synth --scale SCALE --out DIR`: a synthetic benchmark scenario.

use std::path::PathBuf;

use placeplan_io::atomic::{OutputKind, StagedDir};
use placeplan_io::synth::Scale;

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// ward (~700 demand groups), lsoa (~6,000) or region (~50,000).
    #[arg(long)]
    scale: Scale,
    /// Seed; the same scale and seed always write the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write.
    #[arg(long)]
    out: PathBuf,
}

/// The synthetic instance to write.
pub struct Config {
    pub scale: Scale,
    pub seed: u64,
    /// The folder to write: new, empty, or one `demo` or `synth` wrote.
    pub out: PathBuf,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config {
            scale: self.scale,
            seed: self.seed,
            out: self.out,
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let Config { scale, seed, out } = config;
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
