//! Which file of a folder is which, told by its header.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::boundaries;
use crate::import::children;
use crate::import::gias;
use crate::import::ons;
use crate::import::sen2::{needs, Kind};
use crate::import::{find_header, norm, read_text, ColumnMap};
use placeplan_model::error::{Code, InputError, Problems};

/// The files of a folder, by what they are.
#[derive(Default)]
pub(super) struct Found {
    pub(super) gias: Vec<PathBuf>,
    pub(super) sen2: Vec<(PathBuf, Kind)>,
    pub(super) population: Vec<PathBuf>,
    /// The DfE need breakdown (`sen_needs_all_plans.csv`).
    pub(super) needs: Vec<PathBuf>,
    /// A council's own child-level caseload.
    pub(super) children: Vec<PathBuf>,
    pub(super) boundaries: Vec<PathBuf>,
    /// Files read and what they were, or why they were left out.
    pub(super) notes: Vec<String>,
    /// Every header name seen, for checking the column map.
    pub(super) headers: BTreeSet<String>,
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().to_string())
}

/// Sorts the files of `dir` by kind.
pub(super) fn recognise(dir: &Path, columns: &ColumnMap, problems: &mut Problems) -> Found {
    let mut found = Found::default();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            let code = if e.kind() == std::io::ErrorKind::NotFound {
                Code::MissingFile
            } else {
                Code::Unreadable
            };
            problems.push(InputError::new(
                dir,
                code,
                format!("cannot read the folder: {e}"),
            ));
            return found;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = file_name(&path);
        if name.starts_with('.') || path.is_dir() {
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") || lower.ends_with(".geojson") {
            match crate::csvread::read_input(&path, crate::csvread::MAX_FILE_BYTES) {
                Ok(b) if boundaries::is_geojson(&b) => {
                    found.boundaries.push(path);
                }
                Ok(_) => problems.push(InputError::new(
                    &path,
                    Code::UnrecognisedFile,
                    "a JSON file that is not a GeoJSON FeatureCollection",
                )),
                Err(e) => problems.push(e),
            }
            continue;
        }
        if !lower.ends_with(".csv") {
            found
                .notes
                .push(format!("{name}: not read (only CSV and GeoJSON files are)"));
            continue;
        }
        let Some(text) = read_text(&path, problems) else {
            continue;
        };
        let mut local = Problems::default();
        let known = |names: &[String]| {
            Kind::of_header(names).is_some()
                || needs::is_needs_header(names)
                || gias::is_gias_header(names)
                || children::is_children_header(names)
                || ons::is_population_header(names)
                || dfe_file(names)
        };
        let Some(table) = find_header(&path, text, columns, known, &mut local) else {
            problems.push(
                InputError::new(
                    &path,
                    Code::UnrecognisedFile,
                    "no header of a layout placeplan reads (GIAS, ONS/Nomis population, DfE EHC plans, child-level caseload)",
                )
                .at(1, None),
            );
            continue;
        };
        let names = &table.header.names;
        found.headers.extend(names.iter().map(|n| norm(n)));
        if needs::is_needs_header(names) {
            found
                .notes
                .push(format!("{name}: DfE EHC plans by primary need"));
            found.needs.push(path);
        } else if let Some(kind) = Kind::of_header(names) {
            found.notes.push(format!("{name}: {}", kind.label()));
            found.sen2.push((path, kind));
        } else if gias::is_gias_header(names) {
            found
                .notes
                .push(format!("{name}: GIAS establishment register"));
            found.gias.push(path);
        } else if children::is_children_header(names) {
            found
                .notes
                .push(format!("{name}: child-level EHC plans caseload"));
            found.children.push(path);
        } else if ons::is_population_header(names) {
            found
                .notes
                .push(format!("{name}: population by single year of age"));
            found.population.push(path);
        } else {
            found.notes.push(format!(
                "{name}: a DfE file placeplan does not use; not read"
            ));
        }
    }
    found
}

/// A DfE underlying-data file (time period and geographic level) of a kind not used.
fn dfe_file(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|h| norm(h) == n);
    has("time_period") && has("geographic_level")
}
