//! `placeplan init --from DIR --out SCENARIO [--la CODE]`: a validated scenario from the files
//! a council already has, as published (docs/init.md).

use std::path::PathBuf;

use placeplan_io::atomic::{OutputKind, StagedDir};
use placeplan_io::init::{init_scenario, InitOptions};
use placeplan_io::scenario::{load_scenario, SCENARIO_FILE};
use placeplan_model::size::check_model_size;

use crate::failure::Failure;

/// Flags of `placeplan init`.
#[derive(clap::Args)]
pub struct InitArgs {
    /// Folder of published files: the GIAS register, ONS/Nomis population, the DfE EHC plans
    /// release and (optional) GeoJSON boundaries.
    #[arg(long)]
    from: PathBuf,
    /// Scenario folder to write (new or empty, or one placeplan wrote).
    #[arg(long)]
    out: PathBuf,
    /// Local authority: new or old code (E08000015, 344) or name; needed when the EHC plans
    /// files hold several.
    #[arg(long)]
    la: Option<String>,
    /// A council's own column names for the published ones, KNOWN=THEIRS (repeat, or separate
    /// with commas), e.g. --columns EstablishmentName="school name".
    #[arg(long)]
    columns: Vec<String>,
    /// The most new places a host school's site may take.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    host_max_places: u32,
    /// Plan years after the last January of EHC plan figures.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=15))]
    horizon: u32,
}

/// Builds, writes and validates the scenario; nothing is written when anything is wrong.
pub fn run(a: InitArgs) -> Result<(), Failure> {
    let columns = super::import::column_map(&a.columns, &a.from)?;
    let opts = InitOptions {
        la: a.la,
        columns,
        host_max_places: a.host_max_places,
        horizon: a.horizon,
    };
    // The output folder is checked before any work.
    let staged = StagedDir::new(&a.out, OutputKind::Scenario)?;
    let built = init_scenario(&a.from, &opts)?;
    for (name, bytes) in &built.files {
        let path = staged.path().join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| Failure::Other(anyhow::anyhow!("writing {}: {e}", path.display())))?;
    }
    // Validated as any scenario is; problems name the files under --out.
    let check = load_scenario(staged.path())
        .and_then(|s| check_model_size(&s, &staged.path().join(SCENARIO_FILE)).map(|_| s));
    if let Err(mut p) = check {
        for e in p.0.iter_mut() {
            if let Ok(rel) = e.file.strip_prefix(staged.path()) {
                e.file = a.out.join(rel);
            }
        }
        return Err(p.into());
    }
    staged.commit()?;
    for line in &built.read {
        println!("read {line}");
    }
    println!(
        "wrote {} to {}: {} localities, {} schools ({} may host a new base), EHC plans January {}-{}, population {}-{}; valid",
        built.name,
        a.out.display(),
        built.localities,
        built.schools,
        built.hosts,
        built.history_years.0,
        built.history_years.1,
        built.population_years.0,
        built.population_years.1
    );
    println!(
        "what was assumed, with the numbers: {}",
        a.out.join("ASSUMPTIONS.md").display()
    );
    Ok(())
}
