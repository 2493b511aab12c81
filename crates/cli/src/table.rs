//! Short human-readable tables on stdout.

use std::collections::BTreeMap;

use placeplan_model::finance::{CostLine, Costing};
use placeplan_model::forecast::{Demand, Forecast};
use placeplan_model::plan::{Plan, ProvisionRef};
use placeplan_model::summary::Summary;
use placeplan_model::{AgeGroup, Scenario};

/// Millions of pounds to two places; an amount that rounds to nothing prints as £0.00m, not
/// £-0.00m.
fn money_m(v: f64) -> String {
    let m = v / 1e6;
    format!("£{:.2}m", if m.abs() < 0.005 { 0.0 } else { m })
}

pub fn print_forecast(s: &Scenario, fc: &Forecast) {
    println!(
        "{}: {} forecast of EHC plans by age group (central), with totals P10-P90",
        s.name,
        fc.variant.code()
    );
    print!("{:>6}", "year");
    for g in AgeGroup::ALL {
        print!(" {:>7}", g.label());
    }
    println!(" {:>22} {:>22}", "plans", "specialist places");
    for &y in &fc.years {
        print!("{y:>6}");
        for g in AgeGroup::ALL {
            let p = fc.total(y, Some(g)).map_or(0.0, |t| t.plans.central);
            print!(" {p:>7.0}");
        }
        if let Some(t) = fc.total(y, None) {
            let b = |b: &placeplan_model::forecast::Band| {
                format!("{:.0} ({:.0}-{:.0})", b.central, b.p10, b.p90)
            };
            println!(" {:>22} {:>22}", b(&t.plans), b(&t.specialist));
        } else {
            println!();
        }
    }
}

pub fn print_plan(
    s: &Scenario,
    demand: &Demand,
    plan: &Plan,
    costing: &Costing,
    summary: &Summary,
) {
    println!(
        "{}: plan {}-{} ({}, {}, check {})",
        s.name,
        plan.years[0],
        plan.years[plan.years.len() - 1],
        plan.method,
        plan.status.code(),
        summary.check
    );
    println!(
        "{:>6} {:>8} {:>9} {:>11} {:>12} {:>10} {:>10}",
        "year", "demand", "existing", "new places", "out of area", "capital", "cost"
    );
    for (t, y) in plan.years.iter().enumerate() {
        let mut by = [0.0f64; 3];
        for p in plan.placements.iter().filter(|p| p.year == t) {
            let i = match p.provision {
                // Existing places, pupils kept in other authorities' schools among them (as
                // summary.json's out-of-area figures leave them out).
                ProvisionRef::Existing(_) | ProvisionRef::Elsewhere(_) => 0,
                ProvisionRef::NewBase(_) => 1,
                ProvisionRef::OutOfArea => 2,
            };
            by[i] += p.pupils;
        }
        let yc = &costing.years[t];
        println!(
            "{y:>6} {:>8} {:>9.0} {:>11.0} {:>12.0} {:>10} {:>10}",
            demand.total(t),
            by[0],
            by[1],
            by[2],
            money_m(yc.lines[CostLine::Capital.index()]),
            money_m(yc.total)
        );
    }
    let mut bases: BTreeMap<(String, String), f64> = BTreeMap::new();
    for b in &plan.builds {
        let c = &plan.candidates[b.candidate];
        *bases
            .entry((c.need.code().to_string(), c.phase.code().to_string()))
            .or_default() += b.places;
    }
    println!(
        "new places: {:.0} in {} bases{}",
        plan.new_places(),
        summary.new_bases,
        if bases.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                bases
                    .iter()
                    .map(|((n, p), v)| format!("{n} {p} {v:.0}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    if !plan.moves.is_empty() {
        println!(
            "brought back mid-phase: {} pupils from out-of-area or other authorities' schools (one-off {}; moves.csv)",
            summary.pupils_moved_mid_phase,
            money_m(costing.line_total(CostLine::Moves))
        );
    }
    print!(
        "cost over {} years {} (NPV {})",
        plan.years.len(),
        money_m(costing.total),
        money_m(costing.npv)
    );
    println!();
    if let (Some(dn), Some(saving)) = (summary.do_nothing_npv, summary.saving_vs_do_nothing) {
        let payback = summary
            .payback_year
            .map_or("capital not repaid within the horizon".to_string(), |y| {
                format!("capital repaid by {y}")
            });
        println!(
            "against doing nothing (NPV {}): saves {}; {payback}",
            money_m(dn),
            money_m(saving)
        );
    }
    if let (Some(g), Some(saving), Some(places)) = (
        summary.greedy_npv,
        summary.saving_vs_greedy,
        summary.greedy_new_places,
    ) {
        println!(
            "against nearest-school greedy ({places:.0} places, NPV {}): saves {}",
            money_m(g),
            money_m(saving)
        );
    }
    if let (Some(g), Some(places)) = (summary.gap_fill_npv, summary.gap_fill_new_places) {
        println!(
            "against biggest-gaps-first ({places:.0} places, NPV {}): saves {}",
            money_m(g),
            money_m(g - summary.npv)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::money_m;

    #[test]
    fn an_amount_that_rounds_to_nothing_has_no_minus_sign() {
        assert_eq!(money_m(-0.4), "£0.00m");
        assert_eq!(money_m(-4_999.0), "£0.00m");
        assert_eq!(money_m(-5_001.0), "£-0.01m");
        assert_eq!(money_m(1_940_000.0), "£1.94m");
    }
}
