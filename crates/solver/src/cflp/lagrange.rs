//! Lagrangian bounds for the split-demand CFLP (module [`crate::cflp`]) and the site fixing they
//! prove, which shrink the MIP before it is handed to a backend.
//!
//! Relaxing constraint (1), `sum_i x[i,j] = 1`, with multipliers `u[j]` leaves, for every site,
//! a continuous knapsack, and over the sites a covering knapsack from constraint (4):
//!
//! ```text
//! L(u) = sum_j u[j] + min { sum_i v[i] y[i] : sum_i cap[i] y[i] >= sum_j d[j], y in {0,1} }
//! v[i] = f[i] + min { sum_j (c[j][i] - u[j]) x[i,j] : sum_j d[j] x[i,j] <= cap[i], 0 <= x <= 1 }
//! ```
//!
//! `L(u)` is a lower bound on the optimum for every `u`. The site knapsack is solved exactly by
//! taking customers in order of `(c - u) / d` while it is negative. The covering knapsack is
//! solved exactly when every site has the same capacity (take the `k` smallest `v`, and every
//! negative one), and by its linear relaxation otherwise, which is still a lower bound.
//! Subgradient steps on `u` raise the bound; every covering set met on the way is turned into
//! a feasible plan (a transportation problem, solved by the network simplex), which gives an
//! upper bound `U`.
//!
//! **Fixing.** With the best `u`, the bound with site `i` forced open (or closed) is recomputed
//! by hand; if it exceeds `U`, no plan with `i` open (closed) can be optimal, since every such
//! plan costs at least that bound and the plan behind `U` is feasible. So `i` is fixed closed
//! (open). The plan behind `U` obeys every fixing, so the reduced MIP still holds an optimum of
//! the full problem and its proven optimum is the full problem's optimum. When the bounds meet,
//! the plan behind `U` is optimal and every site is fixed to it.

use std::collections::BTreeSet;

use super::instance::CflpInstance;
use crate::netsimplex::{FlowStatus, NetworkSimplex};

/// What the Lagrangian pass proved.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduction {
    /// Per site: `Some(true)` fixed open, `Some(false)` fixed closed, `None` left to the MIP.
    pub fixed: Vec<Option<bool>>,
    /// Best Lagrangian lower bound found.
    pub lower_bound: f64,
    /// Cost of the best plan found (`f64::INFINITY` if none).
    pub upper_bound: f64,
    /// Subgradient iterations run.
    pub iterations: usize,
    /// The best plan found, as `(customer, site, share)` with shares above 0: a feasible
    /// start for the MIP.
    pub plan: Vec<(usize, usize, f64)>,
}

impl Reduction {
    /// Sites fixed open and fixed closed.
    pub fn counts(&self) -> (usize, usize) {
        let open = self.fixed.iter().filter(|f| **f == Some(true)).count();
        let closed = self.fixed.iter().filter(|f| **f == Some(false)).count();
        (open, closed)
    }
}

/// Largest instance (sites x customers) the pass runs on; beyond it the MIP gets the whole
/// problem.
const MAX_WORK: usize = 5_000_000;
/// Largest number of sites: fixing costs O(sites^2).
const MAX_SITES: usize = 5_000;
const MAX_ITERATIONS: usize = 3_000;
/// Iterations without a better bound before the step factor is halved.
const PATIENCE: usize = 40;
const MIN_STEP_FACTOR: f64 = 1e-4;
/// Rounds of local search on the best plan, and closed sites tried per round.
const LOCAL_ROUNDS: usize = 30;
const LOCAL_CANDIDATES: usize = 12;
/// A bound must beat the upper bound by this share before it fixes a site, and come within it
/// of the upper bound to prove the best plan optimal (a round-off margin).
const FIX_MARGIN: f64 = 1e-9;
/// Relative slack when a set of sites is asked to cover the total demand.
const COVER_TOLERANCE: f64 = 1e-9;
/// Largest total demand the transportation problems take (whole units in 64-bit flows).
const MAX_FLOW_DEMAND: f64 = 1e15;
/// Per-unit costs are scaled so that the largest is about this many whole units in the
/// transportation problem (the plan's cost is then recomputed in the instance's units).
const FLOW_COST_UNITS: f64 = 1e9;

/// Runs the subgradient pass and fixes what the bounds prove. Returns `None` for instances it
/// does not take on (too large, or with a zero capacity or demand that makes ratios undefined).
pub fn reduce(inst: &CflpInstance) -> Option<Reduction> {
    let (m, n) = (inst.sites(), inst.customers());
    if m == 0 || n == 0 || m > MAX_SITES || m.saturating_mul(n) > MAX_WORK {
        return None;
    }
    if inst.capacity.iter().any(|&c| c <= 0.0) || inst.demand.iter().any(|&d| d <= 0.0) {
        return None;
    }
    // Plans come from whole-unit flows: without whole demands there is no upper bound, and so
    // nothing to fix.
    let whole = |x: f64| x == x.trunc();
    if !inst.demand.iter().all(|&d| whole(d)) || inst.demand.iter().sum::<f64>() > MAX_FLOW_DEMAND {
        return None;
    }
    let mut search = Search {
        inst,
        total_demand: inst.demand.iter().sum(),
        equal_caps: inst.capacity.iter().all(|&c| c == inst.capacity[0]),
        transport: Transport::new(inst),
        tried: BTreeSet::new(),
        best_lb: f64::NEG_INFINITY,
        best_u: Vec::new(),
        scratch: Scratch::default(),
        iterations: 0,
    };
    // Start from the cheapest service cost of each customer.
    let u: Vec<f64> = inst
        .cost
        .iter()
        .map(|row| row.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    search.best_u.clone_from(&u);
    search.ascend(u, 2.0);
    if !search.proved() {
        search.local_search();
    }
    // (A second climb after fixing was tried: it fixed nothing more on capa/capb/capc, since
    // the sites fixed closed are ones the covering knapsack never chose.)
    Some(search.reduction())
}

/// State of the bounding pass.
struct Search<'a> {
    inst: &'a CflpInstance,
    total_demand: f64,
    equal_caps: bool,
    /// Plans tried and the best one (the upper bound).
    transport: Transport,
    tried: BTreeSet<Vec<usize>>,
    best_lb: f64,
    best_u: Vec<f64>,
    scratch: Scratch,
    iterations: usize,
}

/// The relaxation at one `u`.
struct Evaluation {
    /// Site values `v[i]`.
    v: Vec<f64>,
    /// The Lagrangian bound, lowered by `slack`.
    lb: f64,
    /// A bound on the round-off in `lb` (see [`Search::slack_for`]).
    slack: f64,
    /// The covering set: sites with their share.
    open: Vec<(usize, f64)>,
}

impl Search<'_> {
    /// The site values, the Lagrangian bound and the covering set at `u`. The bound is lowered
    /// by a bound on its floating-point round-off, so it stays a valid lower bound however large
    /// the prices grow.
    fn evaluate(&mut self, u: &[f64]) -> Evaluation {
        let inst = self.inst;
        let mut magnitude: f64 = u.iter().map(|x| x.abs()).sum();
        let v: Vec<f64> = (0..inst.sites())
            .map(|i| {
                let value = site_value(inst, u, i, &mut self.scratch);
                magnitude += self.scratch.magnitude + inst.fixed[i].abs() + value.abs();
                inst.fixed[i] + value
            })
            .collect();
        let slack = self.slack_for(magnitude);
        let (cover_value, open) =
            cover(&v, &inst.capacity, self.total_demand, self.equal_caps, None);
        Evaluation {
            lb: u.iter().sum::<f64>() + cover_value - slack,
            v,
            slack,
            open,
        }
    }

    /// A bound on the round-off in a bound whose terms add up to `magnitude` in absolute
    /// value: each of the sums involved has at most `sites + customers + 2` terms, and a sum of
    /// k terms is off by at most (k - 1) epsilon times the sum of their absolute values.
    fn slack_for(&self, magnitude: f64) -> f64 {
        let terms = (self.inst.sites() + self.inst.customers() + 2) as f64;
        2.0 * terms * f64::EPSILON * magnitude
    }

    fn ub(&self) -> f64 {
        self.transport.best_cost
    }

    /// The bounds meet: the best plan is optimal.
    fn proved(&self) -> bool {
        let ub = self.ub();
        ub.is_finite() && self.best_lb >= ub - FIX_MARGIN * ub.abs().max(1.0)
    }

    /// Try the plan with these sites open, once per distinct set.
    fn try_sites(&mut self, mut sites: Vec<usize>) {
        sites.sort_unstable();
        if self.tried.insert(sites.clone()) {
            self.transport.try_plan(self.inst, &sites);
        }
    }

    /// Subgradient ascent from `u` with step factor `factor`, halved after `PATIENCE`
    /// iterations without a better bound.
    fn ascend(&mut self, mut u: Vec<f64>, mut factor: f64) {
        let n = self.inst.customers();
        let mut since_better = 0;
        let mut rounds = 0;
        while rounds < MAX_ITERATIONS && factor > MIN_STEP_FACTOR {
            rounds += 1;
            self.iterations += 1;
            let Evaluation { lb, open, .. } = self.evaluate(&u);
            if lb > self.best_lb + 1e-9 * lb.abs().max(1.0) {
                self.best_lb = lb;
                self.best_u.clone_from(&u);
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= PATIENCE {
                    factor /= 2.0;
                    since_better = 0;
                }
            }
            // A plan from the covering set (a site in part counts as open).
            self.try_sites(open.iter().map(|(i, _)| *i).collect());
            if self.proved() {
                break;
            }
            // Subgradient: 1 - (share of customer j served) in the relaxed solution.
            let mut g = vec![1.0; n];
            for &(i, share) in &open {
                site_value(self.inst, &u, i, &mut self.scratch);
                for &(j, x) in &self.scratch.taken {
                    g[j] -= share * x;
                }
            }
            let norm: f64 = g.iter().map(|s| s * s).sum();
            if norm <= 0.0 {
                break;
            }
            let target = if self.ub().is_finite() {
                self.ub()
            } else {
                self.best_lb.abs().max(1.0) * 1.1
            };
            // Polyak's step towards the target, measured from the best bound so far: from the
            // current bound a poor point would take a longer step and could run away.
            let step = factor * (target - self.best_lb).max(1e-9 * target.abs().max(1.0)) / norm;
            for (uj, gj) in u.iter_mut().zip(&g) {
                *uj += step * gj;
            }
        }
    }

    /// Local search from the best plan: drop a site, add one, or swap one for another, taking
    /// the best move each round; closed sites are tried in order of their Lagrangian value.
    fn local_search(&mut self) {
        let v = self.evaluate(&self.best_u.clone()).v;
        let mut order: Vec<usize> = (0..self.inst.sites()).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
        for _ in 0..LOCAL_ROUNDS {
            let Some(best) = self.transport.best.clone() else {
                return;
            };
            let before = self.ub();
            let entering: Vec<usize> = order
                .iter()
                .copied()
                .filter(|i| best.binary_search(i).is_err())
                .take(LOCAL_CANDIDATES)
                .collect();
            for p in 0..best.len() {
                let mut set = best.clone();
                set.remove(p);
                self.try_sites(set);
            }
            for &i in &entering {
                let mut set = best.clone();
                set.push(i);
                self.try_sites(set);
                for p in 0..best.len() {
                    let mut swap = best.clone();
                    swap[p] = i;
                    self.try_sites(swap);
                }
            }
            if self.ub() >= before {
                return;
            }
        }
    }

    /// Fixes every site the bounds at the best `u` decide. When the bounds meet, every site is
    /// fixed to the best plan.
    fn reduction(mut self) -> Reduction {
        let ub = self.ub();
        let m = self.inst.sites();
        let mut fixed = vec![None; m];
        if let (true, Some(best)) = (self.proved(), &self.transport.best) {
            // The bounds meet: the best plan is optimal, and its sites are the answer.
            for (i, f) in fixed.iter_mut().enumerate() {
                *f = Some(best.binary_search(&i).is_ok());
            }
        } else if ub.is_finite() {
            let at_best = self.evaluate(&self.best_u.clone());
            // The forced bounds carry the same round-off as the bound at the best u.
            let base = self.best_u.iter().sum::<f64>() - at_best.slack;
            let limit = ub + FIX_MARGIN * ub.abs().max(1.0);
            let forced = |i: usize, open: bool| {
                let (v, cap) = (&at_best.v, &self.inst.capacity);
                base + cover(v, cap, self.total_demand, self.equal_caps, Some((i, open))).0
            };
            for (i, f) in fixed.iter_mut().enumerate() {
                if forced(i, true) > limit {
                    *f = Some(false);
                } else if forced(i, false) > limit {
                    *f = Some(true);
                }
            }
        }
        Reduction {
            fixed,
            lower_bound: self.best_lb,
            upper_bound: ub,
            iterations: self.iterations,
            plan: self.transport.best_plan,
        }
    }
}

/// Work space of one site knapsack: candidate customers and the shares taken.
#[derive(Debug, Default)]
struct Scratch {
    candidates: Vec<(f64, usize)>,
    taken: Vec<(usize, f64)>,
    /// Sum of the absolute values of the terms of the last knapsack value.
    magnitude: f64,
}

/// `min { sum_j (c[j][i] - u[j]) x[j] : sum_j d[j] x[j] <= cap[i], 0 <= x <= 1 }`, leaving the
/// shares taken in `scratch.taken`. Customers with a negative reduced cost are taken in order of
/// reduced cost per unit of demand (ties by customer index), the last one possibly in part.
fn site_value(inst: &CflpInstance, u: &[f64], i: usize, scratch: &mut Scratch) -> f64 {
    scratch.candidates.clear();
    scratch.taken.clear();
    for (j, row) in inst.cost.iter().enumerate() {
        let r = row[i] - u[j];
        if r < 0.0 {
            scratch.candidates.push((r / inst.demand[j], j));
        }
    }
    scratch
        .candidates
        .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut room = inst.capacity[i];
    let mut value = 0.0;
    scratch.magnitude = 0.0;
    for &(ratio, j) in &scratch.candidates {
        if room <= 0.0 {
            break;
        }
        let d = inst.demand[j];
        let x = if d <= room { 1.0 } else { room / d };
        room -= d * x;
        value += ratio * d * x;
        scratch.magnitude += (ratio * d * x).abs();
        scratch.taken.push((j, x));
    }
    value
}

/// The covering knapsack `min { sum v y : sum cap y >= demand }` over the sites, with one site
/// optionally forced open or closed. Exact (whole sites) when `equal_caps`, else its linear
/// relaxation. Returns the value and the chosen sites with their share (1 for whole sites).
fn cover(
    v: &[f64],
    cap: &[f64],
    demand: f64,
    equal_caps: bool,
    force: Option<(usize, bool)>,
) -> (f64, Vec<(usize, f64)>) {
    let mut value = 0.0;
    let mut chosen = Vec::new();
    let mut covered = 0.0;
    let mut rest: Vec<usize> = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        let status = match force {
            Some((f, open)) if f == i => Some(open),
            _ => None,
        };
        match status {
            Some(true) => {
                value += v[i];
                covered += cap[i];
                chosen.push((i, 1.0));
            }
            Some(false) => {}
            None if v[i] < 0.0 => {
                value += v[i];
                covered += cap[i];
                chosen.push((i, 1.0));
            }
            None => rest.push(i),
        }
    }
    // Sums of capacities carry round-off (ten sites of 1.1 sum to just under 11): a cover within
    // a hair of the demand counts, which can only lower the bound, so it stays valid.
    let enough = demand - COVER_TOLERANCE * demand.abs().max(1.0);
    if covered >= enough {
        return (value, chosen);
    }
    if equal_caps {
        rest.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
    } else {
        rest.sort_by(|&a, &b| (v[a] / cap[a]).total_cmp(&(v[b] / cap[b])).then(a.cmp(&b)));
    }
    for i in rest {
        if covered >= enough {
            break;
        }
        let share = if equal_caps {
            1.0
        } else {
            ((demand - covered) / cap[i]).min(1.0)
        };
        value += v[i] * share;
        covered += cap[i] * share;
        chosen.push((i, share));
    }
    if covered < enough {
        // Not even every site covers the demand: no plan exists.
        return (f64::INFINITY, chosen);
    }
    (value, chosen)
}

/// Plans for a given set of open sites: the transportation problem as a min-cost flow
/// (customers -> sites -> sink) with per-unit costs scaled to whole numbers. The flow it
/// returns is feasible; its cost is recomputed exactly in the instance's units.
struct Transport {
    scale: f64,
    best: Option<Vec<usize>>,
    best_cost: f64,
    /// The best plan's shares `(customer, site, share)`, shares > 0 only.
    best_plan: Vec<(usize, usize, f64)>,
}

impl Transport {
    fn new(inst: &CflpInstance) -> Transport {
        let max_unit = inst
            .cost
            .iter()
            .zip(&inst.demand)
            .flat_map(|(row, d)| row.iter().map(move |c| (c / d).abs()))
            .fold(0.0f64, f64::max);
        // Whole units of at most FLOW_COST_UNITS per unit of demand (1 when the costs are so
        // small that the scale would not be finite: they all round to 0, still a feasible plan).
        let scale = FLOW_COST_UNITS / max_unit;
        let scale = if scale.is_finite() && max_unit > 0.0 {
            scale
        } else {
            1.0
        };
        Transport {
            scale,
            best: None,
            best_cost: f64::INFINITY,
            best_plan: Vec::new(),
        }
    }

    /// Plans with exactly these sites open and keeps the plan if it is the best so far; does
    /// nothing if they cannot serve every customer (demands are whole units, at most
    /// `MAX_FLOW_DEMAND` in all: see `reduce`).
    fn try_plan(&mut self, inst: &CflpInstance, open: &[usize]) {
        let n = inst.customers();
        let sink = n + open.len();
        let mut net = NetworkSimplex::new(sink + 1);
        let mut arcs = Vec::with_capacity(n * open.len());
        for j in 0..n {
            let d = inst.demand[j] as i64;
            net.set_supply(j, d);
            for (k, &i) in open.iter().enumerate() {
                let unit = (inst.cost[j][i] / inst.demand[j] * self.scale).round() as i64;
                arcs.push(net.add_arc(j, n + k, d, unit));
            }
        }
        for (k, &i) in open.iter().enumerate() {
            let cap = inst.capacity[i].floor().min(1e15) as i64;
            net.add_arc(n + k, sink, cap, 0);
        }
        net.set_supply(sink, -(inst.demand.iter().sum::<f64>() as i64));
        if net.max_abs_cost() > net.cost_limit() || net.solve() != FlowStatus::Optimal {
            return;
        }
        let mut cost: f64 = open.iter().map(|&i| inst.fixed[i]).sum();
        let mut plan = Vec::new();
        let mut a = 0;
        for j in 0..n {
            for &i in open {
                let flow = net.flow(arcs[a]);
                a += 1;
                if flow > 0 {
                    let share = flow as f64 / inst.demand[j];
                    cost += inst.cost[j][i] * share;
                    plan.push((j, i, share));
                }
            }
        }
        if cost < self.best_cost {
            self.best_cost = cost;
            self.best = Some(open.to_vec());
            self.best_plan = plan;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(
        cap: Vec<f64>,
        fixed: Vec<f64>,
        demand: Vec<f64>,
        cost: Vec<Vec<f64>>,
    ) -> CflpInstance {
        CflpInstance {
            name: "t".into(),
            capacity: cap,
            fixed,
            demand,
            cost,
        }
    }

    #[test]
    fn a_site_knapsack_takes_the_best_ratio_first_and_splits_the_last() {
        // One site of capacity 10; customers (demand, cost): reduced costs with u = 100 are
        // -80 (d 5, ratio -16), -60 (d 10, ratio -6), +20 (never taken).
        let inst = instance(
            vec![10.0],
            vec![0.0],
            vec![5.0, 10.0, 1.0],
            vec![vec![20.0], vec![40.0], vec![120.0]],
        );
        let mut s = Scratch::default();
        let value = site_value(&inst, &[100.0, 100.0, 100.0], 0, &mut s);
        // All of customer 0 (-80) and half of customer 1 (-30).
        assert!((value - -110.0).abs() < 1e-9, "{value}");
        assert_eq!(s.taken, vec![(0, 1.0), (1, 0.5)]);
    }

    #[test]
    fn the_cover_takes_negatives_then_the_cheapest_and_honours_forcing() {
        let v = [5.0, -2.0, 1.0, 3.0];
        let cap = [10.0; 4];
        // Demand 25 needs 3 sites: -2 (negative), then 1, then 3.
        assert_eq!(cover(&v, &cap, 25.0, true, None).0, 2.0);
        // Site 2 closed: -2 + 3 + 5.
        assert_eq!(cover(&v, &cap, 25.0, true, Some((2, false))).0, 6.0);
        // Site 0 open: 5 - 2 + 1.
        assert_eq!(cover(&v, &cap, 25.0, true, Some((0, true))).0, 4.0);
        // Linear relaxation with unequal capacities: -2 (cap 10), then the best v/cap.
        let cap2 = [10.0, 10.0, 20.0, 5.0];
        // After site 1: 15 more needed; site 2 (0.05 per unit) gives 15/20 of 1.
        assert_eq!(cover(&v, &cap2, 25.0, false, None).0, -2.0 + 0.75);
        // Not enough capacity at all.
        assert!(cover(&v, &cap, 50.0, true, None).0.is_infinite());
    }

    #[test]
    fn a_hand_worked_instance_is_bounded_and_fixed_correctly() {
        // Two customers of demand 10 at distance 0 from "their" site; sites have capacity 10.
        // Site 0 serves customer 0 for 0, site 1 customer 1 for 0, cross service costs 100,
        // site 2 is far from both (1,000) and as dear to open. Optimum: open 0 and 1, cost 20.
        let inst = instance(
            vec![10.0, 10.0, 10.0],
            vec![10.0, 10.0, 10.0],
            vec![10.0, 10.0],
            vec![vec![0.0, 100.0, 1000.0], vec![100.0, 0.0, 1000.0]],
        );
        let r = reduce(&inst).unwrap();
        assert!((r.upper_bound - 20.0).abs() < 1e-9, "{r:?}");
        assert!(r.lower_bound <= 20.0 + 1e-9, "{r:?}");
        assert_eq!(r.fixed, vec![Some(true), Some(true), Some(false)], "{r:?}");
    }
}
