//! `report.html` for a sweep: one self-contained page (no scripts, no network) with the
//! headline of the sweep, a comparison table of every variant, the capital vs running-cost
//! Pareto chart, an NPV-by-variant bar chart and, when the sweep varies the capital budget, NPV
//! against the total capital budget with what each extra £1m buys. It is built from [`Section`]s and wrapped by
//! [`crate::html::render`], so it looks like the single-run report.
//!
//! Every chart is a `<figure class="chart" data-chart="...">` whose drawn data marks carry
//! `class="datum"`, with a `<title>` tooltip on each mark and a data table beside it. All text
//! from the sweep file or the solver is escaped. The same results give the same bytes.
//!
//! The files: `rows` (each variant as the report shows it: its figures, its name and failure
//! reason as text), `colours`, `plot` (the frame of the scatter charts), and one module per section (`headline`, `table`, `pareto`,
//! `npv`, `capital`). The page shell and the chart kit are the plan report's (`crate::html`).

mod capital;
mod colours;
mod headline;
mod npv;
mod pareto;
mod plot;
mod rows;
mod table;

use crate::html::page::{render, Section};
use crate::sweep_capital::capital_levels;
use crate::sweep_table::{ParetoPoint, VariantResult};
use rows::{extreme, Row};

/// The sweep report, as UTF-8 HTML.
pub fn sweep_report(title: &str, results: &[VariantResult], points: &[ParetoPoint]) -> Vec<u8> {
    render(title, &sections(results, points))
}

/// The sweep's sections, in page order: headline, comparison table, Pareto chart, NPV chart,
/// and the capital levels when the sweep varies the capital budget.
pub fn sections(results: &[VariantResult], points: &[ParetoPoint]) -> Vec<Section> {
    let rows: Vec<Row> = results.iter().map(Row::of).collect();
    let cheapest = extreme(&rows, |a, b| a < b);
    let dearest = extreme(&rows, |a, b| a > b);
    let mut sections = vec![
        headline::headline_section(&rows, cheapest, dearest),
        table::table_section(&rows, cheapest),
        pareto::pareto_section(&rows, points, cheapest),
        npv::npv_section(&rows, cheapest),
    ];
    if let Some(levels) = capital_levels(results) {
        sections.push(capital::capital_section(&levels));
    }
    sections
}
