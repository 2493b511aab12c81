//! Baselines that show what optimisation saves.
//!
//! * **Do nothing**: no new places; pupils fill existing provision within journey limits at
//!   least cost and the overflow goes out of area.
//! * **Greedy**: what a planner might do by hand. For each funding year in turn, take the
//!   pupils the do-nothing plan sends out of area in the year the places would open, largest
//!   cluster (locality x need x phase) first, and fund a base for them at the nearest school that
//!   may host one, as large as the cluster, the base size, the site and what is left of that
//!   year's budget allow. Pupils are then placed at least cost given those places.
//! * **Gap-fill**: "fill the biggest out-of-area gaps first". For each funding year in turn,
//!   over the same out-of-area pupils, take the need and phase with the most of them and fund
//!   one base at the host school within the journey limit of the most of those pupils, as large
//!   as the gap it reaches; repeat. Pupils are then placed at least cost given those places.
//!
//! Both fund whole bases under the same rules as any plan (base sizes, whole classes, site
//! limits, each year's budget with set-up costs) and are placed by the same model (cohorts,
//! stability). They fund resourced bases, and special-school and post-16 expansions whose lead
//! time is the bases' (a round funds places for the year they open); they do not open new
//! special schools.

use placeplan_model::capacity::{places_for, pupils_in};
use placeplan_model::forecast::Demand;
use std::collections::{BTreeMap, BTreeSet};

use placeplan_model::plan::{
    candidates, unit_max, Build, BuildKind, Candidate, KindRules, Plan, ProvisionRef,
};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::{Need, Phase, Scenario};

use crate::backend::{Backend, SolveError};
use crate::formulation::Options;
use crate::solve::{rounds_and_fixes, solve, solve_placing, solve_rounded_beside, Placing};
use crate::warm::Chain;

/// The optimised plan with the baselines it is compared with.
#[derive(Debug)]
pub struct Solved {
    pub plan: Result<Plan, SolveError>,
    pub do_nothing: Result<Plan, SolveError>,
    /// None when there is no do-nothing plan to build it from.
    pub greedy: Option<Result<Plan, SolveError>>,
    pub gap_fill: Option<Result<Plan, SolveError>>,
}

/// Optimises with the baselines: the do-nothing plan, then the greedy and gap-fill builds from
/// it, which the optimiser starts from (its plan never costs more than either). Where the
/// optimiser placed the heuristics' builds (whole bases), the baselines are those placements,
/// not solved again ([`Placing::place_raw`]); otherwise each is placed here.
pub fn plan_with_baselines(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    backend: Backend,
    chain: Option<&mut Chain>,
) -> Solved {
    let starts = || {
        let do_nothing = self::do_nothing(s, travel, demand, backend);
        let heuristics = match &do_nothing {
            Ok(dn) => vec![
                ("greedy", greedy_builds(s, travel, demand, dn)),
                ("gap-fill", gap_fill_builds(s, travel, demand, dn)),
            ],
            Err(_) => Vec::new(),
        };
        let builds = heuristics.iter().map(|(_, b)| b.clone()).collect();
        ((do_nothing, heuristics), builds)
    };
    let mut placing = Placing::default();
    let ((do_nothing, heuristics), plan) = if rounds_and_fixes(s, &Options::optimise(), backend) {
        // Round and fix's relaxation needs no baseline: it starts beside the do-nothing.
        let placed = (backend, chain, &mut placing);
        solve_rounded_beside(s, travel, demand, &Options::optimise(), placed, starts)
    } else {
        let (started, builds) = starts();
        let options = Options::optimise_from(builds);
        let plan = solve_placing(s, travel, demand, &options, backend, chain, &mut placing);
        (started, plan)
    };
    let mut placed = heuristics.into_iter().map(|(name, builds)| {
        let mut plan = placing.place_raw(s, travel, demand, builds, backend)?;
        plan.method = format!("{name} ({})", plan.method);
        Ok(plan)
    });
    let greedy = placed.next();
    let gap_fill = placed.next();
    Solved {
        plan,
        do_nothing,
        greedy,
        gap_fill,
    }
}

/// The do-nothing plan: existing provision only.
pub fn do_nothing(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let mut plan = solve(s, travel, demand, &Options::do_nothing(), backend)?;
    plan.method = format!("do-nothing ({})", plan.method);
    Ok(plan)
}

/// The greedy nearest-school plan, built from the do-nothing plan's out-of-area pupils.
pub fn greedy(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let builds = greedy_builds(s, travel, demand, do_nothing);
    placed_on("greedy", s, travel, demand, builds, backend)
}

/// Pupils placed at least cost given `builds`, by the same model as every plan; the plan's
/// method names the heuristic.
fn placed_on(
    name: &str,
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    builds: Vec<Build>,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let mut plan = solve(s, travel, demand, &Options::with_builds(builds), backend)?;
    plan.method = format!("{name} ({})", plan.method);
    Ok(plan)
}

/// The funding rounds of a heuristic: each plan year whose places open within the horizon, as
/// (year funded, year the places open, that year's capital budget).
fn rounds<'a>(s: &'a Scenario, demand: &Demand) -> impl Iterator<Item = (usize, usize, f64)> + 'a {
    let n_years = demand.years.len();
    let lead = s.bases.lead_time as usize;
    (0..n_years)
        .map(move |funded| (funded, funded + lead))
        .take_while(move |&(_, open)| open < n_years)
        .map(|(funded, open)| {
            let budget = s.capital_budget.get(funded).copied().unwrap_or(0.0);
            (funded, open, budget)
        })
}

/// The new places the greedy rule funds (indices into [`candidates`] of the scenario).
pub fn greedy_builds(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
) -> Vec<Build> {
    let mut fund = Funding::new(s);
    // Places already funded for each group in earlier rounds.
    let mut covered = vec![0.0f64; demand.groups.len()];

    for (funded, open, mut budget) in rounds(s, demand) {
        let unmet = out_of_area_in(do_nothing, open, demand.groups.len());
        let mut order: Vec<usize> = (0..demand.groups.len())
            .filter(|&g| unmet[g] - covered[g] >= 1.0)
            .collect();
        order.sort_by(|&a, &b| {
            (unmet[b] - covered[b])
                .total_cmp(&(unmet[a] - covered[a]))
                .then(a.cmp(&b))
        });
        for g in order {
            let grp = &demand.groups[g];
            let want = (unmet[g] - covered[g]).floor();
            let limit = s.journey.minutes(grp.phase);
            // Nearest school with a base for this need and phase that still has room.
            let best = fund
                .cands
                .iter()
                .enumerate()
                .filter(|(c, cand)| {
                    cand.need == grp.need
                        && cand.phase == grp.phase
                        && travel.minutes(grp.locality, cand.school) <= limit
                        && fund.room(*c) >= 1.0
                })
                .min_by(|(ca, a), (cb, b)| {
                    travel
                        .minutes(grp.locality, a.school)
                        .total_cmp(&travel.minutes(grp.locality, b.school))
                        .then(ca.cmp(cb))
                });
            let Some((c, _)) = best else { continue };
            covered[g] += fund.fund(c, funded, want, &mut budget);
        }
    }
    fund.finish()
}

/// The "fill the biggest out-of-area gaps first" plan, built from the do-nothing plan's
/// out-of-area pupils.
pub fn gap_fill(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
    backend: Backend,
) -> Result<Plan, SolveError> {
    let builds = gap_fill_builds(s, travel, demand, do_nothing);
    placed_on("gap-fill", s, travel, demand, builds, backend)
}

/// The new places the gap-filling rule funds (indices into [`candidates`] of the scenario). For
/// each funding year in turn, over the pupils the do-nothing plan sends out of area in the year
/// the places would open (less places already funded for them): take the need and phase with the
/// most such pupils, and fund one base for it at the host school within the journey limit of the
/// most of them (the next such host when that one cannot be funded), as large as the pupils it
/// reaches (within the base size, the site and what is left of the year's budget); those pupils
/// count as served; repeat until no need and phase has a whole pupil left that a base can be
/// funded for.
pub fn gap_fill_builds(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    do_nothing: &Plan,
) -> Vec<Build> {
    let mut fund = Funding::new(s);
    let n_groups = demand.groups.len();
    let mut covered = vec![0.0f64; n_groups];

    for (funded, open, mut budget) in rounds(s, demand) {
        let unmet = out_of_area_in(do_nothing, open, n_groups);
        let mut gap: Vec<f64> = (0..n_groups)
            .map(|g| (unmet[g] - covered[g]).max(0.0))
            .collect();
        // Needs and phases no further base can be funded for this year.
        let mut done: BTreeSet<(Need, Phase)> = BTreeSet::new();
        loop {
            let mut by_need: BTreeMap<(Need, Phase), f64> = BTreeMap::new();
            for (g, grp) in demand.groups.iter().enumerate() {
                if !done.contains(&(grp.need, grp.phase)) {
                    *by_need.entry((grp.need, grp.phase)).or_default() += gap[g];
                }
            }
            // The biggest gap; the first in need and phase order among equals.
            let Some((need, phase)) = by_need
                .iter()
                .filter(|(_, &n)| n >= 1.0)
                .fold(None::<(&(Need, Phase), f64)>, |best, (k, &n)| match best {
                    Some((_, b)) if b >= n => best,
                    _ => Some((k, n)),
                })
                .map(|(k, _)| *k)
            else {
                break;
            };
            let limit = s.journey.minutes(phase);
            let reach = |school: usize| -> f64 {
                demand
                    .groups
                    .iter()
                    .enumerate()
                    .filter(|(_, grp)| {
                        grp.need == need
                            && grp.phase == phase
                            && travel.minutes(grp.locality, school) <= limit
                    })
                    .map(|(g, _)| gap[g])
                    .sum()
            };
            // The host reached by the most of those pupils (the first candidate among equals);
            // when it cannot be funded, the next.
            let mut hosts: Vec<(usize, f64)> = fund
                .cands
                .iter()
                .enumerate()
                .filter(|(c, cand)| {
                    cand.need == need && cand.phase == phase && fund.room(*c) >= 1.0
                })
                .map(|(c, cand)| (c, reach(cand.school)))
                .filter(|&(_, n)| n >= 1.0)
                .collect();
            hosts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let Some((c, pupils)) = hosts.iter().find_map(|&(c, n)| {
                let pupils = fund.fund(c, funded, n.floor(), &mut budget);
                (pupils > 0.0).then_some((c, pupils))
            }) else {
                done.insert((need, phase));
                continue;
            };
            // The reachable pupils with the biggest gaps count as served first.
            let school = fund.cands[c].school;
            let mut served: Vec<usize> = (0..n_groups)
                .filter(|&g| {
                    let grp = &demand.groups[g];
                    grp.need == need
                        && grp.phase == phase
                        && gap[g] > 0.0
                        && travel.minutes(grp.locality, school) <= limit
                })
                .collect();
            served.sort_by(|&a, &b| gap[b].total_cmp(&gap[a]).then(a.cmp(&b)));
            let mut left = pupils;
            for g in served {
                let take = left.min(gap[g]);
                gap[g] -= take;
                covered[g] += take;
                left -= take;
            }
        }
    }
    fund.finish()
}

/// Pupils of each group the plan places out of area in plan year `t`.
fn out_of_area_in(plan: &Plan, t: usize, n_groups: usize) -> Vec<f64> {
    let mut unmet = vec![0.0f64; n_groups];
    for p in &plan.placements {
        if p.year == t && p.provision == ProvisionRef::OutOfArea && p.group < n_groups {
            unmet[p.group] += p.pupils;
        }
    }
    unmet
}

/// New places funded so far by a heuristic, under the rules every plan keeps: whole units of
/// their kind's size range in whole steps (a unit funded earlier may grow by whole steps), the
/// site limit of each school, and each year's capital budget with the set-up cost of a unit.
struct Funding<'a> {
    s: &'a Scenario,
    cands: Vec<Candidate>,
    /// Rules of each candidate's kind, `None` where a heuristic does not use it.
    rules: Vec<Option<KindRules>>,
    site_left: Vec<f64>,
    base_total: Vec<f64>,
    builds: Vec<Build>,
}

impl<'a> Funding<'a> {
    fn new(s: &'a Scenario) -> Funding<'a> {
        let cands = candidates(s);
        let base_total = vec![0.0; cands.len()];
        let rules = cands
            .iter()
            .map(|c| {
                let r = s.unit_rules(c);
                (c.kind != BuildKind::NewSpecialSchool && r.lead_time == s.bases.lead_time)
                    .then_some(r)
            })
            .collect();
        Funding {
            s,
            cands,
            rules,
            site_left: s
                .schools
                .iter()
                .map(|sc| sc.max_new_places as f64)
                .collect(),
            base_total,
            builds: Vec::new(),
        }
    }

    /// Places candidate `c` can still take: its school's site and the unit's maximum size.
    fn room(&self, c: usize) -> f64 {
        match self.rules[c] {
            None => 0.0,
            Some(_) => self.site_left[self.cands[c].school]
                .min(unit_max(self.s, &self.cands[c]) as f64 - self.base_total[c]),
        }
    }

    /// Funds places for about `want` pupils at candidate `c` in plan year `funded`, paid from
    /// `budget`: the places that take them at the occupancy target (`capacity::places_for`), at
    /// least the minimum size for a new unit, in whole steps, at most what the unit, site and
    /// budget allow. Returns the pupils the new places take (0 when not even the minimum fits).
    fn fund(&mut self, c: usize, funded: usize, want: f64, budget: &mut f64) -> f64 {
        let want = places_for(self.s, want);
        let Some(rules) = self.rules[c] else {
            return 0.0;
        };
        let school = self.cands[c].school;
        let capex = self.s.candidate_capex(&self.cands[c]);
        let opened = self.base_total[c] > 0.0;
        let setup = if opened { 0.0 } else { rules.setup_cost };
        let affordable = if capex > 0.0 {
            ((*budget - setup) / capex).floor()
        } else if *budget >= setup {
            f64::INFINITY
        } else {
            0.0
        };
        // A new unit needs at least the minimum size (in modular runs); an open one can grow by
        // whole steps.
        let step = rules.step as f64;
        let floor = if opened || !self.s.bases.modular {
            step
        } else {
            rules.min_size as f64
        };
        let places = want.max(floor).min(self.room(c)).min(affordable);
        let places = (places / step).floor() * step;
        if places < floor {
            return 0.0;
        }
        self.builds.push(Build {
            candidate: c,
            funded,
            places,
        });
        *budget -= places * capex + setup;
        self.site_left[school] -= places;
        let before = pupils_in(self.s, self.base_total[c]);
        self.base_total[c] += places;
        pupils_in(self.s, self.base_total[c]) - before
    }

    /// The builds, sorted by candidate and funding year.
    fn finish(mut self) -> Vec<Build> {
        self.builds.sort_by_key(|b| (b.candidate, b.funded));
        self.builds
    }
}
