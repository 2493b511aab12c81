//! Solving a CFLP instance: the bounding pass, the MIP on a backend, and the checked result.

use std::time::Instant;

use good_lp::solvers::SolutionStatus;
use good_lp::{ResolutionError, Solution, SolverModel, Variable};
use microlp::TerminationReason;
use placeplan_model::domain::{clamp_time_limit, time_limit_duration};

use crate::backend::{Backend, SolveError};
use crate::lp::{columns, highs_error, solve_microlp};
use crate::whole::{snap, Near};

use super::instance::CflpInstance;
use super::lagrange::reduce;
use super::model::build;
#[cfg(feature = "highs")]
use super::model::mip_start;
use super::verify::{diagnose, verify};

/// How a CFLP solve ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CflpResult {
    /// `sum c x + sum f y`, recomputed from the returned values in the instance's units.
    pub objective: f64,
    /// `"optimal"` (proven, gap 0) or `"stopped_at_limit"` (best plan found within the limit).
    pub status: String,
    /// Wall-clock seconds for building and solving the model.
    pub seconds: f64,
    /// Open sites, 0-based, ascending.
    pub open: Vec<usize>,
    /// The Lagrangian lower bound, when the bounding pass ran.
    pub lower_bound: Option<f64>,
    /// Sites the bounds fixed open and fixed closed before the MIP.
    pub fixed_open: usize,
    pub fixed_closed: usize,
}

/// Shares within this of a whole number are snapped (simplex round-off).
const SNAP: Near = Near::Absolute(1e-7);
/// Open-site values within this of 0 or 1 count as integral (backends accept 1e-6).
const INT_TOL: f64 = 1e-5;

/// Solves the split-demand CFLP to proven optimality (gap 0) unless the time limit stops it.
/// The time limit is brought into the range `[solver] time_limit_s` accepts
/// ([`clamp_time_limit`]), so no value can make an invalid deadline.
pub fn solve_cflp(
    inst: &CflpInstance,
    backend: Backend,
    time_limit_s: f64,
) -> Result<CflpResult, SolveError> {
    let time_limit_s = clamp_time_limit(time_limit_s);
    if !backend.is_available() {
        return Err(SolveError::Unavailable(backend));
    }
    let reasons = diagnose(inst);
    if !reasons.is_empty() {
        return Err(SolveError::Infeasible(reasons));
    }
    let start = Instant::now();
    // Lagrangian bounds fix the sites they can (module lagrange); the MIP proves the rest.
    let reduction = reduce(inst);
    let all_free = vec![None; inst.sites()];
    let fixed = reduction.as_ref().map_or(&all_free[..], |r| &r.fixed[..]);
    let model = build(inst, fixed);
    let order: Vec<Variable> = model
        .y
        .iter()
        .chain(model.x.iter().flatten())
        .copied()
        .collect();
    #[cfg(feature = "highs")]
    let first_plan = reduction
        .as_ref()
        .map(|r| mip_start(&model, fixed, &r.plan))
        .unwrap_or_default();
    #[cfg(feature = "highs")]
    let has_start = !first_plan.is_empty();
    // The model is solved once: the backend takes it by value, no copy.
    let (values, status) = match backend {
        // Facility location is a MIP, not a flow: the flow backend uses microlp.
        Backend::Microlp | Backend::Flow => {
            let columns = columns(&model.vars, &order)?;
            let p = model
                .vars
                .minimise(model.objective)
                .using(good_lp::microlp)
                .with_all(model.constraints);
            // MIP gap 0: exact proof.
            let limits = (time_limit_duration(time_limit_s), 0.0);
            let (values, reason) = solve_microlp(p.as_inner(), &columns, limits, NO_OPEN_SET)?;
            let status = match reason {
                TerminationReason::ProvenOptimal | TerminationReason::MipGap => "optimal",
                _ => "stopped_at_limit",
            };
            (values, status)
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            use good_lp::WithInitialSolution;
            let mut p = model
                .vars
                .minimise(model.objective)
                .using(good_lp::highs)
                .with_initial_solution(first_plan)
                .set_time_limit(time_limit_s)
                .set_threads(1)
                .set_mip_rel_gap(0.0)
                .map_err(|e| SolveError::Backend(e.to_string()))?;
            p.set_verbose(false);
            if has_start {
                // The bounding pass's plan is the incumbent (often already optimal): HiGHS's
                // time goes to the proof, not to primal heuristics.
                p = p.set_option("mip_heuristic_effort", 0.0);
                for h in [
                    "mip_heuristic_run_feasibility_jump",
                    "mip_heuristic_run_rins",
                    "mip_heuristic_run_rens",
                    "mip_heuristic_run_root_reduced_cost",
                    "mip_heuristic_run_zi_round",
                    "mip_heuristic_run_shifting",
                ] {
                    p = p.set_option(h, false);
                }
            }
            finish(p.with_all(model.constraints).solve(), &order)?
        }
        #[cfg(not(feature = "highs"))]
        Backend::Highs => return Err(SolveError::Unavailable(backend)),
    };
    // Back to every site: fixed-closed sites are shut and serve nobody.
    let (m, k) = (inst.sites(), model.sites.len());
    let mut y = vec![0.0; m];
    for (&i, &v) in model.sites.iter().zip(&values[..k]) {
        y[i] = if (v - v.round()).abs() <= INT_TOL {
            v.round()
        } else {
            v
        };
    }
    let rows: Vec<Vec<f64>> = values[k..]
        .chunks(k.max(1))
        .take(inst.customers())
        .map(|chunk| {
            let mut row = vec![0.0; m];
            for (&i, &v) in model.sites.iter().zip(chunk) {
                row[i] = v;
            }
            row
        })
        .collect();
    let x: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
    verify(inst, &x, &y)?;
    let mut objective = 0.0;
    let mut open = Vec::new();
    for (i, &v) in y.iter().enumerate() {
        if v > 0.5 {
            open.push(i);
            objective += inst.fixed[i];
        }
    }
    for (j, row) in x.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            objective += inst.cost[j][i] * snap(v, SNAP);
        }
    }
    let (fixed_open, fixed_closed) = reduction.as_ref().map_or((0, 0), |r| r.counts());
    Ok(CflpResult {
        objective,
        status: status.to_string(),
        seconds: start.elapsed().as_secs_f64(),
        open,
        lower_bound: reduction.as_ref().map(|r| r.lower_bound),
        fixed_open,
        fixed_closed,
    })
}

/// Why an infeasible instance is infeasible, when the backend says so.
const NO_OPEN_SET: &str = "no set of open sites can serve every customer within capacity";

/// Reads a HiGHS outcome (microlp's are read by [`solve_microlp`]).
#[cfg_attr(not(feature = "highs"), allow(dead_code))]
fn finish<S: Solution>(
    r: Result<S, ResolutionError>,
    order: &[Variable],
) -> Result<(Vec<f64>, &'static str), SolveError> {
    match r {
        Ok(sol) => {
            let status = match sol.status() {
                SolutionStatus::Optimal | SolutionStatus::GapLimit => "optimal",
                SolutionStatus::TimeLimit => "stopped_at_limit",
            };
            Ok((order.iter().map(|v| sol.value(*v)).collect(), status))
        }
        Err(e) => Err(highs_error(e, NO_OPEN_SET)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sites (cap 10, fixed 5 and 100) and two customers of demand 6: site 1 cannot hold
    /// both, so the optimum opens both or splits. Costs make the split worth reasoning about:
    /// open {1,2}: 5 + 100 + best assignment; open {2} alone: 100 + cost via 2 only.
    #[test]
    fn solves_a_hand_worked_split() {
        let inst = CflpInstance {
            name: "hand".into(),
            capacity: vec![10.0, 12.0],
            fixed: vec![5.0, 100.0],
            demand: vec![6.0, 6.0],
            // Serving either customer wholly from site 1 costs 6, from site 2 costs 60.
            cost: vec![vec![6.0, 60.0], vec![6.0, 60.0]],
        };
        // Open both: site 1 takes 10 of the 12 units (shares summing to 10/6), site 2 the
        // remaining 2/6 of a customer: 5 + 100 + 6*(10/6) + 60*(2/6) = 135.
        // Open site 2 only: 100 + 120 = 220. Site 1 alone is infeasible (10 < 12).
        let r = solve_cflp(&inst, Backend::Microlp, 10.0).map_err(|e| e.to_string());
        let r = r.map(|r| ((r.objective * 1e6).round() / 1e6, r.status, r.open));
        assert_eq!(r, Ok((135.0, "optimal".to_string(), vec![0, 1])));
    }
}
