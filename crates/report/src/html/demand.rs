//! The demand section: fan charts of the specialist places needed by age group, with the
//! P10 to P90 band of the simulated futures and the base-year count.

use std::fmt::Write as _;

use super::charts::{key, nice_ticks, svg_open, y_grid};
use super::format::{places, px, thousands};
use super::page::{escape, Section};
use crate::aggregate;
use crate::run::RunOutputs;
use placeplan_model::domain::AgeGroup;

const AGE_COLOURS: [&str; 6] = [
    "#8e6bbf", "#2f7fc1", "#1b9e77", "#d9822b", "#c2455e", "#1f3a5f",
];

pub(super) fn fan_section(run: &RunOutputs) -> Section {
    let s = run.scenario;
    let fc = run.forecast;
    let actual = aggregate::base_year_specialist(s);
    let base = s.base_year;
    let mut h = String::new();
    let _ = write!(
        h,
        "<p>Specialist places (resourced bases, special and independent schools) needed by \
         children and young people with EHC plans, by age group. The line is the central \
         projection the plan is built on; the shaded band holds 80% of {runs} simulated futures \
         (P10 to P90); the dot is the January {base} count from the history file.</p>",
        runs = thousands(s.forecast.runs as f64),
    );
    h.push_str("<div class=\"legend\">");
    h.push_str(&key("#9fb7d1", "P10\u{2013}P90 range"));
    h.push_str(&key("#1f3a5f", "Central projection"));
    h.push_str(&key("#444", &format!("January {base} actual")));
    h.push_str("</div>");
    let _ = write!(
        h,
        "<figure class=\"chart\" data-chart=\"fan\"><div class=\"panels\">"
    );
    let groups: Vec<(Option<AgeGroup>, String)> = AgeGroup::ALL
        .iter()
        .map(|g| (Some(*g), format!("Ages {} ({})", g.label(), phase_name(*g))))
        .chain([(None, "All ages 0\u{2013}25".to_string())])
        .collect();
    let mut table = String::new();
    let _ = write!(
        table,
        "<table><thead><tr><th class=\"text\">Age group</th><th>Year</th><th>Central</th><th>P10</th><th>P50</th><th>P90</th></tr></thead><tbody>"
    );
    for (i, (g, name)) in groups.iter().enumerate() {
        let mut pts: Vec<(i32, f64, f64, f64)> = fc
            .totals
            .iter()
            .filter(|t| t.age_group == *g)
            .map(|t| {
                (
                    t.year,
                    t.specialist.central,
                    t.specialist.p10,
                    t.specialist.p90,
                )
            })
            .collect();
        pts.sort_by_key(|p| p.0);
        for t in fc.totals.iter().filter(|t| t.age_group == *g) {
            let _ = write!(
                table,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                t.year,
                places(t.specialist.central),
                places(t.specialist.p10),
                places(t.specialist.p50),
                places(t.specialist.p90)
            );
        }
        h.push_str(&fan_panel(
            &format!("fan-{i}"),
            name,
            base,
            actual[i],
            &pts,
            AGE_COLOURS[i],
        ));
    }
    table.push_str("</tbody></table>");
    let _ = write!(
        h,
        "</div><figcaption>Figure 1. Specialist places needed by age group, {} forecast, with \
         the P10\u{2013}P90 uncertainty band.</figcaption></figure>\
         <details><summary>Data table: specialist places by age group and year</summary>{table}</details>",
        escape(fc.variant.code())
    );
    Section {
        id: "demand".into(),
        title: "Demand for specialist places".into(),
        html: h,
    }
}

fn phase_name(g: AgeGroup) -> &'static str {
    match g {
        AgeGroup::A0to4 => "early years",
        AgeGroup::A5to10 => "primary",
        AgeGroup::A11to15 => "secondary",
        AgeGroup::A16to19 => "post-16",
        AgeGroup::A20to25 => "post-19",
    }
}

/// One small fan chart: the base-year actual, then (year, central, p10, p90).
fn fan_panel(
    id: &str,
    title: &str,
    base: i32,
    actual: f64,
    pts: &[(i32, f64, f64, f64)],
    colour: &str,
) -> String {
    let (w, h) = (360.0, 236.0);
    let (l, r, t, b) = (52.0, 14.0, 30.0, 38.0);
    let (pw, ph) = (w - l - r, h - t - b);
    let last = pts.last().map_or(base + 1, |p| p.0);
    let maxv = pts.iter().map(|p| p.3.max(p.1)).fold(actual, f64::max);
    let ticks = nice_ticks(maxv * 1.05, 4);
    let top = ticks.last().copied().unwrap_or(1.0);
    let span = (last - base).max(1) as f64;
    let x = |y: i32| l + (y - base) as f64 / span * pw;
    let y = |v: f64| t + ph - v / top * ph;
    let desc = format!(
        "January {base} actual {}; {}",
        places(actual),
        pts.iter()
            .map(|p| format!(
                "{}: central {}, P10 {}, P90 {}",
                p.0,
                places(p.1),
                places(p.2),
                places(p.3)
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut o = svg_open(
        id,
        w,
        h,
        &format!("{title}: specialist places needed"),
        &desc,
    );
    let _ = write!(
        o,
        "<text x=\"{}\" y=\"18\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2733\">{}</text>",
        px(l),
        escape(title)
    );
    y_grid(&mut o, &ticks, l, w - r, y, thousands);
    // x axis: every year.
    for yr in base..=last {
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"10.5\" text-anchor=\"middle\" fill=\"#5b6675\">{yr}</text>",
            px(x(yr)),
            px(t + ph + 15.0)
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6675\">January census year</text>\
         <text transform=\"translate(13 {}) rotate(-90)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6675\">Specialist places</text>",
        px(t + ph),
        px(w - r),
        px(t + ph),
        px(l + pw / 2.0),
        px(h - 5.0),
        px(t + ph / 2.0)
    );
    if !pts.is_empty() {
        // Band from the actual (zero width) through P90 forward and P10 back.
        let mut d = format!("M{} {}", px(x(base)), px(y(actual)));
        for p in pts {
            let _ = write!(d, " L{} {}", px(x(p.0)), px(y(p.3)));
        }
        for p in pts.iter().rev() {
            let _ = write!(d, " L{} {}", px(x(p.0)), px(y(p.2)));
        }
        d.push_str(" Z");
        let _ = write!(
            o,
            "<path class=\"datum band\" d=\"{d}\" fill=\"{colour}\" fill-opacity=\"0.25\" stroke=\"{colour}\" stroke-opacity=\"0.4\" stroke-width=\"0.8\"><title>P10\u{2013}P90 range</title></path>"
        );
        let mut line = format!("{},{}", px(x(base)), px(y(actual)));
        for p in pts {
            let _ = write!(line, " {},{}", px(x(p.0)), px(y(p.1)));
        }
        let _ = write!(
            o,
            "<polyline class=\"datum central\" points=\"{line}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.4\" stroke-linejoin=\"round\"/>"
        );
        for p in pts {
            let _ = write!(
                o,
                "<circle class=\"datum\" cx=\"{}\" cy=\"{}\" r=\"2.6\" fill=\"{colour}\"><title>{}: {} (P10 {}, P90 {})</title></circle>",
                px(x(p.0)),
                px(y(p.1)),
                p.0,
                places(p.1),
                places(p.2),
                places(p.3)
            );
        }
        if let Some(p) = pts.last() {
            let _ = write!(
                o,
                "<text x=\"{}\" y=\"{}\" font-size=\"11\" font-weight=\"600\" text-anchor=\"end\" fill=\"{colour}\">{}</text>",
                px(x(p.0) - 4.0),
                px(y(p.3) - 6.0),
                thousands(p.1)
            );
        }
    }
    let _ = write!(
        o,
        "<circle class=\"datum actual\" cx=\"{}\" cy=\"{}\" r=\"3.6\" fill=\"#444\"><title>January {base} actual: {}</title></circle>",
        px(x(base)),
        px(y(actual)),
        places(actual)
    );
    o.push_str("</svg>");
    format!("<div>{o}</div>")
}
