//! Hand-worked cases for the kinds of new provision beyond resourced bases: special-school
//! expansion in whole classes, specialist post-16 classes, and a new special school with a size
//! range and a lump sum (docs/model.md, "Provision options").
//!
//! One locality sits on every school (journeys of 0 km: transport 1,000 a pupil). Discount
//! rate 0 and no value beyond the horizon, so the sums are plain. Four plan years; places
//! funded in year 0 with a lead time of 1 serve years 1-3. A pupil out of area costs
//! 64,000 + 9,800 = 73,800 a year; in a special school 25,000 + 1,000 = 26,000: a local place
//! saves 47,800 a year, 143,400 over three years, against 90,000 of capital.

use placeplan_model::check;
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::plan::BuildKind;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::*;
use placeplan_solver::{solve, Backend, Options};

fn school(id: &str, kind: SchoolKind, phase: Phase, max_new_places: u32) -> School {
    School {
        id: id.into(),
        name: id.into(),
        kind,
        phases: PhaseSet::default().with(phase),
        lat: 53.40,
        lon: -3.00,
        can_host_base: false,
        max_new_places,
        capex_per_place: None,
        place_cost: None,
        ages: None,
        gender: SchoolGender::Mixed,
        selective: false,
    }
}

/// `pupils` of `need` in `phase` every year, one locality, the given schools and places.
fn case(
    schools: Vec<School>,
    provisions: Vec<ExistingProvision>,
    need: Need,
    phase: Phase,
    pupils: u32,
) -> (Scenario, Demand) {
    let s = Scenario {
        name: "kinds".into(),
        base_year: 2025,
        horizon: 4,
        discount_rate: 0.0,
        capital_budget: vec![1e9; 4],
        costs: CostParams {
            special_place: 25_000.0,
            post16_place: 25_000.0,
            independent_place: 64_000.0,
            transport_fixed: 1_000.0,
            transport_per_km: 100.0,
            out_of_area_transport: 9_800.0,
            ..CostParams::default()
        },
        bases: BaseRules {
            modular: true,
            ..BaseRules::default()
        },
        expansion: ExpansionRules {
            lead_time: 1,
            ..ExpansionRules::default()
        },
        new_school: NewSchoolRules {
            lead_time: 1,
            min_size: 20,
            max_size: 100,
            ..NewSchoolRules::default()
        },
        capital: CapitalSettings {
            residual_value: false,
            ..CapitalSettings::default()
        },
        solver: SolverSettings {
            stability: false,
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
        schools,
        provisions,
        ..Scenario::default()
    };
    let demand = Demand {
        years: vec![2026, 2027, 2028, 2029],
        groups: vec![DemandGroup {
            locality: 0,
            need,
            phase,
        }],
        pupils: vec![vec![pupils]; 4],
    };
    (s, demand)
}

fn backends() -> Vec<Backend> {
    let mut out = vec![Backend::Flow];
    if cfg!(feature = "highs") {
        out.push(Backend::Highs);
    }
    out
}

/// (kind, funded year, places) of every build, checked by the independent check first.
fn builds_of(s: &Scenario, demand: &Demand, backend: Backend) -> Vec<(BuildKind, usize, f64)> {
    let travel = TravelMatrix::build(s);
    let plan = solve(s, &travel, demand, &Options::optimise(), backend).unwrap();
    let report = check(s, &travel, demand, &plan);
    assert!(report.passed(), "{backend:?}: {:?}", report.violations);
    plan.builds
        .iter()
        .map(|b| (plan.candidates[b.candidate].kind, b.funded, b.places))
        .collect()
}

/// Special school S has 10 ASD primary places and room for 24 more; 25 pupils need places.
/// The 15 left over are worth a place each (143,400 > 90,000). Classes of 8: one class
/// (8 places) nets 8 x 53,400 = 427,200; two classes (16 places, 15 used) net
/// 15 x 143,400 - 16 x 90,000 = 711,000; three classes (24, 15 used) net 51,000. So two
/// classes, funded in year 0.
#[test]
fn special_school_expands_by_whole_classes() {
    let (s, demand) = case(
        vec![school("S", SchoolKind::Special, Phase::Primary, 24)],
        vec![ExistingProvision {
            school: 0,
            needs: NeedSet::all(),
            phase: Phase::Primary,
            places: 10,
            other_la_pupils: 0,
        }],
        Need::Asd,
        Phase::Primary,
        25,
    );
    for backend in backends() {
        assert_eq!(
            builds_of(&s, &demand, backend),
            vec![(BuildKind::SpecialExpansion, 0, 16.0)],
            "{backend:?}"
        );
    }
}

/// The same at a special school's post-16 places: the classes are specialist post-16 places.
/// 3 pupils more than the 10 places: one class of 8 nets 3 x 143,400 - 8 x 90,000 < 0, so
/// nothing is built; with 12 more pupils (22), two classes net 12 x 143,400 - 16 x 90,000 =
/// 280,800 against one class's 8 x 53,400 = 427,200: one class.
#[test]
fn post16_classes_only_where_they_pay() {
    let places = vec![ExistingProvision {
        school: 0,
        needs: NeedSet::all(),
        phase: Phase::Post16,
        places: 10,
        other_la_pupils: 0,
    }];
    let schools = vec![school("S", SchoolKind::Special, Phase::Post16, 40)];
    let (s, demand) = case(
        schools.clone(),
        places.clone(),
        Need::Sld,
        Phase::Post16,
        13,
    );
    for backend in backends() {
        assert_eq!(builds_of(&s, &demand, backend), vec![], "{backend:?}");
    }
    let (s, demand) = case(schools, places, Need::Sld, Phase::Post16, 22);
    for backend in backends() {
        assert_eq!(
            builds_of(&s, &demand, backend),
            vec![(BuildKind::Post16, 0, 8.0)],
            "{backend:?}"
        );
    }
}

/// A candidate site X for a new special school (20 to 100 places); 30 SLD primary pupils and no
/// existing places. 30 places funded in year 0 net 30 x 53,400 = 1,602,000 before the lump sum:
/// a lump sum of 1,000,000 leaves 602,000 (build); 2,000,000 makes it a loss (do not build).
/// With 15 pupils the school must still have 20 places: 15 x 143,400 - 20 x 90,000 = 351,000
/// with no lump sum (build 20, the first 15 in year 0).
#[test]
fn new_special_school_within_its_size_range_and_only_when_its_lump_sum_pays() {
    let site = || vec![school("X", SchoolKind::Site, Phase::Primary, 200)];
    let (mut s, demand) = case(site(), vec![], Need::Sld, Phase::Primary, 30);
    s.new_school.lump_sum = 1_000_000.0;
    for backend in backends() {
        assert_eq!(
            builds_of(&s, &demand, backend),
            vec![(BuildKind::NewSpecialSchool, 0, 30.0)],
            "{backend:?}"
        );
    }
    s.new_school.lump_sum = 2_000_000.0;
    for backend in backends() {
        assert_eq!(builds_of(&s, &demand, backend), vec![], "{backend:?}");
    }
    // The 5 places beyond the 15 used may be funded in any year up to the last (at a discount
    // rate of 0 they cost the same), so the school is checked by its total and first year.
    let (s, demand) = case(site(), vec![], Need::Sld, Phase::Primary, 15);
    for backend in backends() {
        let builds = builds_of(&s, &demand, backend);
        let total: f64 = builds.iter().map(|b| b.2).sum();
        assert_eq!(total, 20.0, "{backend:?}: {builds:?}");
        assert!(
            builds.iter().all(|b| b.0 == BuildKind::NewSpecialSchool),
            "{backend:?}: {builds:?}"
        );
        assert_eq!(builds[0].1, 0, "{backend:?}: {builds:?}");
    }
}

/// Lead times differ by kind: with a new school's lead time of 3 in a four-year plan, places
/// funded in year 0 first serve year 3 only (143,400 becomes 47,800 < 90,000): no school.
#[test]
fn a_new_school_that_opens_too_late_is_not_built() {
    let (mut s, demand) = case(
        vec![school("X", SchoolKind::Site, Phase::Primary, 200)],
        vec![],
        Need::Sld,
        Phase::Primary,
        30,
    );
    s.new_school.lead_time = 3;
    for backend in backends() {
        assert_eq!(builds_of(&s, &demand, backend), vec![], "{backend:?}");
    }
}
