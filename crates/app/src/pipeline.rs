//! One planning run from a forecast: demand -> optimise -> independent check -> costs ->
//! baselines -> summary. Used by `plan` and by every sweep variant, so both behave the same.

use placeplan_model::error::{Code, CodedError};
use placeplan_model::finance::{cost_plan, Costing};
use placeplan_model::forecast::{Demand, Forecast};
use placeplan_model::plan::Plan;
use placeplan_model::summary::Summary;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

use placeplan_model::check::check;
use placeplan_solver::baseline;
use placeplan_solver::formulation::Options;
use placeplan_solver::solve::{solve_chained, Backend, SolveError};
use placeplan_solver::warm::BudgetChain;

/// Why a run produced no plan. Each kind has a stable code ([`RunError::code`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The scenario has no feasible plan; the text says why.
    #[error("{0}")]
    Infeasible(String),
    /// The solver produced a plan that failed the independent check (never written).
    #[error("the plan failed the independent check and was not written:\n  {}", .0.join("\n  "))]
    CheckFailed(Vec<String>),
    /// Any other solver failure.
    #[error("{0}")]
    Solver(SolveError),
}

impl RunError {
    /// The stable error code of this outcome (docs/errors.md).
    pub fn code(&self) -> Code {
        match self {
            RunError::Infeasible(_) => Code::NoFeasiblePlan,
            RunError::CheckFailed(_) => Code::CheckFailed,
            RunError::Solver(e) => e.code(),
        }
    }

    /// The error with its code, printed as `CODE message` and a hint.
    pub fn coded(&self) -> CodedError {
        CodedError::new(self.code(), self.to_string())
    }
}

impl From<SolveError> for RunError {
    fn from(e: SolveError) -> Self {
        match e {
            SolveError::Infeasible(_) => RunError::Infeasible(e.to_string()),
            other => RunError::Solver(other),
        }
    }
}

/// A checked plan with its costs and baselines.
#[derive(Debug, Clone)]
pub struct Run {
    pub demand: Demand,
    pub plan: Plan,
    pub costing: Costing,
    pub summary: Summary,
    /// The do-nothing baseline and its costs, when it solved and passed the check.
    pub do_nothing: Option<(Plan, Costing)>,
    /// The greedy nearest-school baseline and its costs, when it solved and passed the check.
    pub greedy: Option<(Plan, Costing)>,
}

/// Plans for `forecast`, checks the plan and costs it; with `baselines`, also solves and checks
/// the do-nothing and greedy plans for comparison.
pub fn plan_run(
    s: &Scenario,
    forecast: &Forecast,
    travel: &TravelMatrix,
    backend: Backend,
    baselines: bool,
) -> Result<Run, RunError> {
    plan_run_chained(s, forecast, travel, backend, baselines, None)
}

/// [`plan_run`] within a budget chain (see [`placeplan_solver::warm`]).
pub fn plan_run_chained(
    s: &Scenario,
    forecast: &Forecast,
    travel: &TravelMatrix,
    backend: Backend,
    baselines: bool,
    chain: Option<&mut BudgetChain>,
) -> Result<Run, RunError> {
    let demand = forecast.specialist_demand(s.localities.len());
    let plan = solve_chained(s, travel, &demand, &Options::optimise(), backend, chain)?;
    let report = check(s, travel, &demand, &plan);
    if !report.passed() {
        return Err(RunError::CheckFailed(report.violations));
    }
    let costing = cost_plan(s, travel, &demand, &plan);
    let mut summary = Summary::new(s, &demand, &plan, &costing, report.checked, forecast.trend);
    let mut do_nothing = None;
    let mut greedy = None;
    if baselines {
        // Each baseline is a feasible plan, checked like the optimised one before it is compared.
        if let Ok(dn) = baseline::do_nothing(s, travel, &demand, backend) {
            if check(s, travel, &demand, &dn).passed() {
                let dn_cost = cost_plan(s, travel, &demand, &dn);
                summary = summary.with_do_nothing(&costing, &dn_cost);
                if let Ok(g) = baseline::greedy(s, travel, &demand, &dn, backend) {
                    if check(s, travel, &demand, &g).passed() {
                        let g_cost = cost_plan(s, travel, &demand, &g);
                        summary = summary.with_greedy(&g_cost, g.new_places());
                        greedy = Some((g, g_cost));
                    }
                }
                do_nothing = Some((dn, dn_cost));
            }
        }
    }
    Ok(Run {
        demand,
        plan,
        costing,
        summary,
        do_nothing,
        greedy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: every solver failure collapsed into a string with no code; a plan that failed
    /// the check looked like an input error. Each outcome now has its own stable code and
    /// prints as `CODE message` with the code's hint.
    #[test]
    fn every_solver_failure_has_a_stable_code() {
        let cases = [
            (
                RunError::from(SolveError::TimeLimit),
                "E501 the solver stopped at its time limit before finding any plan",
            ),
            (
                RunError::from(SolveError::Backend("Singular matrix".into())),
                "E502 solver error: Singular matrix",
            ),
            (
                RunError::CheckFailed(vec!["year 2026: group 3 placed 4 of 5".into()]),
                "E503 the plan failed the independent check and was not written:\n  year 2026: group 3 placed 4 of 5",
            ),
            (
                RunError::from(SolveError::CheckFailed(vec!["site 1 open = 0.5".into()])),
                "E503 the solver's answer failed the independent check:\n  site 1 open = 0.5",
            ),
            (
                RunError::from(SolveError::Unavailable(placeplan_solver::Backend::Highs)),
                "E504 backend highs is not in this build (rebuild with `--features highs`)",
            ),
            (
                RunError::from(SolveError::Infeasible(vec!["no room".into()])),
                "E505 no feasible plan:\n  no room",
            ),
        ];
        for (e, shown) in cases {
            let hint = e.code().hint();
            assert_eq!(e.coded().to_string(), format!("{shown}\n    hint: {hint}"));
        }
    }
}
