//! The capital level section, for a sweep that varies the capital budget: NPV against the total
//! capital budget, one line per group of variants that differ only in their budget, each
//! group's cost-minimising level marked, and what each step up buys per £1m of extra budget.

use std::fmt::Write as _;

use super::colours::{group_label, BAD, GOOD, GROUP_COLOURS, MUTED};
use super::plot::Frame;
use super::rows::{money_delta, plural};
use crate::html::charts::{inline_svg_open, key, key_styled};
use crate::html::format::{money_m, px, thousands};
use crate::html::page::{escape, Section};
use crate::sweep_capital::{CapitalLevels, CapitalLine};

/// Lines whose step tables are shown open; more are folded.
const OPEN_TABLES: usize = 2;

/// A total budget: in millions when it is a whole number of £10,000s (£300m, £2.5m, £0.25m),
/// else in whole pounds (£1,234,567); £0 for nothing.
fn pounds(v: f64) -> String {
    let hundredths = v / 1e4;
    if v == 0.0 {
        "£0".into()
    } else if hundredths == hundredths.round() && hundredths.abs() < 1e13 {
        let m = format!("{:.2}", v / 1e6);
        format!("£{}m", m.trim_end_matches('0').trim_end_matches('.'))
    } else {
        format!("£{}", thousands(v))
    }
}

/// A marginal NPV per £1m in words.
fn marginal_words(m: f64) -> String {
    if m < 0.0 {
        format!(
            "saves {} of NPV per extra £1m",
            money_delta(-m).trim_start_matches('+')
        )
    } else if m > 0.0 {
        format!(
            "adds {} to NPV per extra £1m",
            money_delta(m).trim_start_matches('+')
        )
    } else {
        "saves nothing".into()
    }
}

/// What one line's levels say, in a sentence or two.
fn line_summary(line: &CapitalLine) -> String {
    let levels = &line.levels;
    let Some(min) = line.minimum.map(|i| &levels[i]) else {
        return "no variant of this group produced a plan.".into();
    };
    if levels.len() == 1 {
        return format!(
            "only one capital level has a plan: {} (<strong>{}</strong>, NPV {}).",
            pounds(min.budget),
            escape(&min.variant),
            money_m(min.npv)
        );
    }
    let first = &levels[0];
    let mut s = format!(
        "the cost-minimising total capital budget is <strong>{}</strong> (variant \
         <strong>{}</strong>, NPV {}",
        pounds(min.budget),
        escape(&min.variant),
        money_m(min.npv),
    );
    if first.npv > min.npv {
        let _ = write!(
            s,
            ", {} less than at the lowest budget tested, {}",
            money_m(first.npv - min.npv),
            pounds(first.budget)
        );
    }
    s.push_str("). ");
    match line.stops_paying {
        Some(k) => {
            let next = &levels[k + 1];
            let _ = write!(
                s,
                "Extra capital stops paying after <strong>{}</strong>: the step up to {} {}.",
                pounds(levels[k].budget),
                pounds(next.budget),
                next.marginal.map_or_else(String::new, marginal_words)
            );
        }
        None => {
            let _ = write!(
                s,
                "Every step up to the largest budget tested, {}, still saves, so more capital \
                 than the sweep tried may save more.",
                pounds(levels[levels.len() - 1].budget)
            );
        }
    }
    s
}

pub(super) fn capital_section(levels: &CapitalLevels) -> Section {
    let horizon = if levels.years > 0 {
        format!("{}-year", levels.years)
    } else {
        "plan".into()
    };
    let mut h = format!(
        "<p>The sweep sets <code>capital_budget</code> to different amounts. Variants that differ \
         only in their capital budget form a line, one for each combination of the sweep's other \
         settings (the groups of the Pareto chart), ordered by their total capital budget over \
         the {horizon} horizon (a yearly amount counts once for each plan year). For each step up \
         to the next budget tested, the marginal NPV per £1m is the change in NPV divided by the \
         extra budget in millions: negative means the extra capital saves that much in present \
         value, zero or positive that it saves nothing. Extra capital <em>stops paying</em> after \
         the first level whose next step saves nothing. The same figures are in \
         <code>capital.csv</code>.</p><ul>",
    );
    for line in &levels.lines {
        let _ = write!(
            h,
            "<li><strong>{}</strong>: {}</li>",
            escape(&group_label(&line.group)),
            line_summary(line)
        );
    }
    h.push_str("</ul>");
    let no_plan: Vec<String> = levels
        .lines
        .iter()
        .flat_map(|l| {
            l.no_plan
                .iter()
                .map(|n| format!("<strong>{}</strong>", escape(n)))
        })
        .collect();
    if !no_plan.is_empty() {
        let _ = write!(
            h,
            "<p class=\"note\">Skipped, with no plan: {} ({}).</p>",
            no_plan.join(", "),
            plural(no_plan.len(), "variant", "variants")
        );
    }
    if !levels.unbudgeted.is_empty() {
        let names: Vec<String> = levels
            .unbudgeted
            .iter()
            .map(|n| format!("<strong>{}</strong>", escape(n)))
            .collect();
        let _ = write!(
            h,
            "<p class=\"note\">Not in this section, as they keep the base scenario's capital \
             budget: {}.</p>",
            names.join(", ")
        );
    }
    let colour = |i: usize| GROUP_COLOURS[i % GROUP_COLOURS.len()];
    h.push_str("<div class=\"legend\">");
    for (i, line) in levels.lines.iter().enumerate() {
        h.push_str(&key(colour(i), &group_label(&line.group)));
    }
    h.push_str(&key_styled(
        &format!(
            "background:#fff;border:2px solid {GOOD};border-radius:50%;width:14px;height:14px"
        ),
        "Cost-minimising level",
    ));
    h.push_str("</div><figure class=\"chart\" data-chart=\"capital\">");
    if levels.lines.iter().all(|l| l.levels.is_empty()) {
        h.push_str(
            "<p class=\"note\">No variant that sets the capital budget produced a plan, so there \
             is nothing to plot.</p>",
        );
    } else {
        h.push_str(&capital_svg(levels, &colour, &horizon));
    }
    let _ = write!(
        h,
        "<figcaption>Figure 3. NPV against the total capital budget over the {horizon} horizon, \
         one line per group of variants.</figcaption></figure>"
    );
    // A table for each line with a plan; its sentence says when a line has none.
    for (i, line) in levels.lines.iter().enumerate() {
        if !line.levels.is_empty() {
            h.push_str(&steps_table(line, i < OPEN_TABLES));
        }
    }
    Section {
        id: "sweep-capital".into(),
        title: "Capital level".into(),
        html: h,
    }
}

/// One line's levels and the marginal NPV per £1m of each step, with a bar for each.
fn steps_table(line: &CapitalLine, open: bool) -> String {
    let widest = line
        .levels
        .iter()
        .filter_map(|l| l.marginal)
        .fold(0.0, |a: f64, m| a.max(m.abs()));
    let mut h = format!(
        "<details{}><summary>Data table: {} by total capital budget</summary><table>\
         <thead><tr><th class=\"text\">Variant</th><th>Total capital budget</th><th>NPV</th>\
         <th>Marginal NPV per £1m</th><th class=\"text\">Step up to this level</th>\
         </tr></thead><tbody>",
        if open { " open" } else { "" },
        escape(&group_label(&line.group))
    );
    for (i, l) in line.levels.iter().enumerate() {
        let best = line.minimum == Some(i);
        let stop = line.stops_paying == Some(i);
        let _ = write!(
            h,
            "<tr{}><td class=\"text\">{}{}</td><td>{}</td><td>{}</td>",
            if best {
                " class=\"cost-minimising\" style=\"background:#e8f5e9;font-weight:600\""
            } else {
                ""
            },
            escape(&l.variant),
            match (best, stop) {
                (true, true) => " (cost-minimising; extra capital stops paying after it)",
                (true, false) => " (cost-minimising)",
                (false, true) => " (extra capital stops paying after it)",
                (false, false) => "",
            },
            pounds(l.budget),
            money_m(l.npv),
        );
        match l.marginal {
            Some(m) => {
                let colour = if m < 0.0 {
                    GOOD
                } else if m > 0.0 {
                    BAD
                } else {
                    MUTED
                };
                let width = if widest > 0.0 {
                    m.abs() / widest * 120.0
                } else {
                    0.0
                };
                let _ = write!(
                    h,
                    "<td style=\"color:{colour}\">{}</td><td class=\"text\"><span \
                     style=\"display:inline-block;vertical-align:middle;height:10px;width:{}px;\
                     background:{colour};margin-right:6px\"></span>{}</td></tr>",
                    money_delta(m),
                    px(width),
                    marginal_words(m)
                );
            }
            None => {
                let why = if i == 0 {
                    "the lowest budget tested"
                } else {
                    "the same total budget as the level before"
                };
                let _ = write!(
                    h,
                    "<td style=\"color:{MUTED}\">\u{2013}</td><td class=\"text\" \
                     style=\"color:{MUTED}\">{why}</td></tr>"
                );
            }
        }
    }
    h.push_str("</tbody></table></details>");
    h
}

fn capital_svg(
    levels: &CapitalLevels,
    colour: &dyn Fn(usize) -> &'static str,
    horizon: &str,
) -> String {
    let all = levels.lines.iter().flat_map(|l| &l.levels);
    let frame = Frame::new(430.0, all.map(|p| (p.budget, p.npv)));
    let (w, r, t) = (frame.w, frame.r, frame.t);
    let x = |v: f64| frame.x(v);
    let y = |v: f64| frame.y(v);
    let desc = levels
        .lines
        .iter()
        .filter_map(|line| {
            let min = &line.levels[line.minimum?];
            Some(format!(
                "{}: lowest NPV {} at a total capital budget of {}",
                group_label(&line.group),
                money_m(min.npv),
                pounds(min.budget)
            ))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = inline_svg_open(
        "capital",
        frame.w,
        frame.hgt,
        "NPV against total capital budget",
        &desc,
    );
    frame.axes(
        &mut o,
        &format!("Total capital budget over the {horizon} horizon"),
        "NPV of all costs",
    );
    for (i, line) in levels.lines.iter().enumerate() {
        let c = colour(i);
        let points: Vec<(f64, f64)> = line.levels.iter().map(|p| (p.budget, p.npv)).collect();
        frame.polyline(&mut o, &points, "levels", c, &group_label(&line.group));
        for p in &line.levels {
            let step = p
                .marginal
                .map(|m| {
                    format!(
                        "\nstep up to it: {} per £1m ({})",
                        money_delta(m),
                        marginal_words(m)
                    )
                })
                .unwrap_or_default();
            frame.point(
                &mut o,
                (p.budget, p.npv),
                4.5,
                &format!("fill=\"{c}\""),
                &format!(
                    "{}\n{}\ntotal capital budget {}, NPV {}{step}",
                    p.variant,
                    group_label(&line.group),
                    pounds(p.budget),
                    money_m(p.npv),
                ),
            );
        }
        if let Some(min) = line.minimum.map(|k| &line.levels[k]) {
            let (cx, cy) = (x(min.budget), y(min.npv));
            let _ = write!(
                o,
                "<circle class=\"minimum\" cx=\"{}\" cy=\"{}\" r=\"10\" fill=\"none\" stroke=\"{GOOD}\" stroke-width=\"2\"/>",
                px(cx),
                px(cy)
            );
            // The cost-minimising level is named when the lines are few enough to read.
            if levels.lines.len() <= 3 {
                let text = format!("Lowest NPV: {} at {}", money_m(min.npv), pounds(min.budget));
                let width = text.chars().count() as f64 * 6.6;
                let left = cx + 14.0 + width > w - r;
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" text-anchor=\"{}\" fill=\"{GOOD}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                    px(if left { cx - 14.0 } else { cx + 14.0 }),
                    px((cy - 14.0).max(t + 12.0)),
                    if left { "end" } else { "start" },
                    escape(&text),
                );
            }
        }
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep_capital::CapitalLevel;

    #[test]
    fn budgets_and_marginals_in_words() {
        assert_eq!(pounds(0.0), "£0");
        assert_eq!(pounds(300e6), "£300m");
        assert_eq!(pounds(2.5e6), "£2.5m");
        assert_eq!(pounds(250_000.0), "£0.25m");
        assert_eq!(pounds(1_234_567.0), "£1,234,567");
        assert_eq!(marginal_words(-2e6), "saves £2.0m of NPV per extra £1m");
        assert_eq!(marginal_words(1e5), "adds £100k to NPV per extra £1m");
        assert_eq!(marginal_words(0.0), "saves nothing");
    }

    fn level(variant: &str, budget: f64, npv: f64, marginal: Option<f64>) -> CapitalLevel {
        CapitalLevel {
            variant: variant.into(),
            budget,
            npv,
            marginal,
        }
    }

    /// The section names each group's cost-minimising level, says where extra capital stops
    /// paying, lists the variants it skipped (a group may have none planned), and draws a bar
    /// for each step.
    #[test]
    fn section_names_the_minimum_and_lists_skipped_variants() {
        let mut levels = CapitalLevels {
            lines: vec![CapitalLine {
                group: "growth=low".into(),
                levels: vec![
                    level("a", 0.0, 100e6, None),
                    level("b", 1e6, 98e6, Some(-2e6)),
                    level("c", 2e6, 97.5e6, Some(-0.5e6)),
                    level("d", 3e6, 97.5e6, Some(0.0)),
                ],
                minimum: Some(2),
                stops_paying: Some(2),
                no_plan: vec!["<e>".into()],
            }],
            unbudgeted: vec!["named".into()],
            years: 5,
        };
        levels.lines.push(CapitalLine {
            group: "growth=high".into(),
            levels: vec![],
            minimum: None,
            stops_paying: None,
            no_plan: vec!["f".into()],
        });
        let h = capital_section(&levels).html;
        assert!(h.contains(
            "<li><strong>growth = low</strong>: the cost-minimising total capital budget is \
             <strong>£2m</strong> (variant <strong>c</strong>, NPV £97.50m, £2.50m less than at \
             the lowest budget tested, £0). Extra capital stops paying after <strong>£2m</strong>: \
             the step up to £3m saves nothing.</li>"
        ));
        assert!(h.contains(
            "Skipped, with no plan: <strong>&lt;e&gt;</strong>, <strong>f</strong> (2 variants)."
        ));
        // A group with no plan says so, and has no table.
        assert!(h.contains(
            "<li><strong>growth = high</strong>: no variant of this group produced a plan.</li>"
        ));
        assert_eq!(h.matches("<details").count(), 1);
        assert!(h.contains("keep the base scenario's capital budget: <strong>named</strong>."));
        assert!(h.contains("c (cost-minimising; extra capital stops paying after it)"));
        // A bar per step, the widest step the widest bar; none for the lowest budget.
        assert_eq!(h.matches("height:10px;width:").count(), 3);
        assert!(h.contains("width:120px;"));
        assert!(h.contains("width:30px;"));
        assert_eq!(h.matches("class=\"datum point\"").count(), 4);
    }
}
