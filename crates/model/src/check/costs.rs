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
//! - capital: the school's own `capex_per_place` or the scenario's, times the places, in the
//!   funding year; in modular runs `base_fixed_cost` once per base, in the year it is first
//!   funded;
//! - value beyond the horizon: the share of each new place's service life (first use = funding
//!   year + lead time) left after the horizon, on an annuity basis at the discount rate,
//!   discounted one year back to the last plan year, credited there;
//! - year t is discounted by 1 / (1 + r)^t.

use std::collections::BTreeMap;

use crate::forecast::Demand;
use crate::plan::{Plan, ProvisionRef};
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
        SchoolKind::Special => {
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

/// Capital per new place at `school`.
pub(super) fn capex_at(s: &Scenario, school: &School) -> f64 {
    school.capex_per_place.unwrap_or(s.costs.capex_per_place)
}

/// One-off cost of opening a base: modular runs only.
pub(super) fn base_setup(s: &Scenario) -> f64 {
    if s.bases.modular {
        s.costs.base_fixed_cost
    } else {
        0.0
    }
}

/// Each base that receives places, with the plan-year index it is first funded in.
pub(super) fn first_fundings(plan: &Plan) -> BTreeMap<usize, usize> {
    let mut first: BTreeMap<usize, usize> = BTreeMap::new();
    for b in plan.builds.iter().filter(|b| b.places > 0.0) {
        let e = first.entry(b.candidate).or_insert(b.funded);
        *e = (*e).min(b.funded);
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
    for p in &plan.placements {
        let locality = demand.groups[p.group].locality;
        let by_road =
            |school: usize| c.transport_fixed + c.transport_per_km * travel.km(locality, school);
        let per_pupil = match p.provision {
            ProvisionRef::OutOfArea => c.independent_place + c.out_of_area_transport,
            ProvisionRef::Existing(k) => {
                let e = &s.provisions[k];
                place_at(s, &s.schools[e.school], e.phase) + by_road(e.school)
            }
            ProvisionRef::NewBase(cand) => {
                let school = plan.candidates[cand].school;
                s.schools[school]
                    .place_cost
                    .unwrap_or(c.resourced_base_place)
                    + by_road(school)
            }
        };
        year[p.year] += per_pupil * p.pupils;
    }
    let lead = s.bases.lead_time as usize;
    let life = s.capital.asset_life;
    let full_life = annuity_sum(v, life);
    for b in &plan.builds {
        let capital = capex_at(s, &s.schools[plan.candidates[b.candidate].school]) * b.places;
        year[b.funded] += capital;
        let first_use = b.funded + lead;
        if s.capital.residual_value && first_use < n_years && full_life > 0.0 {
            let served = (n_years - first_use) as u64;
            if served < u64::from(life) {
                let left = annuity_sum(v, life - served as u32) / full_life;
                year[n_years - 1] -= capital * left * v;
            }
        }
    }
    for funded in first_fundings(plan).into_values() {
        year[funded] += base_setup(s);
    }
    year.iter().zip(&factor).map(|(y, f)| y * f).sum()
}
