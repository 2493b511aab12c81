//! Baselines that show what optimisation saves.
//!
//! * **Do nothing**: no new places; pupils fill existing provision within journey limits at
//!   least cost and the overflow goes out of area.
//! * **Greedy**: what a planner might do by hand. For each funding year in turn, take the
//!   pupils the do-nothing plan sends out of area in the year the places would open, largest
//!   cluster (locality x need x phase) first, and fund a base for them at the nearest school that
//!   may host one, as large as the cluster, the base size, the site and what is left of that
//!   year's budget allow. Pupils are then placed at least cost given those places.

use placeplan_model::finance::setup_cost;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{candidates, Build, Plan, ProvisionRef};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

use crate::backend::{Backend, SolveError};
use crate::formulation::Options;
use crate::solve::solve;

/// The do-nothing plan: existing provision only.
pub fn do_nothing(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let mut plan = solve(s, travel, demand, &Options::do_nothing(), backend)?;
    plan.method = format!("do-nothing ({})", plan.method);
    Ok(plan)
}

/// The greedy nearest-school plan, built from the do-nothing plan's out-of-area pupils.
pub fn greedy(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let builds = greedy_builds(s, travel, demand, do_nothing);
    let mut plan = solve(s, travel, demand, &Options::with_builds(builds), backend)?;
    plan.method = format!("greedy ({})", plan.method);
    Ok(plan)
}

/// The new places the greedy rule funds (indices into [`candidates`] of the scenario).
pub fn greedy_builds(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
) -> Vec<Build> {
    let cands = candidates(s);
    let n_years = demand.years.len();
    let lead = s.bases.lead_time as usize;
    let min_size = if s.bases.modular {
        s.bases.min_size.max(1) as f64
    } else {
        1.0
    };
    let max_size = s.bases.max_size as f64;
    let mut site_left: Vec<f64> = s
        .schools
        .iter()
        .map(|sc| sc.max_new_places as f64)
        .collect();
    let mut base_total = vec![0.0f64; cands.len()];
    // Places already funded for each group in earlier rounds.
    let mut covered = vec![0.0f64; demand.groups.len()];
    let mut builds = Vec::new();

    for funded in 0..n_years {
        let open = funded + lead;
        if open >= n_years {
            break;
        }
        let mut budget = s.capital_budget.get(funded).copied().unwrap_or(0.0);
        let mut unmet = vec![0.0f64; demand.groups.len()];
        for p in &do_nothing.placements {
            if p.year == open && p.provision == ProvisionRef::OutOfArea {
                unmet[p.group] += p.pupils;
            }
        }
        let mut order: Vec<usize> = (0..demand.groups.len())
            .filter(|&g| unmet[g] - covered[g] >= 1.0)
            .collect();
        order.sort_by(|&a, &b| {
            (unmet[b] - covered[b])
                .total_cmp(&(unmet[a] - covered[a]))
                .then(a.cmp(&b))
        });
        for g in order {
            let grp = &demand.groups[g];
            let want = (unmet[g] - covered[g]).floor();
            let limit = s.journey.minutes(grp.phase);
            // Nearest school with a base for this need and phase that still has room.
            let best = cands
                .iter()
                .enumerate()
                .filter(|(c, cand)| {
                    cand.need == grp.need
                        && cand.phase == grp.phase
                        && travel.minutes(grp.locality, cand.school) <= limit
                        && site_left[cand.school].min(max_size - base_total[*c]) >= 1.0
                })
                .min_by(|(ca, a), (cb, b)| {
                    travel
                        .minutes(grp.locality, a.school)
                        .total_cmp(&travel.minutes(grp.locality, b.school))
                        .then(ca.cmp(cb))
                });
            let Some((c, cand)) = best else { continue };
            let capex = s.capex_per_place(&s.schools[cand.school]);
            let setup = if base_total[c] > 0.0 {
                0.0
            } else {
                setup_cost(s)
            };
            let affordable = if capex > 0.0 {
                ((budget - setup) / capex).floor()
            } else if budget >= setup {
                f64::INFINITY
            } else {
                0.0
            };
            let room = site_left[cand.school].min(max_size - base_total[c]);
            // A new base needs at least the minimum size; an existing one can grow by any amount.
            let floor = if base_total[c] > 0.0 { 1.0 } else { min_size };
            let places = want.max(floor).min(room).min(affordable);
            if places < floor {
                continue;
            }
            builds.push(Build {
                candidate: c,
                funded,
                places,
            });
            budget -= places * capex + setup;
            site_left[cand.school] -= places;
            base_total[c] += places;
            covered[g] += places;
        }
    }
    builds.sort_by_key(|b| (b.candidate, b.funded));
    builds
}
