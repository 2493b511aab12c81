//! Every output of a run composed into files: which formats to write ([`Formats`]), each
//! chosen renderer's bytes built in memory (`build_run`) and written into a folder
//! ([`write_run`], [`write_run_staged`], with [`SharedFile`] for a file several folders share).
//! This module sits above the renderers: a new output format is one renderer module and its
//! registration here (a flag in [`Formats`] and one line in `build_run`).

use placeplan_model::forecast::Forecast;

use crate::run::RunOutputs;
use crate::{geojson, html, statutory, tables, xlsx};

/// Which output files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// forecast.csv, plan.csv, placements.csv, costs.csv, summary.json (always useful); a plan
    /// run also writes dsg_grid.csv and scap_send.csv.
    pub csv: bool,
    /// plan.xlsx: the finance workbook.
    pub xlsx: bool,
    /// plan.geojson: schools and localities for QGIS.
    pub geojson: bool,
    /// report.html: the self-contained report.
    pub html: bool,
}

impl Formats {
    pub const ALL: Formats = Formats {
        csv: true,
        xlsx: true,
        geojson: true,
        html: true,
    };
    pub const CSV: Formats = Formats {
        csv: true,
        xlsx: false,
        geojson: false,
        html: false,
    };

    /// Parses a comma-separated list of `csv`, `xlsx`, `geojson`, `html` or `all`.
    pub fn parse(list: &str) -> Result<Formats, String> {
        let mut f = Formats {
            csv: false,
            xlsx: false,
            geojson: false,
            html: false,
        };
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "all" => f = Formats::ALL,
                "csv" | "json" => f.csv = true,
                "xlsx" => f.xlsx = true,
                "geojson" => f.geojson = true,
                "html" => f.html = true,
                other => {
                    return Err(format!(
                        "unknown format '{other}' (use csv, xlsx, geojson, html or all)"
                    ))
                }
            }
        }
        if f == (Formats {
            csv: false,
            xlsx: false,
            geojson: false,
            html: false,
        }) {
            return Err("no output format chosen".into());
        }
        Ok(f)
    }
}

/// Builds every chosen output in memory, then writes the files into `dir`, a folder inside a
/// [`placeplan_io::atomic::StagedDir`] (nothing is written if any output cannot be built; the staged
/// folder replaces its target in one step and is synced to disk once, on commit). Returns the
/// file names written. With `csv`, a plan run also writes the statutory layouts
/// (`dsg_grid.csv`, `scap_send.csv`), which a sweep's variants leave out.
pub fn write_run(
    dir: &std::path::Path,
    run: &RunOutputs,
    forecasts: &[Forecast],
    formats: Formats,
) -> std::io::Result<Vec<&'static str>> {
    let mut files = build_run(run, Some(forecasts), formats)?;
    if formats.csv {
        files.push(("dsg_grid.csv", statutory::dsg_grid_csv(run)));
        files.push(("scap_send.csv", statutory::scap_csv(run)));
    }
    write_files(dir, files)
}

/// Like [`write_run`], for a sweep's variant folder. `forecast.csv` comes from `forecast`, a
/// file the sweep's variants with the same forecast share: written once, then hard-linked.
pub fn write_run_staged(
    dir: &std::path::Path,
    run: &RunOutputs,
    forecast: &SharedFile,
    formats: Formats,
) -> std::io::Result<Vec<&'static str>> {
    let mut written = write_files(dir, build_run(run, None, formats)?)?;
    if formats.csv {
        forecast.place(&dir.join("forecast.csv"))?;
        written.insert(0, "forecast.csv");
    }
    Ok(written)
}

/// A file that several output folders hold byte for byte (the forecast of a sweep's variants):
/// the first [`SharedFile::place`] writes it, later ones hard-link to that first copy (and
/// write a copy where the file system cannot link). Saves the time and the disk space of
/// writing the same bytes once per variant.
#[derive(Debug)]
pub struct SharedFile {
    bytes: Vec<u8>,
    first: std::sync::Mutex<Option<std::path::PathBuf>>,
}

impl SharedFile {
    pub fn new(bytes: Vec<u8>) -> SharedFile {
        SharedFile {
            bytes,
            first: std::sync::Mutex::new(None),
        }
    }

    /// Puts the file at `path` (which must not exist yet).
    pub fn place(&self, path: &std::path::Path) -> std::io::Result<()> {
        let mut first = self
            .first
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match first.as_ref() {
            Some(src) if std::fs::hard_link(src, path).is_ok() => Ok(()),
            Some(_) => std::fs::write(path, &self.bytes),
            None => {
                std::fs::write(path, &self.bytes)?;
                *first = Some(path.to_path_buf());
                Ok(())
            }
        }
    }
}

fn write_files(
    dir: &std::path::Path,
    files: Vec<(&'static str, Vec<u8>)>,
) -> std::io::Result<Vec<&'static str>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), &bytes)?;
        written.push(name);
    }
    Ok(written)
}

/// One output of a run: its file name and how to build its bytes.
type Output<'a> = (
    &'static str,
    Box<dyn Fn() -> std::io::Result<Vec<u8>> + Send + Sync + 'a>,
);

/// Every chosen output of a run, built in memory: (file name, bytes); `forecast.csv` only when
/// `forecasts` are given. The outputs are built side by side (on other cores when they are
/// free), each the same wherever it is built, and listed in a fixed order.
fn build_run(
    run: &RunOutputs,
    forecasts: Option<&[Forecast]>,
    formats: Formats,
) -> std::io::Result<Vec<(&'static str, Vec<u8>)>> {
    use rayon::prelude::*;
    let mut outputs: Vec<Output> = Vec::new();
    if formats.csv {
        if let Some(forecasts) = forecasts {
            outputs.push((
                "forecast.csv",
                Box::new(move || Ok(tables::forecast_csv(run.scenario, forecasts))),
            ));
        }
        outputs.push((
            "plan.csv",
            Box::new(|| Ok(tables::plan_csv(run.scenario, run.plan))),
        ));
        outputs.push((
            "placements.csv",
            Box::new(|| {
                Ok(tables::placements_csv(
                    run.scenario,
                    run.travel,
                    run.demand,
                    run.plan,
                ))
            }),
        ));
        if run.scenario.solver.brings_back() {
            outputs.push((
                "moves.csv",
                Box::new(|| Ok(tables::moves_csv(run.scenario, run.demand, run.plan))),
            ));
        }
        outputs.push(("costs.csv", Box::new(|| Ok(tables::costs_csv(run.costing)))));
        outputs.push((
            "summary.json",
            Box::new(|| Ok(tables::summary_json(run.summary))),
        ));
    }
    if formats.xlsx {
        outputs.push((
            "plan.xlsx",
            Box::new(|| xlsx::workbook(run).map_err(std::io::Error::other)),
        ));
    }
    if formats.geojson {
        outputs.push(("plan.geojson", Box::new(|| Ok(geojson::geojson(run)))));
    }
    if formats.html {
        outputs.push(("report.html", Box::new(|| Ok(html::report(run)))));
    }
    outputs
        .par_iter()
        .map(|(name, build)| build().map(|bytes| (*name, bytes)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::SharedFile;

    #[test]
    fn a_shared_file_is_written_once_and_linked_after() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"year,p50\n2026,1.0\n";
        let file = SharedFile::new(bytes.to_vec());
        let paths: Vec<_> = (0..3)
            .map(|i| dir.path().join(format!("f{i}.csv")))
            .collect();
        for p in &paths {
            file.place(p).unwrap();
        }
        for p in &paths {
            assert_eq!(std::fs::read(p).unwrap(), bytes);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let first = std::fs::metadata(&paths[0]).unwrap();
            assert_eq!(first.nlink(), 3);
            assert_eq!(std::fs::metadata(&paths[2]).unwrap().ino(), first.ino());
        }
    }
}
