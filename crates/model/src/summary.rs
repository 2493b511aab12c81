//! The headline numbers of one run (written as `summary.json` by the report crate).

use serde::Serialize;

use crate::finance::{CostLine, Costing};
use crate::forecast::Demand;
use crate::plan::Plan;
use crate::Scenario;

/// Headline numbers of one run, written as `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub years: Vec<i32>,
    pub status: String,
    pub backend: String,
    /// Discounted total cost the optimiser minimised (pounds).
    pub objective: f64,
    /// A proven lower bound on the objective of any plan the model allows (pounds), when the
    /// method gives one.
    pub bound: Option<f64>,
    /// (objective - bound) / objective: how far from the best possible plan this one may be.
    pub gap: Option<f64>,
    /// "passed" when the independent check found nothing wrong.
    pub check: String,
    pub check_facts: usize,
    /// New places funded over the horizon (a whole number is written without decimals).
    #[serde(serialize_with = "count")]
    pub new_places: f64,
    /// New bases (school x need x phase) that receive places.
    pub new_bases: usize,
    /// New places by kind of provision (`resourced_base`, `special_expansion`, `post16`,
    /// `new_special_school`), kinds with none left out.
    pub new_places_by_kind: std::collections::BTreeMap<String, f64>,
    /// Pupils placed out of area, by plan year (whole numbers without decimals).
    #[serde(serialize_with = "counts")]
    pub pupils_out_of_area: Vec<f64>,
    /// Pupils continuing in their phase whom the plan moves to another provision: those it
    /// brings back (`[solver] bring_back`, listed in moves.csv) and at least as many more as
    /// its yearly placements imply (0 for every plan made with stability, the default).
    pub pupils_moved_mid_phase: u64,
    /// Specialist places needed, by plan year.
    pub demand: Vec<u64>,
    /// Undiscounted cost over the horizon (pounds).
    pub total_cost: f64,
    /// Net present value of the costs (pounds).
    pub npv: f64,
    pub capital: f64,
    /// Costs by line over the horizon (pounds).
    pub cost_by_line: Vec<(String, f64)>,
    /// The do-nothing baseline's undiscounted cost and NPV, and what the plan saves against it.
    pub do_nothing_total_cost: Option<f64>,
    pub do_nothing_npv: Option<f64>,
    pub saving_vs_do_nothing: Option<f64>,
    /// First plan year by whose end cumulative savings against doing nothing cover the capital
    /// spent (none within the horizon: null).
    pub payback_year: Option<i32>,
    /// The greedy nearest-school baseline's NPV and new places, and what the plan saves against it.
    pub greedy_npv: Option<f64>,
    pub greedy_new_places: Option<f64>,
    pub saving_vs_greedy: Option<f64>,
    /// The "fill the biggest out-of-area gaps first" baseline's NPV and new places.
    pub gap_fill_npv: Option<f64>,
    pub gap_fill_new_places: Option<f64>,
    /// What the plan saves against the better (lower NPV) of the greedy and gap-fill baselines
    /// (either one when only one is there). With whole bases the plan is rounded, not proven
    /// optimal, so this can be negative.
    pub saving_vs_best_heuristic: Option<f64>,
    pub forecast_trend: f64,
}

impl Summary {
    pub fn new(
        s: &Scenario,
        demand: &Demand,
        plan: &Plan,
        costing: &Costing,
        check_facts: usize,
        forecast_trend: f64,
    ) -> Summary {
        Summary {
            scenario: s.name.clone(),
            years: plan.years.clone(),
            status: plan.status.code().to_string(),
            backend: plan.method.clone(),
            objective: round2(plan.objective),
            bound: plan.bound.map(round2),
            gap: plan.bound.map(|b| {
                if plan.objective > 0.0 {
                    ((plan.objective - b).max(0.0) / plan.objective * 1e6).round() / 1e6
                } else {
                    0.0
                }
            }),
            check: "passed".into(),
            check_facts,
            new_places: round3(plan.new_places()),
            new_bases: {
                let mut c: Vec<usize> = plan.builds.iter().map(|b| b.candidate).collect();
                c.dedup();
                c.len()
            },
            new_places_by_kind: {
                let mut by: std::collections::BTreeMap<String, f64> = Default::default();
                for b in plan.builds.iter().filter(|b| b.places > 0.0) {
                    *by.entry(plan.candidates[b.candidate].kind.code().to_string())
                        .or_default() += b.places;
                }
                by
            },
            pupils_out_of_area: (0..plan.years.len())
                .map(|t| round3(plan.out_of_area(t)))
                .collect(),
            pupils_moved_mid_phase: crate::cohort::pupils_moved_mid_phase(s, demand, plan),
            demand: (0..demand.years.len()).map(|t| demand.total(t)).collect(),
            total_cost: round2(costing.total),
            npv: round2(costing.npv),
            capital: round2(costing.line_total(CostLine::Capital)),
            cost_by_line: CostLine::ALL
                .iter()
                .map(|l| (l.code().to_string(), round2(costing.line_total(*l))))
                .collect(),
            do_nothing_total_cost: None,
            do_nothing_npv: None,
            saving_vs_do_nothing: None,
            payback_year: None,
            greedy_npv: None,
            greedy_new_places: None,
            saving_vs_greedy: None,
            gap_fill_npv: None,
            gap_fill_new_places: None,
            saving_vs_best_heuristic: None,
            forecast_trend: (forecast_trend * 1e6).round() / 1e6,
        }
    }

    /// Adds the do-nothing comparison.
    pub fn with_do_nothing(mut self, plan: &Costing, dn: &Costing) -> Summary {
        self.payback_year = crate::finance::payback_year(plan, dn);
        self.do_nothing_total_cost = Some(round2(dn.total));
        self.do_nothing_npv = Some(round2(dn.npv));
        self.saving_vs_do_nothing = Some(round2(dn.npv - self.npv));
        self
    }

    /// Adds the greedy comparison.
    pub fn with_greedy(mut self, greedy: &Costing, new_places: f64) -> Summary {
        self.greedy_npv = Some(round2(greedy.npv));
        self.greedy_new_places = Some(round3(new_places));
        self.saving_vs_greedy = Some(round2(greedy.npv - self.npv));
        self.with_best_heuristic()
    }

    /// Adds the gap-fill comparison.
    pub fn with_gap_fill(mut self, gap_fill: &Costing, new_places: f64) -> Summary {
        self.gap_fill_npv = Some(round2(gap_fill.npv));
        self.gap_fill_new_places = Some(round3(new_places));
        self.with_best_heuristic()
    }

    /// The saving against the better of the heuristic baselines there are.
    fn with_best_heuristic(mut self) -> Summary {
        let best = [self.greedy_npv, self.gap_fill_npv]
            .into_iter()
            .flatten()
            .reduce(f64::min);
        self.saving_vs_best_heuristic = best.map(|b| round2(b - self.npv));
        self
    }
}

/// Largest count written as a JSON integer (beyond it, f64 no longer holds every integer).
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// A count as a JSON integer when it is whole, else as a number with decimals.
fn count<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() && *v == v.round() && v.abs() <= MAX_EXACT {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

/// [`count`] for each of a list.
fn counts<S: serde::Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&Count(*x))?;
    }
    seq.end()
}

struct Count(f64);

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        count(&self.0, s)
    }
}

/// Rounded to pennies; a value that rounds to nothing is 0, never -0.
fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0 + 0.0
}
fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0 + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A saving of a fraction of a penny either way is reported as 0, with no minus sign.
    #[test]
    fn nothing_rounds_to_a_positive_zero() {
        for v in [-0.004, -0.0, 0.004] {
            assert!(round2(v) == 0.0 && round2(v).is_sign_positive(), "{v}");
        }
        assert_eq!(round2(-0.006), -0.01);
        assert!(round3(-0.0004).is_sign_positive());
    }
}
