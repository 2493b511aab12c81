//! The capital level of a sweep that varies the capital budget: `capital.csv` and the report's
//! "Capital level" section, from the demo's `sweep-capital.toml` run by the `placeplan` binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

#[path = "support/run.rs"]
mod run;

use run::{placeplan, read_all, root, text};

/// Rows of a CSV file as maps from header to cell.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn num(cell: &str) -> f64 {
    cell.parse()
        .unwrap_or_else(|_| panic!("'{cell}' is not a number"))
}

/// `capital.csv` has the NPVs of `sweep.csv` for the same variants, by total budget over the
/// five-year horizon; its marginal NPVs per £1m follow from them; the cost-minimising level is
/// the lowest NPV; and report.html names it in its "Capital level" section. (That capital.csv
/// and the section are the same bytes at any thread count, and after `sweep-merge`, is checked
/// by `sweep_is_deterministic_across_threads_and_reports_infeasible_variants` in tests/cli.rs
/// and `three_shards_in_three_processes_merge_byte_identically` in tests/shard.rs.)
#[test]
fn capital_sweep_writes_marginal_npv_per_million_and_names_the_cost_minimising_level() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = root().join("scenarios/demo/sweep-capital.toml");
    let (out, o) = run_sweep(&sweep, dir.path());
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("capital.csv (NPV by total capital budget)"),
        "{said}"
    );
    let sweep_rows = rows(&out.join("sweep.csv"));
    let capital = rows(&out.join("capital.csv"));
    assert_eq!(capital.len(), 6, "{capital:?}");
    assert_eq!(sweep_rows.len(), 6);
    let mut prev: Option<(f64, f64)> = None;
    for c in &capital {
        let s = sweep_rows
            .iter()
            .find(|s| s["variant"] == c["variant"])
            .unwrap_or_else(|| panic!("{} is not in sweep.csv", c["variant"]));
        assert_eq!(c["npv"], s["npv"], "{}", c["variant"]);
        assert_eq!(c["group"], "");
        let budget = num(&c["capital_budget_total"]);
        assert_eq!(budget, num(&s["capital_budget"]) * 5.0);
        let npv = num(&c["npv"]);
        match prev {
            None => assert_eq!(c["marginal_npv_per_1m"], ""),
            Some((b0, n0)) => {
                assert!(budget > b0, "not in budget order");
                let expect = (npv - n0) / ((budget - b0) / 1e6);
                let got = num(&c["marginal_npv_per_1m"]);
                assert!((got - expect).abs() <= 0.005, "{got} vs {expect}");
            }
        }
        prev = Some((budget, npv));
    }
    // The cost-minimising level: the lowest NPV, the lowest budget on ties.
    let npvs: Vec<f64> = capital.iter().map(|c| num(&c["npv"])).collect();
    let lowest = npvs.iter().copied().fold(f64::INFINITY, f64::min);
    let min = npvs.iter().position(|n| *n == lowest).unwrap();
    let flags: Vec<&str> = capital
        .iter()
        .map(|c| c["cost_minimising"].as_str())
        .collect();
    let mut expect = vec!["no"; 6];
    expect[min] = "yes";
    assert_eq!(flags, expect);
    // Extra capital stops paying after the first level whose next step saves nothing.
    let stop = (1..6)
        .find(|&i| num(&capital[i]["marginal_npv_per_1m"]) >= 0.0)
        .map(|i| i - 1);
    let stops: Vec<&str> = capital.iter().map(|c| c["stops_paying"].as_str()).collect();
    let mut expect = vec!["no"; 6];
    if let Some(k) = stop {
        expect[k] = "yes";
    }
    assert_eq!(stops, expect);

    // Each variant of capital.csv has its own outputs in its folder.
    let files: Vec<String> = read_all(&out).into_iter().map(|f| f.0).collect();
    for c in &capital {
        let plan = format!("{}/plan.csv", c["variant"]);
        assert!(files.contains(&plan), "{plan} is missing");
    }

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let start = html
        .find("id=\"sweep-capital\"")
        .expect("a Capital level section");
    let section = &html[start..];
    assert!(section.contains("Capital level"));
    assert!(section.contains("data-chart=\"capital\""));
    // The demo's figures, as sweep-capital.toml's comment says: every step saves up to 40m a
    // year (200m over the horizon), the cost-minimising level, and the steps beyond save
    // nothing (the plan no longer spends the budget).
    assert_eq!(capital[min]["variant"], "3_capital_budget-40000000");
    assert_eq!(stop, Some(min));
    assert!((3..6).all(|i| num(&capital[i]["marginal_npv_per_1m"]) == 0.0));
    assert!((1..3).all(|i| num(&capital[i]["marginal_npv_per_1m"]) < 0.0));
    for said in [
        "the cost-minimising total capital budget is <strong>£200m</strong> (variant \
         <strong>3_capital_budget-40000000</strong>",
        "Extra capital stops paying after <strong>£200m</strong>: the step up to £300m saves \
         nothing.",
    ] {
        assert!(section.contains(said), "{said} is not in the section");
    }
    assert_eq!(section.matches("class=\"datum point\"").count(), 6);
}

/// A sweep whose variants all have one capital budget writes no `capital.csv` and no
/// "Capital level" section.
#[test]
fn one_capital_budget_writes_no_capital_csv() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = false\nformats = \"csv\"\n\n[axes]\ncapital_budget = [3000000.0]\n",
            root().join("scenarios/demo").display()
        ),
    )
    .unwrap();
    let (out, o) = run_sweep(&sweep, dir.path());
    assert!(out.join("sweep.csv").is_file());
    assert!(!out.join("capital.csv").exists());
    assert!(!String::from_utf8_lossy(&o.stdout).contains("capital.csv"));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("id=\"sweep-capital\""));
}

/// Runs `placeplan sweep FILE --out DIR/out`, which must succeed.
fn run_sweep(file: &Path, dir: &Path) -> (PathBuf, Output) {
    let out = dir.join("out");
    let o = placeplan(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (out, o)
}
