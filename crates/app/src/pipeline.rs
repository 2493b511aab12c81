//! One planning run from a forecast: demand -> optimise -> independent check -> costs ->
//! baselines -> summary. Used by `plan` and by every sweep variant, so both behave the same.

use placeplan_model::error::{Code, CodedError};
use placeplan_model::finance::{cost_plan, Costing};
use placeplan_model::forecast::{
    calibrate, central_demand, forecast_variant, variants, Calibration, Demand, Forecast, Variant,
};
use placeplan_model::plan::Plan;
use placeplan_model::summary::Summary;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;
use placeplan_report::export::RunOutputs;

use placeplan_model::check::check;
use placeplan_solver::baseline;
use placeplan_solver::export::{write_model, ModelFormat};
use placeplan_solver::formulation::Options;
use placeplan_solver::solve::{solve_chained, Backend, SolveError};
use placeplan_solver::warm::Chain;

/// Why a run produced no plan. Each kind has a stable code ([`RunError::code`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The scenario has no feasible plan; the text says why.
    #[error("{0}")]
    Infeasible(String),
    /// The solver produced a plan that failed the independent check (never written).
    #[error("the plan failed the independent check and was not written:\n  {}", .0.join("\n  "))]
    CheckFailed(Vec<String>),
    /// Any other solver failure.
    #[error("{0}")]
    Solver(SolveError),
}

impl RunError {
    /// The stable error code of this outcome (docs/errors.md).
    pub fn code(&self) -> Code {
        match self {
            RunError::Infeasible(_) => Code::NoFeasiblePlan,
            RunError::CheckFailed(_) => Code::CheckFailed,
            RunError::Solver(e) => e.code(),
        }
    }

    /// The error with its code, printed as `CODE message` and a hint.
    pub fn coded(&self) -> CodedError {
        CodedError::new(self.code(), self.to_string())
    }
}

impl From<SolveError> for RunError {
    fn from(e: SolveError) -> Self {
        match e {
            SolveError::Infeasible(_) => RunError::Infeasible(e.to_string()),
            other => RunError::Solver(other),
        }
    }
}

/// A checked plan with its costs and baselines.
#[derive(Debug, Clone)]
pub struct Run {
    pub demand: Demand,
    pub plan: Plan,
    pub costing: Costing,
    pub summary: Summary,
    /// The do-nothing baseline and its costs, when it solved and passed the check.
    pub do_nothing: Option<(Plan, Costing)>,
    /// The greedy nearest-school baseline and its costs, when it solved and passed the check.
    pub greedy: Option<(Plan, Costing)>,
    /// The "fill the biggest out-of-area gaps first" baseline and its costs, when it solved and
    /// passed the check.
    pub gap_fill: Option<(Plan, Costing)>,
    /// Why a baseline asked for is missing (it did not solve, or failed the check), in plain
    /// words; empty when every baseline asked for is there.
    pub baseline_notes: Vec<String>,
}

impl Run {
    /// Everything the renderers need from this run, with the scenario, travel model and forecast
    /// it was planned from.
    pub fn outputs<'a>(
        &'a self,
        scenario: &'a Scenario,
        travel: &'a TravelMatrix,
        forecast: &'a Forecast,
    ) -> RunOutputs<'a> {
        RunOutputs {
            scenario,
            travel,
            forecast,
            demand: &self.demand,
            plan: &self.plan,
            costing: &self.costing,
            summary: &self.summary,
            do_nothing: self.do_nothing.as_ref().map(|(p, c)| (p, c)),
            unmitigated: None,
        }
    }
}

/// A scenario planned end to end: its forecasts (unmitigated, and mitigated when levers are
/// set), the one planned for, the travel model, and the checked run.
#[derive(Debug, Clone)]
pub struct Planned {
    pub forecasts: Vec<Forecast>,
    /// Index in `forecasts` of the forecast the plan is for.
    pub planned_for: usize,
    pub travel: TravelMatrix,
    pub run: Run,
    /// The unmitigated forecast's demand placed with no new places (its do-nothing plan,
    /// checked), for the DSG grid's unmitigated rows; `None` when it did not solve or pass the
    /// check (the reason is in `run.baseline_notes`).
    pub unmitigated: Option<(Demand, Plan)>,
}

impl Planned {
    /// The forecast the plan is for.
    pub fn forecast(&self) -> &Forecast {
        &self.forecasts[self.planned_for]
    }

    /// Everything the renderers need.
    pub fn outputs<'a>(&'a self, scenario: &'a Scenario) -> RunOutputs<'a> {
        RunOutputs {
            unmitigated: self.unmitigated.as_ref().map(|(d, p)| (d, p)),
            ..self.run.outputs(scenario, &self.travel, self.forecast())
        }
    }
}

/// Forecasts `s`, builds its travel model and plans for the `variant` forecast (the first one
/// when the scenario has no such variant) with baselines: what `placeplan plan` does.
pub fn plan_scenario(
    s: &Scenario,
    variant: Variant,
    backend: Backend,
) -> Result<Planned, RunError> {
    plan_prepared(s, prepare(s, variant), backend)
}

/// What a plan is made from before anything is solved: the calibration, the forecast
/// variants, which of them the plan is for, each variant's specialist demand (its central
/// projection) and the travel matrix. The forecasts' Monte Carlo runs are left to
/// [`plan_prepared`], which works them out beside the plan.
pub struct Prepared {
    calibration: Calibration,
    /// The forecast variants, in the order [`variants`] gives them.
    pub variants: Vec<Variant>,
    /// Index in `variants` of the variant the plan is for.
    pub planned_for: usize,
    /// Each variant's specialist demand, in the order of `variants`
    /// ([`central_demand`]: the same as its forecast's).
    pub demands: Vec<Demand>,
    pub travel: TravelMatrix,
}

/// Calibrates scenario `s`, works out the specialist demand of each forecast variant and
/// builds the travel matrix, for a plan for `variant` (the first variant when the scenario
/// has no such variant: with no levers there is only the unmitigated one).
pub fn prepare(s: &Scenario, variant: Variant) -> Prepared {
    let calibration = calibrate(s);
    let variants = variants(s);
    let (demands, travel) = rayon::join(
        || {
            variants
                .iter()
                .map(|v| central_demand(s, &calibration, *v))
                .collect::<Vec<Demand>>()
        },
        || TravelMatrix::build(s),
    );
    let planned_for = variants.iter().position(|v| *v == variant).unwrap_or(0);
    Prepared {
        calibration,
        variants,
        planned_for,
        demands,
        travel,
    }
}

impl Prepared {
    /// The allocation model `plan` builds for it, written in `format` (crates/solver `export`):
    /// the exact model, for any solver.
    pub fn model_file(&self, s: &Scenario, format: ModelFormat) -> Vec<u8> {
        write_model(s, &self.travel, &self.demands[self.planned_for], format)
    }
}

/// [`plan_scenario`] from a [`Prepared`] calibration, demand and travel matrix. The plan
/// starts at once from the planned variant's demand; the forecasts' Monte Carlo runs, which
/// only the outputs need, are worked out beside it (on another core when one is free), as is
/// the unmitigated forecast's do-nothing plan when the plan is for another forecast. Each is
/// the same wherever it runs.
pub fn plan_prepared(
    s: &Scenario,
    prepared: Prepared,
    backend: Backend,
) -> Result<Planned, RunError> {
    use rayon::prelude::*;
    let Prepared {
        calibration,
        variants,
        planned_for,
        demands,
        travel,
    } = prepared;
    let planned = &demands[planned_for];
    let unmitigated = variants.iter().position(|v| *v == Variant::Unmitigated);
    let apart = unmitigated
        .map(|u| &demands[u])
        .filter(|demand| *demand != planned);
    let ((run, solved), forecasts) = rayon::join(
        || {
            rayon::join(
                || {
                    plan_run_for(
                        s,
                        planned.clone(),
                        calibration.trend,
                        &travel,
                        backend,
                        true,
                        None,
                    )
                },
                || apart.map(|demand| baseline::do_nothing(s, &travel, demand, backend)),
            )
        },
        || {
            variants
                .par_iter()
                .map(|v| forecast_variant(s, &calibration, *v))
                .collect::<Vec<Forecast>>()
        },
    );
    let mut run = run?;
    debug_assert!(forecasts
        .iter()
        .zip(&demands)
        .all(|(f, d)| f.specialist_demand(s.localities.len()) == *d));
    let unmitigated = unmitigated
        .and_then(|u| unmitigated_do_nothing(s, &travel, demands[u].clone(), solved, &mut run));
    Ok(Planned {
        forecasts,
        planned_for,
        travel,
        run,
        unmitigated,
    })
}

/// The unmitigated forecast's `demand` and its do-nothing plan (checked): `solved` beside the
/// run when the run is for another forecast, else (None) the run's own do-nothing baseline.
/// `None`, with a note in the run, when it cannot be had.
fn unmitigated_do_nothing(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: Demand,
    solved: Option<Result<Plan, SolveError>>,
    run: &mut Run,
) -> Option<(Demand, Plan)> {
    let Some(solved) = solved else {
        return run
            .do_nothing
            .as_ref()
            .map(|(plan, _)| (demand, plan.clone()));
    };
    match checked_baseline(s, travel, &demand, solved) {
        Ok((plan, _)) => Some((demand, plan)),
        Err(why) => {
            run.baseline_notes
                .push(format!("no unmitigated rows in the DSG grid: {why}"));
            None
        }
    }
}

/// Plans for `forecast`, checks the plan and costs it; with `baselines`, also solves and checks
/// the do-nothing, greedy and gap-fill plans for comparison.
pub fn plan_run(
    s: &Scenario,
    forecast: &Forecast,
    travel: &TravelMatrix,
    backend: Backend,
    baselines: bool,
) -> Result<Run, RunError> {
    plan_run_chained(s, forecast, travel, backend, baselines, None)
}

/// [`plan_run`] within a budget chain (see [`placeplan_solver::warm`]).
pub fn plan_run_chained(
    s: &Scenario,
    forecast: &Forecast,
    travel: &TravelMatrix,
    backend: Backend,
    baselines: bool,
    chain: Option<&mut Chain>,
) -> Result<Run, RunError> {
    let demand = forecast.specialist_demand(s.localities.len());
    plan_run_for(s, demand, forecast.trend, travel, backend, baselines, chain)
}

/// [`plan_run_chained`] for `demand`, from a forecast whose calibrated trend is `trend`.
fn plan_run_for(
    s: &Scenario,
    demand: Demand,
    trend: f64,
    travel: &TravelMatrix,
    backend: Backend,
    baselines: bool,
    chain: Option<&mut Chain>,
) -> Result<Run, RunError> {
    // Each baseline is a feasible plan, checked like the optimised one before it is compared.
    // The optimiser starts from the planner's heuristics: its plan never costs more than either.
    let mut do_nothing = None;
    let mut greedy = None;
    let mut gap_fill = None;
    let mut baseline_notes = Vec::new();
    let plan = if baselines {
        let solved = baseline::plan_with_baselines(s, travel, &demand, backend, chain);
        match checked_baseline(s, travel, &demand, solved.do_nothing) {
            Err(why) => baseline_notes.push(format!("no do-nothing comparison: {why}")),
            Ok(dn) => do_nothing = Some(dn),
        }
        if let Some(g) = solved.greedy {
            match checked_baseline(s, travel, &demand, g) {
                Err(why) => baseline_notes.push(format!("no greedy comparison: {why}")),
                Ok(g) => greedy = Some(g),
            }
        }
        if let Some(gf) = solved.gap_fill {
            match checked_baseline(s, travel, &demand, gf) {
                Err(why) => baseline_notes.push(format!("no gap-fill comparison: {why}")),
                Ok(gf) => gap_fill = Some(gf),
            }
        }
        solved.plan?
    } else {
        solve_chained(s, travel, &demand, &Options::optimise(), backend, chain)?
    };
    let mut report = check(s, travel, &demand, &plan);
    if !report.passed() {
        return Err(RunError::CheckFailed(report.violations));
    }
    // The check costed the plan to verify the objective: its costing is the run's.
    let costing = report
        .costing
        .take()
        .unwrap_or_else(|| cost_plan(s, travel, &demand, &plan));
    let mut summary = Summary::new(s, &demand, &plan, &costing, report.checked, trend);
    if let Some((_, dn_cost)) = &do_nothing {
        summary = summary.with_do_nothing(&costing, dn_cost);
    }
    if let Some((g, g_cost)) = &greedy {
        summary = summary.with_greedy(g_cost, g.new_places());
    }
    if let Some((gf, gf_cost)) = &gap_fill {
        summary = summary.with_gap_fill(gf_cost, gf.new_places());
    }
    Ok(Run {
        demand,
        plan,
        costing,
        summary,
        do_nothing,
        greedy,
        gap_fill,
        baseline_notes,
    })
}

/// A baseline plan that solved and passed the check, with its costs; otherwise why not.
fn checked_baseline(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    solved: Result<Plan, SolveError>,
) -> Result<(Plan, Costing), String> {
    let plan = solved.map_err(|e| {
        let words: Vec<String> = e
            .to_string()
            .lines()
            .map(|l| l.trim().to_string())
            .collect();
        format!("{} {}", e.code(), words.join(" "))
    })?;
    let mut report = check(s, travel, demand, &plan);
    if !report.passed() {
        return Err(format!(
            "the baseline failed the independent check ({})",
            report.violations.join("; ")
        ));
    }
    // (A check that passed always costed the plan.)
    let costing = report
        .costing
        .take()
        .unwrap_or_else(|| cost_plan(s, travel, demand, &plan));
    Ok((plan, costing))
}

#[cfg(test)]
mod tests {
    use super::*;
    use placeplan_model::forecast::forecasts;

    /// The single-year demo (its data from the demo borough), planned for its mitigated forecast.
    fn single_year_demo() -> (Scenario, Forecast, TravelMatrix) {
        let dir = tempfile::tempdir().unwrap();
        placeplan_io::demo::write_demo(dir.path()).unwrap();
        let mut s = placeplan_io::load_scenario(dir.path()).unwrap();
        s.horizon = 1;
        s.capital_budget.truncate(1);
        s.bases.lead_time = 0;
        s.forecast.runs = 20;
        let fc = forecasts(&s).remove(0);
        let travel = TravelMatrix::build(&s);
        (s, fc, travel)
    }

    /// `prepare` works out each variant's demand from its central projection alone, and
    /// `plan_prepared` the forecasts beside the plan: the same forecasts, in the same order, as
    /// `forecasts` gives one after the other (with levers: unmitigated, then mitigated), the
    /// same demands as theirs, the same travel matrix, and the plan `plan_run` makes from the
    /// planned forecast.
    #[test]
    fn prepared_forecasts_are_the_forecasts() {
        let (mut s, _, travel) = single_year_demo();
        assert!(!s.levers.is_empty());
        for levers in [s.levers.clone(), Vec::new()] {
            s.levers = levers;
            let whole = forecasts(&s);
            let prepared = prepare(&s, Variant::Mitigated);
            let n = s.localities.len();
            let demands: Vec<Demand> = whole.iter().map(|f| f.specialist_demand(n)).collect();
            assert_eq!(prepared.demands, demands);
            assert_eq!(prepared.travel, travel);
            let planned_for = whole.len() - 1;
            assert_eq!(prepared.planned_for, planned_for);
            assert_eq!(whole.len(), 1 + usize::from(!s.levers.is_empty()));
            let planned = plan_prepared(&s, prepared, Backend::Flow).unwrap();
            assert_eq!(planned.forecasts, whole);
            let alone = plan_run(&s, &whole[planned_for], &travel, Backend::Flow, true).unwrap();
            assert_eq!(planned.run.plan, alone.plan);
            assert_eq!(planned.run.summary, alone.summary);
        }
    }

    /// A baseline that could not be solved, or whose plan fails the check, was dropped without a
    /// word. Now the reason is kept (with the solver's code), and a baseline that passes is
    /// costed exactly as a fresh costing would cost it.
    #[test]
    fn a_missing_baseline_says_why() {
        let (s, fc, travel) = single_year_demo();
        let demand = fc.specialist_demand(s.localities.len());
        let unsolved = checked_baseline(
            &s,
            &travel,
            &demand,
            Err(SolveError::Infeasible(vec!["no room".into()])),
        );
        assert_eq!(unsolved.unwrap_err(), "E505 no feasible plan: no room");

        let run = plan_run(&s, &fc, &travel, Backend::Flow, true).unwrap();
        assert!(run.baseline_notes.is_empty(), "{:?}", run.baseline_notes);
        let (dn, _) = run.do_nothing.clone().expect("do-nothing solved");
        let (plan, costing) = checked_baseline(&s, &travel, &demand, Ok(dn.clone())).unwrap();
        assert_eq!(costing, cost_plan(&s, &travel, &demand, &plan));

        let mut tampered = dn;
        tampered.placements.pop();
        let failed = checked_baseline(&s, &travel, &demand, Ok(tampered)).unwrap_err();
        assert!(
            failed.starts_with("the baseline failed the independent check ("),
            "{failed}"
        );
    }

    /// Regression: every solver failure collapsed into a string with no code; a plan that failed
    /// the check looked like an input error. Each outcome now has its own stable code and
    /// prints as `CODE message` with the code's hint.
    #[test]
    fn every_solver_failure_has_a_stable_code() {
        let cases = [
            (
                RunError::from(SolveError::TimeLimit),
                "E501 the solver stopped at its time limit before finding any plan",
            ),
            (
                RunError::from(SolveError::Backend("Singular matrix".into())),
                "E502 solver error: Singular matrix",
            ),
            (
                RunError::CheckFailed(vec!["year 2026: group 3 placed 4 of 5".into()]),
                "E503 the plan failed the independent check and was not written:\n  year 2026: group 3 placed 4 of 5",
            ),
            (
                RunError::from(SolveError::CheckFailed(vec!["site 1 open = 0.5".into()])),
                "E503 the solver's answer failed the independent check:\n  site 1 open = 0.5",
            ),
            (
                RunError::from(SolveError::Unavailable(placeplan_solver::Backend::Highs)),
                "E504 backend highs is not in this build (rebuild with `--features highs`)",
            ),
            (
                RunError::from(SolveError::Infeasible(vec!["no room".into()])),
                "E505 no feasible plan:\n  no room",
            ),
        ];
        for (e, shown) in cases {
            let hint = e.code().hint();
            assert_eq!(e.coded().to_string(), format!("{shown}\n    hint: {hint}"));
        }
    }
}
