//! Independent re-verification of any plan. Uses no solver or formulation code: it reads the
//! plan as data and re-checks every rule from the scenario itself.
//!
//! Checked: every group's pupils placed exactly once each year (1); capacity of existing and new
//! provision each year (2); site limits (3); base sizes (4); capital budget per year (5); phase
//! and need fit; journey limits; stability (6) when asked for; out-of-area only when allowed; new places only where a base may
//! go; and that the plan's reported objective equals its net present value, worked out again from
//! the scenario by the check's own costing (`costs`), which calls nothing the objective uses, and
//! equal to the finance costing's too.

use std::collections::BTreeMap;

use crate::cohort::{moved_mid_phase, staying_cohorts, Cohort, STOCK_KINDS};
use crate::finance::{cost_plan, Costing};
use crate::forecast::Demand;
use crate::plan::{Plan, ProvisionRef};
use crate::travel::TravelMatrix;
use crate::{ProvisionKind, Scenario};

mod builds;
mod costs;
mod occupancy;

/// Absolute tolerance on pupil and place counts.
pub const TOL: f64 = 1e-5;
/// Relative tolerance on money.
pub const MONEY_TOL: f64 = 1e-6;

/// What the check found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckReport {
    pub violations: Vec<String>,
    /// Number of individual facts verified.
    pub checked: usize,
    /// The plan's costs, worked out to verify its objective (absent when the check stopped
    /// before that), so that callers need not cost the plan again.
    pub costing: Option<Costing>,
}

impl CheckReport {
    pub fn passed(&self) -> bool {
        self.violations.is_empty()
    }
    fn fail(&mut self, msg: String) {
        self.violations.push(msg);
    }
    fn ok(&mut self) {
        self.checked += 1;
    }
}

/// Re-verifies `plan` against the scenario, travel matrix and demand it was made for.
pub fn check(s: &Scenario, travel: &TravelMatrix, demand: &Demand, plan: &Plan) -> CheckReport {
    let mut r = CheckReport::default();
    let n_years = demand.years.len();
    if plan.years != demand.years {
        r.fail(format!(
            "plan years {:?} differ from demand years {:?}",
            plan.years, demand.years
        ));
        return r;
    }
    // Structural validity of every reference before anything is indexed.
    for b in &plan.builds {
        if b.candidate >= plan.candidates.len() || b.funded >= n_years {
            r.fail(format!(
                "build refers to candidate {} in year index {}, which do not exist",
                b.candidate, b.funded
            ));
            return r;
        }
    }
    let bad_ref = |provision: ProvisionRef, group: usize| match provision {
        ProvisionRef::Existing(k) => k >= s.provisions.len(),
        ProvisionRef::NewBase(c) => c >= plan.candidates.len(),
        ProvisionRef::OutOfArea => false,
        // Pupils in other authorities' schools are placed as their own group.
        ProvisionRef::Elsewhere(g) => g != group,
    };
    for p in &plan.placements {
        if p.year >= n_years || p.group >= demand.groups.len() || bad_ref(p.provision, p.group) {
            r.fail(format!(
                "placement refers to a year, group or provision that does not exist: {p:?}"
            ));
            return r;
        }
    }
    for m in &plan.moves {
        if m.year == 0
            || m.year >= n_years
            || m.group >= demand.groups.len()
            || bad_ref(m.from, m.group)
            || bad_ref(m.to, m.group)
        {
            r.fail(format!(
                "move refers to a year, group or provision that does not exist: {m:?}"
            ));
            return r;
        }
    }
    for c in &plan.candidates {
        if c.school >= s.schools.len() {
            r.fail(format!(
                "candidate refers to school index {} which does not exist",
                c.school
            ));
            return r;
        }
    }

    // Candidates are places the scenario allows new provision of their kind.
    for c in &plan.candidates {
        match builds::host_problem(s, c) {
            Some(problem) => r.fail(problem),
            None => r.ok(),
        }
    }

    // (1) every pupil placed once; fit and journey of each placement.
    let mut placed = vec![vec![0.0f64; demand.groups.len()]; n_years];
    let mut used: BTreeMap<(usize, ProvisionRef), f64> = BTreeMap::new();
    let mut by_arc: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
    // The cohort rule, worked out once for every check below that needs it: pupils already
    // placed still in phase, per (year, group, kind of provision).
    let staying = staying_cohorts(s, demand);
    let mut still_placed: BTreeMap<(usize, usize, ProvisionKind), f64> = BTreeMap::new();
    for c in &staying {
        if let Some(kind) = c.placed {
            for t in c.first..=c.last {
                *still_placed.entry((t, c.group, kind)).or_default() += c.pupils as f64;
            }
        }
    }
    // Pupils beyond the journey limit at existing provision, per (year, group, kind), with
    // stability.
    let mut far: BTreeMap<(usize, usize, ProvisionKind), f64> = BTreeMap::new();
    for p in &plan.placements {
        if !(p.pupils.is_finite() && p.pupils >= -TOL) {
            r.fail(format!("placement of {} pupils is not a count", p.pupils));
            continue;
        }
        placed[p.year][p.group] += p.pupils;
        *used.entry((p.year, p.provision)).or_default() += p.pupils;
        *by_arc.entry((p.year, p.group, p.provision)).or_default() += p.pupils;
        let g = &demand.groups[p.group];
        let year = demand.years[p.year];
        let school = match p.provision {
            ProvisionRef::OutOfArea => {
                if !s.solver.allow_out_of_area {
                    r.fail(format!(
                        "{year}: out-of-area placement used but not allowed"
                    ));
                } else {
                    r.ok();
                }
                continue;
            }
            ProvisionRef::Elsewhere(_) => {
                // Kept there only with stability; how many is checked with capacity.
                if !s.solver.stability {
                    r.fail(format!(
                        "{year}: pupils placed in other authorities' schools without stability"
                    ));
                } else {
                    r.ok();
                }
                continue;
            }
            ProvisionRef::Existing(k) => {
                let e = &s.provisions[k];
                if e.phase != g.phase || !e.needs.contains(g.need) {
                    r.fail(format!(
                        "{year}: {} {} pupils placed at {} places for {} {}",
                        g.need,
                        g.phase,
                        s.schools[e.school].id,
                        e.needs.label(),
                        e.phase
                    ));
                }
                e.school
            }
            ProvisionRef::NewBase(c) => {
                let c = &plan.candidates[c];
                if c.phase != g.phase || c.need != g.need {
                    r.fail(format!(
                        "{year}: {} {} pupils placed in a new {} {} base at {}",
                        g.need, g.phase, c.need, c.phase, s.schools[c.school].id
                    ));
                }
                c.school
            }
        };
        let minutes = travel.minutes(g.locality, school);
        let limit = s.journey.minutes(g.phase);
        if minutes.is_finite() && minutes <= limit + 1e-9 {
            r.ok();
        } else if let (true, ProvisionRef::Existing(k)) = (s.solver.stability, p.provision) {
            // Pupils already placed stay where they are, however far: counted below against
            // those of the group and kind of provision still in phase.
            *far.entry((p.year, p.group, s.provision_kind(k)))
                .or_default() += p.pupils;
        } else {
            r.fail(format!(
                "{year}: pupils from {} travel {minutes:.1} minutes to {}, over the {} limit of {limit} minutes",
                s.localities[g.locality].id, s.schools[school].id, g.phase
            ));
        }
    }
    if !far.is_empty() {
        for (&(t, gi, kind), &n) in &far {
            let allowed = still_placed.get(&(t, gi, kind)).copied().unwrap_or(0.0);
            let g = &demand.groups[gi];
            if n <= allowed + TOL {
                r.ok();
            } else {
                r.fail(format!(
                    "{}: {n} {} {} pupils from {} placed in {} provision beyond the journey limit of {} minutes, but only {allowed} of them were already placed there",
                    demand.years[t],
                    g.need,
                    g.phase,
                    s.localities[g.locality].id,
                    kind.code(),
                    s.journey.minutes(g.phase)
                ));
            }
        }
    }
    for t in 0..n_years {
        for (gi, g) in demand.groups.iter().enumerate() {
            let want = demand.pupils[t][gi] as f64;
            if (placed[t][gi] - want).abs() > TOL * want.max(1.0) {
                r.fail(format!(
                    "{}: {} {} pupils in {}: {want} need places but {} are placed",
                    demand.years[t], g.need, g.phase, s.localities[g.locality].id, placed[t][gi]
                ));
            } else {
                r.ok();
            }
        }
    }

    // (2) capacity each year, at the occupancy target.
    let existing_cap = occupancy::existing_capacity(s, demand, &staying);
    let target = s.solver.occupancy_target;
    for (&(t, prov), &n) in &used {
        let (cap, what) = match prov {
            ProvisionRef::Existing(k) => (
                existing_cap[k][t],
                format!(
                    "existing places at {} (occupancy target {target})",
                    s.schools[s.provisions[k].school].id
                ),
            ),
            ProvisionRef::NewBase(c) => (
                target * plan.places_available(s, c, t),
                format!(
                    "new places at {} (occupancy target {target})",
                    s.schools[plan.candidates[c].school].id
                ),
            ),
            ProvisionRef::Elsewhere(g) => (
                still_placed
                    .get(&(t, g, ProvisionKind::OtherAuthority))
                    .copied()
                    .unwrap_or(0.0),
                format!(
                    "places in other authorities' schools kept for pupils from {} already there",
                    s.localities[demand.groups[g].locality].id
                ),
            ),
            ProvisionRef::OutOfArea => continue,
        };
        if n > cap + TOL * cap.max(1.0) {
            r.fail(format!("{}: {n} pupils in {cap} {what}", demand.years[t]));
        } else {
            r.ok();
        }
    }

    // Builds: non-negative; (3) site limits; (4) base sizes; (5) budget.
    let mut per_school: BTreeMap<usize, f64> = BTreeMap::new();
    let mut spend = vec![0.0f64; n_years];
    for b in &plan.builds {
        if !(b.places.is_finite() && b.places >= -TOL) {
            r.fail(format!("a build of {} places is not a count", b.places));
            continue;
        }
        let c = &plan.candidates[b.candidate];
        *per_school.entry(c.school).or_default() += b.places;
        spend[b.funded] += costs::capex_at(s, c) * b.places;
    }
    for (school, n) in per_school {
        let max = s.schools[school].max_new_places as f64;
        if n > max + TOL {
            r.fail(format!(
                "{n} new places at {} exceed its site limit of {max}",
                s.schools[school].id
            ));
        } else {
            r.ok();
        }
    }
    let (problems, checked) = builds::size_problems(s, plan);
    r.checked += checked;
    for problem in problems {
        r.fail(problem);
    }
    for (kind, funded) in costs::first_fundings(plan).into_values() {
        spend[funded] += costs::unit_setup(s, kind);
    }
    for (t, &spent) in spend.iter().enumerate() {
        let budget = s.capital_budget.get(t).copied().unwrap_or(0.0);
        if spent > budget * (1.0 + MONEY_TOL) + 1.0 {
            r.fail(format!(
                "{}: capital £{spent:.0} exceeds the budget £{budget:.0}",
                demand.years[t]
            ));
        } else {
            r.ok();
        }
    }

    // (6) stability: pupils continuing in their phase stay where they are, and pupils already
    // placed in the base year start in their kind of provision.
    if s.solver.stability {
        let moved = moved_mid_phase(&staying, demand, plan);
        for (t, row) in moved.iter().enumerate().skip(1) {
            for (g, &m) in row.iter().enumerate() {
                if m > TOL {
                    r.fail(format!(
                        "{}: {m:.3} {} {} pupils from {} continuing in their phase were moved to another provision",
                        demand.years[t],
                        demand.groups[g].need,
                        demand.groups[g].phase,
                        s.localities[demand.groups[g].locality].id,
                    ));
                } else {
                    r.ok();
                }
            }
        }
        check_stock(s, demand, plan, &staying, &mut r);
    }
    check_moves(s, travel, demand, plan, &by_arc, &mut r);

    // Cost identity: the objective is the plan's discounted cost, worked out twice: by finance
    // (whose unit costs the objective shares) and by the check's own re-derivation from the
    // scenario, which shares nothing with either.
    let costing = cost_plan(s, travel, demand, plan);
    let own_npv = costs::recomputed_npv(s, travel, demand, plan);
    cost_identity(&mut r, own_npv, &costing, plan.objective);
    r.costing = Some(costing);
    r
}

/// Pupils brought back mid-phase (`Plan::moves`): only where the scenario allows it (bring_back,
/// with stability), only from out of area or another authority's school into a place of ours
/// within the journey limit of their phase, and never more than were at the one in the year
/// before or are at the other in the year of the move. That every other continuing pupil
/// stayed put is checked with stability (6).
fn check_moves(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    plan: &Plan,
    by_arc: &BTreeMap<(usize, usize, ProvisionRef), f64>,
    r: &mut CheckReport,
) {
    if plan.moves.is_empty() {
        return;
    }
    if !(s.solver.stability && s.solver.bring_back) {
        r.fail(format!(
            "the plan moves {} pupils mid-phase, but the scenario does not allow bringing pupils back (solver.bring_back with solver.stability)",
            plan.pupils_moved()
        ));
        return;
    }
    let mut out_of: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
    let mut into: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
    for m in &plan.moves {
        let g = &demand.groups[m.group];
        let what = format!(
            "{}: {} {} {} pupils from {}",
            demand.years[m.year], m.pupils, g.need, g.phase, s.localities[g.locality].id
        );
        if !(m.pupils.is_finite() && m.pupils >= -TOL) {
            r.fail(format!(
                "{what}: a move of {} pupils is not a count",
                m.pupils
            ));
            continue;
        }
        let from_away = matches!(m.from, ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_));
        let school = match m.to {
            ProvisionRef::Existing(k) => Some(s.provisions[k].school),
            ProvisionRef::NewBase(c) => Some(plan.candidates[c].school),
            ProvisionRef::OutOfArea | ProvisionRef::Elsewhere(_) => None,
        };
        if let Some(school) = school {
            // A pupil brought back is placed anew: within the journey limit.
            let minutes = travel.minutes(g.locality, school);
            let limit = s.journey.minutes(g.phase);
            if minutes.is_finite() && minutes <= limit + 1e-9 {
                r.ok();
            } else {
                r.fail(format!(
                    "{what} brought back to {}, {minutes:.1} minutes away, over the {} limit of {limit} minutes",
                    s.schools[school].id, g.phase
                ));
            }
        }
        if from_away && school.is_some() {
            r.ok();
        } else {
            r.fail(format!(
                "{what} moved from {:?} to {:?}: only pupils out of area or in another authority's school may be brought back, to a place of ours",
                m.from, m.to
            ));
        }
        *out_of.entry((m.year - 1, m.group, m.from)).or_default() += m.pupils;
        *into.entry((m.year, m.group, m.to)).or_default() += m.pupils;
    }
    for (moved, when) in [(&out_of, "before"), (&into, "after")] {
        for (key, &n) in moved {
            let there = by_arc.get(key).copied().unwrap_or(0.0);
            if n <= there + TOL {
                r.ok();
            } else {
                r.fail(format!(
                    "{}: {n} pupils of {} {} from {} moved, but only {there} were placed {when} the move at {:?}",
                    demand.years[key.0],
                    demand.groups[key.1].need,
                    demand.groups[key.1].phase,
                    s.localities[demand.groups[key.1].locality].id,
                    key.2
                ));
            }
        }
    }
}

/// Money amounts that must agree, within [`MONEY_TOL`] of the larger.
fn same_money(a: f64, b: f64) -> bool {
    (a - b).abs() <= MONEY_TOL * a.abs().max(b.abs()).max(1.0)
}

/// The cost lines add to the total, and the check's own net present value (`own_npv`) equals
/// both finance's and the plan's reported objective.
fn cost_identity(r: &mut CheckReport, own_npv: f64, costing: &Costing, objective: f64) {
    let line_sum: f64 = costing
        .years
        .iter()
        .map(|y| y.lines.iter().sum::<f64>())
        .sum();
    if !same_money(line_sum, costing.total) {
        r.fail(format!(
            "cost lines add to £{line_sum:.2} but the total is £{:.2}",
            costing.total
        ));
    }
    if same_money(own_npv, costing.npv) {
        r.ok();
    } else {
        r.fail(format!(
            "the costing's net present value £{:.2} differs from £{own_npv:.2} worked out again from the scenario",
            costing.npv
        ));
    }
    if same_money(own_npv, objective) {
        r.ok();
    } else {
        r.fail(format!(
            "reported objective £{objective:.2} differs from the net present value £{own_npv:.2} worked out again from the scenario"
        ));
    }
}

/// Pupils already placed in the base year are, in the first plan year, in provision of the kind
/// they were in (or out of area, beyond the authority's own provision): for each kind, and for
/// all of them together, the stock present cannot exceed what the plan places there.
fn check_stock(
    s: &Scenario,
    demand: &Demand,
    plan: &Plan,
    staying: &[Cohort],
    r: &mut CheckReport,
) {
    let n_groups = demand.groups.len();
    let mut stock = vec![[0.0f64; STOCK_KINDS.len()]; n_groups];
    for c in staying {
        if let Some(k) = c
            .placed
            .and_then(|k| STOCK_KINDS.iter().position(|x| *x == k))
        {
            if c.first == 0 && c.group < n_groups {
                stock[c.group][k] += c.pupils as f64;
            }
        }
    }
    let mut at_kind = vec![[0.0f64; STOCK_KINDS.len()]; n_groups];
    let mut out_of_area = vec![0.0f64; n_groups];
    for p in plan.placements.iter().filter(|p| p.year == 0) {
        match p.provision {
            ProvisionRef::Existing(k) => {
                let kind = s.provision_kind(k);
                if let Some(i) = STOCK_KINDS.iter().position(|x| *x == kind) {
                    at_kind[p.group][i] += p.pupils;
                }
            }
            ProvisionRef::OutOfArea => out_of_area[p.group] += p.pupils,
            ProvisionRef::Elsewhere(_) => {
                let i = STOCK_KINDS
                    .iter()
                    .position(|x| *x == ProvisionKind::OtherAuthority);
                if let Some(i) = i {
                    at_kind[p.group][i] += p.pupils;
                }
            }
            ProvisionRef::NewBase(_) => {}
        }
    }
    for g in 0..n_groups {
        let mut all_stock = 0.0;
        let mut all_room = out_of_area[g];
        for (i, kind) in STOCK_KINDS.iter().enumerate() {
            all_stock += stock[g][i];
            all_room += at_kind[g][i];
            // Pupils in other authorities' schools stay there; others may be out of area.
            let room = match kind {
                ProvisionKind::OtherAuthority => at_kind[g][i],
                _ => at_kind[g][i] + out_of_area[g],
            };
            if stock[g][i] > room + TOL {
                r.fail(stock_message(s, demand, g, *kind, stock[g][i]));
            } else {
                r.ok();
            }
        }
        if all_stock > all_room + TOL {
            r.fail(format!(
                "{}: {all_stock} pupils of group {g} already placed have fewer places of their kinds",
                demand.years[0]
            ));
        }
    }
}

fn stock_message(s: &Scenario, demand: &Demand, g: usize, kind: ProvisionKind, n: f64) -> String {
    let grp = &demand.groups[g];
    format!(
        "{}: {n} {} {} pupils from {} already in {} provision are not all kept in it",
        demand.years[0],
        grp.need,
        grp.phase,
        s.localities[grp.locality].id,
        kind.code()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::DemandGroup;
    use crate::plan::{Build, Candidate, Placement, SolveStatus};
    use crate::*;

    fn school(id: &str, kind: SchoolKind, lon: f64) -> School {
        School {
            id: id.into(),
            name: id.into(),
            kind,
            phases: PhaseSet::default().with(Phase::Primary),
            lat: 53.40,
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
        }
    }

    /// Locality L beside special school S (6 primary places); mainstream school M 0.1 degrees
    /// of longitude east hosts a new ASD primary base, with its own capex (50,000 a place) and
    /// place cost (20,000). Two plan years, r = 25% (so 1 / (1 + r) = 0.8), lead time 1,
    /// modular with a set-up cost of 10,000 and bases of 4..20, asset life 3 years.
    fn tiny() -> (Scenario, TravelMatrix, Demand, Plan) {
        let mut m = school("M", SchoolKind::Mainstream, -2.90);
        m.capex_per_place = Some(50_000.0);
        m.place_cost = Some(20_000.0);
        let s = Scenario {
            name: "check".into(),
            base_year: 2025,
            horizon: 2,
            discount_rate: 0.25,
            capital_budget: vec![1_000_000.0; 2],
            costs: CostParams {
                transport_fixed: 1_000.0,
                transport_per_km: 100.0,
                base_fixed_cost: 10_000.0,
                ..CostParams::default()
            },
            journey: JourneyLimits::default(),
            travel: TravelSettings::default(),
            bases: BaseRules {
                min_size: 4,
                ..BaseRules::default()
            },
            expansion: Default::default(),
            new_school: Default::default(),
            outlines: Default::default(),
            capital: CapitalSettings {
                residual_value: true,
                asset_life: 3,
            },
            forecast: ForecastSettings::default(),
            solver: SolverSettings {
                stability: false,
                // Worked by hand with every place usable.
                occupancy_target: 1.0,
                ..SolverSettings::default()
            },
            levers: vec![],
            localities: vec![Locality {
                id: "L".into(),
                name: "L".into(),
                lat: 53.40,
                lon: -3.00,
            }],
            schools: vec![school("S", SchoolKind::Special, -3.00), m],
            provisions: vec![ExistingProvision {
                school: 0,
                needs: NeedSet::all(),
                phase: Phase::Primary,
                places: 6,
                other_la_pupils: 0,
            }],
            population: vec![],
            history: vec![],
            roads: vec![],
            placed_elsewhere: vec![],
        };
        let travel = TravelMatrix::build(&s);
        let demand = Demand {
            years: vec![2026, 2027],
            groups: vec![DemandGroup {
                locality: 0,
                need: Need::Asd,
                phase: Phase::Primary,
            }],
            pupils: vec![vec![10]; 2],
        };
        let at = |year, provision, pupils| Placement {
            year,
            group: 0,
            provision,
            pupils,
        };
        let plan = Plan {
            years: demand.years.clone(),
            candidates: vec![Candidate {
                school: 1,
                need: Need::Asd,
                phase: Phase::Primary,
                kind: crate::plan::BuildKind::ResourcedBase,
            }],
            builds: vec![Build {
                candidate: 0,
                funded: 0,
                places: 4.0,
            }],
            placements: vec![
                at(0, ProvisionRef::Existing(0), 6.0),
                at(0, ProvisionRef::OutOfArea, 4.0),
                at(1, ProvisionRef::Existing(0), 6.0),
                at(1, ProvisionRef::NewBase(0), 4.0),
            ],
            moves: vec![],
            objective: 0.0,
            bound: None,
            status: SolveStatus::Heuristic,
            method: "by hand".into(),
        };
        (s, travel, demand, plan)
    }

    /// Worked by hand (km = road km from L to M, read from the travel matrix; S is at L, 0 km):
    /// - 2026: 6 at S x (25,000 + 1,000) = 156,000; 4 out of area x (64,000 + 9,800) = 295,200;
    ///   capital 4 x 50,000 = 200,000; set-up of the base 10,000: 661,200.
    /// - 2027: 6 at S 156,000; 4 at M x (20,000 + 1,000 + 100 km) = 84,000 + 400 km; the places
    ///   are first used in 2027 and serve 1 of their 3 years within the horizon, so the credit is
    ///   200,000 x a(2) / a(3) x 0.8 with a(2) = 1 + 0.8 = 1.8, a(3) = 1.8 + 0.64 = 2.44:
    ///   288,000 / 2.44 = 118,032.7869. Year total 121,967.2131 + 400 km.
    /// - NPV = 661,200 + 0.8 x (121,967.2131 + 400 km) = 758,773.7705 + 320 km.
    ///
    /// If finance (and with it the solver, which shares its unit costs) charged a special place
    /// at 24,000, both would agree on an NPV 6 x 1,000 x (1 + 0.8) = 10,800 lower; the check's
    /// own costing catches it.
    #[test]
    fn own_costing_catches_a_wrong_unit_cost_in_finance() {
        let (s, travel, demand, mut plan) = tiny();
        let km = travel.km(0, 1);
        assert!(km > 0.0 && travel.km(0, 0) == 0.0);
        let by_hand = 758_773.770_5 + 320.0 * km;
        let own = costs::recomputed_npv(&s, &travel, &demand, &plan);
        assert!((own - by_hand).abs() < 1e-3, "{own} vs {by_hand}");
        let finance = cost_plan(&s, &travel, &demand, &plan);
        assert!((finance.npv - by_hand).abs() < 1e-3, "{}", finance.npv);

        plan.objective = by_hand;
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{:?}", r.violations);

        // A special place costed at 24,000 in finance, and so in the objective.
        let mut wrong = finance.clone();
        for y in &mut wrong.years {
            y.lines[crate::finance::CostLine::Special.index()] -= 6_000.0;
            y.total -= 6_000.0;
            y.discounted = y.total * y.discount_factor;
        }
        wrong.total -= 12_000.0;
        wrong.npv = wrong.years.iter().map(|y| y.discounted).sum();
        assert!((finance.npv - wrong.npv - 10_800.0).abs() < 1e-6);
        let mut r = CheckReport::default();
        cost_identity(&mut r, own, &wrong, wrong.npv);
        assert_eq!(r.violations.len(), 2, "{:?}", r.violations);
        assert!(r.violations[0].contains("costing's net present value"));
        assert!(r.violations[1].contains("reported objective"));

        // And a plan whose objective is off fails the whole check.
        plan.objective = by_hand - 10_800.0;
        assert!(!check(&s, &travel, &demand, &plan).passed());
    }

    /// The post-16 rule: a special school's post-16 or post-19 place costs the larger of the
    /// post-16 and special place costs; a school's own place cost wins over both.
    #[test]
    fn special_post16_places_cost_the_larger_rate() {
        let (mut s, ..) = tiny();
        s.costs.post16_place = 30_000.0;
        let sp = s.schools[0].clone();
        assert_eq!(costs::place_at(&s, &sp, Phase::Post16), 30_000.0);
        assert_eq!(costs::place_at(&s, &sp, Phase::Post19), 30_000.0);
        assert_eq!(costs::place_at(&s, &sp, Phase::Primary), 25_000.0);
        s.costs.post16_place = 20_000.0;
        assert_eq!(costs::place_at(&s, &sp, Phase::Post16), 25_000.0);
        let mut own = sp;
        own.place_cost = Some(40_000.0);
        assert_eq!(costs::place_at(&s, &own, Phase::Post16), 40_000.0);
    }

    /// The occupancy target, worked by hand on the tiny plan (6 pupils at S's 6 places both
    /// years, 4 at M's 4 new places in 2027). At 95%, S may hold floor(0.95 x 6) = 5 of the
    /// authority's pupils and M 0.95 x 4 = 3.8, so all three uses are over. With 12 pupils
    /// already in special schools in the base year (10 still in primary in 2026, 8 in 2027),
    /// S keeps its pupils already placed up to its 6 places and only M is over. One of S's
    /// places taken by another authority's pupil leaves 5 to the authority, whatever the history.
    #[test]
    fn plans_over_the_occupancy_target_fail() {
        let (mut s, travel, demand, plan) = tiny();
        let over = |s: &Scenario| {
            check(s, &travel, &demand, &plan)
                .violations
                .into_iter()
                .filter(|v| v.contains("occupancy target"))
                .collect::<Vec<_>>()
        };
        assert_eq!(over(&s), Vec::<String>::new());
        s.solver.occupancy_target = 0.95;
        let v = over(&s);
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v
            .iter()
            .any(|v| v.starts_with("2026: 6 pupils in 5 existing places at S")));
        assert!(v
            .iter()
            .any(|v| v.starts_with("2027: 6 pupils in 5 existing places at S")));
        assert!(v
            .iter()
            .any(|v| v.starts_with("2027: 4 pupils in 3.8 new places at M")));
        s.history = vec![HistoryCell {
            year: 2025,
            locality: 0,
            age: 8,
            need: Need::Asd,
            provision: ProvisionKind::Special,
            count: 12.0,
        }];
        let v = over(&s);
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].starts_with("2027: 4 pupils in 3.8 new places at M"));
        s.provisions[0].other_la_pupils = 1;
        let v = over(&s);
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v
            .iter()
            .any(|v| v.starts_with("2026: 6 pupils in 5 existing places at S")));
    }

    /// With stability, pupils already placed stay where they are however far it is: the tiny
    /// case with a journey limit of 1 minute (S, beside L, is further by the fixed minutes). 12
    /// pupils from L were in special schools in the base year, 2 in each year of primary, so 10
    /// are still in phase in 2026 and 8 in 2027: 6 at S beyond the limit is allowed. With 6 in
    /// the base year (5 and 4 still in phase) it is not.
    #[test]
    fn pupils_already_placed_may_stay_beyond_the_journey_limit() {
        let (mut s, travel, demand, plan) = tiny();
        s.solver.stability = true;
        s.journey.primary = 1.0;
        let far = |s: &Scenario| {
            check(s, &travel, &demand, &plan)
                .violations
                .into_iter()
                .filter(|v| v.contains("beyond the journey limit") || v.contains(" to S,"))
                .collect::<Vec<_>>()
        };
        let history = |count| HistoryCell {
            year: 2025,
            locality: 0,
            age: 8,
            need: Need::Asd,
            provision: ProvisionKind::Special,
            count,
        };
        s.history = vec![history(12.0)];
        assert_eq!(far(&s), Vec::<String>::new());
        s.history = vec![history(6.0)];
        let v = far(&s);
        assert_eq!(v.len(), 2, "{v:?}");
        assert!(v[0].contains("2026: 6 ASD primary pupils from L") && v[0].contains("only 5"));
        assert!(v[1].contains("2027") && v[1].contains("only 4"));
        s.solver.stability = false;
        assert_eq!(far(&s).len(), 2);
    }
}
