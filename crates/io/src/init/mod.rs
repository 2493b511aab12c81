//! `placeplan init`: a scenario from the files a council already has, as published.
//!
//! Each file in the folder is recognised by its header (names, not positions, after any
//! `--columns` map): the GIAS establishment register, ONS / Nomis population by single year of
//! age (wide or long, with or without sex rows, one or several years), the DfE EHC plans
//! release (the 2022 layout's caseload by age band or by establishment type, or the current
//! `caseload.csv`), and GeoJSON boundaries of the localities. From them it builds every
//! scenario file; what it had to assume (apportionments, projections, defaults) it writes to
//! `ASSUMPTIONS.md` with the numbers. Every problem in every file is reported at once, and
//! nothing is returned unless all of them read cleanly.

mod authority;
pub mod boundaries;
mod caseload;
pub mod history;
pub mod population;
mod recognise;
mod text;
pub mod wards;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use authority::{la_filter, select_la};
use recognise::{file_name, recognise, Found};
use text::{assumptions_md, count_kind, scenario_toml, years_list};

use crate::csvcell::text_cell;
use crate::import::gias::{self, GiasOptions};
use crate::import::ons::{self, OnsOptions, PopulationRow};
use crate::import::sen2::{self, Kind, Sen2Series};
use crate::import::{norm, ColumnMap};
use placeplan_model::domain::N_AGES;
use placeplan_model::error::{Code, InputError, Problems};

/// What `init` is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct InitOptions {
    /// The local authority (new or old code, or name); needed when the EHC plans file holds
    /// several.
    pub la: Option<String>,
    /// A council's own column names (`EstablishmentName=school name`).
    pub columns: ColumnMap,
    /// The most new places a host school's site may take (`max_new_places`).
    pub host_max_places: u32,
    /// Plan years after the base year.
    pub horizon: u32,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            la: None,
            columns: ColumnMap::default(),
            host_max_places: 20,
            horizon: 5,
        }
    }
}

/// A built scenario: its files (name, bytes) and what to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Initialised {
    pub name: String,
    pub files: Vec<(String, Vec<u8>)>,
    /// One line per file read and what was made of it.
    pub read: Vec<String>,
    pub localities: usize,
    pub schools: usize,
    pub hosts: usize,
    pub history_years: (i32, i32),
    pub population_years: (i32, i32),
}

/// Builds a scenario from the published files in `from`.
pub fn init_scenario(from: &Path, opts: &InitOptions) -> Result<Initialised, Problems> {
    let mut problems = Problems::default();
    let found = recognise(from, &opts.columns, &mut problems);
    for (_, theirs) in &opts.columns.pairs {
        if !found.headers.contains(&norm(theirs))
            && found.headers.iter().all(|h| *h != norm(theirs))
        {
            // A renamed column shows under its new name; look for the known name too.
            let known_present = opts
                .columns
                .pairs
                .iter()
                .any(|(k, t)| t == theirs && found.headers.contains(&norm(k)));
            if !known_present {
                problems.push(
                    InputError::new(
                        from,
                        Code::BadColumnMap,
                        format!(
                            "--columns names column '{theirs}', which no file in the folder has"
                        ),
                    )
                    .field(theirs.clone()),
                );
            }
        }
    }
    let missing = |what: &str, hint: &str| {
        InputError::new(
            from,
            Code::MissingSource,
            format!("no {what} in the folder ({hint})"),
        )
    };
    let several = |what: &str, paths: &[PathBuf]| {
        InputError::new(
            from,
            Code::MissingSource,
            format!(
                "{} {what} ({}); keep one",
                paths.len(),
                paths
                    .iter()
                    .map(|p| file_name(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    };
    match found.gias.len() {
        0 => problems.push(missing(
            "GIAS establishment register",
            "edubasealldata*.csv or a GIAS search download",
        )),
        1 => {}
        _ => problems.push(several("school registers", &found.gias)),
    }
    if found.needs.len() > 1 {
        problems.push(several("need breakdowns", &found.needs));
    }
    if found.children.len() > 1 {
        problems.push(several("child-level caseloads", &found.children));
    }
    if found.population.is_empty() {
        problems.push(missing(
            "population by single year of age",
            "ONS or Nomis, wide or long",
        ));
    }
    if !found
        .sen2
        .iter()
        .any(|(_, k)| matches!(k, Kind::Caseload | Kind::Current))
    {
        problems.push(missing(
            "DfE EHC plans caseload",
            "caseload.csv of the current release, or sen2_age_caseload.csv",
        ));
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }

    // EHC plans: the authority.
    let series = match sen2::read_sen2_files(&found.sen2) {
        Ok(s) => s,
        Err(p) => {
            problems.extend(p);
            Vec::new()
        }
    };
    let la = select_la(from, &series, opts.la.as_deref(), &mut problems);

    // Population.
    let mut rows: Vec<(PopulationRow, PathBuf)> = Vec::new();
    let mut pop_notes = Vec::new();
    for p in &found.population {
        let o = OnsOptions {
            columns: opts.columns.clone(),
            ..Default::default()
        };
        match ons::read_population_file(p, &o) {
            Ok(imp) => {
                let years = imp.years();
                let mut note = format!(
                    "{}: {} layout, {} areas, mid-year {}",
                    file_name(p),
                    imp.layout,
                    imp.rows
                        .iter()
                        .map(|r| &r.locality)
                        .collect::<BTreeSet<_>>()
                        .len(),
                    years
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if let Some(y) = imp.year_from_name {
                    note +=
                        &format!(" (the year {y} taken from the file name: it has no year column)");
                }
                if imp.summed_sexes > 0 {
                    note += &format!(
                        "; no persons rows: males and females added up ({} area-age-year cells)",
                        imp.summed_sexes
                    );
                }
                if imp.persons_rows > 0 {
                    note += &format!(
                        "; persons rows used, male and female rows left out ({} cells)",
                        imp.persons_rows
                    );
                }
                pop_notes.push(note + ".");
                rows.extend(imp.rows.into_iter().map(|r| (r, p.clone())));
            }
            Err(e) => problems.extend(e),
        }
    }

    // Schools.
    let gias_path = &found.gias[0];
    let gias_opts = GiasOptions {
        la: la
            .as_ref()
            .map(|s| la_filter(gias_path, s, &opts.columns))
            .unwrap_or_default(),
        include_closed: false,
        host_max_places: Some(opts.host_max_places),
        columns: opts.columns.clone(),
    };
    let schools = match gias::read_gias(gias_path, &gias_opts) {
        Ok(s) => Some(s),
        Err(e) => {
            problems.extend(e);
            None
        }
    };

    // Boundaries.
    let mut bounds = BTreeMap::new();
    for p in &found.boundaries {
        for b in boundaries::read_boundaries(p, &mut problems) {
            bounds.entry(b.code.to_ascii_uppercase()).or_insert(b);
        }
    }
    // The need breakdown.
    let needs = found
        .needs
        .first()
        .and_then(|p| match sen2::needs::read_needs(p, &opts.columns) {
            Ok(s) => Some((file_name(p), s)),
            Err(e) => {
                problems.extend(e);
                None
            }
        });
    if !problems.is_empty() {
        // The child-level caseload's own row problems too (its areas and URNs are checked
        // once the localities and schools are known).
        if let Some(p) = found.children.first() {
            let lenient = crate::import::children::Known {
                lenient: true,
                ..Default::default()
            };
            if let Err(e) = crate::import::children::read_children(p, &opts.columns, &lenient) {
                problems.extend(e);
            }
        }
        problems.sort();
        return Err(problems);
    }
    let (Some(la), Some(schools)) = (la, schools) else {
        return Err(problems);
    };

    // Wards from LSOA population, when both levels of boundary are given.
    let (rows, bounds, lsoa_ward, ward_notes) = match wards::to_wards(&rows, &bounds) {
        Some(w) => (w.rows, w.bounds, w.lsoa_ward, w.notes),
        None => (rows, bounds, BTreeMap::new(), Vec::new()),
    };
    let areas = Areas {
        bounds,
        lsoa_ward,
        ward_notes,
        needs,
    };
    build(from, opts, &found, &la, schools, rows, pop_notes, &areas)
}

/// The boundaries of the localities, how LSOAs were gathered into wards (if they were), and
/// the need breakdown (its file name and splits), when the folder has one.
struct Areas {
    bounds: BTreeMap<String, boundaries::Boundary>,
    lsoa_ward: BTreeMap<String, String>,
    ward_notes: Vec<String>,
    needs: Option<(String, Vec<sen2::needs::NeedSplit>)>,
}

#[allow(clippy::too_many_arguments)]
fn build(
    from: &Path,
    opts: &InitOptions,
    found: &Found,
    la: &Sen2Series,
    schools: gias::GiasImport,
    rows: Vec<(PopulationRow, PathBuf)>,
    pop_notes: Vec<String>,
    areas_in: &Areas,
) -> Result<Initialised, Problems> {
    let bounds = &areas_in.bounds;
    let mut problems = Problems::default();
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();

    // Localities: areas with population (and a boundary, when boundaries are given).
    let la_codes = [la.la_code.to_ascii_uppercase()]
        .into_iter()
        .chain(la.former_codes.iter().map(|c| c.to_ascii_uppercase()))
        .collect::<BTreeSet<_>>();
    let areas: BTreeSet<String> = rows
        .iter()
        .map(|(r, _)| r.locality.to_ascii_uppercase())
        .collect();
    let mut loc_notes = Vec::new();
    let keep: BTreeSet<String> = if !bounds.is_empty() {
        let k: BTreeSet<String> = areas
            .iter()
            .filter(|a| bounds.contains_key(*a))
            .cloned()
            .collect();
        let no_pop = bounds.keys().filter(|b| !areas.contains(*b)).count();
        let no_bound = areas.len() - k.len();
        loc_notes.push(format!(
            "{} localities: the areas that have both a boundary and a population ({} boundaries without population and {} population areas without a boundary were left out).",
            k.len(), no_pop, no_bound
        ));
        if areas_in.ward_notes.is_empty() {
            loc_notes.push(
                "Each locality's point is the centroid of its boundary's area (not population-weighted)."
                    .into(),
            );
        }
        loc_notes.extend(areas_in.ward_notes.iter().cloned());
        k
    } else {
        let k: BTreeSet<String> = areas.intersection(&la_codes).cloned().collect();
        if !k.is_empty() {
            loc_notes.push(format!(
                "One locality, the whole authority ({}): there are no boundaries of smaller areas; its point is the mean position of its schools.",
                la.la_code
            ));
        }
        k
    };
    if keep.is_empty() {
        problems.push(InputError::new(
            from,
            Code::MissingSource,
            if bounds.is_empty() {
                format!(
                    "no locality: the population files have no row for {} and there are no boundaries of smaller areas",
                    la.la_code
                )
            } else {
                "no locality: the population and boundary files share no area code".to_string()
            },
        ));
        return Err(problems);
    }
    let locs: Vec<String> = keep.iter().cloned().collect();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut grid: population::Grid = BTreeMap::new();
    let mut source: BTreeMap<(String, i32), PathBuf> = BTreeMap::new();
    for (r, path) in rows {
        let key = r.locality.to_ascii_uppercase();
        if !keep.contains(&key) {
            continue;
        }
        if let Some(first) = source.get(&(key.clone(), r.year)) {
            if first != &path {
                problems.push(InputError::new(
                    &path,
                    Code::DuplicateRow,
                    format!(
                        "area {} in {} is also in {}: give each year once",
                        r.locality,
                        r.year,
                        file_name(first)
                    ),
                ));
                continue;
            }
        }
        source.insert((key.clone(), r.year), path);
        if !r.name.is_empty() {
            names.entry(key.clone()).or_insert(r.name.clone());
        }
        grid.entry(key)
            .or_default()
            .entry(r.year)
            .or_insert([0.0; N_AGES])[r.age as usize] = r.count;
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }

    // Years: those of the child-level caseload when given, else of the authority's totals.
    let from_children = match found.children.first() {
        Some(path) => {
            match caseload::read(path, &opts.columns, &keep, &areas_in.lsoa_ward, &schools) {
                Ok(f) => Some((path.clone(), f)),
                Err(p) => return Err(p),
            }
        }
        None => None,
    };
    let history_years = match &from_children {
        Some((_, f)) => f.years.clone(),
        None => totals_years(from, la)?,
    };
    let base = history_years[history_years.len() - 1];
    let (first, last) = (history_years[0], base + opts.horizon as i32);
    let proj = population::complete(&mut grid, first, last);
    let mut pop_lines = pop_notes;
    pop_lines.push(format!(
        "Estimates for mid-{}; the scenario needs {first}-{last}.",
        proj.estimates
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if !proj.interpolated.is_empty() {
        pop_lines.push(format!(
            "Interpolated linearly between estimates: {}.",
            years_list(&proj.interpolated)
        ));
    }
    let ratios = match proj.ratio_years {
        Some((a, b)) => format!(
            "cohort change ratios from mid-{a} to mid-{b} summed over the localities (age 1 {:.4}, age 5 {:.4}, age 11 {:.4}, age 16 {:.4}, age 19 {:.4}, age 25 {:.4})",
            proj.ratios[1], proj.ratios[5], proj.ratios[11], proj.ratios[16], proj.ratios[19], proj.ratios[25]
        ),
        None => "a cohort change ratio of 1 at every age (one estimate year, so no ratio can be measured: each cohort ages on unchanged, with no migration or deaths)".to_string(),
    };
    if !proj.projected.is_empty() {
        pop_lines.push(format!(
            "Projected forward to {}: {ratios}; births (age 0) held at the last estimate.",
            years_list(&proj.projected)
        ));
    }
    if !proj.backcast.is_empty() {
        pop_lines.push(format!(
            "Projected back to {} by the same ratios; age 25 held at the first estimate.",
            years_list(&proj.backcast)
        ));
    }
    notes.push(("Localities".into(), loc_notes));
    notes.push(("Population".into(), pop_lines));

    // History.
    let (hist_rows, hist_notes) = match &from_children {
        Some((path, f)) => (caseload::rows(f, &locs), caseload::notes(path, f, la)),
        None => {
            let need = need_shares(&areas_in.needs, la);
            let hist = history::apportion(la, &history_years, &grid, &locs, &need);
            let mut hist_notes = vec![format!(
                "{} ({}, DfE {}): Januarys {first}-{base} (the last {} Januarys with a total, consecutive, ending at the last one published); base year {base}.",
                la.name,
                la.la_code,
                la.old_la_code,
                history_years.len()
            )];
            hist_notes.push(
                "No child-level caseload was given, so the authority's totals are apportioned: bands to single ages by population, ages to localities by population, a national need mix, placements as below; whole plans by cumulative rounding in locality and age order within each January (each locality and age within one plan of its exact share, each January adding up to the published total)."
                    .into(),
            );
            hist_notes.extend(hist.notes);
            (hist.rows, hist_notes)
        }
    };
    notes.push(("EHC plans (history.csv)".into(), hist_notes));

    // Schools.
    let hosts = schools.schools.iter().filter(|s| s.can_host_base).count();
    let single = schools
        .schools
        .iter()
        .filter(|s| s.can_host_base && s.gender.single_sex())
        .count();
    let selective = schools
        .schools
        .iter()
        .filter(|s| s.can_host_base && s.selective)
        .count();
    let mut school_notes = vec![format!(
        "{} open establishments kept: {} state special, {} independent or non-maintained special, {} specialist post-16, {} mainstream.",
        schools.schools.len(),
        count_kind(&schools, placeplan_model::SchoolKind::Special),
        count_kind(&schools, placeplan_model::SchoolKind::Independent),
        count_kind(&schools, placeplan_model::SchoolKind::Post16),
        count_kind(&schools, placeplan_model::SchoolKind::Mainstream)
    )];
    for (why, n) in &schools.skipped {
        school_notes.push(format!("Left out {n}: {why}."));
    }
    school_notes.push(format!(
        "{hosts} maintained mainstream schools and academies teaching primary or secondary may host a new base (can_host_base = yes), each with at most {} new places (max_new_places); {single} of them are single-sex and {selective} selective, which [bases] allow_single_sex and allow_selective (both off) keep from hosting.",
        opts.host_max_places
    ));
    school_notes.push("Phases from the statutory age range, whose high age is the age pupils leave at; existing places (SchoolCapacity, else NumberOfPupils, of special schools; resourced provision and SEN unit capacity, else on roll, of mainstream schools) split over the phases by the years of age taught, early years only at schools that teach no older pupil; needs from SEN1-SEN13 (all needs when none is listed).".into());
    notes.push(("Schools (schools.csv, capacity.csv)".into(), school_notes));

    notes.push((
        "Settings (scenario.toml)".into(),
        vec![
            format!("Base year {base}, horizon {} years (plan years {}-{last}).", opts.horizon, base + 1),
            "Every other setting (costs, journey limits, travel, new bases, forecast, solver, capital budget) is placeplan's default, listed with its source in docs/scenario-format.md: review them before taking a plan to committee.".into(),
        ],
    ));

    // Files.
    let name = la.name.clone();
    let centre = if bounds.is_empty() {
        let n = schools.schools.len().max(1) as f64;
        Some((
            schools.schools.iter().map(|s| s.lat).sum::<f64>() / n,
            schools.schools.iter().map(|s| s.lon).sum::<f64>() / n,
        ))
    } else {
        None
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["id", "name", "lat", "lon"]);
    for l in &locs {
        let (nm, lat, lon) = match (bounds.get(l), centre) {
            (Some(b), _) => (b.name.clone(), b.lat, b.lon),
            (None, Some((lat, lon))) => (names.get(l).cloned().unwrap_or_default(), lat, lon),
            (None, None) => continue,
        };
        let nm = if nm.is_empty() {
            names.get(l).cloned().unwrap_or_default()
        } else {
            nm
        };
        let _ = w.write_record([
            text_cell(l).as_str(),
            &text_cell(&nm),
            &format!("{lat:.5}"),
            &format!("{lon:.5}"),
        ]);
    }
    let localities_csv = w.into_inner().unwrap_or_default();
    let pop_rows: Vec<PopulationRow> = grid
        .iter()
        .flat_map(|(l, ys)| {
            ys.iter()
                .filter(|(y, _)| (first..=last).contains(*y))
                .flat_map(move |(y, c)| {
                    (0..N_AGES).map(move |a| PopulationRow {
                        locality: l.clone(),
                        name: String::new(),
                        year: *y,
                        age: a as u8,
                        count: (c[a] * 1000.0).round() / 1000.0,
                    })
                })
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["year", "locality", "age", "need", "provision", "count"]);
    for r in &hist_rows {
        let _ = w.write_record([
            r.year.to_string().as_str(),
            &text_cell(&locs[r.locality]),
            &r.age.to_string(),
            r.need.code(),
            r.provision.code(),
            &r.count.to_string(),
        ]);
    }
    let history_csv = w.into_inner().unwrap_or_default();
    let outlines = boundaries_geojson(&locs, bounds);
    let toml = scenario_toml(&name, base, opts.horizon, outlines.is_some());
    let mut read = found.notes.clone();
    read.extend(
        found
            .boundaries
            .iter()
            .map(|p| format!("{}: GeoJSON boundaries", file_name(p))),
    );
    read.sort();
    let assumptions = assumptions_md(&name, &read, &notes);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("scenario.toml".into(), toml.into_bytes()),
        ("localities.csv".into(), localities_csv),
        ("population.csv".into(), ons::population_csv(&pop_rows)),
        ("history.csv".into(), history_csv),
        ("schools.csv".into(), schools.schools_csv()),
        ("capacity.csv".into(), schools.capacity_csv()),
        ("ASSUMPTIONS.md".into(), assumptions.into_bytes()),
    ];
    if let Some(geojson) = outlines {
        files.push((BOUNDARIES_FILE.into(), geojson));
    }
    Ok(Initialised {
        name,
        files,
        read,
        localities: locs.len(),
        schools: schools.schools.len(),
        hosts,
        history_years: (first, base),
        population_years: (first, last),
    })
}

/// The history years from the authority's published totals: the last seven (at most)
/// consecutive Januarys with a total, ending at the last one published.
fn totals_years(from: &Path, la: &Sen2Series) -> Result<Vec<i32>, Problems> {
    let mut problems = Problems::default();
    let Some((_, base)) = la.years() else {
        problems.push(InputError::new(
            from,
            Code::InsufficientHistory,
            format!("the EHC plans files give no January total for {}", la.name),
        ));
        return Err(problems);
    };
    let years = caseload::consecutive_ending_at_last(
        (base - 6..=base)
            .filter(|&y| la.total(y).is_some())
            .collect(),
    );
    if years.len() < 2 {
        problems.push(InputError::new(
            from,
            Code::InsufficientHistory,
            format!(
                "{} has a January total for {base} but not for {}: two consecutive Januarys are needed",
                la.name,
                base - 1
            ),
        ));
        return Err(problems);
    }
    Ok(years)
}

/// The need mix: the authority's from the DfE need breakdown when the folder has it.
fn need_shares(
    needs: &Option<(String, Vec<sen2::needs::NeedSplit>)>,
    la: &Sen2Series,
) -> history::NeedShares {
    let Some((file, splits)) = needs else {
        return history::NeedShares::national();
    };
    match splits.iter().find(|s| s.matches(la)) {
        Some(s) => history::NeedShares::of_authority(s, file),
        None => {
            let mut n = history::NeedShares::national();
            n.notes.push(format!(
                "{file} has no rows for {}, so the national mix is used.",
                la.name
            ));
            n
        }
    }
}

/// The scenario's boundaries file (`[files] boundaries`), drawn on the report's map.
pub const BOUNDARIES_FILE: &str = "boundaries.geojson";

/// The localities' boundaries as GeoJSON (`code` = locality id, `name`), each ring its own
/// polygon, coordinates to 6 decimals; `None` when no locality has a boundary.
fn boundaries_geojson(
    locs: &[String],
    bounds: &BTreeMap<String, boundaries::Boundary>,
) -> Option<Vec<u8>> {
    let features: Vec<String> = locs
        .iter()
        .filter_map(|l| bounds.get(l).map(|b| (l, b)))
        .map(|(l, b)| {
            let rings: Vec<String> = b
                .rings
                .iter()
                .map(|r| {
                    let pts: Vec<String> =
                        r.iter().map(|(x, y)| format!("[{x:.6},{y:.6}]")).collect();
                    format!("[[{}]]", pts.join(","))
                })
                .collect();
            format!(
                "{{\"type\":\"Feature\",\"properties\":{{\"code\":{},\"name\":{}}},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[{}]}}}}",
                serde_json::Value::String(l.clone()),
                serde_json::Value::String(b.name.clone()),
                rings.join(",")
            )
        })
        .collect();
    (!features.is_empty()).then(|| {
        format!(
            "{{\"type\":\"FeatureCollection\",\"features\":[\n{}\n]}}\n",
            features.join(",\n")
        )
        .into_bytes()
    })
}
