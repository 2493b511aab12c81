//! The pupils-brought-back section (`[solver] bring_back`): who the plan moves mid-phase, from
//! where to where, and the one-off cost, one table row per row of moves.csv.

use std::fmt::Write as _;

use super::format::{money, places};
use super::page::{escape, Section};
use crate::run::RunOutputs;
use placeplan_model::plan::ProvisionRef;

/// The section, when the scenario lets the plan bring pupils back; `None` otherwise.
pub(super) fn moves_section(run: &RunOutputs) -> Option<Section> {
    let s = run.scenario;
    if !s.solver.brings_back() {
        return None;
    }
    let plan = run.plan;
    let moved = plan.pupils_moved();
    let mut h = String::new();
    if plan.moves.is_empty() {
        h.push_str(
            "<p>The scenario lets the plan bring pupils back from out-of-area and other \
             authorities' schools mid-phase, but no move pays for itself: every child stays \
             where they are until their next phase transfer.</p>",
        );
    } else {
        let _ = write!(
            h,
            "<p>The plan brings {} pupils back mid-phase from out-of-area or other authorities' \
             schools to local places, at a one-off cost of {} ({} a pupil). Children in the \
             authority's own schools are never moved.</p>",
            places(moved),
            money(s.costs.move_cost * moved),
            money(s.costs.move_cost)
        );
        h.push_str(
            "<table><thead><tr><th class=\"text\">Year</th><th class=\"text\">Locality</th>\
             <th class=\"text\">Need</th><th class=\"text\">Phase</th><th class=\"text\">From</th>\
             <th class=\"text\">To</th><th>Pupils</th><th>One-off cost</th></tr></thead><tbody>",
        );
        for m in &plan.moves {
            let g = &run.demand.groups[m.group];
            let from = match m.from {
                ProvisionRef::Elsewhere(_) => "another authority's school",
                _ => "out of area",
            };
            let to = match m.to {
                ProvisionRef::Existing(k) => escape(&s.schools[s.provisions[k].school].name),
                ProvisionRef::NewBase(c) => format!(
                    "{} (new places)",
                    escape(&s.schools[plan.candidates[c].school].name)
                ),
                ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_) => String::new(),
            };
            let _ = write!(
                h,
                "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{from}</td><td class=\"text\">{to}</td><td>{}</td><td>{}</td></tr>",
                plan.years[m.year],
                escape(&s.localities[g.locality].name),
                g.need,
                g.phase,
                places(m.pupils),
                money(s.costs.move_cost * m.pupils)
            );
        }
        let _ = write!(
            h,
            "<tr class=\"total\"><td>Total</td><td></td><td></td><td></td><td></td><td></td><td>{}</td><td>{}</td></tr></tbody></table>",
            places(moved),
            money(s.costs.move_cost * moved)
        );
    }
    Some(Section {
        id: "moves".into(),
        title: "Pupils brought back mid-phase".into(),
        html: h,
    })
}
