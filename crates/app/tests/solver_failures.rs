//! Settings no check has seen never make the solver panic, and its failures keep their codes.

use placeplan_app::{plan_run, RunError};
use placeplan_io::scenario::load_scenario;
use placeplan_model::forecast::forecasts;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::{Code, Scenario};
use placeplan_solver::cflp::{solve_cflp, CflpInstance};
use placeplan_solver::{solve_chained, Backend, Chain, Options, SolveError};

fn scenario(name: &str) -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut s = load_scenario(&dir.join(name)).expect("the scenario loads");
    s.forecast.runs = 20;
    s
}

/// Regression: a time limit of 1e19 s made microlp's deadline overflow (a panic), and NaN made
/// `Duration::from_secs_f64` panic, in a fresh solve and in a budget chain alike. Values that
/// bypass the settings check are now clamped to a valid deadline.
#[test]
fn unchecked_time_limit_1e19_does_not_panic() {
    let mut s = scenario("demo-single-year");
    let travel = TravelMatrix::build(&s);
    let demand = forecasts(&s)
        .remove(0)
        .specialist_demand(s.localities.len());
    let optimise = Options::optimise();
    for limit in [1e19, f64::NAN, f64::INFINITY, -1.0] {
        s.solver.time_limit_s = limit;
        // A negative limit is the shortest, 0.1 s, which may stop the solve without a plan.
        let done = |r: &Result<_, SolveError>| {
            r.is_ok() || (limit < 0.0 && matches!(r, Err(SolveError::TimeLimit)))
        };
        let fresh = solve_chained(&s, &travel, &demand, &optimise, Backend::Microlp, None);
        assert!(done(&fresh), "{limit}: {fresh:?}");
        let mut chain = Chain::for_budgets();
        for _ in 0..2 {
            let chain = Some(&mut chain);
            let chained = solve_chained(&s, &travel, &demand, &optimise, Backend::Microlp, chain);
            assert!(done(&chained), "{limit}: {chained:?}");
        }
        // A NaN setting never equals itself, so its chain re-solves from scratch.
        if limit > 0.0 {
            assert_eq!(chain.warm_solves, 1, "{limit}: the second solve is warm");
        }
    }
}

/// The same for the facility-location solve behind `placeplan cflp`.
#[test]
fn unchecked_cflp_time_limit_does_not_panic() {
    let inst = CflpInstance {
        name: "tiny".into(),
        capacity: vec![10.0, 20.0],
        fixed: vec![5.0, 7.0],
        demand: vec![3.0],
        cost: vec![vec![1.5, 2.5]],
    };
    for limit in [1e19, f64::NAN, f64::INFINITY, -1.0, 0.0] {
        let r = solve_cflp(&inst, Backend::Microlp, limit).map(|r| (r.objective, r.open));
        // Site 1 alone: 5 + 1.5.
        assert_eq!(r, Ok((6.5, vec![0])), "{limit}");
    }
}

/// A capital cost per place far beyond the per-row cap (which the reader refuses, E113) breaks
/// the solver. On the demo's demand (as forecast and rounded since issue 18) microlp's basis
/// becomes singular at 1e15, it wrongly reports no feasible plan at 3e15, and at 1e19 its answer
/// fails the check. (Where it breaks, and how, depends on the demand: an intermediate forecast of
/// issue 18 planned at 1e15.) Should such a value ever reach it, each failure carries its code;
/// the cap itself, 1e9, still plans.
#[test]
fn implausible_capex_past_the_check_fails_with_a_solver_code() {
    for (capex, code) in [
        (1e15, Some(Code::SolverFailed)),
        (3e15, Some(Code::NoFeasiblePlan)),
        (1e19, Some(Code::CheckFailed)),
        (1e9, None),
    ] {
        let mut s = scenario("demo");
        // The model these failures were found on: the continuous yearly model (fractional
        // places, no stability) with every place usable (at the default occupancy target
        // microlp happens to survive 1e15).
        s.solver.occupancy_target = 1.0;
        s.bases.modular = false;
        s.solver.stability = false;
        let host = s.schools.iter_mut().find(|sc| sc.can_host_base);
        host.expect("the demo has host schools").capex_per_place = Some(capex);
        let travel = TravelMatrix::build(&s);
        let fc = forecasts(&s).remove(0);
        let r = plan_run(&s, &fc, &travel, Backend::Microlp, false);
        assert_eq!(r.as_ref().err().map(RunError::code), code, "{capex}");
    }
}
