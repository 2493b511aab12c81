//! The Pareto chart: capital spend against revenue and transport cost, one colour per group
//! of variants that differ only in their capital budget, with each group's frontier.

use std::fmt::Write as _;

use super::colours::{group_label, GOOD, GROUP_COLOURS, MUTED};
use super::plot::Frame;
use super::rows::{horizon_label, truncate_middle, Row, NAME_CHARS};
use crate::html::charts::{inline_svg_open, key, key_styled};
use crate::html::format::{money, money_m, px};
use crate::html::page::{escape, Section};
use crate::sweep_table::ParetoPoint;

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
    let frame = Frame::new(470.0, points.iter().map(|p| (p.capital, p.running)));
    let (w, hgt, l) = (frame.w, frame.hgt, frame.l);
    let x = |v: f64| frame.x(v);
    let y = |v: f64| frame.y(v);

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
    let horizon = horizon.to_lowercase();
    frame.axes(
        &mut o,
        &format!("Capital spend over the {horizon} horizon (new places and base set-up)"),
        &format!("Revenue and transport, {horizon} total"),
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
        let line: Vec<(f64, f64)> = f.iter().map(|p| (p.capital, p.running)).collect();
        frame.polyline(
            &mut o,
            &line,
            "frontier",
            colour(g),
            &format!("Frontier: {}", group_label(g)),
        );
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
            frame.point(
                &mut o,
                (p.capital, p.running),
                6.0,
                &format!("fill=\"{fill}\" stroke=\"{c}\" stroke-width=\"2\""),
                &format!(
                    "{}\n{}\ncapital {}, revenue and transport {}, NPV {}\n{kind}",
                    p.variant,
                    group_label(&p.group),
                    money_m(p.capital),
                    money_m(p.running),
                    money_m(p.npv),
                ),
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
        let ty = if cy + 24.0 > frame.bottom() - 4.0 {
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
