//! The printed tables of a backtest: one origin's report, and scores pooled over origins with
//! the issue 3 targets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::band::window;
use super::report::{BacktestReport, BacktestSettings, HorizonScore, Method};
use super::score::PooledReport;

// ---------------------------------------------------------------------------------------------
// Tables

fn method_label(m: Method, st: &BacktestSettings) -> String {
    match m {
        Method::Placeplan => "placeplan".to_string(),
        Method::LastValue => "last value".to_string(),
        Method::LinearTrend => format!("linear trend ({}y)", st.baseline_years),
        Method::ConstantGrowth => format!("constant growth ({}y)", st.baseline_years),
    }
}

fn score_table(
    out: &mut String,
    scores: &[HorizonScore],
    reference: &[HorizonScore],
    st: &BacktestSettings,
    pooled: bool,
) {
    let pct = st.interval * 100.0;
    let _ = writeln!(
        out,
        "{:<22} {:>2} {:>5} {:>5} {:>7} {:>7} {:>7} {:>8}",
        "method",
        "h",
        if pooled { "" } else { "year" },
        "n",
        "MAPE%",
        "MdAPE%",
        "bias%",
        format!("cov{pct:.0}%")
    );
    for m in Method::ALL {
        for s in scores.iter().filter(|s| s.method == m) {
            let _ = writeln!(
                out,
                "{:<22} {:>2} {:>5} {:>5} {:>7.1} {:>7.1} {:>+7.1} {:>8}",
                method_label(m, st),
                s.horizon,
                if pooled {
                    String::new()
                } else {
                    s.year.to_string()
                },
                s.n,
                s.mape,
                s.median_ape,
                s.bias,
                s.coverage.map_or("-".to_string(), |c| format!("{c:.1}"))
            );
        }
    }
    if !reference.is_empty() {
        let _ = writeln!(
            out,
            "reference, not a forecast (origin value x actual national growth: uses post-origin data):"
        );
        for s in reference {
            let _ = writeln!(
                out,
                "{:<22} {:>2} {:>5} {:>5} {:>7.1} {:>7.1} {:>+7.1} {:>8}",
                "national actual",
                s.horizon,
                if pooled {
                    String::new()
                } else {
                    s.year.to_string()
                },
                s.n,
                s.mape,
                s.median_ape,
                s.bias,
                "-"
            );
        }
    }
}

/// The printed table of one report.
pub fn format_report(r: &BacktestReport) -> String {
    let mut out = String::new();
    let st = &r.settings;
    let _ = writeln!(
        out,
        "SEN2 backtest: total EHC plans (statements + EHC plans) per local authority, origin January {}, horizons 1-{}",
        r.origin, r.horizon
    );
    if let Some(la) = &r.la {
        match r.forecasts.first() {
            Some(f) => {
                let _ = writeln!(out, "authority: {} ({})", f.name, f.la_code);
            }
            None => {
                let _ = writeln!(out, "authority: {la}");
            }
        }
    }
    if let Some(c) = &r.calibration {
        let _ = writeln!(
            out,
            "fitted on January {}-{} caseload and calendar {}-{} new plans only; national continuation {} = {}; new-plan growth {:+.1}%/yr (damping {}); pool {} LAs",
            window(r.origin, st).stock.start(),
            r.origin,
            window(r.origin, st).new.start(),
            r.origin - 1,
            ["0-4", "5-10", "11-15", "16-25"].join("/"),
            c.continuation
                .iter()
                .map(|v| format!("{v:.3}"))
                .collect::<Vec<_>>()
                .join("/"),
            100.0 * c.new_plan_growth,
            st.damping,
            c.pool
        );
        let _ = writeln!(
            out,
            "interval: {:.0}% from {} placeplan errors at origins {} (actuals up to January {} only)",
            st.interval * 100.0,
            c.interval_errors,
            match c.interval_origins.as_slice() {
                [] => "none".to_string(),
                [one] => one.to_string(),
                [first, .., last] => format!("{first}-{last}"),
            },
            r.origin
        );
    }
    let _ = writeln!(
        out,
        "scored: {} {}; excluded: {}",
        r.scored,
        if r.scored == 1 {
            "authority"
        } else {
            "authorities"
        },
        r.excluded.len()
    );
    let mut reasons: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in &r.excluded {
        let key = e
            .reason
            .split(" (")
            .next()
            .unwrap_or(&e.reason)
            .split(':')
            .next()
            .unwrap_or(&e.reason)
            .to_string();
        reasons.entry(key).or_default().push(&e.name);
    }
    for (why, names) in &reasons {
        let _ = writeln!(out, "  {} {}: {}", names.len(), why, names.join("; "));
    }
    if let Some(n) = r.population_matched {
        let _ = writeln!(
            out,
            "population: {n} authorities matched (one mid-year, held flat: it changes no forecast)"
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !r.scores.is_empty() {
        out.push('\n');
        score_table(&mut out, &r.scores, &r.reference, st, false);
    }
    if r.la.is_some() && !r.forecasts.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<10} {:>4} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "code", "year", "actual", "placeplan", "low", "high", "last", "linear", "growth"
        );
        for f in &r.forecasts {
            let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
            let _ = writeln!(
                out,
                "{:<10} {:>4} {:>8.0} {:>9.0} {:>9} {:>9} {:>9.0} {:>9.0} {:>9.0}",
                f.la_code,
                f.year,
                f.actual,
                f.placeplan,
                opt(f.low),
                opt(f.high),
                f.last_value,
                f.linear_trend,
                f.constant_growth
            );
        }
    }
    out
}

/// Issue 3 targets at the longest horizon, from pooled scores.
fn targets(out: &mut String, p: &PooledReport) {
    let at = |m: Method| {
        p.scores
            .iter()
            .find(|s| s.method == m && s.horizon == p.horizon)
    };
    let Some(pp) = at(Method::Placeplan) else {
        return;
    };
    let best_naive = [
        Method::LastValue,
        Method::LinearTrend,
        Method::ConstantGrowth,
    ]
    .into_iter()
    .filter_map(at)
    .map(|s| s.mape)
    .fold(f64::INFINITY, f64::min);
    let met = |b: bool| if b { "met" } else { "NOT met" };
    let _ = writeln!(out, "\ntargets at horizon {} (pooled):", p.horizon);
    let _ = writeln!(
        out,
        "  MAPE <= 10%: {:.1}% {}; best naive baseline {:.1}% ({})",
        pp.mape,
        met(pp.mape <= 10.0),
        best_naive,
        if pp.mape < best_naive {
            "placeplan better"
        } else {
            "placeplan NOT better"
        }
    );
    let _ = writeln!(
        out,
        "  |bias| <= 3%: {:+.1}% {}",
        pp.bias,
        met(pp.bias.abs() <= 3.0)
    );
    match pp.coverage {
        Some(c) => {
            let _ = writeln!(
                out,
                "  80% interval covers 75-85%: {c:.1}% {}",
                met((75.0..=85.0).contains(&c))
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  80% interval covers 75-85%: no interval at every origin"
            );
        }
    }
}

/// The printed table of scores pooled over origins, with the issue 3 targets.
pub fn format_pooled(p: &PooledReport, st: &BacktestSettings) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "pooled over origins {}: every authority-origin pair counts once",
        p.origins
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    score_table(&mut out, &p.scores, &p.reference, st, true);
    targets(&mut out, p);
    out
}
