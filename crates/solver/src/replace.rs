//! Placing pupils again on builds that shrink, warm from the last placement.
//!
//! Round and fix (`crate::round`) places every pupil on its whole builds, then tries local
//! changes that each take places away (a new school dropped, an expansion's last class given
//! back) and places every pupil again to cost each one. With stability the placement is an LP
//! for microlp (cohorts use capacity in several years), the same LP each time but for the
//! capacities of the changed builds. A [`Replacer`] builds it once with each built candidate's
//! capacity in each year as a parameter kappa[c,t] in [0, its capacity on the first builds]
//! (`formulation::build_placement_with_capacity_parameters`), and places pupils on smaller
//! builds by fixing the parameters that change; microlp restores feasibility with dual simplex
//! pivots from the last basis, a fraction of a solve from scratch. The answer is the placement
//! LP's optimum on those builds (the tests compare it with a fresh solve); where that LP has
//! several optimal placements the one reached may differ, but the sequence of builds, and so
//! the plan, depends only on the inputs. Builds that do not fit the parameters' ranges (more
//! places than the first builds somewhere), and any failure of a warm re-solve, are placed by a
//! fresh solve.

use std::collections::HashMap;

use good_lp::SolverModel;
use microlp::SolutionStatus;
use placeplan_model::capacity::pupils_in;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Build, Plan, SolveStatus};
use placeplan_model::Scenario;

use crate::backend::{Backend, SolveError};
use crate::extract::extract;
use crate::formulation::{
    build_placement_with_capacity_parameters, fixed_capital, Index, Model, Network,
};
use crate::solve::setup_costs;

/// The placement LP of the first builds and its last solution.
pub(crate) struct Replacer {
    net: Network,
    kept: Kept,
    /// (candidate, year) -> (microlp variable of kappa, its upper bound, its value now).
    kappa: HashMap<(usize, usize), (microlp::Variable, f64, f64)>,
}

/// Pupils each candidate's new places take in each plan year with these builds.
fn capacities(s: &Scenario, net: &Network, n_years: usize, builds: &[Build]) -> Vec<Vec<f64>> {
    let mut places = vec![vec![0.0f64; n_years]; net.candidates.len()];
    for b in builds {
        let lead = s.build_rules(net.candidates[b.candidate].kind).lead_time as usize;
        for p in places[b.candidate].iter_mut().skip(b.funded + lead) {
            *p += b.places;
        }
    }
    places
        .into_iter()
        .map(|row| row.into_iter().map(|p| pupils_in(s, p)).collect())
        .collect()
}

/// microlp's variable for a variable of the model it was given.
pub(crate) type VarMap = Box<dyn Fn(good_lp::Variable) -> microlp::Variable>;

/// A model solved by microlp with its solution kept for warm re-solves.
pub(crate) struct Kept {
    pub(crate) index: Index,
    /// microlp variable of each x then y variable of `index`, in [`Index`] order.
    pub(crate) order: Vec<microlp::Variable>,
    pub(crate) solution: microlp::Solution,
    /// microlp's variable for any variable of the model.
    pub(crate) microlp_var: VarMap,
}

impl Kept {
    /// Solves `model` with microlp within the scenario's time limit. A solve stopped at the
    /// limit keeps its feasible point (its status says so); no point at all is
    /// [`SolveError::TimeLimit`], any other failure the backend's.
    pub(crate) fn solve(s: &Scenario, model: Model) -> Result<Self, SolveError> {
        // The model is solved once (later edits re-solve microlp's solution), so microlp takes
        // the LP itself, no copy.
        let Model { lp, index } = model;
        let position: HashMap<good_lp::Variable, usize> = lp
            .vars
            .iter_variables_with_def()
            .enumerate()
            .map(|(i, (v, _))| (v, i))
            .collect();
        let p = lp
            .vars
            .minimise(lp.objective)
            .using(good_lp::microlp)
            .with_all(lp.constraints);
        let mut options = microlp::SolveOptions::default();
        options.time_limit = Some(s.solver.time_limit());
        let solution = p
            .as_inner()
            .solve_with(options)
            .map_err(|e| SolveError::Backend(e.to_string()))?
            .into_solution()
            .map_err(|_| SolveError::TimeLimit)?;
        let all: Vec<microlp::Variable> = solution.iter().map(|(v, _)| v).collect();
        Ok(Kept::new(index, solution, move |v| all[position[&v]]))
    }

    /// A kept solution of the model `index` reads, with microlp's variable for each of its
    /// variables.
    pub(crate) fn new(
        index: Index,
        solution: microlp::Solution,
        microlp_var: impl Fn(good_lp::Variable) -> microlp::Variable + 'static,
    ) -> Kept {
        let order = index
            .x
            .iter()
            .map(|x| x.var)
            .chain(index.y.iter().map(|t| t.2))
            .map(&microlp_var)
            .collect();
        Kept {
            index,
            order,
            solution,
            microlp_var: Box::new(microlp_var),
        }
    }

    /// [`Kept::solve`], only an optimal solution.
    pub(crate) fn solve_optimal(s: &Scenario, model: Model) -> Option<Self> {
        Kept::solve(s, model)
            .ok()
            .filter(|k| k.solution.status() == SolutionStatus::Optimal)
    }

    /// The plan of the kept solution when it is optimal (its cost is then its own bound).
    pub(crate) fn optimal_plan(&self, demand: &Demand, net: &Network) -> Option<Plan> {
        if self.solution.status() != SolutionStatus::Optimal {
            return None;
        }
        let mut plan = extract(
            demand,
            net,
            &self.index,
            &self.values(),
            SolveStatus::Optimal,
            Backend::Microlp,
        );
        plan.bound = Some(plan.objective);
        Some(plan)
    }

    /// The values of the x then y variables in the kept solution.
    pub(crate) fn values(&self) -> Vec<f64> {
        self.order
            .iter()
            .map(|&v| self.solution.var_value(v))
            .collect()
    }
}

impl Replacer {
    /// Builds and solves the placement LP on `builds` (the network built with them as fixed
    /// builds); None when microlp cannot solve it (the caller then solves afresh).
    pub(crate) fn new(
        s: &Scenario,
        demand: &Demand,
        net: Network,
        opt: &crate::formulation::Options,
    ) -> Option<(Replacer, Plan)> {
        let builds = opt.fixed_builds.clone()?;
        let model = build_placement_with_capacity_parameters(s, demand, &net, opt);
        let kept = Kept::solve_optimal(s, model)?;
        let caps = capacities(s, &net, demand.years.len(), &builds);
        let kappa = kept
            .index
            .capacity_params
            .iter()
            .map(|&(c, t, v)| ((c, t), ((kept.microlp_var)(v), caps[c][t], caps[c][t])))
            .collect();
        let r = Replacer { net, kept, kappa };
        let plan = r.plan(s, demand, &builds)?;
        Some((r, plan))
    }

    /// Places every pupil on `builds`, warm from the last placement; None when the builds do
    /// not fit the parameters' ranges or microlp fails (the Replacer is then spent).
    pub(crate) fn place(
        mut self,
        s: &Scenario,
        demand: &Demand,
        builds: &[Build],
    ) -> Option<(Replacer, Plan)> {
        let caps = capacities(s, &self.net, demand.years.len(), builds);
        // Every capacity must be a parameter within its range, or zero where there is none.
        for (c, row) in caps.iter().enumerate() {
            for (t, &cap) in row.iter().enumerate() {
                match self.kappa.get(&(c, t)) {
                    Some(&(_, max, _)) if cap <= max => {}
                    None if cap == 0.0 => {}
                    _ => return None,
                }
            }
        }
        let mut changes: Vec<((usize, usize), f64)> = self
            .kappa
            .iter()
            .filter(|(&(c, t), &(_, _, now))| caps[c][t] != now)
            .map(|(&key, _)| (key, caps[key.0][key.1]))
            .collect();
        changes.sort_by_key(|(key, _)| *key);
        for (key, cap) in changes {
            let entry = self.kappa.get_mut(&key)?;
            self.kept.solution = self
                .kept
                .solution
                .fix_var(entry.0, cap)
                .ok()?
                .into_solution()
                .ok()?;
            entry.2 = cap;
        }
        let plan = self.plan(s, demand, builds)?;
        Some((self, plan))
    }

    /// The plan of the current solution on `builds` (None unless optimal): placements from the
    /// LP; capital and set-up costs of the builds added as the fixed-build model adds them.
    fn plan(&self, s: &Scenario, demand: &Demand, builds: &[Build]) -> Option<Plan> {
        let mut plan = self.kept.optimal_plan(demand, &self.net)?;
        // The plan carries the first builds' capital; these builds' replaces it.
        plan.objective -= self.kept.index.constant;
        plan.objective += fixed_capital(s, &self.net.candidates, builds, demand.years.len());
        plan.builds = builds.to_vec();
        plan.builds.sort_by_key(|b| (b.candidate, b.funded));
        plan.objective += setup_costs(s, &plan);
        plan.bound = Some(plan.objective);
        Some(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formulation::{build_network, Options};
    use crate::solve::solve;
    use placeplan_model::domain::*;
    use placeplan_model::forecast::DemandGroup;
    use placeplan_model::plan::{candidates, ProvisionRef};
    use placeplan_model::travel::TravelMatrix;

    /// Special school S (10 primary places) at locality A, mainstream M (a base host) at B;
    /// 12 ASD primary pupils from A already in special schools, 8 from B in independent ones;
    /// demand 14 from A and 12 from B in each of 3 years; stability on.
    fn case() -> (Scenario, Demand) {
        let primary = PhaseSet::default().with(Phase::Primary);
        let school = |id: &str, kind, lon| School {
            id: id.into(),
            name: id.into(),
            kind,
            phases: primary,
            lat: 53.4,
            lon,
            can_host_base: kind == SchoolKind::Mainstream,
            max_new_places: if kind == SchoolKind::Mainstream {
                20
            } else {
                0
            },
            capex_per_place: None,
            place_cost: None,
            ages: None,
            gender: SchoolGender::Mixed,
            selective: false,
        };
        let locality = |id: &str, lon| Locality {
            id: id.into(),
            name: id.into(),
            lat: 53.4,
            lon,
        };
        let history = |locality, provision, count| HistoryCell {
            year: 2025,
            locality,
            age: 8,
            need: Need::Asd,
            provision,
            count,
        };
        let s = Scenario {
            name: "replace".into(),
            base_year: 2025,
            horizon: 3,
            capital_budget: vec![1e9; 3],
            localities: vec![locality("A", -3.0), locality("B", -2.9)],
            schools: vec![
                school("S", SchoolKind::Special, -3.0),
                school("M", SchoolKind::Mainstream, -2.9),
            ],
            provisions: vec![ExistingProvision {
                school: 0,
                needs: NeedSet::all(),
                phase: Phase::Primary,
                places: 10,
                other_la_pupils: 0,
            }],
            history: vec![
                history(0, ProvisionKind::Special, 12.0),
                history(1, ProvisionKind::Independent, 8.0),
            ],
            ..Scenario::default()
        };
        let groups = (0..2)
            .map(|locality| DemandGroup {
                locality,
                need: Need::Asd,
                phase: Phase::Primary,
            })
            .collect();
        let demand = Demand {
            years: vec![2026, 2027, 2028],
            groups,
            pupils: vec![vec![14, 12]; 3],
        };
        (s, demand)
    }

    /// Warm placements on shrinking builds cost what fresh solves of the same builds cost, and
    /// builds larger than the first are left to a fresh solve.
    #[test]
    fn warm_placements_match_fresh_solves() {
        let (s, demand) = case();
        assert!(s.solver.stability);
        let travel = TravelMatrix::build(&s);
        let base = candidates(&s)
            .iter()
            .position(|c| c.school == 1 && c.need == Need::Asd)
            .unwrap();
        let build = |places: f64| Build {
            candidate: base,
            funded: 0,
            places,
        };
        let fresh = |builds: Vec<Build>| {
            solve(
                &s,
                &travel,
                &demand,
                &Options::with_builds(builds),
                Backend::Microlp,
            )
            .unwrap()
            .objective
        };
        let opt = Options::with_builds(vec![build(16.0)]);
        let net = build_network(&s, &travel, &demand, &opt);
        let (r, first) = Replacer::new(&s, &demand, net, &opt).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-7 * b.abs().max(1.0);
        assert!(close(first.objective, fresh(vec![build(16.0)])));
        let mut r = r;
        for places in [12.0, 9.0, 14.0] {
            let (next, plan) = r.place(&s, &demand, &[build(places)]).unwrap();
            assert!(
                close(plan.objective, fresh(vec![build(places)])),
                "{places}: {} vs {}",
                plan.objective,
                fresh(vec![build(places)])
            );
            assert!(placeplan_model::check(&s, &travel, &demand, &plan).passed());
            assert!(plan
                .placements
                .iter()
                .any(|p| p.provision == ProvisionRef::NewBase(base)));
            r = next;
        }
        assert!(r.place(&s, &demand, &[build(17.0)]).is_none());
    }

    /// The relaxation with the chosen units open, re-solved warm from the kept relaxation
    /// (`solve::restrict_kept`), costs what a fresh solve of that model costs.
    #[test]
    fn warm_restricted_relaxation_matches_a_fresh_solve() {
        let (mut s, demand) = case();
        s.bases.modular = true;
        s.bases.min_size = 14;
        let travel = TravelMatrix::build(&s);
        let relax = Options {
            relax_whole_bases: true,
            ..Options::optimise()
        };
        let net = build_network(&s, &travel, &demand, &relax);
        let kept = Kept::solve(
            &s,
            crate::formulation::build_model(&s, &demand, &net, &relax),
        )
        .unwrap();
        let relaxed = extract(
            &demand,
            &net,
            &kept.index,
            &kept.values(),
            SolveStatus::Optimal,
            Backend::Microlp,
        );
        let mut open: Vec<usize> = relaxed.builds.iter().map(|b| b.candidate).collect();
        open.dedup();
        assert_eq!(open.len(), 1, "{:?}", relaxed.builds);
        // The relaxation uses fewer places than the minimum of 14.
        assert!(relaxed.new_places() < 14.0, "{}", relaxed.new_places());
        let warm = crate::solve::restrict_kept(&s, &demand, kept, &net, &open).unwrap();
        let restrict = Options {
            open_bases: Some(open),
            ..relax
        };
        let fresh = solve(&s, &travel, &demand, &restrict, Backend::Microlp).unwrap();
        assert!(
            (warm.objective - fresh.objective).abs() <= 1e-7 * fresh.objective,
            "{} vs {}",
            warm.objective,
            fresh.objective
        );
        assert!((warm.new_places() - 14.0).abs() < 1e-6, "{:?}", warm.builds);
    }
}
