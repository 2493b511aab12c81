//! One planning run from a forecast: demand -> optimise -> independent check -> costs ->
//! baselines -> summary. Used by `plan` and by every sweep variant, so both behave the same.

use placeplan_model::error::{Code, CodedError};
use placeplan_model::finance::{cost_plan, Costing};
use placeplan_model::forecast::{calibrate, forecast_variant, variants, Demand, Forecast, Variant};
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

/// What a plan is made from before anything is solved: the forecasts, which of them the plan
/// is for, and the travel matrix.
pub struct Prepared {
    pub forecasts: Vec<Forecast>,
    /// Index in `forecasts` of the forecast the plan is for.
    pub planned_for: usize,
    pub travel: TravelMatrix,
}

/// Forecasts scenario `s` and builds its travel matrix, for a plan for `variant`. The
/// forecasts (unmitigated, and mitigated where the scenario has levers) and the travel matrix
/// are worked out side by side, on other cores when they are free; each is the same wherever
/// it runs.
pub fn prepare(s: &Scenario, variant: Variant) -> Prepared {
    use rayon::prelude::*;
    let cal = calibrate(s);
    // In the order `forecasts` gives them.
    let (forecasts, travel) = rayon::join(
        || {
            variants(s)
                .into_par_iter()
                .map(|v| forecast_variant(s, &cal, v))
                .collect::<Vec<Forecast>>()
        },
        || TravelMatrix::build(s),
    );
    let planned_for = forecasts
        .iter()
        .position(|f| f.variant == variant)
        .unwrap_or(0);
    Prepared {
        forecasts,
        planned_for,
        travel,
    }
}

impl Prepared {
    /// The allocation model `plan` builds for it, written in `format` (crates/solver `export`):
    /// the exact model, for any solver.
    pub fn model_file(&self, s: &Scenario, format: ModelFormat) -> Vec<u8> {
        let demand = self.forecasts[self.planned_for].specialist_demand(s.localities.len());
        write_model(s, &self.travel, &demand, format)
    }
}

/// [`plan_scenario`] from a [`Prepared`] forecast and travel matrix.
pub fn plan_prepared(
    s: &Scenario,
    prepared: Prepared,
    backend: Backend,
) -> Result<Planned, RunError> {
    let Prepared {
        forecasts,
        planned_for,
        travel,
    } = prepared;
    // The unmitigated forecast's do-nothing plan, when the plan is for another forecast, is
    // solved beside the plan (on another core when one is free); it changes nothing in it.
    let planned = forecasts[planned_for].specialist_demand(s.localities.len());
    let unmitigated = forecasts
        .iter()
        .find(|f| f.variant == Variant::Unmitigated)
        .map(|fc| fc.specialist_demand(s.localities.len()));
    let apart = unmitigated.as_ref().filter(|demand| **demand != planned);
    let (run, solved) = rayon::join(
        || plan_run(s, &forecasts[planned_for], &travel, backend, true),
        || apart.map(|demand| baseline::do_nothing(s, &travel, demand, backend)),
    );
    let mut run = run?;
    let unmitigated =
        unmitigated.and_then(|demand| unmitigated_do_nothing(s, &travel, demand, solved, &mut run));
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
    let mut summary = Summary::new(s, &demand, &plan, &costing, report.checked, forecast.trend);
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

    /// `prepare` works out the forecasts side by side: the same forecasts, in the same order,
    /// as `forecasts` gives one after the other (with levers: unmitigated, then mitigated),
    /// and the same travel matrix.
    #[test]
    fn prepared_forecasts_are_the_forecasts() {
        let (mut s, _, travel) = single_year_demo();
        assert!(!s.levers.is_empty());
        for levers in [s.levers.clone(), Vec::new()] {
            s.levers = levers;
            let prepared = prepare(&s, Variant::Mitigated);
            assert_eq!(prepared.forecasts, forecasts(&s));
            assert_eq!(
                prepared.forecasts.len(),
                1 + usize::from(!s.levers.is_empty())
            );
            assert_eq!(prepared.travel, travel);
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
