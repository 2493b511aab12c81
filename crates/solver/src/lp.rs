//! Running a model good_lp built on microlp or HiGHS and reading its outcome as a
//! [`SolveError`] or values, shared by the allocation model and facility location.

use std::collections::HashMap;
use std::time::Duration;

use good_lp::{ProblemVariables, ResolutionError};
use microlp::TerminationReason;

use crate::backend::SolveError;

/// A HiGHS failure as a [`SolveError`]. good_lp reports HiGHS's model status by name: a limit
/// (time, iterations, memory) reached before any feasible point is `NoSolutionFound`.
#[cfg_attr(not(feature = "highs"), allow(dead_code))]
pub(crate) fn highs_error(e: ResolutionError, infeasible: &str) -> SolveError {
    match e {
        ResolutionError::Infeasible => SolveError::Infeasible(vec![infeasible.into()]),
        ResolutionError::Other("NoSolutionFound") => SolveError::TimeLimit,
        e => SolveError::Backend(e.to_string()),
    }
}

/// Column of each variable of `order` in a model built from `vars` (good_lp gives microlp its
/// variables in the order it holds them).
pub(crate) fn columns(
    vars: &ProblemVariables,
    order: &[good_lp::Variable],
) -> Result<Vec<usize>, SolveError> {
    let position: HashMap<good_lp::Variable, usize> = vars
        .iter_variables_with_def()
        .enumerate()
        .map(|(i, (v, _))| (v, i))
        .collect();
    order
        .iter()
        .map(|v| {
            position
                .get(v)
                .copied()
                .ok_or_else(|| SolveError::Backend("a variable is not in the model".into()))
        })
        .collect()
}

/// Solves a model good_lp built for microlp with microlp itself, so the outcome is read from
/// microlp's own status: an interrupted solve with no usable point is the time limit
/// ([`SolveError::TimeLimit`]), infeasibility is [`SolveError::Infeasible`] with the reason
/// `infeasible`, anything else the backend's failure. Returns the value of each column and why
/// the solve stopped.
pub(crate) fn solve_microlp(
    problem: &microlp::Problem,
    columns: &[usize],
    (time_limit, mip_gap): (Duration, f64),
    infeasible: &str,
) -> Result<(Vec<f64>, TerminationReason), SolveError> {
    let mut options = microlp::SolveOptions::default();
    options.time_limit = Some(time_limit);
    options.mip_gap = mip_gap;
    let outcome = problem.solve_with(options).map_err(|e| match e {
        microlp::Error::Infeasible => SolveError::Infeasible(vec![infeasible.into()]),
        e => SolveError::Backend(e.to_string()),
    })?;
    let solution = outcome.into_solution().map_err(|_| SolveError::TimeLimit)?;
    let all: Vec<microlp::Variable> = solution.iter().map(|(v, _)| v).collect();
    let values = columns
        .iter()
        .map(|&c| {
            all.get(c)
                .map(|&v| solution.var_value(v))
                .ok_or_else(|| SolveError::Backend("a variable is not in the solution".into()))
        })
        .collect::<Result<Vec<f64>, SolveError>>()?;
    Ok((values, solution.termination_reason()))
}
