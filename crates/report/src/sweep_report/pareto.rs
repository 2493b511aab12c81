//! The Pareto chart: capital spend against revenue and transport cost, one colour per group
//! of variants that differ only in their capital budget, with each group's frontier.

use std::fmt::Write as _;

use super::colours::{GOOD, MUTED};
use super::rows::{horizon_label, truncate_middle, Row, NAME_CHARS};
use crate::html::charts::{
    inline_svg_open, key, key_styled, nice_ticks, range_ticks, tick_labeller, x_grid, y_grid,
};
use crate::html::format::{money, money_m, px};
use crate::html::page::{escape, Section};
use crate::sweep_table::ParetoPoint;

/// Colours for groups (Tableau 10), cycled when there are more groups.
const GROUP_COLOURS: [&str; 10] = [
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
    "#ff9da7", "#bab0ac",
];

/// A group's name for people: its settings, or the base scenario's when it has none.
fn group_label(group: &str) -> String {
    if group.is_empty() {
        "Base scenario settings".into()
    } else {
        group.replace(' ', ", ").replace('=', " = ")
    }
}

pub(super) fn pareto_section(
    rows: &[Row],
    points: &[ParetoPoint],
    cheapest: Option<usize>,
) -> Section {
    let horizon = horizon_label(rows);
    let cheapest_name = cheapest.map(|i| rows[i].name);
    let mut groups: Vec<&str> = Vec::new();
    for p in points {
        if !groups.contains(&p.group.as_str()) {
            groups.push(&p.group);
        }
    }
    let colour = |g: &str| {
        let i = groups.iter().position(|x| *x == g).unwrap_or(0);
        GROUP_COLOURS[i % GROUP_COLOURS.len()]
    };
    let mut h = format!(
        "<p>Each point is a variant that produced a plan: what it spends on capital (new places \
         and base set-up) against what it then spends on revenue (placements) and transport over \
         the {} horizon. Variants that differ only in their capital budget form a group, drawn \
         in one colour; filled points joined by a line are the group's frontier (no variant of \
         the group spends less on one without spending more on the other), hollow points are \
         beaten by another of the group. Down and to the left is better.</p>",
        escape(&horizon.to_lowercase())
    );
    h.push_str("<div class=\"legend\">");
    for g in &groups {
        h.push_str(&key(colour(g), &group_label(g)));
    }
    h.push_str(&key_styled(
        "background:#5b6675;border-radius:50%",
        "On the group's frontier",
    ));
    h.push_str(&key_styled(
        "background:#fff;border:2px solid #5b6675;border-radius:50%",
        "Beaten by another variant of the group",
    ));
    if cheapest_name.is_some() {
        h.push_str(&key_styled(
            &format!(
                "background:#fff;border:2px solid {GOOD};border-radius:50%;width:14px;height:14px"
            ),
            "Cheapest by NPV",
        ));
    }
    h.push_str("</div><figure class=\"chart\" data-chart=\"pareto\">");
    if points.is_empty() {
        h.push_str(
            "<p class=\"note\">No variant produced a plan, so there is nothing to plot.</p>",
        );
    } else {
        let budget = |variant: &str| {
            let row = rows.iter().find(|r| r.name == variant)?;
            let (_, v) = row.settings.iter().find(|(k, _)| k == "capital_budget")?;
            let v = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
            Some(format!("{} a year", money(v)))
        };
        h.push_str(&pareto_svg(
            points,
            &groups,
            &colour,
            &budget,
            cheapest_name,
            &horizon,
        ));
    }
    let _ = write!(
        h,
        "<figcaption>Figure 1. Capital spend against revenue and transport cost ({} totals, \
         undiscounted), one colour per group of variants.</figcaption></figure>",
        escape(&horizon.to_lowercase())
    );
    h.push_str(
        "<details><summary>Data table: capital and running cost of every planned variant</summary>\
         <table><thead><tr><th class=\"text\">Group</th><th class=\"text\">Variant</th>\
         <th>Capital</th><th>Revenue and transport</th><th>NPV</th><th class=\"text\">Frontier</th>\
         </tr></thead><tbody>",
    );
    for p in points {
        let _ = write!(
            h,
            "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"text\">{}</td></tr>",
            escape(&group_label(&p.group)),
            escape(&p.variant),
            money_m(p.capital),
            money_m(p.running),
            money_m(p.npv),
            if p.on_frontier { "yes" } else { "no" }
        );
    }
    h.push_str("</tbody></table></details>");
    Section {
        id: "sweep-pareto".into(),
        title: "Capital against running cost".into(),
        html: h,
    }
}

fn pareto_svg(
    points: &[ParetoPoint],
    groups: &[&str],
    colour: &dyn Fn(&str) -> &'static str,
    budget: &dyn Fn(&str) -> Option<String>,
    cheapest: Option<&str>,
    horizon: &str,
) -> String {
    let (w, hgt) = (1100.0, 470.0);
    let (l, r, t, b) = (86.0, 28.0, 20.0, 58.0);
    let (pw, ph) = (w - l - r, hgt - t - b);
    let max_cap = points.iter().map(|p| p.capital).fold(0.0, f64::max);
    let xt = nice_ticks(max_cap * 1.06, 8);
    let x_top = xt.last().copied().unwrap_or(1.0);
    let lo = points
        .iter()
        .map(|p| p.running)
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.running)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = (hi - lo) * 0.06;
    let yt = range_ticks(lo - pad, hi + pad, 5);
    let (y_lo, y_hi) = (yt[0], yt[yt.len() - 1]);
    let x = |v: f64| l + v / x_top * pw;
    let y = |v: f64| t + ph - (v - y_lo) / (y_hi - y_lo) * ph;
    let xl = tick_labeller(&xt);
    let yl = tick_labeller(&yt);

    let desc = points
        .iter()
        .map(|p| {
            format!(
                "{}: capital {}, revenue and transport {}{}",
                p.variant,
                money(p.capital),
                money(p.running),
                if p.on_frontier {
                    ", on its group's frontier"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = inline_svg_open(
        "pareto",
        w,
        hgt,
        "Capital spend against revenue and transport cost by variant",
        &desc,
    );
    // Grid and axes.
    y_grid(&mut o, &yt, l, w - r, y, &yl);
    x_grid(&mut o, &xt, t, t + ph, "#eef1f4", x, &xl);
    let _ = write!(
        o,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">Capital spend over the {} horizon (new places and base set-up)</text>\
         <text transform=\"translate(16 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">Revenue and transport, {} total</text>",
        px(l),
        px(t + ph),
        px(w - r),
        px(t + ph),
        px(l),
        px(t),
        px(l),
        px(t + ph),
        px(l + pw / 2.0),
        px(hgt - 12.0),
        escape(&horizon.to_lowercase()),
        px(t + ph / 2.0),
        escape(&horizon.to_lowercase()),
    );
    // Frontier lines, one per group, by capital.
    for g in groups {
        let mut f: Vec<&ParetoPoint> = points
            .iter()
            .filter(|p| p.group == *g && p.on_frontier)
            .collect();
        f.sort_by(|a, b| {
            a.capital
                .total_cmp(&b.capital)
                .then(a.running.total_cmp(&b.running))
        });
        if f.len() >= 2 {
            let line: Vec<String> = f
                .iter()
                .map(|p| format!("{},{}", px(x(p.capital)), px(y(p.running))))
                .collect();
            let _ = write!(
                o,
                "<polyline class=\"frontier\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.2\" stroke-linejoin=\"round\" stroke-opacity=\"0.85\"><title>Frontier: {}</title></polyline>",
                line.join(" "),
                colour(g),
                escape(&group_label(g))
            );
        }
    }
    // Beaten points first, then frontier points on top.
    for frontier in [false, true] {
        for p in points.iter().filter(|p| p.on_frontier == frontier) {
            let c = colour(&p.group);
            let (fill, kind) = if frontier {
                (c, "on its group's frontier")
            } else {
                ("#fff", "beaten by another variant of its group")
            };
            let _ = write!(
                o,
                "<circle class=\"datum point\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{fill}\" stroke=\"{c}\" stroke-width=\"2\"><title>{}\n{}\ncapital {}, revenue and transport {}, NPV {}\n{kind}</title></circle>",
                px(x(p.capital)),
                px(y(p.running)),
                escape(&p.variant),
                escape(&group_label(&p.group)),
                escape(&money_m(p.capital)),
                escape(&money_m(p.running)),
                escape(&money_m(p.npv)),
            );
        }
    }
    // Each point's capital budget, above and to the right.
    for p in points {
        if let Some(label) = budget(&p.variant) {
            let _ = write!(
                o,
                "<text x=\"{}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                px(x(p.capital) + 9.0),
                px(y(p.running) - 9.0),
                escape(&label)
            );
        }
    }
    // The cheapest variant by NPV: a ring and its name, below and to the left, where a group's
    // frontier has no points of its own.
    if let Some(p) = cheapest.and_then(|n| points.iter().find(|p| p.variant == n)) {
        let (cx, cy) = (x(p.capital), y(p.running));
        let text = format!(
            "Cheapest NPV: {} ({})",
            truncate_middle(&p.variant, NAME_CHARS),
            money(p.npv)
        );
        let width = text.chars().count() as f64 * 6.6;
        let left = cx - 15.0 - width >= l + 4.0;
        let ty = if cy + 24.0 > t + ph - 4.0 {
            cy - 16.0
        } else {
            cy + 24.0
        };
        let _ = write!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"11\" fill=\"none\" stroke=\"{GOOD}\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" text-anchor=\"{}\" fill=\"{GOOD}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            px(cx),
            px(cy),
            px(if left { cx - 10.0 } else { cx + 10.0 }),
            px(ty),
            if left { "end" } else { "start" },
            escape(&text),
        );
    }
    o.push_str("</svg>");
    o
}
