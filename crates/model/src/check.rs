//! Independent re-verification of any plan. Uses no solver or formulation code: it reads the
//! plan as data and re-checks every rule from the scenario itself.
//!
//! Checked: every group's pupils placed exactly once each year (1); capacity of existing and new
//! provision each year (2); site limits (3); base sizes (4); capital budget per year (5); phase
//! and need fit; journey limits; stability (6) when asked for; out-of-area only when allowed; new places only where a base may
//! go; and that the plan's reported objective equals its costed net present value.

use std::collections::BTreeMap;

use crate::cohort::{moved_mid_phase, staying_cohorts, STOCK_KINDS};
use crate::finance::{cost_plan, setup_cost, Costing};
use crate::forecast::Demand;
use crate::plan::{Plan, ProvisionRef};
use crate::travel::TravelMatrix;
use crate::{ProvisionKind, Scenario, SchoolGender, SchoolKind};

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
    let lead = s.bases.lead_time as usize;

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
    for p in &plan.placements {
        let bad_ref = match p.provision {
            ProvisionRef::Existing(k) => k >= s.provisions.len(),
            ProvisionRef::NewBase(c) => c >= plan.candidates.len(),
            ProvisionRef::OutOfArea => false,
        };
        if p.year >= n_years || p.group >= demand.groups.len() || bad_ref {
            r.fail(format!(
                "placement refers to a year, group or provision that does not exist: {p:?}"
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

    // Candidates are real base sites.
    for c in &plan.candidates {
        let sc = &s.schools[c.school];
        // The statutory age range, read again: the high age is the age pupils leave at.
        let outside_ages = sc.ages.is_some_and(|(lo, hi)| {
            let band = c.phase.age_group().ages();
            *band.start() >= hi || *band.end() < lo
        });
        if sc.kind != SchoolKind::Mainstream || !sc.can_host_base {
            r.fail(format!("school {} may not host a new base", sc.id));
        } else if sc.gender != SchoolGender::Mixed && !s.bases.allow_single_sex {
            r.fail(format!(
                "school {} is a {} school and [bases] allow_single_sex is off",
                sc.id, sc.gender
            ));
        } else if sc.selective && !s.bases.allow_selective {
            r.fail(format!(
                "school {} is selective and [bases] allow_selective is off",
                sc.id
            ));
        } else if outside_ages {
            r.fail(format!(
                "a {} base at school {} is outside its statutory age range",
                c.phase, sc.id
            ));
        } else if !sc.phases.contains(c.phase) || !s.bases.phases.contains(&c.phase) {
            r.fail(format!(
                "a {} base at school {} is not allowed",
                c.phase, sc.id
            ));
        } else if !s.bases.needs.contains(&c.need) {
            r.fail(format!(
                "a {} base at school {} is not an allowed need",
                c.need, sc.id
            ));
        } else {
            r.ok();
        }
    }

    // (1) every pupil placed once; fit and journey of each placement.
    let mut placed = vec![vec![0.0f64; demand.groups.len()]; n_years];
    let mut used: BTreeMap<(usize, ProvisionRef), f64> = BTreeMap::new();
    let mut by_arc: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
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
        } else {
            r.fail(format!(
                "{year}: pupils from {} travel {minutes:.1} minutes to {}, over the {} limit of {limit} minutes",
                s.localities[g.locality].id, s.schools[school].id, g.phase
            ));
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

    // (2) capacity each year.
    for (&(t, prov), &n) in &used {
        let (cap, what) = match prov {
            ProvisionRef::Existing(k) => (
                s.provisions[k].places as f64,
                format!(
                    "existing places at {}",
                    s.schools[s.provisions[k].school].id
                ),
            ),
            ProvisionRef::NewBase(c) => (
                plan.places_available(s, c, t),
                format!("new base at {}", s.schools[plan.candidates[c].school].id),
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
    let mut per_base: BTreeMap<usize, f64> = BTreeMap::new();
    let mut spend = vec![0.0f64; n_years];
    for b in &plan.builds {
        if !(b.places.is_finite() && b.places >= -TOL) {
            r.fail(format!("a build of {} places is not a count", b.places));
            continue;
        }
        if b.funded + lead >= n_years {
            r.fail(format!(
                "{} places funded in {} cannot open within the horizon",
                b.places, demand.years[b.funded]
            ));
        }
        let c = &plan.candidates[b.candidate];
        *per_school.entry(c.school).or_default() += b.places;
        *per_base.entry(b.candidate).or_default() += b.places;
        spend[b.funded] += s.capex_per_place(&s.schools[c.school]) * b.places;
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
    for (c, n) in per_base {
        let max = s.bases.max_size as f64;
        let min = s.bases.min_size as f64;
        let school = &s.schools[plan.candidates[c].school].id;
        if n > max + TOL {
            r.fail(format!(
                "base at {school} has {n} places, over the maximum size {max}"
            ));
        } else if s.bases.modular && n > TOL && n < min - TOL {
            r.fail(format!(
                "base at {school} has {n} places, under the minimum size {min}"
            ));
        } else {
            r.ok();
        }
    }
    for (_, funded) in plan.openings() {
        spend[funded] += setup_cost(s);
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
        let moved = moved_mid_phase(s, demand, plan);
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
        check_stock(s, demand, plan, &mut r);
    }

    // Cost identity: the objective is the plan's discounted cost.
    let costing = cost_plan(s, travel, demand, plan);
    let line_sum: f64 = costing
        .years
        .iter()
        .map(|y| y.lines.iter().sum::<f64>())
        .sum();
    if (line_sum - costing.total).abs() > MONEY_TOL * costing.total.abs().max(1.0) {
        r.fail(format!(
            "cost lines add to £{line_sum:.2} but the total is £{:.2}",
            costing.total
        ));
    }
    if (costing.npv - plan.objective).abs() > MONEY_TOL * costing.npv.abs().max(1.0) {
        r.fail(format!(
            "reported objective £{:.2} differs from the costed net present value £{:.2}",
            plan.objective, costing.npv
        ));
    } else {
        r.ok();
    }
    r.costing = Some(costing);
    r
}

/// Pupils already placed in the base year are, in the first plan year, in provision of the kind
/// they were in (or out of area, beyond the authority's own provision): for each kind, and for
/// all of them together, the stock present cannot exceed what the plan places there.
fn check_stock(s: &Scenario, demand: &Demand, plan: &Plan, r: &mut CheckReport) {
    let n_groups = demand.groups.len();
    let mut stock = vec![[0.0f64; 3]; n_groups];
    for c in staying_cohorts(s, demand) {
        if let Some(k) = c
            .placed
            .and_then(|k| STOCK_KINDS.iter().position(|x| *x == k))
        {
            if c.first == 0 && c.group < n_groups {
                stock[c.group][k] += c.pupils as f64;
            }
        }
    }
    let mut at_kind = vec![[0.0f64; 3]; n_groups];
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
            ProvisionRef::NewBase(_) => {}
        }
    }
    for g in 0..n_groups {
        let mut all_stock = 0.0;
        let mut all_room = out_of_area[g];
        for (i, kind) in STOCK_KINDS.iter().enumerate() {
            all_stock += stock[g][i];
            all_room += at_kind[g][i];
            if stock[g][i] > at_kind[g][i] + out_of_area[g] + TOL {
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
