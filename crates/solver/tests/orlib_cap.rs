//! Known-optimum conformance on OR-Library capacitated warehouse location (Beasley): all 37
//! instances cap41..cap134 solved with microlp must match the published split-demand optima.
//! Also the reader's error messages on small broken files.
//!
//! Data: `$PLACEPLAN_DATA/orlib-cap/` or `../../../shared/data/orlib-cap/` from this crate.
//! When absent the known-optimum test says so on stderr and returns (it does not fail), except
//! in CI (env `CI` set), where it fails.
//! The large capa/capb/capc instances take 3-60 s each with HiGHS (three of them run here when
//! HiGHS is in the build) and longer with microlp, so all twelve run only on request:
//! `PLACEPLAN_CAP_LARGE=1 cargo test --release -p placeplan-solver --test orlib_cap -- --nocapture`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use placeplan_solver::cflp::{read_cflp, solve_cflp, CflpErrorKind, Position};
use placeplan_solver::Backend;

#[path = "../../../tests/support/data.rs"]
mod data;

/// Published optima (OR-Library `capopt.txt`, also the data README table).
const OPTIMA: [(&str, f64); 37] = [
    ("cap41", 1040444.375),
    ("cap42", 1098000.450),
    ("cap43", 1153000.450),
    ("cap44", 1235500.450),
    ("cap51", 1025208.225),
    ("cap61", 932615.750),
    ("cap62", 977799.400),
    ("cap63", 1014062.050),
    ("cap64", 1045650.250),
    ("cap71", 932615.750),
    ("cap72", 977799.400),
    ("cap73", 1010641.450),
    ("cap74", 1034976.975),
    ("cap81", 838499.288),
    ("cap82", 910889.563),
    ("cap83", 975889.563),
    ("cap84", 1069369.525),
    ("cap91", 796648.438),
    ("cap92", 855733.500),
    ("cap93", 896617.538),
    ("cap94", 946051.325),
    ("cap101", 796648.437),
    ("cap102", 854704.200),
    ("cap103", 893782.112),
    ("cap104", 928941.750),
    ("cap111", 826124.713),
    ("cap112", 901377.213),
    ("cap113", 970567.750),
    ("cap114", 1063356.488),
    ("cap121", 793439.563),
    ("cap122", 852524.625),
    ("cap123", 895302.325),
    ("cap124", 946051.325),
    ("cap131", 793439.562),
    ("cap132", 851495.325),
    ("cap133", 893076.712),
    ("cap134", 928941.750),
];

/// Large instances: (file, capacity, published optimum).
const LARGE: [(&str, f64, f64); 12] = [
    ("capa", 8000.0, 19240822.449),
    ("capa", 10000.0, 18438046.543),
    ("capa", 12000.0, 17765201.949),
    ("capa", 14000.0, 17160439.012),
    ("capb", 5000.0, 13656379.578),
    ("capb", 6000.0, 13361927.449),
    ("capb", 7000.0, 13198556.434),
    ("capb", 8000.0, 13082516.496),
    ("capc", 5000.0, 11646596.974),
    ("capc", 5750.0, 11570340.289),
    ("capc", 6500.0, 11518743.744),
    ("capc", 7250.0, 11505767.394),
];

/// Per-instance time limit: far above what any small instance needs, so a limit means a bug.
const TIME_LIMIT_S: f64 = 300.0;

/// The optima are published to 3 decimals.
fn matches(obj: f64, opt: f64) -> bool {
    (obj - opt).abs() <= 1e-6 * opt + 1e-3
}

/// The orlib-cap directory, or `None` after saying loudly where it looked.
fn data_dir() -> Option<PathBuf> {
    data::shared_data(&["orlib-cap/cap41.txt"]).map(|d| d.join("orlib-cap"))
}

#[test]
fn cap41_to_cap134_match_published_optima_with_microlp() {
    let Some(dir) = data_dir() else { return };
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut times = Vec::new();
    for (name, opt) in OPTIMA {
        let inst = match read_cflp(&dir.join(format!("{name}.txt")), None) {
            Ok(i) => i,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        match solve_cflp(&inst, Backend::Microlp, TIME_LIMIT_S) {
            Ok(r) => {
                eprintln!(
                    "{name:>7}: {:>3} sites x {} customers  objective {:>14.3}  published {:>14.3}  {:<16} {:>7.3} s  open {:?}",
                    inst.sites(),
                    inst.customers(),
                    r.objective,
                    opt,
                    r.status,
                    r.seconds,
                    r.open
                );
                times.push((r.seconds, name));
                if !matches(r.objective, opt) || r.status != "optimal" {
                    failures.push(format!(
                        "{name}: objective {} ({}) vs published {opt}",
                        r.objective, r.status
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let solve: f64 = times.iter().map(|t| t.0).sum();
    eprintln!(
        "microlp: {} instances, {solve:.2} s solving, {:.2} s in all; slowest: {:?}",
        times.len(),
        start.elapsed().as_secs_f64(),
        &times[..times.len().min(5)]
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Opt-in (minutes per case): `PLACEPLAN_CAP_LARGE=1` runs all 12 capa/capb/capc cases, or
/// e.g. `PLACEPLAN_CAP_LARGE=capa:8000` just one. `PLACEPLAN_CAP_LIMIT` sets seconds per case
/// (default 600) and `PLACEPLAN_CAP_BACKEND` the backend (default microlp). A case that stops
/// at its limit is reported, not failed; a proven optimum must match the published one.
#[test]
fn capa_capb_capc_on_request() {
    let Some(which) = std::env::var("PLACEPLAN_CAP_LARGE").ok() else {
        eprintln!("capa/capb/capc not run: set PLACEPLAN_CAP_LARGE=1 (or e.g. capa:8000)");
        return;
    };
    let Some(dir) = data_dir() else { return };
    let backend = match std::env::var("PLACEPLAN_CAP_BACKEND") {
        Ok(s) => match s.parse::<Backend>() {
            Ok(b) => b,
            Err(e) => panic!("PLACEPLAN_CAP_BACKEND: {e}"),
        },
        Err(_) => Backend::Microlp,
    };
    if !backend.is_available() {
        eprintln!("SKIPPED: backend {backend} is not in this build (add --features highs)");
        return;
    }
    let limit = std::env::var("PLACEPLAN_CAP_LIMIT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(600.0);
    let mut failures = Vec::new();
    for (name, cap, opt) in LARGE {
        if which != "1" && which != format!("{name}:{cap}") {
            continue;
        }
        let inst = match read_cflp(&dir.join(format!("{name}.txt")), Some(cap)) {
            Ok(i) => i,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        match solve_cflp(&inst, backend, limit) {
            Ok(r) => {
                eprintln!(
                    "{name} cap {cap} ({backend}): objective {:.3} published {opt:.3} {} {:.1} s, {} open",
                    r.objective,
                    r.status,
                    r.seconds,
                    r.open.len()
                );
                if r.status == "optimal" && !matches(r.objective, opt) {
                    failures.push(format!("{name} cap {cap}: {} vs {opt}", r.objective));
                }
            }
            Err(e) => eprintln!("{name} cap {cap} ({backend}): {e}"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// With HiGHS in the build, three large cases that take a few seconds each (with the
/// Lagrangian site fixing and MIP start of `cflp_lagrange`) must be proven optimal at the
/// published optimum. The limit is generous: it is there to stop a hang, not to time the run.
#[test]
fn large_cases_reach_published_optima_with_highs() {
    if !Backend::Highs.is_available() {
        eprintln!("SKIPPED: large cases with HiGHS need --features highs");
        return;
    }
    let Some(dir) = data_dir() else { return };
    let mut failures = Vec::new();
    for (name, cap, opt) in LARGE {
        if !matches!(
            (name, cap),
            ("capa", 8000.0) | ("capa", 14000.0) | ("capb", 5000.0)
        ) {
            continue;
        }
        let inst = read_cflp(&dir.join(format!("{name}.txt")), Some(cap)).expect("readable");
        match solve_cflp(&inst, Backend::Highs, 600.0) {
            Ok(r) => {
                eprintln!(
                    "{name} cap {cap}: objective {:.3} published {opt:.3} {} {:.1} s, fixed {} open / {} closed",
                    r.objective, r.status, r.seconds, r.fixed_open, r.fixed_closed
                );
                if r.status != "optimal" || !matches(r.objective, opt) {
                    failures.push(format!(
                        "{name} cap {cap}: {} ({}) vs {opt}",
                        r.objective, r.status
                    ));
                }
                if let Some(lb) = r.lower_bound {
                    if lb > r.objective + 1e-6 * r.objective.abs() {
                        failures.push(format!("{name} cap {cap}: bound {lb} above optimum"));
                    }
                }
            }
            Err(e) => failures.push(format!("{name} cap {cap}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    let mut f = match tempfile::NamedTempFile::new() {
        Ok(f) => f,
        Err(e) => panic!("cannot create a temp file: {e}"),
    };
    if let Err(e) = f.write_all(text.as_bytes()) {
        panic!("cannot write the temp file: {e}");
    }
    f
}

/// Reads `text` from a temp file and returns the error's kind, position and rendered form.
fn read_err(text: &str, cap: Option<f64>) -> (CflpErrorKind, Option<Position>, String) {
    let f = write_temp(text);
    match read_cflp(f.path(), cap) {
        Ok(i) => panic!("expected an error, read {i:?}"),
        Err(e) => {
            let shown = e.to_string();
            let file = f.path().display().to_string();
            assert!(
                shown.starts_with(&file),
                "error does not start with the file name: {shown}"
            );
            assert!(shown.contains("\n    hint: "), "error has no hint: {shown}");
            (e.kind, e.at(), shown)
        }
    }
}

const GOOD: &str = "3 2\n 10 100.\n 20 abc\n 30 300.\n";

#[test]
fn bad_token_names_the_field_line_and_column() {
    let (kind, at, shown) = read_err(GOOD, None);
    assert_eq!(kind, CflpErrorKind::BadNumber);
    assert_eq!(at, Some(Position { line: 3, col: 5 }));
    assert!(
        shown.contains(":3:5: E101 expected a number for the fixed cost of site 2, found 'abc'"),
        "{shown}"
    );
}

#[test]
fn truncated_file_says_how_many_numbers_were_read_and_expected() {
    // 2 + 2*3 + 2*(3+1) = 16 numbers expected; 11 present.
    let text = "3 2\n10 100\n20 200\n30 300\n5 1 2";
    let (kind, at, shown) = read_err(text, None);
    assert_eq!(kind, CflpErrorKind::Truncated);
    assert_eq!(at, Some(Position { line: 5, col: 6 }));
    assert!(
        shown.contains("file ends after 11 of 16 expected numbers"),
        "{shown}"
    );
    assert!(
        shown.contains("the cost of serving customer 1 from site 3"),
        "{shown}"
    );
}

#[test]
fn capacity_word_without_override_is_an_error_with_a_hint() {
    let text = "2 1\n capacity 100.\n capacity 200.\n 5 1 2\n";
    let (kind, at, shown) = read_err(text, None);
    assert_eq!(kind, CflpErrorKind::MissingCapacity);
    assert_eq!(at, Some(Position { line: 2, col: 2 }));
    assert!(shown.contains("capacity override"), "{shown}");
    let f = write_temp(text);
    let caps = read_cflp(f.path(), Some(8000.0)).map(|i| i.capacity);
    assert_eq!(caps.ok(), Some(vec![8000.0, 8000.0]));
}

#[test]
fn negative_non_finite_bad_sizes_and_trailing_tokens_are_rejected() {
    let cases = [
        (
            "1 1 5 1 2 -3",
            CflpErrorKind::Negative,
            "cost of serving customer 1 from site 1 is negative",
        ),
        (
            "1 1 5 1 inf 3",
            CflpErrorKind::NonFinite,
            "demand of customer 1 is not a finite number",
        ),
        ("0 5", CflpErrorKind::BadSize, "the number of sites m is 0"),
        ("1 100001", CflpErrorKind::BadSize, "between 1 and 100000"),
        ("1 1 5 1 2 3 4", CflpErrorKind::Trailing, "1 extra token(s)"),
        (
            "x 1",
            CflpErrorKind::BadNumber,
            "expected a whole number for the number of sites m, found 'x'",
        ),
    ];
    for (text, want, says) in cases {
        let (kind, _, shown) = read_err(text, None);
        assert_eq!(kind, want, "{text}: {shown}");
        assert!(shown.contains(says), "{text}: {shown}");
    }
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot create a temp dir: {e}"),
    };
    let r = read_cflp(&dir.path().join("nope.txt"), None);
    assert_eq!(r.err().map(|e| e.kind), Some(CflpErrorKind::Io));
}
