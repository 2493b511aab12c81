//! Side-by-side comparison of finished runs (directories written by `plan` or `sweep`): costs
//! by year and line, new places by school, need and phase, and the differences from the first run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

use placeplan_io::csvread::read_csv;
use placeplan_model::error::{Code, InputError, Problems};
use placeplan_model::finance::CostLine;

/// What `compare` reads from one run directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub name: String,
    pub dir: PathBuf,
    pub status: String,
    pub npv: f64,
    pub total_cost: f64,
    pub new_places: f64,
    /// Costs by year: year -> line -> pounds (including `total`).
    pub costs: BTreeMap<String, BTreeMap<String, f64>>,
    /// New places by (school, need, phase).
    pub places: BTreeMap<String, f64>,
}

/// Reads `summary.json`, `costs.csv` and `plan.csv` of a run directory.
pub fn read_run(dir: &Path) -> Result<RunSummary, Problems> {
    let mut problems = Problems::default();
    let summary_path = dir.join("summary.json");
    let read =
        placeplan_io::csvread::read_input(&summary_path, placeplan_io::csvread::MAX_FILE_BYTES);
    let summary: Option<serde_json::Value> = match read {
        Ok(b) => match serde_json::from_slice(&b) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(
                    InputError::new(
                        &summary_path,
                        Code::Unreadable,
                        format!("not valid JSON: {e}"),
                    )
                    .at(e.line() as u64, Some(e.column() as u64)),
                );
                None
            }
        },
        Err(e) if e.code == Code::MissingFile => {
            problems.push(InputError::new(
                &summary_path,
                Code::MissingFile,
                format!("{} (is this a placeplan run directory?)", e.message),
            ));
            None
        }
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64());
    let mut costs: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let costs_path = dir.join("costs.csv");
    read_csv(&costs_path, &["year", "total"], &mut problems, |row| {
        let year = row.text("year").to_string();
        let mut lines = BTreeMap::new();
        for col in cost_columns() {
            if row.text(col).is_empty() {
                continue;
            }
            if let Some(v) = row.number(col) {
                lines.insert(col.to_string(), v);
            }
        }
        costs.insert(year, lines);
    });
    let mut places: BTreeMap<String, f64> = BTreeMap::new();
    let plan_path = dir.join("plan.csv");
    read_csv(
        &plan_path,
        &["school", "need", "phase", "places"],
        &mut problems,
        |row| {
            let key = format!(
                "{} {} {}",
                row.text("school"),
                row.text("need"),
                row.text("phase")
            );
            if let Some(v) = row.non_negative("places") {
                *places.entry(key).or_default() += v;
            }
        },
    );
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    let summary = summary.unwrap_or_default();
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| dir.display().to_string());
    Ok(RunSummary {
        name,
        dir: dir.to_path_buf(),
        status: summary
            .get("status")
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string(),
        npv: num(&summary, "npv").unwrap_or(f64::NAN),
        total_cost: num(&summary, "total_cost").unwrap_or(f64::NAN),
        new_places: num(&summary, "new_places").unwrap_or(0.0),
        costs,
        places,
    })
}

/// The columns of costs.csv read: every cost line ([`CostLine::ALL`], so a new line cannot be
/// left out), the total, the discounted total and the discount factor.
fn cost_columns() -> impl Iterator<Item = &'static str> {
    CostLine::ALL
        .iter()
        .map(|l| l.code())
        .chain(["total", "discounted", "discount_factor"])
}

/// One comparison row: a measure and its value in each run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    pub measure: String,
    pub values: Vec<f64>,
}

/// The comparison of several runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub runs: Vec<String>,
    pub rows: Vec<CompareRow>,
    /// The run with the lowest NPV over the horizon.
    pub cheapest: String,
}

pub fn compare(runs: &[RunSummary]) -> Comparison {
    let mut rows = Vec::new();
    let mut push = |measure: String, f: &dyn Fn(&RunSummary) -> f64| {
        rows.push(CompareRow {
            measure,
            values: runs.iter().map(f).collect(),
        });
    };
    push("npv".into(), &|r| r.npv);
    push("total_cost".into(), &|r| r.total_cost);
    push("new_places".into(), &|r| r.new_places);
    let years: BTreeSet<&String> = runs.iter().flat_map(|r| r.costs.keys()).collect();
    let lines: BTreeSet<&String> = runs
        .iter()
        .flat_map(|r| r.costs.values().flat_map(|l| l.keys()))
        .filter(|k| k.as_str() != "discount_factor")
        .collect();
    for y in &years {
        for l in &lines {
            let (y, l) = ((*y).clone(), (*l).clone());
            push(format!("cost {y} {l}"), &|r| {
                r.costs
                    .get(&y)
                    .and_then(|m| m.get(&l))
                    .copied()
                    .unwrap_or(0.0)
            });
        }
    }
    let places: BTreeSet<&String> = runs.iter().flat_map(|r| r.places.keys()).collect();
    for p in places {
        let p = p.clone();
        push(format!("places {p}"), &|r| {
            r.places.get(&p).copied().unwrap_or(0.0)
        });
    }
    let cheapest = runs
        .iter()
        .filter(|r| r.npv.is_finite())
        .min_by(|a, b| a.npv.total_cmp(&b.npv).then(a.name.cmp(&b.name)))
        .map(|r| r.name.clone())
        .unwrap_or_default();
    Comparison {
        runs: runs.iter().map(|r| r.name.clone()).collect(),
        rows,
        cheapest,
    }
}

impl Comparison {
    /// A text table with each run's value and its difference from the first run.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let w = 16;
        out.push_str(&format!("{:<40}", "measure"));
        for (i, r) in self.runs.iter().enumerate() {
            out.push_str(&format!(" {:>w$}", truncate(r, w)));
            if i > 0 {
                out.push_str(&format!(" {:>w$}", "delta"));
            }
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&format!("{:<40}", truncate(&row.measure, 40)));
            for (i, v) in row.values.iter().enumerate() {
                out.push_str(&format!(" {:>w$.0}", v));
                if i > 0 {
                    out.push_str(&format!(" {:>+w$.0}", v - row.values[0]));
                }
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "cheapest over the horizon (NPV): {}\n",
            self.cheapest
        ));
        out
    }

    /// CSV: measure, then one column per run and one delta column per later run.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["measure".to_string()];
        header.extend(
            self.runs
                .iter()
                .map(|r| placeplan_io::csvcell::text_cell(r)),
        );
        header.extend(self.runs.iter().skip(1).map(|r| format!("delta_{r}")));
        let _ = w.write_record(&header);
        for row in &self.rows {
            let mut r = vec![placeplan_io::csvcell::text_cell(&row.measure)];
            r.extend(row.values.iter().map(|v| format!("{v:.2}")));
            r.extend(
                row.values
                    .iter()
                    .skip(1)
                    .map(|v| format!("{:.2}", v - row.values[0])),
            );
            let _ = w.write_record(&r);
        }
        w.into_inner().unwrap_or_default()
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}~")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: run names (folder names) went verbatim into `compare --format csv`, where a
    /// spreadsheet runs a name such as `=1+1` as a formula. Text cells that start like a formula
    /// now start with a single quote; numbers, negative ones too, are left alone.
    /// Regression (review): compare read a fixed list of cost lines and left out
    /// other_authority, moves and residual_value. Every line of costs.csv is compared.
    #[test]
    fn every_cost_line_is_compared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("summary.json"),
            r#"{"status":"optimal","npv":1.0}"#,
        )
        .unwrap();
        let mut header: Vec<&str> = vec!["year"];
        header.extend(CostLine::ALL.iter().map(|l| l.code()));
        header.extend(["total", "discount_factor", "discounted"]);
        let values: Vec<String> = (0..header.len()).map(|i| i.to_string()).collect();
        std::fs::write(
            dir.path().join("costs.csv"),
            format!("{}\n2026,{}\n", header.join(","), values[1..].join(",")),
        )
        .unwrap();
        std::fs::write(dir.path().join("plan.csv"), "school,need,phase,places\n").unwrap();
        let run = read_run(dir.path()).unwrap();
        let c = compare(&[run]);
        for (i, line) in CostLine::ALL.iter().enumerate() {
            let row = c
                .rows
                .iter()
                .find(|r| r.measure == format!("cost 2026 {}", line.code()))
                .unwrap_or_else(|| panic!("{} is not compared", line.code()));
            assert_eq!(row.values, vec![(i + 1) as f64]);
        }
    }

    #[test]
    fn compare_csv_neutralises_formula_run_names() {
        let c = Comparison {
            runs: vec!["=1+1".into(), "@SUM(A1)".into()],
            rows: vec![CompareRow {
                measure: "npv".into(),
                values: vec![10.0, 4.5],
            }],
            cheapest: "@SUM(A1)".into(),
        };
        let csv = String::from_utf8(c.to_csv()).unwrap();
        assert_eq!(
            csv,
            "measure,'=1+1,'@SUM(A1),delta_@SUM(A1)\nnpv,10.00,4.50,-5.50\n"
        );
    }
}
