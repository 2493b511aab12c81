//! The headline section: cards with the plan's key figures and its key messages in plain words.

use std::fmt::Write as _;

use super::format::{money, places, thousands};
use super::page::{escape, Section};
use crate::run::RunOutputs;
use placeplan_model::finance::CostLine;

pub(super) fn headline_section(run: &RunOutputs) -> Section {
    let (s, sm, c) = (run.scenario, run.summary, run.costing);
    let years = &run.plan.years;
    let first = years.first().copied().unwrap_or(s.base_year + 1);
    let last = years.last().copied().unwrap_or(first);
    let n = years.len();
    let mut h = String::new();

    let demand_first = sm.demand.first().copied().unwrap_or(0) as f64;
    let demand_last = sm.demand.last().copied().unwrap_or(0) as f64;
    let ooa_first = sm.pupils_out_of_area.first().copied().unwrap_or(0.0);
    let ooa_last = sm.pupils_out_of_area.last().copied().unwrap_or(0.0);
    let capital = c.line_total(CostLine::Capital);

    h.push_str("<div class=\"cards\">");
    let card = |h: &mut String, class: &str, label: &str, value: &str, sub: &str| {
        let _ = write!(
            h,
            "<div class=\"card {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"sub\">{}</div></div>",
            escape(label),
            escape(value),
            escape(sub)
        );
    };
    card(
        &mut h,
        "",
        &format!("{n}-year cost"),
        &money(c.total),
        &format!("{first}\u{2013}{last}, every cost line, undiscounted"),
    );
    card(
        &mut h,
        "",
        "Net present value",
        &money(c.npv),
        &format!("discounted at {:.1}% a year", s.discount_rate * 100.0),
    );
    match sm.saving_vs_do_nothing {
        Some(v) => card(
            &mut h,
            if v >= 0.0 { "good" } else { "warn" },
            "Saving vs doing nothing",
            &money(v),
            &format!(
                "NPV; doing nothing costs {}; {}",
                money(sm.do_nothing_npv.unwrap_or(0.0)),
                sm.payback_year.map_or(
                    "capital not repaid within the horizon".to_string(),
                    |y| format!("capital repaid by {y}")
                )
            ),
        ),
        None => card(
            &mut h,
            "",
            "Saving vs doing nothing",
            "n/a",
            "the do-nothing baseline was not solved",
        ),
    }
    card(
        &mut h,
        "",
        "New places",
        &places(sm.new_places),
        &format!(
            "in {} new base{}; capital {}",
            sm.new_bases,
            if sm.new_bases == 1 { "" } else { "s" },
            money(capital)
        ),
    );
    card(
        &mut h,
        if ooa_last > ooa_first { "warn" } else { "" },
        &format!("Pupils out of area, {last}"),
        &thousands(ooa_last),
        &format!(
            "{} in {first}; independent or out-of-area schools",
            thousands(ooa_first)
        ),
    );
    card(
        &mut h,
        "",
        &format!("Specialist places needed, {last}"),
        &thousands(demand_last),
        &format!("{} in {first}", thousands(demand_first)),
    );
    h.push_str("</div>");

    // Key messages, in plain words.
    let growth = if demand_first > 0.0 {
        (demand_last / demand_first - 1.0) * 100.0
    } else {
        0.0
    };
    let ooa_cost = c.line_total(CostLine::OutOfArea);
    let _ = write!(
        h,
        "<p class=\"lead\">On the {variant} forecast, children and young people with EHC plans \
         need <strong>{d1}</strong> specialist places in January {first}, rising to \
         <strong>{d2}</strong> in {last} ({g:+.0}%). The plan funds \
         <strong>{np}</strong> new resourced-base places in {nb} base{pl} for {cap} of capital, \
         and still places {o1} pupils out of area or in independent schools in {first} and {o2} in \
         {last}, costing {oc} over the period. The plan was found by {backend} ({status}) and \
         passed the independent check ({facts} facts).",
        variant = escape(run.forecast.variant.code()),
        d1 = thousands(demand_first),
        d2 = thousands(demand_last),
        g = growth,
        np = places(sm.new_places),
        nb = sm.new_bases,
        pl = if sm.new_bases == 1 { "" } else { "s" },
        cap = money(capital),
        o1 = thousands(ooa_first),
        o2 = thousands(ooa_last),
        oc = money(ooa_cost),
        backend = escape(&sm.backend),
        status = escape(&sm.status),
        facts = thousands(sm.check_facts as f64),
    );
    if let (Some(dn), Some(save)) = (sm.do_nothing_npv, sm.saving_vs_do_nothing) {
        let _ = write!(
            h,
            " Against doing nothing (NPV {}), it saves <strong>{}</strong> in present value.",
            money(dn),
            money(save)
        );
    }
    if let (Some(g), Some(save)) = (sm.greedy_npv, sm.saving_vs_greedy) {
        let _ = write!(
            h,
            " Against putting bases at the nearest schools (NPV {}{}), it saves {}.",
            money(g),
            sm.greedy_new_places
                .map(|p| format!(", {} places", places(p)))
                .unwrap_or_default(),
            money(save)
        );
    }
    if let Some(g) = sm.gap_fill_npv {
        let _ = write!(
            h,
            " Against filling the biggest out-of-area gaps first (NPV {}{}), it saves {}.",
            money(g),
            sm.gap_fill_new_places
                .map(|p| format!(", {} places", places(p)))
                .unwrap_or_default(),
            money(g - sm.npv)
        );
    }
    h.push_str("</p>");
    Section {
        id: "summary".into(),
        title: "Headline numbers".into(),
        html: h,
    }
}
