//! Re-solving one allocation LP at other capital budgets from its last optimal basis.
//!
//! Sweep variants that differ only in their capital budgets share every other number of the
//! LP: the same variables, costs and rows, with only the right-hand sides of the budget rows
//! (constraint 5) changed. A [`Chain`] keeps the LP of the first such variant, built with
//! each budget as a free parameter variable (`spend[f] <= beta[f]`), and its microlp solution.
//! The next variant fixes each beta[f] to its own budget; microlp restores feasibility with
//! dual simplex pivots from the current basis and re-optimises, which takes a small fraction
//! of a solve from scratch. The answer is the same LP optimum (the tests compare every chained
//! objective with a fresh solve); where the LP has several optimal plans, the one reached can
//! depend on the previous budget, so the sweep forms its chains from the sweep file alone and
//! outputs stay the same at any thread count.
//!
//! Only continuous models (no modular bases) with new places to choose are chained; anything
//! else, and any failure of a warm re-solve, goes to a fresh solve.

use microlp::SolutionStatus;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Plan, SolveStatus};
use placeplan_model::Scenario;

use crate::backend::{Backend, SolveError};
use crate::extract::extract;
use crate::formulation::{
    build_model_with_budget_parameters, Arc, Index, Network, Options, Seed, SCALE,
};
use crate::replace::Kept;

/// Everything the LP is built from except the capital budgets.
#[derive(PartialEq)]
struct LpInputs {
    /// The scenario with its budgets cleared.
    scenario: Scenario,
    pupils: Vec<Vec<u32>>,
    arcs: Vec<Arc>,
    opt: Options,
}

impl LpInputs {
    fn of(s: &Scenario, demand: &Demand, net: &Network, opt: &Options) -> LpInputs {
        let mut scenario = s.clone();
        scenario.capital_budget.clear();
        LpInputs {
            scenario,
            pupils: demand.pupils.clone(),
            arcs: net.arcs.clone(),
            opt: opt.clone(),
        }
    }
}

/// The LP of the last variant of a chain and its optimal solution.
struct Warm {
    /// What the model was built from: a variant re-solves warm only if its own inputs equal
    /// these, so a chain handed a different LP solves it afresh instead of answering wrongly.
    inputs: LpInputs,
    index: Index,
    /// microlp variable of each x then y variable of `index`, in [`Index`] order.
    order: Vec<microlp::Variable>,
    /// (funding year, microlp variable) of each budget parameter.
    beta: Vec<(usize, microlp::Variable)>,
    solution: microlp::Solution,
}

/// State carried from one sweep variant to the next; start each chain with
/// [`Chain::default`]. It holds the LP of the last budget variant (this module) and the last
/// plan round and fix solved afresh, with the duals of its relaxation, which a later variant
/// keeps when they prove it within the gap on that variant's model ([`crate::solve`]).
#[derive(Default)]
pub struct Chain {
    /// Whether the chain's variants differ only in their capital budgets: only then are
    /// continuous LPs re-solved warm ([`Chain::for_budgets`]); other chains price them.
    pub(crate) budgets: bool,
    warm: Option<Warm>,
    /// Variants answered by a warm re-solve so far.
    pub warm_solves: usize,
    pub(crate) previous: Option<Previous>,
    /// Variants that kept the previous plan without round and fix so far.
    pub kept_plans: usize,
}

/// A plan round and fix solved afresh, and the duals that proved its relaxation's bound
/// (crate::pricing, one per row of that relaxation).
pub(crate) struct Previous {
    pub(crate) plan: Plan,
    pub(crate) duals: Vec<f64>,
    /// The arcs of the relaxation's last working set (crate::pricing), which seed the next
    /// one's.
    pub(crate) set: Seed,
}

/// Whether a model for this run can be chained.
pub(crate) fn chainable(s: &Scenario, opt: &Options) -> bool {
    opt.new_bases && opt.fixed_builds.is_none() && opt.open_bases.is_none() && !opt.whole_bases(s)
}

impl Chain {
    /// A chain of variants that differ only in their capital budgets, whose continuous LPs
    /// re-solve warm from the last optimal basis.
    pub fn for_budgets() -> Chain {
        Chain {
            budgets: true,
            ..Chain::default()
        }
    }

    /// Solves the LP for `s`'s budgets with microlp, warm from the chain's last solution when
    /// the LP is the same apart from its budgets.
    pub(crate) fn solve(
        &mut self,
        s: &Scenario,
        demand: &Demand,
        net: &Network,
        opt: &Options,
    ) -> Result<Plan, SolveError> {
        let inputs = LpInputs::of(s, demand, net, opt);
        if let Some(warm) = self.warm.take() {
            if warm.inputs == inputs {
                if let Some(w) = rebudget(warm, s) {
                    let plan = w.plan(demand, net);
                    self.warm = Some(w);
                    self.warm_solves += 1;
                    return Ok(plan);
                }
            }
        }
        let w = cold(s, demand, net, inputs)?;
        let plan = w.plan(demand, net);
        self.warm = Some(w);
        Ok(plan)
    }
}

impl Warm {
    fn plan(&self, demand: &Demand, net: &Network) -> Plan {
        let values: Vec<f64> = self
            .order
            .iter()
            .map(|&v| self.solution.var_value(v))
            .collect();
        let status = match self.solution.status() {
            SolutionStatus::Optimal => SolveStatus::Optimal,
            SolutionStatus::Feasible => SolveStatus::StoppedAtLimit,
        };
        extract(demand, net, &self.index, &values, status, Backend::Microlp)
    }
}

/// Fixes every budget parameter to `s`'s budget and re-optimises; None if microlp fails.
fn rebudget(mut w: Warm, s: &Scenario) -> Option<Warm> {
    for &(f, beta) in &w.beta {
        let budget = s.capital_budget.get(f).copied().unwrap_or(0.0) * SCALE;
        if !budget.is_finite() {
            return None;
        }
        w.solution = w
            .solution
            .fix_var(beta, budget)
            .ok()?
            .into_solution()
            .ok()?;
    }
    Some(w)
}

/// Builds the parameterised LP, solves it with the budgets free, then fixes them.
fn cold(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    inputs: LpInputs,
) -> Result<Warm, SolveError> {
    let Kept {
        index,
        order,
        solution,
        microlp_var,
    } = Kept::solve(
        s,
        build_model_with_budget_parameters(s, demand, net, &inputs.opt),
    )?;
    let beta = index
        .budget_params
        .iter()
        .map(|&(f, v)| (f, microlp_var(v)))
        .collect();
    let warm = Warm {
        inputs,
        index,
        order,
        beta,
        solution,
    };
    rebudget(warm, s).ok_or_else(|| SolveError::Backend("no warm solution at these budgets".into()))
}
