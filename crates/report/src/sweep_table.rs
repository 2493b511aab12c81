//! A sweep's results as tables: the variants with their settings and figures, `sweep.csv` (one
//! row per variant), the capital vs running-cost Pareto frontier and `pareto.csv`.

use std::collections::BTreeMap;

use placeplan_model::error::Code;
use placeplan_model::finance::{CostLine, Costing};
use placeplan_model::plan::{Plan, SolveStatus};
use placeplan_model::summary::Summary;

use crate::tables;

/// A setting and its value in one variant, as written in the sweep file.
pub type Setting = (String, toml::Value);

/// One variant to run.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantSpec {
    pub name: String,
    pub settings: Vec<Setting>,
}

/// A value as plain text for names and tables.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// What one variant produced.
#[derive(Debug, Clone)]
pub struct VariantResult {
    pub spec: VariantSpec,
    pub outcome: Result<VariantFigures, String>,
}

/// What the sweep table, the Pareto frontier and the sweep report need from one variant's
/// run. The full run (every placement) goes to the variant's folder and is then dropped, so a
/// sweep's memory grows with the number of variants only by these few figures.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantFigures {
    pub status: SolveStatus,
    /// Backend or method that produced the plan.
    pub method: String,
    pub npv: f64,
    pub total: f64,
    /// Total of each cost line over the horizon, in [`CostLine::ALL`] order.
    pub lines: Vec<f64>,
    pub new_places: f64,
    pub new_bases: usize,
    /// New places by "need_phase" label, sorted.
    pub places: Vec<(String, f64)>,
    /// Plan years.
    pub years: Vec<i32>,
    /// Pupils out of area in the final plan year, and summed over every year.
    pub out_of_area_final: f64,
    pub out_of_area_years: f64,
    pub saving_vs_do_nothing: Option<f64>,
    pub saving_vs_greedy: Option<f64>,
}

impl VariantFigures {
    /// The figures of a checked run: its plan, costs and summary.
    pub fn of(plan: &Plan, costing: &Costing, summary: &Summary) -> VariantFigures {
        let mut places: BTreeMap<String, f64> = BTreeMap::new();
        for b in &plan.builds {
            let c = &plan.candidates[b.candidate];
            *places.entry(format!("{}_{}", c.need, c.phase)).or_default() += b.places;
        }
        let years = plan.years.len();
        VariantFigures {
            status: plan.status,
            method: plan.method.clone(),
            npv: costing.npv,
            total: costing.total,
            lines: CostLine::ALL
                .iter()
                .map(|l| costing.line_total(*l))
                .collect(),
            new_places: plan.new_places(),
            new_bases: summary.new_bases,
            places: places.into_iter().collect(),
            years: plan.years.clone(),
            out_of_area_final: if years > 0 {
                plan.out_of_area(years - 1)
            } else {
                0.0
            },
            out_of_area_years: (0..years).map(|t| plan.out_of_area(t)).sum::<f64>() + 0.0,
            saving_vs_do_nothing: summary.saving_vs_do_nothing,
            saving_vs_greedy: summary.saving_vs_greedy,
        }
    }

    /// Total of one cost line.
    pub fn line(&self, l: CostLine) -> f64 {
        CostLine::ALL
            .iter()
            .position(|x| *x == l)
            .map_or(0.0, |i| self.lines[i])
    }

    /// Capital and base set-up costs.
    pub fn capital(&self) -> f64 {
        self.line(CostLine::Capital) + self.line(CostLine::BaseSetup)
    }

    /// New places of one "need_phase" label.
    pub fn places_of(&self, label: &str) -> f64 {
        self.places
            .iter()
            .find(|(k, _)| k == label)
            .map_or(0.0, |p| p.1)
    }
}

/// Keys of every setting any variant sets, in first-seen order.
fn setting_keys(results: &[VariantResult]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in results {
        for (k, _) in &r.spec.settings {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// A setting's value as a CSV cell: a text value is a text cell, a number stays a number.
fn setting_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => placeplan_io::csvcell::text_cell(s),
        other => value_text(other),
    }
}

pub(crate) fn money(v: f64) -> String {
    tables::fixed(v, 2)
}

/// Need x phase labels of new places any variant funds, sorted.
fn place_columns(results: &[VariantResult]) -> Vec<String> {
    let mut cols: Vec<String> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .flat_map(|f| f.places.iter().map(|(label, _)| format!("places_{label}")))
        .collect();
    cols.sort();
    cols.dedup();
    cols
}

/// Whether a variant's failure reason is "no feasible plan" (it starts with that code).
pub fn is_infeasible(reason: &str) -> bool {
    reason.starts_with(Code::NoFeasiblePlan.as_str())
}

/// `sweep.csv`: one row per variant with its settings and key results.
pub fn sweep_csv(results: &[VariantResult]) -> Vec<u8> {
    let keys = setting_keys(results);
    let places = place_columns(results);
    let mut header: Vec<String> = vec!["variant".into()];
    header.extend(keys.iter().cloned());
    header.extend(
        [
            "status",
            "reason",
            "npv",
            "total_cost",
            "revenue_and_transport",
        ]
        .map(String::from),
    );
    header.extend(CostLine::ALL.iter().map(|l| l.code().to_string()));
    header.extend(["new_places", "new_bases"].map(String::from));
    header.extend(places.iter().cloned());
    header.extend(
        [
            "pupils_out_of_area_final_year",
            "pupil_years_out_of_area",
            "pupils_beyond_journey_limits",
            "saving_vs_do_nothing",
            "saving_vs_greedy",
        ]
        .map(String::from),
    );
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header.iter().map(|h| placeplan_io::csvcell::text_cell(h)));
    for r in results {
        let mut row = vec![placeplan_io::csvcell::text_cell(&r.spec.name)];
        for k in &keys {
            row.push(
                r.spec
                    .settings
                    .iter()
                    .find(|(sk, _)| sk == k)
                    .map(|(_, v)| setting_cell(v))
                    .unwrap_or_default(),
            );
        }
        match &r.outcome {
            Ok(f) => {
                row.push(f.status.code().into());
                row.push(String::new());
                row.push(money(f.npv));
                row.push(money(f.total));
                row.push(money(f.total - f.capital()));
                row.extend(f.lines.iter().map(|v| money(*v)));
                row.push(tables::fixed(f.new_places, 3));
                row.push(f.new_bases.to_string());
                for col in &places {
                    let label = col.strip_prefix("places_").unwrap_or(col);
                    row.push(tables::fixed(f.places_of(label), 3));
                }
                row.push(tables::fixed(f.out_of_area_final, 3));
                row.push(tables::fixed(f.out_of_area_years, 3));
                // Arcs beyond journey limits are never built, and the check re-verifies it.
                row.push("0".into());
                row.push(f.saving_vs_do_nothing.map(money).unwrap_or_default());
                row.push(f.saving_vs_greedy.map(money).unwrap_or_default());
            }
            Err(reason) => {
                let status = if is_infeasible(reason) {
                    "infeasible"
                } else {
                    "failed"
                };
                row.push(status.into());
                row.push(placeplan_io::csvcell::text_cell(&reason.replace('\n', " ")));
                let blanks = header.len() - row.len();
                row.extend(std::iter::repeat_n(String::new(), blanks));
            }
        }
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// One point of the capital vs running-cost trade-off.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoPoint {
    /// Every setting of the variant except the capital budget: points of one group differ only
    /// in budget, so they trace that group's trade-off curve.
    pub group: String,
    pub variant: String,
    pub capital: f64,
    /// Revenue and transport over the horizon (undiscounted).
    pub running: f64,
    pub npv: f64,
    /// No variant of the same group spends no more capital and no more on running costs, and
    /// less on one of them.
    pub on_frontier: bool,
}

/// A variant's every setting except the capital budget, as `key=value` pairs joined by spaces:
/// variants of one group differ only in their capital budget.
pub fn budget_group(spec: &VariantSpec) -> String {
    let group: Vec<String> = spec
        .settings
        .iter()
        .filter(|(k, _)| k != "capital_budget")
        .map(|(k, v)| format!("{k}={}", value_text(v)))
        .collect();
    group.join(" ")
}

/// Capital spend against running cost for every planned variant, grouped by all settings but
/// the capital budget, with each group's Pareto frontier marked; sorted by group and capital.
pub fn pareto(results: &[VariantResult]) -> Vec<ParetoPoint> {
    let mut pts: Vec<ParetoPoint> = results
        .iter()
        .filter_map(|r| {
            let f = r.outcome.as_ref().ok()?;
            let capital = f.capital();
            Some(ParetoPoint {
                group: budget_group(&r.spec),
                variant: r.spec.name.clone(),
                capital,
                running: f.total - capital,
                npv: f.npv,
                on_frontier: false,
            })
        })
        .collect();
    pts.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(a.capital.total_cmp(&b.capital))
            .then(a.running.total_cmp(&b.running))
            .then(a.variant.cmp(&b.variant))
    });
    // In each group, in order of capital then running cost, a point is dominated when an earlier
    // point runs cheaper, or runs as cheaply for less capital; exact ties both stay on the
    // frontier.
    let mut start = 0;
    while start < pts.len() {
        let end = (start..pts.len())
            .find(|&i| pts[i].group != pts[start].group)
            .unwrap_or(pts.len());
        let mut best_running = f64::INFINITY;
        let mut best_capital = f64::NEG_INFINITY;
        for p in &mut pts[start..end] {
            let dominated =
                best_running < p.running || (best_running == p.running && best_capital < p.capital);
            p.on_frontier = !dominated;
            if p.running < best_running {
                best_running = p.running;
                best_capital = p.capital;
            }
        }
        start = end;
    }
    pts.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(a.capital.total_cmp(&b.capital))
            .then(a.variant.cmp(&b.variant))
    });
    pts
}

/// `pareto.csv`: capital spend vs running cost of every variant, frontier marked.
pub fn pareto_csv(points: &[ParetoPoint]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "group",
        "variant",
        "capital",
        "revenue_and_transport",
        "npv",
        "on_frontier",
    ]);
    for p in points {
        let _ = w.write_record([
            placeplan_io::csvcell::text_cell(&p.group),
            placeplan_io::csvcell::text_cell(&p.variant),
            money(p.capital),
            money(p.running),
            money(p.npv),
            if p.on_frontier { "yes" } else { "no" }.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, capital: f64, running: f64) -> VariantResult {
        let mut lines = vec![0.0; CostLine::ALL.len()];
        let cap = CostLine::ALL
            .iter()
            .position(|l| *l == CostLine::Capital)
            .unwrap();
        lines[cap] = capital;
        VariantResult {
            spec: VariantSpec {
                name: name.into(),
                settings: vec![("capital_budget".into(), toml::Value::Float(capital))],
            },
            outcome: Ok(VariantFigures {
                status: SolveStatus::Optimal,
                method: "flow".into(),
                npv: capital + running,
                total: capital + running,
                lines,
                new_places: 0.0,
                new_bases: 0,
                places: vec![],
                years: vec![2026],
                out_of_area_final: 0.0,
                out_of_area_years: 0.0,
                saving_vs_do_nothing: None,
                saving_vs_greedy: None,
            }),
        }
    }

    /// Hand-worked frontier: B dominates C (same capital, dearer to run) and D and E (same
    /// running cost, more capital); B and its exact twin G both stay; A and F are extremes.
    #[test]
    fn pareto_frontier_by_hand() {
        let results = vec![
            result("D", 20.0, 90.0),
            result("A", 0.0, 100.0),
            result("C", 10.0, 95.0),
            result("B", 10.0, 90.0),
            result("F", 30.0, 50.0),
            result("E", 20.0, 90.0),
            result("G", 10.0, 90.0),
        ];
        let on: Vec<(String, bool)> = pareto(&results)
            .into_iter()
            .map(|p| (p.variant, p.on_frontier))
            .collect();
        let expect = [
            ("A", true),
            ("B", true),
            ("C", false),
            ("G", true),
            ("D", false),
            ("E", false),
            ("F", true),
        ];
        let expect: Vec<(String, bool)> = expect.iter().map(|(n, f)| (n.to_string(), *f)).collect();
        assert_eq!(on, expect);
    }

    /// Regression: variant names, text settings and failure reasons went verbatim into
    /// sweep.csv and pareto.csv, where a spreadsheet runs text such as `-cheap` or `=1+1` as a
    /// formula. Such text cells now start with a single quote, in capital.csv too; numbers,
    /// negative ones too, are left alone.
    #[test]
    fn sweep_and_pareto_csv_neutralise_formula_text() {
        let mut a = result("-cheap", 10.0, 90.0);
        a.spec
            .settings
            .push(("note".into(), toml::Value::String("=1+1".into())));
        a.spec
            .settings
            .push(("costs.transport_per_km".into(), toml::Value::Float(-5.0)));
        let mut b = result("b", 20.0, 80.0);
        b.outcome = Err("@no plan\nat all".into());
        let cells = |bytes: Vec<u8>| -> Vec<Vec<String>> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&bytes[..])
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect()
        };
        let sweep = cells(sweep_csv(&[a.clone(), b]));
        let col = |name: &str| sweep[0].iter().position(|h| h == name).unwrap();
        assert_eq!(sweep[1][0], "'-cheap");
        assert_eq!(sweep[1][col("note")], "'=1+1");
        assert_eq!(sweep[1][col("costs.transport_per_km")], "-5");
        assert_eq!(sweep[2][col("reason")], "'@no plan at all");
        let pareto = cells(pareto_csv(&pareto(&[a.clone()])));
        assert_eq!(pareto[1][1], "'-cheap");
        assert_eq!(pareto[1][2], "10.00");
        // capital.csv too: the variant's name is text, its budget a number.
        let mut c = a.clone();
        c.spec.name = "c".into();
        c.spec.settings[0].1 = toml::Value::Float(20.0);
        let levels = crate::sweep_capital::capital_levels(&[a, c]);
        let capital = cells(crate::sweep_capital::capital_csv(&levels.unwrap()));
        assert_eq!(capital[1][1], "'-cheap");
        assert_eq!(capital[1][2], "10.00");
    }
}
