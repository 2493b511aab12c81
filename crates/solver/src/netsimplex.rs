//! Primal network simplex for minimum-cost flow with integer supplies, capacities and costs.
//!
//! The method keeps a strongly feasible spanning tree rooted at an artificial node, picks
//! entering arcs by block search (blocks of about sqrt(arcs)), chooses the leaving arc by the
//! strongly-feasible-tree rule (the last blocking arc met from the apex of the cycle), which
//! rules out cycling, and re-hangs the cut-off subtree with doubly linked child lists. With
//! whole numbers throughout the result is exact: no tolerances are involved.
//!
//! After a solve, [`NetworkSimplex::set_cost`] may change arc costs and [`NetworkSimplex::solve`]
//! continues from the optimal tree of the previous solve (the flow stays feasible because
//! supplies and capacities did not change), which is how the allocation engine re-prices a year
//! cheaply.

/// Arcs with at least this capacity are uncapacitated.
pub const INF: i64 = i64::MAX / 4;

const NONE: usize = usize::MAX;
const STATE_UPPER: i8 = -1;
const STATE_TREE: i8 = 0;
const STATE_LOWER: i8 = 1;
/// `pred` arc goes from the node up to its parent.
const DIR_UP: i64 = 1;
/// `pred` arc goes from the parent down to the node.
const DIR_DOWN: i64 = -1;

/// How a solve ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowStatus {
    Optimal,
    /// Supplies cannot be routed within the arc capacities.
    Infeasible,
}

/// A min-cost flow problem and its solver state.
#[derive(Debug, Clone)]
pub struct NetworkSimplex {
    n: usize,
    m: usize,
    /// Arc ends as u32 (half the memory traffic of the pricing scan).
    source: Vec<u32>,
    target: Vec<u32>,
    cap: Vec<i64>,
    cost: Vec<i64>,
    flow: Vec<i64>,
    state: Vec<i8>,
    supply: Vec<i64>,
    pi: Vec<i64>,
    parent: Vec<usize>,
    pred: Vec<usize>,
    pred_dir: Vec<i64>,
    depth: Vec<usize>,
    first_child: Vec<usize>,
    next_sib: Vec<usize>,
    prev_sib: Vec<usize>,
    started: bool,
    /// Largest |cost| of a real arc so far, and the cost of the artificial arcs built from it.
    max_cost: i64,
    art: i64,
    /// Scratch stack for subtree walks, kept between pivots.
    stack: Vec<usize>,
    next_arc: usize,
    block: usize,
    /// Pivots made over the life of this solver.
    pub pivots: u64,
}

impl NetworkSimplex {
    /// A problem on `nodes` nodes with no arcs and zero supplies.
    pub fn new(nodes: usize) -> Self {
        NetworkSimplex {
            n: nodes,
            m: 0,
            source: Vec::new(),
            target: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
            flow: Vec::new(),
            state: Vec::new(),
            supply: vec![0; nodes],
            pi: Vec::new(),
            parent: Vec::new(),
            pred: Vec::new(),
            pred_dir: Vec::new(),
            depth: Vec::new(),
            first_child: Vec::new(),
            next_sib: Vec::new(),
            prev_sib: Vec::new(),
            started: false,
            max_cost: 0,
            art: 0,
            stack: Vec::new(),
            next_arc: 0,
            block: 0,
            pivots: 0,
        }
    }

    /// Adds an arc from `from` to `to` with capacity `cap` (use [`INF`] for none) and unit
    /// `cost`; returns its index. Only before the first solve.
    pub fn add_arc(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        assert!(!self.started, "arcs are added before solving");
        assert!(from < self.n && to < self.n && cap >= 0);
        assert!(self.n < u32::MAX as usize, "at most 2^32 - 2 nodes");
        self.source.push(from as u32);
        self.target.push(to as u32);
        self.cap.push(cap.min(INF));
        self.cost.push(cost);
        self.m += 1;
        self.m - 1
    }

    /// Sets the supply (positive) or demand (negative) of a node. Only before the first solve.
    pub fn set_supply(&mut self, node: usize, supply: i64) {
        assert!(!self.started, "supplies are set before solving");
        self.supply[node] = supply;
    }

    /// Changes the unit cost of a real arc; the next solve starts from the current tree.
    pub fn set_cost(&mut self, arc: usize, cost: i64) {
        self.cost[arc] = cost;
        if self.started && cost.abs() > self.max_cost {
            // Keep artificial arcs dearer than any path of real arcs.
            self.max_cost = cost.abs();
            let art = Self::artificial_cost(self.max_cost, self.n);
            for a in self.m..self.cost.len() {
                if self.cost[a] == self.art {
                    self.cost[a] = art;
                }
            }
            self.art = art;
        }
    }

    fn artificial_cost(max_cost: i64, n: usize) -> i64 {
        (max_cost + 1).saturating_mul(n as i64 + 1)
    }

    /// Largest |cost| for which whole-number arithmetic cannot overflow on this network: the
    /// artificial cost (max + 1)(n + 1) stays below i64::MAX / 8, so potentials and reduced costs
    /// stay well inside i64.
    pub fn cost_limit(&self) -> i64 {
        (i64::MAX / 8) / (self.n as i64 + 2) - 1
    }

    /// Largest |cost| of a real arc.
    pub fn max_abs_cost(&self) -> i64 {
        self.cost[..self.m]
            .iter()
            .map(|c| c.abs())
            .max()
            .unwrap_or(0)
    }

    pub fn num_arcs(&self) -> usize {
        self.m
    }

    /// Flow on a real arc after a solve.
    pub fn flow(&self, arc: usize) -> i64 {
        self.flow[arc]
    }

    /// Node potential after a solve: reduced cost of arc (i, j) is cost + pi[i] - pi[j].
    pub fn potential(&self, node: usize) -> i64 {
        self.pi[node]
    }

    /// Total cost of the current flow, exact.
    pub fn total_cost(&self) -> i128 {
        (0..self.m)
            .map(|a| self.flow[a] as i128 * self.cost[a] as i128)
            .sum()
    }

    /// Solves (or re-solves after cost changes) to optimality.
    pub fn solve(&mut self) -> FlowStatus {
        if !self.started {
            if self.supply.iter().sum::<i64>() != 0 {
                return FlowStatus::Infeasible;
            }
            self.init();
            self.started = true;
        } else {
            self.recompute_potentials();
        }
        while let Some(in_arc) = self.find_entering() {
            self.pivot(in_arc);
            self.pivots += 1;
        }
        let artificial_flow = (self.m..self.source.len()).any(|a| self.flow[a] != 0);
        if artificial_flow {
            FlowStatus::Infeasible
        } else {
            FlowStatus::Optimal
        }
    }

    fn init(&mut self) {
        let root = self.n;
        self.max_cost = self.cost.iter().map(|c| c.abs()).max().unwrap_or(0);
        // Dearer than any path of real arcs, so artificial arcs carry flow only when nothing else
        // can.
        let art = Self::artificial_cost(self.max_cost, self.n);
        self.art = art;
        let nodes = self.n + 1;
        self.pi = vec![0; nodes];
        self.parent = vec![NONE; nodes];
        self.pred = vec![NONE; nodes];
        self.pred_dir = vec![0; nodes];
        self.depth = vec![0; nodes];
        self.first_child = vec![NONE; nodes];
        self.next_sib = vec![NONE; nodes];
        self.prev_sib = vec![NONE; nodes];
        self.flow = vec![0; self.m];
        self.state = vec![STATE_LOWER; self.m];
        for u in 0..self.n {
            let e = self.source.len();
            let s = self.supply[u];
            if s >= 0 {
                self.source.push(u as u32);
                self.target.push(root as u32);
                self.cost.push(0);
                self.flow.push(s);
                self.pred_dir[u] = DIR_UP;
                self.pi[u] = 0;
            } else {
                self.source.push(root as u32);
                self.target.push(u as u32);
                self.cost.push(art);
                self.flow.push(-s);
                self.pred_dir[u] = DIR_DOWN;
                self.pi[u] = art;
            }
            self.cap.push(INF);
            self.state.push(STATE_TREE);
            self.pred[u] = e;
            self.depth[u] = 1;
            self.attach(u, root);
        }
        self.block = ((self.m as f64).sqrt().ceil() as usize).max(10);
        self.next_arc = 0;
    }

    fn attach(&mut self, child: usize, parent: usize) {
        self.parent[child] = parent;
        let head = self.first_child[parent];
        self.next_sib[child] = head;
        self.prev_sib[child] = NONE;
        if head != NONE {
            self.prev_sib[head] = child;
        }
        self.first_child[parent] = child;
    }

    fn detach(&mut self, child: usize) {
        let p = self.parent[child];
        let (prev, next) = (self.prev_sib[child], self.next_sib[child]);
        if prev != NONE {
            self.next_sib[prev] = next;
        } else if p != NONE {
            self.first_child[p] = next;
        }
        if next != NONE {
            self.prev_sib[next] = prev;
        }
        self.parent[child] = NONE;
        self.next_sib[child] = NONE;
        self.prev_sib[child] = NONE;
    }

    fn src(&self, a: usize) -> usize {
        self.source[a] as usize
    }

    fn tgt(&self, a: usize) -> usize {
        self.target[a] as usize
    }

    fn reduced_cost(&self, a: usize) -> i64 {
        self.cost[a] + self.pi[self.src(a)] - self.pi[self.tgt(a)]
    }

    /// Block search: the most violating arc of the first block that has one.
    fn find_entering(&mut self) -> Option<usize> {
        if self.m == 0 {
            return None;
        }
        let mut best = 0i64;
        let mut best_arc = NONE;
        let mut count = self.block;
        let start = self.next_arc;
        let mut e = start;
        loop {
            let c = self.state[e] as i64 * self.reduced_cost(e);
            if c < best {
                best = c;
                best_arc = e;
            }
            e += 1;
            if e == self.m {
                e = 0;
            }
            count -= 1;
            if count == 0 {
                if best_arc != NONE {
                    break;
                }
                count = self.block;
            }
            if e == start {
                break;
            }
        }
        self.next_arc = e;
        (best_arc != NONE).then_some(best_arc)
    }

    fn residual_down(&self, u: usize) -> i64 {
        // Pushing flow from parent[u] down to u along pred[u].
        let e = self.pred[u];
        if self.pred_dir[u] == DIR_UP {
            self.flow[e]
        } else {
            self.cap[e] - self.flow[e]
        }
    }

    fn residual_up(&self, u: usize) -> i64 {
        // Pushing flow from u up to parent[u] along pred[u].
        let e = self.pred[u];
        if self.pred_dir[u] == DIR_UP {
            self.cap[e] - self.flow[e]
        } else {
            self.flow[e]
        }
    }

    fn pivot(&mut self, in_arc: usize) {
        // Apex of the cycle.
        let (mut u, mut v) = (self.src(in_arc), self.tgt(in_arc));
        while u != v {
            if self.depth[u] > self.depth[v] {
                u = self.parent[u];
            } else if self.depth[v] > self.depth[u] {
                v = self.parent[v];
            } else {
                u = self.parent[u];
                v = self.parent[v];
            }
        }
        let join = u;
        // Flow goes first -> second along the entering arc, up from second to the apex and down
        // from the apex to first.
        let (first, second) = if self.state[in_arc] == STATE_LOWER {
            (self.src(in_arc), self.tgt(in_arc))
        } else {
            (self.tgt(in_arc), self.src(in_arc))
        };
        let mut delta = self.cap[in_arc];
        let mut result = 0;
        let mut u_out = NONE;
        let mut w = first;
        while w != join {
            let d = self.residual_down(w);
            if d < delta {
                delta = d;
                u_out = w;
                result = 1;
            }
            w = self.parent[w];
        }
        w = second;
        while w != join {
            let d = self.residual_up(w);
            if d <= delta {
                delta = d;
                u_out = w;
                result = 2;
            }
            w = self.parent[w];
        }
        assert!(
            delta < INF,
            "unbounded min-cost flow: a negative cycle of uncapacitated arcs"
        );
        if delta > 0 {
            let val = self.state[in_arc] as i64 * delta;
            self.flow[in_arc] += val;
            let mut w = self.src(in_arc);
            while w != join {
                let e = self.pred[w];
                self.flow[e] -= self.pred_dir[w] * val;
                w = self.parent[w];
            }
            let mut w = self.tgt(in_arc);
            while w != join {
                let e = self.pred[w];
                self.flow[e] += self.pred_dir[w] * val;
                w = self.parent[w];
            }
        }
        if result == 0 {
            // The entering arc itself is the bottleneck: it moves to its other bound.
            self.state[in_arc] = -self.state[in_arc];
            return;
        }
        let (u_in, v_in) = if result == 1 {
            (first, second)
        } else {
            (second, first)
        };
        let out_arc = self.pred[u_out];
        self.state[in_arc] = STATE_TREE;
        self.state[out_arc] = if self.flow[out_arc] == 0 {
            STATE_LOWER
        } else {
            STATE_UPPER
        };
        // Re-hang the path u_in .. u_out under v_in, reversing its parent links.
        let mut child = u_in;
        let mut new_parent = v_in;
        let mut new_pred = in_arc;
        loop {
            let old_parent = self.parent[child];
            let old_pred = self.pred[child];
            self.detach(child);
            self.pred[child] = new_pred;
            self.pred_dir[child] = if self.src(new_pred) == child {
                DIR_UP
            } else {
                DIR_DOWN
            };
            self.attach(child, new_parent);
            if child == u_out {
                break;
            }
            new_parent = child;
            new_pred = old_pred;
            child = old_parent;
        }
        // Potentials shift by one constant over the moved subtree; depths are recomputed.
        let want = if self.src(in_arc) == u_in {
            self.pi[v_in] - self.cost[in_arc]
        } else {
            self.pi[v_in] + self.cost[in_arc]
        };
        let sigma = want - self.pi[u_in];
        self.update_subtree(u_in, sigma);
    }

    fn update_subtree(&mut self, top: usize, sigma: i64) {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(top);
        while let Some(x) = stack.pop() {
            self.pi[x] += sigma;
            self.depth[x] = self.depth[self.parent[x]] + 1;
            let mut c = self.first_child[x];
            while c != NONE {
                stack.push(c);
                c = self.next_sib[c];
            }
        }
        self.stack = stack;
    }

    fn recompute_potentials(&mut self) {
        let root = self.n;
        self.pi[root] = 0;
        let mut stack = vec![root];
        while let Some(x) = stack.pop() {
            let mut c = self.first_child[x];
            while c != NONE {
                let e = self.pred[c];
                self.pi[c] = if self.pred_dir[c] == DIR_UP {
                    self.pi[x] - self.cost[e]
                } else {
                    self.pi[x] + self.cost[e]
                };
                stack.push(c);
                c = self.next_sib[c];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two plants, three customers, hand-worked: the optimum ships 0->2: 20, 0->3: 10,
    /// 1->3: 5, 1->4: 25 at cost 20*1 + 10*4 + 5*2 + 25*3 = 145.
    #[test]
    fn small_transportation_problem() {
        let mut ns = NetworkSimplex::new(5);
        ns.set_supply(0, 30);
        ns.set_supply(1, 30);
        ns.set_supply(2, -20);
        ns.set_supply(3, -15);
        ns.set_supply(4, -25);
        let costs = [[1, 4, 6], [5, 2, 3]];
        let mut arcs = Vec::new();
        for (i, row) in costs.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                arcs.push(ns.add_arc(i, 2 + j, INF, c));
            }
        }
        assert_eq!(ns.solve(), FlowStatus::Optimal);
        assert_eq!(ns.total_cost(), 145);
        let flows: Vec<i64> = arcs.iter().map(|&a| ns.flow(a)).collect();
        assert_eq!(flows, vec![20, 10, 0, 0, 5, 25]);
    }

    #[test]
    fn capacities_and_infeasibility() {
        // 10 units from 0 to 2 via 1 (cap 4, cost 1) or directly (cap 5, cost 10).
        let mut ns = NetworkSimplex::new(3);
        ns.set_supply(0, 10);
        ns.set_supply(2, -10);
        ns.add_arc(0, 1, 4, 1);
        ns.add_arc(1, 2, 4, 1);
        ns.add_arc(0, 2, 5, 10);
        assert_eq!(ns.solve(), FlowStatus::Infeasible);

        let mut ns = NetworkSimplex::new(3);
        ns.set_supply(0, 9);
        ns.set_supply(2, -9);
        let a = ns.add_arc(0, 1, 4, 1);
        ns.add_arc(1, 2, 4, 1);
        let c = ns.add_arc(0, 2, 5, 10);
        assert_eq!(ns.solve(), FlowStatus::Optimal);
        assert_eq!((ns.flow(a), ns.flow(c), ns.total_cost()), (4, 5, 58));
        // Re-pricing: the direct arc becomes cheap, the solve continues from the last tree.
        ns.set_cost(c, 1);
        assert_eq!(ns.solve(), FlowStatus::Optimal);
        assert_eq!((ns.flow(a), ns.flow(c), ns.total_cost()), (4, 5, 13));
        ns.set_cost(c, 3);
        ns.set_cost(a, 0);
        assert_eq!(ns.solve(), FlowStatus::Optimal);
        assert_eq!(ns.total_cost(), 4 + 15);
    }

    /// Potentials prove optimality: every non-tree arc at its lower bound has a reduced cost
    /// >= 0 and every arc at its upper bound <= 0.
    #[test]
    fn potentials_certify_random_instances() {
        let mut rng = placeplan_model::rng::SplitMix64::new(7);
        for _ in 0..200 {
            let n = 2 + (rng.next_u64() % 12) as usize;
            let mut ns = NetworkSimplex::new(n);
            let mut bal = 0i64;
            for u in 0..n - 1 {
                let s = (rng.next_u64() % 11) as i64 - 5;
                ns.set_supply(u, s);
                bal += s;
            }
            ns.set_supply(n - 1, -bal);
            let m = (rng.next_u64() % 40) as usize;
            for _ in 0..m {
                let a = (rng.next_u64() % n as u64) as usize;
                let b = (rng.next_u64() % n as u64) as usize;
                let cap = if rng.next_u64().is_multiple_of(3) {
                    INF
                } else {
                    (rng.next_u64() % 8) as i64
                };
                ns.add_arc(a, b, cap, (rng.next_u64() % 21) as i64);
            }
            if ns.solve() != FlowStatus::Optimal {
                continue;
            }
            for a in 0..ns.num_arcs() {
                let rc = ns.reduced_cost(a);
                let f = ns.flow(a);
                assert!(f >= 0 && f <= ns.cap[a]);
                if ns.cap[a] == 0 {
                    continue;
                }
                if f < ns.cap[a] {
                    assert!(
                        rc >= 0,
                        "arc {a} below its upper bound with reduced cost {rc}"
                    );
                }
                if f > 0 {
                    assert!(
                        rc <= 0,
                        "arc {a} above its lower bound with reduced cost {rc}"
                    );
                }
            }
            // Conservation.
            let mut net = vec![0i64; n];
            for a in 0..ns.num_arcs() {
                net[ns.src(a)] += ns.flow(a);
                net[ns.tgt(a)] -= ns.flow(a);
            }
            for (u, &x) in net.iter().enumerate() {
                assert_eq!(x, ns.supply[u]);
            }
        }
    }

    /// A re-solve after cost changes reaches the same optimum as a fresh solve.
    #[test]
    fn warm_resolve_matches_fresh_solve() {
        let mut rng = placeplan_model::rng::SplitMix64::new(11);
        for _ in 0..200 {
            let (plants, customers) = (1 + rng.below(4), 1 + rng.below(6));
            let n = plants + customers;
            let build = |costs: &[i64]| {
                let mut ns = NetworkSimplex::new(n);
                for p in 0..plants {
                    ns.set_supply(p, 10);
                }
                let total = 10 * plants as i64;
                for c in 0..customers {
                    let share =
                        total / customers as i64 + i64::from(c == 0) * (total % customers as i64);
                    ns.set_supply(plants + c, -share);
                }
                let mut k = 0;
                for p in 0..plants {
                    for c in 0..customers {
                        ns.add_arc(p, plants + c, 4 + (k as i64 % 9), costs[k]);
                        k += 1;
                    }
                }
                ns
            };
            let m = plants * customers;
            let first: Vec<i64> = (0..m).map(|_| rng.below(30) as i64).collect();
            let second: Vec<i64> = (0..m).map(|_| rng.below(3000) as i64).collect();
            let mut warm = build(&first);
            let status = warm.solve();
            for (a, &c) in second.iter().enumerate() {
                warm.set_cost(a, c);
            }
            let mut fresh = build(&second);
            assert_eq!(warm.solve(), fresh.solve());
            if status == FlowStatus::Optimal {
                assert_eq!(warm.total_cost(), fresh.total_cost());
            }
        }
    }
}
