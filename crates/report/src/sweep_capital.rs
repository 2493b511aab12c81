//! What each capital level buys, for a sweep whose variants set `capital_budget` to at least two
//! different values: the planned variants of each group (every setting but the capital budget
//! equal, as in the Pareto chart) ordered by their total capital budget over the horizon, the
//! cost-minimising level, the marginal NPV of each step up per £1m of extra budget and the level
//! after which extra capital stops paying; and `capital.csv`.
//!
//! NPVs are taken to the penny, as `sweep.csv` writes them, so every figure here follows from
//! the NPVs in `sweep.csv`.

use std::collections::BTreeMap;

use crate::sweep_table::{budget_group, money, VariantResult};
use crate::tables;

/// One planned variant of a group, at its capital level.
#[derive(Debug, Clone, PartialEq)]
pub struct CapitalLevel {
    pub variant: String,
    /// Capital budget summed over the plan years (a yearly amount times the horizon).
    pub budget: f64,
    /// NPV to the penny, as in `sweep.csv`.
    pub npv: f64,
    /// NPV change per £1m of extra budget from the level before (negative: a saving); none
    /// for the first level, or when the level before has the same total budget.
    pub marginal: Option<f64>,
}

/// The variants of one group (differing only in their capital budget), by total budget.
#[derive(Debug, Clone, PartialEq)]
pub struct CapitalLine {
    /// The group's other settings (`key=value` pairs joined by spaces; empty: none).
    pub group: String,
    /// Planned variants by total budget (sweep order on ties).
    pub levels: Vec<CapitalLevel>,
    /// Index of the level with the lowest NPV (the lowest budget on ties).
    pub minimum: Option<usize>,
    /// Index of the first level after which the next step up saves nothing (marginal NPV per
    /// £1m at or above zero); none when every step saves, or there is no step.
    pub stops_paying: Option<usize>,
    /// Variants of the group without a plan, skipped, in sweep order.
    pub no_plan: Vec<String>,
}

/// The capital levels of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct CapitalLevels {
    /// One line per group, sorted by group.
    pub lines: Vec<CapitalLine>,
    /// Variants that do not set `capital_budget` (they keep the base scenario's), in sweep order.
    pub unbudgeted: Vec<String>,
    /// Plan years of the planned variants (0 when none planned).
    pub years: usize,
}

/// Marginal NPV per £1m of each level over the one before, for `(total budget, NPV)` pairs in
/// budget order: `(NPV[i] - NPV[i-1]) / ((B[i] - B[i-1]) / 1e6)`; none for the first level and
/// where the budget does not grow.
pub fn marginals(levels: &[(f64, f64)]) -> Vec<Option<f64>> {
    let mut out = Vec::with_capacity(levels.len());
    for (i, &(budget, npv)) in levels.iter().enumerate() {
        let step = i
            .checked_sub(1)
            .map(|j| levels[j])
            .filter(|(b0, _)| budget > *b0)
            .map(|(b0, n0)| (npv - n0) / ((budget - b0) / 1e6));
        out.push(step);
    }
    out
}

/// Index of the lowest NPV (the first, so the lowest budget, on ties).
fn cost_minimising(levels: &[CapitalLevel]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, l) in levels.iter().enumerate() {
        if best.is_none_or(|b| l.npv < levels[b].npv) {
            best = Some(i);
        }
    }
    best
}

/// The first level whose next step up (skipping steps that add no budget) saves nothing.
fn stops_paying(levels: &[CapitalLevel]) -> Option<usize> {
    (1..levels.len())
        .find(|&i| levels[i].marginal.is_some_and(|m| m >= 0.0))
        .map(|i| i - 1)
}

/// A `capital_budget` value as a total over `years` plan years: a yearly amount times the
/// years, or the sum of a per-year list.
fn budget_total(v: &toml::Value, years: usize) -> Option<f64> {
    let num = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    match v {
        toml::Value::Array(vs) => vs.iter().map(num).sum(),
        other => num(other).map(|b| b * years as f64),
    }
}

/// The capital levels of a sweep, or none when its variants do not set `capital_budget` to at
/// least two different values.
pub fn capital_levels(results: &[VariantResult]) -> Option<CapitalLevels> {
    let budget = |r: &VariantResult| {
        r.spec
            .settings
            .iter()
            .find(|(k, _)| k == "capital_budget")
            .map(|(_, v)| v.clone())
    };
    let mut values: Vec<String> = results
        .iter()
        .filter_map(|r| budget(r).map(|v| v.to_string()))
        .collect();
    values.sort();
    values.dedup();
    if values.len() < 2 {
        return None;
    }
    let years = results
        .iter()
        .find_map(|r| r.outcome.as_ref().ok())
        .map_or(0, |f| f.years.len());
    let mut groups: BTreeMap<String, CapitalLine> = BTreeMap::new();
    let mut unbudgeted = Vec::new();
    for r in results {
        let Some(value) = budget(r) else {
            unbudgeted.push(r.spec.name.clone());
            continue;
        };
        let group = budget_group(&r.spec);
        let line = groups.entry(group.clone()).or_insert_with(|| CapitalLine {
            group,
            levels: Vec::new(),
            minimum: None,
            stops_paying: None,
            no_plan: Vec::new(),
        });
        let planned = r.outcome.as_ref().ok();
        match (planned, budget_total(&value, years)) {
            (Some(f), Some(total)) => line.levels.push(CapitalLevel {
                variant: r.spec.name.clone(),
                budget: total,
                // To the penny, exactly as sweep.csv writes it.
                npv: money(f.npv).parse().unwrap_or(f.npv),
                marginal: None,
            }),
            _ => line.no_plan.push(r.spec.name.clone()),
        }
    }
    let lines = groups
        .into_values()
        .map(|mut line| {
            // Stable: sweep order on equal budgets.
            line.levels.sort_by(|a, b| a.budget.total_cmp(&b.budget));
            let pairs: Vec<(f64, f64)> = line.levels.iter().map(|l| (l.budget, l.npv)).collect();
            for (l, m) in line.levels.iter_mut().zip(marginals(&pairs)) {
                l.marginal = m;
            }
            line.minimum = cost_minimising(&line.levels);
            line.stops_paying = stops_paying(&line.levels);
            line
        })
        .collect();
    Some(CapitalLevels {
        lines,
        unbudgeted,
        years,
    })
}

/// `capital.csv`: every planned variant that sets `capital_budget`, by group and total budget,
/// with its NPV, the marginal NPV per £1m of the step up to it, and flags for the
/// cost-minimising level and the level after which extra capital stops paying.
pub fn capital_csv(levels: &CapitalLevels) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "group",
        "variant",
        "capital_budget_total",
        "npv",
        "marginal_npv_per_1m",
        "cost_minimising",
        "stops_paying",
    ]);
    let flag = |b: bool| if b { "yes" } else { "no" }.to_string();
    for line in &levels.lines {
        for (i, l) in line.levels.iter().enumerate() {
            let _ = w.write_record([
                placeplan_io::csvcell::text_cell(&line.group),
                placeplan_io::csvcell::text_cell(&l.variant),
                money(l.budget),
                money(l.npv),
                l.marginal.map(|m| tables::fixed(m, 2)).unwrap_or_default(),
                flag(line.minimum == Some(i)),
                flag(line.stops_paying == Some(i)),
            ]);
        }
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep_table::{VariantFigures, VariantSpec};
    use placeplan_model::finance::CostLine;
    use placeplan_model::plan::SolveStatus;

    fn result(name: &str, budget: toml::Value, npv: Option<f64>) -> VariantResult {
        VariantResult {
            spec: VariantSpec {
                name: name.into(),
                settings: vec![("capital_budget".into(), budget)],
            },
            outcome: npv.map_or(Err("E505 no feasible plan".into()), |npv| {
                Ok(VariantFigures {
                    status: SolveStatus::Optimal,
                    method: "flow".into(),
                    npv,
                    total: npv,
                    lines: vec![0.0; CostLine::ALL.len()],
                    new_places: 0.0,
                    new_bases: 0,
                    places: vec![],
                    years: vec![2026, 2027, 2028, 2029],
                    out_of_area_final: 0.0,
                    out_of_area_years: 0.0,
                    saving_vs_do_nothing: None,
                    saving_vs_greedy: None,
                })
            }),
        }
    }

    /// Hand-worked: NPVs of £100m, £98m, £97.5m and £97.6m at total budgets of 0, £1m, £2m
    /// and £3m give marginal NPVs of -£2.0m, -£0.5m and +£0.1m per £1m: the cost-minimising
    /// level is £2m, and extra capital stops paying after it.
    #[test]
    fn marginal_npv_per_million_by_hand() {
        let m = marginals(&[(0.0, 100e6), (1e6, 98e6), (2e6, 97.5e6), (3e6, 97.6e6)]);
        assert_eq!(m, vec![None, Some(-2.0e6), Some(-0.5e6), Some(0.1e6)]);
        // Steps of £2m halve the figure per £1m; a step that adds no budget has none.
        assert_eq!(
            marginals(&[(1e6, 10e6), (3e6, 9e6), (3e6, 8e6)]),
            vec![None, Some(-0.5e6), None]
        );

        // The same sweep as a yearly budget over four plan years (0, £250k, £500k, £750k a
        // year), given out of order, with a variant that has no plan and one that keeps the
        // base scenario's budget.
        let f = toml::Value::Float;
        let mut results = vec![
            result("c", f(500_000.0), Some(97.5e6)),
            result("a", toml::Value::Integer(0), Some(100e6)),
            result("d", f(750_000.0), Some(97.6e6)),
            result("none", f(1e6), None),
            result("b", f(250_000.0), Some(98e6)),
        ];
        results.push(VariantResult {
            spec: VariantSpec {
                name: "base".into(),
                settings: vec![],
            },
            ..result("base", f(0.0), Some(1.0))
        });
        let levels = capital_levels(&results).unwrap();
        assert_eq!(levels.unbudgeted, ["base"]);
        assert_eq!(levels.years, 4);
        let [line] = &levels.lines[..] else {
            panic!("{levels:?}")
        };
        let got: Vec<(&str, f64, f64, Option<f64>)> = line
            .levels
            .iter()
            .map(|l| (l.variant.as_str(), l.budget, l.npv, l.marginal))
            .collect();
        assert_eq!(
            got,
            [
                ("a", 0.0, 100e6, None),
                ("b", 1e6, 98e6, Some(-2.0e6)),
                ("c", 2e6, 97.5e6, Some(-0.5e6)),
                ("d", 3e6, 97.6e6, Some(0.1e6)),
            ]
        );
        assert_eq!(line.minimum, Some(2));
        assert_eq!(line.stops_paying, Some(2));
        assert_eq!(line.no_plan, ["none"]);
        let csv = String::from_utf8(capital_csv(&levels)).unwrap();
        assert_eq!(
            csv,
            "group,variant,capital_budget_total,npv,marginal_npv_per_1m,cost_minimising,stops_paying\n\
             ,a,0.00,100000000.00,,no,no\n\
             ,b,1000000.00,98000000.00,-2000000.00,no,no\n\
             ,c,2000000.00,97500000.00,-500000.00,yes,yes\n\
             ,d,3000000.00,97600000.00,100000.00,no,no\n"
        );
    }

    /// A per-year list is summed; every step saving means capital never stops paying within
    /// the sweep; on equal NPVs the lower budget is the minimum; one budget value alone is no
    /// capital sweep.
    #[test]
    fn lists_are_summed_and_one_budget_is_not_a_capital_sweep() {
        let list =
            |v: &[f64]| toml::Value::Array(v.iter().map(|x| toml::Value::Float(*x)).collect());
        let results = [
            result("a", list(&[1e6, 0.0, 0.0, 0.0]), Some(10e6)),
            result("b", list(&[1e6, 1e6, 0.0, 1e6]), Some(9e6)),
        ];
        let levels = capital_levels(&results).unwrap();
        let line = &levels.lines[0];
        assert_eq!(line.levels[1].budget, 3e6);
        assert_eq!(line.levels[1].marginal, Some(-0.5e6));
        assert_eq!((line.minimum, line.stops_paying), (Some(1), None));
        // Equal NPVs: the lower budget is the cost-minimising level, and the step saves nothing.
        let tied = [
            result("a", list(&[1e6, 0.0, 0.0, 0.0]), Some(9e6)),
            result("b", list(&[1e6, 1e6, 0.0, 1e6]), Some(9e6)),
        ];
        let line = &capital_levels(&tied).unwrap().lines[0];
        assert_eq!(line.levels[1].marginal, Some(0.0));
        assert_eq!((line.minimum, line.stops_paying), (Some(0), Some(0)));
        assert_eq!(capital_levels(&results[..1]), None);
    }
}
