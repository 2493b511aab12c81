//! Regression cases for the flow engine found in review: each failed before its fix.

use placeplan_model::check;
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::*;
use placeplan_solver::{solve, Backend, Options, SolveError};

fn school(site: u32, capex: Option<f64>) -> School {
    School {
        id: "M".into(),
        name: "M".into(),
        kind: SchoolKind::Mainstream,
        phases: PhaseSet::default().with(Phase::Primary),
        lat: 53.4,
        lon: -3.0,
        can_host_base: true,
        max_new_places: site,
        capex_per_place: capex,
        place_cost: None,
        ages: None,
        gender: placeplan_model::SchoolGender::Mixed,
        selective: false,
    }
}

/// One locality on one mainstream school that may host ASD and SEMH primary bases.
fn scenario(horizon: u32, budget: f64) -> Scenario {
    let mut bases = BaseRules {
        lead_time: 0,
        min_size: 4,
        max_size: 12,
        // The flow engine's model: fractional places, yearly placements.
        modular: false,
        ..BaseRules::default()
    };
    bases.needs = vec![Need::Asd, Need::Semh];
    bases.phases = vec![Phase::Primary];
    Scenario {
        name: "regression".into(),
        base_year: 2025,
        horizon,
        discount_rate: 0.035,
        capital_budget: vec![budget; horizon as usize],
        costs: CostParams::default(),
        journey: JourneyLimits::default(),
        travel: TravelSettings::default(),
        bases,
        expansion: Default::default(),
        new_school: Default::default(),
        outlines: Default::default(),
        capital: Default::default(),
        forecast: ForecastSettings::default(),
        solver: SolverSettings {
            stability: false,
            // Worked by hand with every place usable.
            occupancy_target: 1.0,
            ..SolverSettings::default()
        },
        localities: vec![Locality {
            id: "L".into(),
            name: "L".into(),
            lat: 53.4,
            lon: -3.0,
        }],
        schools: vec![],
        provisions: vec![],
        population: vec![],
        history: vec![],
        levers: vec![],
        roads: vec![],
        placed_elsewhere: vec![],
    }
}

fn demand(pupils: Vec<Vec<u32>>) -> Demand {
    let groups = [Need::Asd, Need::Semh]
        .into_iter()
        .map(|need| DemandGroup {
            locality: 0,
            need,
            phase: Phase::Primary,
        })
        .collect();
    Demand {
        years: (0..pupils.len() as i32).map(|t| 2026 + t).collect(),
        groups,
        pupils,
    }
}

type Answer = Result<plan::Plan, SolveError>;

fn both(s: &Scenario, d: &Demand) -> (Answer, Answer) {
    let travel = travel::TravelMatrix::build(s);
    let opt = Options::optimise();
    let f = solve(s, &travel, d, &opt, Backend::Flow);
    if let Ok(plan) = &f {
        let r = check(s, &travel, d, plan);
        assert!(r.passed(), "flow plan fails the check: {:?}", r.violations);
    }
    (f, solve(s, &travel, d, &opt, Backend::Microlp))
}

/// Free places (capex 0) at a school with a 10-place site: 10 ASD pupils in year 1 and 10 SEMH
/// pupils in year 2. Each year alone fits the site, but an ASD base of 10 and a SEMH base of 10
/// do not: the flow engine used to fund both (20 places at a 10-place site) because its cost
/// test cannot see a site limit when capital is free.
#[test]
fn free_places_do_not_break_a_site_limit() {
    let mut s = scenario(2, 1e7);
    s.schools.push(school(10, Some(0.0)));
    let d = demand(vec![vec![10, 0], vec![0, 10]]);
    let (f, l) = both(&s, &d);
    let (f, l) = (f.unwrap(), l.unwrap());
    assert!(
        (f.objective - l.objective).abs() <= 1e-6 * l.objective,
        "flow {} vs microlp {}",
        f.objective,
        l.objective
    );
    // Without out-of-area places there is no plan at all.
    s.solver.allow_out_of_area = false;
    let (f, l) = both(&s, &d);
    assert!(matches!(l, Err(SolveError::Infeasible(_))), "{l:?}");
    assert!(matches!(f, Err(SolveError::Infeasible(_))), "{f:?}");
}

/// One plan year with cheap bases, dear out-of-area places and a budget of 0 or 1,000: the
/// budget-constrained optimum costs more than ten times the unconstrained one. The engine's
/// budget master used to be left with only its artificial column and handed the run to
/// microlp; a column with no new places now keeps it feasible, and the engine answers.
#[test]
fn tight_budget_single_year_is_answered_by_the_flow_engine() {
    let mut s = scenario(1, 0.0);
    s.costs.resourced_base_place = 1000.0;
    s.costs.transport_fixed = 0.0;
    s.costs.transport_per_km = 0.0;
    s.schools.push(school(20, Some(1000.0)));
    let d = demand(vec![vec![10, 0]]);
    for budget in [0.0, 1000.0] {
        s.capital_budget = vec![budget];
        let (f, l) = both(&s, &d);
        let (f, l) = (f.unwrap(), l.unwrap());
        assert_eq!(f.method, "flow");
        assert!(
            (f.objective - l.objective).abs() <= 1e-6 * l.objective,
            "budget {budget}: flow {} vs microlp {}",
            f.objective,
            l.objective
        );
    }
}
