//! The NPV chart: every variant's NPV as a bar, cheapest first, with the extra cost over the
//! cheapest, and the variants without a plan at the bottom.

use std::fmt::Write as _;

use super::colours::{BAD, GOOD, MUTED};
use super::rows::{money_delta, reason_short, truncate_middle, Row, NAME_CHARS};
use crate::html::charts::{inline_svg_open, key, key_styled, nice_ticks, tick_labeller, x_grid};
use crate::html::format::{money, money_m, px};
use crate::html::page::{escape, Section};

const OTHER: &str = "#9fb7d1";
const EXTRA: &str = "#e8871e";

pub(super) fn npv_section(rows: &[Row], cheapest: Option<usize>) -> Section {
    let mut h = String::from(
        "<p>Net present value of every variant's costs over the horizon, cheapest first. The \
         orange end of each bar, and the figure after it, is how much more the variant costs \
         than the cheapest. Variants without a plan are listed at the bottom.</p>",
    );
    h.push_str("<div class=\"legend\">");
    h.push_str(&key(GOOD, "Cheapest by NPV"));
    h.push_str(&key(OTHER, "Other variants"));
    h.push_str(&key_styled(
        &format!("background:{EXTRA}"),
        "Extra cost over the cheapest",
    ));
    h.push_str("</div><figure class=\"chart\" data-chart=\"npv\">");
    h.push_str(&npv_svg(rows, cheapest));
    h.push_str(
        "<figcaption>Figure 2. NPV by variant, discounted to the first plan year.</figcaption>\
         </figure>",
    );
    Section {
        id: "sweep-npv".into(),
        title: "NPV by variant".into(),
        html: h,
    }
}

fn npv_svg(rows: &[Row], cheapest: Option<usize>) -> String {
    // Planned variants by NPV (sweep order on ties), then the rest in sweep order.
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].figures().is_some())
        .collect();
    order.sort_by(|a, b| {
        let (fa, fb) = (rows[*a].figures(), rows[*b].figures());
        let (na, nb) = (fa.map_or(0.0, |f| f.npv), fb.map_or(0.0, |f| f.npv));
        na.total_cmp(&nb).then(a.cmp(b))
    });
    order.extend((0..rows.len()).filter(|i| rows[*i].figures().is_none()));
    let best = cheapest.and_then(|i| rows[i].figures()).map(|f| f.npv);

    let longest = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest.min(NAME_CHARS) as f64 * 6.6 + 16.0).clamp(120.0, 460.0);
    let bar_h = 22.0;
    let gap = 8.0;
    let (w, t, b) = (1100.0, 12.0, 44.0);
    let (l, r) = (label_w, 150.0);
    let pw = w - l - r;
    let hgt = t + b + order.len().max(1) as f64 * (bar_h + gap);
    let max_npv = rows
        .iter()
        .filter_map(|r| r.figures())
        .map(|f| f.npv)
        .fold(0.0, f64::max);
    let ticks = nice_ticks(max_npv, 6);
    let top = ticks.last().copied().unwrap_or(1.0);
    let x = |v: f64| l + v.max(0.0) / top * pw;
    let tl = tick_labeller(&ticks);
    let desc = order
        .iter()
        .map(|i| match &rows[*i].outcome {
            Ok(f) => format!("{}: NPV {}", rows[*i].name, money(f.npv)),
            Err((kind, _)) => format!("{}: {kind}", rows[*i].name),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = inline_svg_open("npv", w, hgt, "NPV of costs by variant", &desc);
    let y0 = t;
    let y1 = hgt - b;
    x_grid(&mut o, &ticks, y0, y1, "#e3e7ec", x, &tl);
    let _ = write!(
        o,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">NPV of all costs over the horizon</text>",
        px(l),
        px(y0),
        px(l),
        px(y1),
        px(l + pw / 2.0),
        px(hgt - 8.0),
    );
    for (k, &i) in order.iter().enumerate() {
        let row = &rows[i];
        let yy = t + gap / 2.0 + k as f64 * (bar_h + gap);
        let mid = yy + bar_h / 2.0 + 4.0;
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2733\"{}>{}</text>",
            px(l - 8.0),
            px(mid),
            if cheapest == Some(i) { " font-weight=\"600\"" } else { "" },
            escape(&truncate_middle(row.name, NAME_CHARS))
        );
        match &row.outcome {
            Ok(f) => {
                let is_best = cheapest == Some(i);
                let more = best.map(|b| f.npv - b).unwrap_or(0.0);
                let _ = write!(
                    o,
                    "<rect class=\"datum bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: NPV {}{}</title></rect>",
                    px(l),
                    px(yy),
                    px(x(f.npv) - l),
                    px(bar_h),
                    if is_best { GOOD } else { OTHER },
                    escape(row.name),
                    escape(&money_m(f.npv)),
                    if is_best {
                        ", the cheapest".to_string()
                    } else {
                        format!(", {} more than the cheapest", escape(&money(more)))
                    },
                );
                if let (Some(b), false) = (best, is_best) {
                    if x(f.npv) - x(b) >= 0.05 {
                        let _ = write!(
                            o,
                            "<rect class=\"datum extra\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{EXTRA}\"><title>{}: {} more than the cheapest</title></rect>",
                            px(x(b)),
                            px(yy),
                            px((x(f.npv) - x(b)).max(1.0)),
                            px(bar_h),
                            escape(row.name),
                            escape(&money(more)),
                        );
                    }
                }
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1d2733\">{} <tspan fill=\"{}\" font-weight=\"600\">{}</tspan></text>",
                    px(x(f.npv) + 6.0),
                    px(mid),
                    escape(&money_m(f.npv)),
                    if is_best { GOOD } else { "#b35f00" },
                    if is_best {
                        "cheapest".to_string()
                    } else {
                        escape(&money_delta(more))
                    },
                );
            }
            Err((kind, reason)) => {
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-style=\"italic\" fill=\"{BAD}\">no plan: {kind}<title>{}</title></text>",
                    px(l + 8.0),
                    px(mid),
                    escape(&reason_short(reason)),
                );
            }
        }
    }
    o.push_str("</svg>");
    o
}
