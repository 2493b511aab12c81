//! Output files as bytes: CSV for forecast, plan, placements and costs, and the JSON summary.
//! Numbers use fixed decimals so the same inputs give byte-identical files.

use placeplan_io::csvcell::text_cell;
use placeplan_model::summary::Summary;

use placeplan_model::finance::{unit_cost, CostLine, Costing};
use placeplan_model::forecast::{Band, Demand, Forecast};
use placeplan_model::plan::{Plan, ProvisionRef};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

/// Everything one `plan` run produced, for the exporters (CSV, XLSX, GeoJSON, HTML).
#[derive(Debug, Clone, Copy)]
pub struct RunOutputs<'a> {
    pub scenario: &'a Scenario,
    pub travel: &'a TravelMatrix,
    pub forecast: &'a Forecast,
    pub demand: &'a Demand,
    /// The optimised, checked plan.
    pub plan: &'a Plan,
    pub costing: &'a Costing,
    pub summary: &'a Summary,
    /// The do-nothing baseline and its costs, when it was solved.
    pub do_nothing: Option<(&'a Plan, &'a Costing)>,
}

/// Which output files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// forecast.csv, plan.csv, placements.csv, costs.csv, summary.json (always useful).
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
/// file names written.
pub fn write_run(
    dir: &std::path::Path,
    run: &RunOutputs,
    forecasts: &[Forecast],
    formats: Formats,
) -> std::io::Result<Vec<&'static str>> {
    write_files(dir, build_run(run, Some(forecasts), formats)?)
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

/// Every chosen output of a run, built in memory: (file name, bytes); `forecast.csv` only when
/// `forecasts` are given.
fn build_run(
    run: &RunOutputs,
    forecasts: Option<&[Forecast]>,
    formats: Formats,
) -> std::io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files: Vec<(&'static str, Vec<u8>)> = Vec::new();
    if formats.csv {
        if let Some(forecasts) = forecasts {
            files.push(("forecast.csv", forecast_csv(run.scenario, forecasts)));
        }
        files.push(("plan.csv", plan_csv(run.scenario, run.plan)));
        files.push((
            "placements.csv",
            placements_csv(run.scenario, run.travel, run.demand, run.plan),
        ));
        files.push(("costs.csv", costs_csv(run.costing)));
        files.push(("summary.json", summary_json(run.summary)));
    }
    if formats.xlsx {
        let book = crate::xlsx::workbook(run).map_err(std::io::Error::other)?;
        files.push(("plan.xlsx", book));
    }
    if formats.geojson {
        files.push(("plan.geojson", crate::geojson::geojson(run)));
    }
    if formats.html {
        files.push(("report.html", crate::html::report(run)));
    }
    Ok(files)
}

fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// Fixed-decimal text for CSV output, never "-0.000".
pub fn fixed(v: f64, dp: usize) -> String {
    f(v, dp)
}

fn f(v: f64, dp: usize) -> String {
    let s = format!("{v:.dp$}");
    // Avoid "-0.000".
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// `forecast.csv`: for each variant (unmitigated, and mitigated when levers are set), year,
/// locality, age group and need, the plans and the specialist places needed as the central
/// projection and the P10/P50/P90 of the Monte Carlo runs; then LA totals (locality and need
/// `ALL`) by age group and for all ages (`ALL`), summed within each run before percentiles.
pub fn forecast_csv(s: &Scenario, forecasts: &[Forecast]) -> Vec<u8> {
    let mut rows = Vec::new();
    for fc in forecasts {
        let variant = fc.variant.code();
        for c in &fc.cells {
            for (measure, b) in [("plans", &c.plans), ("specialist", &c.specialist)] {
                rows.push(band_row(
                    variant,
                    c.year,
                    &s.localities[c.locality].id,
                    c.age_group.label(),
                    c.need.code(),
                    measure,
                    b,
                ));
            }
        }
        for t in &fc.totals {
            let g = t.age_group.map_or("ALL", |g| g.label());
            for (measure, b) in [("plans", &t.plans), ("specialist", &t.specialist)] {
                rows.push(band_row(variant, t.year, "ALL", g, "ALL", measure, b));
            }
        }
    }
    csv_bytes(
        &[
            "variant",
            "year",
            "locality",
            "age_group",
            "need",
            "measure",
            "central",
            "p10",
            "p50",
            "p90",
        ],
        rows,
    )
}

fn band_row(
    variant: &str,
    year: i32,
    locality: &str,
    age_group: &str,
    need: &str,
    measure: &str,
    b: &Band,
) -> Vec<String> {
    vec![
        variant.to_string(),
        year.to_string(),
        text_cell(locality),
        age_group.to_string(),
        need.to_string(),
        measure.to_string(),
        f(b.central, 3),
        f(b.p10, 3),
        f(b.p50, 3),
        f(b.p90, 3),
    ]
}

/// `plan.csv`: new places by school, need and phase, with the year funded and first used.
pub fn plan_csv(s: &Scenario, plan: &Plan) -> Vec<u8> {
    csv_bytes(
        &[
            "school",
            "school_name",
            "need",
            "phase",
            "year",
            "funded_year",
            "places",
            "capital",
        ],
        plan.builds.iter().map(|b| {
            let c = &plan.candidates[b.candidate];
            let school = &s.schools[c.school];
            let open = plan.years[0] + plan.first_use(s, b) as i32;
            vec![
                text_cell(&school.id),
                text_cell(&school.name),
                c.need.code().to_string(),
                c.phase.code().to_string(),
                open.to_string(),
                plan.years[b.funded].to_string(),
                f(b.places, 3),
                f(b.places * s.capex_per_place(school), 2),
            ]
        }),
    )
}

/// `placements.csv`: where each demand group is placed each year, with journey and unit costs.
pub fn placements_csv(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    plan: &Plan,
) -> Vec<u8> {
    csv_bytes(
        &[
            "year",
            "locality",
            "need",
            "phase",
            "provision",
            "school",
            "school_name",
            "pupils",
            "minutes",
            "km",
            "place_cost",
            "transport_cost",
        ],
        plan.placements.iter().map(|p| {
            let g = &demand.groups[p.group];
            let (_, revenue, transport) = unit_cost(s, travel, &plan.candidates, g, p.provision);
            let school = match p.provision {
                ProvisionRef::Existing(k) => Some(s.provisions[k].school),
                ProvisionRef::NewBase(c) => Some(plan.candidates[c].school),
                ProvisionRef::OutOfArea => None,
            };
            let kind = match p.provision {
                ProvisionRef::Existing(_) => "existing",
                ProvisionRef::NewBase(_) => "new_base",
                ProvisionRef::OutOfArea => "out_of_area",
            };
            let (id, name, minutes, km) = match school {
                Some(sc) => (
                    text_cell(&s.schools[sc].id),
                    text_cell(&s.schools[sc].name),
                    f(travel.minutes(g.locality, sc), 1),
                    f(travel.km(g.locality, sc), 2),
                ),
                None => (String::new(), String::new(), String::new(), String::new()),
            };
            vec![
                plan.years[p.year].to_string(),
                text_cell(&s.localities[g.locality].id),
                g.need.code().to_string(),
                g.phase.code().to_string(),
                kind.to_string(),
                id,
                name,
                f(p.pupils, 3),
                minutes,
                km,
                f(revenue, 2),
                f(transport, 2),
            ]
        }),
    )
}

/// `costs.csv`: one row per year with every cost line, the total and its discounted value,
/// then a `total` row.
pub fn costs_csv(c: &Costing) -> Vec<u8> {
    let mut header = vec!["year"];
    header.extend(CostLine::ALL.iter().map(|l| l.code()));
    header.extend(["total", "discount_factor", "discounted"]);
    let mut rows: Vec<Vec<String>> = c
        .years
        .iter()
        .map(|y| {
            let mut r = vec![y.year.to_string()];
            r.extend(y.lines.iter().map(|v| f(*v, 2)));
            r.extend([f(y.total, 2), f(y.discount_factor, 6), f(y.discounted, 2)]);
            r
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(CostLine::ALL.iter().map(|l| f(c.line_total(*l), 2)));
    total.extend([f(c.total, 2), String::new(), f(c.npv, 2)]);
    rows.push(total);
    csv_bytes(&header, rows)
}

/// `summary.json`: the run's headline numbers, pretty-printed.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(summary).unwrap_or_default();
    v.push(b'\n');
    v
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
