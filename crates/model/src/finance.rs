//! Costs of a plan by year and line, discounted at the scenario's rate (HM Treasury Green Book
//! default 3.5%). Year index 0 (the first plan year) is undiscounted.
//!
//! Unit costs per pupil per year: the provision's place cost (resourced base, special,
//! independent, post-16, or independent for out-of-area) plus home-to-school transport
//! (fixed + per km of one-way road distance; a flat amount for out-of-area). Capital is spent in
//! the year places are funded. These same unit costs are the allocation model's objective
//! coefficients, so the plan's objective must equal the discounted total here. In modular runs a
//! base's one-off set-up cost is charged in the year it is first funded.

use serde::Serialize;

use crate::domain::{Scenario, SchoolKind};
use crate::forecast::{Demand, DemandGroup};
use crate::plan::{BuildKind, Plan, ProvisionRef};
use crate::travel::TravelMatrix;

/// Cost lines reported to finance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostLine {
    /// Existing resourced bases and SEN units.
    ResourcedBase,
    /// Places in new provision of every kind (bases, expansions, new schools).
    NewBase,
    /// State special schools.
    Special,
    /// Independent special schools in the area with commissioned places.
    IndependentLocal,
    /// Specialist post-16 / post-19 providers.
    Post16,
    /// Independent / out-of-area placements beyond local capacity.
    OutOfArea,
    /// Pupils already placed in other authorities' schools (`placed_elsewhere.csv`).
    OtherAuthority,
    /// Home-to-school transport.
    Transport,
    /// Capital for new places.
    Capital,
    /// One-off set-up of each new base or school (modular runs only).
    BaseSetup,
    /// One-off cost of pupils brought back mid-phase (`[costs] move_cost`), in the year of the
    /// move.
    Moves,
    /// Value of new places beyond the horizon, credited in the last plan year (negative).
    ResidualValue,
}

impl CostLine {
    pub const ALL: [CostLine; 12] = [
        CostLine::ResourcedBase,
        CostLine::NewBase,
        CostLine::Special,
        CostLine::IndependentLocal,
        CostLine::Post16,
        CostLine::OutOfArea,
        CostLine::OtherAuthority,
        CostLine::Transport,
        CostLine::Capital,
        CostLine::BaseSetup,
        CostLine::Moves,
        CostLine::ResidualValue,
    ];
    pub fn code(self) -> &'static str {
        match self {
            CostLine::ResourcedBase => "resourced_base",
            CostLine::NewBase => "new_base",
            CostLine::Special => "special",
            CostLine::IndependentLocal => "independent_local",
            CostLine::Post16 => "post16",
            CostLine::OutOfArea => "out_of_area",
            CostLine::OtherAuthority => "other_authority",
            CostLine::Transport => "transport",
            CostLine::Capital => "capital",
            CostLine::BaseSetup => "base_setup",
            CostLine::Moves => "moves",
            CostLine::ResidualValue => "residual_value",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// One-off cost of opening a unit of new provision of `kind` (a resourced base's
/// `base_fixed_cost`, a new special school's `lump_sum`): charged in modular runs only, where
/// the model decides openings; a continuous (LP) run has no notion of an opening.
pub fn setup_cost(s: &Scenario, kind: BuildKind) -> f64 {
    s.build_rules(kind).setup_cost
}

/// Discount factor of plan-year index `t`: 1 / (1 + r)^t.
pub fn discount(s: &Scenario, t: usize) -> f64 {
    (1.0 + s.discount_rate).powi(-(t as i32))
}

/// Annuity factor: the present value of 1 a year for `years` years, the first undiscounted.
fn annuity(rate: f64, years: u32) -> f64 {
    if rate == 0.0 {
        return years as f64;
    }
    (1.0 - (1.0 + rate).powi(-(years as i32))) / (1.0 - 1.0 / (1.0 + rate))
}

/// Value beyond the horizon of one pound of capital in a new place first used in plan-year index
/// `first_use` of an `n_years` horizon, in the money of the last plan year: the share of the
/// place's service (over `capital.asset_life` years, on an annuity basis at the discount rate)
/// left after the horizon, discounted one year back to the last plan year. Zero when
/// `capital.residual_value` is off or the life ends within the horizon. Worked example in
/// docs/model.md.
pub fn residual_share(s: &Scenario, first_use: usize, n_years: usize) -> f64 {
    if !s.capital.residual_value || first_use >= n_years {
        return 0.0;
    }
    let life = s.capital.asset_life;
    let used = (n_years - first_use) as u32;
    if used >= life {
        return 0.0;
    }
    let r = s.discount_rate;
    annuity(r, life - used) / annuity(r, life) / (1.0 + r)
}

/// Net present cost, per pound, of capital spent in plan-year index `funded` on places first
/// used `lead` years later: the pound discounted to the first plan year, less its residual
/// value ([`residual_share`]) discounted from the last plan year.
pub fn capital_weight(s: &Scenario, funded: usize, lead: usize, n_years: usize) -> f64 {
    let first_use = funded + lead;
    discount(s, funded)
        - discount(s, n_years.saturating_sub(1)) * residual_share(s, first_use, n_years)
}

/// Revenue line, revenue per pupil per year and transport per pupil per year of placing a pupil
/// of `group` at `provision`.
pub fn unit_cost(
    s: &Scenario,
    travel: &TravelMatrix,
    plan_candidates: &[crate::plan::Candidate],
    group: &DemandGroup,
    provision: ProvisionRef,
) -> (CostLine, f64, f64) {
    let transport_to = |school: usize| {
        s.costs.transport_fixed + s.costs.transport_per_km * travel.km(group.locality, school)
    };
    match provision {
        ProvisionRef::OutOfArea => (
            CostLine::OutOfArea,
            s.costs.independent_place,
            s.costs.out_of_area_transport,
        ),
        ProvisionRef::Elsewhere(_) => {
            let (_, place, transport) = s
                .placed_elsewhere_of(group.locality, group.need, group.phase)
                .unwrap_or((0, s.costs.special_place, s.costs.out_of_area_transport));
            (CostLine::OtherAuthority, place, transport)
        }
        ProvisionRef::NewBase(c) => {
            let cand = &plan_candidates[c];
            let revenue = s.candidate_place_cost(cand);
            (CostLine::NewBase, revenue, transport_to(cand.school))
        }
        ProvisionRef::Existing(k) => {
            let p = &s.provisions[k];
            let school = &s.schools[p.school];
            let line = match school.kind {
                SchoolKind::Mainstream => CostLine::ResourcedBase,
                SchoolKind::Special | SchoolKind::Site => CostLine::Special,
                SchoolKind::Independent => CostLine::IndependentLocal,
                SchoolKind::Post16 => CostLine::Post16,
            };
            (line, s.place_cost(school, p.phase), transport_to(p.school))
        }
    }
}

/// Costs of one plan year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearCosts {
    pub year: i32,
    /// Indexed by [`CostLine::index`].
    pub lines: [f64; CostLine::ALL.len()],
    pub total: f64,
    pub discount_factor: f64,
    pub discounted: f64,
}

/// A plan's costs over the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Costing {
    pub years: Vec<YearCosts>,
    /// Undiscounted sum over the horizon.
    pub total: f64,
    /// Net present value of the costs (sum of discounted totals).
    pub npv: f64,
}

impl Costing {
    pub fn line_total(&self, line: CostLine) -> f64 {
        self.years.iter().map(|y| y.lines[line.index()]).sum()
    }
}

/// Costs a plan line by line.
pub fn cost_plan(s: &Scenario, travel: &TravelMatrix, demand: &Demand, plan: &Plan) -> Costing {
    let mut years: Vec<YearCosts> = plan
        .years
        .iter()
        .enumerate()
        .map(|(t, &year)| YearCosts {
            year,
            lines: [0.0; CostLine::ALL.len()],
            total: 0.0,
            discount_factor: discount(s, t),
            discounted: 0.0,
        })
        .collect();
    for p in &plan.placements {
        let g = &demand.groups[p.group];
        let (line, revenue, transport) = unit_cost(s, travel, &plan.candidates, g, p.provision);
        let y = &mut years[p.year];
        y.lines[line.index()] += revenue * p.pupils;
        y.lines[CostLine::Transport.index()] += transport * p.pupils;
    }
    let n_years = years.len();
    for b in &plan.builds {
        let capital = s.candidate_capex(&plan.candidates[b.candidate]) * b.places;
        years[b.funded].lines[CostLine::Capital.index()] += capital;
        let residual = residual_share(s, plan.first_use(s, b), n_years);
        if residual > 0.0 {
            years[n_years - 1].lines[CostLine::ResidualValue.index()] -= capital * residual;
        }
    }
    for (unit, funded) in plan.openings() {
        years[funded].lines[CostLine::BaseSetup.index()] +=
            setup_cost(s, plan.candidates[unit].kind);
    }
    for m in &plan.moves {
        years[m.year].lines[CostLine::Moves.index()] += s.costs.move_cost * m.pupils;
    }
    for y in &mut years {
        y.total = y.lines.iter().sum();
        y.discounted = y.total * y.discount_factor;
    }
    Costing {
        total: years.iter().map(|y| y.total).sum(),
        npv: years.iter().map(|y| y.discounted).sum(),
        years,
    }
}

/// The first plan year by whose end the plan's cumulative undiscounted cost, capital included,
/// is no more than doing nothing's: the year the capital has paid for itself. `None` when that
/// does not happen within the horizon, or when no capital is spent.
pub fn payback_year(plan: &Costing, do_nothing: &Costing) -> Option<i32> {
    let capital: f64 = plan.line_total(CostLine::Capital) + plan.line_total(CostLine::BaseSetup);
    if capital <= 0.0 {
        return None;
    }
    let mut cumulative = 0.0;
    let mut spent = 0.0;
    for (p, d) in plan.years.iter().zip(&do_nothing.years) {
        cumulative += d.total - p.total;
        spent += p.lines[CostLine::Capital.index()] + p.lines[CostLine::BaseSetup.index()];
        if spent > 0.0 && cumulative >= 0.0 {
            return Some(p.year);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        use crate::domain::*;
        Scenario {
            name: "t".into(),
            base_year: 2025,
            horizon: 5,
            discount_rate: 0.035,
            capital_budget: vec![0.0; 5],
            costs: CostParams::default(),
            journey: JourneyLimits::default(),
            travel: TravelSettings::default(),
            bases: BaseRules::default(),
            expansion: Default::default(),
            new_school: Default::default(),
            outlines: Default::default(),
            capital: CapitalSettings::default(),
            forecast: ForecastSettings::default(),
            solver: SolverSettings::default(),
            levers: vec![],
            localities: vec![],
            schools: vec![],
            provisions: vec![],
            population: vec![],
            history: vec![],
            roads: vec![],
            placed_elsewhere: vec![],
        }
    }

    #[test]
    fn value_beyond_the_horizon_hand_worked() {
        // docs/model.md "Value beyond the horizon": 63,000 a place, r = 3.5%, life 40, T = 5,
        // lead time 1. Worked by hand: a(40) = 22.102500, a(36) = 21.000661, a(39) = 21.841087.
        let s = scenario();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(close(
            residual_share(&s, 1, 5),
            21.000_661 / 22.102_500 / 1.035
        ));
        assert!((63_000.0 * residual_share(&s, 1, 5) - 57_835.14).abs() < 0.01);
        assert!((63_000.0 * capital_weight(&s, 0, 1, 5) - 12_600.02).abs() < 0.01);
        assert!((63_000.0 * residual_share(&s, 4, 5) - 60_149.64).abs() < 0.01);
        assert!((63_000.0 * capital_weight(&s, 3, 1, 5) - 4_405.45).abs() < 0.01);
        // A life that ends within the horizon leaves nothing; switched off, nothing either.
        let mut short = scenario();
        short.capital.asset_life = 3;
        assert_eq!(residual_share(&short, 1, 5), 0.0);
        let mut off = scenario();
        off.capital.residual_value = false;
        assert_eq!(capital_weight(&off, 2, 1, 5), discount(&off, 2));
        // Without discounting the share is straight-line: 36 of 40 years left.
        let mut flat = scenario();
        flat.discount_rate = 0.0;
        assert!(close(residual_share(&flat, 1, 5), 36.0 / 40.0));
    }

    fn costing(totals: &[(f64, f64)]) -> Costing {
        let years: Vec<YearCosts> = totals
            .iter()
            .enumerate()
            .map(|(t, &(running, capital))| {
                let mut lines = [0.0; CostLine::ALL.len()];
                lines[CostLine::OutOfArea.index()] = running;
                lines[CostLine::Capital.index()] = capital;
                YearCosts {
                    year: 2026 + t as i32,
                    lines,
                    total: running + capital,
                    discount_factor: 1.0,
                    discounted: running + capital,
                }
            })
            .collect();
        Costing {
            total: years.iter().map(|y| y.total).sum(),
            npv: years.iter().map(|y| y.discounted).sum(),
            years,
        }
    }

    /// Doing nothing costs 100 a year. The plan spends 60 of capital in year one and saves 25 a
    /// year of running cost from year two: cumulative savings -60, -35, -10, +15: pays back in
    /// the fourth year (2029).
    #[test]
    fn payback_is_the_year_cumulative_savings_cover_the_capital() {
        let dn = costing(&[(100.0, 0.0); 5]);
        let plan = costing(&[
            (100.0, 60.0),
            (75.0, 0.0),
            (75.0, 0.0),
            (75.0, 0.0),
            (75.0, 0.0),
        ]);
        assert_eq!(payback_year(&plan, &dn), Some(2029));
        let slow = costing(&[
            (100.0, 60.0),
            (95.0, 0.0),
            (95.0, 0.0),
            (95.0, 0.0),
            (95.0, 0.0),
        ]);
        assert_eq!(payback_year(&slow, &dn), None);
        assert_eq!(payback_year(&dn, &dn), None);
    }
}
