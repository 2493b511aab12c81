//! One module per subcommand. Each has `Args` (the flags, as clap parses them), `Config` (the
//! typed configuration they become, checked before any work starts: `Args::config`) and `run`
//! (the work, on a `Config`).

use std::path::{Path, PathBuf};

use placeplan_model::Scenario;

use crate::failure::Failure;

pub mod backtest;
pub mod cflp;
pub mod compare;
pub mod demo;
pub mod forecast;
pub mod import;
pub mod init;
pub mod plan;
pub mod sweep;
pub mod sweep_merge;
pub mod synth;
pub mod validate;

/// Plain text for people, or JSON for programs.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextFormat {
    Text,
    Json,
}

/// The output folder when `--out` is not given: `out/<scenario name as a slug>`.
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

/// Writes one file into a staging folder (made by `StagedDir`; synced on commit).
fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Other(anyhow::anyhow!("writing {}: {e}", path.display())))
}
