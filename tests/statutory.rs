//! The statutory layouts (dsg_grid.csv, scap_send.csv) read back and reconciled with the other
//! outputs and the scenario's own files, every expected figure derived here from those files;
//! and the workbook as it prints (page setup, and the Summary and Costs by year sheets on one
//! page each when LibreOffice prints them to PDF).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[path = "support/office.rs"]
mod office;
#[path = "support/run.rs"]
#[allow(dead_code)] // read_all is for the other test files.
mod run;

use run::{placeplan, root, text};

fn demo_dir() -> PathBuf {
    root().join("scenarios/demo")
}

/// Runs `placeplan plan` on the demo into a fresh folder with these formats and other flags.
fn plan_demo(formats: &str, flags: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let demo = demo_dir();
    let mut args = vec![
        "plan",
        demo.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--formats",
        formats,
    ];
    args.extend(flags);
    let o = placeplan(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    out
}

/// A CSV file as rows of (column -> text).
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, col: &str) -> f64 {
    let t = row.get(col).unwrap_or_else(|| panic!("no column {col}"));
    t.parse()
        .unwrap_or_else(|_| panic!("{col} = {t:?} is not a number"))
}

/// The DfE age band of a placeplan phase.
fn band(phase: &str) -> &'static str {
    match phase {
        "early_years" => "0-4",
        "primary" => "5-10",
        "secondary" => "11-15",
        "post16" => "16-19",
        "post19" => "20-25",
        other => panic!("phase {other}"),
    }
}

const RP: &str = "Resourced provision or SEN units";
const SPECIAL: &str = "Maintained special schools or special academies";
const INDEPENDENT: &str = "NMSS or independent schools";

/// Placement type of a kind of school in schools.csv (existing places).
fn type_of_school_kind(kind: &str) -> &'static str {
    match kind {
        "mainstream" => RP,
        "special" | "post16" => SPECIAL,
        "independent" => INDEPENDENT,
        other => panic!("school kind {other}"),
    }
}

/// School id -> kind, from the scenario's schools.csv.
fn school_kinds() -> BTreeMap<String, String> {
    read_csv(&demo_dir().join("schools.csv"))
        .into_iter()
        .map(|r| (r["id"].clone(), r["kind"].clone()))
        .collect()
}

/// Placement type of a placements.csv row.
fn type_of_placement(
    row: &BTreeMap<String, String>,
    kinds: &BTreeMap<String, String>,
) -> &'static str {
    match row["provision"].as_str() {
        "new_base" => RP,
        "out_of_area" => INDEPENDENT,
        // docs/exports.md: pupils in other authorities' schools count as in special schools.
        "other_authority" => SPECIAL,
        "existing" => type_of_school_kind(&kinds[&row["school"]]),
        other => panic!("provision {other}"),
    }
}

/// Whole pupils needing a specialist place, by (year, need code in capitals, age band), from
/// one variant of forecast.csv. The plan's demand rounds each locality's cell down or up (the
/// controlled rounding that keeps totals), and forecast.csv holds 3 decimals: each figure is a
/// range (least, most), the sum of the cells rounded down and rounded up.
type Demand = BTreeMap<(String, String, String), (f64, f64)>;

fn demand_from_forecast(out: &Path, variant: &str) -> Demand {
    let mut d: Demand = BTreeMap::new();
    for r in read_csv(&out.join("forecast.csv")) {
        if r["variant"] != variant || r["measure"] != "specialist" || r["locality"] == "ALL" {
            continue;
        }
        let key = (
            r["year"].clone(),
            r["need"].to_ascii_uppercase(),
            r["age_group"].clone(),
        );
        let v = num(&r, "central");
        let e = d.entry(key).or_default();
        e.0 += (v - 0.0005).floor();
        e.1 += (v + 0.0005).ceil();
    }
    d
}

/// The year's whole pupils needing a specialist place: the forecast's total rounded to the
/// nearest pupil (the plan's demand keeps it), as a range for forecast.csv's 3 decimals.
fn year_total_from_forecast(out: &Path, variant: &str, year: &str) -> (f64, f64) {
    let (mut sum, mut cells) = (0.0, 0.0);
    for r in read_csv(&out.join("forecast.csv")) {
        if r["variant"] != variant
            || r["measure"] != "specialist"
            || r["locality"] == "ALL"
            || r["year"] != year
        {
            continue;
        }
        sum += num(&r, "central");
        cells += 1.0;
    }
    (
        (sum - 0.0005 * cells).round(),
        (sum + 0.0005 * cells).round(),
    )
}

/// `v` is within the range `(least, most)`.
fn within(v: f64, (least, most): (f64, f64), what: &str) {
    assert!(
        v >= least - 0.002 && v <= most + 0.002,
        "{what}: {v} not in {least}..={most}"
    );
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

/// dsg_grid.csv against placements.csv, costs.csv, forecast.csv and the scenario's files.
#[test]
fn dsg_grid_reconciles_with_the_other_outputs() {
    let out = plan_demo("csv", &[]);
    let grid = read_csv(&out.path().join("dsg_grid.csv"));
    let kinds = school_kinds();
    let bands = ["0-4", "5-10", "11-15", "16-19", "20-25"];
    let planned = [RP, SPECIAL, INDEPENDENT];
    let years: Vec<String> = read_csv(&out.path().join("costs.csv"))
        .into_iter()
        .map(|r| r["year"].clone())
        .filter(|y| y != "total")
        .collect();
    // Every variant x year x 7 types x 13 needs, in that order.
    assert_eq!(grid.len(), 2 * years.len() * 7 * 13);
    let half = grid.len() / 2;
    assert!(grid[..half].iter().all(|r| r["variant"] == "unmitigated"));
    assert!(grid[half..].iter().all(|r| r["variant"] == "mitigated"));
    for r in &grid {
        let ty = r["placement_type"].as_str();
        for b in bands.iter().map(|b| format!("pupils_{b}")) {
            assert_eq!(r[&b].is_empty(), !planned.contains(&ty), "{r:?}");
        }
        if r["need"] == "NSA" && planned.contains(&ty) {
            assert_eq!(num(r, "pupils_total"), 0.0);
        }
        if planned.contains(&ty) {
            let pupils: f64 = bands.iter().map(|b| num(r, &format!("pupils_{b}"))).sum();
            close(pupils, num(r, "pupils_total"), 0.002, "pupils_total");
            let cost: f64 = bands.iter().map(|b| num(r, &format!("cost_{b}"))).sum();
            close(cost, num(r, "cost_total"), 0.05, "cost_total");
        }
    }
    let cell = |variant: &str, year: &str, ty: &str, need: &str, band: &str, what: &str| {
        grid.iter()
            .filter(|r| {
                r["variant"] == variant
                    && r["year"] == year
                    && r["placement_type"] == ty
                    && r["need"] == need
            })
            .map(|r| num(r, &format!("{what}_{band}")))
            .sum::<f64>()
    };

    // Mitigated: the plan's placements, cell by cell, with their place costs.
    // placements.csv writes pupils to 3 decimals: each row may be 0.0005 pupils off.
    let mut expected: BTreeMap<(String, &str, String, &str), [f64; 4]> = BTreeMap::new();
    for p in read_csv(&out.path().join("placements.csv")) {
        let key = (
            p["year"].clone(),
            type_of_placement(&p, &kinds),
            p["need"].to_ascii_uppercase(),
            band(&p["phase"]),
        );
        let e = expected.entry(key).or_default();
        e[0] += num(&p, "pupils");
        e[1] += num(&p, "pupils") * num(&p, "place_cost");
        e[2] += 0.0005;
        e[3] += 0.0005 * num(&p, "place_cost");
    }
    for ((year, ty, need, b), [pupils, cost, pupils_tol, cost_tol]) in &expected {
        let what = format!("{year} {ty} {need} {b}");
        let got = cell("mitigated", year, ty, need, b, "pupils");
        close(got, *pupils, pupils_tol + 0.0005, &what);
        let got = cell("mitigated", year, ty, need, b, "cost");
        close(got, *cost, cost_tol + 0.05, &what);
    }
    let grid_total = |variant: &str, year: &str, what: &str| {
        grid.iter()
            .filter(|r| r["variant"] == variant && r["year"] == year)
            .filter(|r| !r[&format!("{what}_total")].is_empty())
            .map(|r| num(r, &format!("{what}_total")))
            .sum::<f64>()
    };
    // Each year's place costs are costs.csv's place lines (transport and capital are not DSG).
    // The place lines: costs.csv's columns from the first after `year` up to `transport`.
    let costs_csv = out.path().join("costs.csv");
    let header = csv::Reader::from_path(&costs_csv)
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let place_lines: Vec<&str> = header
        .iter()
        .skip(1)
        .take_while(|h| *h != "transport")
        .collect();
    assert_eq!(place_lines.len(), 7, "{place_lines:?}");
    for c in read_csv(&costs_csv) {
        if c["year"] == "total" {
            continue;
        }
        let place: f64 = place_lines.iter().map(|l| num(&c, l)).sum();
        close(
            grid_total("mitigated", &c["year"], "cost"),
            place,
            0.1,
            &c["year"],
        );
    }

    // Both variants' pupils are their forecast's specialist demand, from forecast.csv.
    for variant in ["unmitigated", "mitigated"] {
        let demand = demand_from_forecast(out.path(), variant);
        for year in &years {
            let total = year_total_from_forecast(out.path(), variant, year);
            within(grid_total(variant, year, "pupils"), total, variant);
        }
        for ((year, need, b), pupils) in &demand {
            let placed: f64 = planned
                .iter()
                .map(|ty| cell(variant, year, ty, need, b, "pupils"))
                .sum();
            within(placed, *pupils, &format!("{variant} {year} {need} {b}"));
        }
    }
    // The scenario sets levers, so the two variants differ.
    assert_ne!(
        grid_total("unmitigated", years.last().unwrap(), "pupils"),
        grid_total("mitigated", years.last().unwrap(), "pupils")
    );

    // Unmitigated: no new places, so resourced places stay within capacity.csv, and every
    // place is costed at scenario.toml's rate for its type (the demo sets no school's own).
    let toml: toml::Value =
        toml::from_str(&std::fs::read_to_string(demo_dir().join("scenario.toml")).unwrap())
            .unwrap();
    let rate = |k: &str| toml["costs"][k].as_float().unwrap();
    let mut rp_places: BTreeMap<&str, f64> = BTreeMap::new();
    for c in read_csv(&demo_dir().join("capacity.csv")) {
        if kinds[&c["school"]] == "mainstream" {
            *rp_places.entry(band(&c["phase"])).or_default() += num(&c, "places");
        }
    }
    for r in grid.iter().filter(|r| r["variant"] == "unmitigated") {
        let ty = r["placement_type"].as_str();
        let unit = match ty {
            RP => rate("resourced_base_place"),
            SPECIAL => rate("special_place").max(rate("post16_place")),
            INDEPENDENT => rate("independent_place"),
            _ => continue,
        };
        for b in bands {
            let (p, c) = (num(r, &format!("pupils_{b}")), num(r, &format!("cost_{b}")));
            close(c, p * unit, 0.05, &format!("{r:?}"));
        }
    }
    for year in &years {
        for b in bands {
            let rp: f64 = grid
                .iter()
                .filter(|r| r["variant"] == "unmitigated" && r["year"] == *year)
                .filter(|r| r["placement_type"] == RP)
                .map(|r| num(r, &format!("pupils_{b}")))
                .sum();
            let cap = rp_places.get(b).copied().unwrap_or(0.0);
            assert!(rp <= cap + 0.002, "{year} {b}: {rp} in {cap} places");
        }
    }
}

/// Planned for the unmitigated forecast (`--unmitigated`), both variants of the grid place the
/// unmitigated forecast's demand: the mitigated rows as placements.csv (with new places), the
/// unmitigated rows with no new places.
#[test]
fn an_unmitigated_plan_fills_both_variants_from_the_unmitigated_forecast() {
    let out = plan_demo("csv", &["--unmitigated"]);
    let grid = read_csv(&out.path().join("dsg_grid.csv"));
    let demand = demand_from_forecast(out.path(), "unmitigated");
    for variant in ["unmitigated", "mitigated"] {
        for ((year, need, b), pupils) in &demand {
            let placed: f64 = grid
                .iter()
                .filter(|r| r["variant"] == variant && r["year"] == *year && r["need"] == *need)
                .filter(|r| !r[&format!("pupils_{b}")].is_empty())
                .map(|r| num(r, &format!("pupils_{b}")))
                .sum();
            within(placed, *pupils, &format!("{variant} {year} {need} {b}"));
        }
    }
    let placed: f64 = read_csv(&out.path().join("placements.csv"))
        .iter()
        .map(|p| num(p, "pupils"))
        .sum();
    let mitigated: f64 = grid
        .iter()
        .filter(|r| r["variant"] == "mitigated" && !r["pupils_total"].is_empty())
        .map(|r| num(r, "pupils_total"))
        .sum();
    close(
        mitigated,
        placed,
        2.0,
        "mitigated pupils against placements.csv",
    );
}

/// scap_send.csv against placements.csv, plan.csv, capacity.csv and forecast.csv.
#[test]
fn scap_layout_reconciles_with_the_other_outputs() {
    let out = plan_demo("csv", &[]);
    let scap = read_csv(&out.path().join("scap_send.csv"));
    let kinds = school_kinds();
    let provisions = [
        ("unit_or_resourced_provision", RP),
        ("special", SPECIAL),
        ("independent", INDEPENDENT),
    ];
    let placements = read_csv(&out.path().join("placements.csv"));
    let capacity = read_csv(&demo_dir().join("capacity.csv"));
    let builds = read_csv(&out.path().join("plan.csv"));
    let demand = demand_from_forecast(out.path(), "mitigated");
    let years: Vec<String> = read_csv(&out.path().join("costs.csv"))
        .into_iter()
        .map(|r| r["year"].clone())
        .filter(|y| y != "total")
        .collect();
    assert_eq!(scap.len(), years.len() * 2 * 4);
    for r in &scap {
        let (year, phase) = (r["year"].as_str(), r["phase"].as_str());
        assert!(matches!(phase, "primary" | "secondary"), "{r:?}");
        let Some((_, ty)) = provisions.iter().find(|(p, _)| *p == r["provision"]) else {
            assert_eq!(r["provision"], "alternative_provision");
            assert!(r["places_needed"].is_empty() && r["places_planned"].is_empty());
            continue;
        };
        let here = |p: &&BTreeMap<String, String>| p["year"] == year && p["phase"] == phase;
        // placements.csv writes pupils to 3 decimals: each row may be 0.0005 pupils off.
        let pupils = |rows: Vec<&BTreeMap<String, String>>| -> (f64, f64) {
            let sum = rows.iter().map(|p| num(p, "pupils")).sum();
            (sum, 0.0005 * rows.len() as f64 + 0.0005)
        };
        let (needed, tol) = pupils(
            placements
                .iter()
                .filter(here)
                .filter(|p| type_of_placement(p, &kinds) == *ty)
                .collect(),
        );
        close(
            num(r, "places_needed"),
            needed,
            tol,
            &format!("needed {r:?}"),
        );
        let existing: f64 = capacity
            .iter()
            .filter(|c| c["phase"] == phase && type_of_school_kind(&kinds[&c["school"]]) == *ty)
            .map(|c| num(c, "places"))
            .sum();
        let new_rows: Vec<_> = builds
            .iter()
            .filter(|b| *ty == RP && b["phase"] == phase && b["year"].as_str() <= year)
            .collect();
        let new: f64 = new_rows.iter().map(|b| num(b, "places")).sum();
        // plan.csv writes places to 3 decimals too (fractional places at the occupancy target).
        let new_tol = 0.0005 * new_rows.len() as f64;
        let (bought, tol) = pupils(
            placements
                .iter()
                .filter(here)
                .filter(|p| *ty == INDEPENDENT && p["provision"] == "out_of_area")
                .collect(),
        );
        let planned = existing + new + bought;
        close(
            num(r, "places_planned"),
            planned,
            tol + new_tol,
            &format!("planned {r:?}"),
        );
        assert!(num(r, "places_needed") <= num(r, "places_planned") + 0.002);
    }
    // Each phase's places needed are the forecast's specialist demand of that phase.
    for year in &years {
        for phase in ["primary", "secondary"] {
            let needed: f64 = scap
                .iter()
                .filter(|r| r["year"] == *year && r["phase"] == phase)
                .filter(|r| !r["places_needed"].is_empty())
                .map(|r| num(r, "places_needed"))
                .sum();
            let forecast = demand
                .iter()
                .filter(|((y, _, b), _)| y == year && b == band(phase))
                .fold((0.0, 0.0), |a, (_, v)| (a.0 + v.0, a.1 + v.1));
            within(needed, forecast, &format!("{year} {phase}"));
        }
    }
}

/// The data rows of a sheet are the CSV's rows: the same text, numbers equal to the CSV's
/// decimals, empty where the CSV is empty.
fn sheet_holds_the_csv(xlsx: &Path, sheet: &str, csv_path: &Path) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(xlsx).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let mut r = csv::Reader::from_path(csv_path).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(range.height(), rows.len() + 1, "{sheet}: rows");
    for (i, rec) in rows.iter().enumerate() {
        for (c, text) in rec.iter().enumerate() {
            let cell = range.get((i + 1, c)).unwrap_or(&Data::Empty);
            let at = format!("{sheet} ({}, {c}): {cell:?} vs {text:?}", i + 1);
            match (cell, text.parse::<f64>()) {
                (Data::Empty, _) => assert!(text.is_empty(), "{at}"),
                (Data::Float(v), Ok(t)) => assert!((v - t).abs() <= 0.0051, "{at}"),
                (Data::String(v), _) => assert_eq!(v, text, "{at}"),
                _ => panic!("{at}"),
            }
        }
    }
}

/// Width of column `col` (0-based) in a sheet's XML, from its `<col>` entries (8.43 when unset).
fn column_width(sheet: &str, col: usize) -> f64 {
    let n = col + 1;
    for c in sheet.split("<col ").skip(1) {
        let attr = |k: &str| -> f64 {
            let at = c.find(&format!("{k}=\"")).unwrap() + k.len() + 2;
            c[at..at + c[at..].find('"').unwrap()].parse().unwrap()
        };
        if attr("min") as usize <= n && n <= attr("max") as usize {
            return attr("width");
        }
    }
    8.43
}

/// Labels are never cut off: the key labels of Summary and the row labels of Costs by year fit
/// their column on one line, every header's longest word fits its column (headers wrap between
/// words), and any other text fits its column or runs on into an empty cell. A character of Calibri 11 bold is taken as 1.1 width units at most.
fn labels_fit_their_columns(xlsx: &Path) {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(xlsx).unwrap();
    let fits = |text: &str, width: f64| text.chars().count() as f64 * 1.1 <= width;
    for (i, name) in wb.sheet_names().into_iter().enumerate() {
        let xml = xlsx_part(xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        let range = wb.worksheet_range(&name).unwrap();
        for (r, c, cell) in range.used_cells() {
            let Data::String(t) = cell else { continue };
            let width = column_width(&xml, c);
            // Header rows: the first of every sheet but Summary, and Summary's by-year table.
            let year = Data::String("Year".into());
            let header = if name == "Summary" {
                r > 0 && range.get((r, 0)) == Some(&year)
            } else {
                r == 0
            };
            if header {
                for word in t.split(' ') {
                    assert!(
                        fits(word, width),
                        "{name} header {t:?}: {word:?} in {width}"
                    );
                }
                // Wrapped between words, the header's lines fit the row's height (15 points a
                // line of Calibri 11).
                let per_line = (width / 1.1).floor() as usize;
                let mut lines = 1;
                let mut used = 0;
                for word in t.split(' ').map(|w| w.chars().count()) {
                    if used > 0 && used + 1 + word > per_line {
                        lines += 1;
                        used = word;
                    } else {
                        used += word + usize::from(used > 0);
                    }
                }
                let height = row_height(&xml, r);
                let what = format!("{name} header {t:?}: {lines} lines in {height} points");
                assert!(height >= 15.0 * lines as f64, "{what}");
            } else if c == 0 && matches!(name.as_str(), "Summary" | "Costs by year") && r >= 3 {
                assert!(fits(t, width), "{name} row {r}: {t:?} in width {width}");
            } else if !fits(t, width) {
                // Any other text shows whole: it fits, or runs on into an empty cell.
                let next = range.get((r, c + 1));
                assert!(
                    next.is_none_or(|d| *d == Data::Empty),
                    "{name} ({r}, {c}): {t:?} in width {width} is cut off by {next:?}"
                );
            }
        }
    }
}

/// Height in points of row `r` (0-based) in a sheet's XML (15 when unset).
fn row_height(sheet: &str, r: usize) -> f64 {
    let Some(at) = sheet.find(&format!("<row r=\"{}\"", r + 1)) else {
        return 15.0;
    };
    let row = &sheet[at..at + sheet[at..].find('>').unwrap()];
    row.split("ht=\"")
        .nth(1)
        .map_or(15.0, |h| h[..h.find('"').unwrap()].parse().unwrap())
}

/// The text of one part of an xlsx file.
fn xlsx_part(xlsx: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut f = z.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
    let mut s = String::new();
    std::io::Read::read_to_string(&mut f, &mut s).unwrap();
    s
}

/// Every sheet prints A4 landscape, fitted to one page wide, with a print area; every data
/// sheet repeats its header row; the Summary and Costs by year sheets fit on one page each.
/// LibreOffice prints the Summary and Costs by year sheets to one PDF page each.
#[test]
fn the_workbook_prints_as_finance_reads_it() {
    let out = plan_demo("csv,xlsx", &[]);
    let xlsx = out.path().join("plan.xlsx");
    sheet_holds_the_csv(&xlsx, "DSG grid", &out.path().join("dsg_grid.csv"));
    sheet_holds_the_csv(&xlsx, "SCAP SEND", &out.path().join("scap_send.csv"));
    let book = xlsx_part(&xlsx, "xl/workbook.xml");
    let names: Vec<&str> = book
        .split("<sheet name=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(names.len(), 8, "{names:?}");
    for (i, name) in names.iter().enumerate() {
        let sheet = xlsx_part(&xlsx, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{name}");
        assert!(sheet.contains("paperSize=\"9\""), "{name}: not A4");
        assert!(sheet.contains("orientation=\"landscape\""), "{name}");
        let setup = &sheet[sheet.find("<pageSetup ").expect("a page setup")..];
        let setup = &setup[..setup.find("/>").unwrap()];
        // One page wide (fitToWidth defaults to 1); as many pages tall as it takes, except the
        // two one-page sheets (fitToHeight defaults to 1).
        assert!(!setup.contains("fitToWidth"), "{name}: {setup}");
        let one_page = matches!(*name, "Summary" | "Costs by year");
        assert_eq!(
            !setup.contains("fitToHeight=\"0\""),
            one_page,
            "{name}: {setup}"
        );
        assert!(
            sheet.contains("<oddFooter>&amp;L&amp;A&amp;RPage &amp;P of &amp;N</oddFooter>"),
            "{name}: the footer holds the sheet name and the page number"
        );
        let id = format!("localSheetId=\"{i}\"");
        let area = book
            .split("<definedName ")
            .any(|d| d.contains("_xlnm.Print_Area") && d.contains(&id));
        assert!(area, "{name} has no print area");
        let titles = book
            .split("<definedName ")
            .any(|d| d.contains("_xlnm.Print_Titles") && d.contains(&id));
        assert_eq!(titles, *name != "Summary", "{name}: header rows repeated");
        let filter = book
            .split("<definedName ")
            .any(|d| d.contains("_xlnm._FilterDatabase") && d.contains(&id));
        assert_eq!(filter, !one_page, "{name}: autofilter");
    }
    labels_fit_their_columns(&xlsx);
    if !office::available() {
        return;
    }
    for sheet in ["Summary", "Costs by year"] {
        let one = out.path().join(format!("{}.xlsx", sheet.replace(' ', "_")));
        office::only_sheet(&xlsx, &one, sheet);
        let pdf = office::to_pdf(out.path(), &one);
        assert_eq!(
            office::pages(&pdf),
            1,
            "{sheet} prints to more than one page"
        );
    }
}
