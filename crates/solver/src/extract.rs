//! Turning the values a backend returns for the allocation model into a [`Plan`].

use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Build, Placement, Plan, SolveStatus};

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
    let mut placements = Vec::new();
    let mut objective = 0.0;
    for (i, &(arc, year, _)) in model.x.iter().enumerate() {
        let v = snap(values[i], WITHIN);
        if v <= 0.0 {
            continue;
        }
        objective += model.x_cost[i] * v;
        let a = net.arcs[arc];
        placements.push(Placement {
            year,
            group: a.group,
            provision: a.provision,
            pupils: v,
        });
    }
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
    placements.sort_by_key(|p| (p.year, p.group, p.provision));
    builds.sort_by_key(|b| (b.candidate, b.funded));
    Plan {
        years: demand.years.clone(),
        candidates: net.candidates.clone(),
        builds,
        placements,
        objective: objective + model.constant,
        status,
        method: backend.name().to_string(),
    }
}
