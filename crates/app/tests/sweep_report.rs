//! The sweep report of a small real sweep of the demo borough: two capital budgets and one
//! infeasible variant. Checks the page's content and determinism, then renders it in headless
//! Chromium (it renders, its charts have data, no console errors, a screenshot is taken).
//!
//! Chromium is Debian's `chromium` package; `.ci/run` installs it. Outside CI a machine without
//! it skips the browser part loudly; in CI (env `CI` set) a missing browser fails the test.
//! The report and screenshot are left in `target/tmp/sweep_report/` to look at.

use std::path::{Path, PathBuf};

use placeplan_app::sweep::{read_sweep, run_sweep};
use placeplan_io::scenario::load_scenario;
use placeplan_report::html::escape;
use placeplan_report::sweep_report::sweep_report;
use placeplan_report::sweep_table::pareto;

#[path = "../../../tests/support/browser.rs"]
mod browser;

/// A fresh directory under cargo's test tmp dir, kept after the test for inspection.
fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep_report");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The part of `html` from `data-chart="{chart}"` to the end of its figure.
fn figure<'a>(html: &'a str, chart: &str) -> &'a str {
    let start = html
        .find(&format!("data-chart=\"{chart}\""))
        .unwrap_or_else(|| panic!("no {chart} chart"));
    let end = html[start..].find("</figure>").expect("figure closes") + start;
    &html[start..end]
}

#[test]
fn sweep_report_compares_variants_and_renders_in_chromium() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/demo")
        .canonicalize()
        .unwrap();
    let base = load_scenario(&demo).expect("demo scenario loads");
    let dir = out_dir();
    let sweep_toml = dir.join("sweep.toml");
    std::fs::write(
        &sweep_toml,
        format!(
            "base = {}\nbaselines = false\n\n[axes]\ncapital_budget = [1000000.0, 4000000.0]\n\n\
             [[variants]]\nname = \"no-out-of-area\"\n\"solver.allow_out_of_area\" = false\n\
             \"journey.secondary\" = 6.0\n",
            toml::Value::String(demo.display().to_string())
        ),
    )
    .unwrap();
    let spec = read_sweep(&sweep_toml).expect("sweep file reads");
    assert_eq!(spec.variants.len(), 3);
    let results = run_sweep(&base, &spec, &dir.join("out"), 1, &|_| {}).expect("sweep runs");
    assert_eq!(
        results.iter().filter(|r| r.outcome.is_ok()).count(),
        2,
        "both budgets plan"
    );
    let reason = results[2]
        .outcome
        .as_ref()
        .expect_err("the strict variant is infeasible");
    assert!(reason.starts_with("E505 no feasible plan"), "{reason}");
    let points = pareto(&results);

    let title = "Demo Borough: sweep <test> & \"budgets\"";
    let bytes = sweep_report(title, &results, &points);
    assert_eq!(
        bytes,
        sweep_report(title, &results, &points),
        "report bytes differ"
    );
    let html = String::from_utf8(bytes).unwrap();
    assert!(html.contains(&escape(title)));
    for r in &results {
        assert!(html.contains(&r.spec.name), "{} is missing", r.spec.name);
    }
    for line in reason.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(
            html.contains(&escape(line)),
            "the reason line {line:?} is missing"
        );
    }
    let pareto_fig = figure(&html, "pareto");
    let drawn = pareto_fig.matches("class=\"datum point\"").count();
    assert!(drawn >= 2, "the Pareto chart drew {drawn} points");
    assert!(pareto_fig.contains("<polyline class=\"frontier\""));
    let npv_fig = figure(&html, "npv");
    assert_eq!(npv_fig.matches("class=\"datum bar\"").count(), 2);
    assert!(npv_fig.contains("no plan: infeasible"));
    // The capital level: both budgets on one line, the named variant left out (it keeps the
    // base scenario's budget).
    let capital_fig = figure(&html, "capital");
    assert_eq!(capital_fig.matches("class=\"datum point\"").count(), 2);
    assert_eq!(capital_fig.matches("class=\"minimum\"").count(), 1);
    assert!(html.contains(
        "Not in this section, as they keep the base scenario's capital budget: \
         <strong>no-out-of-area</strong>."
    ));
    // The cheapest row is highlighted, and there is exactly one.
    assert_eq!(html.matches("<tr class=\"best\"").count(), 1);
    // Self-contained and script-free; inline SVG needs no namespace URL, so no "http" at all.
    assert!(!html.contains("<script"), "a script in the page");
    assert!(!html.contains("http"), "a URL in the page");
    assert!(!html.contains("<test>"), "the title is not escaped");

    let page = dir.join("report.html");
    std::fs::write(&page, &html).unwrap();
    let Some((dom, log)) = browser::render(&dir, &page) else {
        return;
    };
    for chart in ["pareto", "npv", "capital"] {
        let fig = figure(&dom, chart);
        let marks = fig.matches("class=\"datum").count();
        assert!(marks >= 2, "{chart} chart drew {marks} data marks");
        assert!(fig.contains("<title"), "{chart} has no title");
    }
    // The page has no scripts, so any console message at all is a fault.
    let console = browser::console_errors(&log);
    assert!(
        console.is_empty(),
        "console errors:\n{}",
        console.join("\n")
    );
    eprintln!("screenshot: {}", dir.join("report.png").display());
}
