//! The costs section: stacked bars of cost by year and line against doing nothing, and the
//! cost table.

use std::fmt::Write as _;

use super::charts::{key, nice_ticks, svg_open, y_grid};
use super::format::{money, money_m, px};
use super::page::{escape, Section};
use crate::labels::cost_line_label;
use crate::run::RunOutputs;
use placeplan_model::finance::{CostLine, Costing};

fn cost_colour(l: CostLine) -> &'static str {
    match l {
        CostLine::ResourcedBase => "#4e79a7",
        CostLine::NewBase => "#59a14f",
        CostLine::Special => "#76b7b2",
        CostLine::IndependentLocal => "#edc948",
        CostLine::Post16 => "#b07aa1",
        CostLine::OutOfArea => "#e15759",
        CostLine::OtherAuthority => "#ff9da7",
        CostLine::Transport => "#f28e2b",
        CostLine::Capital => "#9c755f",
        CostLine::BaseSetup => "#bab0ac",
        CostLine::Moves => "#d4a6c8",
        CostLine::ResidualValue => "#8cd17d",
    }
}

pub(super) fn costs_section(run: &RunOutputs) -> Section {
    let c = run.costing;
    let dn = run.do_nothing.map(|(_, d)| d);
    let lines: Vec<CostLine> = CostLine::ALL
        .iter()
        .copied()
        .filter(|l| *l != CostLine::ResidualValue)
        .filter(|l| c.years.iter().any(|y| y.lines[l.index()].abs() > 0.5))
        .collect();
    let residual = -c.line_total(CostLine::ResidualValue);
    let mut h = String::new();
    h.push_str(
        "<p>Cost of the plan by year and line: revenue for each kind of place, home-to-school \
         transport, and capital in the year new places are funded. The dashed mark shows what \
         doing nothing (no new places) would cost in the same year.</p>",
    );
    h.push_str("<div class=\"legend\">");
    for l in &lines {
        h.push_str(&key(cost_colour(*l), cost_line_label(*l)));
    }
    if dn.is_some() {
        h.push_str("<span><span class=\"key\" style=\"background:none;border-top:2px dashed #1d2733;height:0;width:16px\"></span>Do nothing, total</span>");
    }
    h.push_str("</div>");
    h.push_str("<figure class=\"chart\" data-chart=\"costs\">");
    h.push_str(&cost_bars(c, dn, &lines));
    let credit = match c.years.last() {
        Some(last) if residual > 0.5 => format!(
            " Bars show costs before the {} credited in {} for the value of new places beyond \
             the horizon; the total and NPV include it.",
            money(residual),
            last.year
        ),
        _ => String::new(),
    };
    let _ = write!(
        h,
        "<figcaption>Figure 2. Cost by year and line (undiscounted). Total over the period {}, \
         NPV {}.{}</figcaption></figure>",
        money(c.total),
        money(c.npv),
        escape(&credit)
    );
    h.push_str(&cost_table(c, dn));
    Section {
        id: "costs".into(),
        title: "Costs by year and line".into(),
        html: h,
    }
}

fn cost_bars(c: &Costing, dn: Option<&Costing>, lines: &[CostLine]) -> String {
    let (w, h) = (1100.0, 400.0);
    let (l, r, t, b) = (78.0, 24.0, 24.0, 52.0);
    let (pw, ph) = (w - l - r, h - t - b);
    let maxv = c
        .years
        .iter()
        .map(|y| y.lines.iter().filter(|v| **v > 0.0).sum::<f64>())
        .chain(dn.iter().flat_map(|d| d.years.iter().map(|y| y.total)))
        .fold(0.0, f64::max);
    let ticks = nice_ticks(maxv * 1.08, 5);
    let top = ticks.last().copied().unwrap_or(1.0);
    let y = |v: f64| t + ph - v / top * ph;
    let n = c.years.len().max(1) as f64;
    let slot = pw / n;
    let bw = (slot * 0.56).min(120.0);
    let desc = c
        .years
        .iter()
        .map(|yc| {
            format!(
                "{}: total {}{}",
                yc.year,
                money(yc.total),
                lines
                    .iter()
                    .map(|ln| format!(", {} {}", cost_line_label(*ln), money(yc.lines[ln.index()])))
                    .collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = svg_open("costs", w, h, "Cost by year and cost line", &desc);
    y_grid(&mut o, &ticks, l, w - r, y, money);
    for (i, yc) in c.years.iter().enumerate() {
        let cx = l + slot * (i as f64 + 0.5);
        let mut acc = 0.0;
        for ln in lines {
            let v = yc.lines[ln.index()];
            if v <= 0.0 {
                continue;
            }
            let (y0, y1) = (y(acc), y(acc + v));
            let _ = write!(
                o,
                "<rect class=\"datum\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                px(cx - bw / 2.0),
                px(y1),
                px(bw),
                px((y0 - y1).max(0.0)),
                cost_colour(*ln),
                yc.year,
                escape(cost_line_label(*ln)),
                money(v)
            );
            acc += v;
        }
        // The total sits above the bar and above the do-nothing mark.
        let label_at = dn
            .and_then(|d| d.years.get(i))
            .map_or(yc.total, |d| d.total.max(yc.total));
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"12.5\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2733\">{}</text>",
            px(cx),
            px(y(label_at) - 7.0),
            money(yc.total),
            px(cx),
            px(t + ph + 17.0),
            yc.year
        );
        if let Some(d) = dn.and_then(|d| d.years.get(i)) {
            let yy = y(d.total);
            let _ = write!(
                o,
                "<line class=\"datum\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#1d2733\" stroke-width=\"2\" stroke-dasharray=\"5 3\"><title>{} do nothing: {}</title></line>",
                px(cx - bw / 2.0 - 8.0),
                px(yy),
                px(cx + bw / 2.0 + 8.0),
                px(yy),
                d.year,
                money(d.total)
            );
        }
    }
    let _ = write!(
        o,
        "<line x1=\"{l}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6675\">Plan year</text>\
         <text transform=\"translate(16 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6675\">Cost per year (£)</text></svg>",
        px(t + ph),
        px(w - r),
        px(t + ph),
        px(l + pw / 2.0),
        px(h - 10.0),
        px(t + ph / 2.0)
    );
    o
}

fn cost_table(c: &Costing, dn: Option<&Costing>) -> String {
    let mut h = String::from("<table><thead><tr><th class=\"text\">Cost line</th>");
    for y in &c.years {
        let _ = write!(h, "<th>{}</th>", y.year);
    }
    h.push_str("<th>Total</th></tr></thead><tbody>");
    for l in CostLine::ALL {
        let total = c.line_total(l);
        if total.abs() < 0.5 && c.years.iter().all(|y| y.lines[l.index()].abs() < 0.5) {
            continue;
        }
        let _ = write!(h, "<tr><td>{}</td>", escape(cost_line_label(l)));
        for y in &c.years {
            let _ = write!(h, "<td>{}</td>", money_m(y.lines[l.index()]));
        }
        let _ = write!(h, "<td>{}</td></tr>", money_m(total));
    }
    h.push_str("<tr class=\"total\"><td>Total</td>");
    for y in &c.years {
        let _ = write!(h, "<td>{}</td>", money_m(y.total));
    }
    let _ = write!(h, "<td>{}</td></tr>", money_m(c.total));
    h.push_str("<tr><td>Discounted (NPV)</td>");
    for y in &c.years {
        let _ = write!(h, "<td>{}</td>", money_m(y.discounted));
    }
    let _ = write!(h, "<td>{}</td></tr>", money_m(c.npv));
    if let Some(d) = dn {
        h.push_str("<tr><td>Do nothing, total</td>");
        for y in &d.years {
            let _ = write!(h, "<td>{}</td>", money_m(y.total));
        }
        let _ = write!(h, "<td>{}</td></tr>", money_m(d.total));
        h.push_str("<tr><td>Saving vs do nothing</td>");
        for (a, b) in c.years.iter().zip(&d.years) {
            let _ = write!(h, "<td>{}</td>", money_m(b.total - a.total));
        }
        let _ = write!(h, "<td>{}</td></tr>", money_m(d.total - c.total));
    }
    h.push_str("</tbody></table>");
    h
}
