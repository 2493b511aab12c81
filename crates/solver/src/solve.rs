//! Backend choice, status handling and limits: one allocation solve, from the network to a
//! [`Plan`].

use good_lp::solvers::SolutionStatus;
use good_lp::{ResolutionError, Solution, SolverModel};
use microlp::TerminationReason;
use placeplan_model::check::check;
use placeplan_model::finance::{cost_plan, discount, setup_cost};
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{units, Build, BuildKind, Plan, SolveStatus};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

pub use crate::backend::{Backend, SolveError};
use crate::extract::extract;
use crate::flow::{solve_flow, FlowFailure};
use crate::formulation::{build_model, build_network, Index, Lp, Network, Options, Seed};
use crate::lp::{columns, highs_error, solve_microlp};
use crate::pricing::{bound_at, solve_priced};
use crate::replace::{Kept, Replacer};
use crate::round::{floor_builds, mark_rounded, round_builds};
use crate::warm::{chainable, Chain, Previous};

/// Plain-words reasons why the model cannot be feasible, found before solving.
pub fn diagnose(s: &Scenario, demand: &Demand, net: &Network) -> Vec<String> {
    // (pupils in the worst year, group) of every group with nowhere to go.
    let mut stranded: Vec<(u32, usize)> = (0..demand.groups.len())
        .filter(|&g| net.group_arcs(g).is_empty())
        .map(|g| (demand.pupils.iter().map(|p| p[g]).max().unwrap_or(0), g))
        .filter(|(worst, _)| *worst > 0)
        .collect();
    // Largest first, so the most serious gaps lead; ties in group order.
    stranded.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<String> = stranded
        .iter()
        .take(MAX_REASONS)
        .map(|&(worst, g)| {
            let grp = &demand.groups[g];
            let loc = &s.localities[grp.locality];
            format!(
                "{worst} {} {} pupils in {} ({}) have no provision within {} minutes and out-of-area placements are disabled",
                grp.need,
                grp.phase,
                loc.name,
                loc.id,
                s.journey.minutes(grp.phase)
            )
        })
        .collect();
    if stranded.len() > MAX_REASONS {
        let rest = &stranded[MAX_REASONS..];
        out.push(format!(
            "and {} more groups ({} pupils in their worst year) with no provision within their journey limit",
            rest.len(),
            rest.iter().map(|r| r.0 as u64).sum::<u64>()
        ));
    }
    out
}

/// Most groups named one by one when explaining infeasibility; the rest are summed up.
pub const MAX_REASONS: usize = 10;

/// Solves the allocation for a scenario's demand and returns the plan (not yet checked).
pub fn solve(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    backend: Backend,
) -> Result<Plan, SolveError> {
    solve_chained(s, travel, demand, options, backend, None)
}

/// [`solve`], re-solving from the last variant of a budget chain where it can (see
/// [`crate::warm`]). A chain only speeds the LP up; any failure of it falls back to a fresh
/// solve, so the outcome never depends on the chain except by which of several optimal plans is
/// returned.
pub fn solve_chained(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    backend: Backend,
    chain: Option<&mut Chain>,
) -> Result<Plan, SolveError> {
    let mut placing = Placing::default();
    solve_placing(s, travel, demand, options, backend, chain, &mut placing)
}

/// [`solve_chained`] placing round and fix's whole builds with `placing`, which may be kept
/// warm from (and for) other placements of the same scenario and demand.
pub(crate) fn solve_placing(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    backend: Backend,
    chain: Option<&mut Chain>,
    placing: &mut Placing,
) -> Result<Plan, SolveError> {
    if !backend.is_available() {
        return Err(SolveError::Unavailable(backend));
    }
    if options.whole_bases(s) {
        match backend {
            Backend::Flow => {
                return solve_rounded(s, travel, demand, options, backend, chain, placing)
            }
            Backend::Microlp if !options.fractional_places => {
                return solve_whole_places(s, travel, demand, options, backend, chain, placing)
            }
            _ => {}
        }
    }
    let net = build_network(s, travel, demand, options);
    let reasons = diagnose(s, demand, &net);
    if !reasons.is_empty() {
        return Err(SolveError::Infeasible(reasons));
    }
    let flow_plan = match backend {
        Backend::Flow => match solve_flow(s, demand, &net, options) {
            Ok(plan) => Some(plan),
            Err(FlowFailure::Infeasible) => {
                return Err(SolveError::Infeasible(vec![CAPACITY_SHORT.into()]))
            }
            // Not a flow problem, or no proof: the LP backend answers instead.
            Err(FlowFailure::NotApplicable(_) | FlowFailure::Unproven(_)) => None,
        },
        _ => None,
    };
    let mut plan = match flow_plan {
        Some(plan) => plan,
        None => {
            let lp = match backend {
                Backend::Flow => Backend::Microlp,
                other => other,
            };
            let chained = match chain {
                Some(chain) if lp == Backend::Microlp && chain.budgets && chainable(s, options) => {
                    chain.solve(s, demand, &net, options).ok()
                }
                _ => None,
            };
            match chained {
                Some(plan) => plan,
                None => {
                    // The default engine prices the LPs of models with stability
                    // (crate::pricing); the rest, and any it cannot answer, are solved whole.
                    let priced = (backend == Backend::Flow && warm_lp(s, backend))
                        .then(|| solve_priced(s, demand, &net, options))
                        .flatten()
                        .map(|p| p.plan);
                    let mut plan = match priced {
                        Some(plan) => plan,
                        None => {
                            // The model is solved once: the backend takes the LP itself, no
                            // copy.
                            let model = build_model(s, demand, &net, options);
                            let order = model_parts(&model.index);
                            let (values, status) = run(lp, s, order, model.lp, model.index.is_mip)?;
                            extract(demand, &net, &model.index, &values, status, lp)
                        }
                    };
                    if let Some(builds) = &options.fixed_builds {
                        plan.builds = builds.clone();
                        plan.builds.sort_by_key(|b| (b.candidate, b.funded));
                    }
                    plan
                }
            }
        }
    };
    // An optimal plan's bound is its cost, or a hair below where pricing proved it (its
    // Lagrangian bound, crate::pricing), which it keeps.
    let proven_below = match (plan.status, plan.bound) {
        (SolveStatus::Optimal, Some(b)) => (plan.objective - b).max(0.0),
        _ => 0.0,
    };
    // Set-up costs are charged when a base is first funded. A solver stopped at a gap may open a
    // base earlier than its first places; charging the first-funding year instead only lowers
    // the cost of the same feasible plan.
    if !options.relax_whole_bases {
        plan.objective += setup_costs(s, &plan);
    }
    if plan.status == SolveStatus::Optimal {
        plan.bound = Some(plan.objective - proven_below);
    }
    if options.whole_bases(s) && !options.incumbents.is_empty() {
        // A mixed-integer backend stopped short of optimal may have missed a known plan; one
        // that costs less is within the backend's own bound.
        let bound = plan.bound;
        return from_incumbents(
            s,
            travel,
            demand,
            plan,
            &options.incumbents,
            backend,
            bound,
            placing,
        );
    }
    Ok(plan)
}

/// Discounted set-up costs of the units a plan opens, each in the year it is first funded.
pub(crate) fn setup_costs(s: &Scenario, plan: &Plan) -> f64 {
    plan.openings()
        .iter()
        .map(|&(u, t)| discount(s, t) * setup_cost(s, plan.candidates[u].kind))
        .sum()
}

/// Whole bases with microlp: its branch and bound decides the bases (opening, size range) with
/// fractional places, which it does far faster than with whole ones; the places are then
/// rounded down to whole numbers ([`floor_builds`], which keeps every budget) and every pupil
/// placed at least cost on them. The mixed-integer optimum (less its gap) bounds the plan.
fn solve_whole_places(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    backend: Backend,
    chain: Option<&mut Chain>,
    placing: &mut Placing,
) -> Result<Plan, SolveError> {
    let bases = Options {
        fractional_places: true,
        // Tried on the whole plan below, not on this one.
        incumbents: Vec::new(),
        ..options.clone()
    };
    let mip = solve_chained(s, travel, demand, &bases, backend, chain)?;
    let bound = match mip.status {
        SolveStatus::Optimal => Some(mip.objective),
        SolveStatus::WithinGap => Some(mip.objective * (1.0 - s.solver.mip_gap)),
        _ => None,
    };
    let plan = if mip
        .builds
        .iter()
        .all(|b| (b.places - b.places.round()).abs() < 1e-9)
    {
        // Already whole: the optimum with fractional places is the optimum with whole ones.
        mip
    } else {
        let builds = floor_builds(s, &mip.candidates, &mip);
        place_on_rounded(s, travel, demand, builds, backend, bound)?
    };
    let incumbents = &options.incumbents;
    from_incumbents(s, travel, demand, plan, incumbents, backend, bound, placing)
}

/// The cheapest of `plan` and the incumbents placed on the same model (each placed at least
/// cost by [`Placing::place_raw`], reported as a rounded plan with `bound`).
#[allow(clippy::too_many_arguments)]
fn from_incumbents(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    mut plan: Plan,
    incumbents: &[Vec<placeplan_model::plan::Build>],
    backend: Backend,
    bound: Option<f64>,
    placing: &mut Placing,
) -> Result<Plan, SolveError> {
    for known in incumbents {
        let mut alt = placing.place_raw(s, travel, demand, known.clone(), backend)?;
        mark_placed_on_rounded(&mut alt, bound);
        plan = cheaper(plan, alt);
    }
    Ok(plan)
}

/// The cheaper of two plans of the same model; the first on a tie, so that a heuristic plan
/// replaces the optimiser's only when it costs less.
fn cheaper(plan: Plan, alt: Plan) -> Plan {
    if alt.objective < plan.objective * (1.0 - 1e-9) {
        alt
    } else {
        plan
    }
}

/// The relaxation with only the units of `open` (candidates, sorted) open, each at least its
/// minimum size, re-solved warm from the kept relaxation: one row holds every other candidate's
/// places at zero (places are never negative), and one row per open unit asks for its minimum
/// (the model `Options::open_bases` builds). None when microlp cannot answer.
pub(crate) fn restrict_kept(
    s: &Scenario,
    demand: &Demand,
    mut kept: Kept,
    net: &Network,
    open: &[usize],
) -> Option<Plan> {
    let is_open = |c: usize| open.binary_search(&c).is_ok();
    let mut closed = microlp::LinearExpr::empty();
    let mut by_unit: std::collections::BTreeMap<usize, microlp::LinearExpr> = Default::default();
    for &(c, _, v) in &kept.index.y {
        let v = (kept.microlp_var)(v);
        if is_open(c) {
            by_unit
                .entry(net.units[c])
                .or_insert_with(microlp::LinearExpr::empty)
                .add(v, 1.0);
        } else {
            closed.add(v, 1.0);
        }
    }
    let rows = std::iter::once((closed, microlp::ComparisonOp::Le, 0.0)).chain(
        by_unit.into_iter().map(|(u, e)| {
            let min = s.unit_rules(&net.candidates[u]).min_size as f64;
            (e, microlp::ComparisonOp::Ge, min)
        }),
    );
    for (e, op, rhs) in rows {
        kept.solution = kept
            .solution
            .add_constraint(e, op, rhs)
            .ok()?
            .into_solution()
            .ok()?;
    }
    kept.optimal_plan(demand, net)
}

/// Places every pupil at least cost on whole builds and reports the plan as rounded, with the
/// bound proved on the way (none when that solve stopped at its limit).
fn place_on_rounded(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    builds: Vec<placeplan_model::plan::Build>,
    backend: Backend,
    bound: Option<f64>,
) -> Result<Plan, SolveError> {
    let fixed = Options::with_builds(builds);
    let mut plan = solve_chained(s, travel, demand, &fixed, backend, None)?;
    mark_placed_on_rounded(&mut plan, bound);
    Ok(plan)
}

/// A plan placed on rounded builds is `rounded` with the bound proved on the way, or stopped at
/// the limit when the relaxation proved none.
fn mark_placed_on_rounded(plan: &mut Plan, bound: Option<f64>) {
    match bound {
        Some(b) => mark_rounded(plan, b),
        None => {
            plan.status = SolveStatus::StoppedAtLimit;
            plan.bound = None;
        }
    }
}

/// Whole bases by round and fix ([`crate::round`]): the relaxation, its places rounded to whole
/// bases, then every pupil placed at least cost on them.
fn solve_rounded(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    backend: Backend,
    chain: Option<&mut Chain>,
    placing: &mut Placing,
) -> Result<Plan, SolveError> {
    let given = || ((), options.incumbents.clone());
    solve_rounded_beside(s, travel, demand, options, (backend, chain, placing), given).1
}

/// Whether [`solve_placing`] answers `options` by round and fix ([`solve_rounded_beside`]).
pub(crate) fn rounds_and_fixes(s: &Scenario, options: &Options, backend: Backend) -> bool {
    options.whole_bases(s) && backend == Backend::Flow
}

/// Round and fix starting from the incumbents `starts` works out (the planner's heuristics,
/// which need the do-nothing placement first) beside it: `starts` runs and its incumbents are
/// placed afresh, each on its own, in one task beside the relaxation, on another core when one
/// is free. Each solve is the same wherever it runs, and they are read in order, so the plan
/// does not depend on the threads. Returns what `starts` returned with the plan; `options`'
/// own incumbents are not used.
pub(crate) fn solve_rounded_beside<T: Send>(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    (backend, mut chain, placing): (Backend, Option<&mut Chain>, &mut Placing),
    starts: impl FnOnce() -> (T, Vec<Vec<Build>>) + Send,
) -> (T, Result<Plan, SolveError>) {
    // Builds already placed with `placing` are not placed again.
    let known: Vec<Vec<Build>> = placing.placed.iter().map(|(b, _)| b.clone()).collect();
    // Given back to the chain below unless a plan solved here replaces it.
    let previous = chain.as_deref_mut().and_then(|c| c.previous.take());
    // Its plan, checked and costed here, with the bound its duals prove here; kept when within
    // the gap, otherwise an incumbent of round and fix.
    let carried = previous
        .as_ref()
        .and_then(|p| carry(s, travel, demand, options, p));
    let keep = carried
        .as_ref()
        .filter(|(plan, bound)| *bound >= plan.objective - s.solver.mip_gap * plan.objective.abs())
        .map(|(plan, bound)| Fixed {
            plan: plan.clone(),
            bound: Some(*bound),
            duals: None,
            kept: true,
        });
    let mut started = None;
    let rounded = rayon::in_place_scope(|scope| {
        // One task for all of them: round and fix keeps this thread, so two in all.
        let out = &mut started;
        scope.spawn(move |_| {
            let (value, incumbents) = starts();
            let mut placed: Vec<(Vec<Build>, Placed)> = Vec::new();
            for b in &incumbents {
                if !known.contains(b) && placed.iter().all(|(done, _)| done != b) {
                    let plan = place_afresh(s, travel, demand, b.clone(), backend);
                    placed.push((b.clone(), plan));
                }
            }
            *out = Some((value, incumbents, placed));
        });
        match keep {
            Some(kept) => Ok(kept),
            None => {
                let seed = previous.as_ref().map(|p| p.set.clone()).unwrap_or_default();
                let placed = (backend, chain.as_deref_mut(), &mut *placing);
                round_and_fix(s, travel, demand, options, placed, seed)
            }
        }
    });
    let Some((value, incumbents, placed)) = started else {
        unreachable!("a scope returns only when its tasks have run")
    };
    // Kept even when round and fix failed: the baselines are these placements.
    let mut failed = None;
    for (builds, plan) in placed {
        match plan {
            Ok(plan) => placing.keep(builds, plan),
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    let finished = rounded.and_then(|fixed| match failed {
        Some(e) => Err(e),
        None => {
            let Fixed {
                mut plan,
                mut bound,
                duals,
                kept,
            } = fixed;
            if let (false, Some((alt, b))) = (kept, carried) {
                // Both bounds hold: the stronger marks both plans.
                let b = bound.map_or(b, |f| f.max(b));
                bound = Some(b);
                mark_rounded(&mut plan, b);
                plan = cheaper(plan, alt);
                mark_rounded(&mut plan, b);
            }
            let plan = from_incumbents(
                s,
                travel,
                demand,
                plan,
                &incumbents,
                backend,
                bound,
                placing,
            )?;
            let plan = if kept {
                plan
            } else {
                improve_rounded(s, travel, demand, plan, (backend, placing), bound)?
            };
            Ok((plan, duals, kept))
        }
    });
    let (plan, duals) = match finished {
        Ok((plan, duals, kept)) => {
            if let (true, Some(chain)) = (kept, chain.as_deref_mut()) {
                chain.kept_plans += 1;
            }
            (Ok(plan), duals)
        }
        Err(e) => (Err(e), None),
    };
    // The chain holds the plan a later variant may keep, with the duals to prove it: this
    // one's when round and fix solved it here, else (kept, or failed) the previous one.
    if let Some(chain) = chain {
        chain.previous = match (&plan, duals) {
            (Ok(plan), Some((duals, set))) => Some(Previous {
                plan: plan.clone(),
                duals,
                set,
            }),
            _ => previous,
        };
    }
    (value, plan)
}

/// What round and fix ends with, or a plan kept from a sweep's previous variant.
struct Fixed {
    plan: Plan,
    /// The bound proved on the way (none when the relaxation stopped at its limit).
    bound: Option<f64>,
    /// The duals of a priced relaxation, which prove `bound` ([`crate::pricing::bound_at`]),
    /// and the arcs of its last working set.
    duals: Option<(Vec<f64>, Seed)>,
    /// Whether the plan is the previous variant's ([`carry`]), not solved here.
    kept: bool,
}

/// The plan of a sweep's previous variant ([`Chain`]) for this scenario, when it passes the
/// independent check here, costed again for this scenario and marked rounded with the bound
/// the duals of its relaxation prove on this scenario's relaxation ([`bound_at`]). Where that
/// bound proves it within `solver.mip_gap` (the test a mixed-integer solver stops on, with
/// this plan as its incumbent and a bound no stronger than its own), the plan is kept and
/// round and fix skipped; otherwise it is an incumbent. None when it does not pass, the duals
/// do not fit the model, or `options` restrict the model (given builds or units).
fn carry(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    previous: &Previous,
) -> Option<(Plan, f64)> {
    if options.fixed_builds.is_some() || options.open_bases.is_some() {
        return None;
    }
    let mut plan = previous.plan.clone();
    plan.objective = cost_plan(s, travel, demand, &plan).npv;
    plan.bound = None;
    if !(plan.objective.is_finite() && check(s, travel, demand, &plan).passed()) {
        return None;
    }
    let relax = Options {
        relax_whole_bases: true,
        ..options.clone()
    };
    let net = build_network(s, travel, demand, &relax);
    let bound = bound_at(s, demand, &net, &relax, &previous.duals)?;
    mark_rounded(&mut plan, bound);
    if !plan.method.ends_with(KEPT) {
        plan.method.push_str(KEPT);
    }
    Some((plan, bound))
}

/// Added to the method of a plan kept from a sweep's previous variant.
pub const KEPT: &str = " (kept from the previous variant)";

/// A plan placed on given builds, or why it could not be.
type Placed = Result<Plan, SolveError>;

/// Every pupil placed at least cost on `builds`, solved afresh (the plan is that solve's own).
fn place_afresh(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    builds: Vec<Build>,
    backend: Backend,
) -> Placed {
    solve_chained(
        s,
        travel,
        demand,
        &Options::with_builds(builds),
        backend,
        None,
    )
}

/// Round and fix on its own: the relaxation, its builds rounded, and every pupil placed on
/// them; the plan and the bound the relaxation proved (none when it stopped at its limit).
fn round_and_fix(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    options: &Options,
    (backend, chain, placing): (Backend, Option<&mut Chain>, &mut Placing),
    seed: Seed,
) -> Result<Fixed, SolveError> {
    let relax = Options {
        relax_whole_bases: true,
        seed,
        ..options.clone()
    };
    // With stability the relaxation is an LP for microlp. It is priced on a working set of
    // arcs (crate::pricing), which proves its own bound; where pricing cannot answer, it is
    // solved whole and kept, so that the relaxation with the chosen units open re-solves warm
    // from it.
    let mut priced_bound = None;
    let mut duals = None;
    let mut priced_plan = None;
    let kept = if warm_lp(s, backend) {
        let net = build_network(s, travel, demand, &relax);
        if diagnose(s, demand, &net).is_empty() {
            match solve_priced(s, demand, &net, &relax) {
                Some(priced) => {
                    priced_bound = Some(priced.bound);
                    // Its last working set seeds the next sweep variant's (it did not pay
                    // to seed the restricted relaxation and the placement with it:
                    // docs/performance.md).
                    duals = Some((priced.duals, Seed(Some(priced.set))));
                    priced_plan = Some(priced.plan);
                    None
                }
                None => {
                    Kept::solve_optimal(s, build_model(s, demand, &net, &relax)).map(|k| (k, net))
                }
            }
        } else {
            None
        }
    } else {
        None
    };
    let relaxed = priced_plan.or_else(|| {
        kept.as_ref()
            .and_then(|(k, net)| k.optimal_plan(demand, net))
    });
    let relaxed = match relaxed {
        Some(plan) => plan,
        None => solve_chained(s, travel, demand, &relax, backend, chain)?,
    };
    let rounded = round_builds(s, &relaxed.candidates, &relaxed);
    // The bases chosen, now sized and funded by the relaxation with them open (so budget freed
    // by bases too small to keep goes to the others), rounded down to whole places.
    let mut open: Vec<usize> = rounded.iter().map(|b| b.candidate).collect();
    open.dedup();
    // Warm from the kept relaxation when it was solved whole; a priced one is Clarabel's
    // solution, not a vertex to re-solve from, so the restricted relaxation is then solved
    // afresh (and priced).
    let warm = kept.and_then(|(k, net)| restrict_kept(s, demand, k, &net, &open));
    let restricted = match warm {
        Some(plan) => Ok(plan),
        None => {
            // Not seeded: seeding it did not pay (docs/performance.md, session 14).
            let restrict = Options {
                open_bases: Some(open),
                seed: Seed::default(),
                ..relax.clone()
            };
            solve_chained(s, travel, demand, &restrict, backend, None)
        }
    };
    let builds = match restricted {
        Ok(restricted) => floor_builds(s, &relaxed.candidates, &restricted),
        Err(_) => rounded,
    };
    // A relaxation stopped at its time limit proves no bound; an optimal one proves its own
    // (a priced one L(mu), whatever its plan, Clarabel's point, costs).
    let bound = match priced_bound {
        Some(b) => Some(b),
        None => (relaxed.status == SolveStatus::Optimal).then(|| {
            relaxed
                .bound
                .unwrap_or(relaxed.objective)
                .min(relaxed.objective)
        }),
    };
    let plan = placing.place(s, travel, demand, builds, backend, bound)?;
    Ok(Fixed {
        plan,
        bound,
        duals,
        kept: false,
    })
}

/// Whether round and fix's LPs go to microlp and are worth keeping for warm re-solves: with
/// stability (the flow engine answers the rest at once), on the default or microlp backend.
fn warm_lp(s: &Scenario, backend: Backend) -> bool {
    s.solver.stability && matches!(backend, Backend::Flow | Backend::Microlp)
}

/// Places pupils on the whole builds of round and fix. Where that placement is an LP for
/// microlp (with stability; the flow engine answers the rest at once), the builds it tries
/// only shrink, so it re-solves warm ([`Replacer`]); otherwise, and whenever a warm re-solve
/// cannot answer, it solves afresh.
#[derive(Default)]
pub(crate) struct Placing {
    warm: Option<Replacer>,
    /// The builds [`Placing::place`] placed first, solved afresh (priced, crate::pricing).
    /// Later placements (a plan being improved) try only builds within them: the model for
    /// warm re-solves is built on them at the second placement.
    first: Option<Vec<placeplan_model::plan::Build>>,
    /// Plans placed afresh by [`Placing::place_raw`], by their builds.
    placed: Vec<(Vec<placeplan_model::plan::Build>, Plan)>,
}

impl Placing {
    /// Every pupil placed at least cost on `builds`, solved afresh once per set of builds and
    /// kept: the plan is the placement's own (status and bound of that solve). The optimiser
    /// places its incumbents (the planner's heuristics) this way, and the baselines are then
    /// the same plans, not solved again.
    pub(crate) fn place_raw(
        &mut self,
        s: &Scenario,
        travel: &TravelMatrix,
        demand: &Demand,
        builds: Vec<placeplan_model::plan::Build>,
        backend: Backend,
    ) -> Result<Plan, SolveError> {
        if let Some(plan) = self.placed(&builds) {
            return Ok(plan.clone());
        }
        let plan = place_afresh(s, travel, demand, builds.clone(), backend)?;
        self.keep(builds, plan.clone());
        Ok(plan)
    }

    /// The plan placed afresh on `builds`, when it has been.
    fn placed(&self, builds: &[placeplan_model::plan::Build]) -> Option<&Plan> {
        self.placed.iter().find(|(b, _)| b == builds).map(|p| &p.1)
    }

    /// Keeps `plan`, placed afresh on `builds`, for [`Placing::place_raw`].
    fn keep(&mut self, builds: Vec<placeplan_model::plan::Build>, plan: Plan) {
        if self.placed(&builds).is_none() {
            self.placed.push((builds, plan));
        }
    }

    /// The warm placement, when the model can be kept and answers.
    fn place_warm(
        &mut self,
        s: &Scenario,
        travel: &TravelMatrix,
        demand: &Demand,
        builds: &[placeplan_model::plan::Build],
        backend: Backend,
    ) -> Option<Plan> {
        if !warm_lp(s, backend) {
            return None;
        }
        let Some(first) = &self.first else {
            self.first = Some(builds.to_vec());
            return None;
        };
        let placed = match self.warm.take() {
            Some(r) => r.place(s, demand, builds),
            None => {
                let opt = Options::with_builds(first.clone());
                let net = build_network(s, travel, demand, &opt);
                if diagnose(s, demand, &net).is_empty() {
                    Replacer::new(s, demand, net, &opt)
                        .and_then(|(r, _)| r.place(s, demand, builds))
                } else {
                    None
                }
            }
        };
        let (r, plan) = placed?;
        self.warm = Some(r);
        Some(plan)
    }

    fn place(
        &mut self,
        s: &Scenario,
        travel: &TravelMatrix,
        demand: &Demand,
        builds: Vec<placeplan_model::plan::Build>,
        backend: Backend,
        bound: Option<f64>,
    ) -> Result<Plan, SolveError> {
        if let Some(mut plan) = self.place_warm(s, travel, demand, &builds, backend) {
            mark_placed_on_rounded(&mut plan, bound);
            return Ok(plan);
        }
        place_on_rounded(s, travel, demand, builds, backend, bound)
    }
}

/// Most placement solves spent improving a rounded plan.
const MAX_IMPROVE_TRIES: usize = 40;

/// Two local improvements of a rounded plan, each kept only when the plan then costs less:
/// a new special school is dropped in turn (the relaxation sees no lump sum, so one whose lump
/// sum outweighs its savings may survive rounding), and each expansion rounded to whole classes
/// gives up its last class (rounding to the nearest class may round up one too many).
fn improve_rounded(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    mut plan: Plan,
    (backend, placing): (Backend, &mut Placing),
    bound: Option<f64>,
) -> Result<Plan, SolveError> {
    let unit = units(&plan.candidates);
    let mut tries = 0;
    let schools: Vec<usize> = plan
        .openings()
        .into_iter()
        .map(|(u, _)| u)
        .filter(|&u| {
            let kind = plan.candidates[u].kind;
            kind == BuildKind::NewSpecialSchool && setup_cost(s, kind) > 0.0
        })
        .collect();
    for u in schools {
        let without: Vec<_> = plan
            .builds
            .iter()
            .filter(|b| unit[b.candidate] != u)
            .copied()
            .collect();
        tries += 1;
        let alt = placing.place(s, travel, demand, without, backend, bound)?;
        if alt.objective < plan.objective * (1.0 - 1e-9) {
            plan = alt;
        }
    }
    let mut classes: Vec<usize> = plan
        .builds
        .iter()
        .map(|b| b.candidate)
        .filter(|&c| s.build_rules(plan.candidates[c].kind).step > 1)
        .collect();
    classes.dedup();
    for c in classes {
        let step = s.build_rules(plan.candidates[c].kind).step as f64;
        while tries < MAX_IMPROVE_TRIES {
            let Some(last) = plan.builds.iter().rposition(|b| b.candidate == c) else {
                break;
            };
            let mut fewer = plan.builds.clone();
            fewer[last].places -= step;
            if fewer[last].places <= 0.0 {
                fewer.remove(last);
            }
            tries += 1;
            let alt = placing.place(s, travel, demand, fewer, backend, bound)?;
            if alt.objective < plan.objective * (1.0 - 1e-9) {
                plan = alt;
            } else {
                break;
            }
        }
    }
    Ok(plan)
}

/// Variables in x then y order, for reading values back.
fn model_parts(m: &Index) -> Vec<good_lp::Variable> {
    m.x.iter()
        .map(|x| x.var)
        .chain(m.y.iter().map(|t| t.2))
        .collect()
}

fn run(
    backend: Backend,
    s: &Scenario,
    order: Vec<good_lp::Variable>,
    model: Lp,
    is_mip: bool,
) -> Result<(Vec<f64>, SolveStatus), SolveError> {
    let Lp {
        vars,
        objective,
        constraints,
    } = model;
    match backend {
        // The flow engine hands LPs it cannot take to microlp.
        Backend::Microlp | Backend::Flow => {
            let columns = columns(&vars, &order)?;
            let p = vars
                .minimise(objective)
                .using(good_lp::microlp)
                .with_all(constraints);
            // The MIP gap as good_lp would pass it (through f32), so plans do not change.
            let gap = if is_mip {
                s.solver.mip_gap as f32 as f64
            } else {
                0.0
            };
            let limits = (s.solver.time_limit(), gap);
            let (values, reason) = solve_microlp(p.as_inner(), &columns, limits, CAPACITY_SHORT)?;
            let status = match reason {
                TerminationReason::ProvenOptimal => SolveStatus::Optimal,
                TerminationReason::MipGap => SolveStatus::WithinGap,
                _ => SolveStatus::StoppedAtLimit,
            };
            Ok((values, status))
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            let mut p = vars
                .minimise(objective)
                .using(good_lp::highs)
                .set_time_limit(s.solver.time_limit().as_secs_f64())
                .set_threads(1);
            if is_mip {
                p = p
                    .set_mip_rel_gap(s.solver.mip_gap as f32)
                    .map_err(|e| SolveError::Backend(e.to_string()))?;
            }
            p.set_verbose(false);
            finish(p.with_all(constraints).solve(), &order)
        }
        #[cfg(not(feature = "highs"))]
        Backend::Highs => Err(SolveError::Unavailable(backend)),
    }
}

/// Reads a HiGHS outcome (microlp's are read by [`solve_microlp`]).
#[cfg_attr(not(feature = "highs"), allow(dead_code))]
fn finish<S: Solution>(
    r: Result<S, ResolutionError>,
    order: &[good_lp::Variable],
) -> Result<(Vec<f64>, SolveStatus), SolveError> {
    match r {
        Ok(sol) => {
            let status = match sol.status() {
                SolutionStatus::Optimal => SolveStatus::Optimal,
                SolutionStatus::GapLimit => SolveStatus::WithinGap,
                SolutionStatus::TimeLimit => SolveStatus::StoppedAtLimit,
            };
            Ok((order.iter().map(|v| sol.value(*v)).collect(), status))
        }
        Err(e) => Err(highs_error(e, CAPACITY_SHORT)),
    }
}

/// Why a plan is infeasible when no single group is stranded.
const CAPACITY_SHORT: &str = "capacity within journey limits, site limits and the capital budget cannot place every pupil; allow out-of-area placements, raise the budget or lengthen journey limits";
