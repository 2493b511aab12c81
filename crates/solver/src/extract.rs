//! Turning the values a backend returns for the allocation model into a [`Plan`].

use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Build, Move, Placement, Plan, ProvisionRef, SolveStatus};

use crate::backend::Backend;
use crate::formulation::{Index, Network};
use crate::whole::{snap, Near};

/// Values within this of a whole number are snapped to it (simplex round-off).
const WITHIN: Near = Near::Absolute(1e-7);

/// Turns a backend's values (x then y variables, in [`Index`] order) into a [`Plan`].
pub(crate) fn extract(
    demand: &Demand,
    net: &Network,
    model: &Index,
    values: &[f64],
    status: SolveStatus,
    backend: Backend,
) -> Plan {
    let nx = model.x.len();
    // Pupils per (year, group, provision), summed over the cohorts present.
    let mut by_year: std::collections::BTreeMap<(usize, usize, ProvisionRef), f64> =
        Default::default();
    // Pupils brought back per (year, group, from, to).
    let mut moved: std::collections::BTreeMap<(usize, usize, ProvisionRef, ProvisionRef), f64> =
        Default::default();
    let mut objective = 0.0;
    for (i, xv) in model.x.iter().enumerate() {
        let v = snap(values[i], WITHIN);
        if v <= 0.0 {
            continue;
        }
        objective += model.x_cost[i] * v;
        for t in xv.first..=xv.last {
            *by_year.entry((t, xv.group, xv.at(t))).or_default() += v;
        }
        if let Some((away, m)) = xv.from {
            *moved.entry((m, xv.group, away, xv.provision)).or_default() += v;
        }
    }
    let moves: Vec<Move> = moved
        .into_iter()
        .map(|((year, group, from, to), pupils)| Move {
            year,
            group,
            from,
            to,
            pupils: snap(pupils, WITHIN),
        })
        .collect();
    let placements: Vec<Placement> = by_year
        .into_iter()
        .map(|((year, group, provision), pupils)| Placement {
            year,
            group,
            provision,
            pupils: snap(pupils, WITHIN),
        })
        .collect();
    let mut builds = Vec::new();
    for (j, &(c, funded, _)) in model.y.iter().enumerate() {
        let v = snap(values[nx + j], WITHIN);
        if v <= 0.0 {
            continue;
        }
        objective += model.y_cost[j] * v;
        builds.push(Build {
            candidate: c,
            funded,
            places: v,
        });
    }
    builds.sort_by_key(|b| (b.candidate, b.funded));
    Plan {
        years: demand.years.clone(),
        candidates: net.candidates.clone(),
        builds,
        placements,
        moves,
        objective: objective + model.constant,
        bound: None,
        status,
        method: backend.name().to_string(),
    }
}
