//! The allocation model, built with good_lp over sparse arcs only.
//!
//! Sets: plan years t = 0..T-1; demand groups g = (locality, need, phase) with whole-pupil demand
//! d[g,t]; provisions k = existing specialist places (special schools, existing resourced bases,
//! in-area independent and post-16 providers), candidates c = (host s, need n, phase p, kind:
//! resourced base, special-school expansion, post-16 expansion, new special school), units u
//! (a new special school over all its candidates; any other candidate alone; `plan::units`),
//! and one out-of-area / independent option with no capacity limit.
//! An arc (g,k) exists only where k takes g's need and phase and the journey from g's locality
//! to k's school is within g's phase limit; out-of-area arcs exist for every g when allowed.
//! A cohort gets no variable on an arc to a candidate that could carry none of its pupils (a
//! year before the candidate's lead time, fixed builds taking no pupil that year, a candidate
//! outside [`Options::open_bases`]): the same LP optimum with fewer columns.
//!
//! Cohorts q (crates/model `cohort`): whole pupils of one group present from plan year
//! first[q] to last[q], placed once for all those years. With stability they come from the
//! base year's history and the demand (pupils already placed keep their kind of provision:
//! [`Network::stock_arcs`]); without, there is one cohort per group and year.
//!
//! Variables: x[q,k] >= 0 pupils of cohort q placed at k (an arc of q's group, or a stock arc);
//! y[c,t] >= 0 new places at c funded in year t (only where t + lead(c) < T, lead(c) the lead
//! time of c's kind, so they can be used), whole numbers (multiples of the class size for
//! expansions) in modular runs unless [`Options::fractional_places`]; with modular bases,
//! z[u,t] in {0,1}: unit u opens (is first funded) in year t, for units whose kind needs an
//! opening decision (`KindRules::needs_opening`).
//!
//! Constraints:
//! 1. Every pupil is placed: sum_k x[q,k] = pupils[q].
//! 2. Capacity in every year t at the occupancy target rho: sum of x[q,k] over cohorts present
//!    in t <= cap[k,t] for existing k ([`Network::existing_places`]); <= rho x
//!    sum_{tau <= t - lead(c)} y[c,tau] for candidates c (through a whole w[c,t] where places are
//!    whole). 2a: per year, pupils at a unit <= floor(rho x max(u)) and at a school's new places
//!    <= floor(rho x its site), where those are not whole already.
//! 3. Site limit: sum over c at school s and over tau of y[c,tau] <= max_new_places[s].
//! 4. Unit size: sum over c in u and tau of y[c,tau] <= max(u) (its kind's size within its
//!    site; and >= min(u) for the units given by [`Options::open_bases`]). Modular runs replace
//!    this, for units that need an opening decision (the others keep the max row), by
//!    4a. sum_t z[u,t] <= 1 (a unit opens at most once);
//!    4b. y[c,t] <= max(u) * sum_{tau <= t} z[u,tau] for c in u (places only once opened);
//!    4c. min(u) * sum_t z[u,t] <= sum_{c in u, t} y[c,t] <= max(u) * sum_t z[u,t];
//!    4d. y[c,t] = class_size * m[c,t], m whole, for expansions.
//! 5. Capital budget: sum_c capex[c] y[c,t] (+ setup[u] * z[u,t]) <= budget[t] for every t.
//! 6. Stability: no row; cohorts are placed once for all their years.
//!    6a. With `bring_back`: v[q,a,m,b] >= 0, pupils of cohort q at an away arc a (out of area,
//!    another authority's school) for years first..m-1 and at b (a place of ours) from m: in
//!    q's row of 1, in b's capacity rows for years m..last, costing move_cost x discount(m)
//!    once (x variables with `XVar::from`).
//!
//! Objective: sum_{q,k} (sum_{t in q} discount(t)) * (place cost[k] + transport[g,k]) x[q,k] +
//! sum_c w(t) capex[c] y[c,t] + discount(t) base_fixed_cost * z[c,t], in pounds (scaled to
//! thousands inside the model), with w(t) the net present cost of a pound of capital spent in
//! year t after its value beyond the horizon (`finance::capital_weight`).
//!
//! With fixed builds (used to cost a given set of new places, e.g. the greedy
//! baseline) there are no y or z variables and new-base capacity is a constant.

use std::collections::BTreeMap;

use good_lp::{variable, Constraint, Expression, ProblemVariables, Variable};
use placeplan_model::capacity::planned_places;
use placeplan_model::capacity::pupils_in;
use placeplan_model::cohort::{cohorts, Cohort, STOCK_KINDS};
use placeplan_model::finance::{capital_weight, discount, unit_cost};
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{candidates, unit_max, units, Build, Candidate, ProvisionRef};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::ProvisionKind;
use placeplan_model::{Scenario, SchoolKind};
use rustc_hash::FxHashMap;

/// Objective coefficients are in thousands of pounds inside the model.
pub const SCALE: f64 = 1e-3;

/// An arc from a demand group to a provision, with its cost per pupil per year in pounds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arc {
    pub group: usize,
    pub provision: ProvisionRef,
    pub cost: f64,
}

/// Which choices the model may make.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// Allow new resourced bases (false = the do-nothing baseline).
    pub new_bases: bool,
    /// Take these new places as given instead of choosing them (indices into the scenario's
    /// candidates). Only placements are then optimised.
    pub fixed_builds: Option<Vec<Build>>,
    /// Let new bases take fractional places even where the scenario wants whole bases: the
    /// relaxation whose optimum [`crate::round`] rounds, and whose cost bounds the whole plan's.
    pub relax_whole_bases: bool,
    /// In a model with whole bases, places are whole numbers too (integer variables); off, the
    /// bases are whole (opening decisions, size range) but their places may be fractional, which
    /// a simpler branch and bound solves far faster (see `solve`).
    pub fractional_places: bool,
    /// Only these candidates (by index, sorted) may receive places, each at least the minimum
    /// base size (a relaxation with the bases to open decided; used by [`crate::round`]).
    pub open_bases: Option<Vec<usize>>,
    /// Whole-base plans known beforehand (a planner's heuristic): with whole bases, each is
    /// placed like the rounded plan and the cheapest is improved, so the plan returned never
    /// costs more than any of them.
    pub incumbents: Vec<Vec<Build>>,
    /// Arcs pricing starts its working set with, besides its own (the last working set of a
    /// related LP). Not part of the model.
    pub seed: Seed,
}

/// The arcs of a related LP's last working set (crate::pricing: a sweep variant's
/// relaxation's, for the next variant's). Pricing proves the same optimum from any working set, so a seed only changes how
/// many rounds it takes, and never the model: any two seeds compare equal.
#[derive(Debug, Clone, Default)]
pub struct Seed(pub(crate) Option<std::sync::Arc<std::collections::HashSet<ArcKey>>>);

impl PartialEq for Seed {
    fn eq(&self, _: &Seed) -> bool {
        true
    }
}

/// What an arc ([`XVar`]) is, the same in every model of one scenario and demand: its cohort's
/// group and years, its provision, and where its pupils are brought back from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ArcKey {
    group: usize,
    provision: ProvisionRef,
    first: usize,
    last: usize,
    from: Option<(ProvisionRef, usize)>,
}

impl XVar {
    pub(crate) fn key(&self) -> ArcKey {
        ArcKey {
            group: self.group,
            provision: self.provision,
            first: self.first,
            last: self.last,
            from: self.from,
        }
    }
}

impl Options {
    /// Choose new places freely.
    pub fn optimise() -> Options {
        Options {
            new_bases: true,
            fixed_builds: None,
            relax_whole_bases: false,
            fractional_places: false,
            open_bases: None,
            incumbents: Vec::new(),
            seed: Seed::default(),
        }
    }
    /// [`Options::optimise`], starting from these whole-base plans.
    pub fn optimise_from(incumbents: Vec<Vec<Build>>) -> Options {
        Options {
            incumbents,
            ..Options::optimise()
        }
    }
    /// No new places at all.
    pub fn do_nothing() -> Options {
        Options::default()
    }
    /// Place pupils given these new places.
    pub fn with_builds(builds: Vec<Build>) -> Options {
        Options {
            new_bases: true,
            fixed_builds: Some(builds),
            relax_whole_bases: false,
            fractional_places: false,
            open_bases: None,
            incumbents: Vec::new(),
            seed: Seed::default(),
        }
    }
    /// True when the model decides whole bases (modular scenario, places chosen, not relaxed).
    pub fn whole_bases(&self, s: &Scenario) -> bool {
        s.bases.modular && self.new_bases && self.fixed_builds.is_none() && !self.relax_whole_bases
    }
}

/// The network the model is built on: arcs per group and the candidate bases.
#[derive(Debug, Clone)]
pub struct Network {
    pub candidates: Vec<Candidate>,
    pub arcs: Vec<Arc>,
    /// Arc index ranges per group: `arcs[group_start[g]..group_start[g+1]]`.
    pub group_start: Vec<usize>,
    /// Arcs of pupils already placed (with stability), per group and kind of provision they are
    /// in ([`STOCK_KINDS`]): existing provision of that kind that takes the group's need and
    /// phase, at any distance (they are already there), and out of area (placements beyond the
    /// authority's own provision); for pupils in other authorities' schools, those schools only.
    pub stock_arcs: Vec<Arc>,
    /// Ranges into `stock_arcs` per group x kind: `stock_start[g * K + k]..stock_start[g * K + k + 1]`, K = `STOCK_KINDS.len()`.
    pub stock_start: Vec<usize>,
    /// The unit of each candidate (`plan::units`), worked out once.
    pub units: Vec<usize>,
    /// Places each existing provision may hold of the authority's pupils in each plan year,
    /// `[k][t]`: its places at the occupancy target, pupils already placed kept
    /// (`capacity::planned_places`).
    pub existing_places: Vec<Vec<u32>>,
}

impl Network {
    pub fn group_arcs(&self, g: usize) -> &[Arc] {
        &self.arcs[self.group_start[g]..self.group_start[g + 1]]
    }

    /// Arcs a cohort may use: the group's arcs for entrants, the stock arcs of its kind for
    /// pupils already placed.
    pub fn cohort_arcs(&self, c: &Cohort) -> &[Arc] {
        match c
            .placed
            .and_then(|k| STOCK_KINDS.iter().position(|s| *s == k))
        {
            Some(k) if !self.stock_start.is_empty() => {
                let i = c.group * STOCK_KINDS.len() + k;
                &self.stock_arcs[self.stock_start[i]..self.stock_start[i + 1]]
            }
            _ => self.group_arcs(c.group),
        }
    }
}

/// Builds the arcs that are allowed by phase, need and journey limits.
pub fn build_network(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    opt: &Options,
) -> Network {
    let cands = if opt.new_bases {
        candidates(s)
    } else {
        Vec::new()
    };
    let mut arcs = Vec::new();
    let mut group_start = Vec::with_capacity(demand.groups.len() + 1);
    for (gi, g) in demand.groups.iter().enumerate() {
        group_start.push(arcs.len());
        let limit = s.journey.minutes(g.phase);
        let reachable = |school: usize| travel.minutes(g.locality, school) <= limit;
        let mut push = |provision: ProvisionRef| {
            let (_, revenue, transport) = unit_cost(s, travel, &cands, g, provision);
            arcs.push(Arc {
                group: gi,
                provision,
                cost: revenue + transport,
            });
        };
        for (k, p) in s.provisions.iter().enumerate() {
            if p.phase == g.phase && p.needs.contains(g.need) && p.places > 0 && reachable(p.school)
            {
                push(ProvisionRef::Existing(k));
            }
        }
        for (c, cand) in cands.iter().enumerate() {
            if cand.phase == g.phase && cand.need == g.need && reachable(cand.school) {
                push(ProvisionRef::NewBase(c));
            }
        }
        if s.solver.allow_out_of_area {
            push(ProvisionRef::OutOfArea);
        }
    }
    group_start.push(arcs.len());
    let (stock_arcs, stock_start) = if s.solver.stability {
        stock_network(s, travel, demand, &cands)
    } else {
        (Vec::new(), Vec::new())
    };
    Network {
        existing_places: planned_places(s, demand),
        units: units(&cands),
        candidates: cands,
        arcs,
        group_start,
        stock_arcs,
        stock_start,
    }
}

/// The stock arcs of [`Network::stock_arcs`].
fn stock_network(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    cands: &[Candidate],
) -> (Vec<Arc>, Vec<usize>) {
    let mut arcs = Vec::new();
    let mut start = Vec::with_capacity(demand.groups.len() * STOCK_KINDS.len() + 1);
    for (gi, g) in demand.groups.iter().enumerate() {
        for kind in STOCK_KINDS {
            start.push(arcs.len());
            let mut push = |provision: ProvisionRef| {
                let (_, revenue, transport) = unit_cost(s, travel, cands, g, provision);
                arcs.push(Arc {
                    group: gi,
                    provision,
                    cost: revenue + transport,
                });
            };
            if kind == ProvisionKind::OtherAuthority {
                // Pupils in other authorities' schools stay there: their only arc.
                if s.placed_elsewhere_of(g.locality, g.need, g.phase).is_some() {
                    push(ProvisionRef::Elsewhere(gi));
                }
                continue;
            }
            for (k, p) in s.provisions.iter().enumerate() {
                if p.phase == g.phase
                    && p.needs.contains(g.need)
                    && p.places > 0
                    && s.provision_kind(k) == kind
                {
                    push(ProvisionRef::Existing(k));
                }
            }
            push(ProvisionRef::OutOfArea);
        }
    }
    start.push(arcs.len());
    (arcs, start)
}

/// The LP itself: variables, objective and constraints, handed to a backend by value.
pub(crate) struct Lp {
    pub(crate) vars: ProblemVariables,
    pub(crate) objective: Expression,
    pub(crate) constraints: Vec<Constraint>,
}

/// One x variable: pupils of a cohort of `group`, present in plan years `first..=last`, placed
/// at `provision`; or, when `from` is `Some((away, m))`, at `away` (out of area or another
/// authority's school) for years `first..m` and brought back to `provision` from year m.
#[derive(Debug, Clone, Copy)]
pub(crate) struct XVar {
    pub(crate) group: usize,
    pub(crate) provision: ProvisionRef,
    pub(crate) first: usize,
    pub(crate) last: usize,
    pub(crate) from: Option<(ProvisionRef, usize)>,
    pub(crate) var: Variable,
}

impl XVar {
    /// Where the variable's pupils are in plan year `t` (one of its years).
    pub(crate) fn at(&self, t: usize) -> ProvisionRef {
        match self.from {
            Some((away, m)) if t < m => away,
            _ => self.provision,
        }
    }
}

/// Places pupils may be brought back from (`[solver] bring_back`): out of area and other
/// authorities' schools.
fn brought_back_from(p: ProvisionRef) -> bool {
    matches!(p, ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_))
}

/// How to read a solution of the LP back: which variable is which, and what each costs.
pub(crate) struct Index {
    /// x variables: a cohort's pupils at one provision for its years.
    pub(crate) x: Vec<XVar>,
    /// (candidate, year funded, y variable).
    pub(crate) y: Vec<(usize, usize, Variable)>,
    /// Objective coefficient (pounds, discounted) of each x and y variable, in the same order.
    pub(crate) x_cost: Vec<f64>,
    pub(crate) y_cost: Vec<f64>,
    /// Discounted capital of fixed builds (a constant outside the model), pounds.
    pub(crate) constant: f64,
    /// True when the model has integer variables.
    pub(crate) is_mip: bool,
    /// (funding year, variable) of each budget parameter: with [`build_model_with_budget_parameters`]
    /// the budget row of year f reads `spend <= beta[f]`, and beta[f] (no bounds, no cost) is
    /// fixed to the year's budget x [`SCALE`] by the caller, so one model serves every budget.
    pub(crate) budget_params: Vec<(usize, Variable)>,
    /// (candidate, year, variable) of each capacity parameter: with
    /// [`build_placement_with_capacity_parameters`] the capacity row of a built candidate c in
    /// year t reads `pupils <= kappa[c,t]`, with 0 <= kappa[c,t] <= the pupils its new places
    /// take that year (no cost), so the model places pupils on those builds or on any smaller
    /// ones the caller fixes the parameters to (`crate::replace`).
    pub(crate) capacity_params: Vec<(usize, usize, Variable)>,
    /// Rows (by position in the LP) that hold one provision's, unit's or school's pupils in
    /// consecutive years, each run in year order ([`YearRows`]): a cohort's pupils are in
    /// consecutive years, so the differences of consecutive rows hold each of its columns at
    /// most twice (crate::pricing hands Clarabel that form).
    pub(crate) year_rows: Vec<Vec<usize>>,
}

/// What a `<=` row of pupils in one year is about.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum RowOf {
    Provision(ProvisionRef),
    Unit(usize),
    School(usize),
}

/// The rows of pupils in each year, by what they hold, gathered as the model is built.
#[derive(Default)]
struct YearRows(BTreeMap<RowOf, Vec<(usize, usize)>>);

impl YearRows {
    /// Notes that the last row pushed to `out` holds `of`'s pupils in year `t`.
    fn note(&mut self, of: RowOf, t: usize, out: &[Constraint]) {
        self.0.entry(of).or_default().push((t, out.len() - 1));
    }

    /// The runs of rows in consecutive years, two rows or more.
    fn runs(self) -> Vec<Vec<usize>> {
        let mut runs = Vec::new();
        for mut rows in self.0.into_values() {
            rows.sort_unstable();
            let mut run: Vec<usize> = Vec::new();
            let mut last = None;
            for (t, r) in rows {
                if last.is_some_and(|l| l + 1 != t) {
                    if run.len() > 1 {
                        runs.push(std::mem::take(&mut run));
                    }
                    run.clear();
                }
                run.push(r);
                last = Some(t);
            }
            if run.len() > 1 {
                runs.push(run);
            }
        }
        runs
    }
}

/// The built model, ready for any backend: the LP and the index that reads its solution back.
/// A backend takes the LP by value; the index stays to turn the values into a plan.
pub(crate) struct Model {
    pub(crate) lp: Lp,
    pub(crate) index: Index,
}

/// The size of the model placeplan builds for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltSize {
    /// Variables (placements, new places and, with modular bases, openings).
    pub variables: usize,
    /// Constraints (rows).
    pub constraints: usize,
    /// True when the model has integer variables (modular bases).
    pub integer: bool,
}

/// Builds the model of the module docs and returns its size; the model itself stays inside
/// this crate.
pub fn built_size(s: &Scenario, demand: &Demand, net: &Network, opt: &Options) -> BuiltSize {
    let m = build_model(s, demand, net, opt);
    BuiltSize {
        variables: m.lp.vars.len(),
        constraints: m.lp.constraints.len(),
        integer: m.index.is_mip,
    }
}

/// The x variables that use each provision's places in each plan year, for the capacity
/// rows: each provision any arc of the network goes to has a slot, in [`ProvisionRef`]'s
/// order, so the rows come out in that order, as from a map by provision, without a map
/// search for every variable and year.
struct Usage {
    /// The provision of each slot, in order: every provision of an arc or a stock arc.
    provisions: Vec<ProvisionRef>,
    /// The slot of each provision.
    slot: FxHashMap<ProvisionRef, usize>,
    /// `vars[t][slot]`.
    vars: Vec<Vec<Vec<Variable>>>,
}

impl Usage {
    fn new(net: &Network, n_years: usize) -> Usage {
        let mut provisions: Vec<ProvisionRef> = (net.arcs.iter().chain(&net.stock_arcs))
            .map(|a| a.provision)
            .collect();
        provisions.sort_unstable();
        provisions.dedup();
        let slot = provisions
            .iter()
            .enumerate()
            .map(|(i, &p)| (p, i))
            .collect();
        let vars = vec![vec![Vec::new(); provisions.len()]; n_years];
        Usage {
            provisions,
            slot,
            vars,
        }
    }

    /// The slot of `p`, the provision of one of the network's arcs.
    fn slot(&self, p: ProvisionRef) -> usize {
        self.slot[&p]
    }

    /// Each provision used in year `t` with its variables, in order.
    fn year(&self, t: usize) -> impl Iterator<Item = (ProvisionRef, &[Variable])> {
        self.provisions
            .iter()
            .zip(&self.vars[t])
            .filter(|(_, xs)| !xs.is_empty())
            .map(|(&p, xs)| (p, xs.as_slice()))
    }

    /// Whether a variable uses `p`'s places in year `t`.
    fn uses(&self, t: usize, p: ProvisionRef) -> bool {
        self.slot
            .get(&p)
            .is_some_and(|&i| !self.vars[t][i].is_empty())
    }

    fn years(&self) -> usize {
        self.vars.len()
    }
}

/// Variables per candidate and year, `None` where the variable does not exist.
type PerCandidateYear = Vec<Vec<Option<Variable>>>;

/// Builds the model of the module docs.
pub(crate) fn build_model(s: &Scenario, demand: &Demand, net: &Network, opt: &Options) -> Model {
    build(s, demand, net, opt, Params::None)
}

/// Builds the model with each capital budget (constraint 5) as a free parameter variable
/// instead of a number (see [`Index::budget_params`]).
pub(crate) fn build_model_with_budget_parameters(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
) -> Model {
    build(s, demand, net, opt, Params::Budgets)
}

/// Builds the placement model for fixed builds (`opt.fixed_builds`) with the capacity of each
/// built candidate as a parameter variable (see [`Index::capacity_params`]).
pub(crate) fn build_placement_with_capacity_parameters(
    s: &Scenario,
    demand: &Demand,
    net: &Network,
    opt: &Options,
) -> Model {
    build(s, demand, net, opt, Params::Capacities)
}

/// Which numbers of the model are parameter variables rather than constants.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Params {
    None,
    /// Capital budgets (constraint 5).
    Budgets,
    /// Capacities of fixed builds (constraint 2).
    Capacities,
}

fn build(s: &Scenario, demand: &Demand, net: &Network, opt: &Options, params: Params) -> Model {
    let n_years = demand.years.len();
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(net.arcs.len() * n_years);
    let mut constraints = Vec::new();
    let mut x = Vec::new();
    let mut x_cost = Vec::new();

    // x variables per cohort and arc; their usage of places for the capacity rows.
    let mut usage = Usage::new(net, n_years);
    let discounts: Vec<f64> = (0..n_years).map(|t| discount(s, t)).collect();
    let bring_back = s.solver.brings_back();
    // An arc to a candidate that can have no places in one of the cohort's years could carry
    // no pupil (its capacity row for that year is 0) and is left out, which leaves the same LP
    // optimum in a model with a fraction of the columns: with fixed builds, where their places
    // take no pupil that year; otherwise in the years before the candidate's lead time, and for
    // candidates outside `opt.open_bases` when it is given (they get no places at all).
    let available = opt
        .fixed_builds
        .as_ref()
        .map(|builds| fixed_available(s, net, builds, n_years));
    let usable = |p: ProvisionRef, mut years: std::ops::RangeInclusive<usize>| match p {
        ProvisionRef::NewBase(c) => match &available {
            Some(places) => years.all(|t| pupils_in(s, places[c][t]) > 0.0),
            None => {
                let lead = s.build_rules(net.candidates[c].kind).lead_time as usize;
                *years.start() >= lead
                    && opt
                        .open_bases
                        .as_ref()
                        .is_none_or(|open| open.binary_search(&c).is_ok())
            }
        },
        _ => true,
    };
    for c in cohorts(s, demand) {
        let arcs = net.cohort_arcs(&c);
        let mut placed = Expression::with_capacity(arcs.len());
        for arc in arcs
            .iter()
            .filter(|a| usable(a.provision, c.first..=c.last))
        {
            let v = vars.add(variable().min(0.0));
            let coef: f64 = discounts[c.first..=c.last].iter().sum::<f64>() * arc.cost;
            objective.add_mul(coef * SCALE, v);
            placed.add_mul(1.0, v);
            let here = usage.slot(arc.provision);
            for used in &mut usage.vars[c.first..=c.last] {
                used[here].push(v);
            }
            x.push(XVar {
                group: c.group,
                provision: arc.provision,
                first: c.first,
                last: c.last,
                from: None,
                var: v,
            });
            x_cost.push(coef);
            if !(bring_back && brought_back_from(arc.provision)) {
                continue;
            }
            // Brought back in year m to a place of ours: away for first..m-1, here from m. A
            // variable that costs no less than staying away (`coef` above) is left out: staying
            // uses no place of ours, so it is never worse.
            let stay = coef;
            for m in c.first + 1..=c.last {
                for to in net
                    .group_arcs(c.group)
                    .iter()
                    .filter(|a| !brought_back_from(a.provision) && usable(a.provision, m..=c.last))
                {
                    let coef = discounts[c.first..m].iter().sum::<f64>() * arc.cost
                        + discounts[m] * s.costs.move_cost
                        + discounts[m..=c.last].iter().sum::<f64>() * to.cost;
                    if coef >= stay {
                        continue;
                    }
                    let v = vars.add(variable().min(0.0));
                    objective.add_mul(coef * SCALE, v);
                    placed.add_mul(1.0, v);
                    let there = usage.slot(to.provision);
                    for (t, used) in usage
                        .vars
                        .iter_mut()
                        .enumerate()
                        .take(c.last + 1)
                        .skip(c.first)
                    {
                        used[if t < m { here } else { there }].push(v);
                    }
                    x.push(XVar {
                        group: c.group,
                        provision: to.provision,
                        first: c.first,
                        last: c.last,
                        from: Some((arc.provision, m)),
                        var: v,
                    });
                    x_cost.push(coef);
                }
            }
        }
        constraints.push(every_pupil_placed(placed, c.pupils));
    }

    let mut y = Vec::new();
    let mut y_cost = Vec::new();
    let mut constant = 0.0;
    let mut budget_params = Vec::new();
    let mut capacity_params = Vec::new();
    let mut year_rows = YearRows::default();
    let modular = opt.whole_bases(s);
    match &opt.fixed_builds {
        Some(builds) => {
            constant = fixed_capital(s, &net.candidates, builds, n_years);
            let available = available.as_deref().unwrap_or_default();
            let params = (params == Params::Capacities).then_some(&mut vars);
            capacity_params = fixed_capacity_rows(
                s,
                net,
                &usage,
                (available, params),
                (&mut constraints, &mut year_rows),
            );
        }
        None => {
            let y_of = add_build_variables(
                s,
                net,
                n_years,
                (modular && !opt.fractional_places, opt.open_bases.as_deref()),
                &mut vars,
                (&mut objective, &mut constraints),
                (&mut y, &mut y_cost),
            );
            let z_of = if modular {
                add_open_variables(s, net, &y_of, &mut vars, &mut objective)
            } else {
                vec![vec![None; n_years]; net.candidates.len()]
            };
            capacity_rows(
                s,
                net,
                &usage,
                &y_of,
                (modular && !opt.fractional_places, &mut vars),
                (&mut constraints, &mut year_rows),
            );
            site_limit_rows(s, net, &y_of, &mut constraints);
            if modular {
                modular_base_rows(s, net, &y_of, &z_of, &mut constraints);
                // Units with no opening decision (smallest size within one step, no set-up
                // cost) still have their largest size.
                let unopened = |u: usize| z_of[u].iter().all(Option::is_none);
                base_size_rows(s, net, &y_of, (false, &unopened), &mut constraints);
            } else {
                let every = |_: usize| true;
                base_size_rows(
                    s,
                    net,
                    &y_of,
                    (opt.open_bases.is_some(), &every),
                    &mut constraints,
                );
            }
            budget_params = budget_rows(
                s,
                net,
                &y_of,
                &z_of,
                params == Params::Budgets,
                &mut vars,
                &mut constraints,
            );
        }
    }
    Model {
        lp: Lp {
            vars,
            objective,
            constraints,
        },
        index: Index {
            x,
            y,
            x_cost,
            y_cost,
            constant,
            is_mip: modular,
            budget_params,
            capacity_params,
            year_rows: year_rows.runs(),
        },
    }
}

/// Discounted capital of builds fixed in advance (net of their value beyond the horizon),
/// pounds: a constant outside the model.
pub(crate) fn fixed_capital(
    s: &Scenario,
    cands: &[Candidate],
    builds: &[Build],
    n_years: usize,
) -> f64 {
    builds
        .iter()
        .map(|b| {
            let cand = &cands[b.candidate];
            let lead = s.build_rules(cand.kind).lead_time as usize;
            capital_weight(s, b.funded, lead, n_years) * s.candidate_capex(cand) * b.places
        })
        .sum()
}

/// y variables: funded in year t, usable from t + the kind's lead time, only if usable within
/// the horizon and only for candidates some group can reach. Where places are whole and come
/// in steps (classes), y = step x m with m a whole number.
fn add_build_variables(
    s: &Scenario,
    net: &Network,
    n_years: usize,
    (whole, open): (bool, Option<&[usize]>),
    vars: &mut ProblemVariables,
    (objective, constraints): (&mut Expression, &mut Vec<Constraint>),
    (y, y_cost): (&mut Vec<(usize, usize, Variable)>, &mut Vec<f64>),
) -> PerCandidateYear {
    let mut y_of: PerCandidateYear = vec![vec![None; n_years]; net.candidates.len()];
    let mut reachable = vec![false; net.candidates.len()];
    for arc in &net.arcs {
        if let ProvisionRef::NewBase(c) = arc.provision {
            reachable[c] = true;
        }
    }
    for (c, cand) in net.candidates.iter().enumerate() {
        if !reachable[c] || open.is_some_and(|o| o.binary_search(&c).is_err()) {
            continue;
        }
        let rules = s.build_rules(cand.kind);
        let lead = rules.lead_time as usize;
        let capex = s.candidate_capex(cand);
        for t in 0..n_years {
            if t + lead >= n_years {
                continue;
            }
            // Whole places wherever bases are whole (modular runs).
            let v = if whole && rules.step == 1 {
                vars.add(variable().integer().min(0.0))
            } else {
                vars.add(variable().min(0.0))
            };
            if whole && rules.step > 1 {
                let m = vars.add(variable().integer().min(0.0));
                let mut e = Expression::with_capacity(2);
                e.add_mul(1.0, v);
                e.add_mul(-(rules.step as f64), m);
                constraints.push(e.eq(0.0));
            }
            let coef = capital_weight(s, t, lead, n_years) * capex;
            objective.add_mul(coef * SCALE, v);
            y_of[c][t] = Some(v);
            y.push((c, t, v));
            y_cost.push(coef);
        }
    }
    y_of
}

/// z variables (modular runs): unit u (its first candidate, [`units`]) opens in year t,
/// wherever one of its members may be funded in t, for units whose kind needs an opening
/// decision (a minimum size above one step, or a set-up cost).
fn add_open_variables(
    s: &Scenario,
    net: &Network,
    y_of: &PerCandidateYear,
    vars: &mut ProblemVariables,
    objective: &mut Expression,
) -> PerCandidateYear {
    let unit = &net.units;
    let mut z_of: PerCandidateYear = y_of.iter().map(|ys| vec![None; ys.len()]).collect();
    for c in 0..net.candidates.len() {
        let rules = s.unit_rules(&net.candidates[c]);
        if !rules.needs_opening() {
            continue;
        }
        let u = unit[c];
        for t in 0..y_of[c].len() {
            if y_of[c][t].is_none() || z_of[u][t].is_some() {
                continue;
            }
            let v = vars.add(variable().binary());
            let coef = discount(s, t) * rules.setup_cost;
            if coef != 0.0 {
                objective.add_mul(coef * SCALE, v);
            }
            z_of[u][t] = Some(v);
        }
    }
    z_of
}

/// Constraint 1: every pupil is placed.
fn every_pupil_placed(placed: Expression, demand: u32) -> Constraint {
    placed.eq(demand as f64)
}

/// Constraint 2: capacity of existing provision (its places at the occupancy target, pupils
/// already placed kept: [`Network::existing_places`]) and of new places funded by t - lead (the
/// lead time of the candidate's kind), at the occupancy target: pupils <= target x places.
/// Where places are whole numbers (`whole`), the pupils a candidate may take each year are a
/// whole number w[c,t] <= target x places, so that its pupils come out whole.
fn capacity_rows(
    s: &Scenario,
    net: &Network,
    usage: &Usage,
    y_of: &PerCandidateYear,
    (whole, vars): (bool, &mut ProblemVariables),
    (out, year_rows): (&mut Vec<Constraint>, &mut YearRows),
) {
    let target = s.solver.occupancy_target;
    let whole = whole && target < 1.0;
    for t in 0..usage.years() {
        for (prov, xs) in usage.year(t) {
            let mut lhs = Expression::with_capacity(xs.len() + t + 1);
            for v in xs {
                lhs.add_mul(1.0, *v);
            }
            match prov {
                ProvisionRef::Existing(k) => {
                    out.push(lhs.leq(net.existing_places[k][t] as f64));
                    year_rows.note(RowOf::Provision(prov), t, out);
                }
                ProvisionRef::NewBase(c) => {
                    let lead = s.build_rules(net.candidates[c].kind).lead_time as usize;
                    let mut places = Expression::with_capacity(t + 1);
                    if t >= lead {
                        for yv in y_of[c][..=t - lead].iter().flatten() {
                            places.add_mul(target, *yv);
                        }
                    }
                    if whole {
                        let w = vars.add(variable().integer().min(0.0));
                        let mut e = lhs;
                        e.add_mul(-1.0, w);
                        out.push(e.leq(0.0));
                        let mut e = Expression::from(w);
                        e -= places;
                        out.push(e.leq(0.0));
                    } else {
                        out.push((lhs - places).leq(0.0));
                        year_rows.note(RowOf::Provision(prov), t, out);
                    }
                }
                // Only the pupils already there use other authorities' schools.
                ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_) => {}
            }
        }
    }
    pupil_cap_rows(s, net, usage, (out, year_rows));
}

/// Whole pupils in new places at the occupancy target: in every year, the pupils at a unit
/// are at most its largest size's whole pupils ([`pupils_in`]), and the pupils in new places
/// at one school at most its site's. Rows only where the target share is not already whole
/// (then constraints 2-4 imply them); valid for every plan in whole pupils, they make the
/// model with fractional places the one the flow engine solves.
fn pupil_cap_rows(
    s: &Scenario,
    net: &Network,
    usage: &Usage,
    (out, year_rows): (&mut Vec<Constraint>, &mut YearRows),
) {
    let target = s.solver.occupancy_target;
    if target >= 1.0 {
        return;
    }
    let fractional = |places: u32| {
        let share = places as f64 * target;
        (share - pupils_in(s, places as f64)).abs() > 1e-9
    };
    // The most pupils of each candidate's unit and school, where that needs a row.
    let cap = |c: usize| {
        let unit = unit_max(s, &net.candidates[net.units[c]]);
        let site = site_places(s, net.candidates[c].school);
        (
            fractional(unit).then_some(unit),
            fractional(site).then_some(site),
        )
    };
    let caps: Vec<(Option<u32>, Option<u32>)> = (0..net.candidates.len()).map(cap).collect();
    for t in 0..usage.years() {
        let mut by_unit: BTreeMap<usize, (Expression, u32)> = BTreeMap::new();
        let mut by_school: BTreeMap<usize, (Expression, u32)> = BTreeMap::new();
        for (prov, xs) in usage.year(t) {
            let ProvisionRef::NewBase(c) = prov else {
                continue;
            };
            let (unit, site) = caps[c];
            for (rows, key, max) in [
                (&mut by_unit, net.units[c], unit),
                (&mut by_school, net.candidates[c].school, site),
            ] {
                let Some(max) = max else { continue };
                let e = &mut rows
                    .entry(key)
                    .or_insert_with(|| (Expression::default(), max))
                    .0;
                for v in xs {
                    e.add_mul(1.0, *v);
                }
            }
        }
        for (u, (e, max)) in by_unit {
            out.push(e.leq(pupils_in(s, max as f64)));
            year_rows.note(RowOf::Unit(u), t, out);
        }
        for (school, (e, max)) in by_school {
            out.push(e.leq(pupils_in(s, max as f64)));
            year_rows.note(RowOf::School(school), t, out);
        }
    }
}

/// Most new places one school's site takes (a candidate site holds one new school).
pub(crate) fn site_places(s: &Scenario, school: usize) -> u32 {
    let sc = &s.schools[school];
    match sc.kind {
        SchoolKind::Site => sc.max_new_places.min(s.new_school.max_size),
        _ => sc.max_new_places,
    }
}

/// Constraint 2 with fixed builds: pupils in existing provision within its planned places, and
/// in new places within the whole pupils they take at the occupancy target ([`pupils_in`]).
/// With `params`, a built candidate's capacity is a parameter variable kappa in [0, that
/// capacity] (returned as (candidate, year, variable)).
fn fixed_capacity_rows(
    s: &Scenario,
    net: &Network,
    usage: &Usage,
    (available, mut params): (&[Vec<f64>], Option<&mut ProblemVariables>),
    (out, year_rows): (&mut Vec<Constraint>, &mut YearRows),
) -> Vec<(usize, usize, Variable)> {
    let mut kappa = Vec::new();
    for t in 0..usage.years() {
        for (prov, xs) in usage.year(t) {
            let cap = match prov {
                ProvisionRef::Existing(k) => net.existing_places[k][t] as f64,
                ProvisionRef::NewBase(c) => pupils_in(s, available[c][t]),
                // Only the pupils already there use other authorities' schools.
                ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_) => continue,
            };
            let mut lhs = Expression::with_capacity(xs.len() + 1);
            for v in xs {
                lhs.add_mul(1.0, *v);
            }
            match (&mut params, prov) {
                (Some(vars), ProvisionRef::NewBase(c)) if cap > 0.0 => {
                    let v = vars.add(variable().min(0.0).max(cap));
                    lhs.add_mul(-1.0, v);
                    out.push(lhs.leq(0.0));
                    kappa.push((c, t, v));
                }
                _ => out.push(lhs.leq(cap)),
            }
            year_rows.note(RowOf::Provision(prov), t, out);
        }
    }
    if let Some(vars) = params {
        // A built candidate no cohort may use in a year (each cohort present then has a year
        // its places take no pupil) has no row: it gets a parameter all the same, so every
        // capacity of the builds is one, as `crate::replace` expects.
        for (c, places) in available.iter().enumerate() {
            for (t, &p) in places.iter().enumerate() {
                let cap = pupils_in(s, p);
                if cap > 0.0 && !usage.uses(t, ProvisionRef::NewBase(c)) {
                    kappa.push((c, t, vars.add(variable().min(0.0).max(cap))));
                }
            }
        }
        kappa.sort_by_key(|&(c, t, _)| (t, c));
    }
    kappa
}

/// New places at each candidate in each plan year ([candidate][year]) with these builds: a
/// build's places are in use from its funding year plus its kind's lead time.
fn fixed_available(s: &Scenario, net: &Network, builds: &[Build], n_years: usize) -> Vec<Vec<f64>> {
    let mut available = vec![vec![0.0f64; n_years]; net.candidates.len()];
    for b in builds {
        let lead = s.build_rules(net.candidates[b.candidate].kind).lead_time as usize;
        for avail in available[b.candidate].iter_mut().skip(b.funded + lead) {
            *avail += b.places;
        }
    }
    available
}

/// Constraint 3: new places at one school, over all its candidates and years, within its site.
fn site_limit_rows(
    s: &Scenario,
    net: &Network,
    y_of: &PerCandidateYear,
    out: &mut Vec<Constraint>,
) {
    let mut by_school: BTreeMap<usize, Expression> = BTreeMap::new();
    for (c, cand) in net.candidates.iter().enumerate() {
        let e = by_school.entry(cand.school).or_default();
        for v in y_of[c].iter().flatten() {
            e.add_mul(1.0, *v);
        }
    }
    for (school, e) in by_school {
        out.push(e.leq(s.schools[school].max_new_places as f64));
    }
}

/// The y variables of each unit ([`units`]), keyed by the unit's first candidate.
fn unit_members(net: &Network, y_of: &PerCandidateYear) -> BTreeMap<usize, Vec<Variable>> {
    let unit = &net.units;
    let mut out: BTreeMap<usize, Vec<Variable>> = BTreeMap::new();
    for (c, ys) in y_of.iter().enumerate() {
        let e = out.entry(unit[c]).or_default();
        e.extend(ys.iter().flatten().copied());
    }
    out.retain(|_, vs| !vs.is_empty());
    out
}

/// Constraint 4: a unit (a base, an expansion, a new school) holds at most its kind's maximum
/// size within its site (and, when the bases to open are given, at least its minimum), for the
/// units `which` selects.
fn base_size_rows(
    s: &Scenario,
    net: &Network,
    y_of: &PerCandidateYear,
    (open, which): (bool, &dyn Fn(usize) -> bool),
    out: &mut Vec<Constraint>,
) {
    for (u, vs) in unit_members(net, y_of) {
        if !which(u) {
            continue;
        }
        let cand = &net.candidates[u];
        let rules = s.unit_rules(cand);
        let mut e = Expression::with_capacity(vs.len());
        for v in &vs {
            e.add_mul(1.0, *v);
        }
        if open {
            out.push(e.clone().geq(rules.min_size as f64));
        }
        let max = unit_max(s, cand);
        if max < s.schools[cand.school].max_new_places || open {
            out.push(e.leq(max as f64));
        }
    }
}

/// Constraints 4a-4c: units that need an opening decision open once, with between their
/// kind's minimum and maximum places; places only in an opened unit.
fn modular_base_rows(
    s: &Scenario,
    net: &Network,
    y_of: &PerCandidateYear,
    z_of: &PerCandidateYear,
    out: &mut Vec<Constraint>,
) {
    let unit = &net.units;
    for (u, zs) in z_of.iter().enumerate() {
        if zs.iter().all(Option::is_none) {
            continue;
        }
        let cand = &net.candidates[u];
        let (min, max) = (s.unit_rules(cand).min_size as f64, unit_max(s, cand) as f64);
        let members: Vec<usize> = (u..net.candidates.len())
            .take_while(|&c| unit[c] == u)
            .collect();
        // 4a
        let mut opened = Expression::with_capacity(zs.len());
        for v in zs.iter().flatten() {
            opened.add_mul(1.0, *v);
        }
        out.push(opened.leq(1.0));
        // 4b: each member's places only once the unit has opened.
        let mut open_by_t = Expression::with_capacity(zs.len());
        for (t, zv) in zs.iter().enumerate() {
            if let Some(zv) = zv {
                open_by_t.add_mul(max, *zv);
            }
            for &c in &members {
                if let Some(yv) = y_of[c][t] {
                    let mut e = open_by_t.clone();
                    e.add_mul(-1.0, yv);
                    out.push(e.geq(0.0));
                }
            }
        }
        // 4c
        let mut total = Expression::with_capacity(members.len() * zs.len());
        for &c in &members {
            for v in y_of[c].iter().flatten() {
                total.add_mul(1.0, *v);
            }
        }
        let mut lower = total.clone();
        let mut upper = total;
        for v in zs.iter().flatten() {
            lower.add_mul(-min, *v);
            upper.add_mul(-max, *v);
        }
        out.push(lower.geq(0.0));
        out.push(upper.leq(0.0));
    }
}

/// Constraint 5: capital spent in each year within that year's budget.
fn budget_rows(
    s: &Scenario,
    net: &Network,
    y_of: &PerCandidateYear,
    z_of: &PerCandidateYear,
    params: bool,
    vars: &mut ProblemVariables,
    out: &mut Vec<Constraint>,
) -> Vec<(usize, Variable)> {
    let mut budget_params = Vec::new();
    let n_years = y_of.first().map_or(0, Vec::len);
    for t in 0..n_years {
        let mut e = Expression::with_capacity(net.candidates.len());
        let mut any = false;
        for (c, cand) in net.candidates.iter().enumerate() {
            if let Some(v) = y_of[c][t] {
                // Budget rows in thousands of pounds, like the objective.
                e.add_mul(s.candidate_capex(cand) * SCALE, v);
                any = true;
            }
            if let Some(v) = z_of[c][t] {
                let setup = s.build_rules(cand.kind).setup_cost;
                if setup != 0.0 {
                    e.add_mul(setup * SCALE, v);
                }
            }
        }
        if !any {
            continue;
        }
        if params {
            let beta = vars.add(variable());
            // beta is in the rows' unit (budget x SCALE).
            e.add_mul(-1.0, beta);
            out.push(e.leq(0.0));
            budget_params.push((t, beta));
        } else {
            out.push(e.leq(s.capital_budget.get(t).copied().unwrap_or(0.0) * SCALE));
        }
    }
    budget_params
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one provision in years 0, 1, 2 and 4 make one run (0-2): year 4's row is
    /// alone after a gap; a unit with one row has no run; rows come back in year order.
    #[test]
    fn runs_of_rows_are_consecutive_years() {
        let mut rows = YearRows::default();
        let school = RowOf::Provision(ProvisionRef::Existing(0));
        for (t, r) in [(2, 7), (0, 1), (4, 9), (1, 4)] {
            rows.0.entry(school).or_default().push((t, r));
        }
        rows.0.entry(RowOf::Unit(3)).or_default().push((0, 2));
        for (t, r) in [(3, 8), (4, 10)] {
            rows.0.entry(RowOf::School(5)).or_default().push((t, r));
        }
        assert_eq!(rows.runs(), vec![vec![1, 4, 7], vec![8, 10]]);
    }
}
