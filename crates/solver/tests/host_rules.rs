//! Host rules from the school register, worked by hand: the cheapest host is a girls' school,
//! so the plan must use the next one unless `[bases] allow_single_sex` is set; the same for a
//! selective school, and for a phase outside the statutory age range.

use placeplan_model::check;
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::plan::{candidates, Plan};
use placeplan_model::*;
use placeplan_solver::{solve, Backend, Options};

fn school(id: &str, lon: f64, gender: SchoolGender, selective: bool) -> School {
    School {
        id: id.into(),
        name: id.into(),
        kind: SchoolKind::Mainstream,
        phases: PhaseSet::default()
            .with(Phase::Primary)
            .with(Phase::Secondary),
        lat: 53.40,
        lon,
        can_host_base: true,
        max_new_places: 20,
        capex_per_place: None,
        place_cost: None,
        ages: Some((4, 16)),
        gender,
        selective,
    }
}

/// Locality A; school G (girls) stands on A, school N (mixed) 0.05 degrees east (about 3.3 km,
/// 4.3 km by road). Ten ASD primary pupils in A each year, no existing places, out of area at
/// 64,000 + 9,800 a year. A base place costs 63,000 once and 16,000 a year, plus transport
/// 2,300 + 600/km: at G 2,300 a year, at N about 4,900. Both beat out of area by far, so all ten
/// go to a base; G is cheaper by about 2,600 a pupil a year, so G is the optimum, unless it may
/// not host, when N takes all ten.
fn scenario(g_gender: SchoolGender, g_selective: bool) -> (Scenario, Demand) {
    let s = Scenario {
        name: "hosts".into(),
        base_year: 2025,
        horizon: 2,
        discount_rate: 0.035,
        capital_budget: vec![10_000_000.0; 2],
        costs: CostParams::default(),
        journey: JourneyLimits::default(),
        travel: TravelSettings::default(),
        bases: BaseRules {
            lead_time: 0,
            ..BaseRules::default()
        },
        expansion: Default::default(),
        new_school: Default::default(),
        outlines: Default::default(),
        capital: Default::default(),
        forecast: ForecastSettings::default(),
        solver: SolverSettings {
            // Worked by hand with every place usable.
            occupancy_target: 1.0,
            ..SolverSettings::default()
        },
        localities: vec![Locality {
            id: "A".into(),
            name: "A".into(),
            lat: 53.40,
            lon: -3.00,
        }],
        schools: vec![
            school("G", -3.00, g_gender, g_selective),
            school("N", -2.95, SchoolGender::Mixed, false),
        ],
        provisions: vec![],
        population: vec![],
        history: vec![],
        levers: vec![],
        roads: vec![],
        placed_elsewhere: vec![],
    };
    let demand = Demand {
        years: vec![2026, 2027],
        groups: vec![DemandGroup {
            locality: 0,
            need: Need::Asd,
            phase: Phase::Primary,
        }],
        pupils: vec![vec![10]; 2],
    };
    (s, demand)
}

/// The school each built place is at, with the places.
fn hosts(s: &Scenario, d: &Demand) -> (Vec<(String, f64)>, Plan) {
    let travel = placeplan_model::travel::TravelMatrix::build(s);
    let plan = solve(s, &travel, d, &Options::optimise(), Backend::Flow).unwrap();
    let report = check(s, &travel, d, &plan);
    assert!(report.passed(), "{:?}", report.violations);
    let mut out: Vec<(String, f64)> = Vec::new();
    for b in &plan.builds {
        let id = s.schools[plan.candidates[b.candidate].school].id.clone();
        match out.iter_mut().find(|x| x.0 == id) {
            Some(x) => x.1 += b.places,
            None => out.push((id, b.places)),
        }
    }
    (out, plan)
}

#[test]
fn the_cheapest_host_is_a_girls_school_so_the_plan_uses_the_next_one() {
    // A mixed G is the optimum: all ten places there.
    let (s, d) = scenario(SchoolGender::Mixed, false);
    assert_eq!(hosts(&s, &d).0, [("G".to_string(), 10.0)]);

    // A girls' school: no candidate there, N takes the ten.
    let (s, d) = scenario(SchoolGender::Girls, false);
    assert!(candidates(&s).iter().all(|c| s.schools[c.school].id == "N"));
    assert_eq!(hosts(&s, &d).0, [("N".to_string(), 10.0)]);

    // Allowed: G again; and the check of a plan using G fails once it is no longer allowed.
    let (mut s, d) = scenario(SchoolGender::Girls, false);
    s.bases.allow_single_sex = true;
    let (h, plan) = hosts(&s, &d);
    assert_eq!(h, [("G".to_string(), 10.0)]);
    s.bases.allow_single_sex = false;
    let travel = placeplan_model::travel::TravelMatrix::build(&s);
    let report = check(&s, &travel, &d, &plan);
    assert!(
        report
            .violations
            .iter()
            .any(|v| v.contains("school G is a girls school and [bases] allow_single_sex is off")),
        "{:?}",
        report.violations
    );
}

#[test]
fn a_selective_school_hosts_only_when_allowed() {
    let (mut s, d) = scenario(SchoolGender::Mixed, true);
    assert_eq!(hosts(&s, &d).0, [("N".to_string(), 10.0)]);
    s.bases.allow_selective = true;
    assert_eq!(hosts(&s, &d).0, [("G".to_string(), 10.0)]);
}

#[test]
fn no_base_for_a_phase_outside_the_statutory_age_range() {
    // Ages 4-11: pupils leave at 11, so no secondary base even though phases lists secondary.
    let (mut s, _) = scenario(SchoolGender::Mixed, false);
    s.schools[0].ages = Some((4, 11));
    let c = candidates(&s);
    assert!(c.iter().any(|c| c.school == 0 && c.phase == Phase::Primary));
    assert!(!c
        .iter()
        .any(|c| c.school == 0 && c.phase == Phase::Secondary));
    assert!(c
        .iter()
        .any(|c| c.school == 1 && c.phase == Phase::Secondary));
}
