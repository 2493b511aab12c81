//! Small allocation cases whose optimal plans were worked out by hand (reasoning in each test).

use placeplan_model::check;
use placeplan_model::cohort::pupils_moved_mid_phase;
use placeplan_model::finance::cost_plan;
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::plan::ProvisionRef;
use placeplan_model::travel::{great_circle_km, TravelMatrix};
use placeplan_model::*;
use placeplan_solver::{solve, Backend, Options, SolveError};

/// Locality A sits on special school S (10 primary places, any need); locality B sits on
/// mainstream school M, which may host a base of up to 20 places. Three plan years, lead time 1.
/// Demand each year: 5 ASD primary pupils in A, 12 in B.
/// Costs: special 25,000, base 16,000, independent 64,000 + 9,800 transport, transport
/// 1,000 + 100/km, capex 63,000 per place, discount 3.5%.
fn tiny() -> (Scenario, Demand) {
    let costs = CostParams {
        resourced_base_place: 16_000.0,
        special_place: 25_000.0,
        independent_place: 64_000.0,
        post16_place: 25_000.0,
        transport_fixed: 1_000.0,
        transport_per_km: 100.0,
        out_of_area_transport: 9_800.0,
        capex_per_place: 63_000.0,
        base_fixed_cost: 0.0,
        move_cost: 5_000.0,
    };
    let primary = PhaseSet::default().with(Phase::Primary);
    let s = Scenario {
        name: "tiny".into(),
        base_year: 2025,
        horizon: 3,
        discount_rate: 0.035,
        capital_budget: vec![10_000_000.0; 3],
        costs,
        journey: JourneyLimits::default(),
        travel: TravelSettings::default(),
        // The continuous yearly model these cases were worked by hand for: fractional places,
        // no stability, all capital counted within the horizon.
        bases: BaseRules {
            modular: false,
            ..BaseRules::default()
        },
        expansion: Default::default(),
        new_school: Default::default(),
        outlines: Default::default(),
        capital: CapitalSettings {
            residual_value: false,
            ..CapitalSettings::default()
        },
        forecast: ForecastSettings::default(),
        solver: SolverSettings {
            stability: false,
            // Worked by hand with every place usable.
            occupancy_target: 1.0,
            ..SolverSettings::default()
        },
        localities: vec![
            Locality {
                id: "A".into(),
                name: "A".into(),
                lat: 53.40,
                lon: -3.00,
            },
            Locality {
                id: "B".into(),
                name: "B".into(),
                lat: 53.40,
                lon: -2.90,
            },
        ],
        schools: vec![
            School {
                id: "S".into(),
                name: "Special".into(),
                kind: SchoolKind::Special,
                phases: primary,
                lat: 53.40,
                lon: -3.00,
                can_host_base: false,
                max_new_places: 0,
                capex_per_place: None,
                place_cost: None,
                ages: None,
                gender: placeplan_model::SchoolGender::Mixed,
                selective: false,
            },
            School {
                id: "M".into(),
                name: "Mainstream".into(),
                kind: SchoolKind::Mainstream,
                phases: primary,
                lat: 53.40,
                lon: -2.90,
                can_host_base: true,
                max_new_places: 20,
                capex_per_place: None,
                place_cost: None,
                ages: None,
                gender: placeplan_model::SchoolGender::Mixed,
                selective: false,
            },
        ],
        provisions: vec![ExistingProvision {
            school: 0,
            needs: NeedSet::all(),
            phase: Phase::Primary,
            places: 10,
            other_la_pupils: 0,
        }],
        population: vec![],
        history: vec![],
        levers: vec![],
        roads: vec![],
        placed_elsewhere: vec![],
    };
    let demand = Demand {
        years: vec![2026, 2027, 2028],
        groups: vec![
            DemandGroup {
                locality: 0,
                need: Need::Asd,
                phase: Phase::Primary,
            },
            DemandGroup {
                locality: 1,
                need: Need::Asd,
                phase: Phase::Primary,
            },
        ],
        pupils: vec![vec![5, 12]; 3],
    };
    (s, demand)
}

fn road_km_ab(s: &Scenario) -> f64 {
    great_circle_km(53.40, -3.00, 53.40, -2.90) * s.travel.detour_factor
}

/// Year 0: no new place is usable yet, S takes 10 of the 17 (the 5 from A, who live beside it,
/// and 5 from B), 7 from B go out of area. A base place funded in year 0 saves
/// (73,800 - 17,000) x (d1 + d2) = 107.9k against 63k of capital, so 7 places are funded then.
/// An eighth place would only move a B pupil from S to M, saving (26,000 + 100 km - 17,000)
/// x (d1 + d2) = 18.7k < 63k; a place funded in year 1 serves one year only: 56.8k x d2 < 63k x d1.
#[test]
fn seven_places_funded_in_the_first_year() {
    for backend in [Backend::Flow, Backend::Microlp] {
        seven_places_with(backend);
    }
}

fn seven_places_with(backend: Backend) {
    let (s, demand) = tiny();
    let travel = TravelMatrix::build(&s);
    let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
    let report = check(&s, &travel, &demand, &plan);
    assert!(report.passed(), "{:?}", report.violations);

    assert_eq!(plan.builds.len(), 1, "{:?}", plan.builds);
    let b = plan.builds[0];
    assert_eq!(plan.candidates[b.candidate].school, 1);
    assert_eq!(plan.candidates[b.candidate].need, Need::Asd);
    assert_eq!(b.funded, 0);
    assert!((b.places - 7.0).abs() < 1e-6, "{}", b.places);
    assert!((plan.out_of_area(0) - 7.0).abs() < 1e-6);
    assert!(plan.out_of_area(1).abs() < 1e-6);

    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_s = 5.0 * 26_000.0 + 5.0 * (26_000.0 + 100.0 * km);
    let year0 = at_s + 7.0 * 73_800.0 + 7.0 * 63_000.0;
    let later = at_s + 7.0 * 17_000.0;
    let expected = year0 + (d1 + d2) * later;
    assert!(
        (plan.objective - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        plan.objective
    );
    let costing = cost_plan(&s, &travel, &demand, &plan);
    assert!((costing.npv - expected).abs() < 1e-6 * expected);
}

/// With only 189,000 of capital in year 0 (and none later), exactly 3 places can be funded;
/// every one of them is worth funding, so the budget binds at 3.
#[test]
fn budget_limits_places() {
    let (mut s, demand) = tiny();
    s.capital_budget = vec![189_000.0, 0.0, 0.0];
    let travel = TravelMatrix::build(&s);
    for backend in [Backend::Flow, Backend::Microlp] {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        assert!(check(&s, &travel, &demand, &plan).passed());
        assert!((plan.new_places() - 3.0).abs() < 1e-6);
        assert!((plan.out_of_area(1) - 4.0).abs() < 1e-6);
    }
}

/// One plan year, places usable at once, capital 40,000 a place: each of the 7 pupils who
/// would go out of area saves 73,800 - 17,000 = 56,800 at M, more than a place costs, but a
/// budget of 140,000 buys only 3.5 places. (Moving a B pupil from S to M saves about 9,000 and is
/// not worth 40,000.) The LP funds half a place; the flow engine reaches the same optimum by
/// combining a 3-place and a 4-place flow in its budget master, and answers without microlp.
/// Cost: at_s + 3.5 x (17,000 + 40,000) + 3.5 x 73,800.
#[test]
fn flow_engine_meets_a_fractional_budget_exactly() {
    let (mut s, mut demand) = tiny();
    s.horizon = 1;
    s.bases.lead_time = 0;
    s.costs.capex_per_place = 40_000.0;
    s.capital_budget = vec![140_000.0];
    demand.years.truncate(1);
    demand.pupils.truncate(1);
    let travel = TravelMatrix::build(&s);
    let km = road_km_ab(&s);
    let at_s = 5.0 * 26_000.0 + 5.0 * (26_000.0 + 100.0 * km);
    let p = 3.5;
    let expected = at_s + p * (17_000.0 + 40_000.0) + (7.0 - p) * 73_800.0;
    for backend in [Backend::Flow, Backend::Microlp] {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        assert_eq!(plan.method, backend.name());
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{:?}", r.violations);
        assert!(
            (plan.new_places() - p).abs() < 1e-9,
            "{backend}: {:?}",
            plan.builds
        );
        assert!(
            (plan.objective - expected).abs() < 1e-9 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
        assert!((plan.out_of_area(0) - 3.5).abs() < 1e-9);
    }
}

/// Doing nothing sends 7 pupils out of area every year.
#[test]
fn do_nothing_sends_overflow_out_of_area() {
    let (s, demand) = tiny();
    let travel = TravelMatrix::build(&s);
    let plan =
        placeplan_solver::baseline::do_nothing(&s, &travel, &demand, Backend::Microlp).unwrap();
    assert!(check(&s, &travel, &demand, &plan).passed());
    assert!(plan.builds.is_empty());
    for t in 0..3 {
        assert!((plan.out_of_area(t) - 7.0).abs() < 1e-6);
    }
}

/// No out-of-area option and a journey limit too short to reach anything: the reason names
/// the pupils and the place.
#[test]
fn infeasibility_is_explained() {
    let (mut s, demand) = tiny();
    s.solver.allow_out_of_area = false;
    s.journey.primary = 1.0;
    let travel = TravelMatrix::build(&s);
    match solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp) {
        Err(SolveError::Infeasible(reasons)) => {
            assert_eq!(reasons.len(), 2, "{reasons:?}");
            assert!(
                reasons[0].contains("12 ASD primary pupils in B"),
                "{reasons:?}"
            );
            assert!(reasons[0].contains("within 1 minutes"), "{reasons:?}");
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

/// Without out-of-area and with capacity short (no budget), the solver reports infeasibility.
#[test]
fn capacity_shortfall_without_out_of_area_is_infeasible() {
    let (mut s, demand) = tiny();
    s.solver.allow_out_of_area = false;
    s.capital_budget = vec![0.0; 3];
    let travel = TravelMatrix::build(&s);
    let r = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp);
    assert!(matches!(r, Err(SolveError::Infeasible(_))), "{r:?}");
}

/// The check rejects a plan that was tampered with.
#[test]
fn check_catches_overfull_and_unplaced_pupils() {
    let (s, demand) = tiny();
    let travel = TravelMatrix::build(&s);
    let mut plan = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    // Move every out-of-area pupil into the special school.
    for p in &mut plan.placements {
        if p.provision == ProvisionRef::OutOfArea {
            p.provision = ProvisionRef::Existing(0);
        }
    }
    let r = check(&s, &travel, &demand, &plan);
    assert!(
        r.violations.iter().any(|v| v.contains("17 pupils in 10")),
        "{:?}",
        r.violations
    );
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("reported objective") && v.contains("worked out again")),
        "{:?}",
        r.violations
    );

    let mut plan2 = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    plan2.placements.pop();
    let r2 = check(&s, &travel, &demand, &plan2);
    assert!(
        r2.violations.iter().any(|v| v.contains("need places but")),
        "{:?}",
        r2.violations
    );
}

/// Backends agree on the optimum (runs only when more than one backend is built).
#[test]
fn backends_agree() {
    let (s, demand) = tiny();
    let travel = TravelMatrix::build(&s);
    let objectives: Vec<f64> = Backend::available()
        .into_iter()
        .map(|b| {
            solve(&s, &travel, &demand, &Options::optimise(), b)
                .unwrap()
                .objective
        })
        .collect();
    for o in &objectives {
        assert!(
            (o - objectives[0]).abs() < 1e-6 * objectives[0],
            "{objectives:?}"
        );
    }
}

fn expected_seven_place_objective(s: &Scenario) -> f64 {
    let km = road_km_ab(s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_s = 5.0 * 26_000.0 + 5.0 * (26_000.0 + 100.0 * km);
    let year0 = at_s + 7.0 * 73_800.0 + 7.0 * 63_000.0;
    let later = at_s + 7.0 * 17_000.0;
    year0 + (d1 + d2) * later
}

/// The greedy rule funds a base at the school nearest the 7 pupils the do-nothing plan sends
/// out of area in year 1 (M, beside B), as big as the cluster: here that is the optimum too.
#[test]
fn greedy_funds_the_nearest_school_for_the_overflow() {
    let (s, demand) = tiny();
    let travel = TravelMatrix::build(&s);
    let dn =
        placeplan_solver::baseline::do_nothing(&s, &travel, &demand, Backend::Microlp).unwrap();
    let g =
        placeplan_solver::baseline::greedy(&s, &travel, &demand, &dn, Backend::Microlp).unwrap();
    assert!(check(&s, &travel, &demand, &g).passed());
    assert_eq!(g.builds.len(), 1, "{:?}", g.builds);
    assert_eq!(g.candidates[g.builds[0].candidate].school, 1);
    assert_eq!(g.builds[0].funded, 0);
    assert!((g.builds[0].places - 7.0).abs() < 1e-9);
    let expected = expected_seven_place_objective(&s);
    assert!((g.objective - expected).abs() < 1e-6 * expected);
}

/// Modular bases of at least 8 places: 8 is better than none (each of the 7 overflow places is
/// worth 107.9k - 63k), and the eighth place moves one B pupil from S to M for years 1 and 2.
/// A set-up cost of 50,000 is paid once, in year 0.
#[test]
fn modular_base_has_the_minimum_size_and_pays_its_setup() {
    let (mut s, demand) = tiny();
    s.bases.modular = true;
    s.bases.min_size = 8;
    s.costs.base_fixed_cost = 50_000.0;
    let travel = TravelMatrix::build(&s);
    let plan = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    let report = check(&s, &travel, &demand, &plan);
    assert!(report.passed(), "{:?}", report.violations);
    assert!((plan.new_places() - 8.0).abs() < 1e-6, "{:?}", plan.builds);
    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let expected = expected_seven_place_objective(&s) + 63_000.0 + 50_000.0
        - (d1 + d2) * (26_000.0 + 100.0 * km - 17_000.0);
    assert!(
        (plan.objective - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        plan.objective
    );
    let costing = cost_plan(&s, &travel, &demand, &plan);
    assert!(
        (costing.line_total(placeplan_model::finance::CostLine::BaseSetup) - 50_000.0).abs() < 1e-9
    );
}

/// A size range for the need (`[bases.sizes]`): ASD bases of 4 to 6 places, while other needs
/// keep 8 to 20. The 7 pupils of the seven-place case no longer fit one base: 6 places at M
/// (each worth 107.9k - 63k, so opening for a set-up of 50,000 pays), and the seventh pupil
/// stays out of area in years 1 and 2. The check refuses the 8-place base of the default range
/// as over ASD's 6.
#[test]
fn a_base_size_range_for_its_need_hand_worked() {
    let (mut s, demand) = tiny();
    s.bases.modular = true;
    s.bases.min_size = 8;
    s.costs.base_fixed_cost = 50_000.0;
    s.bases.sizes.insert(
        Need::Asd,
        SizeRange {
            min_size: 4,
            max_size: 6,
        },
    );
    let travel = TravelMatrix::build(&s);
    for backend in with_highs(vec![Backend::Microlp]) {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let report = check(&s, &travel, &demand, &plan);
        assert!(report.passed(), "{backend}: {:?}", report.violations);
        assert!((plan.new_places() - 6.0).abs() < 1e-6, "{:?}", plan.builds);
        let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
        let expected = expected_seven_place_objective(&s) - 63_000.0
            + (d1 + d2) * (73_800.0 - 17_000.0)
            + 50_000.0;
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
    }
    // The default range gives one base of 8 places: over ASD's largest size.
    let mut wide = s.clone();
    wide.bases.sizes.clear();
    let seven = solve(
        &wide,
        &travel,
        &demand,
        &Options::optimise(),
        Backend::Microlp,
    )
    .unwrap();
    assert!(check(&wide, &travel, &demand, &seven).passed());
    let v = check(&s, &travel, &demand, &seven).violations;
    assert!(
        v.iter().any(|v| v.contains("over the maximum size 6")),
        "{v:?}"
    );
}

/// A base with no opening decision (smallest size 1, no set-up cost, whole places) still has its
/// largest size: ASD bases of 1 to 5 places in the seven-place case fund 5 places at M, and the
/// other 2 pupils stay out of area in years 1 and 2 (regression, review: the model had no
/// largest-size row for such a base and funded 7, which the check refused).
#[test]
fn a_base_without_an_opening_decision_keeps_its_largest_size_hand_worked() {
    let (mut s, demand) = tiny();
    s.bases.modular = true;
    s.bases.sizes.insert(
        Need::Asd,
        SizeRange {
            min_size: 1,
            max_size: 5,
        },
    );
    let travel = TravelMatrix::build(&s);
    for backend in with_highs(vec![Backend::Microlp]) {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let report = check(&s, &travel, &demand, &plan);
        assert!(report.passed(), "{backend}: {:?}", report.violations);
        assert!((plan.new_places() - 5.0).abs() < 1e-6, "{:?}", plan.builds);
        let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
        let expected = expected_seven_place_objective(&s)
            + 2.0 * ((d1 + d2) * (73_800.0 - 17_000.0) - 63_000.0);
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
    }
}

/// With stability every pupil is a cohort entering in year 0 (no history, so none already
/// placed) and staying to the end of the three-year horizon (a primary phase lasts six years).
/// In year 0 no new place is usable yet, so 7 pupils from B go out of area and stay there: no
/// entrant comes later to use a new place, so none is funded. The yearly model instead funds 7
/// places and moves those 7 pupils into them in year 1, which the check rejects as moves
/// mid-phase: 7 of B's 12 continuing pupils cannot have stayed (only S's 5 could).
#[test]
fn stability_keeps_placed_pupils_where_they_are() {
    let (mut s, demand) = tiny();
    s.solver.stability = true;
    let travel = TravelMatrix::build(&s);
    let plan = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    let report = check(&s, &travel, &demand, &plan);
    assert!(report.passed(), "{:?}", report.violations);
    assert_eq!(plan.new_places(), 0.0, "{:?}", plan.builds);
    for t in 0..3 {
        assert!((plan.out_of_area(t) - 7.0).abs() < 1e-6);
    }
    assert_eq!(pupils_moved_mid_phase(&s, &demand, &plan), 0);

    // The yearly optimum moves 7 pupils in year 1, and the check says so.
    let mut free = s.clone();
    free.solver.stability = false;
    let unstable = solve(
        &free,
        &travel,
        &demand,
        &Options::optimise(),
        Backend::Microlp,
    )
    .unwrap();
    assert!((unstable.new_places() - 7.0).abs() < 1e-6);
    assert_eq!(pupils_moved_mid_phase(&s, &demand, &unstable), 7);
    let r = check(&s, &travel, &demand, &unstable);
    assert!(
        r.violations.iter().any(|v| v.contains(
            "2027: 7.000 ASD primary pupils from B continuing in their phase were moved"
        )),
        "{:?}",
        r.violations
    );
}

/// Pupils at one provision in plan year `t`.
fn pupils_at(plan: &placeplan_model::plan::Plan, t: usize, at: ProvisionRef) -> f64 {
    plan.placements
        .iter()
        .filter(|p| p.year == t && p.provision == at)
        .map(|p| p.pupils)
        .sum()
}

/// The tiny case at the default occupancy target of 95%. S (10 places) is planned to hold
/// floor(9.5) = 9 pupils: the 5 from A and 4 from B; in year 0 the other 8 from B go out of
/// area. A new place now takes 0.95 of a pupil, so a pupil at M costs 63,000 / 0.95 = 66,316
/// of capital, still less than the 107.9k it saves over years 1 and 2 (and an extra pupil moved
/// from S saves 18.7k, not worth it): the base is funded in year 0 for the 8 from B, with
/// 8 / 0.95 = 160/19 places (fractional places: the continuous model).
#[test]
fn occupancy_target_on_existing_and_new_places_hand_worked() {
    let (mut s, demand) = tiny();
    s.solver.occupancy_target = 0.95;
    let travel = TravelMatrix::build(&s);
    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let places = 160.0 / 19.0;
    let at_s = 5.0 * 26_000.0 + 4.0 * (26_000.0 + 100.0 * km);
    let year0 = at_s + 8.0 * 73_800.0 + places * 63_000.0;
    let expected = year0 + (d1 + d2) * (at_s + 8.0 * 17_000.0);
    for backend in [Backend::Flow, Backend::Microlp] {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        assert_eq!(plan.builds.len(), 1, "{backend}: {:?}", plan.builds);
        assert_eq!(plan.builds[0].funded, 0);
        assert!(
            (plan.new_places() - places).abs() < 1e-6,
            "{backend}: {:?}",
            plan.builds
        );
        for t in 0..3 {
            assert!((pupils_at(&plan, t, ProvisionRef::Existing(0)) - 9.0).abs() < 1e-6);
        }
        assert!((plan.out_of_area(0) - 8.0).abs() < 1e-6);
        assert!(plan.out_of_area(1).abs() < 1e-6 && plan.out_of_area(2).abs() < 1e-6);
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
    }
}

/// Pupils already placed are never pushed out to meet the occupancy target. S has 10 places
/// (9 at 95%); the base year's history has 12 ASD primary pupils from A in special schools, taken
/// as 2 in each of the 6 years of primary: 2 have left by year 0, 2 more by year 1. Demand from
/// A is 10 a year, none from B. Year 0: the 10 still placed all stay at S (its share of them,
/// 10, is above its 9 at the target). Year 1: 8 are still placed, so S holds at most
/// max(9, 8) = 9: of the 2 entrants one goes to S and one out of area (a base place for one
/// year, 66,316 of capital, costs more than one year out of area, 73,800 x d1 = 71,304).
#[test]
fn occupancy_target_keeps_pupils_already_placed_hand_worked() {
    let (mut s, mut demand) = tiny();
    s.solver.occupancy_target = 0.95;
    s.solver.stability = true;
    s.horizon = 2;
    s.capital_budget.truncate(2);
    demand.years.truncate(2);
    demand.pupils = vec![vec![10, 0]; 2];
    s.history = vec![HistoryCell {
        year: 2025,
        locality: 0,
        age: 7,
        need: Need::Asd,
        provision: ProvisionKind::Special,
        count: 12.0,
    }];
    let travel = TravelMatrix::build(&s);
    for backend in [Backend::Flow, Backend::Microlp] {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        assert!((pupils_at(&plan, 0, ProvisionRef::Existing(0)) - 10.0).abs() < 1e-6);
        assert!(plan.out_of_area(0).abs() < 1e-6);
        assert!((pupils_at(&plan, 1, ProvisionRef::Existing(0)) - 9.0).abs() < 1e-6);
        assert!(
            (plan.out_of_area(1) - 1.0).abs() < 1e-6,
            "{backend}: {:?}",
            plan.placements
        );
        assert!(plan.builds.is_empty(), "{backend}: {:?}", plan.builds);
        assert_eq!(pupils_moved_mid_phase(&s, &demand, &plan), 0);
    }
}

/// Whole bases at 95%: the 8 pupils from B need the fewest whole places that take 8 pupils,
/// 9 (0.95 x 8 = 7.6 takes only 7; 0.95 x 9 = 8.55 takes 8), within the base size 8-20; the
/// plan is otherwise the one above. Every engine that makes whole bases finds it, in whole
/// pupils.
#[test]
fn occupancy_target_with_whole_bases_hand_worked() {
    let (mut s, demand) = tiny();
    s.solver.occupancy_target = 0.95;
    s.bases.modular = true;
    let travel = TravelMatrix::build(&s);
    for backend in with_highs(vec![Backend::Flow, Backend::Microlp]) {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        assert_eq!(plan.builds.len(), 1, "{backend}: {:?}", plan.builds);
        assert_eq!((plan.builds[0].funded, plan.builds[0].places), (0, 9.0));
        for t in 1..3 {
            assert!(
                (pupils_at(&plan, t, plan_base(&plan)) - 8.0).abs() < 1e-6,
                "{backend}"
            );
        }
        assert!(
            plan.placements.iter().all(|p| p.pupils.fract() == 0.0),
            "{backend}"
        );
    }
}

/// `backends` and HiGHS when it is built in.
fn with_highs(mut backends: Vec<Backend>) -> Vec<Backend> {
    if Backend::Highs.is_available() {
        backends.push(Backend::Highs);
    }
    backends
}

fn plan_base(plan: &placeplan_model::plan::Plan) -> ProvisionRef {
    ProvisionRef::NewBase(plan.builds[0].candidate)
}

/// Pupils from other authorities keep their places: the tiny case (every place usable) with 3
/// of S's 10 places taken by other authorities' pupils. S takes A's 5 and 2 from B; the other
/// 10 from B go out of area in year 0, and a base of 10 places is funded then (each place saves
/// 107.9k over years 1 and 2 for 63k, as in the seven-place case).
#[test]
fn pupils_from_other_authorities_keep_their_places_hand_worked() {
    let (mut s, demand) = tiny();
    s.provisions[0].other_la_pupils = 3;
    let travel = TravelMatrix::build(&s);
    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_s = 5.0 * 26_000.0 + 2.0 * (26_000.0 + 100.0 * km);
    let year0 = at_s + 10.0 * 73_800.0 + 10.0 * 63_000.0;
    let expected = year0 + (d1 + d2) * (at_s + 10.0 * 17_000.0);
    for backend in [Backend::Flow, Backend::Microlp] {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        for t in 0..3 {
            assert!((pupils_at(&plan, t, ProvisionRef::Existing(0)) - 7.0).abs() < 1e-6);
        }
        assert!(
            (plan.new_places() - 10.0).abs() < 1e-6,
            "{backend}: {:?}",
            plan.builds
        );
        assert!((plan.out_of_area(0) - 10.0).abs() < 1e-6);
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
    }
}

/// Pupils placed in other authorities' schools stay there: the tiny case with stability, no
/// history, and 6 of B's ASD primary pupils in another authority's school (30,000 a place and
/// 5,000 of transport). Spread over the six years of primary, 5 are still there in year 0, 4 in
/// year 1 and 3 in year 2, at 35,000 each. B's other pupils are entrants: 7 in year 0 (12 - 5),
/// 1 in year 1 (12 - 4 - 7) and 1 in year 2. In year 0 S takes A's 5 and 5 of B's 7 (A's cost
/// nothing to travel), the other 2 go out of area and stay there. One place at M (beside B)
/// funded in year 0 serves year 1's entrant for two years (saving 56.8k a year for 63k); a place
/// for year 2's entrant alone would save one year (53.0k) for 63k a year later (60.9k), so that
/// pupil goes out of area.
#[test]
fn pupils_placed_elsewhere_stay_there_hand_worked() {
    let (mut s, demand) = tiny();
    s.solver.stability = true;
    s.placed_elsewhere = vec![PlacedElsewhere {
        locality: 1,
        need: Need::Asd,
        phase: Phase::Primary,
        pupils: 6,
        place_cost: 30_000.0,
        transport_cost: 5_000.0,
    }];
    let travel = TravelMatrix::build(&s);
    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_s = 5.0 * 26_000.0 + 5.0 * (26_000.0 + 100.0 * km);
    let at_m = 17_000.0;
    let year0 = at_s + 2.0 * 73_800.0 + 5.0 * 35_000.0 + 63_000.0;
    let year1 = at_s + 2.0 * 73_800.0 + at_m + 4.0 * 35_000.0;
    let year2 = at_s + 3.0 * 73_800.0 + at_m + 3.0 * 35_000.0;
    let expected = year0 + d1 * year1 + d2 * year2;
    for backend in with_highs(vec![Backend::Microlp]) {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        for (t, n) in [5.0, 4.0, 3.0].into_iter().enumerate() {
            assert_eq!(
                pupils_at(&plan, t, ProvisionRef::Elsewhere(1)),
                n,
                "{backend}"
            );
            assert!((pupils_at(&plan, t, ProvisionRef::Existing(0)) - 10.0).abs() < 1e-6);
        }
        assert!((plan.new_places() - 1.0).abs() < 1e-6, "{:?}", plan.builds);
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
        let costing = cost_plan(&s, &travel, &demand, &plan);
        let line = costing.line_total(placeplan_model::finance::CostLine::OtherAuthority);
        // Place funding; their transport is in the transport line.
        assert!((line - 12.0 * 30_000.0).abs() < 1e-6, "{line}");
        assert_eq!(pupils_moved_mid_phase(&s, &demand, &plan), 0);

        // The check's own reading: one of them brought home to an out-of-area place in year 0
        // is a move; one more sent there in year 2 is over the pupils already there.
        let moved = |from: ProvisionRef, to: ProvisionRef, t: usize| {
            let mut p = plan.clone();
            for x in p.placements.iter_mut().filter(|x| x.year == t) {
                if x.group == 1 && x.provision == from {
                    x.pupils -= 1.0;
                } else if x.group == 1 && x.provision == to {
                    x.pupils += 1.0;
                }
            }
            check(&s, &travel, &demand, &p).violations
        };
        let v = moved(ProvisionRef::Elsewhere(1), ProvisionRef::OutOfArea, 0);
        assert!(
            v.iter()
                .any(|v| v.contains("already in other_authority provision")),
            "{v:?}"
        );
        let v = moved(ProvisionRef::OutOfArea, ProvisionRef::Elsewhere(1), 2);
        assert!(
            v.iter()
                .any(|v| v.starts_with("2028: 4 pupils in 3 places in other authorities' schools")),
            "{v:?}"
        );
    }

    // Without stability no pupil is already placed anywhere: B's 12 are placed each year as if
    // new, and other authorities' schools are not among the places.
    s.solver.stability = false;
    let plan = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    assert!(plan
        .placements
        .iter()
        .all(|p| !matches!(p.provision, ProvisionRef::Elsewhere(_))));
    assert!(check(&s, &travel, &demand, &plan).passed());
}

/// Bringing pupils back: the tiny case with stability, where B's 7 pupils beyond S's places go
/// out of area in year 0 (no new place is usable yet) and, without moves, stay there. With
/// `bring_back`, a base place at M funded in year 0 and used from year 1 lets one of them come
/// back for years 1 and 2: it saves (73,800 - 17,000) x (d1 + d2) = 107.9k for 63k of capital
/// and the move (5,000 x d1 = 4.8k), so all 7 come back in year 1 and 7 places are funded.
/// Coming back in year 2 instead saves one year only (56.8k x d2 = 53.0k), less than 63k. An
/// eighth place would only move a B pupil out of S, which is never done (S is ours). At a move
/// cost of 50,000 (48.3k x d1) a move costs more than it saves, and nobody moves.
#[test]
fn pupils_out_of_area_are_brought_back_when_it_pays_hand_worked() {
    let (mut s, demand) = tiny();
    s.solver.stability = true;
    s.solver.bring_back = true;
    s.costs.move_cost = 5_000.0;
    let travel = TravelMatrix::build(&s);
    let km = road_km_ab(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_s = 5.0 * 26_000.0 + 5.0 * (26_000.0 + 100.0 * km);
    let year0 = at_s + 7.0 * 73_800.0 + 7.0 * 63_000.0;
    let year1 = at_s + 7.0 * 17_000.0 + 7.0 * 5_000.0;
    let year2 = at_s + 7.0 * 17_000.0;
    let expected = year0 + d1 * year1 + d2 * year2;
    for backend in with_highs(vec![Backend::Microlp]) {
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        let r = check(&s, &travel, &demand, &plan);
        assert!(r.passed(), "{backend}: {:?}", r.violations);
        assert!((plan.new_places() - 7.0).abs() < 1e-6, "{:?}", plan.builds);
        assert!(plan.builds.iter().all(|b| b.funded == 0));
        assert_eq!(plan.moves.len(), 1, "{backend}: {:?}", plan.moves);
        let m = plan.moves[0];
        assert_eq!(
            (m.year, m.group, m.from, m.to),
            (1, 1, ProvisionRef::OutOfArea, plan_base(&plan))
        );
        assert!((m.pupils - 7.0).abs() < 1e-6);
        assert!((plan.out_of_area(0) - 7.0).abs() < 1e-6);
        assert!(plan.out_of_area(1).abs() < 1e-6 && plan.out_of_area(2).abs() < 1e-6);
        assert!(
            (plan.objective - expected).abs() < 1e-6 * expected,
            "{backend}: {} vs {expected}",
            plan.objective
        );
        let costing = cost_plan(&s, &travel, &demand, &plan);
        let line = costing.line_total(placeplan_model::finance::CostLine::Moves);
        assert!((line - 35_000.0).abs() < 1e-6, "{line}");
        assert_eq!(pupils_moved_mid_phase(&s, &demand, &plan), 7);

        // The check's own reading: the same plan where the scenario does not allow moves, a
        // move declared from S (ours) and a move left undeclared all fail.
        let mut strict = s.clone();
        strict.solver.bring_back = false;
        let v = check(&strict, &travel, &demand, &plan).violations;
        assert!(
            v.iter()
                .any(|v| v.contains("does not allow bringing pupils back")),
            "{v:?}"
        );
        let mut from_s = plan.clone();
        from_s.moves[0].from = ProvisionRef::Existing(0);
        let v = check(&s, &travel, &demand, &from_s).violations;
        assert!(
            v.iter().any(|v| v.contains(
                "only pupils out of area or in another authority's school may be brought back"
            )),
            "{v:?}"
        );
        // Brought back beyond the journey limit (the same plan under a 1-minute limit).
        let mut near = s.clone();
        near.journey.primary = 1.0;
        let v = check(&near, &travel, &demand, &plan).violations;
        assert!(
            v.iter().any(|v| v.contains("brought back to M")
                && v.contains("over the primary limit of 1 minutes")),
            "{v:?}"
        );
        let mut silent = plan.clone();
        silent.moves.clear();
        let v = check(&s, &travel, &demand, &silent).violations;
        assert!(
            v.iter().any(|v| v.contains(
                "2027: 7.000 ASD primary pupils from B continuing in their phase were moved"
            )),
            "{v:?}"
        );
    }

    // A move that costs more than it saves is not made: the plan is the one without moves.
    s.costs.move_cost = 50_000.0;
    let plan = solve(&s, &travel, &demand, &Options::optimise(), Backend::Microlp).unwrap();
    assert!(check(&s, &travel, &demand, &plan).passed());
    assert!(plan.moves.is_empty(), "{:?}", plan.moves);
    assert_eq!(plan.new_places(), 0.0);
    assert_eq!(pupils_moved_mid_phase(&s, &demand, &plan), 0);
}

/// Demand that falls in a later year, where the year-by-year bound is not tight. The tiny
/// case (lead time 1; capital counted in full, every place usable) with B's demand 12, 12
/// and 0 over the three years: 7 B pupils overflow S in years 0 and 1; in year 2 S holds A's
/// 5 alone. A base place must be funded in year 0 to be usable in year 1. In year 1 it saves
/// (73,800 - 17,000) x d1 = 54.9k for an overflow pupil (about 9.5k for a B pupil moved from
/// S), and in year 2 it can only take an A pupil from S: (26,000 - 17,862) x d2 = 7.6k. 62.5k
/// against 63k of capital: the optimum funds nothing and sends the 7 out of area in years 0
/// and 1:
///   (1 + d1) x (at_s + 7 x 73,800) + d2 x at_a.
/// The year-by-year bound (crates/solver `flow`: each year's allocation with a new place
/// charged the step of its capital price between that year and the next) charges a place used
/// in year 1 alone only 63,000 x (1 - d1) = 2.1k of capital, so in year 1 it places all 17
/// pupils (B's 12 and A's 5, within the base's 20 places) at M, and stays at least £434k
/// below the optimum. The flow engine says so and leaves the model to the LP; the default
/// engine and microlp reach the optimum.
#[test]
fn falling_demand_makes_the_year_by_year_bound_not_tight() {
    use placeplan_solver::flow::{solve_flow, FlowFailure};
    use placeplan_solver::formulation::build_network;

    let (s, mut demand) = tiny();
    assert_eq!(s.bases.lead_time, 1);
    demand.pupils = vec![vec![5, 12], vec![5, 12], vec![5, 0]];
    let travel = TravelMatrix::build(&s);
    let (d1, d2) = (1.0 / 1.035, 1.0 / 1.035f64.powi(2));
    let at_a = 5.0 * 26_000.0;
    let at_s = at_a + 5.0 * (26_000.0 + 100.0 * road_km_ab(&s));
    let optimum = (1.0 + d1) * (at_s + 7.0 * 73_800.0) + d2 * at_a;
    // A solution of the bound (so the bound is at most its cost): year 1 with all 17 pupils
    // at M, each place charged its capital step.
    let at_m_from_a = 17_000.0 + 100.0 * road_km_ab(&s);
    let naive = at_s
        + 7.0 * 73_800.0
        + d1 * (12.0 * 17_000.0 + 5.0 * at_m_from_a)
        + 17.0 * 63_000.0 * (1.0 - d1)
        + d2 * at_a;
    assert!(optimum - naive > 434_000.0, "{optimum} vs {naive}");

    let opt = Options::optimise();
    let net = build_network(&s, &travel, &demand, &opt);
    match solve_flow(&s, &demand, &net, &opt) {
        Err(FlowFailure::Unproven(why)) => assert!(why.contains("not tight"), "{why}"),
        other => panic!("the year-by-year bound was taken as tight: {other:?}"),
    }
    // With stability too (the default engine then prices the LP): the optimum keeps every
    // pupil where they were, so stability costs it nothing. Either way the default engine's
    // plan comes from the LP, not from the flow engine.
    for stability in [false, true] {
        let mut s = s.clone();
        s.solver.stability = stability;
        for backend in [Backend::Flow, Backend::Microlp] {
            let plan = solve(&s, &travel, &demand, &opt, backend).unwrap();
            assert_eq!(plan.method, "microlp", "{backend:?}, stability {stability}");
            let report = check(&s, &travel, &demand, &plan);
            assert!(report.passed(), "{:?}", report.violations);
            assert!(plan.builds.is_empty(), "{backend:?}: {:?}", plan.builds);
            assert!(
                (plan.objective - optimum).abs() < 1e-6 * optimum,
                "{backend:?}, stability {stability}: {} vs {optimum}",
                plan.objective
            );
            assert!((plan.out_of_area(1) - 7.0).abs() < 1e-6);
        }
    }
}
