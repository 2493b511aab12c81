//! The sweep report of a small real sweep of the demo borough: two capital budgets and one
//! infeasible variant. Checks the page's content and determinism, then renders it in headless
//! Chromium (it renders, both charts have data, no console errors, a screenshot is taken).
//!
//! Chromium is Debian's `chromium` package; `.ci/run` installs it. Outside CI a machine without
//! it skips the browser part loudly; in CI (env `CI` set) a missing browser fails the test.
//! The report and screenshot are left in `target/tmp/sweep_report/` to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use placeplan_model::html::escape;
use placeplan_model::io::load_scenario;
use placeplan_solver::sweep::{pareto, read_sweep, run_sweep};
use placeplan_solver::sweep_report::sweep_report;

const CHROMIUM: &str = "/usr/bin/chromium";

/// A fresh directory under cargo's test tmp dir, kept after the test for inspection.
fn out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep_report");
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The part of `html` from `data-chart="{chart}"` to the end of its figure.
fn figure<'a>(html: &'a str, chart: &str) -> &'a str {
    let start = html
        .find(&format!("data-chart=\"{chart}\""))
        .unwrap_or_else(|| panic!("no {chart} chart"));
    let end = html[start..].find("</figure>").expect("figure closes") + start;
    &html[start..end]
}

#[test]
fn sweep_report_compares_variants_and_renders_in_chromium() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/demo")
        .canonicalize()
        .unwrap();
    let base = load_scenario(&demo).expect("demo scenario loads");
    let dir = out_dir();
    let sweep_toml = dir.join("sweep.toml");
    std::fs::write(
        &sweep_toml,
        format!(
            "base = {}\nbaselines = false\n\n[axes]\ncapital_budget = [1000000.0, 4000000.0]\n\n\
             [[variants]]\nname = \"no-out-of-area\"\n\"solver.allow_out_of_area\" = false\n\
             \"journey.secondary\" = 6.0\n",
            toml::Value::String(demo.display().to_string())
        ),
    )
    .unwrap();
    let spec = read_sweep(&sweep_toml).expect("sweep file reads");
    assert_eq!(spec.variants.len(), 3);
    let results = run_sweep(&base, &spec, &dir.join("out"), 1, &|_| {}).expect("sweep runs");
    assert_eq!(
        results.iter().filter(|r| r.outcome.is_ok()).count(),
        2,
        "both budgets plan"
    );
    let reason = results[2]
        .outcome
        .as_ref()
        .expect_err("the strict variant is infeasible");
    assert!(reason.starts_with("no feasible plan"), "{reason}");
    let points = pareto(&results);

    let title = "Demo Borough: sweep <test> & \"budgets\"";
    let bytes = sweep_report(title, &results, &points);
    assert_eq!(
        bytes,
        sweep_report(title, &results, &points),
        "report bytes differ"
    );
    let html = String::from_utf8(bytes).unwrap();
    assert!(html.contains(&escape(title)));
    for r in &results {
        assert!(html.contains(&r.spec.name), "{} is missing", r.spec.name);
    }
    for line in reason.lines().map(str::trim).filter(|l| !l.is_empty()) {
        assert!(
            html.contains(&escape(line)),
            "the reason line {line:?} is missing"
        );
    }
    let pareto_fig = figure(&html, "pareto");
    let drawn = pareto_fig.matches("class=\"datum point\"").count();
    assert!(drawn >= 2, "the Pareto chart drew {drawn} points");
    assert!(pareto_fig.contains("<polyline class=\"frontier\""));
    let npv_fig = figure(&html, "npv");
    assert_eq!(npv_fig.matches("class=\"datum bar\"").count(), 2);
    assert!(npv_fig.contains("no plan: infeasible"));
    // The cheapest row is highlighted, and there is exactly one.
    assert_eq!(html.matches("<tr class=\"best\"").count(), 1);
    // Self-contained and script-free; inline SVG needs no namespace URL, so no "http" at all.
    assert!(!html.contains("<script"), "a script in the page");
    assert!(!html.contains("http"), "a URL in the page");
    assert!(!html.contains("<test>"), "the title is not escaped");

    let page = dir.join("report.html");
    std::fs::write(&page, &html).unwrap();
    if !Path::new(CHROMIUM).exists() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium package \
                 (apt-get install chromium) before the tests"
            );
        }
        eprintln!(
            "\n==========================================================\n\
             SKIPPED: chromium not installed (apt-get install chromium)\n\
             the headless-browser part of this test did not run\n\
             ==========================================================\n"
        );
        return;
    }
    let url = format!("file://{}", page.display());
    let png = dir.join("report.png");
    let shot = chromium(
        &dir,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2400",
            "--hide-scrollbars",
            &url,
        ],
    );
    let size = std::fs::metadata(&png)
        .unwrap_or_else(|_| panic!("no screenshot written\n{}", shot.1))
        .len();
    assert!(size > 50_000, "screenshot is only {size} bytes");
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");

    let (dom, log) = chromium(
        &dir,
        &[
            "--dump-dom",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
            &url,
        ],
    );
    assert!(dom.contains("</html>"), "no DOM dumped\n{log}");
    for chart in ["pareto", "npv"] {
        let fig = figure(&dom, chart);
        let marks = fig.matches("class=\"datum").count();
        assert!(marks >= 2, "{chart} chart drew {marks} data marks");
        assert!(fig.contains("<title"), "{chart} has no title");
    }
    // The page has no scripts, so any console message at all is a fault.
    let console: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(
        console.is_empty(),
        "console errors:\n{}",
        console.join("\n")
    );
    eprintln!("screenshot: {} ({size} bytes)", png.display());
}

/// Runs headless Chromium with a fresh profile; returns (stdout, stderr). Killed after 120 s.
fn chromium(dir: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes on threads so a full pipe cannot stall the browser.
    let read = |mut p: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = p.read_to_string(&mut s);
            s
        })
    };
    let t_out = read(Box::new(child.stdout.take().unwrap()));
    let t_err = read(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (t_out.join().unwrap(), t_err.join().unwrap())
}
