//! The LPs of the allocation model with stability solved on a working set of arcs, the rest
//! priced in: round and fix's relaxations and every placement on given builds.
//!
//! Most of their columns are arcs from cohorts to provision, and an optimum uses few of them:
//! each cohort's nearest. So an LP is solved on a working set (every column outside the
//! cohorts, every arc without a capacity, and each cohort's [`NEAREST_CANDIDATES`] cheapest
//! arcs to candidates and [`NEAREST`] cheapest to other provision with a capacity) by Clarabel
//! (an interior-point method)
//! for the dual values microlp does not give. Those duals price every arc left out and prove a
//! lower bound on the whole LP, by Lagrangian duality, whatever their accuracy:
//!
//!   L(mu) = sum_q n_q min_{j in q} (c_j + a_j mu) - b mu + sum_{j in no cohort} min over
//!   the column's bounds of (c_j + a_j mu) x_j,
//!
//! with mu >= 0 the duals of the `<=` rows (clamped), c_j + a_j mu a column's cost priced at
//! mu, n_q the pupils of cohort q (its row of constraint 1; every cohort column is in one such
//! row with coefficient 1) and the minimum over all of q's arcs, those left out included.
//! Until L(mu) reaches the working set's optimum (to [`PROVEN`]; [`ROUNDING`] for round and
//! fix's relaxations), the arcs whose priced cost
//! undercuts their cohort's best in the working set join it and Clarabel solves again. Its
//! last solution, an interior point of the optimal face, is positive on every column positive
//! at any optimum; microlp solves only those columns for a vertex, optimal for the whole LP
//! when its cost is within that tolerance of L(mu). Round and fix's relaxations, which are
//! only rounded, take Clarabel's solution itself as their plan, with no vertex. Any failure (a solver error, a column with no
//! finite bound that prices negative, [`MAX_ROUNDS`] rounds, no such vertex) leaves the LP to
//! the caller's full solve.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};
use microlp::SolutionStatus;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Plan, ProvisionRef, SolveStatus};
use placeplan_model::rng::SplitMix64;
use placeplan_model::Scenario;
use rustc_hash::FxHashMap;

use crate::export::{flatten_parts, Flat, Sense};
use crate::extract::extract;
use crate::formulation::{build_model, ArcKey, Index, Network, Options, XVar, SCALE};
use crate::replace::Kept;
use crate::Backend;

/// Arcs to provision with a capacity other than candidates each cohort starts with in the
/// working set, its cheapest. With 8 a placement's working set is most of its model, which
/// Clarabel solves in about 0.15 s on the demo and proves in one round or two; fewer take
/// more rounds.
const NEAREST: usize = 8;

/// Arcs to candidates each cohort starts with in the working set, its cheapest: each holds the
/// relaxation's set down (a cohort has many), and a candidate's places come to it as its arcs
/// price in. The synthetic ward instance took 2-4 rounds whether 1, 2, 4, 8 or 16.
const NEAREST_CANDIDATES: usize = 2;

/// Rounds of pricing before the LP is left to a full solve.
const MAX_ROUNDS: usize = 20;

/// Relative shortfall of the Lagrangian bound below the working set's optimum taken as
/// proof that no arc left out improves on it.
const PROVEN: f64 = 1e-7;

/// The shortfall that ends the rounds on round and fix's relaxations, whose optimum is only
/// rounded: their bound is then at most 0.05% below the relaxation's optimum, against round
/// and fix's own gap of 0.2-0.4% (the demo, the synthetic instances), and a round is saved
/// where the last arcs to price in move the bound by less (the synthetic ward instance:
/// 2e-4 after its second round, whose third took 0.5 s). The bound stays proven: L(mu) is a
/// lower bound for any mu.
const ROUNDING: f64 = 5e-4;

/// The LP `opt` of `net` solved by pricing ([`Priced`]; the kept solution's index holds only
/// the columns microlp solved). None when pricing cannot answer; the caller then solves the
/// whole LP.
pub(crate) fn solve_priced(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
) -> Option<Priced> {
    solve_priced_from(s, demand, net, opt, NEAREST)
}

/// [`solve_priced`] starting each cohort with its `nearest` cheapest arcs with a capacity
/// other than to candidates, and at most [`NEAREST_CANDIDATES`] of its cheapest to them, and
/// every arc of `opt`'s seed ([`Options::seed`]: arcs that priced in for a related LP most
/// likely price in here, and any set proves the same optimum).
fn solve_priced_from(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
    nearest: usize,
) -> Option<Priced> {
    let model = build_model(s, demand, net, opt);
    let (flat, col_of) = flatten_parts(&model.lp, &model.index);
    let shape = Shape::of(&flat)?;
    let index = model.index;
    let cost = flat.costs();
    let solve_cost = tie_broken(&cost, &index, &col_of);
    // Which columns are arcs to candidates.
    let mut to_candidate = vec![false; flat.columns.len()];
    for xv in &index.x {
        if let ProvisionRef::NewBase(_) = xv.provision {
            to_candidate[col_of[&xv.var]] = true;
        }
    }
    let mut in_set = working_set(&flat, &shape, &cost, &to_candidate, nearest);
    if let Some(seed) = &opt.seed.0 {
        for xv in &index.x {
            if seed.contains(&xv.key()) {
                in_set[col_of[&xv.var]] = true;
            }
        }
    }
    // Round and fix's relaxations are proved to [`ROUNDING`], every other LP to [`PROVEN`].
    let tolerance = if opt.relax_whole_bases {
        ROUNDING
    } else {
        PROVEN
    };
    let problem = Problem {
        tolerance,
        // A relaxation's first round on a working set not seeded is most likely followed by
        // another (its arcs price in): its duals are only needed to price them.
        rough_first: opt.relax_whole_bases && opt.seed.0.is_none() && opt.open_bases.is_none(),
        flat: &flat,
        shape: &shape,
        cost: &cost,
        solve_cost: &solve_cost,
        year_rows: &index.year_rows,
    };
    let Rounds {
        bound,
        tie_bound,
        mu,
        set,
        x,
    } = price(s, &problem, &mut in_set)?;
    let last_set: HashSet<ArcKey> = {
        let mut last = vec![false; in_set.len()];
        for &j in &set {
            last[j] = true;
        }
        index
            .x
            .iter()
            .filter(|xv| last[col_of[&xv.var]])
            .map(XVar::key)
            .collect()
    };
    // Round and fix's relaxations are only rounded (crate::round): Clarabel's solution, an
    // optimum to its tolerance (of the costs with ties broken, which have one), is their plan.
    // microlp's vertex is found for the LPs whose plans place pupils.
    if opt.relax_whole_bases {
        let mut value = vec![0.0; flat.columns.len()];
        for (&j, &v) in set.iter().zip(&x) {
            value[j] = if v > IN_SUPPORT { v } else { 0.0 };
        }
        let values: Vec<f64> = index
            .x
            .iter()
            .map(|xv| value[col_of[&xv.var]])
            .chain(index.y.iter().map(|&(_, _, v)| value[col_of[&v]]))
            .collect();
        let mut plan = extract(
            demand,
            net,
            &index,
            &values,
            SolveStatus::Optimal,
            Backend::Flow,
        );
        // Clarabel's point is feasible only to its tolerance, so its cost bounds nothing: the
        // bound is L(mu) alone.
        let bound = bound / SCALE + index.constant;
        plan.bound = Some(bound);
        return Some(Priced {
            plan,
            bound,
            duals: mu,
            set: Arc::new(last_set),
        });
    }
    // microlp finds a vertex of the optimal face on the columns of Clarabel's solution
    // (an interior point of that face: every column positive at some optimum is positive in
    // it), a fraction of the working set; on the whole working set when that is not optimal.
    let support: Vec<usize> = set
        .iter()
        .zip(&x)
        .filter(|&(_, &v)| v > IN_SUPPORT)
        .map(|(&j, _)| j)
        .collect();
    let proven = |z: f64| tie_bound >= z - tolerance * z.abs();
    let mut sub = support;
    let mut solved = microlp_solve(s, (&flat, &solve_cost), &sub)
        .filter(|(solution, _)| proven(solution.objective()));
    if solved.is_none() {
        sub = set;
        solved = microlp_solve(s, (&flat, &solve_cost), &sub)
            .filter(|(solution, _)| proven(solution.objective()));
    }
    let (solution, vars) = solved?;
    let z = solution.objective();
    let constant = index.constant;
    let mut plan = kept(index, &col_of, &sub, solution, vars).optimal_plan(demand, net)?;
    let bound = (bound.min(z) / SCALE + constant).min(plan.objective);
    plan.bound = Some(bound);
    Some(Priced {
        plan,
        bound,
        duals: mu,
        set: Arc::new(last_set),
    })
}

/// A lower bound on the LP `opt` of `net`, in pounds, at duals `mu` carried from another
/// model of the same shape (a sweep's previous variant, whose [`Priced::duals`] they are):
/// L(mu) of the module docs is a lower bound for any mu >= 0, whatever model mu came from, so
/// the bound is proven whichever rows the duals were worked out for; it is only weaker the
/// further they are from this model's own. The capacity rows' duals are raised for this
/// model's costs first ([`raise_capacity_duals`]). None when `mu` has another number of rows
/// than the model, or the model is not one pricing can bound.
pub(crate) fn bound_at(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
    mu: &[f64],
) -> Option<f64> {
    let model = build_model(s, demand, net, opt);
    let (flat, _) = flatten_parts(&model.lp, &model.index);
    if flat.rows.len() != mu.len() {
        return None;
    }
    let shape = Shape::of(&flat)?;
    let cost = flat.costs();
    // The bound needs mu >= 0 on the `<=` rows (the only rows it prices).
    let mut mu: Vec<f64> = mu
        .iter()
        .map(|&m| if m.is_finite() { m.max(0.0) } else { 0.0 })
        .collect();
    raise_capacity_duals(&flat, &shape, &cost, &mut mu);
    let priced = priced_costs(&flat, &cost, &mu);
    let bound = lagrangian_bound(&flat, &shape, &priced, &mu)?;
    bound
        .is_finite()
        .then(|| bound / SCALE + model.index.constant)
}

/// Each column's cost raised by less than [`TIE_BREAK`] (model units), by a hash of what the
/// column is (its cohort's group, years and provision; a candidate and year), so that the LP
/// microlp and Clarabel solve has one optimum where the model has several of equal cost
/// (places split between two needs of one school, pupils between two schools at the same
/// cost), and rows that do not bind no longer choose between them: a capital budget raised
/// beyond what the plan spends leaves the plan as it was. The bound L(mu) and the plan's
/// costs use the costs themselves; the optimum moves by at most the pupils and places times
/// [`TIE_BREAK`] (a few pounds on the demo). The hash is [`fraction`]'s, the same on every
/// build.
fn tie_broken(
    cost: &[f64],
    index: &Index,
    col_of: &FxHashMap<good_lp::Variable, usize>,
) -> Vec<f64> {
    let place = |p: ProvisionRef| match p {
        ProvisionRef::Existing(k) => 4 * k as u64,
        ProvisionRef::NewBase(c) => 4 * c as u64 + 1,
        ProvisionRef::OutOfArea => 2,
        ProvisionRef::Elsewhere(g) => 4 * g as u64 + 3,
    };
    let mut out = cost.to_vec();
    for xv in &index.x {
        let (away, from) = xv
            .from
            .map_or((u64::MAX, u64::MAX), |(a, m)| (place(a), m as u64));
        let what = [
            0,
            xv.group as u64,
            place(xv.provision),
            xv.first as u64,
            xv.last as u64,
            away,
            from,
        ];
        out[col_of[&xv.var]] += TIE_BREAK * fraction(&what);
    }
    for &(c, t, v) in &index.y {
        out[col_of[&v]] += TIE_BREAK * fraction(&[1, c as u64, t as u64]);
    }
    out
}

/// A number in [0, 1) from `what`, the same on every build and platform: each word mixed in
/// turn by [`SplitMix64`].
fn fraction(what: &[u64]) -> f64 {
    let h = what.iter().fold(0x9E37_79B9_7F4A_7C15, |h, &w| {
        SplitMix64::new(h ^ w).next_u64()
    });
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Most a column's cost is raised to break ties (model units: a tenth of a penny a
/// pupil), far above microlp's tolerance and far below any difference in cost of the model.
const TIE_BREAK: f64 = 1e-6;

/// The first working set: every column outside the cohorts; of each cohort's columns, every
/// arc without a capacity (out of area, another authority's school) and its `nearest`
/// cheapest arcs to candidates and to other provision with a capacity; all of them for a
/// cohort with no arc without a capacity, so that the set has a feasible solution whenever
/// the LP has.
fn working_set(
    flat: &Flat,
    shape: &Shape,
    cost: &[f64],
    to_candidate: &[bool],
    nearest: usize,
) -> Vec<bool> {
    let mut capacitated = vec![false; flat.columns.len()];
    for r in flat.rows.iter().filter(|r| r.sense == Sense::Le) {
        for &(j, _) in &r.coefficients {
            capacitated[j] = true;
        }
    }
    let mut in_set = vec![true; flat.columns.len()];
    for cols in &shape.cohort_cols {
        if cols.iter().all(|&j| capacitated[j]) {
            continue;
        }
        for candidates in [true, false] {
            let mut arcs: Vec<usize> = cols
                .iter()
                .copied()
                .filter(|&j| capacitated[j] && to_candidate[j] == candidates)
                .collect();
            arcs.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(a.cmp(&b)));
            let keep = if candidates {
                nearest.min(NEAREST_CANDIDATES)
            } else {
                nearest
            };
            for &j in arcs.iter().skip(keep) {
                in_set[j] = false;
            }
        }
    }
    in_set
}

/// The tolerance (relative and absolute) to which Clarabel refines each KKT solve.
const REFINEMENT: f64 = 1e-9;

/// The gap and feasibility tolerances (absolute and relative) Clarabel solves to: its own
/// defaults.
const ACCURATE: f64 = 1e-8;

/// The tolerances of a rough first round ([`Problem::rough_first`]): the synthetic ward's
/// relaxation took 15 interior-point iterations instead of 27 and the demo's 13 instead of
/// 24, and the arcs that price in after them made the same second round (to a few arcs). Its
/// duals only price arcs in (and its L(mu) bounds the LP, as for any mu); a full round
/// always follows it, on the same set when no arc prices in.
const ROUGH: f64 = 1e-3;

/// Clarabel's values (model units) above which a column counts as positive in its solution:
/// far above its round-off on columns at zero, far below a pupil.
const IN_SUPPORT: f64 = 1e-5;

/// The LP solved by pricing.
pub(crate) struct Priced {
    /// The optimal plan: microlp's vertex, or for round and fix's relaxations Clarabel's
    /// solution; its bound is [`Priced::bound`].
    pub(crate) plan: Plan,
    /// The proven lower bound on the whole LP (at most a vertex's cost), in pounds.
    pub(crate) bound: f64,
    /// The duals that prove it (one per row of the model; those of `<=` rows at least 0), for
    /// [`bound_at`] on a model of the same shape.
    pub(crate) duals: Vec<f64>,
    /// The arcs of the last working set, to seed a related LP's ([`Options::seed`]).
    pub(crate) set: Arc<HashSet<ArcKey>>,
}

/// The LP pricing solves.
struct Problem<'a> {
    /// Relative shortfall of the bound below the working set's optimum that ends the rounds.
    tolerance: f64,
    /// Whether the first round is solved only to [`ROUGH`].
    rough_first: bool,
    flat: &'a Flat,
    shape: &'a Shape,
    /// Each column's cost, which the bound and the pricing use.
    cost: &'a [f64],
    /// The costs with ties broken ([`tie_broken`]), which the solvers are given.
    solve_cost: &'a [f64],
    /// Rows in runs of consecutive years ([`Index::year_rows`]).
    year_rows: &'a [Vec<usize>],
}

/// What the pricing rounds end with.
struct Rounds {
    /// The best L(mu), model units: a lower bound on the LP.
    bound: f64,
    /// The best L(mu) of the costs with ties broken, which the solvers' optima are held to.
    tie_bound: f64,
    /// The duals of `bound`.
    mu: Vec<f64>,
    /// The last working set's columns.
    set: Vec<usize>,
    /// Clarabel's solution on them, one value per column of `set`.
    x: Vec<f64>,
}

/// Pricing rounds: Clarabel on the working set `in_set`, its duals raised
/// ([`raise_capacity_duals`]) and L(mu) worked out, until L(mu) reaches Clarabel's own optimum
/// of the working set (the duals are then optimal for every arc); the arcs that price in join
/// the set for the next round. None when no round proves its optimum.
fn price(s: &Scenario, lp: &Problem, in_set: &mut [bool]) -> Option<Rounds> {
    let Problem {
        tolerance,
        rough_first,
        flat,
        shape,
        cost,
        solve_cost,
        year_rows,
    } = *lp;
    let mut best_bound = f64::NEG_INFINITY;
    let mut best_mu = Vec::new();
    let mut best_tie_bound = f64::NEG_INFINITY;
    for round in 0..MAX_ROUNDS {
        let set: Vec<usize> = (0..in_set.len()).filter(|&j| in_set[j]).collect();
        let rough = round == 0 && rough_first;
        let accuracy = if rough { ROUGH } else { ACCURATE };
        let (mut mu, optimum, x) =
            clarabel_duals(s, (flat, solve_cost, year_rows), &set, accuracy)?;
        raise_capacity_duals(flat, shape, cost, &mut mu);
        let priced = priced_costs(flat, cost, &mu);
        let bound = lagrangian_bound(flat, shape, &priced, &mu)?;
        if bound > best_bound {
            best_bound = bound;
            best_mu.clone_from(&mu);
        }
        // Clarabel's optimum is of the costs with ties broken: the proof compares it with
        // the bound on those costs.
        let tie_priced = priced_costs(flat, solve_cost, &mu);
        let tie_bound = lagrangian_bound(flat, shape, &tie_priced, &mu)?;
        best_tie_bound = best_tie_bound.max(tie_bound);
        // A rough round's solution is no plan (on the two-year demo it cost 0.3% more than
        // the optimum its optimum was proved within 5e-4 of): a full round follows it.
        if !rough && tie_bound >= optimum - tolerance * optimum.abs() {
            return Some(Rounds {
                bound: best_bound,
                tie_bound: best_tie_bound,
                mu: best_mu,
                set,
                x,
            });
        }
        // Arcs whose priced cost undercuts their cohort's best in the working set join it.
        let mut added = false;
        for cols in &shape.cohort_cols {
            let best = cols
                .iter()
                .filter(|&&j| in_set[j])
                .map(|&j| priced[j])
                .fold(f64::INFINITY, f64::min);
            if !best.is_finite() {
                return None;
            }
            for &j in cols {
                if !in_set[j] && priced[j] < best - PROVEN * best.abs() {
                    in_set[j] = true;
                    added = true;
                }
            }
        }
        if !added && !rough {
            return None;
        }
    }
    None
}

/// The structure pricing relies on: every `=` row a cohort's row of constraint 1 (coefficients
/// 1, pupils >= 0, each column in at most one), no integer column.
struct Shape {
    /// Columns of each `=` row.
    cohort_cols: Vec<Vec<usize>>,
    /// The `=` row of each column, if any.
    cohort_of: Vec<Option<usize>>,
    /// Pupils of each `=` row.
    pupils: Vec<f64>,
    /// Each column's upper bound implied by the rows ([`column_upper_bounds`]).
    upper: Vec<f64>,
}

impl Shape {
    fn of(flat: &Flat) -> Option<Shape> {
        if flat.columns.iter().any(|c| c.integer) {
            return None;
        }
        let mut cohort_cols = Vec::new();
        let mut cohort_of = vec![None; flat.columns.len()];
        let mut pupils = Vec::new();
        for r in flat.rows.iter().filter(|r| r.sense == Sense::Eq) {
            if r.rhs.is_nan() || r.rhs < 0.0 || r.coefficients.iter().any(|&(_, a)| a != 1.0) {
                return None;
            }
            // Every cohort column at least 0: the least cost of a cohort's pupils is then its
            // pupils times its cheapest column.
            if r.coefficients
                .iter()
                .any(|&(j, _)| flat.columns[j].min.is_nan() || flat.columns[j].min < 0.0)
            {
                return None;
            }
            let q = cohort_cols.len();
            for &(j, _) in &r.coefficients {
                if cohort_of[j].replace(q).is_some() {
                    return None;
                }
            }
            cohort_cols.push(r.coefficients.iter().map(|&(j, _)| j).collect());
            pupils.push(r.rhs);
        }
        Some(Shape {
            cohort_cols,
            cohort_of,
            pupils,
            upper: column_upper_bounds(flat),
        })
    }
}

/// The columns `sub` of `flat` solved with microlp (within the scenario's time limit): the
/// optimal solution and the microlp variable of each column of `sub`, or None.
fn microlp_solve(
    s: &Scenario,
    (flat, cost): (&Flat, &[f64]),
    sub: &[usize],
) -> Option<(microlp::Solution, Vec<microlp::Variable>)> {
    let mut p = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
    let mut var: Vec<Option<microlp::Variable>> = vec![None; flat.columns.len()];
    for &j in sub {
        let c = &flat.columns[j];
        var[j] = Some(p.add_var(cost[j], (c.min, c.max)));
    }
    for r in &flat.rows {
        let mut e = microlp::LinearExpr::empty();
        let mut any = false;
        for &(j, a) in &r.coefficients {
            if let Some(v) = var[j] {
                e.add(v, a);
                any = true;
            }
        }
        let op = match r.sense {
            Sense::Eq => microlp::ComparisonOp::Eq,
            Sense::Le => microlp::ComparisonOp::Le,
        };
        if any {
            p.add_constraint(e, op, r.rhs);
        } else if r.rhs < 0.0 || (r.sense == Sense::Eq && r.rhs != 0.0) {
            return None;
        }
    }
    let mut options = microlp::SolveOptions::default();
    options.time_limit = Some(s.solver.time_limit());
    let solution = p.solve_with(options).ok()?.into_solution().ok()?;
    if solution.status() != SolutionStatus::Optimal {
        return None;
    }
    let vars = sub.iter().map(|&j| var[j]).collect::<Option<Vec<_>>>()?;
    Some((solution, vars))
}

/// The duals of the `<=` rows of `flat` (clamped at zero, one per row of `flat`; 0 for `=`
/// rows) from Clarabel on the columns `sub`, its optimum and its solution (one value per
/// column of `sub`); None when it does not solve (within the scenario's time limit).
///
/// Each run of `year_rows` (rows of one provision's pupils in consecutive years, a_p x <= b_p
/// for p = 0..m) is handed to Clarabel as the equivalent differences with a slack s_p >= 0 per
/// row: a_0 x + s_0 = b_0 and (a_p - a_{p-1}) x + s_p - s_{p-1} = b_p - b_{p-1}. A cohort's
/// column is in consecutive years, so it is in at most two of the differences (the years it
/// starts and ends) instead of in every year: a far sparser system for Clarabel to factor.
/// With w the duals of the differences, the dual of row p is w_p - w_{p+1} (w_{m+1} = 0).
fn clarabel_duals(
    s: &Scenario,
    (flat, cost, year_rows): (&Flat, &[f64], &[Vec<usize>]),
    sub: &[usize],
    accuracy: f64,
) -> Option<(Vec<f64>, f64, Vec<f64>)> {
    // Clarabel's form: A x + s = b, s in the cone; `=` rows and the differenced runs first
    // (zero cone), then the other `<=` rows and the columns' bounds (non-negative cone).
    // Columns: `sub`, then one slack per row of a run.
    // Only runs of `<=` rows, each row in one run, are differenced (the model builds no
    // other; this keeps the form right whatever it is handed).
    let mut seen = vec![false; flat.rows.len()];
    let year_rows: Vec<&Vec<usize>> = year_rows
        .iter()
        .filter(|run| {
            let fits = run
                .iter()
                .all(|&i| flat.rows[i].sense == Sense::Le && !seen[i]);
            if fits {
                run.iter().for_each(|&i| seen[i] = true);
            }
            fits
        })
        .collect();
    let mut in_run = vec![None; flat.rows.len()];
    for (r, run) in year_rows.iter().enumerate() {
        for (p, &i) in run.iter().enumerate() {
            in_run[i] = Some((r, p));
        }
    }
    let eq: Vec<usize> = (0..flat.rows.len())
        .filter(|&i| flat.rows[i].sense == Sense::Eq)
        .collect();
    let le: Vec<usize> = (0..flat.rows.len())
        .filter(|&i| flat.rows[i].sense == Sense::Le && in_run[i].is_none())
        .collect();
    let differenced: Vec<usize> = year_rows
        .iter()
        .flat_map(|run| run.iter().copied())
        .collect();
    let zero = eq.len() + differenced.len();
    // Clarabel's row of each row of `flat`: its own, or its difference with the row before.
    let mut at = vec![usize::MAX; flat.rows.len()];
    for (k, &i) in eq.iter().chain(&differenced).chain(&le).enumerate() {
        at[i] = k;
    }
    let mut pos = vec![usize::MAX; flat.columns.len()];
    for (k, &j) in sub.iter().enumerate() {
        pos[j] = k;
    }
    let n = sub.len() + differenced.len();
    let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let next_row =
        |i: usize| in_run[i].and_then(|(r, p)| year_rows[r].get(p + 1).map(|&next| at[next]));
    for (i, r) in flat.rows.iter().enumerate() {
        let next = next_row(i);
        for &(j, a) in &r.coefficients {
            if pos[j] != usize::MAX {
                entries[pos[j]].push((at[i], a));
                if let Some(k) = next {
                    entries[pos[j]].push((k, -a));
                }
            }
        }
    }
    let mut b: Vec<f64> = eq.iter().map(|&i| flat.rows[i].rhs).collect();
    for run in &year_rows {
        let mut before = 0.0;
        for &i in run.iter() {
            b.push(flat.rows[i].rhs - before);
            before = flat.rows[i].rhs;
        }
    }
    b.extend(le.iter().map(|&i| flat.rows[i].rhs));
    for (k, &i) in differenced.iter().enumerate() {
        let col = &mut entries[sub.len() + k];
        col.push((at[i], 1.0));
        if let Some(next) = next_row(i) {
            col.push((next, -1.0));
        }
        col.push((b.len(), -1.0));
        b.push(0.0);
    }
    for (k, &j) in sub.iter().enumerate() {
        let c = &flat.columns[j];
        if c.min.is_finite() {
            entries[k].push((b.len(), -1.0));
            b.push(-c.min);
        }
        if c.max.is_finite() {
            entries[k].push((b.len(), 1.0));
            b.push(c.max);
        }
    }
    let mut colptr = Vec::with_capacity(n + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for col in &mut entries {
        col.sort_by_key(|e| e.0);
        // A column's coefficients in consecutive years cancel in their difference.
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(col.len());
        for &(i, a) in col.iter() {
            match merged.last_mut() {
                Some(last) if last.0 == i => last.1 += a,
                _ => merged.push((i, a)),
            }
        }
        for (i, a) in merged {
            if a != 0.0 {
                rowval.push(i);
                nzval.push(a);
            }
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(b.len(), n, colptr, rowval, nzval);
    let p = CscMatrix::zeros((n, n));
    let mut q: Vec<f64> = sub.iter().map(|&j| cost[j]).collect();
    q.resize(n, 0.0);
    let cones = [
        SupportedConeT::ZeroConeT(zero),
        SupportedConeT::NonnegativeConeT(b.len() - zero),
    ];
    // Each interior-point step's KKT solve is refined to 1e-9 instead of Clarabel's 1e-13
    // (relative) and 1e-12 (absolute): 6% fewer instructions on the demo's run, the same
    // plans; the duals' accuracy only moves L(mu), which bounds whatever they are.
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .max_threads(1)
        .time_limit(s.solver.time_limit().as_secs_f64())
        .iterative_refinement_reltol(REFINEMENT)
        .iterative_refinement_abstol(REFINEMENT)
        .tol_gap_abs(accuracy)
        .tol_gap_rel(accuracy)
        .tol_feas(accuracy)
        .build()
        .ok()?;
    let mut solver = DefaultSolver::new(&p, &q, &a, &b, &cones, settings).ok()?;
    solver.solve();
    if !matches!(
        solver.solution.status,
        SolverStatus::Solved | SolverStatus::AlmostSolved
    ) {
        return None;
    }
    let z = &solver.solution.z;
    let mut mu = vec![0.0; flat.rows.len()];
    for (k, &i) in le.iter().enumerate() {
        mu[i] = z[zero + k].max(0.0);
    }
    for &i in &differenced {
        let after = next_row(i).map_or(0.0, |k| z[k]);
        mu[i] = (z[at[i]] - after).max(0.0);
    }
    let mut x = solver.solution.x.clone();
    x.truncate(sub.len());
    Some((mu, solver.solution.obj_val, x))
}

/// Raises the duals of the capacity rows of new places as far as their places' columns allow.
///
/// A capacity row of a candidate in a year (`<=`, right-hand side 0, its pupils' columns with
/// positive coefficients, the places funded for it with negative ones) costs the bound
/// nothing to raise (its right-hand side is 0): it only makes the arcs into it dearer, until a
/// places column it holds would price negative. The working set's duals are not unique
/// (arcs left out leave rows with room to spare), and raising them to the most the places
/// columns allow is what an optimum of the whole relaxation does to the arcs left out. Rows
/// are raised latest year first (most places columns first), each by the least room its
/// places columns have left; a row with no places column holds its pupils at zero and is
/// raised without limit (the model builder leaves such arcs out, so this is a guard).
fn raise_capacity_duals(flat: &Flat, shape: &Shape, cost: &[f64], mu: &mut [f64]) {
    let priced = priced_costs(flat, cost, mu);
    let mut room: Vec<f64> = priced.iter().map(|&d| d.max(0.0)).collect();
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (i, r) in flat.rows.iter().enumerate() {
        if r.sense != Sense::Le || r.rhs != 0.0 {
            continue;
        }
        let mut pupils = 0;
        let mut places = 0;
        let fits = r.coefficients.iter().all(|&(j, a)| {
            match (shape.cohort_of[j].is_some(), a > 0.0) {
                (true, true) => pupils += 1,
                (false, false) => places += 1,
                _ => return false,
            }
            true
        });
        if fits && pupils > 0 {
            rows.push((places, i));
        }
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (places, i) in rows {
        if places == 0 {
            mu[i] += UNREACHABLE;
            continue;
        }
        let r = &flat.rows[i];
        let by = r
            .coefficients
            .iter()
            .filter(|&&(_, a)| a < 0.0)
            .map(|&(j, a)| room[j] / -a)
            .fold(f64::INFINITY, f64::min);
        if by > 0.0 && by.is_finite() {
            mu[i] += by;
            for &(j, a) in r.coefficients.iter().filter(|&&(_, a)| a < 0.0) {
                room[j] = (room[j] + a * by).max(0.0);
            }
        }
    }
}

/// The dual given a row that holds its pupils at zero: dearer than any arc (model units).
const UNREACHABLE: f64 = 1e9;

/// Each column's cost priced at `mu`: c_j + sum over `<=` rows of a_ij mu_i.
fn priced_costs(flat: &Flat, cost: &[f64], mu: &[f64]) -> Vec<f64> {
    let mut priced = cost.to_vec();
    for (i, r) in flat.rows.iter().enumerate() {
        if r.sense == Sense::Le && mu[i] != 0.0 {
            for &(j, a) in &r.coefficients {
                priced[j] += a * mu[i];
            }
        }
    }
    priced
}

/// L(mu) of the module docs over every column of `flat`, or None when a column outside the
/// cohorts prices negative with no finite bound.
fn lagrangian_bound(flat: &Flat, shape: &Shape, priced: &[f64], mu: &[f64]) -> Option<f64> {
    let mut bound = 0.0;
    for (q, cols) in shape.cohort_cols.iter().enumerate() {
        let best = cols
            .iter()
            .map(|&j| priced[j])
            .fold(f64::INFINITY, f64::min);
        if shape.pupils[q] > 0.0 {
            bound += shape.pupils[q] * best;
        }
    }
    for (i, r) in flat.rows.iter().enumerate() {
        if r.sense == Sense::Le {
            bound -= r.rhs * mu[i];
        }
    }
    for (j, c) in flat.columns.iter().enumerate() {
        if shape.cohort_of[j].is_some() {
            continue;
        }
        let d = priced[j];
        let at = if d >= 0.0 {
            c.min
        } else {
            c.max.min(shape.upper[j])
        };
        if d != 0.0 {
            if !at.is_finite() {
                return None;
            }
            bound += d * at;
        }
    }
    Some(bound)
}

/// An upper bound on each column implied by a `<=` row whose coefficients are all
/// non-negative (columns are non-negative): rhs / a; infinite where there is none.
fn column_upper_bounds(flat: &Flat) -> Vec<f64> {
    let mut upper = vec![f64::INFINITY; flat.columns.len()];
    if flat.columns.iter().any(|c| c.min < 0.0) {
        return upper;
    }
    for r in flat.rows.iter().filter(|r| r.sense == Sense::Le) {
        if r.rhs < 0.0 || r.coefficients.iter().any(|&(_, a)| a < 0.0) {
            continue;
        }
        for &(j, a) in &r.coefficients {
            if a > 0.0 {
                upper[j] = upper[j].min(r.rhs / a);
            }
        }
    }
    upper
}

/// microlp's solution on the columns `sub` as a [`Kept`] LP: its index holds only the x and
/// y variables among them.
fn kept(
    mut index: Index,
    col_of: &FxHashMap<good_lp::Variable, usize>,
    sub: &[usize],
    solution: microlp::Solution,
    vars: Vec<microlp::Variable>,
) -> Kept {
    let var_of_col: HashMap<usize, microlp::Variable> = sub.iter().copied().zip(vars).collect();
    let held = |v: &good_lp::Variable| var_of_col.contains_key(&col_of[v]);
    let x = std::mem::take(&mut index.x);
    let x_cost = std::mem::take(&mut index.x_cost);
    (index.x, index.x_cost) = x
        .into_iter()
        .zip(x_cost)
        .filter(|(xv, _)| held(&xv.var))
        .unzip();
    let y = std::mem::take(&mut index.y);
    let y_cost = std::mem::take(&mut index.y_cost);
    (index.y, index.y_cost) = y
        .into_iter()
        .zip(y_cost)
        .filter(|(yv, _)| held(&yv.2))
        .unzip();
    let col_of = col_of.clone();
    Kept::new(index, solution, move |v| var_of_col[&col_of[&v]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Column, Row};
    use crate::formulation::{build_network, Seed};
    use placeplan_model::travel::TravelMatrix;

    fn column(name: &str) -> Column {
        Column {
            kind: name.chars().next().unwrap_or('v'),
            min: 0.0,
            max: f64::INFINITY,
            integer: false,
        }
    }

    fn row(sense: Sense, rhs: f64, coefficients: &[(usize, f64)]) -> Row {
        Row {
            sense,
            rhs,
            coefficients: coefficients.to_vec(),
        }
    }

    /// 3 pupils of one cohort: 2 places at an existing school at 1 a pupil (x0), out of area at
    /// 5 (x1), or a new place at 2 a pupil (x2) funded at 3 a place (y3, at most 10). The
    /// optimum is 2 x 1 + 1 x 5 = 7 (out of area and a new place tie). Its duals: the existing
    /// school's row 4 (= 5 - 1), the new places' row 3 (their capital), the size row 0.
    fn tiny() -> (Flat, Shape, Vec<f64>) {
        let flat = Flat {
            columns: ["x0", "x1", "x2", "y3"].iter().map(|n| column(n)).collect(),
            objective: vec![(0, 1.0), (1, 5.0), (2, 2.0), (3, 3.0)],
            rows: vec![
                row(Sense::Eq, 3.0, &[(0, 1.0), (1, 1.0), (2, 1.0)]),
                row(Sense::Le, 2.0, &[(0, 1.0)]),
                row(Sense::Le, 0.0, &[(2, 1.0), (3, -1.0)]),
                row(Sense::Le, 10.0, &[(3, 1.0)]),
            ],
        };
        let shape = Shape::of(&flat).unwrap();
        let cost = vec![1.0, 5.0, 2.0, 3.0];
        (flat, shape, cost)
    }

    fn bound_at(mu: &[f64]) -> Option<f64> {
        let (flat, shape, cost) = tiny();
        let priced = priced_costs(&flat, &cost, mu);
        lagrangian_bound(&flat, &shape, &priced, mu)
    }

    /// A school with 2 places in year 0 and 1 in year 1 (rows 2 and 3, a run of years).
    /// Cohort A, 2 pupils in both years: at the school for 2 (1 a year, x0) or out of area for
    /// 10 (x1); cohort B, 1 pupil in year 1 only: 1 (x2) or 5 (x3). Year 1's place goes to
    /// A, whose out-of-area place costs more: 2 + 10 + 5 = 17, with the dual of year 1's row
    /// 10 - 2 = 8 and year 0's 0. Handed to Clarabel as a run (x0 then only in year 0's row,
    /// its coefficient in the difference 1 - 1 = 0) or as rows, the duals are the same.
    #[test]
    fn a_run_of_years_has_the_duals_of_its_rows_by_hand() {
        let flat = Flat {
            columns: ["x0", "x1", "x2", "x3"].iter().map(|n| column(n)).collect(),
            objective: vec![(0, 2.0), (1, 10.0), (2, 1.0), (3, 5.0)],
            rows: vec![
                row(Sense::Eq, 2.0, &[(0, 1.0), (1, 1.0)]),
                row(Sense::Eq, 1.0, &[(2, 1.0), (3, 1.0)]),
                row(Sense::Le, 2.0, &[(0, 1.0)]),
                row(Sense::Le, 1.0, &[(0, 1.0), (2, 1.0)]),
            ],
        };
        let cost = flat.costs();
        let s = Scenario::default();
        for runs in [vec![], vec![vec![2, 3]]] {
            let (mu, optimum, x) =
                clarabel_duals(&s, (&flat, &cost, &runs), &[0, 1, 2, 3], ACCURATE).unwrap();
            let near = |a: f64, b: f64| (a - b).abs() < 1e-6;
            assert!(near(optimum, 17.0), "{optimum}");
            assert!(near(mu[2], 0.0) && near(mu[3], 8.0), "{mu:?}");
            assert_eq!(x.len(), 4);
            assert!(
                near(x[0], 1.0) && near(x[1], 1.0) && near(x[3], 1.0),
                "{x:?}"
            );
        }
    }

    #[test]
    fn the_lagrangian_bound_by_hand() {
        // The optimal duals: every arc prices at 5, 3 x 5 - 2 x 4 = 7, the optimum itself.
        assert_eq!(bound_at(&[0.0, 4.0, 3.0, 0.0]), Some(7.0));
        // New places priced too low: the new place prices at 3, 3 x 3 - 8 = 1 (valid, weak).
        assert_eq!(bound_at(&[0.0, 4.0, 1.0, 0.0]), Some(1.0));
        // Too high: the places column prices at 3 - 5 = -2 over its 10 places: 7 - 20 = -13.
        assert_eq!(bound_at(&[0.0, 4.0, 5.0, 0.0]), Some(-13.0));
        // Without the size row the places column has no finite bound: no bound at all.
        let (mut flat, _, cost) = tiny();
        flat.rows.pop();
        let shape = Shape::of(&flat).unwrap();
        let mu = [0.0, 4.0, 5.0];
        let priced = priced_costs(&flat, &cost, &mu);
        assert_eq!(lagrangian_bound(&flat, &shape, &priced, &mu), None);
    }

    #[test]
    fn a_model_pricing_does_not_fit_is_left_to_the_whole_solve() {
        let (flat, _, _) = tiny();
        assert!(Shape::of(&flat).is_some());
        // An integer column.
        let (mut flat, _, _) = tiny();
        flat.columns[3].integer = true;
        assert!(Shape::of(&flat).is_none());
        // An `=` row that is not a cohort's: a coefficient other than 1.
        let (mut flat, _, _) = tiny();
        flat.rows[0].coefficients[2].1 = 2.0;
        assert!(Shape::of(&flat).is_none());
        // A cohort column that may be negative.
        let (mut flat, _, _) = tiny();
        flat.columns[1].min = -1.0;
        assert!(Shape::of(&flat).is_none());
        // A column in two `=` rows.
        let (mut flat, _, _) = tiny();
        flat.rows.push(row(Sense::Eq, 1.0, &[(2, 1.0)]));
        assert!(Shape::of(&flat).is_none());
    }

    #[test]
    fn capacity_duals_are_raised_to_what_the_places_allow_by_hand() {
        // From the new places' dual 1, the places column has room 3 - 1 = 2: raised to 3, the
        // bound is the optimum 7. The existing school's row (right-hand side 2) is left alone.
        let (flat, shape, cost) = tiny();
        let mut mu = vec![0.0, 4.0, 1.0, 0.0];
        raise_capacity_duals(&flat, &shape, &cost, &mut mu);
        assert_eq!(mu, vec![0.0, 4.0, 3.0, 0.0]);
        assert_eq!(bound_at(&mu), Some(7.0));
    }

    /// The demo borough over its first two plan years (as shipped: stability, a binding capital
    /// budget).
    fn two_year_demo() -> Scenario {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let mut s = placeplan_io::scenario::load_scenario(&dir).unwrap();
        s.horizon = 2;
        s.capital_budget.truncate(2);
        s
    }

    /// The demand, travel, options and network of `s`'s relaxation.
    fn relaxation_of(s: &Scenario) -> (Demand, TravelMatrix, Options, Network) {
        let demand = placeplan_model::forecast::forecast(s).specialist_demand(s.localities.len());
        let travel = TravelMatrix::build(s);
        let relax = Options {
            relax_whole_bases: true,
            ..Options::optimise()
        };
        let net = build_network(s, &travel, &demand, &relax);
        (demand, travel, relax, net)
    }

    /// The relaxation of the demo borough over two plan years (as shipped: stability, a binding
    /// capital budget; and with pupils brought back), by pricing and as one whole LP.
    fn demo_relaxation(bring_back: bool, nearest: usize) {
        let mut s = two_year_demo();
        s.solver.bring_back = bring_back;
        let (demand, _, relax, net) = relaxation_of(&s);
        let Some(Priced {
            plan: priced,
            bound,
            ..
        }) = solve_priced_from(&s, &demand, &net, &relax, nearest)
        else {
            panic!("priced")
        };
        // No pupil at a candidate in a year before its places can open (its kind's lead time).
        for p in &priced.placements {
            if let ProvisionRef::NewBase(c) = p.provision {
                let lead = s.build_rules(net.candidates[c].kind).lead_time as usize;
                assert!(p.year >= lead, "{p:?}");
            }
        }
        let whole = build_model(&s, &demand, &net, &relax);
        let whole = Kept::solve_optimal(&s, whole).unwrap();
        let vertex = whole.optimal_plan(&demand, &net).unwrap();
        let optimum = vertex.objective;
        // A relaxation is priced to ROUNDING: Clarabel's solution costs the optimum (less a
        // hair: its point is feasible to its tolerance, and values under IN_SUPPORT are
        // dropped) to at most that share more, and its bound is at most the optimum and at
        // most that share below it.
        let z = priced.objective;
        assert!(z >= optimum * (1.0 - 1e-5), "{z} below {optimum}");
        assert!(z <= optimum * (1.0 + ROUNDING), "{z} vs {optimum}");
        assert!(
            bound <= optimum * (1.0 + 1e-9),
            "bound {bound} above {optimum}"
        );
        assert!(
            bound >= optimum * (1.0 - ROUNDING),
            "bound {bound} vs {optimum}"
        );
        // Rounded, Clarabel's solution gives the builds microlp's vertex of the whole LP gives.
        assert_eq!(
            crate::round::round_builds(&s, &net.candidates, &priced),
            crate::round::round_builds(&s, &net.candidates, &vertex)
        );
    }

    /// The duals that prove the two-year demo's relaxation bound the relaxations of other
    /// variants (dearer and cheaper capital and transport, a smaller budget) from below:
    /// each at most that variant's optimum by microlp on its whole LP, and not far below it
    /// for a small change; a longer lead time changes the model's rows, and they do not fit. On the demo itself they give the bound pricing proved, and the
    /// last working set seeds the same optimum.
    #[test]
    fn carried_duals_bound_other_variants_below_their_whole_lp() {
        let s = two_year_demo();
        let (demand, travel, relax, net) = relaxation_of(&s);
        let priced = solve_priced(&s, &demand, &net, &relax).expect("priced");
        let again = super::bound_at(&s, &demand, &net, &relax, &priced.duals).unwrap();
        assert!(
            (again - priced.bound).abs() <= 1e-7 * priced.bound.abs(),
            "{again} vs {}",
            priced.bound
        );
        // Duals of another number of rows do not fit.
        assert_eq!(
            super::bound_at(&s, &demand, &net, &relax, &priced.duals[1..]),
            None
        );
        // Seeded with its own last working set, pricing proves the same optimum.
        let seeded_opt = Options {
            seed: Seed(Some(priced.set.clone())),
            ..relax.clone()
        };
        let seeded = solve_priced(&s, &demand, &net, &seeded_opt).expect("seeded");
        let z = |p: &Priced| p.plan.objective;
        assert!((z(&seeded) - z(&priced)).abs() <= ROUNDING * z(&priced));
        type Change = fn(&mut Scenario);
        let variants: [(&str, Change); 6] = [
            ("capital +1%", |v| v.costs.capex_per_place *= 1.01),
            ("bases open a year later", |v| v.bases.lead_time += 1),
            ("capital +20%", |v| v.costs.capex_per_place *= 1.2),
            ("capital -20%", |v| v.costs.capex_per_place *= 0.8),
            ("transport -30%", |v| v.costs.transport_per_km *= 0.7),
            ("budget halved", |v| {
                for b in &mut v.capital_budget {
                    *b *= 0.5;
                }
            }),
        ];
        for (what, change) in variants {
            let mut v = s.clone();
            change(&mut v);
            let net = build_network(&v, &travel, &demand, &relax);
            let carried = super::bound_at(&v, &demand, &net, &relax, &priced.duals);
            if what == "bases open a year later" {
                // Another model shape (fewer funding years' rows): the duals do not fit, and a
                // sweep variant solves afresh.
                assert_eq!(carried, None);
                continue;
            }
            let carried = carried.unwrap();
            let whole = Kept::solve_optimal(&v, build_model(&v, &demand, &net, &relax)).unwrap();
            let optimum = whole.optimal_plan(&demand, &net).unwrap().objective;
            assert!(
                carried <= optimum * (1.0 + 1e-9),
                "{what}: carried bound {carried} above the optimum {optimum}"
            );
            if what == "capital +1%" {
                assert!(carried >= optimum * 0.995, "{what}: {carried} vs {optimum}");
            }
        }
    }

    /// Placements of the two-year demo on given builds (none, the do-nothing plan; the greedy
    /// heuristic's) by pricing and as one whole LP: the same optimum, proven.
    #[test]
    fn priced_placements_are_the_whole_placements_on_the_demo() {
        let s = two_year_demo();
        let demand = placeplan_model::forecast::forecast(&s).specialist_demand(s.localities.len());
        let travel = TravelMatrix::build(&s);
        let mut placements = vec![Options::do_nothing()];
        let mut do_nothing = None;
        while let Some(opt) = placements.pop() {
            let net = build_network(&s, &travel, &demand, &opt);
            let priced = solve_priced(&s, &demand, &net, &opt).expect("priced");
            let plan = &priced.plan;
            let whole = build_model(&s, &demand, &net, &opt);
            let whole = Kept::solve_optimal(&s, whole).unwrap();
            let optimum = whole.optimal_plan(&demand, &net).unwrap();
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs();
            assert!(close(plan.objective, optimum.objective));
            assert!(priced.bound <= optimum.objective * (1.0 + 1e-9));
            assert!(close(priced.bound, optimum.objective));
            if do_nothing.is_none() {
                let builds = crate::baseline::greedy_builds(&s, &travel, &demand, &optimum);
                assert!(!builds.is_empty());
                placements.push(Options::with_builds(builds));
                do_nothing = Some(optimum);
            }
        }
    }

    #[test]
    fn the_priced_relaxation_is_the_whole_relaxation_on_the_demo() {
        demo_relaxation(false, NEAREST);
    }

    /// From a working set with no arc with a capacity at all (only out of area and other
    /// authorities' schools), arcs price in over the rounds: the optimum places pupils in
    /// schools, which the first set cannot.
    #[test]
    fn arcs_price_in_from_a_working_set_too_small() {
        demo_relaxation(false, 0);
    }

    #[test]
    fn the_priced_relaxation_is_the_whole_relaxation_with_pupils_brought_back() {
        demo_relaxation(true, NEAREST);
    }
}
