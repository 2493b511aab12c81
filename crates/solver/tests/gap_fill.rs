//! The "fill the biggest out-of-area gaps first" baseline on a case worked out by hand.

use placeplan_model::check;
use placeplan_model::finance::cost_plan;
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::plan::Build;
use placeplan_model::travel::{great_circle_km, TravelMatrix};
use placeplan_model::*;
use placeplan_solver::baseline::{do_nothing, gap_fill, gap_fill_builds, greedy_builds};
use placeplan_solver::Backend;

fn mainstream(id: &str, lon: f64) -> School {
    School {
        id: id.into(),
        name: id.into(),
        kind: SchoolKind::Mainstream,
        phases: PhaseSet::default().with(Phase::Primary),
        lat: 53.40,
        lon,
        can_host_base: true,
        max_new_places: 20,
        capex_per_place: None,
        place_cost: None,
        ages: None,
        gender: SchoolGender::Mixed,
        selective: false,
    }
}

/// Localities A (longitude -3.00) and B (-2.80) on one parallel; mainstream schools M1 at A and
/// M2 half way (-2.90), each may host a base (site 20, bases 8..20, set-up 10,000). No existing
/// provision. Demand, both plan years: 6 ASD primary pupils in A, 5 in B. Lead time 1, so only
/// places funded in the first year open (in the second). The yearly model (no stability) and no
/// residual value, so the costs can be followed by hand.
///
/// Journeys (straight line x 1.3, 25 km/h, + 5 minutes): 0.1 degrees of longitude is about
/// 6.64 km, 8.63 road km, 25.7 minutes; 0.2 degrees 46.4 minutes, over the 45-minute primary
/// limit. So M1 is reached from A only, M2 from both.
fn two_localities() -> (Scenario, Demand) {
    let s = Scenario {
        name: "gap".into(),
        base_year: 2025,
        horizon: 2,
        discount_rate: 0.035,
        capital_budget: vec![10_000_000.0; 2],
        costs: CostParams {
            transport_fixed: 1_000.0,
            transport_per_km: 100.0,
            base_fixed_cost: 10_000.0,
            ..CostParams::default()
        },
        journey: JourneyLimits::default(),
        travel: TravelSettings::default(),
        bases: BaseRules::default(),
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
        levers: vec![],
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
                lon: -2.80,
            },
        ],
        schools: vec![mainstream("M1", -3.00), mainstream("M2", -2.90)],
        provisions: vec![],
        population: vec![],
        history: vec![],
        roads: vec![],
        placed_elsewhere: vec![],
    };
    let group = |locality| DemandGroup {
        locality,
        need: Need::Asd,
        phase: Phase::Primary,
    };
    let demand = Demand {
        years: vec![2026, 2027],
        groups: vec![group(0), group(1)],
        pupils: vec![vec![6, 5]; 2],
    };
    (s, demand)
}

/// (school, places) of each build, in build order.
fn at_schools(s: &Scenario, builds: &[Build]) -> Vec<(usize, f64, usize)> {
    let cands = placeplan_model::plan::candidates(s);
    builds
        .iter()
        .map(|b| {
            assert_eq!(cands[b.candidate].need, Need::Asd);
            (cands[b.candidate].school, b.places, b.funded)
        })
        .collect()
}

/// Doing nothing sends all 11 pupils out of area each year. The ASD primary gap in the opening
/// year is 11; M1 reaches 6 of them (A only), M2 all 11: one base of 11 places at M2, funded in
/// the first year, and nothing left. (Greedy, cluster by cluster, funds a base for A's 6 at the
/// nearest school M1, at the minimum size 8, then one for B's 5 at M2, also 8: 16 places.)
///
/// Costs: first year 11 out of area x (64,000 + 9,800) = 811,800, capital 11 x 63,000 =
/// 693,000 and set-up 10,000; second year 11 at M2 x (16,000 + 1,000 + 100 km) = 187,000 +
/// 1,100 km, km = road km of 0.1 degrees, discounted by 1.035. NPV = 1,514,800 +
/// (187,000 + 1,100 km) / 1.035.
#[test]
fn one_base_where_the_most_of_the_gap_can_reach_it() {
    let (s, demand) = two_localities();
    let travel = TravelMatrix::build(&s);
    let dn = do_nothing(&s, &travel, &demand, Backend::Flow).unwrap();
    assert_eq!(dn.out_of_area(1), 11.0);

    let builds = gap_fill_builds(&s, &travel, &demand, &dn);
    assert_eq!(at_schools(&s, &builds), vec![(1, 11.0, 0)]);
    let greedy = greedy_builds(&s, &travel, &demand, &dn);
    assert_eq!(at_schools(&s, &greedy), vec![(0, 8.0, 0), (1, 8.0, 0)]);

    let plan = gap_fill(&s, &travel, &demand, &dn, Backend::Flow).unwrap();
    assert!(plan.method.starts_with("gap-fill"), "{}", plan.method);
    let r = check(&s, &travel, &demand, &plan);
    assert!(r.passed(), "{:?}", r.violations);
    assert_eq!(plan.out_of_area(0), 11.0);
    assert_eq!(plan.out_of_area(1), 0.0);
    let km = great_circle_km(53.40, -3.00, 53.40, -2.90) * s.travel.detour_factor;
    let expected = 1_514_800.0 + (187_000.0 + 1_100.0 * km) / 1.035;
    let npv = cost_plan(&s, &travel, &demand, &plan).npv;
    assert!(
        (npv - expected).abs() < 1e-6 * expected,
        "{npv} vs {expected}"
    );
    assert!((plan.objective - expected).abs() < 1e-6 * expected);
}

/// A first-year budget of 600,000: after the set-up cost 590,000 buys 9 whole places at
/// 63,000 (567,000), so the base at M2 has 9 places. With 500,000 (7 places) not even the
/// minimum size of 8 fits at either school: nothing is funded.
#[test]
fn the_budget_caps_the_base_and_the_minimum_size_holds() {
    let (mut s, demand) = two_localities();
    let travel = TravelMatrix::build(&s);
    let dn = do_nothing(&s, &travel, &demand, Backend::Flow).unwrap();
    s.capital_budget = vec![600_000.0, 0.0];
    assert_eq!(
        at_schools(&s, &gap_fill_builds(&s, &travel, &demand, &dn)),
        vec![(1, 9.0, 0)]
    );
    let plan = gap_fill(&s, &travel, &demand, &dn, Backend::Flow).unwrap();
    assert!(check(&s, &travel, &demand, &plan).passed());
    assert_eq!(plan.out_of_area(1), 2.0);
    s.capital_budget = vec![500_000.0, 0.0];
    assert!(gap_fill_builds(&s, &travel, &demand, &dn).is_empty());
}
