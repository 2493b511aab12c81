//! `placeplan demo --out DIR`: the bundled demo local authority scenario.

use std::path::PathBuf;

use placeplan_io::atomic::{OutputKind, StagedDir};

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Folder to write: a new or empty folder, or one `placeplan demo` or `synth` wrote.
    #[arg(long)]
    out: PathBuf,
}

/// Where to write the demo.
pub struct Config {
    /// The folder to write: new, empty, or one `demo` or `synth` wrote.
    pub out: PathBuf,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(Config { out: self.out })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let out = config.out;
    let staged = StagedDir::new(&out, OutputKind::Scenario)?;
    placeplan_io::demo::write_demo(staged.path())
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
    staged.commit()?;
    println!("wrote the demo scenario to {}", out.display());
    Ok(())
}
