//! Baselines that show what optimisation saves.
//!
//! "Do nothing": no new places; pupils fill existing provision within journey limits at least
//! cost and the overflow goes out of area.

use placeplan_model::forecast::Demand;
use placeplan_model::plan::Plan;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

use crate::formulation::Options;
use crate::solve::{solve, Backend, SolveError};

/// The do-nothing plan: existing provision only.
pub fn do_nothing(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let mut plan = solve(s, travel, demand, Options { new_bases: false }, backend)?;
    plan.method = format!("do-nothing ({})", plan.method);
    Ok(plan)
}
