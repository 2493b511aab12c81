//! Round and fix's relaxation solved on a working set of arcs, the rest priced in.
//!
//! Most of the relaxation's columns are arcs from cohorts to candidate new places, and an
//! optimum uses few of them: each cohort's nearest. So the relaxation is solved on a working
//! set (every arc to existing provision, out of area or another authority's school, and each
//! cohort's [`NEAREST`] cheapest arcs to candidates), by microlp for the vertex round and fix
//! rounds, and beside it by Clarabel (an interior-point method) for the dual values microlp does
//! not give. Those duals price every arc left out and prove a lower bound on the whole
//! relaxation, by Lagrangian duality, whatever their accuracy:
//!
//!   L(mu) = sum_q n_q min_{j in q} (c_j + a_j mu) - b mu + sum_{j in no cohort} min over
//!   the column's bounds of (c_j + a_j mu) x_j,
//!
//! with mu >= 0 the duals of the `<=` rows (clamped), c_j + a_j mu a column's cost priced at
//! mu, n_q the pupils of cohort q (its row of constraint 1; every cohort column is in one such
//! row with coefficient 1) and the minimum over all of q's arcs, those left out included. When
//! L(mu) reaches the working set's optimum (to [`PROVEN`]), that optimum is the relaxation's
//! and L(mu) its proven bound; otherwise the arcs whose priced cost undercuts their cohort's
//! best in the working set join it and both solve again. Any failure (a solver error, a
//! column with no finite bound that prices negative, [`MAX_ROUNDS`] rounds) leaves the
//! relaxation to the caller's full solve.

use std::collections::HashMap;

use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};
use microlp::SolutionStatus;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::ProvisionRef;
use placeplan_model::Scenario;

use crate::export::{flatten_parts, Flat, Sense};
use crate::formulation::{build_model, Index, Network, Options, SCALE};
use crate::replace::Kept;

/// Arcs to candidates each cohort starts with in the working set, its cheapest. On the demo
/// (measured before the arcs to candidates with places joined the set), 2 was fastest: with 1
/// microlp had to solve a second working set, with 3 or more its first one grew (2.2 s at 2,
/// 2.6 s at 3, 3.2 s at 5).
pub(crate) const NEAREST: usize = 2;

/// Rounds of pricing before the relaxation is left to a full solve.
const MAX_ROUNDS: usize = 8;

/// Relative shortfall of the Lagrangian bound below the working set's optimum taken as
/// proof that no arc left out improves on it.
const PROVEN: f64 = 1e-7;

/// The relaxation `opt` of `net` solved by pricing ([`Priced`]; the kept solution's index
/// holds only the arcs in the working set). None when pricing cannot answer; the caller then
/// solves the whole relaxation.
pub(crate) fn relax_priced(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
) -> Option<Priced> {
    relax_priced_from(s, demand, net, opt, NEAREST)
}

/// [`relax_priced`] starting each cohort with its `nearest` cheapest arcs to candidates.
fn relax_priced_from(
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
    // The column of each x variable, and whether it is an arc to a candidate.
    let x_col: Vec<usize> = index.x.iter().map(|x| col_of[&x.var]).collect();
    let mut in_set = vec![true; flat.columns.len()];
    let cost = flat.costs();
    // The candidate of each column that is an arc to one.
    let mut cand_of = vec![None; flat.columns.len()];
    for (xv, &j) in index.x.iter().zip(&x_col) {
        if let ProvisionRef::NewBase(c) = xv.provision {
            cand_of[j] = Some(c);
        }
    }
    for cols in &shape.cohort_cols {
        let mut arcs: Vec<usize> = cols
            .iter()
            .copied()
            .filter(|&j| cand_of[j].is_some())
            .collect();
        arcs.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(a.cmp(&b)));
        for &j in arcs.iter().skip(nearest) {
            in_set[j] = false;
        }
    }
    // Clarabel's first round names the candidates with places at an optimum of the working
    // set (an interior point: every candidate with places at any optimum of it); every arc to
    // them joins the set, so that round and fix's restricted relaxation (step 3), whose open
    // units are among them, re-solves warm from microlp's vertex with all their arcs.
    let first: Vec<usize> = (0..in_set.len()).filter(|&j| in_set[j]).collect();
    let (_, _, x) = clarabel_duals(s, (&flat, &cost), &first)?;
    let mut places = vec![0.0; net.candidates.len()];
    let mut funds = vec![None; flat.columns.len()];
    for &(c, _, v) in &index.y {
        funds[col_of[&v]] = Some(c);
    }
    for (k, &j) in first.iter().enumerate() {
        if let Some(c) = funds[j] {
            places[c] += x[k].max(0.0);
        }
    }
    for (j, c) in cand_of.iter().enumerate() {
        if c.is_some_and(|c| places[c] > WITH_PLACES) {
            in_set[j] = true;
        }
    }
    let held: Vec<usize> = (0..in_set.len()).filter(|&j| in_set[j]).collect();
    // microlp solves that set on this thread and the pricing rounds go on beside it (on
    // another core when one is free): its vertex is kept whenever the duals prove it optimal
    // for every arc.
    let mut dual = None;
    let solved = rayon::in_place_scope(|scope| {
        let out = &mut dual;
        let (flat, shape, cost, in_set) = (&flat, &shape, &cost, &mut in_set);
        scope.spawn(move |_| *out = price(s, (flat, shape, cost), in_set));
        microlp_solve(s, (flat, cost), &held)
    });
    let (bound, last) = dual?;
    let mut sub = held;
    let (mut solution, mut vars) = solved?;
    if bound < solution.objective() - PROVEN * solution.objective().abs() {
        // The first working set's optimum is not the relaxation's: solve the last one.
        sub = last;
        (solution, vars) = microlp_solve(s, (&flat, &cost), &sub)?;
    }
    let z = solution.objective();
    if bound < z - PROVEN * z.abs() {
        return None;
    }
    // The candidates all of whose arcs the kept solution holds.
    let mut complete = vec![true; net.candidates.len()];
    let mut held = vec![false; flat.columns.len()];
    for &j in &sub {
        held[j] = true;
    }
    for (j, c) in cand_of.iter().enumerate() {
        if let Some(c) = *c {
            complete[c] &= held[j];
        }
    }
    let complete = (0..complete.len()).filter(|&c| complete[c]).collect();
    let constant = index.constant;
    let kept = kept(index, &x_col, &col_of, &sub, solution, vars);
    Some(Priced {
        kept,
        bound: bound.min(z) / SCALE + constant,
        complete,
    })
}

/// Places (model units) above which Clarabel's interior point counts a candidate as having
/// places: far above its round-off (about 1e-9 a column), far below a place.
const WITH_PLACES: f64 = 1e-4;

/// The relaxation solved by pricing.
pub(crate) struct Priced {
    /// microlp's optimal vertex on the final working set.
    pub(crate) kept: Kept,
    /// The proven lower bound on the whole relaxation, in pounds.
    pub(crate) bound: f64,
    /// Candidates (sorted) all of whose arcs are in the kept working set: every candidate
    /// with places at Clarabel's first optimum, which are those of microlp's vertex unless
    /// that vertex was not the relaxation's optimum and microlp solved again.
    pub(crate) complete: Vec<usize>,
}

/// Pricing rounds: Clarabel on the working set `in_set`, its duals raised
/// ([`raise_capacity_duals`]) and L(mu) worked out, until L(mu) reaches Clarabel's own optimum
/// of the working set (the duals are then optimal for every arc) or no arc left out prices
/// in; the arcs that do join the set for the next round. Returns the best L(mu) (model units)
/// and the last working set's columns.
fn price(
    s: &Scenario,
    (flat, shape, cost): (&Flat, &Shape, &[f64]),
    in_set: &mut [bool],
) -> Option<(f64, Vec<usize>)> {
    let mut best_bound = f64::NEG_INFINITY;
    for _ in 0..MAX_ROUNDS {
        let sub: Vec<usize> = (0..in_set.len()).filter(|&j| in_set[j]).collect();
        let (mut mu, optimum, _) = clarabel_duals(s, (flat, cost), &sub)?;
        raise_capacity_duals(flat, shape, cost, &mut mu);
        let priced = priced_costs(flat, cost, &mu);
        let bound = lagrangian_bound(flat, shape, &priced, &mu)?;
        best_bound = best_bound.max(bound);
        if bound >= optimum - PROVEN * optimum.abs() {
            return Some((best_bound, sub));
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
        if !added {
            return Some((best_bound, sub));
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
fn clarabel_duals(
    s: &Scenario,
    (flat, cost): (&Flat, &[f64]),
    sub: &[usize],
) -> Option<(Vec<f64>, f64, Vec<f64>)> {
    // Clarabel's form: A x + s = b, s in the cone; `=` rows first (zero cone), then `<=` rows
    // and the columns' bounds (non-negative cone).
    let eq: Vec<usize> = (0..flat.rows.len())
        .filter(|&i| flat.rows[i].sense == Sense::Eq)
        .collect();
    let le: Vec<usize> = (0..flat.rows.len())
        .filter(|&i| flat.rows[i].sense == Sense::Le)
        .collect();
    let mut at = vec![usize::MAX; flat.rows.len()];
    for (k, &i) in eq.iter().chain(&le).enumerate() {
        at[i] = k;
    }
    let mut pos = vec![usize::MAX; flat.columns.len()];
    for (k, &j) in sub.iter().enumerate() {
        pos[j] = k;
    }
    let mut entries: Vec<Vec<(usize, f64)>> = vec![Vec::new(); sub.len()];
    for (i, r) in flat.rows.iter().enumerate() {
        for &(j, a) in &r.coefficients {
            if pos[j] != usize::MAX {
                entries[pos[j]].push((at[i], a));
            }
        }
    }
    let mut b: Vec<f64> = eq.iter().chain(&le).map(|&i| flat.rows[i].rhs).collect();
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
    let mut colptr = Vec::with_capacity(sub.len() + 1);
    let mut rowval = Vec::new();
    let mut nzval = Vec::new();
    colptr.push(0);
    for col in &mut entries {
        col.sort_by_key(|e| e.0);
        for &(i, a) in col.iter() {
            rowval.push(i);
            nzval.push(a);
        }
        colptr.push(rowval.len());
    }
    let a = CscMatrix::new(b.len(), sub.len(), colptr, rowval, nzval);
    let p = CscMatrix::zeros((sub.len(), sub.len()));
    let q: Vec<f64> = sub.iter().map(|&j| cost[j]).collect();
    let cones = [
        SupportedConeT::ZeroConeT(eq.len()),
        SupportedConeT::NonnegativeConeT(b.len() - eq.len()),
    ];
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .max_threads(1)
        .time_limit(s.solver.time_limit().as_secs_f64())
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
        mu[i] = z[eq.len() + k].max(0.0);
    }
    Some((mu, solver.solution.obj_val, solver.solution.x.clone()))
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
    let upper = column_upper_bounds(flat);
    for (j, c) in flat.columns.iter().enumerate() {
        if shape.cohort_of[j].is_some() {
            continue;
        }
        let d = priced[j];
        let at = if d >= 0.0 { c.min } else { c.max.min(upper[j]) };
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

/// The working set's solution as a [`Kept`] relaxation: its index holds only the x variables
/// in the set.
fn kept(
    mut index: Index,
    x_col: &[usize],
    col_of: &HashMap<good_lp::Variable, usize>,
    sub: &[usize],
    solution: microlp::Solution,
    vars: Vec<microlp::Variable>,
) -> Kept {
    let mut var_of_col: HashMap<usize, microlp::Variable> = HashMap::new();
    for (k, &j) in sub.iter().enumerate() {
        var_of_col.insert(j, vars[k]);
    }
    let keep: Vec<bool> = x_col.iter().map(|j| var_of_col.contains_key(j)).collect();
    let x = std::mem::take(&mut index.x);
    let x_cost = std::mem::take(&mut index.x_cost);
    (index.x, index.x_cost) = x
        .into_iter()
        .zip(x_cost)
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(p, _)| p)
        .unzip();
    let col_of = col_of.clone();
    Kept::new(index, solution, move |v| var_of_col[&col_of[&v]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{Column, Row};
    use crate::formulation::build_network;
    use placeplan_model::travel::TravelMatrix;

    fn column(name: &str) -> Column {
        Column {
            name: name.into(),
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

    #[test]
    fn the_lagrangian_bound_by_hand() {
        // The optimal duals: every arc prices at 5, 3 x 5 - 2 x 4 = 7, the optimum itself.
        assert_eq!(bound_at(&[0.0, 4.0, 3.0, 0.0]), Some(7.0));
        // New places priced too low: the new place prices at 3, 3 x 3 - 8 = 1 (valid, weak).
        assert_eq!(bound_at(&[0.0, 4.0, 1.0, 0.0]), Some(1.0));
        // Too high: the places column prices at 3 - 5 = -2 over its 10 places: 7 - 20 = -13.
        assert_eq!(bound_at(&[0.0, 4.0, 5.0, 0.0]), Some(-13.0));
        // Without the size row the places column has no finite bound: no bound at all.
        let (mut flat, shape, cost) = tiny();
        flat.rows.pop();
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

    /// The relaxation of the demo borough over two plan years (as shipped: stability, a binding
    /// capital budget; and with pupils brought back), by pricing and as one whole LP.
    fn demo_relaxation(bring_back: bool, nearest: usize, share: f64) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let mut s = placeplan_io::scenario::load_scenario(&dir).unwrap();
        s.horizon = 2;
        s.capital_budget.truncate(2);
        s.solver.bring_back = bring_back;
        let demand = placeplan_model::forecast::forecast(&s).specialist_demand(s.localities.len());
        let travel = TravelMatrix::build(&s);
        let relax = Options {
            relax_whole_bases: true,
            ..Options::optimise()
        };
        let net = build_network(&s, &travel, &demand, &relax);
        let Priced {
            kept,
            bound,
            complete,
        } = relax_priced_from(&s, &demand, &net, &relax, nearest).expect("priced");
        let priced = kept.optimal_plan(&demand, &net).unwrap();
        // Every candidate with places has all its arcs in the working set where microlp's
        // first vertex is kept (from a set with no arc to a candidate it is not).
        if nearest > 0 {
            for b in &priced.builds {
                assert!(complete.binary_search(&b.candidate).is_ok(), "{b:?}");
            }
        }
        // No arc to a candidate in a year before its places can open (its kind's lead time).
        for x in &kept.index.x {
            if let ProvisionRef::NewBase(c) = x.provision {
                let lead = s.build_rules(net.candidates[c].kind).lead_time as usize;
                assert!(x.from.map_or(x.first, |(_, m)| m) >= lead, "{x:?}");
            }
        }
        let whole = build_model(&s, &demand, &net, &relax);
        let arcs = whole.index.x.len();
        let whole = Kept::solve_optimal(&s, whole).unwrap();
        let optimum = whole.optimal_plan(&demand, &net).unwrap().objective;
        // Arcs were left out: the working set holds at most `share` of them.
        let held = kept.index.x.len() as f64 / arcs as f64;
        assert!(held <= share, "{} of {arcs} arcs", kept.index.x.len());
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs();
        assert!(
            close(priced.objective, optimum),
            "{} vs {optimum}",
            priced.objective
        );
        assert!(
            bound <= optimum * (1.0 + 1e-9),
            "bound {bound} above {optimum}"
        );
        assert!(close(bound, optimum), "bound {bound} vs {optimum}");
    }

    #[test]
    fn the_priced_relaxation_is_the_whole_relaxation_on_the_demo() {
        demo_relaxation(false, NEAREST, 0.6);
    }

    /// From a working set with no arc to a candidate at all, arcs price in over the rounds and
    /// the first working set's vertex is not the relaxation's: microlp solves again on the
    /// last set, whose optimum is the relaxation's.
    #[test]
    fn arcs_price_in_from_a_working_set_too_small() {
        demo_relaxation(false, 0, 1.0);
    }

    #[test]
    fn the_priced_relaxation_is_the_whole_relaxation_with_pupils_brought_back() {
        demo_relaxation(true, NEAREST, 0.5);
    }
}
