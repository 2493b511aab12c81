//! Shared headless-Chromium harness for the report tests (included with `#[path]`).

use std::path::Path;
use std::process::Command;

#[path = "process.rs"]
mod process;

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Renders `page` in headless Chromium: takes a screenshot `report.png` beside it (checked to be
/// a real PNG of some size) and returns the rendered DOM and Chromium's log. Returns `None`, with
/// a loud SKIPPED message, when Chromium is not installed outside CI; in CI that is a failure.
pub fn render(dir: &Path, page: &Path) -> Option<(String, String)> {
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
        return None;
    }
    let url = format!("file://{}", page.display());
    let png = dir.join("report.png");
    let shot = chromium(
        dir,
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
        dir,
        &[
            "--dump-dom",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
            &url,
        ],
    );
    assert!(dom.contains("</html>"), "no DOM dumped\n{log}");
    Some((dom, log))
}

/// Console lines in Chromium's log. The reports have no scripts, so any console message at all
/// (Chromium logs console.error and uncaught exceptions as `CONSOLE` lines) is a fault.
pub fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect()
}

/// Runs headless Chromium with a fresh profile; returns (stdout, stderr). Killed after 120 s.
fn chromium(dir: &Path, args: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
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
    .args(args);
    process::run_limited(&mut cmd, "chromium", 120)
}
