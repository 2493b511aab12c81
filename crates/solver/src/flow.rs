//! The flow engine: an exact solver for allocations with continuous places (no modular bases,
//! no stability rows), built on the network simplex of [`crate::netsimplex`].
//!
//! The LP of [`crate::formulation`] couples the plan years only through new-base capacity and
//! the capital budget. Write K[c,t] = places usable at candidate c in year t (nondecreasing in t,
//! zero before the lead time) and C[t] = w(t - lead) x capex for a place first usable in
//! year t, where w(f) is the net present cost of a pound of capital spent in year f (its
//! discount factor less its value beyond the horizon, `finance::capital_weight`). The capital
//! term is then sum_t C[t] (K[c,t] - K[c,t-1]).
//!
//! **Year-by-year pricing.** For budget prices nu[f] >= 0 per funding year f (pounds of objective
//! per pound spent), a place first usable in t costs C'[t] = (w(f) + nu[f]) x capex with
//! f = t - lead, or, if building earlier is cheaper, the least C' of any earlier year: the
//! prefix minimum M[t]. M is nonincreasing, so the capital term equals
//! sum_t (M[t] - M[t+1]) K[c,t] (M[T] = 0) for nondecreasing K, and is at least that for any K.
//! Dropping "K nondecreasing" and setting K = usage therefore gives a relaxation that splits into
//! one min-cost flow per year: groups -> provisions -> sink, candidate c -> its school -> sink
//! with capacities max_size (constraint 4) and max_new_places (constraint 3), and
//! (M[t] - M[t+1]) x capex on the candidate arc. Its value minus nu . budget is a lower bound on
//! the optimum (Lagrangian duality).
//!
//! **Exact combination.** Each priced solution becomes a column: its flows, its capacities
//! K = running maximum of usage, and its funding (each rise of K funded in the cheapest allowed
//! year under nu, so a nondecreasing usage gives a column whose cost plus nu . spend equals the
//! relaxation value). Only columns whose capacities keep to site limits and base sizes
//! (constraints 3 and 4: each year's usage does, but bases at one school peaking in different
//! years may not together) and that are tight in that sense are used. A tiny master LP picks the
//! cheapest convex combination of columns, and of a column with no new places (which spends
//! nothing), within every year's budget (constraint 5); its duals are the next nu
//! (Dantzig-Wolfe). The method stops when the master's cost equals the best lower bound to
//! [`REL_TOL`], which proves the combination optimal for the LP: every constraint 1-5 holds for
//! a convex combination of columns that each satisfy 1-4.
//!
//! Costs enter the networks as whole 1/10,000ths of a pound, so the bound is exact up to that
//! rounding (below 1e-8 of the objective in practice). When the proof cannot be completed (a
//! relaxation whose usage falls in a later year keeps the bound below the master, or an
//! artificial column stays in the master), [`solve_flow`] says so and the caller uses an LP
//! backend instead; runs with modular bases or stability rows are not flows at all.

use good_lp::{constraint, variable, Expression, ProblemVariables, Solution, SolverModel};
use placeplan_model::capacity::pupils_in;
use placeplan_model::finance::{capital_weight, discount};
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{
    unit_max, Build, Candidate, Placement, Plan, ProvisionRef, SolveStatus,
};
use placeplan_model::Scenario;

use crate::formulation::{fixed_capital, site_places, Network, Options};
use crate::netsimplex::{FlowStatus, NetworkSimplex, INF};
use crate::whole::{snap, Near};

/// Costs inside the networks are whole multiples of 1/COST_UNITS pounds.
const COST_UNITS: f64 = 1e4;
/// The master's cost and the lower bound agree to this relative gap at the end.
pub const REL_TOL: f64 = 1e-8;
/// Most master iterations before the engine gives up and an LP backend takes over.
const MAX_ITERATIONS: usize = 200;
/// Money in the master LP is in millions of pounds.
const MASTER_SCALE: f64 = 1e-6;

const NOT_TIGHT: &str = "new-base usage falls in a later year, so the year-by-year bound is not tight or its capacities break a site limit";

/// Why the flow engine did not return a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowFailure {
    /// The run is not a flow problem (the reason says why); use an LP backend.
    NotApplicable(&'static str),
    /// Even unlimited new places within site limits cannot place every pupil.
    Infeasible,
    /// Optimality could not be proven; use an LP backend.
    Unproven(String),
}

/// Most places one fixed build may add (far above any real base).
const MAX_FIXED_PLACES: f64 = 1e9;

/// Why a run cannot go to the flow engine, if it cannot.
pub fn not_applicable(s: &Scenario, opt: &Options) -> Option<&'static str> {
    if s.solver.stability {
        return Some("stability rows link placements across years");
    }
    if opt.open_bases.is_some() {
        return Some("bases given to open have a minimum size");
    }
    match &opt.fixed_builds {
        Some(builds) => {
            if builds
                .iter()
                .any(|b| b.places.fract() != 0.0 || b.places < 0.0)
            {
                return Some("fixed builds with fractional places");
            }
            let n_cands = placeplan_model::plan::candidates(s).len();
            if builds
                .iter()
                .any(|b| b.candidate >= n_cands || b.places > MAX_FIXED_PLACES)
            {
                return Some("fixed builds outside the scenario's candidates or sizes");
            }
        }
        None => {
            if opt.whole_bases(s) {
                return Some("modular bases need whole-base decisions (a MIP)");
            }
        }
    }
    None
}

fn to_units(pounds: f64) -> i64 {
    (pounds * COST_UNITS).round() as i64
}

const TOO_DEAR: &str = "costs too large for exact whole-number flows";

/// One plan year's network.
struct YearNet {
    ns: NetworkSimplex,
    /// (index into `Network::arcs`, network simplex arc) of every group arc in this year.
    x_arcs: Vec<(usize, usize)>,
    /// Network simplex arc carrying candidate c's usage this year, if c is usable.
    cand_arc: Vec<Option<usize>>,
}

/// Capacity of each new base per year when builds are fixed.
fn fixed_available(
    s: &Scenario,
    cands: &[Candidate],
    n_years: usize,
    builds: &[Build],
) -> Vec<Vec<i64>> {
    let mut available = vec![vec![0i64; n_years]; cands.len()];
    for b in builds {
        let lead = s.build_rules(cands[b.candidate].kind).lead_time as usize;
        for a in available[b.candidate].iter_mut().skip(b.funded + lead) {
            *a += b.places as i64;
        }
    }
    available
}

fn build_year(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    t: usize,
    fixed: Option<&[Vec<i64>]>,
) -> YearNet {
    let (g_n, p_n, c_n, s_n) = (
        demand.groups.len(),
        s.provisions.len(),
        net.candidates.len(),
        s.schools.len(),
    );
    let prov_node = |k: usize| g_n + k;
    let cand_node = |c: usize| g_n + p_n + c;
    let school_node = |sc: usize| g_n + p_n + c_n + sc;
    let sink = g_n + p_n + c_n + s_n;
    let mut ns = NetworkSimplex::new(sink + 1);
    let df = discount(s, t);
    let usable = |c: usize| match fixed {
        Some(av) => av[c][t] > 0,
        None => t >= s.build_rules(net.candidates[c].kind).lead_time as usize,
    };
    let mut x_arcs = Vec::new();
    let mut total = 0i64;
    let mut used_prov = vec![false; p_n];
    let mut used_cand = vec![false; c_n];
    for g in 0..g_n {
        let d = demand.pupils[t][g] as i64;
        if d == 0 {
            continue;
        }
        ns.set_supply(g, d);
        total += d;
        for (i, arc) in net.group_arcs(g).iter().enumerate() {
            let to = match arc.provision {
                ProvisionRef::Existing(k) => {
                    used_prov[k] = true;
                    prov_node(k)
                }
                ProvisionRef::NewBase(c) => {
                    if !usable(c) {
                        continue;
                    }
                    used_cand[c] = true;
                    cand_node(c)
                }
                ProvisionRef::OutOfArea => sink,
                // Stock arcs only: not in a group's arcs.
                ProvisionRef::Elsewhere(_) => continue,
            };
            let a = ns.add_arc(g, to, INF, to_units(df * arc.cost));
            x_arcs.push((net.group_start[g] + i, a));
        }
    }
    ns.set_supply(sink, -total);
    for (k, used) in used_prov.iter().enumerate() {
        if *used {
            ns.add_arc(prov_node(k), sink, net.existing_places[k][t] as i64, 0);
        }
    }
    let mut cand_arc = vec![None; c_n];
    let mut used_school = vec![false; s_n];
    for (c, cand) in net.candidates.iter().enumerate() {
        if !used_cand[c] {
            continue;
        }
        // Arcs carry pupils: new places take whole pupils at the occupancy target.
        cand_arc[c] = Some(match fixed {
            Some(av) => ns.add_arc(cand_node(c), sink, pupils_in(s, av[c][t] as f64) as i64, 0),
            None => {
                used_school[cand.school] = true;
                ns.add_arc(
                    cand_node(c),
                    school_node(cand.school),
                    pupils_in(s, unit_max(s, cand) as f64) as i64,
                    0,
                )
            }
        });
    }
    for (sc, used) in used_school.iter().enumerate() {
        if *used {
            ns.add_arc(
                school_node(sc),
                sink,
                pupils_in(s, site_places(s, sc) as f64) as i64,
                0,
            );
        }
    }
    YearNet {
        ns,
        x_arcs,
        cand_arc,
    }
}

/// One priced solution: flows, funding, its true cost and spend per funding year.
#[derive(Debug, Clone)]
struct Column {
    /// (year, arc, pupils) with pupils > 0.
    flows: Vec<(usize, usize, i64)>,
    /// (candidate, funding year, places) with places > 0.
    builds: Vec<(usize, usize, i64)>,
    /// Discounted pounds: placements, transport and capital.
    cost: f64,
    /// Capital spent per funding year, pounds.
    spend: Vec<f64>,
}

/// The year networks and what pricing needs to know about the scenario.
struct Engine<'a> {
    s: &'a Scenario,
    net: &'a Network,
    years: Vec<YearNet>,
    /// Lead time of each candidate.
    leads: Vec<usize>,
    /// Whether some candidate has lead time l, for l in 0..=T.
    lead_used: Vec<bool>,
    /// Funding years f with f + (the shortest lead time) < T.
    n_fund: usize,
    /// Places per candidate are optimised (false: fixed builds, capital is a constant).
    choose_builds: bool,
    /// Capital per pupil a candidate's new places take: its capital per place over the
    /// occupancy target (columns count new places in the pupils they take).
    capex: Vec<f64>,
}

/// The prefix minimum M[t] of the priced cost of a place first usable in year t, for places
/// with lead time `lead`, and the funding year achieving it (usage years t >= lead).
fn prefix_prices(s: &Scenario, lead: usize, n_years: usize, nu: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut m = vec![0.0; n_years + 1];
    let mut fund_of = vec![0usize; n_years];
    let mut best = f64::INFINITY;
    let mut best_f = 0;
    for t in lead..n_years {
        let f = t - lead;
        let c = capital_weight(s, f, lead, n_years) + nu.get(f).copied().unwrap_or(0.0);
        if c <= best {
            best = c;
            best_f = f;
        }
        m[t] = best;
        fund_of[t] = best_f;
    }
    (m, fund_of)
}

impl Engine<'_> {
    /// Solves the year-by-year relaxation at budget prices `nu`; returns the column and the
    /// relaxation value (pounds, true costs of the flows found).
    fn price(&mut self, nu: &[f64]) -> Result<(Column, f64), FlowFailure> {
        let s = self.s;
        let n_years = self.years.len();
        // M[t] and the funding year achieving it, for usage years t >= lead, per lead time.
        let prices: Vec<(Vec<f64>, Vec<usize>)> = (0..=n_years)
            .map(|lead| {
                if self.choose_builds && self.lead_used[lead] {
                    prefix_prices(s, lead, n_years, nu)
                } else {
                    (vec![0.0; n_years + 1], vec![0; n_years])
                }
            })
            .collect();
        let mut usage = vec![vec![0i64; n_years]; self.capex.len()];
        let mut flows = Vec::new();
        let mut flow_cost = 0.0;
        let mut relax = 0.0;
        for (t, yn) in self.years.iter_mut().enumerate() {
            let step = |c: usize| {
                let m = &prices[self.leads[c]].0;
                m[t] - m[t + 1]
            };
            let limit = yn.ns.cost_limit();
            for (c, arc) in yn.cand_arc.iter().enumerate() {
                if let Some(a) = *arc {
                    let units = to_units(step(c) * self.capex[c]);
                    if units.abs() > limit {
                        return Err(FlowFailure::Unproven(TOO_DEAR.into()));
                    }
                    yn.ns.set_cost(a, units);
                }
            }
            if yn.ns.solve() != FlowStatus::Optimal {
                return Err(FlowFailure::Infeasible);
            }
            let df = discount(s, t);
            for &(arc, a) in &yn.x_arcs {
                let f = yn.ns.flow(a);
                if f > 0 {
                    flows.push((t, arc, f));
                    flow_cost += df * self.net.arcs[arc].cost * f as f64;
                }
            }
            for (c, arc) in yn.cand_arc.iter().enumerate() {
                if let Some(a) = *arc {
                    let u = yn.ns.flow(a);
                    usage[c][t] = u;
                    relax += step(c) * self.capex[c] * u as f64;
                }
            }
        }
        relax += flow_cost;
        // Capacities: running maximum of usage; each rise funded in the cheapest allowed year.
        let mut builds = Vec::new();
        let mut spend = vec![0.0; self.n_fund];
        let mut capital = 0.0;
        for (c, u) in usage.iter().enumerate().filter(|_| self.choose_builds) {
            let mut k = 0i64;
            let lead = self.leads[c];
            for t in lead..n_years {
                if u[t] > k {
                    let f = prices[lead].1[t];
                    let rise = u[t] - k;
                    builds.push((c, f, rise));
                    spend[f] += self.capex[c] * rise as f64;
                    capital += capital_weight(s, f, lead, n_years) * self.capex[c] * rise as f64;
                    k = u[t];
                }
            }
        }
        builds.sort_unstable();
        let mut merged: Vec<(usize, usize, i64)> = Vec::with_capacity(builds.len());
        for b in builds {
            match merged.last_mut() {
                Some(last) if last.0 == b.0 && last.1 == b.1 => last.2 += b.2,
                _ => merged.push(b),
            }
        }
        Ok((
            Column {
                flows,
                builds: merged,
                cost: flow_cost + capital,
                spend,
            },
            relax,
        ))
    }

    /// Whether a column's capacities (the running maximum of its usage) keep to every site
    /// limit and base size (constraints 3 and 4, in the pupils they take at the occupancy
    /// target). Each year's usage does by construction, but a base whose usage peaks early and
    /// one at the same school peaking late may not together.
    fn within_limits(&self, col: &Column) -> bool {
        let s = self.s;
        let mut per_school = vec![0i64; self.s.schools.len()];
        let mut per_unit = vec![0i64; self.capex.len()];
        let unit = &self.net.units;
        for &(c, _, p) in &col.builds {
            per_school[self.net.candidates[c].school] += p;
            per_unit[unit[c]] += p;
        }
        per_unit.iter().enumerate().all(|(u, &p)| {
            p == 0 || p <= pupils_in(s, unit_max(s, &self.net.candidates[u]) as f64) as i64
        }) && per_school
            .iter()
            .zip(&s.schools)
            .all(|(&p, sc)| p <= pupils_in(s, sc.max_new_places as f64) as i64)
    }
}

/// Solves the allocation exactly with the flow engine (see the module docs).
pub fn solve_flow(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
) -> Result<Plan, FlowFailure> {
    if let Some(why) = not_applicable(s, opt) {
        return Err(FlowFailure::NotApplicable(why));
    }
    let n_years = demand.years.len();
    let leads: Vec<usize> = net
        .candidates
        .iter()
        .map(|c| s.build_rules(c.kind).lead_time as usize)
        .collect();
    let lead = leads.iter().copied().min().unwrap_or(0);
    let mut lead_used = vec![false; n_years + 1];
    for &l in &leads {
        if let Some(u) = lead_used.get_mut(l) {
            *u = true;
        }
    }
    let fixed = opt
        .fixed_builds
        .as_ref()
        .map(|b| fixed_available(s, &net.candidates, n_years, b));
    let years: Vec<YearNet> = (0..n_years)
        .map(|t| build_year(s, demand, net, t, fixed.as_deref()))
        .collect();
    if years
        .iter()
        .any(|y| y.ns.max_abs_cost() > y.ns.cost_limit())
    {
        return Err(FlowFailure::NotApplicable(TOO_DEAR));
    }
    let capex = net
        .candidates
        .iter()
        .map(|c| s.candidate_capex(c) / s.solver.occupancy_target)
        .collect();
    let mut eng = Engine {
        s,
        net,
        years,
        leads: leads.clone(),
        lead_used: lead_used.clone(),
        n_fund: if fixed.is_some() {
            0
        } else {
            n_years.saturating_sub(lead)
        },
        choose_builds: fixed.is_none(),
        capex,
    };
    let (first, relax) = eng.price(&[])?;

    if let Some(builds) = &opt.fixed_builds {
        let constant = fixed_capital(s, &net.candidates, builds, demand.years.len());
        let mut plan = to_plan(s, demand, net, &[(first, 1.0)]);
        plan.builds = builds.clone();
        plan.builds.sort_by_key(|b| (b.candidate, b.funded));
        plan.objective += constant;
        return Ok(plan);
    }

    // Budget rows of funding years whose budget could bind.
    let budget: Vec<(usize, f64)> = (0..eng.n_fund)
        .map(|f| (f, s.capital_budget.get(f).copied().unwrap_or(0.0)))
        .filter(|(_, b)| b.is_finite())
        .collect();
    let fits = |col: &Column| {
        budget
            .iter()
            .all(|&(f, b)| col.spend[f] <= b * (1.0 + 1e-12) + 1e-6)
    };
    let tight =
        |col: &Column, relax: f64| (col.cost - relax).abs() <= REL_TOL * col.cost.abs().max(1.0);
    if !tight(&first, relax) || !eng.within_limits(&first) {
        return Err(FlowFailure::Unproven(NOT_TIGHT.into()));
    }
    if fits(&first) {
        return Ok(to_plan(s, demand, net, &[(first, 1.0)]));
    }
    let mut lower = relax;
    let mut cols = vec![first];
    // A column with no new places spends nothing, so it keeps the master feasible without its
    // artificial column (when it exists: without out-of-area places it may not).
    let fixed_none = fixed_available(s, &net.candidates, n_years, &[]);
    let mut none = Engine {
        s,
        net,
        years: (0..n_years)
            .map(|t| build_year(s, demand, net, t, Some(&fixed_none)))
            .collect(),
        leads,
        lead_used,
        n_fund: eng.n_fund,
        choose_builds: false,
        capex: eng.capex.clone(),
    };
    match none.price(&[]) {
        Ok((col, _)) => cols.push(col),
        Err(FlowFailure::Infeasible) => {}
        Err(e) => return Err(e),
    }
    // The artificial column must cost more than any real one, so it is used only when no
    // combination of real columns fits the budget.
    let penalty = 10.0 * cols.iter().map(|c| c.cost.abs()).fold(1.0, f64::max);
    for _ in 0..MAX_ITERATIONS {
        let m = master(&cols, &budget, eng.n_fund, penalty)?;
        let (col, relax) = eng.price(&m.nu)?;
        let nu_b: f64 = budget.iter().map(|&(f, b)| m.nu[f] * b).sum();
        lower = lower.max(relax - nu_b);
        let gap = m.cost - lower;
        if m.artificial <= 1e-9 && gap <= REL_TOL * m.cost.abs().max(1.0) {
            let chosen: Vec<(Column, f64)> = m
                .weights
                .iter()
                .filter(|(_, w)| *w > 0.0)
                .map(|&(j, w)| (cols[j].clone(), w))
                .collect();
            let mut plan = to_plan(s, demand, net, &chosen);
            plan.objective = chosen.iter().map(|(c, w)| c.cost * w).sum();
            return Ok(plan);
        }
        let priced = col.cost + col.spend.iter().zip(&m.nu).map(|(x, n)| x * n).sum::<f64>();
        let reduced = priced - m.sigma;
        // The relaxation prices capital at discount + nu, so a tight column's priced cost
        // equals the relaxation value.
        if (priced - relax).abs() > REL_TOL * priced.abs().max(1.0) || !eng.within_limits(&col) {
            return Err(FlowFailure::Unproven(NOT_TIGHT.into()));
        }
        if reduced >= -REL_TOL * m.cost.abs().max(1.0) {
            return Err(FlowFailure::Unproven(format!(
                "the bound stays {gap:.2} pounds below the best combination"
            )));
        }
        cols.push(col);
    }
    Err(FlowFailure::Unproven(format!(
        "no proof of optimality after {MAX_ITERATIONS} pricing rounds"
    )))
}

/// The master's answer: weights of the columns, duals, and its cost in pounds.
struct Master {
    weights: Vec<(usize, f64)>,
    artificial: f64,
    /// Budget prices per funding year (zero where the year has no row).
    nu: Vec<f64>,
    /// Price of the convexity row, pounds.
    sigma: f64,
    cost: f64,
}

/// Cheapest convex combination of columns within budget (primal) and its prices (dual).
fn master(
    cols: &[Column],
    budget: &[(usize, f64)],
    n_fund: usize,
    penalty: f64,
) -> Result<Master, FlowFailure> {
    let fail = |e: good_lp::ResolutionError| FlowFailure::Unproven(format!("master LP: {e}"));
    // Primal.
    let mut vars = ProblemVariables::new();
    let lam: Vec<_> = cols.iter().map(|_| vars.add(variable().min(0.0))).collect();
    let art = vars.add(variable().min(0.0));
    let mut obj = Expression::from(art) * (penalty * MASTER_SCALE);
    let mut convex = Expression::from(art);
    for (c, &v) in cols.iter().zip(&lam) {
        obj.add_mul(c.cost * MASTER_SCALE, v);
        convex.add_mul(1.0, v);
    }
    let mut p = vars.minimise(obj).using(good_lp::microlp);
    p = p.with(constraint!(convex == 1.0));
    for &(f, b) in budget {
        let mut e = Expression::default();
        for (c, &v) in cols.iter().zip(&lam) {
            if c.spend[f] != 0.0 {
                e.add_mul(c.spend[f] * MASTER_SCALE, v);
            }
        }
        p = p.with(e.leq(b * MASTER_SCALE));
    }
    let sol = p.solve().map_err(fail)?;
    let artificial = sol.value(art).max(0.0);
    let mut weights: Vec<(usize, f64)> = lam
        .iter()
        .enumerate()
        .map(|(j, &v)| (j, sol.value(v).max(0.0)))
        .collect();
    let total: f64 = weights.iter().map(|w| w.1).sum::<f64>() + artificial;
    for w in &mut weights {
        w.1 /= total;
        if w.1 < 1e-12 {
            w.1 = 0.0;
        }
    }
    let cost =
        weights.iter().map(|&(j, w)| cols[j].cost * w).sum::<f64>() + penalty * artificial / total;

    // Dual: max sigma - sum nu_f B_f, sigma - sum nu_f spend_fj <= cost_j, sigma <= penalty.
    let mut vars = ProblemVariables::new();
    let sigma = vars.add(variable());
    let nu: Vec<_> = budget
        .iter()
        .map(|_| vars.add(variable().min(0.0)))
        .collect();
    let mut obj = Expression::from(sigma);
    for (&(_, b), &v) in budget.iter().zip(&nu) {
        obj.add_mul(-b * MASTER_SCALE, v);
    }
    let mut d = vars.maximise(obj).using(good_lp::microlp);
    d = d.with(constraint!(sigma <= penalty * MASTER_SCALE));
    for c in cols {
        let mut e = Expression::from(sigma);
        for (&(f, _), &v) in budget.iter().zip(&nu) {
            if c.spend[f] != 0.0 {
                e.add_mul(-c.spend[f] * MASTER_SCALE, v);
            }
        }
        d = d.with(e.leq(c.cost * MASTER_SCALE));
    }
    let dsol = d.solve().map_err(fail)?;
    let mut nu_out = vec![0.0; n_fund];
    for (&(f, _), &v) in budget.iter().zip(&nu) {
        nu_out[f] = dsol.value(v).max(0.0);
    }
    Ok(Master {
        weights,
        artificial: artificial / total,
        nu: nu_out,
        sigma: dsol.value(sigma) / MASTER_SCALE,
        cost,
    })
}

/// Values this close to a whole number (relative to its size) are snapped to it.
const WITHIN: Near = Near::Relative(1e-9);

/// The plan of a convex combination of columns (whose new places are counted in the pupils
/// they take: places = pupils / the occupancy target).
fn to_plan(s: &Scenario, demand: &Demand, net: &Network, chosen: &[(Column, f64)]) -> Plan {
    let target = s.solver.occupancy_target;
    use std::collections::BTreeMap;
    let mut place: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
    let mut build: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut objective = 0.0;
    for (col, w) in chosen {
        objective += col.cost * w;
        for &(t, arc, f) in &col.flows {
            let a = net.arcs[arc];
            *place.entry((t, a.group, a.provision)).or_default() += f as f64 * w;
        }
        for &(c, f, p) in &col.builds {
            *build.entry((c, f)).or_default() += p as f64 * w;
        }
    }
    Plan {
        years: demand.years.clone(),
        candidates: net.candidates.clone(),
        builds: build
            .into_iter()
            .map(|((candidate, funded), p)| Build {
                candidate,
                funded,
                places: snap(p / target, WITHIN),
            })
            .filter(|b| b.places > 0.0)
            .collect(),
        placements: place
            .into_iter()
            .map(|((year, group, provision), p)| Placement {
                year,
                group,
                provision,
                pupils: snap(p, WITHIN),
            })
            .filter(|p| p.pupils > 0.0)
            .collect(),
        moves: Vec::new(),
        objective,
        bound: None,
        status: SolveStatus::Optimal,
        method: "flow".to_string(),
    }
}
