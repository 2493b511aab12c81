//! `placeplan demo --out DIR`: the bundled demo local authority scenario; `placeplan demo --raw
//! DIR`: the same borough as published-format files for `placeplan init`.

use std::path::PathBuf;

use placeplan_io::atomic::{OutputKind, StagedDir};

use crate::failure::Failure;

#[derive(clap::Args)]
pub struct Args {
    /// Folder to write: a new or empty folder, or one `placeplan demo` or `synth` wrote.
    #[arg(long, required_unless_present = "raw", conflicts_with = "raw")]
    out: Option<PathBuf>,
    /// Instead, write the demo borough as published-format files (GIAS extract, ONS
    /// population, ward boundaries, the DfE caseload, a child-level caseload) for `init`.
    #[arg(long)]
    raw: Option<PathBuf>,
}

/// Where to write the demo.
pub struct Config {
    /// The folder to write: new, empty, or one `demo` or `synth` wrote.
    pub out: PathBuf,
    /// Write the published-format files instead of the scenario.
    pub raw: bool,
}

impl Args {
    pub fn config(self) -> Result<Config, Failure> {
        Ok(match (self.out, self.raw) {
            (_, Some(raw)) => Config {
                out: raw,
                raw: true,
            },
            (Some(out), None) => Config { out, raw: false },
            (None, None) => return Err(anyhow::anyhow!("give --out or --raw").into()),
        })
    }
}

pub fn run(config: Config) -> Result<(), Failure> {
    let out = config.out;
    let staged = StagedDir::new(&out, OutputKind::Scenario)?;
    if config.raw {
        placeplan_io::demo_raw::write_demo_raw(staged.path())
    } else {
        placeplan_io::demo::write_demo(staged.path())
    }
    .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
    staged.commit()?;
    if config.raw {
        println!(
            "wrote the demo borough as published files to {}; build its scenario with placeplan init --from {} --out SCENARIO",
            out.display(),
            out.display()
        );
    } else {
        println!("wrote the demo scenario to {}", out.display());
    }
    Ok(())
}
