//! The exports of a real plan of the demo borough: the XLSX workbook read back with calamine
//! (its totals reconcile with the costing and with costs.csv), and the HTML report rendered in
//! headless Chromium (it renders, every chart has data, no console errors, a screenshot is
//! taken).
//!
//! Chromium is Debian's `chromium` package; `.ci/run` installs it. Outside CI a machine without
//! it skips the browser part loudly; in CI (env `CI` set) a missing browser fails the test.
//! The report, workbook and screenshot are left in `target/tmp/report_browser/` to look at.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use placeplan_io::scenario::load_scenario;
use placeplan_model::check;
use placeplan_model::finance::{cost_plan, CostLine, Costing};
use placeplan_model::forecast::{forecast, Demand, Forecast};
use placeplan_model::plan::Plan;
use placeplan_model::summary::Summary;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;
use placeplan_report::export::{self, RunOutputs};
use placeplan_report::{geojson, html, xlsx};
use placeplan_solver::{baseline, solve, Backend, Options};

#[path = "support/browser.rs"]
mod browser;

/// Everything `placeplan plan` computes for the demo borough, owned.
struct Run {
    s: Scenario,
    travel: TravelMatrix,
    fc: Forecast,
    demand: Demand,
    plan: Plan,
    costing: Costing,
    summary: Summary,
    dn: Option<(Plan, Costing)>,
}

impl Run {
    /// The same steps as the CLI's `plan`.
    fn demo() -> Run {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let s = load_scenario(&dir).expect("demo scenario loads");
        let fc = forecast(&s);
        let demand = fc.specialist_demand(s.localities.len());
        let travel = TravelMatrix::build(&s);
        let backend = Backend::Microlp;
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).expect("solves");
        let report = check(&s, &travel, &demand, &plan);
        assert!(report.passed(), "{:?}", report.violations);
        let costing = cost_plan(&s, &travel, &demand, &plan);
        let mut summary = Summary::new(&s, &demand, &plan, &costing, report.checked, fc.trend);
        let dn = baseline::do_nothing(&s, &travel, &demand, backend).expect("do nothing solves");
        assert!(check(&s, &travel, &demand, &dn).passed());
        let dn_costing = cost_plan(&s, &travel, &demand, &dn);
        summary = summary.with_do_nothing(&costing, &dn_costing);
        Run {
            s,
            travel,
            fc,
            demand,
            plan,
            costing,
            summary,
            dn: Some((dn, dn_costing)),
        }
    }

    fn outputs(&self) -> RunOutputs<'_> {
        RunOutputs {
            scenario: &self.s,
            travel: &self.travel,
            forecast: &self.fc,
            demand: &self.demand,
            plan: &self.plan,
            costing: &self.costing,
            summary: &self.summary,
            do_nothing: self.dn.as_ref().map(|(p, c)| (p, c)),
            unmitigated: None,
        }
    }
}

/// A fresh directory under cargo's test tmp dir, kept after the test for inspection.
fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_browser");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn float(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The `total` row of costs.csv as (column name, value).
fn costs_csv_totals(csv: &[u8]) -> Vec<(String, f64)> {
    let t = String::from_utf8(csv.to_vec()).unwrap();
    let mut lines = t.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let total = lines.find(|l| l.starts_with("total,")).unwrap();
    header
        .iter()
        .zip(total.split(','))
        .skip(1)
        .filter(|(_, v)| !v.is_empty())
        .map(|(h, v)| (h.to_string(), v.parse().unwrap()))
        .collect()
}

#[test]
fn workbook_totals_reconcile_with_costs_csv_and_report_renders_in_chromium() {
    let run = Run::demo();
    let out = run.outputs();
    let dir = out_dir();

    // ---- workbook, read back
    let bytes = xlsx::workbook(&out).expect("workbook builds");
    assert_eq!(
        bytes,
        xlsx::workbook(&out).unwrap(),
        "workbook bytes differ"
    );
    std::fs::write(dir.join("plan.xlsx"), &bytes).unwrap();
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx opens");
    assert_eq!(wb.sheet_names(), xlsx::SHEETS.map(String::from).to_vec());
    let costs = wb.worksheet_range("Costs by year").expect("Costs by year");
    let rows: Vec<&[Data]> = costs.rows().collect();
    let header: Vec<String> = rows[0].iter().map(text).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let total_row = rows
        .iter()
        .find(|r| text(&r[0]) == "Total")
        .expect("a Total row");
    let got = |c: usize| float(&total_row[c]).expect("a number in the totals row");
    let close = |a: f64, b: f64, what: &str| {
        assert!((a - b).abs() <= 0.01, "{what}: workbook {a} vs {b}");
    };
    close(got(col("Total")), out.costing.total, "total");
    close(got(col("Discounted (NPV)")), out.costing.npv, "NPV");
    for l in CostLine::ALL {
        close(
            got(col(xlsx::cost_line_label(l))),
            out.costing.line_total(l),
            l.code(),
        );
    }
    // Same figures as costs.csv's total row (pence there).
    let csv = costs_csv_totals(&export::costs_csv(out.costing));
    for (name, v) in &csv {
        let c = match name.as_str() {
            "total" => col("Total"),
            "discounted" => col("Discounted (NPV)"),
            code => {
                let l = CostLine::ALL.iter().find(|l| l.code() == code).unwrap();
                col(xlsx::cost_line_label(*l))
            }
        };
        close(got(c), *v, name);
    }
    // Year rows hold real numbers that add up to the totals row.
    let year_rows: Vec<&&[Data]> = rows[1..]
        .iter()
        .take_while(|r| float(&r[0]).is_some())
        .collect();
    assert_eq!(year_rows.len(), out.costing.years.len());
    let sum: f64 = year_rows
        .iter()
        .map(|r| float(&r[col("Total")]).unwrap())
        .sum();
    close(sum, out.costing.total, "sum of year totals");
    // New places sheet: the places add up to the plan's.
    let np = wb.worksheet_range("New places").unwrap();
    let np_rows: Vec<&[Data]> = np.rows().collect();
    let np_total = np_rows.iter().find(|r| text(&r[0]) == "Total").unwrap();
    close(
        float(&np_total[6]).unwrap(),
        out.plan.new_places(),
        "new places",
    );
    // Assumptions: the discount rate is a number, not text.
    let a = wb.worksheet_range("Assumptions").unwrap();
    let rate = a
        .rows()
        .find(|r| text(&r[1]) == "discount_rate")
        .expect("discount_rate row");
    assert_eq!(float(&rate[2]), Some(out.scenario.discount_rate));

    // ---- GeoJSON
    let gj = geojson::geojson(&out);
    std::fs::write(dir.join("plan.geojson"), &gj).unwrap();

    // ---- HTML in Chromium
    let report = html::report(&out);
    assert_eq!(report, html::report(&out), "report bytes differ");
    let page = dir.join("report.html");
    std::fs::write(&page, &report).unwrap();
    let Some((dom, log)) = browser::render(&dir, &page) else {
        return;
    };
    for chart in ["fan", "costs", "places", "map"] {
        let start = dom
            .find(&format!("data-chart=\"{chart}\""))
            .unwrap_or_else(|| panic!("the rendered page has no {chart} chart"));
        let end = dom[start..].find("</figure>").expect("figure closes") + start;
        let marks = dom[start..end].matches("class=\"datum").count();
        assert!(marks >= 5, "{chart} chart drew {marks} data marks");
        assert!(dom[start..end].contains("<title"), "{chart} has no title");
    }
    // The page has no scripts, so any console message at all (Chromium logs console.error and
    // uncaught exceptions as `INFO:CONSOLE` lines) is a fault.
    let console = browser::console_errors(&log);
    assert!(
        console.is_empty(),
        "console errors:\n{}",
        console.join("\n")
    );
    eprintln!("screenshot: {}", dir.join("report.png").display());
}
