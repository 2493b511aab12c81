//! `report.html`: one self-contained page for committee papers. No scripts, no network: every
//! chart is inline SVG drawn here, styles are inline, fonts are the reader's system fonts.
//!
//! The page is a list of [`Section`]s: [`sections`] makes the plan's (headline numbers, demand
//! fan chart, costs, new places, map, assumptions) and [`render`] wraps any list in the page, so
//! a caller (e.g. a sweep) can add its own sections built with the same helpers.
//!
//! Every chart is a `<figure class="chart" data-chart="...">` whose drawn data marks carry
//! `class="datum"`; each SVG has a `<title>` and `<desc>` and a data table beside it for screen
//! readers. All text taken from input files is escaped with [`escape`].
//!
//! The files: `page` (the page shell: [`Section`], [`render`], [`escape`]), `format` (numbers
//! and text: pounds, places, coordinates), `charts` (the chart kit: SVG frames, ticks, grids,
//! legend keys; also used by the sweep report), and one module per section of the plan's
//! report (`headline`, `demand`, `costs`, `new_places`, `moves` (with `[solver] bring_back`),
//! `map`, `assumptions`).

mod assumptions;
pub(crate) mod charts;
mod costs;
mod demand;
pub(crate) mod format;
mod headline;
mod map;
mod moves;
mod new_places;
pub(crate) mod page;

pub use charts::nice_ticks;
pub use format::{money, places, px, thousands};
pub use page::{escape, render, Section};

use crate::run::RunOutputs;

/// The report for one plan run, as UTF-8 HTML.
pub fn report(run: &RunOutputs) -> Vec<u8> {
    let s = run.scenario;
    let title = format!("{}: SEND specialist place plan {}", s.name, year_span(run));
    render(&title, &sections(run))
}

/// The plan's sections, in page order; pupils brought back only when the scenario allows it.
pub fn sections(run: &RunOutputs) -> Vec<Section> {
    let mut out = vec![
        headline::headline_section(run),
        demand::fan_section(run),
        costs::costs_section(run),
        new_places::places_section(run),
    ];
    out.extend(moves::moves_section(run));
    out.push(map::map_section(run));
    out.push(assumptions::assumptions_section(run));
    out
}

fn year_span(run: &RunOutputs) -> String {
    match (run.plan.years.first(), run.plan.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}\u{2013}{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::fixture::Fixture;

    #[test]
    fn report_has_every_chart_with_data_and_escapes_names() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let mut s = placeplan_io::scenario::load_scenario(&dir).unwrap();
        s.forecast.runs = 20;
        s.schools[0].name = "St <Mary's> & \"Co\" <script>alert(1)</script>".into();
        s.localities[0].name = "Kelmore <b>Docks</b>".into();
        let fx = Fixture::from_scenario(s);
        let html = String::from_utf8(report(&fx.run())).unwrap();
        assert!(!html.contains("<script"), "input text must be escaped");
        assert!(!html.contains("<b>Docks"));
        assert!(html.contains("Kelmore &lt;b&gt;Docks&lt;/b&gt;"));
        for chart in ["fan", "costs", "places", "map"] {
            let start = html
                .find(&format!("data-chart=\"{chart}\""))
                .unwrap_or_else(|| panic!("no {chart} chart"));
            let end = html[start..].find("</figure>").unwrap() + start;
            let n = html[start..end].matches("class=\"datum").count();
            assert!(n >= 3, "{chart} chart has {n} data marks");
        }
        // Self-contained: no external resources.
        for bad in ["src=\"http", "href=\"http", "url(http", "@import", "<link"] {
            assert!(!html.contains(bad), "found {bad}");
        }
        assert_eq!(report(&fx.run()), report(&fx.run()));
    }
}
