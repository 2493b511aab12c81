//! The check's own costing: the net present value of a plan worked out again from the scenario's
//! figures, with none of the functions the objective is built from (`finance::unit_cost`,
//! `capital_weight`, `residual_share`, `discount`, `setup_cost`, `Scenario::place_cost` and
//! `capex_per_place`). When the solver's objective and the finance costing share a mistake they
//! agree with each other; this third computation does not share it.
//!
//! The rules, as docs/model.md section 3 states them:
//! - a pupil's place for a year costs the school's own `place_cost` when it has one, otherwise by
//!   its kind: mainstream (existing or new base) `resourced_base_place`, special `special_place`
//!   (post-16 and post-19 pupils in a special school: the larger of `post16_place` and
//!   `special_place`), independent `independent_place`, specialist post-16 `post16_place`;
//!   out of area `independent_place`;
//! - transport: `transport_fixed` + `transport_per_km` x road km from the travel matrix, or
//!   `out_of_area_transport` out of area;
//!   a new place costs what its host would charge: a new resourced base `resourced_base_place`,
//!   an expansion, post-16 or new special school place as a special school's place;
//! - capital: the host's own `capex_per_place`, else `[costs] capex_per_place` for a resourced
//!   base, `[expansion] capex_per_place` for an expansion or post-16 class, `[new_school]
//!   capex_per_place` for a new special school, times the places, in the funding year; in
//!   modular runs `base_fixed_cost` once per resourced base and `[new_school] lump_sum` once per
//!   new school, in the year each is first funded;
//! - value beyond the horizon: the share of each new place's service life (first use = funding
//!   year + the lead time of its kind) left after the horizon, on an annuity basis at the discount rate,
//!   discounted one year back to the last plan year, credited there;
//! - a pupil brought back mid-phase costs `move_cost` once, in the year of the move;
//! - year t is discounted by 1 / (1 + r)^t.

use std::collections::BTreeMap;

use crate::forecast::Demand;
use crate::plan::{BuildKind, Candidate, Plan, ProvisionRef};
use crate::travel::TravelMatrix;
use crate::{Phase, Scenario, School, SchoolKind};

/// Terms summed for an annuity (asset lives are at most a few hundred years; this only bounds
/// the work for a scenario built in code with an absurd life).
const MAX_TERMS: u32 = 100_000;

/// Revenue per pupil per year of a place at an existing school.
pub(super) fn place_at(s: &Scenario, school: &School, phase: Phase) -> f64 {
    let c = &s.costs;
    school.place_cost.unwrap_or(match school.kind {
        SchoolKind::Mainstream => c.resourced_base_place,
        SchoolKind::Special | SchoolKind::Site => {
            if phase == Phase::Post16 || phase == Phase::Post19 {
                f64::max(c.post16_place, c.special_place)
            } else {
                c.special_place
            }
        }
        SchoolKind::Independent => c.independent_place,
        SchoolKind::Post16 => c.post16_place,
    })
}

/// Capital per new place of a candidate.
pub(super) fn capex_at(s: &Scenario, cand: &Candidate) -> f64 {
    let own = s.schools[cand.school].capex_per_place;
    own.unwrap_or(match cand.kind {
        BuildKind::ResourcedBase => s.costs.capex_per_place,
        BuildKind::SpecialExpansion | BuildKind::Post16 => s.expansion.capex_per_place,
        BuildKind::NewSpecialSchool => s.new_school.capex_per_place,
    })
}

/// Revenue per pupil per year in a new place of a candidate.
pub(super) fn new_place_at(s: &Scenario, cand: &Candidate) -> f64 {
    let school = &s.schools[cand.school];
    if cand.kind == BuildKind::ResourcedBase {
        school.place_cost.unwrap_or(s.costs.resourced_base_place)
    } else {
        place_at(s, school, cand.phase)
    }
}

/// Years from funding to first use of a candidate's places.
pub(super) fn lead_of(s: &Scenario, cand: &Candidate) -> usize {
    (match cand.kind {
        BuildKind::ResourcedBase => s.bases.lead_time,
        BuildKind::SpecialExpansion | BuildKind::Post16 => s.expansion.lead_time,
        BuildKind::NewSpecialSchool => s.new_school.lead_time,
    }) as usize
}

/// One-off cost of opening a unit of `kind`: modular runs only.
pub(super) fn unit_setup(s: &Scenario, kind: BuildKind) -> f64 {
    match kind {
        _ if !s.bases.modular => 0.0,
        BuildKind::ResourcedBase => s.costs.base_fixed_cost,
        BuildKind::NewSpecialSchool => s.new_school.lump_sum,
        BuildKind::SpecialExpansion | BuildKind::Post16 => 0.0,
    }
}

/// What a size range and an opening apply to: a new special school is one unit per site over
/// all its needs and phases; every other candidate is one unit.
pub(super) fn unit_key(plan: &Plan, c: usize) -> (usize, usize) {
    let cand = &plan.candidates[c];
    if cand.kind == BuildKind::NewSpecialSchool {
        (cand.school, usize::MAX)
    } else {
        (cand.school, c)
    }
}

/// Each unit that receives places (by [`unit_key`]), with its kind and the plan-year index it
/// is first funded in.
pub(super) fn first_fundings(plan: &Plan) -> BTreeMap<(usize, usize), (BuildKind, usize)> {
    let mut first: BTreeMap<(usize, usize), (BuildKind, usize)> = BTreeMap::new();
    for b in plan.builds.iter().filter(|b| b.places > 0.0) {
        let kind = plan.candidates[b.candidate].kind;
        let e = first
            .entry(unit_key(plan, b.candidate))
            .or_insert((kind, b.funded));
        e.1 = e.1.min(b.funded);
    }
    first
}

/// Present value of 1 a year for `n` years, the first undiscounted, summed term by term.
fn annuity_sum(v: f64, n: u32) -> f64 {
    let mut sum = 0.0;
    let mut term = 1.0;
    for _ in 0..n.min(MAX_TERMS) {
        sum += term;
        term *= v;
    }
    sum
}

/// The plan's net present value worked out from the scenario alone. References must already
/// have been checked to exist.
pub(super) fn recomputed_npv(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    plan: &Plan,
) -> f64 {
    let n_years = plan.years.len();
    if n_years == 0 {
        return 0.0;
    }
    let v = 1.0 / (1.0 + s.discount_rate);
    let mut factor = Vec::with_capacity(n_years);
    let mut f = 1.0;
    for _ in 0..n_years {
        factor.push(f);
        f *= v;
    }
    // Undiscounted cost of each year.
    let mut year = vec![0.0f64; n_years];
    let c = &s.costs;
    // Pupils in other authorities' schools, per (locality, need, phase): pupils, place and
    // transport pounds.
    let mut away: BTreeMap<_, (f64, f64, f64)> = BTreeMap::new();
    for e in &s.placed_elsewhere {
        let a = away.entry((e.locality, e.need, e.phase)).or_default();
        let n = e.pupils as f64;
        a.0 += n;
        a.1 += e.place_cost * n;
        a.2 += e.transport_cost * n;
    }
    for p in &plan.placements {
        let locality = demand.groups[p.group].locality;
        let by_road =
            |school: usize| c.transport_fixed + c.transport_per_km * travel.km(locality, school);
        let per_pupil = match p.provision {
            ProvisionRef::OutOfArea => c.independent_place + c.out_of_area_transport,
            ProvisionRef::Elsewhere(_) => {
                let g = &demand.groups[p.group];
                match away.get(&(g.locality, g.need, g.phase)) {
                    Some(&(n, place, transport)) if n > 0.0 => (place + transport) / n,
                    _ => f64::NAN,
                }
            }
            ProvisionRef::Existing(k) => {
                let e = &s.provisions[k];
                place_at(s, &s.schools[e.school], e.phase) + by_road(e.school)
            }
            ProvisionRef::NewBase(cand) => {
                let cand = &plan.candidates[cand];
                new_place_at(s, cand) + by_road(cand.school)
            }
        };
        year[p.year] += per_pupil * p.pupils;
    }
    let life = s.capital.asset_life;
    let full_life = annuity_sum(v, life);
    for b in &plan.builds {
        let cand = &plan.candidates[b.candidate];
        let capital = capex_at(s, cand) * b.places;
        year[b.funded] += capital;
        let first_use = b.funded + lead_of(s, cand);
        if s.capital.residual_value && first_use < n_years && full_life > 0.0 {
            let served = (n_years - first_use) as u64;
            if served < u64::from(life) {
                let left = annuity_sum(v, life - served as u32) / full_life;
                year[n_years - 1] -= capital * left * v;
            }
        }
    }
    for (kind, funded) in first_fundings(plan).into_values() {
        year[funded] += unit_setup(s, kind);
    }
    for m in &plan.moves {
        year[m.year] += c.move_cost * m.pupils;
    }
    year.iter().zip(&factor).map(|(y, f)| y * f).sum()
}
