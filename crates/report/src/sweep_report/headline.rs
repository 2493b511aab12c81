//! The sweep headline: cards with how many variants planned and what the cheapest costs, and
//! the key messages in plain words.

use std::fmt::Write as _;

use super::rows::{horizon_label, plural, setting_keys, Row};
use crate::html::format::{money, places};
use crate::html::page::{escape, Section};

pub(super) fn headline_section(
    rows: &[Row],
    cheapest: Option<usize>,
    dearest: Option<usize>,
) -> Section {
    let n = rows.len();
    let planned = rows.iter().filter(|r| r.figures().is_some()).count();
    let infeasible = rows
        .iter()
        .filter(|r| matches!(r.outcome, Err(("infeasible", _))))
        .count();
    let failed = n - planned - infeasible;
    let keys = setting_keys(rows);
    let horizon = horizon_label(rows);

    let mut h = String::from("<div class=\"cards\">");
    let card = |h: &mut String, class: &str, label: &str, value: &str, sub: &str| {
        let _ = write!(
            h,
            "<div class=\"card {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>\
             <div class=\"sub\" style=\"overflow-wrap:anywhere\">{sub}</div></div>",
            escape(label),
            escape(value),
        );
    };
    card(
        &mut h,
        "",
        "Variants run",
        &n.to_string(),
        &if keys.is_empty() {
            "the base scenario only".to_string()
        } else {
            format!(
                "varying {}",
                keys.iter()
                    .map(|k| format!("<code>{}</code>", escape(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    );
    card(
        &mut h,
        if planned == n { "good" } else { "" },
        "Planned",
        &planned.to_string(),
        "a plan found and passed the independent check",
    );
    card(
        &mut h,
        if planned < n { "warn" } else { "" },
        "Infeasible or failed",
        &(n - planned).to_string(),
        &format!("{infeasible} infeasible, {failed} failed"),
    );
    let planned_figures = |i: Option<usize>| i.and_then(|i| rows[i].figures().map(|f| (i, f)));
    match (planned_figures(cheapest), planned_figures(dearest)) {
        (Some((c, fc)), Some((d, fd))) => {
            card(
                &mut h,
                "good",
                "Cheapest by NPV",
                &money(fc.npv),
                &escape(rows[c].name),
            );
            card(
                &mut h,
                "good",
                "Saving against the most expensive",
                &money(fd.npv - fc.npv),
                &format!(
                    "NPV; the most expensive is {} at {}",
                    escape(rows[d].name),
                    escape(&money(fd.npv))
                ),
            );
            card(
                &mut h,
                "",
                "Capital of the cheapest",
                &money(fc.capital),
                &escape(&format!(
                    "{} new places in {} over the {} horizon",
                    places(fc.new_places),
                    plural(fc.new_bases, "base", "bases"),
                    horizon.to_lowercase()
                )),
            );
        }
        _ => {
            card(
                &mut h,
                "warn",
                "Cheapest by NPV",
                "n/a",
                "no variant produced a plan",
            );
        }
    }
    h.push_str("</div>");

    // Key messages in plain words.
    let _ = write!(
        h,
        "<p class=\"lead\">The sweep ran <strong>{}</strong> of the scenario{}. \
         <strong>{planned}</strong> produced a plan",
        plural(n, "variant", "variants"),
        if keys.is_empty() {
            String::new()
        } else {
            format!(
                ", changing {}",
                keys.iter()
                    .map(|k| format!("<code>{}</code>", escape(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    if planned < n {
        let names: Vec<String> = rows
            .iter()
            .filter(|r| r.figures().is_none())
            .map(|r| format!("<strong>{}</strong>", escape(r.name)))
            .collect();
        let _ = write!(
            h,
            " and {} did not ({}: see the table for why)",
            n - planned,
            names.join(", ")
        );
    }
    h.push('.');
    let planned_figures = |i: Option<usize>| i.and_then(|i| rows[i].figures().map(|f| (i, f)));
    if let (Some((c, fc)), Some((d, fd))) = (planned_figures(cheapest), planned_figures(dearest)) {
        if c == d {
            let _ = write!(
                h,
                " The only plan, <strong>{}</strong>, has an NPV of {}.",
                escape(rows[c].name),
                escape(&money(fc.npv))
            );
        } else {
            let _ = write!(
                h,
                " The cheapest in present value is <strong>{}</strong> (NPV {}, capital {}), \
                 <strong>{}</strong> less than the most expensive, <strong>{}</strong> (NPV {}, \
                 capital {}).",
                escape(rows[c].name),
                escape(&money(fc.npv)),
                escape(&money(fc.capital)),
                escape(&money(fd.npv - fc.npv)),
                escape(rows[d].name),
                escape(&money(fd.npv)),
                escape(&money(fd.capital)),
            );
        }
    }
    h.push_str(
        " Every variant is the same scenario with the settings shown changed; each variant's \
         own outputs are in its folder next to this report, and the figures below are in \
         <code>sweep.csv</code> and <code>pareto.csv</code>.</p>",
    );
    Section {
        id: "sweep-summary".into(),
        title: "Sweep headline".into(),
        html: h,
    }
}
