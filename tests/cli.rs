//! Integration tests: drive the `placeplan` binary in temporary directories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/browser.rs"]
mod browser;
#[path = "support/data.rs"]
mod data;
#[path = "support/run.rs"]
mod run;

use run::{placeplan, read_all, root, text};

fn demo_dir() -> PathBuf {
    root().join("scenarios/demo")
}

/// Copies a scenario directory (files only) into a fresh temp dir.
fn copy_scenario(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
        }
    }
    dir
}

/// Replaces line `n` (1-based) of a file.
fn set_line(path: &Path, n: usize, line: &str) {
    let t = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = t.lines().map(String::from).collect();
    lines[n - 1] = line.to_string();
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

fn line(path: &Path, n: usize) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .nth(n - 1)
        .unwrap()
        .to_string()
}

/// Replaces field `col` (0-based) of line `n`.
fn set_field(path: &Path, n: usize, col: usize, value: &str) {
    let mut fields: Vec<String> = line(path, n).split(',').map(String::from).collect();
    fields[col] = value.to_string();
    set_line(path, n, &fields.join(","));
}

#[test]
fn demo_is_valid() {
    let o = placeplan(&["validate", demo_dir().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("valid"));
}

#[test]
fn demo_command_recreates_the_committed_demo_byte_for_byte() {
    let out = tempfile::tempdir().unwrap();
    let o = placeplan(&["demo", "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut names: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    // The marker that makes the folder placeplan's is not part of the scenario.
    assert!(names.contains(&std::ffi::OsString::from(".placeplan")));
    for name in names.into_iter().filter(|n| n != ".placeplan") {
        let made = std::fs::read(out.path().join(&name)).unwrap();
        let committed = std::fs::read(demo_dir().join(&name))
            .unwrap_or_else(|_| panic!("{name:?} is not in scenarios/demo"));
        assert!(
            made == committed,
            "{name:?} differs from the committed demo"
        );
    }
}

#[test]
fn plan_on_the_demo_writes_checked_outputs_deterministically() {
    let out1 = tempfile::tempdir().unwrap();
    let out2 = tempfile::tempdir().unwrap();
    for out in [&out1, &out2] {
        let o = placeplan(&[
            "plan",
            demo_dir().to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        // The README shows this table, line for line (all but the last line, which names the
        // output folder).
        let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
        let shown = readme
            .split("It also prints a short table:\n\n```\n")
            .nth(1)
            .and_then(|r| r.split("```").next())
            .expect("README shows the table");
        let printed = String::from_utf8_lossy(&o.stdout);
        let printed: Vec<&str> = printed
            .lines()
            .filter(|l| !l.starts_with("wrote "))
            .collect();
        assert_eq!(shown.lines().collect::<Vec<_>>(), printed);
    }
    for f in [
        "forecast.csv",
        "plan.csv",
        "placements.csv",
        "costs.csv",
        "summary.json",
        "dsg_grid.csv",
        "scap_send.csv",
        "plan.xlsx",
    ] {
        let a = std::fs::read(out1.path().join(f)).unwrap();
        let b = std::fs::read(out2.path().join(f)).unwrap();
        assert!(!a.is_empty(), "{f} is empty");
        assert!(a == b, "{f} differs between two identical runs");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out1.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["check"], "passed");
    // The default rules (whole bases, stability): round and fix with a proven bound, within the
    // scenario's 0.5% (README: 0.34%), and no pupil moved mid-phase.
    assert_eq!(summary["status"], "rounded");
    let gap = summary["gap"].as_f64().unwrap();
    assert!((0.0..0.005).contains(&gap), "{gap}");
    assert_eq!(summary["pupils_moved_mid_phase"], 0);
    // The optimiser starts from the planner's heuristics: never dearer than either.
    assert!(summary["saving_vs_greedy"].as_f64().unwrap() >= -0.01);
    assert!(summary["saving_vs_best_heuristic"].as_f64().unwrap() >= -0.01);
    let npv = summary["npv"].as_f64().unwrap();
    let objective = summary["objective"].as_f64().unwrap();
    assert!(
        (npv - objective).abs() <= 1e-6 * npv + 0.02,
        "{npv} vs {objective}"
    );
    // The optimised plan never costs more than doing nothing (do nothing is a feasible plan).
    assert!(summary["saving_vs_do_nothing"].as_f64().unwrap() >= -0.01);
    assert!(summary["new_places"].as_f64().unwrap() >= 0.0);
    // costs.csv total row reconciles with the summary.
    let costs = std::fs::read_to_string(out1.path().join("costs.csv")).unwrap();
    let total_row = costs.lines().last().unwrap();
    assert!(total_row.starts_with("total,"));
    let fields: Vec<&str> = total_row.split(',').collect();
    let csv_npv: f64 = fields.last().unwrap().parse().unwrap();
    assert!((csv_npv - npv).abs() < 0.02, "{csv_npv} vs {npv}");
    // No temp files left behind.
    for e in std::fs::read_dir(out1.path()).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(!n.ends_with(".tmp"), "left {n}");
    }
}

/// The single-year demo is one min-cost flow with a binding budget: the default backend answers
/// it itself, and microlp reaches the same optimum.
#[test]
fn single_year_demo_is_planned_by_the_flow_engine() {
    let dir = root().join("scenarios/demo-single-year");
    let mut npv = Vec::new();
    for backend in ["flow", "microlp"] {
        let out = tempfile::tempdir().unwrap();
        let o = placeplan(&[
            "plan",
            dir.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--backend",
            backend,
            "--formats",
            "csv",
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary["backend"], backend);
        assert_eq!(summary["check"], "passed");
        // The budget binds: all of it is spent.
        let capital = summary["capital"].as_f64().unwrap();
        assert!((capital - 3_000_000.0).abs() < 1.0, "{capital}");
        npv.push(summary["npv"].as_f64().unwrap());
    }
    assert!((npv[0] - npv[1]).abs() <= 1e-6 * npv[1], "{npv:?}");
}

/// summary.json reports the gap-fill baseline beside greedy, and the saving against the better
/// of the two heuristics is min(greedy_npv, gap_fill_npv) - npv; the report's headline and the
/// workbook's Summary sheet name it too.
#[test]
fn summary_reports_the_gap_fill_baseline() {
    let out = tempfile::tempdir().unwrap();
    let dir = root().join("scenarios/demo-single-year");
    let o = placeplan(&[
        "plan",
        dir.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--formats",
        "csv,html,xlsx",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    let field = |k: &str| {
        summary[k]
            .as_f64()
            .unwrap_or_else(|| panic!("summary.json has no number {k}: {summary}"))
    };
    let (npv, greedy, gap_fill) = (field("npv"), field("greedy_npv"), field("gap_fill_npv"));
    assert!(field("gap_fill_new_places") >= 0.0);
    // Kept beside the new ones.
    field("saving_vs_greedy");
    let best = field("saving_vs_best_heuristic");
    let expected = greedy.min(gap_fill) - npv;
    assert!((best - expected).abs() <= 0.011, "{best} vs {expected}");
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        html.contains("Against filling the biggest out-of-area gaps first (NPV"),
        "the headline does not name the gap-fill plan"
    );
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.path().join("plan.xlsx")).unwrap();
    let summary_sheet = calamine::Reader::worksheet_range(&mut wb, "Summary").unwrap();
    let row = summary_sheet
        .rows()
        .find(|r| r[0] == "Biggest-gaps-first: NPV")
        .expect("the Summary sheet has the gap-fill NPV");
    let calamine::Data::Float(v) = row[1] else {
        panic!("the gap-fill NPV is not a number: {row:?}")
    };
    assert!((v - gap_fill).abs() <= 0.011, "{v} vs {gap_fill}");
}

/// `synth` writes a valid scenario, the same bytes for the same seed; a bad scale is a usage
/// error.
#[test]
fn synth_writes_a_valid_reproducible_scenario() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for out in [&a, &b] {
        let dir = out.path().join("ward");
        let o = placeplan(&[
            "synth",
            "--scale",
            "ward",
            "--seed",
            "7",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = placeplan(&["validate", a.path().join("ward").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        read_all(&a.path().join("ward")),
        read_all(&b.path().join("ward"))
    );
    let o = placeplan(&[
        "synth",
        "--scale",
        "county",
        "--out",
        a.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn validate_lists_every_planted_error_with_position() {
    let dir = copy_scenario(&demo_dir());
    let d = dir.path();
    // 1. localities.csv line 3: latitude outside the UK (col 3 = lat).
    set_field(&d.join("localities.csv"), 3, 2, "48.1");
    // 2. localities.csv line 5: duplicate of the id on line 2.
    let first_id = line(&d.join("localities.csv"), 2)
        .split(',')
        .next()
        .unwrap()
        .to_string();
    set_field(&d.join("localities.csv"), 5, 0, &first_id);
    // 3. schools.csv line 4: unknown kind; 4. line 6: unknown phase.
    set_field(&d.join("schools.csv"), 4, 2, "academy");
    set_field(&d.join("schools.csv"), 6, 3, "tertiary");
    // 5. capacity.csv line 2: unknown need.
    set_field(&d.join("capacity.csv"), 2, 1, "AUT");
    // 6. population.csv line 10: negative count; 7. line 20: age 30.
    set_field(&d.join("population.csv"), 10, 3, "-4");
    set_field(&d.join("population.csv"), 20, 2, "30");
    // 8. history.csv line 7: unknown locality; 9. line 8: count not a number.
    set_field(&d.join("history.csv"), 7, 1, "NOWHERE");
    set_field(&d.join("history.csv"), 8, 5, "lots");

    let o = placeplan(&["validate", d.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for needle in [
        "localities.csv:3:3: E105 [lat]",
        "localities.csv:5:1: E201 [id]",
        "schools.csv:4:3: E108 [kind]",
        "schools.csv:6:4: E104 [phases]",
        "capacity.csv:2:2: E103 [needs]",
        "population.csv:10:4: E102 [count]",
        "population.csv:20:3: E106 [age]",
        "history.csv:7:2: E202 [locality]",
        "history.csv:8:6: E101 [count]",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in:\n{err}");
    }
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn missing_file_and_bad_toml_are_input_errors() {
    let dir = copy_scenario(&demo_dir());
    std::fs::remove_file(dir.path().join("capacity.csv")).unwrap();
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E001"),
        "{}",
        text(&o)
    );

    let toml = dir.path().join("scenario.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, t.replacen("horizon = 5", "horizon = \"five\"", 1)).unwrap();
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("scenario.toml:") && err.contains("E301"),
        "{err}"
    );

    let o = placeplan(&["validate", "/nonexistent/placeplan"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn infeasible_plan_exits_1_with_the_reason_and_writes_nothing() {
    let dir = copy_scenario(&demo_dir());
    let toml = dir.path().join("scenario.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    let t = t.replace("allow_out_of_area = true", "allow_out_of_area = false");
    let t = t.replace("secondary = 75.0", "secondary = 6.0");
    assert!(
        t.contains("allow_out_of_area = false"),
        "demo scenario.toml changed shape"
    );
    std::fs::write(&toml, t).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = placeplan(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--out",
        out.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("secondary pupils in") && err.contains("within 6 minutes"),
        "{err}"
    );
    assert!(!out.path().join("x").exists());
}

#[test]
fn unknown_backend_is_a_usage_error() {
    let o = placeplan(&["plan", demo_dir().to_str().unwrap(), "--backend", "gurobi"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// A small sweep: two budgets plus one variant that cannot be planned (no out-of-area and a
/// 6-minute secondary journey limit). Results are byte-identical on 1, 2 and 8 threads, the
/// infeasible variant is reported in its row and the others carry on.
#[test]
fn sweep_is_deterministic_across_threads_and_reports_infeasible_variants() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = demo_sweep(dir.path(), TWO_BUDGETS_AND_AN_INFEASIBLE_VARIANT);
    let outputs = sweep_on_threads(&sweep, dir.path(), "out", &["1", "2", "8"]);
    // The two budgets make a capital sweep: capital.csv is among the files compared.
    assert!(outputs[0].iter().any(|f| f.0 == "capital.csv"));
    for other in &outputs[1..] {
        assert_eq!(outputs[0].len(), other.len());
        for (a, b) in outputs[0].iter().zip(other) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} differs between thread counts", a.0);
        }
    }
    let csv = String::from_utf8(
        outputs[0]
            .iter()
            .find(|f| f.0 == "sweep.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].starts_with("1_capital_budget-1000000,") && lines[1].contains(",rounded,"),
        "{csv}"
    );
    assert!(
        lines[3].starts_with("no-out-of-area,") && lines[3].contains(",infeasible,"),
        "{csv}"
    );
    assert!(lines[3].contains("within 6 minutes"), "{csv}");
    // More capital never raises the optimal cost (same demand, more room).
    let npv = |line: &str| -> f64 {
        let header: Vec<&str> = lines[0].split(',').collect();
        let i = header.iter().position(|h| *h == "npv").unwrap();
        line.split(',').nth(i).unwrap().parse().unwrap()
    };
    assert!(npv(lines[2]) <= npv(lines[1]));

    // compare two variant runs side by side.
    let out1 = dir.path().join("out1");
    let o = placeplan(&[
        "compare",
        out1.join("1_capital_budget-1000000").to_str().unwrap(),
        out1.join("2_capital_budget-4000000").to_str().unwrap(),
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let cmp = String::from_utf8_lossy(&o.stdout);
    assert!(cmp.starts_with("measure,1_capital_budget-1000000,2_capital_budget-4000000,delta_2_capital_budget-4000000"), "{cmp}");
    assert!(cmp.contains("\ncost total capital,"), "{cmp}");
    let o = placeplan(&[
        "compare",
        out1.join("1_capital_budget-1000000").to_str().unwrap(),
        out1.join("2_capital_budget-4000000").to_str().unwrap(),
    ]);
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("cheapest over the horizon (NPV): 2_capital_budget-4000000"),
        "{}",
        text(&o)
    );
}

/// Sweep variants run in order keep the previous variant's plan where its relaxation's duals
/// prove it within the gap on theirs: 16 capital costs a pound apart on the two-year demo run
/// in 8 runs of two. A kept plan is the previous variant's (the same builds, costed again at
/// its own capital cost), says so, passes the check and reports a bound within
/// `solver.mip_gap`; the outputs are the same on 1 and 2 threads.
#[test]
fn sweep_variants_keep_the_previous_plan_within_the_gap() {
    let (scenario, dir, _) = two_year_demo("stability = true", "stability = true");
    let sweep = dir.path().join("sweep.toml");
    let costs: Vec<String> = (0..16).map(|i| format!("{}.0", 63000 + i)).collect();
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = false\n[axes]\n\"costs.capex_per_place\" = [{}]\n",
            scenario.path().display(),
            costs.join(", ")
        ),
    )
    .unwrap();
    let outputs = sweep_on_threads(&sweep, dir.path(), "out", &["1", "2"]);
    assert!(
        outputs[0] == outputs[1],
        "outputs differ between thread counts"
    );
    let out = dir.path().join("out1");
    let builds = |v: usize| -> Vec<String> {
        let name = format!("{:02}_capex_per_place-{}", v + 1, 63000 + v);
        let plan = std::fs::read_to_string(out.join(name).join("plan.csv")).unwrap();
        // Every column but the capital, the last.
        plan.lines()
            .map(|l| l.rsplit_once(',').unwrap().0.to_string())
            .collect()
    };
    let summary = |v: usize| -> serde_json::Value {
        let name = format!("{:02}_capex_per_place-{}", v + 1, 63000 + v);
        let text = std::fs::read_to_string(out.join(name).join("summary.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let mut kept = 0;
    for v in 0..16 {
        let s = summary(v);
        assert_eq!(s["check"], "passed");
        let backend = s["backend"].as_str().unwrap();
        if !backend.ends_with("(kept from the previous variant)") {
            continue;
        }
        kept += 1;
        // Runs of two: a kept plan is the second of its run, and the first's builds.
        assert_eq!(v % 2, 1, "variant {v}");
        assert_eq!(builds(v), builds(v - 1), "variant {v}");
        let (objective, bound) = (
            s["objective"].as_f64().unwrap(),
            s["bound"].as_f64().unwrap(),
        );
        assert!(
            bound <= objective && bound >= objective * (1.0 - 0.005),
            "{s}"
        );
        assert!(s["gap"].as_f64().unwrap() <= 0.005, "{s}");
        // Costed at its own capital cost: dearer than the previous variant's by its places.
        let before = summary(v - 1)["objective"].as_f64().unwrap();
        assert!(objective > before, "{objective} vs {before}");
        if kept == 1 {
            // The carried bound is a lower bound for this variant: below the cost of the plan
            // `placeplan plan` finds for it afresh.
            let alone = copy_scenario(scenario.path());
            let capex = format!("capex_per_place = {}.0", 63000 + v);
            edit_toml(alone.path(), "capex_per_place = 63000.0", &capex);
            let run = dir.path().join("alone");
            let o = plan_into(alone.path(), &run, "csv");
            assert!(o.status.success(), "{}", text(&o));
            let fresh: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap())
                    .unwrap();
            let fresh = fresh["objective"].as_f64().unwrap();
            assert!(
                bound <= fresh,
                "carried bound {bound} above a fresh plan's {fresh}"
            );
        }
    }
    assert!(kept > 0, "no variant kept the previous plan");
}

#[test]
fn sweep_file_problems_are_all_reported_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            r#"base = "{}"
[axes]
"costs.typo" = [1.0]
"bases.lead_time" = [9]
growth = ["medium"]
"#,
            demo_dir().display()
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("growth must be"), "{err}");
    assert!(err.contains("E303 [costs.typo"), "{err}");
    assert!(err.contains("lead_time 9"), "{err}");
    assert!(!out.exists(), "nothing may be written for a bad sweep file");
}

#[test]
fn compare_reports_a_missing_run_directory() {
    let dir = tempfile::tempdir().unwrap();
    let o = placeplan(&["compare", dir.path().to_str().unwrap(), "/nonexistent/run"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("summary.json"),
        "{}",
        text(&o)
    );
}

/// cap41's published optimum through the command line, as JSON.
#[test]
fn cflp_command_matches_a_published_optimum() {
    let Some(data) = data::shared_data(&["orlib-cap/cap41.txt", "orlib-cap/capa.txt"]) else {
        return;
    };
    let o = placeplan(&[
        "cflp",
        data.join("orlib-cap/cap41.txt").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (v["objective"].as_f64().unwrap() - 1040444.375).abs() < 1e-3,
        "{v}"
    );
    assert_eq!(v["status"], "optimal");
    let o = placeplan(&["cflp", data.join("orlib-cap/capa.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("capacity"),
        "{}",
        text(&o)
    );
}

/// The backtest on the real DfE SEN2 release: deterministic, placeplan ahead of every naive
/// baseline on pooled MAPE at horizon 5, and the JSON form parses.
#[test]
fn backtest_and_sen2_import_on_the_real_release() {
    let Some(data) = data::shared_data(&["dfe-sen2-2022/sen2_age_caseload.csv"]) else {
        return;
    };
    let caseload = data.join("dfe-sen2-2022/sen2_age_caseload.csv");
    let args = [
        "backtest",
        "--sen2",
        caseload.to_str().unwrap(),
        "--origin",
        "2015",
        "2016",
        "2017",
        "--horizon",
        "5",
    ];
    let a = placeplan(&args);
    let b = placeplan(&args);
    assert_eq!(a.status.code(), Some(0), "{}", text(&a));
    assert_eq!(a.stdout, b.stdout, "backtest output differs between runs");
    let out = String::from_utf8_lossy(&a.stdout);
    assert!(out.contains("targets (issue 18, pooled)"), "{out}");
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let j = placeplan(&json_args);
    assert_eq!(j.status.code(), Some(0), "{}", text(&j));
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("valid JSON");
    // Pooled total plans at horizon 5: the scenario forecast ahead of every naive baseline.
    let mape = |method: &str| {
        v["pooled"]["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["measure"] == "plans" && s["method"] == method && s["horizon"] == 5)
            .and_then(|s| s["mape"].as_f64())
            .unwrap()
    };
    for m in ["last_value", "linear_trend", "constant_growth"] {
        assert!(mape("placeplan") < mape(m), "{m}: {out}");
    }
    // Per-LA forecasts with their interval.
    let f = &v["reports"][2]["forecasts"][0];
    assert!(f["low"].as_f64().unwrap() <= f["placeplan"].as_f64().unwrap());
    assert!(f["high"].as_f64().unwrap() >= f["placeplan"].as_f64().unwrap());

    // --out is a folder, as for the other importers.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("imported");
    let tidy = folder.join("sen2.csv");
    let o = placeplan(&[
        "import",
        "sen2",
        caseload.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&format!("wrote {}", tidy.display())),
        "{}",
        text(&o)
    );
    let csv = std::fs::read_to_string(&tidy).unwrap();
    assert!(csv.starts_with("la_code,old_la_code,name,measure,year,age_group,count"));
    assert!(
        csv.contains("E08000015,344,Wirral,caseload,2022,"),
        "Wirral 2022 missing"
    );

    let o = placeplan(&[
        "backtest",
        "--sen2",
        caseload.to_str().unwrap(),
        "--origin",
        "2030",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// Regression: a row after a blank line was reported one line too early, and a rejected
/// locality row made every population and history row that names it an error as well.
#[test]
fn regression_blank_line_numbering_and_no_cascade_from_a_rejected_row() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    let original = std::fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = original.lines().map(String::from).collect();
    lines.insert(3, String::new()); // blank line 4
    let mut f: Vec<String> = lines[4].split(',').map(String::from).collect();
    f[2] = "99.1".into(); // line 5: latitude outside the UK
    lines[4] = f.join(",");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("localities.csv:5:3: E105 [lat]"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

/// Names a careless or hostile user may give a school or locality: spreadsheet formulas, text
/// that starts like a number, and markup.
const HOSTILE_NAMES: [&str; 5] = [
    "=HYPERLINK(\"http://x\",\"y\")",
    "@SUM(A1)",
    "+1",
    "-1",
    "<script>alert(1)</script>",
];

/// `s` as one CSV field: quoted when it holds a comma, a quote or a line end.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The cells of a CSV text (RFC 4180: quoted fields may hold commas, quotes and line ends).
fn csv_cells(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

/// The demo with every school and locality renamed, in turn, to one of [`HOSTILE_NAMES`],
/// planned with every output format; returns the scenario and output folders.
fn plan_demo_with_hostile_names() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = copy_scenario(&demo_dir());
    for file in ["schools.csv", "localities.csv"] {
        let p = dir.path().join(file);
        let n = std::fs::read_to_string(&p).unwrap().lines().count();
        for l in 2..=n {
            set_field(&p, l, 1, &csv_field(HOSTILE_NAMES[l % HOSTILE_NAMES.len()]));
        }
    }
    let out = tempfile::tempdir().unwrap();
    let o = placeplan(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    (dir, out)
}

/// Regression: school and locality names such as `=HYPERLINK(...)` were copied verbatim into
/// plan.csv and placements.csv, where a spreadsheet runs them as formulas. Every text cell that
/// starts with `=`, `+`, `-` or `@` now starts with a single quote; numbers stay numbers.
#[test]
fn csv_outputs_neutralise_formula_names() {
    let (_dir, out) = plan_demo_with_hostile_names();
    let formulas = &HOSTILE_NAMES[..4];
    let mut total = 0;
    for file in ["forecast.csv", "plan.csv", "placements.csv", "costs.csv"] {
        let csv = std::fs::read_to_string(out.path().join(file)).unwrap();
        let mut quoted = 0;
        for (r, row) in csv_cells(&csv).iter().enumerate() {
            for cell in row {
                let bare = cell.strip_prefix('\'').unwrap_or(cell);
                if formulas.contains(&bare) {
                    assert!(
                        cell.starts_with('\''),
                        "{file} row {}: the name {cell:?} is not neutralised",
                        r + 1
                    );
                    quoted += 1;
                }
                if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                    assert!(
                        cell.parse::<f64>().is_ok(),
                        "{file} row {}: a text cell {cell:?} starts like a formula",
                        r + 1
                    );
                }
            }
        }
        if matches!(file, "plan.csv" | "placements.csv") {
            assert!(quoted > 0, "{file} holds none of the names:\n{csv}");
        }
        total += quoted;
    }
    assert!(total >= 10, "only {total} name cells found");
    // Numbers stay numbers: costs.csv holds no quoted cell, and every value parses.
    let costs = std::fs::read_to_string(out.path().join("costs.csv")).unwrap();
    assert!(!costs.contains('\''), "{costs}");
}

/// The workbook, the GeoJSON and the HTML report keep such names as plain text: a string cell,
/// not a formula; the exact name in the GeoJSON; the name escaped in the report.
#[test]
fn xlsx_geojson_and_html_keep_formula_names_as_text() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let (_dir, out) = plan_demo_with_hostile_names();

    let mut wb: Xlsx<_> = open_workbook(out.path().join("plan.xlsx")).expect("xlsx opens");
    let mut found = std::collections::BTreeSet::new();
    for sheet in wb.sheet_names() {
        let range = wb.worksheet_range(&sheet).unwrap();
        for cell in range.used_cells() {
            if let (_, _, Data::String(s)) = cell {
                if HOSTILE_NAMES.contains(&s.as_str()) {
                    found.insert(s.clone());
                }
            }
        }
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        for (r, c, f) in formulas.used_cells() {
            assert!(
                !f.contains("HYPERLINK") && !f.contains("A1)") && !f.contains("script"),
                "{sheet} ({r}, {c}) holds a formula from a name: {f}"
            );
        }
    }
    assert!(
        found.len() >= 4,
        "the workbook holds only {found:?} as text cells"
    );

    let gj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("plan.geojson")).unwrap())
            .expect("the GeoJSON parses");
    let names: std::collections::BTreeSet<&str> = gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["name"].as_str())
        .collect();
    for name in HOSTILE_NAMES {
        assert!(
            names.contains(name),
            "{name} is not in the GeoJSON: {names:?}"
        );
    }

    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(!html.contains("<script"), "a raw script tag in the report");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)"));
    assert!(
        !html.contains("HYPERLINK(\""),
        "an unescaped quote in the report"
    );
}

/// Regression: ids such as `=1+1` were accepted and copied into every CSV output. An id that
/// begins with `=`, `+`, `-` or `@` is now refused with E115, with its position and field.
#[test]
fn ids_that_begin_like_a_formula_are_refused_with_e115() {
    let dir = copy_scenario(&demo_dir());
    let loc = dir.path().join("localities.csv");
    let mut t = std::fs::read_to_string(&loc).unwrap();
    let first_new = t.lines().count() + 1;
    for id in ["=1+1", "+44", "-7", "@SUM(A1)"] {
        t.push_str(&format!(
            "{},Evil ward,53.40000,-3.02000,1000\n",
            csv_field(id)
        ));
    }
    std::fs::write(&loc, t).unwrap();
    let sch = dir.path().join("schools.csv");
    let mut t = std::fs::read_to_string(&sch).unwrap();
    let school_line = t.lines().count() + 1;
    t.push_str(
        "\"=HYPERLINK(\"\"http://x\"\")\",Evil school,special,primary,53.40000,-3.02000,no,0,,\n",
    );
    std::fs::write(&sch, t).unwrap();
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for i in 0..4 {
        let at = format!("localities.csv:{}:1: E115 [id]", first_new + i);
        assert!(err.contains(&at), "no {at}:\n{err}");
    }
    let at = format!("schools.csv:{school_line}:1: E115 [id]");
    assert!(err.contains(&at), "no {at}:\n{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(err.trim_end().ends_with("5 problems found"), "{err}");
}

/// Regression: `placeplan sweep` said it wrote report.html but never did. The report now lies
/// beside sweep.csv and pareto.csv, names every variant, draws the Pareto and NPV charts, and
/// renders in headless Chromium with no console errors.
#[test]
fn sweep_writes_the_report_it_announces_and_it_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = demo_sweep(dir.path(), TWO_BUDGETS_AND_AN_INFEASIBLE_VARIANT);
    let out = dir.path().join("out");
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("report.html"),
        "{}",
        text(&o)
    );
    let page = out.join("report.html");
    let html = std::fs::read_to_string(&page)
        .unwrap_or_else(|e| panic!("{} is announced but missing: {e}", page.display()));
    for name in [
        "1_capital_budget-1000000",
        "2_capital_budget-4000000",
        "no-out-of-area",
    ] {
        assert!(html.contains(name), "{name} is not in the report");
    }
    for chart in ["pareto", "npv"] {
        assert!(
            html.contains(&format!("data-chart=\"{chart}\"")),
            "no {chart} chart"
        );
    }
    assert!(html.contains("<table"), "no comparison table");
    assert!(!html.contains("<script"), "a script in the report");

    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_sweep_report");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();
    let Some((dom, log)) = browser::render(&shots, &page) else {
        return;
    };
    for chart in ["pareto", "npv"] {
        let start = dom
            .find(&format!("data-chart=\"{chart}\""))
            .unwrap_or_else(|| panic!("the rendered page has no {chart} chart"));
        let end = dom[start..].find("</figure>").expect("figure closes") + start;
        let marks = dom[start..end].matches("class=\"datum").count();
        assert!(marks >= 2, "{chart} chart drew {marks} data marks");
    }
    let console = browser::console_errors(&log);
    assert!(
        console.is_empty(),
        "console errors:\n{}",
        console.join("\n")
    );
}

/// Regression: tests that read the shared data passed, skipped, when the data was missing, even
/// in CI. This runs one of them (in this same test binary) without its data: in CI it must
/// fail, outside CI it must skip and say so.
#[test]
fn data_tests_fail_in_ci_when_the_shared_data_is_missing() {
    let run = |ci: bool| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "cflp_command_matches_a_published_optimum",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PLACEPLAN_DATA", "/nonexistent/placeplan-data");
        if ci {
            cmd.env("CI", "true");
        } else {
            cmd.env_remove("CI");
        }
        cmd.output().unwrap()
    };
    let in_ci = run(true);
    assert!(
        !in_ci.status.success(),
        "passed in CI without its data\n{}",
        text(&in_ci)
    );
    assert!(
        String::from_utf8_lossy(&in_ci.stdout).contains("1 failed"),
        "{}",
        text(&in_ci)
    );
    let outside = run(false);
    assert!(outside.status.success(), "{}", text(&outside));
    assert!(
        String::from_utf8_lossy(&outside.stderr).contains("SKIPPED"),
        "{}",
        text(&outside)
    );
}

/// Replaces `from` by `to` in a scenario's `scenario.toml` (which must contain `from`).
fn edit_toml(dir: &Path, from: &str, to: &str) {
    let toml = dir.join("scenario.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    assert!(t.contains(from), "scenario.toml has no '{from}'");
    std::fs::write(&toml, t.replacen(from, to, 1)).unwrap();
}

/// Writes a sweep file over the demo with these extra lines.
/// Two capital budgets plus one variant that cannot be planned (no out-of-area places and a
/// 6-minute secondary journey limit).
const TWO_BUDGETS_AND_AN_INFEASIBLE_VARIANT: &str = "
[axes]
capital_budget = [1000000.0, 4000000.0]

[[variants]]
name = \"no-out-of-area\"
solver.allow_out_of_area = false
journey.secondary = 6.0
";

fn demo_sweep(dir: &Path, body: &str) -> PathBuf {
    let sweep = dir.join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = false\n{body}",
            demo_dir().display()
        ),
    )
    .unwrap();
    sweep
}

/// Regression: `time_limit_s = 1e19` passed validate and `plan` then panicked (exit 101) making
/// the solver's deadline; the same value as a sweep axis did too.
#[test]
fn time_limit_1e19_is_refused_not_a_panic() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "time_limit_s = 60.0", "time_limit_s = 1e19");
    let d = dir.path().to_str().unwrap();
    let out = dir.path().join("out");
    for args in [
        vec!["validate", d],
        vec!["plan", d, "--out", out.to_str().unwrap()],
    ] {
        let o = placeplan(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "scenario.toml:{}:1: E302 [solver.time_limit_s]",
                toml_line(dir.path(), "time_limit_s")
            )),
            "{args:?}: {err}"
        );
        assert!(!out.exists());
    }
    let tmp = tempfile::tempdir().unwrap();
    let sweep = demo_sweep(
        tmp.path(),
        "[axes]\n\"solver.time_limit_s\" = [60.0, 1e19]\n",
    );
    let out = tmp.path().join("out");
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E302 [solver.time_limit_s]"), "{err}");
    assert!(!out.exists());
}

/// The 1-based line of `scenario.toml` in `dir` that starts with `key`.
fn toml_line(dir: &Path, key: &str) -> usize {
    std::fs::read_to_string(dir.join("scenario.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with(key))
        .expect("key in scenario.toml")
        + 1
}

/// Regression: `time_limit_s = 1e-9` passed validate, and `plan` then exited 2 with a message
/// but no error code. Below 0.1 s it is now an out-of-range setting.
#[test]
fn time_limit_below_a_tenth_of_a_second_is_e302() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "time_limit_s = 60.0", "time_limit_s = 1e-9");
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let at = format!(
        "scenario.toml:{}:1: E302 [solver.time_limit_s]",
        toml_line(dir.path(), "time_limit_s")
    );
    assert!(err.contains(&at) && err.contains("0.1"), "{err}");
}

/// Regression: a per-school `capex_per_place` of 1e15 passed validate and the solver then
/// failed ("Singular matrix"); 1e19 made a plan that failed the check. Per-row money is now
/// capped like the `[costs]` settings, at 1e9 pounds.
#[test]
fn huge_per_school_capex_is_e113() {
    let dir = copy_scenario(&demo_dir());
    let schools = dir.path().join("schools.csv");
    assert_eq!(
        line(&schools, 1),
        "id,name,kind,phases,lat,lon,can_host_base,max_new_places,capex_per_place,place_cost"
    );
    set_field(&schools, 2, 8, "1e15");
    set_field(&schools, 3, 9, "1e19");
    // The cap itself is accepted.
    set_field(&schools, 4, 8, "1e9");
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("schools.csv:2:9: E113 [capex_per_place]"),
        "{err}"
    );
    assert!(err.contains("schools.csv:3:10: E113 [place_cost]"), "{err}");
    assert!(err.trim_end().ends_with("2 problems found"), "{err}");
}

/// Regression: `sweep --threads 100000` spent more than a minute starting threads before it
/// failed with E303. The thread count is now checked before anything is read (the sweep file
/// here does not even exist) or written.
#[test]
fn threads_100000_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = placeplan(&[
        "sweep",
        tmp.path().join("missing.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--threads",
        "100000",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--threads") && err.contains("256"), "{err}");
    assert!(!err.contains("missing.toml"), "{err}");
    assert!(!out.exists());
}

/// A `schools.csv` of the demo's schools plus `extra` mainstream primary and secondary schools,
/// all able to host a base, spread over the demo borough.
fn add_host_schools(dir: &Path, extra: usize) {
    let schools = dir.join("schools.csv");
    let mut t = std::fs::read_to_string(&schools).unwrap();
    for i in 0..extra {
        let lat = 53.33 + 0.1 * (i % 97) as f64 / 97.0;
        let lon = -3.15 + 0.15 * (i / 97) as f64 / (extra / 97 + 1) as f64;
        t.push_str(&format!(
            "H{i:05},Host {i},mainstream,primary;secondary,{lat:.5},{lon:.5},yes,20,,\n"
        ));
    }
    std::fs::write(&schools, t).unwrap();
}

/// Regression: a scenario with 19,921 schools all able to host a base passed validate, then
/// `plan` built a model for 165 s and 7.6 GB and failed at the time limit with no code. The
/// size of the model is now estimated up front and refused above the limit (E305) by
/// `validate`, `plan` and `sweep` alike; here with 4,000 host schools, which is over the limit
/// and cheap to reject.
#[test]
fn too_many_hosts_is_refused_at_validate() {
    let dir = copy_scenario(&demo_dir());
    add_host_schools(dir.path(), 4_000);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["validate", d],
        vec!["plan", d, "--out", out.to_str().unwrap()],
    ] {
        let o = placeplan(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("E305"), "{args:?}: {err}");
        assert!(err.contains("candidate bases"), "{args:?}: {err}");
        assert!(!out.exists());
    }
    let sweep = tmp.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!("base = \"{}\"\nbaselines = false\n", dir.path().display()),
    )
    .unwrap();
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E305"),
        "{}",
        text(&o)
    );
    assert!(!out.exists());
}

/// A sweep variant can make the model too large too (more needs per base): refused up front.
#[test]
fn sweep_variant_that_makes_the_model_too_large_is_refused() {
    let dir = copy_scenario(&demo_dir());
    add_host_schools(dir.path(), 1_200);
    // Valid as it stands: 4 needs x 2 phases per host.
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tmp.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = false\n[[variants]]\nname = \"all-needs\"\n\
             \"bases.needs\" = [\"ASD\", \"SLCN\", \"SEMH\", \"MLD\", \"SLD\", \"PMLD\", \"SpLD\", \"HI\", \"VI\", \"MSI\", \"PD\", \"OTH\"]\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("E305") && err.contains("all-needs"), "{err}");
    assert!(!out.exists());
}

/// Regression: a run that stopped at its time limit without a plan printed a message with no
/// error code (and the time limit was recognised by matching the solver's text). The demo with
/// stability rows (about a minute for microlp in a release build) and a 0.1 s limit.
#[test]
fn time_limit_reached_has_a_code() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "time_limit_s = 60.0", "time_limit_s = 0.1");
    edit_toml(dir.path(), "runs = 1000", "runs = 20");
    let out = dir.path().join("out");
    let o = placeplan(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("E501 "), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(!out.exists());

    // In a sweep the variant's row carries the code.
    let sweep = dir.path().join("sweep.toml");
    std::fs::write(&sweep, "base = \".\"\nbaselines = false\n").unwrap();
    let o = placeplan(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("base,failed,E501 "), "{csv}");
}

/// Regression: "no feasible plan" had no code. It keeps exit 1 and now prints E505.
#[test]
fn no_feasible_plan_has_a_code() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(
        dir.path(),
        "allow_out_of_area = true",
        "allow_out_of_area = false",
    );
    edit_toml(dir.path(), "secondary = 75.0", "secondary = 6.0");
    edit_toml(dir.path(), "runs = 1000", "runs = 20");
    let o = placeplan(&["plan", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("E505 no feasible plan"), "{err}");
    assert!(err.contains("hint: "), "{err}");
}

/// Regression: an unavailable backend was reported with no code.
#[cfg(not(feature = "highs"))]
#[test]
fn unavailable_backend_has_a_code() {
    let o = placeplan(&["plan", demo_dir().to_str().unwrap(), "--backend", "highs"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with("E504 "),
        "{}",
        text(&o)
    );
}

/// Regression: `cflp` reader problems had no error code.
#[test]
fn cflp_reader_problems_have_codes_and_positions() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "bad.txt",
            "3 2\n 10 100.\n 20 abc\n 30 300.\n",
            ":3:5: E101 ",
        ),
        ("neg.txt", "1 1\n5 1\n2 -3\n", ":3:3: E102 "),
        ("short.txt", "3 2\n10 100\n", ":3:1: E003 "),
        ("big.txt", "1 100001\n", ":1:3: E005 "),
    ];
    for (name, body, want) in cases {
        let f = tmp.path().join(name);
        std::fs::write(&f, body).unwrap();
        let o = placeplan(&["cflp", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.starts_with(&format!("{}{want}", f.display())) && err.contains("\n    hint: "),
            "{name}: {err}"
        );
    }
    let o = placeplan(&["cflp", tmp.path().join("none.txt").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("none.txt: E001 "),
        "{}",
        text(&o)
    );
}

/// Regression: `cflp --time-limit 1e19` panicked making the solver's deadline.
#[test]
fn cflp_time_limit_1e19_is_refused_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("tiny.txt");
    std::fs::write(&f, "2 1\n10 5\n20 7\n3 1.5 2.5\n").unwrap();
    for limit in ["1e19", "NaN", "-1", "0"] {
        let arg = format!("--time-limit={limit}");
        let o = placeplan(&["cflp", f.to_str().unwrap(), &arg]);
        assert_eq!(o.status.code(), Some(2), "{limit}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("--time-limit"),
            "{limit}: {}",
            text(&o)
        );
    }
    let o = placeplan(&["cflp", f.to_str().unwrap(), "--time-limit", "5"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

// ---------------------------------------------------------------------------------------------
// Input readers: never hang, never flood.

/// Runs placeplan and kills it if it has not finished within two minutes, so that a run that
/// blocks on an input fails its test instead of hanging the suite.
fn placeplan_or_kill(args: &[&str]) -> Output {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_placeplan"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run placeplan");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let mut waited = std::time::Duration::ZERO;
    let step = std::time::Duration::from_millis(50);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if waited > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("placeplan {args:?} did not finish: killed");
        }
        std::thread::sleep(step);
        waited += step;
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Makes a named pipe (FIFO) at `path`, with no writer.
fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let s = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(s.success());
}

/// Lines of `stderr` that report a problem with `code`.
fn count_code(stderr: &str, code: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.contains(&format!(": {code} ")))
        .count()
}

#[test]
fn fifo_as_localities_csv_is_refused_not_a_hang() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    mkfifo(&p);
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}: E007", p.display())) && err.contains("FIFO"),
        "{err}"
    );
    // Nothing else: references to localities cannot be checked without the file.
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

#[test]
fn fifo_inputs_of_every_command_are_refused_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("input.fifo");
    mkfifo(&fifo);
    let f = fifo.to_str().unwrap();
    let out = d.join("out");
    let o = out.to_str().unwrap();
    // A scenario whose scenario.toml is a FIFO.
    let scen = d.join("scen");
    std::fs::create_dir(&scen).unwrap();
    mkfifo(&scen.join("scenario.toml"));
    // A run directory whose summary.json is a FIFO.
    let run = d.join("run");
    std::fs::create_dir(&run).unwrap();
    mkfifo(&run.join("summary.json"));
    let commands: Vec<Vec<&str>> = vec![
        vec!["validate", scen.to_str().unwrap()],
        vec!["sweep", f, "--out", o],
        vec!["cflp", f],
        vec!["compare", run.to_str().unwrap(), run.to_str().unwrap()],
        vec![
            "backtest",
            "--sen2",
            f,
            "--new-plans",
            f,
            "--origin",
            "2020",
        ],
        vec!["import", "sen2", f],
        vec!["import", "gias", f, "--out", o],
        vec!["import", "population", f, "--year", "2023", "--out", o],
    ];
    for args in commands {
        let r = placeplan_or_kill(&args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", text(&r));
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains("FIFO"), "{args:?}: {err}");
    }
    assert!(!out.exists());
}

#[test]
fn dev_zero_roads_is_refused_before_reading() {
    let dir = copy_scenario(&demo_dir());
    let toml = dir.path().join("scenario.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    assert!(
        t.contains("roads = \"\""),
        "demo scenario.toml changed shape"
    );
    std::fs::write(&toml, t.replace("roads = \"\"", "roads = \"/dev/zero\"")).unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("/dev/zero: E007") && err.contains("character device"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

#[test]
fn symlink_loop_is_reported_as_a_loop_not_as_missing() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    std::fs::remove_file(&p).unwrap();
    std::os::unix::fs::symlink("localities.csv", &p).unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}: E002", p.display())) && err.contains("symbolic link loop"),
        "{err}"
    );
    assert!(!err.contains("not found"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

/// Writes `bytes` in place of line `n` (1-based) of a file, keeping the other lines' bytes.
fn set_line_bytes(path: &Path, n: usize, bytes: &[u8]) {
    let data = std::fs::read(path).unwrap();
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    lines[n - 1] = bytes;
    std::fs::write(path, lines.join(&b'\n')).unwrap();
}

#[test]
fn one_bad_byte_gives_one_problem() {
    // An invalid UTF-8 byte in a locality's name: once the row's id was lost, every population
    // and history row of that locality was reported as naming an unknown locality.
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    let row = line(&p, 3);
    let bad = row.replacen(',', ",\u{1}", 1).into_bytes();
    let at = bad.iter().position(|&b| b == 1).unwrap();
    let mut bad = bad;
    bad[at] = 0xFF;
    set_line_bytes(&p, 3, &bad);
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let col = row.split(',').next().unwrap().chars().count() + 2;
    assert!(
        err.contains(&format!("{}:3:{col}: E002", p.display())) && err.contains("UTF-8"),
        "{err}"
    );
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");

    // A stray quote opening a locality's name swallowed the rest of the file into one field.
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    set_line(&p, 3, &line(&p, 3).replacen(',', ",\"", 1));
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:3: E003", p.display())), "{err}");
    assert!(err.contains("quote"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");

    // The same in schools.csv: capacity rows of the lost schools were all reported.
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("schools.csv");
    set_line(&p, 3, &line(&p, 3).replacen(',', ",\"", 1));
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:3: E003", p.display())), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

#[test]
fn windows_1252_csv_gives_one_problem_naming_the_encoding() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    // Every name after the header spelt with a Windows-1252 e-grave (0xE8).
    let data = std::fs::read_to_string(&p).unwrap();
    let mut out = Vec::new();
    for (i, l) in data.lines().enumerate() {
        if i == 0 {
            out.extend_from_slice(l.as_bytes());
        } else {
            let (id, rest) = l.split_once(',').unwrap();
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(b",Cr\xE8che ");
            out.extend_from_slice(rest.as_bytes());
        }
        out.push(b'\n');
    }
    std::fs::write(&p, out).unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:2:", p.display())) && err.contains("Windows-1252"),
        "{err}"
    );
    assert!(err.contains("save"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

fn utf16(text: &str, bom: bool, big_endian: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let units = if bom { vec![0xFEFFu16] } else { vec![] };
    for u in units.into_iter().chain(text.encode_utf16()) {
        if big_endian {
            out.extend_from_slice(&u.to_be_bytes());
        } else {
            out.extend_from_slice(&u.to_le_bytes());
        }
    }
    out
}

#[test]
fn utf16_file_gives_one_problem() {
    for (file, bom, be) in [
        ("localities.csv", true, false),
        ("history.csv", false, false),
        ("schools.csv", true, true),
        ("scenario.toml", true, false),
    ] {
        let dir = copy_scenario(&demo_dir());
        let p = dir.path().join(file);
        let t = std::fs::read_to_string(&p).unwrap();
        std::fs::write(&p, utf16(&t, bom, be)).unwrap();
        let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!("{}: E002", p.display()))
                || err.contains(&format!("{}:1:1: E002", p.display())),
            "{file}: {err}"
        );
        assert!(
            err.contains("UTF-16") && err.contains("UTF-8"),
            "{file}: {err}"
        );
        assert!(err.trim_end().ends_with("1 problem found"), "{file}: {err}");
    }
}

#[test]
fn thousands_of_bad_localities_report_is_capped() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    let mut t = std::fs::read_to_string(&p).unwrap();
    for i in 0..3000 {
        t += &format!("X{i},Nowhere {i},99.0,-3.0,100\n");
    }
    std::fs::write(&p, t).unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(count_code(&err, "E105"), 100, "{err}");
    // The first 100 are listed: lines 24 to 123.
    assert!(
        err.contains(&format!("{}:24:3: E105", p.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:123:3: E105", p.display())),
        "{err}"
    );
    assert!(
        !err.contains(&format!("{}:124:3: E105", p.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "... and 2,900 more E105 problems in {}",
            p.display()
        )),
        "{err}"
    );
    assert!(err.trim_end().ends_with("3,000 problems found"), "{err}");
}

#[test]
fn e302_has_line_and_column() {
    let dir = copy_scenario(&demo_dir());
    let toml = dir.path().join("scenario.toml");
    let t = std::fs::read_to_string(&toml).unwrap();
    let t = t
        .replace("time_limit_s = 60.0", "time_limit_s = 0.0")
        .replace("primary = 45.0", "primary =   900.0")
        .replace("value = 0.95", "value = 9.5");
    std::fs::write(&toml, &t).unwrap();
    // Positions found independently: the line holding each key, and its column.
    let at = |needle: &str, nth: usize| -> String {
        let (i, l) = t
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .unwrap();
        format!("{}:{}", i + 1, l.find(needle).unwrap() + 1)
    };
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let shown = toml.display();
    for needle in [
        format!(
            "{shown}:{}: E302 [solver.time_limit_s]",
            at("time_limit_s", 0)
        ),
        format!("{shown}:{}: E302 [journey.primary]", at("primary =", 0)),
        // The second [[levers]] table.
        format!("{shown}:{}: E302 [levers[1]]", at("[[levers]]", 1)),
    ] {
        assert!(err.contains(&needle), "missing '{needle}' in:\n{err}");
    }
}

#[test]
fn residents_must_be_a_finite_number_of_zero_or_more() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    for (n, v) in [(2, "NaN"), (3, "inf"), (4, "-1"), (5, "0x10"), (6, "1e12")] {
        set_field(&p, n, 4, v);
    }
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for needle in [
        ":2:5: E101 [residents]",
        ":3:5: E101 [residents]",
        ":4:5: E102 [residents]",
        ":5:5: E101 [residents]",
        ":6:5: E113 [residents]",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in:\n{err}");
    }
    // The rejected localities' population and history rows are not reported again.
    assert!(err.trim_end().ends_with("5 problems found"), "{err}");
}

#[test]
fn missing_population_is_reported_once_per_file() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("population.csv");
    let t = std::fs::read_to_string(&p).unwrap();
    let kept: Vec<&str> = t
        .lines()
        .filter(|l| l.starts_with("locality") || l.starts_with("W01,") || l.starts_with("W02,"))
        .collect();
    std::fs::write(&p, kept.join("\n") + "\n").unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(count_code(&err, "E206"), 1, "{err}");
    assert!(
        err.contains("20 localities") && err.contains("'W03'") && err.contains("2019"),
        "{err}"
    );
    // The hint says what the check requires: from the first history year (2019).
    assert!(err.contains("from the first history year"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

#[test]
fn rejected_population_row_is_not_reported_again_as_missing_population() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("population.csv");
    set_field(&p, 10, 3, "-4");
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("population.csv:10:4: E102 [count]"), "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

#[test]
fn names_too_long_for_a_workbook_cell_are_refused() {
    let dir = copy_scenario(&demo_dir());
    let loc = dir.path().join("localities.csv");
    let sch = dir.path().join("schools.csv");
    // 500 characters are accepted (multi-byte characters count once), 501 are not.
    set_field(&loc, 2, 1, &"é".repeat(500));
    set_field(&loc, 3, 1, &"a".repeat(501));
    set_field(&sch, 2, 1, &"b".repeat(40_000));
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:3:2: E114 [name]", loc.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!("{}:2:2: E114 [name]", sch.display())),
        "{err}"
    );
    // The message does not repeat the text.
    assert!(!err.contains(&"a".repeat(501)), "{err}");
    assert!(err.trim_end().ends_with("2 problems found"), "{err}");
}

/// Regression: localities.csv was read whole before the 50,000-locality limit was applied, so a
/// file of millions of short rows took gigabytes of memory (about 250 bytes a row).
#[test]
fn localities_beyond_the_limit_are_not_read() {
    let dir = copy_scenario(&demo_dir());
    let p = dir.path().join("localities.csv");
    let mut t = std::fs::read_to_string(&p).unwrap();
    let demo_rows = t.lines().count() - 1;
    for i in demo_rows..50_000 {
        t += &format!("X{i},,53.4,-3.0,\n");
    }
    // Row 50,001, and a bad row after it: reading stops before either.
    t += "X50001,,53.4,-3.0,\nX50002,,99.0,-3.0,\n";
    std::fs::write(&p, t).unwrap();
    let o = placeplan_or_kill(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "{}: E005 more than 50,000 rows, the most placeplan reads from this file",
            p.display()
        )),
        "{err}"
    );
    assert_eq!(count_code(&err, "E105"), 0, "{err}");
    assert!(err.trim_end().ends_with("1 problem found"), "{err}");
}

/// The scenario defaults (whole bases, stability) on the demo cut to two plan years: the plan
/// is rounded from the relaxation with a proven bound, every place and pupil is whole, bases
/// keep to 8-20 places, no continuing pupil is moved, and the check passes. The same run with
/// stability off moves pupils mid-phase, and summary.json says how many.
#[test]
fn default_plan_has_whole_bases_a_proven_gap_and_moves_no_pupil_mid_phase() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "horizon = 5", "horizon = 2");
    // Without the two settings the scenario defaults apply (README, docs/scenario-format.md).
    edit_toml(dir.path(), "modular = true", "");
    edit_toml(dir.path(), "stability = true", "");
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    let o = plan_csv_only(dir.path(), &run);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("(microlp, rounded, check passed)"),
        "{}",
        text(&o)
    );
    let sm: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(sm["status"], "rounded");
    assert_eq!(sm["check"], "passed");
    assert_eq!(sm["pupils_moved_mid_phase"], 0);
    let (obj, bound) = (
        sm["objective"].as_f64().unwrap(),
        sm["bound"].as_f64().unwrap(),
    );
    assert!(bound <= obj && bound > 0.9 * obj, "{bound} vs {obj}");
    let gap = sm["gap"].as_f64().unwrap();
    assert!((gap - (obj - bound) / obj).abs() < 1e-5, "{gap}");
    // docs/model.md: within 0.5% of the bound (0.04% measured).
    assert!(gap < 0.005, "{gap}");
    assert!(sm["new_places"].is_u64(), "{}", sm["new_places"]);
    // Whole places in bases of 8 to 20, whole pupils everywhere.
    let plan = csv_cells(&std::fs::read_to_string(run.join("plan.csv")).unwrap());
    let col = |rows: &[Vec<String>], name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (school, need, phase, places) = (
        col(&plan, "school"),
        col(&plan, "need"),
        col(&plan, "phase"),
        col(&plan, "places"),
    );
    let mut bases: std::collections::BTreeMap<(String, String, String), u64> = Default::default();
    for r in &plan[1..] {
        let p: u64 = r[places].parse().expect("whole places");
        *bases
            .entry((r[school].clone(), r[need].clone(), r[phase].clone()))
            .or_default() += p;
    }
    assert!(!bases.is_empty());
    assert!(bases.values().all(|p| (8..=20).contains(p)), "{bases:?}");
    let placed = csv_cells(&std::fs::read_to_string(run.join("placements.csv")).unwrap());
    let pupils = col(&placed, "pupils");
    assert!(placed[1..].iter().all(|r| r[pupils].parse::<u64>().is_ok()));

    // The yearly model (stability off) moves pupils, and says so.
    edit_toml(
        dir.path(),
        "allow_out_of_area = true",
        "allow_out_of_area = true\nstability = false",
    );
    let free = out.path().join("free");
    let o = plan_csv_only(dir.path(), &free);
    assert!(o.status.success(), "{}", text(&o));
    let sm: serde_json::Value =
        serde_json::from_slice(&std::fs::read(free.join("summary.json")).unwrap()).unwrap();
    assert!(sm["pupils_moved_mid_phase"].as_u64().unwrap() > 0, "{sm}");
}

/// `placeplan plan DIR --out RUN --formats csv`.
fn plan_csv_only(dir: &Path, run: &Path) -> Output {
    placeplan(&[
        "plan",
        dir.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--formats",
        "csv",
    ])
}

/// docs/scenario-format.md, `[expansion]` and `[new_school]`: a special school with room on
/// site (the demo gives three of its specialist schools room) is expanded in whole classes (pre-16 `special_expansion`, post-16 `post16`), a candidate site (`kind =
/// site`) may take a new special school, and plan.csv's `kind` column and summary.json's
/// `new_places_by_kind` say which is which, consistently with each other and the schools.
#[test]
fn plan_names_the_kind_of_every_new_place() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "horizon = 5", "horizon = 3");
    edit_toml(
        dir.path(),
        "capital_budget = 3000000.0",
        "capital_budget = 1e9",
    );
    edit_toml(
        dir.path(),
        "class_size = 8\nlead_time = 2",
        "class_size = 8\nlead_time = 1",
    );
    edit_toml(
        dir.path(),
        "min_size = 60\nmax_size = 150\nlead_time = 3",
        "min_size = 40\nmax_size = 150\nlead_time = 1",
    );
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    let o = plan_csv_only(dir.path(), &run);
    assert!(o.status.success(), "{}", text(&o));
    let plan = csv_cells(&std::fs::read_to_string(run.join("plan.csv")).unwrap());
    assert_eq!(plan[0][0], "kind");
    let col = |name: &str| plan[0].iter().position(|h| h == name).unwrap();
    let (kind, school, phase, places) = (col("kind"), col("school"), col("phase"), col("places"));
    let mut by_kind: std::collections::BTreeMap<String, f64> = Default::default();
    for r in &plan[1..] {
        let expected = match (r[school].as_str(), r[phase].as_str()) {
            // Foxglove School, Riverside School, Northgate Specialist College, the site.
            ("105703", "post16") | ("130954", _) => "post16",
            ("105703" | "105711", _) => "special_expansion",
            ("199001", _) => "new_special_school",
            _ => "resourced_base",
        };
        assert_eq!(r[kind], expected, "{r:?}");
        *by_kind.entry(r[kind].clone()).or_default() += r[places].parse::<f64>().unwrap();
    }
    // The optimiser uses more than resourced bases when it may (measured: expansion of the
    // special school's SLD/PMLD places, which no base serves).
    assert!(by_kind.keys().any(|k| k != "resourced_base"), "{by_kind:?}");
    let sm: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("summary.json")).unwrap()).unwrap();
    let reported = sm["new_places_by_kind"].as_object().unwrap();
    assert_eq!(reported.len(), by_kind.len(), "{reported:?}");
    for (k, v) in &by_kind {
        let r = reported[k].as_f64().unwrap();
        assert!((r - v).abs() < 1e-3 * v.max(1.0), "{k}: {r} vs {v}");
    }
}

/// `plan --write-mps FILE --write-lp FILE` writes the model as built to new files and says so;
/// an existing file is never replaced (E401) and then nothing else is written either.
#[test]
fn plan_writes_the_model_for_other_solvers() {
    let dir = root().join("scenarios/demo-single-year");
    let out = tempfile::tempdir().unwrap();
    let (mps, lp, run) = (
        out.path().join("model.mps"),
        out.path().join("model.lp"),
        out.path().join("run"),
    );
    let o = placeplan(&[
        "plan",
        dir.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--formats",
        "csv",
        "--write-mps",
        mps.to_str().unwrap(),
        "--write-lp",
        lp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    for f in [&mps, &lp] {
        assert!(
            text(&o).contains(&format!("wrote the model to {}", f.display())),
            "{}",
            text(&o)
        );
    }
    let m = std::fs::read_to_string(&mps).unwrap();
    assert!(m.starts_with("NAME placeplan\nROWS\n N  cost\n") && m.ends_with("ENDATA\n"));
    assert!(std::fs::read_to_string(&lp).unwrap().ends_with("End\n"));
    // The model file exists now: a second run refuses it and writes no run.
    let again = out.path().join("again");
    let o = placeplan(&[
        "plan",
        dir.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "--write-mps",
        mps.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("E401"), "{}", text(&o));
    assert!(!again.exists());
    assert_eq!(std::fs::read_to_string(&mps).unwrap(), m);
}

/// docs/scenario-format.md `[files] boundaries`: locality outlines (GeoJSON, `code` = locality
/// id) are drawn on the report's map; a boundary of no locality is E202.
#[test]
fn boundaries_are_drawn_and_unknown_codes_refused() {
    let dir = copy_scenario(&root().join("scenarios/demo"));
    edit_toml(dir.path(), "horizon = 5", "horizon = 2");
    edit_toml(
        dir.path(),
        "roads = \"\"",
        "roads = \"\"\nboundaries = \"b.geojson\"",
    );
    let square = |code: &str| {
        format!(
            "{{\"type\":\"Feature\",\"properties\":{{\"code\":\"{code}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[-3.03,53.40],[-3.01,53.40],[-3.01,53.42],[-3.03,53.42],[-3.03,53.40]]]}}}}"
        )
    };
    let write = |codes: &[&str]| {
        let features: Vec<String> = codes.iter().map(|c| square(c)).collect();
        std::fs::write(
            dir.path().join("b.geojson"),
            format!(
                "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
                features.join(",")
            ),
        )
        .unwrap();
    };
    write(&["W01", "NOPE"]);
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("b.geojson") && text(&o).contains("E202") && text(&o).contains("'NOPE'"),
        "{}",
        text(&o)
    );
    write(&["W01", "W02"]);
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    let o = placeplan(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--formats",
        "html",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert_eq!(html.matches("<path class=\"outline\"").count(), 2);
}

/// E211: a candidate site has no places yet, so capacity.csv may not give it any.
#[test]
fn places_at_a_candidate_site_are_refused() {
    let dir = copy_scenario(&demo_dir());
    let schools = dir.path().join("schools.csv");
    let mut t = std::fs::read_to_string(&schools).unwrap();
    t.push_str("SITE1,Northfield site,site,primary,53.39,-3.06,no,150,,\n");
    std::fs::write(&schools, t).unwrap();
    let capacity = dir.path().join("capacity.csv");
    let mut t = std::fs::read_to_string(&capacity).unwrap();
    let line = t.lines().count() + 1;
    t.push_str("SITE1,ASD,primary,10\n");
    std::fs::write(&capacity, t).unwrap();
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("E211"), "{out}");
    assert!(out.contains(&format!("capacity.csv:{line}")), "{out}");
}

/// Adds the optional `other_la_pupils` column to capacity.csv, with `other(school, places)`
/// pupils from other authorities in each row.
fn with_other_la_pupils(capacity: &Path, other: impl Fn(&str, u32) -> u32) {
    let t = std::fs::read_to_string(capacity).unwrap();
    let mut out = String::new();
    for (i, l) in t.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("{l},other_la_pupils\n"));
            continue;
        }
        let cells: Vec<&str> = l.split(',').collect();
        let places: u32 = cells[3].parse().unwrap();
        out.push_str(&format!("{l},{}\n", other(cells[0], places)));
    }
    std::fs::write(capacity, out).unwrap();
}

/// docs/scenario-format.md, capacity.csv `other_la_pupils`: pupils other authorities have
/// placed keep their places, so when they fill a special school the plan places none of its
/// own pupils there; without them the demo uses that school every year.
#[test]
fn pupils_from_other_authorities_keep_their_places() {
    let school = "105704";
    let pupils_at = |run: &Path| -> f64 {
        let t = std::fs::read_to_string(run.join("placements.csv")).unwrap();
        let cells = csv_cells(&t);
        let col = |name: &str| cells[0].iter().position(|c| c == name).unwrap();
        let (sc, pu) = (col("school"), col("pupils"));
        cells[1..]
            .iter()
            .filter(|r| r[sc] == school)
            .map(|r| r[pu].parse::<f64>().unwrap())
            .sum()
    };
    let dir = copy_scenario(&demo_dir());
    let out = tempfile::tempdir().unwrap();
    let plain = out.path().join("plain");
    let o = plan_csv_only(dir.path(), &plain);
    assert!(o.status.success(), "{}", text(&o));
    assert!(pupils_at(&plain) > 100.0, "{}", pupils_at(&plain));

    with_other_la_pupils(&dir.path().join("capacity.csv"), |s, places| {
        if s == school {
            places
        } else {
            0
        }
    });
    let full = out.path().join("full");
    let o = plan_csv_only(dir.path(), &full);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(pupils_at(&full), 0.0);
}

/// E212: more pupils from other authorities than places in a capacity row, reported with its
/// line and column.
#[test]
fn more_pupils_from_other_authorities_than_places_is_refused() {
    let dir = copy_scenario(&demo_dir());
    let capacity = dir.path().join("capacity.csv");
    with_other_la_pupils(&capacity, |_, _| 0);
    set_line(
        &capacity,
        3,
        &format!("{},{}", line(&capacity, 3).rsplit_once(',').unwrap().0, 99),
    );
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("E212"), "{out}");
    assert!(out.contains("capacity.csv:3:5"), "{out}");
    assert!(out.contains("other_la_pupils"), "{out}");
}

/// A copy of the demo whose `[files] placed_elsewhere` is `placed_elsewhere.csv` with `csv`.
fn demo_placed_elsewhere(csv: &str) -> tempfile::TempDir {
    let dir = copy_scenario(&demo_dir());
    let toml = dir.path().join("scenario.toml");
    let scenario = std::fs::read_to_string(&toml).unwrap().replace(
        "roads = \"\"",
        "roads = \"\"\nplaced_elsewhere = \"placed_elsewhere.csv\"",
    );
    std::fs::write(&toml, scenario).unwrap();
    std::fs::write(dir.path().join("placed_elsewhere.csv"), csv).unwrap();
    dir
}

/// docs/scenario-format.md, `placed_elsewhere.csv`: the authority's pupils in other
/// authorities' schools stay there (with stability) at their own cost. Two plan years: 5 of
/// W01's ASD primary pupils, spread over the six years of primary (the oldest slice has none),
/// are all still there in 2026 and 4 in 2027, each at 40,000 a place and 7,000 of transport.
/// They are listed in placements.csv as `other_authority` and costed in costs.csv's
/// `other_authority` line (place funding; transport is in the transport line).
#[test]
fn pupils_placed_in_other_authorities_schools_stay_there() {
    let dir = demo_placed_elsewhere(
        "locality,need,phase,pupils,place_cost,transport_cost\nW01,ASD,primary,5,40000,7000\n",
    );
    let toml = dir.path().join("scenario.toml");
    let scenario = std::fs::read_to_string(&toml)
        .unwrap()
        .replace("horizon = 5", "horizon = 2")
        .replace("stability = false", "stability = true");
    std::fs::write(&toml, scenario).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    let o = placeplan(&[
        "plan",
        dir.path().to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--formats",
        "csv,xlsx",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    // docs/exports.md: the workbook's Placements sheet names their provision too.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(run.join("plan.xlsx")).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut wb, "Placements").unwrap();
    let away_rows = sheet
        .rows()
        .filter(|r| r.iter().any(|c| *c == "other authority"))
        .count();
    assert_eq!(away_rows, 2);
    let placements = csv_cells(&std::fs::read_to_string(run.join("placements.csv")).unwrap());
    let col = |name: &str| placements[0].iter().position(|c| c == name).unwrap();
    let away: Vec<Vec<&str>> = placements[1..]
        .iter()
        .filter(|r| r[col("provision")] == "other_authority")
        .map(|r| {
            [
                "year",
                "locality",
                "need",
                "phase",
                "pupils",
                "place_cost",
                "transport_cost",
            ]
            .iter()
            .map(|c| r[col(c)].as_str())
            .collect()
        })
        .collect();
    assert_eq!(
        away,
        vec![
            vec!["2026", "W01", "ASD", "primary", "5", "40000.00", "7000.00"],
            vec!["2027", "W01", "ASD", "primary", "4", "40000.00", "7000.00"],
        ]
    );
    let costs = csv_cells(&std::fs::read_to_string(run.join("costs.csv")).unwrap());
    let c = costs[0]
        .iter()
        .position(|c| c == "other_authority")
        .unwrap();
    assert_eq!(
        (&costs[1][c][..], &costs[2][c][..]),
        ("200000.00", "160000.00")
    );
    let summary = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"pupils_moved_mid_phase\": 0"),
        "{summary}"
    );
    // docs/exports.md: the DSG grid counts them as in special schools. The mitigated 2026 row
    // for ASD special schools, ages 5-10, holds W01's 5 with every primary ASD pupil placed in
    // a special school of schools.csv.
    let schools = csv_cells(&std::fs::read_to_string(dir.path().join("schools.csv")).unwrap());
    let special: Vec<&str> = schools[1..]
        .iter()
        .filter(|r| r[2] == "special")
        .map(|r| r[0].as_str())
        .collect();
    let expected: f64 = placements[1..]
        .iter()
        .filter(|r| r[col("year")] == "2026" && r[col("need")] == "ASD")
        .filter(|r| r[col("phase")] == "primary")
        .filter(|r| {
            r[col("provision")] == "other_authority"
                || (r[col("provision")] == "existing"
                    && special.contains(&r[col("school")].as_str()))
        })
        .map(|r| r[col("pupils")].parse::<f64>().unwrap())
        .sum();
    let grid = csv_cells(&std::fs::read_to_string(run.join("dsg_grid.csv")).unwrap());
    let g = |name: &str| grid[0].iter().position(|c| c == name).unwrap();
    let row = grid[1..]
        .iter()
        .find(|r| {
            r[g("variant")] == "mitigated"
                && r[g("year")] == "2026"
                && r[g("placement_type")] == "Maintained special schools or special academies"
                && r[g("need")] == "ASD"
        })
        .unwrap();
    assert!(expected >= 5.0);
    assert_eq!(row[g("pupils_5-10")].parse::<f64>().unwrap(), expected);
}

/// Every problem in placed_elsewhere.csv is reported at once, with its line, column and code.
#[test]
fn bad_placed_elsewhere_rows_are_all_reported() {
    let dir = demo_placed_elsewhere(
        "locality,need,phase,pupils,place_cost\nNOWHERE,ASD,primary,5,\nW01,XYZ,primary,2.5,-1\n",
    );
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    for expected in [
        "placed_elsewhere.csv:2:1",
        "placed_elsewhere.csv:3:2",
        "placed_elsewhere.csv:3:4",
        "placed_elsewhere.csv:3:5",
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
}

/// `placeplan plan DIR --out RUN --formats FORMATS`.
fn plan_into(dir: &Path, run: &Path, formats: &str) -> std::process::Output {
    placeplan(&[
        "plan",
        dir.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
        "--formats",
        formats,
    ])
}

/// Runs `sweep` once per thread count into `dir/<prefix><threads>` and returns each run's
/// files ([`read_all`]).
fn sweep_on_threads(
    sweep: &Path,
    dir: &Path,
    prefix: &str,
    threads: &[&str],
) -> Vec<Vec<(String, Vec<u8>)>> {
    let mut outputs = Vec::new();
    for threads in threads {
        let out = dir.join(format!("{prefix}{threads}"));
        let o = placeplan(&[
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--threads",
            threads,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        outputs.push(read_all(&out));
    }
    outputs
}

/// A copy of the demo cut to two plan years with `from` replaced by `to` in scenario.toml, a
/// folder for runs, and the path of a run in it.
fn two_year_demo(from: &str, to: &str) -> (tempfile::TempDir, tempfile::TempDir, PathBuf) {
    let dir = copy_scenario(&demo_dir());
    edit_toml(dir.path(), "horizon = 5", "horizon = 2");
    edit_toml(dir.path(), from, to);
    let out = tempfile::tempdir().unwrap();
    let run = out.path().join("run");
    (dir, out, run)
}

/// docs/scenario-format.md, `[solver] bring_back` and `[costs] move_cost`: pupils out of area
/// may be brought back to a place of ours mid-phase, at the move cost each, and every move is
/// listed in moves.csv. Two plan years of the demo with bring_back on: each row of moves.csv
/// has its pupils out of area the year before and at its school in the year of the move
/// (placements.csv), the rows add up to summary.json's `pupils_moved_mid_phase`, and costs.csv's
/// `moves` line is 5,000 (the default move cost) a pupil. Without bring_back there is no
/// moves.csv and nobody moves.
#[test]
fn pupils_brought_back_are_listed_costed_and_counted() {
    let (dir, out, run) = two_year_demo("stability = true", "stability = true\nbring_back = true");
    let o = plan_into(dir.path(), &run, "csv,html");
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(stdout.contains("moves.csv"), "{}", text(&o));
    let moves = csv_cells(&std::fs::read_to_string(run.join("moves.csv")).unwrap());
    assert_eq!(
        moves[0],
        [
            "year",
            "locality",
            "need",
            "phase",
            "from",
            "to",
            "school",
            "school_name",
            "pupils",
            "move_cost"
        ]
    );
    assert!(moves.len() > 1, "nobody was brought back: {moves:?}");
    let placements = csv_cells(&std::fs::read_to_string(run.join("placements.csv")).unwrap());
    let col = |name: &str| placements[0].iter().position(|c| c == name).unwrap();
    let at = |year: &str, group: &[String], provision: &str, school: &str| -> f64 {
        placements[1..]
            .iter()
            .filter(|r| r[col("year")] == year && r[col("locality")] == group[1])
            .filter(|r| r[col("need")] == group[2] && r[col("phase")] == group[3])
            .filter(|r| r[col("provision")] == provision && r[col("school")] == school)
            .map(|r| r[col("pupils")].parse::<f64>().unwrap())
            .sum()
    };
    let mut moved = 0.0;
    for m in &moves[1..] {
        let n: f64 = m[8].parse().unwrap();
        assert!(n >= 1.0 && n.fract() == 0.0, "{m:?}");
        assert_eq!(m[0], "2027", "{m:?}");
        assert_eq!(m[4], "out_of_area", "{m:?}");
        assert!(["existing", "new_base"].contains(&m[5].as_str()), "{m:?}");
        assert!(at("2026", m, "out_of_area", "") >= n, "{m:?}");
        assert!(at("2027", m, &m[5], &m[6]) >= n, "{m:?}");
        assert_eq!(m[9], format!("{:.2}", 5_000.0 * n));
        moved += n;
    }
    let summary = std::fs::read_to_string(run.join("summary.json")).unwrap();
    assert!(
        summary.contains(&format!("\"pupils_moved_mid_phase\": {moved}")),
        "{moved}: {summary}"
    );
    let costs = csv_cells(&std::fs::read_to_string(run.join("costs.csv")).unwrap());
    let c = costs[0].iter().position(|c| c == "moves").unwrap();
    let total = costs.last().unwrap();
    assert_eq!(total[0], "total");
    assert_eq!(total[c], format!("{:.2}", 5_000.0 * moved));
    // The printed summary and the report say the same.
    assert!(
        stdout.contains(&format!(
            "brought back mid-phase: {moved} pupils from out-of-area or other authorities' schools (one-off £{:.2}m; moves.csv)",
            5_000.0 * moved / 1e6
        )),
        "{stdout}"
    );
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    let section = &html[html.find("<section id=\"moves\"").expect("section")..];
    assert!(section.contains("<h2 id=\"moves-h\">Pupils brought back mid-phase</h2>"));
    assert!(
        section.contains(&format!("The plan brings {moved} pupils back mid-phase")),
        "{section}"
    );
    assert_eq!(
        section[..section.find("</table>").unwrap()]
            .matches("<tr><td")
            .count(),
        moves.len() - 1
    );

    edit_toml(dir.path(), "bring_back = true", "bring_back = false");
    let still = out.path().join("still");
    let o = plan_into(dir.path(), &still, "csv");
    assert!(o.status.success(), "{}", text(&o));
    assert!(!still.join("moves.csv").exists());
    assert!(!String::from_utf8_lossy(&o.stdout).contains("brought back"));
    let summary = std::fs::read_to_string(still.join("summary.json")).unwrap();
    assert!(
        summary.contains("\"pupils_moved_mid_phase\": 0"),
        "{summary}"
    );
}

/// docs/scenario-format.md: bring_back needs stability (without it nobody is placed for more
/// than a year, so nobody can be brought back): E302 at the setting's line.
#[test]
fn bring_back_without_stability_is_e302() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(
        dir.path(),
        "stability = true",
        "stability = false\nbring_back = true",
    );
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let at = format!(
        "scenario.toml:{}:1: E302 [solver.bring_back]",
        toml_line(dir.path(), "bring_back")
    );
    assert!(
        err.contains(&at) && err.contains("needs stability"),
        "{err}"
    );
}

/// docs/scenario-format.md, `[bases.sizes]`: a base for a need with its own size range has
/// between its smallest and largest size. Two plan years of the demo with ASD bases of 10 to
/// 12 places: every ASD resourced base in plan.csv has 10 to 12 places over its years, other
/// needs' bases keep 8 to 20, and the report's assumptions list the range.
#[test]
fn a_need_with_its_own_base_sizes_gets_bases_of_those_sizes() {
    let (dir, _out, run) = two_year_demo(
        "lead_time = 1\n",
        "lead_time = 1\n\n[bases.sizes]\nASD = { min_size = 10, max_size = 12 }\n",
    );
    let o = plan_into(dir.path(), &run, "csv,html");
    assert!(o.status.success(), "{}", text(&o));
    let plan = csv_cells(&std::fs::read_to_string(run.join("plan.csv")).unwrap());
    let col = |name: &str| plan[0].iter().position(|c| c == name).unwrap();
    let mut per_base: std::collections::BTreeMap<(String, String, String), f64> =
        Default::default();
    for r in plan[1..]
        .iter()
        .filter(|r| r[col("kind")] == "resourced_base")
    {
        *per_base
            .entry((
                r[col("school")].clone(),
                r[col("need")].clone(),
                r[col("phase")].clone(),
            ))
            .or_default() += r[col("places")].parse::<f64>().unwrap();
    }
    assert!(
        per_base.keys().any(|k| k.1 == "ASD"),
        "no ASD base: {per_base:?}"
    );
    for ((school, need, phase), n) in &per_base {
        let (min, max) = if need == "ASD" {
            (10.0, 12.0)
        } else {
            (8.0, 20.0)
        };
        assert!(
            (min..=max).contains(n),
            "{need} {phase} base at {school}: {n} places"
        );
    }
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(html.contains("bases.sizes") && html.contains("ASD 10-12"));
}

/// docs/scenario-format.md: every bad `[bases.sizes]` range is E302 at its line, all at once:
/// a largest size over 1,000, a smallest above the largest, and a need no base is planned for.
#[test]
fn bad_base_size_ranges_are_all_reported() {
    let dir = copy_scenario(&demo_dir());
    edit_toml(
        dir.path(),
        "lead_time = 1\n",
        "lead_time = 1\n\n[bases.sizes]\nASD = { min_size = 4, max_size = 2000 }\nSEMH = { min_size = 12, max_size = 6 }\nPMLD = { min_size = 4, max_size = 8 }\n",
    );
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for (key, field) in [
        ("ASD =", "bases.sizes.ASD.max_size"),
        ("SEMH =", "bases.sizes.SEMH.min_size"),
        ("PMLD =", "bases.sizes.PMLD"),
    ] {
        let line = toml_line(dir.path(), key);
        assert!(
            err.contains(&format!("scenario.toml:{line}:"))
                && err.contains(&format!("E302 [{field}]")),
            "{field}: {err}"
        );
    }
    assert!(err.contains("not in bases.needs"), "{err}");
    // An unknown need code is a TOML problem (E301) at its line.
    edit_toml(dir.path(), "PMLD = {", "XYZ = {");
    let o = placeplan(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let line = toml_line(dir.path(), "XYZ =");
    assert!(
        err.contains(&format!(
            "scenario.toml:{line}:1: E301 unknown variant `XYZ`"
        )),
        "{err}"
    );
}

/// Round and fix places the planner's heuristics on another core beside its own relaxation,
/// when one is free (crates/solver/src/solve.rs): on one thread they are placed after it, on
/// two beside it, and every output is byte-identical. A sweep of one variant (two plan years of
/// the demo with its default rules: whole bases, stability; baselines on, so the heuristics are
/// placed) on one and two threads, and `plan` of the same scenario with rayon's pool of one and
/// two threads.
#[test]
fn a_plan_is_byte_identical_on_one_and_two_threads() {
    let (dir, out, _) = two_year_demo("stability = true", "stability = true");
    let sweep = out.path().join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = true\n[axes]\ncapital_budget = [3000000.0]\n",
            dir.path().display()
        ),
    )
    .unwrap();
    let outputs = sweep_on_threads(&sweep, out.path(), "run", &["1", "2"]);
    assert!(
        outputs[0].iter().any(|f| f.0.ends_with("placements.csv")),
        "{:?}",
        outputs[0].iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(
        outputs[0].iter().map(|f| &f.0).collect::<Vec<_>>(),
        outputs[1].iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for (a, b) in outputs[0].iter().zip(&outputs[1]) {
        assert!(a.1 == b.1, "{} differs between one and two threads", a.0);
    }
    // `plan` runs in rayon's global pool: one worker does everything in turn, two share it
    // (the unmitigated forecast's do-nothing placement beside the plan too).
    let mut plans = Vec::new();
    for threads in ["1", "2"] {
        let run = out.path().join(format!("plan{threads}"));
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_placeplan"))
            .args([
                "plan",
                dir.path().to_str().unwrap(),
                "--out",
                run.to_str().unwrap(),
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        plans.push(read_all(&run));
    }
    assert!(plans[0].iter().any(|f| f.0 == "dsg_grid.csv"));
    assert_eq!(plans[0].len(), plans[1].len());
    for (a, b) in plans[0].iter().zip(&plans[1]) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between one and two threads", a.0);
    }
}
