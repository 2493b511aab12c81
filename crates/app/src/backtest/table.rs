//! The printed tables of a backtest: one origin's report, and scores pooled over origins with
//! the issue 18 targets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::la::history;
use super::report::{BacktestReport, BacktestSettings, HorizonScore, Measure, Method};
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
    for measure in Measure::ALL {
        if !scores.iter().any(|s| s.measure == measure) {
            continue;
        }
        let _ = writeln!(out, "{}:", measure.label());
        let _ = writeln!(
            out,
            "{:<22} {:>2} {:>5} {:>5} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} {:>6}",
            "method",
            "h",
            if pooled { "" } else { "year" },
            "n",
            "MAPE%",
            "MdAPE%",
            "bias%",
            format!("cov{pct:.0}%"),
            "below",
            "above",
            "width",
            "IS%"
        );
        let year = |s: &HorizonScore| {
            if pooled {
                String::new()
            } else {
                s.year.to_string()
            }
        };
        for m in Method::ALL {
            for s in scores
                .iter()
                .filter(|s| s.measure == measure && s.method == m)
            {
                score_row(out, &method_label(m, st), s, &year(s));
            }
        }
        let refs: Vec<&HorizonScore> = reference.iter().filter(|s| s.measure == measure).collect();
        if !refs.is_empty() {
            let _ = writeln!(
                out,
                "reference, not a forecast (origin value x actual national growth: uses post-origin data; its interval fitted in hindsight to its own errors):"
            );
            for s in refs {
                score_row(out, "national growth", s, &year(s));
            }
        }
    }
}

/// One row of a score table: `label`, the scores and the interval's (dashes without one).
fn score_row(out: &mut String, label: &str, s: &HorizonScore, year: &str) {
    let iv = |f: fn(&super::report::IntervalScore) -> f64| {
        s.interval
            .map_or("-".to_string(), |i| format!("{:.1}", f(&i)))
    };
    let _ = writeln!(
        out,
        "{:<22} {:>2} {:>5} {:>5} {:>7.1} {:>7.1} {:>+7.1} {:>7} {:>6} {:>6} {:>6} {:>6}",
        label,
        s.horizon,
        year,
        s.n,
        s.mape,
        s.median_ape,
        s.bias,
        iv(|i| i.coverage),
        iv(|i| i.below),
        iv(|i| i.above),
        iv(|i| i.median_width),
        iv(|i| i.score)
    );
}

/// The printed table of one report.
pub fn format_report(r: &BacktestReport) -> String {
    let mut out = String::new();
    let st = &r.settings;
    let _ = writeln!(
        out,
        "SEN2 backtest of the scenario forecast (each local authority one locality): total EHC plans and specialist placements, origin January {}, horizons 1-{}",
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
        let w = history(r.origin, st);
        let _ = writeln!(
            out,
            "calibrated on January {}-{} caseload and placements only (new-plan trend: {} own + {} national over the same Januarys, damping {}, cap {:.0}%/yr)",
            w.start(),
            w.end(),
            st.own_trend_weight,
            1.0 - st.own_trend_weight,
            st.damping,
            100.0 * st.max_trend
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
        "scored: total plans {}, specialist placements {} {}; excluded: {}",
        r.scored,
        r.scored_specialist,
        if r.scored_specialist == 1 {
            "authority"
        } else {
            "authorities"
        },
        r.excluded.len()
    );
    let mut reasons: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
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
        reasons
            .entry((e.measure.as_str(), key))
            .or_default()
            .push(&e.name);
    }
    for ((measure, why), names) in &reasons {
        let _ = writeln!(
            out,
            "  {measure}: {} {}: {}",
            names.len(),
            why,
            names.join("; ")
        );
    }
    if let Some(n) = r.population_matched {
        let _ = writeln!(
            out,
            "population: {n} authorities matched (one mid-year after the origins: not used, the forecast holds population flat)"
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if !r.scores.is_empty() {
        out.push('\n');
        score_table(&mut out, &r.scores, &r.reference, st, false);
    }
    if !r.national.is_empty() {
        let _ = writeln!(
            out,
            "national total (the authorities eligible, summed), forecast by placeplan as one authority from the same Januarys:"
        );
        let _ = writeln!(
            out,
            "{:<12} {:>2} {:>5} {:>5} {:>10} {:>10} {:>7}",
            "measure", "h", "year", "LAs", "placeplan", "actual", "error%"
        );
        for n in &r.national {
            let _ = writeln!(
                out,
                "{:<12} {:>2} {:>5} {:>5} {:>10.0} {:>10.0} {:>+7.1}",
                n.measure.as_str(),
                n.horizon,
                n.year,
                n.authorities,
                n.forecast,
                n.actual,
                n.error()
            );
        }
    }
    if r.la.is_some() && !r.forecasts.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<10} {:<10} {:>4} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "measure",
            "code",
            "year",
            "actual",
            "placeplan",
            "low",
            "high",
            "last",
            "linear",
            "growth"
        );
        for f in &r.forecasts {
            let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}"));
            let _ = writeln!(
                out,
                "{:<10} {:<10} {:>4} {:>8.0} {:>9.0} {:>9} {:>9} {:>9.0} {:>9.0} {:>9.0}",
                f.measure.as_str(),
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

/// The issue 18 targets, from pooled scores.
fn targets(out: &mut String, p: &PooledReport) {
    let at = |measure: Measure, m: Method, h: u32| {
        p.scores
            .iter()
            .find(|s| s.measure == measure && s.method == m && s.horizon == h)
    };
    let reference = |measure: Measure, h: u32| {
        p.reference
            .iter()
            .find(|s| s.measure == measure && s.horizon == h)
    };
    let met = |b: bool| if b { "met" } else { "NOT met" };
    let _ = writeln!(out, "\ntargets (issue 18, pooled):");
    for h in 1..=p.horizon {
        let (Some(pp), Some(r)) = (
            at(Measure::Plans, Method::Placeplan, h),
            reference(Measure::Plans, h),
        ) else {
            continue;
        };
        let national = p
            .national
            .iter()
            .find(|n| n.0 == Measure::Plans && n.1 == h)
            .map_or(String::new(), |n| {
                format!(
                    "; placeplan's forecast of the national total itself: {:+.1}%",
                    n.2
                )
            });
        let _ = writeln!(
            out,
            "  plans h{h}: MAPE {:.1}% vs national-growth reference {:.1}% (within 1 point: {}){national}",
            pp.mape,
            r.mape,
            met(pp.mape <= r.mape + 1.0)
        );
    }
    for (h, bias) in &p.plans_bias_2017_2019 {
        let _ = writeln!(
            out,
            "  plans h{h}: bias at origins 2017-2019 {bias:+.1}% (|bias| <= 3%: {})",
            met(bias.abs() <= 3.0)
        );
    }
    if let Some(pp) = at(Measure::Specialist, Method::Placeplan, 3) {
        let best = [
            Method::LastValue,
            Method::LinearTrend,
            Method::ConstantGrowth,
        ]
        .into_iter()
        .filter_map(|m| at(Measure::Specialist, m, 3))
        .map(|s| s.mape)
        .fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            out,
            "  specialist h3: MAPE {:.1}% vs best naive {:.1}% (2 points below: {})",
            pp.mape,
            best,
            met(pp.mape <= best - 2.0)
        );
    }
    for measure in Measure::ALL {
        for h in 1..=p.horizon {
            let Some(iv) = at(measure, Method::Placeplan, h).and_then(|s| s.interval) else {
                continue;
            };
            let sides = iv.below.max(iv.above) <= 2.0 * iv.below.min(iv.above);
            let hindsight =
                reference(measure, h)
                    .and_then(|r| r.interval)
                    .map_or(String::new(), |r| {
                        format!(
                            " (the reference's own interval, fitted in hindsight: {:.1}%)",
                            r.median_width
                        )
                    });
            let width = match h {
                3 => format!(
                    "; width {:.1}% <= 20%: {}{hindsight}",
                    iv.median_width,
                    met(iv.median_width <= 20.0)
                ),
                5 => format!(
                    "; width {:.1}% <= 35%: {}{hindsight}",
                    iv.median_width,
                    met(iv.median_width <= 35.0)
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} h{h} interval: coverage {:.1}% in 75-85%: {}; misses below/above {:.1}/{:.1}% (neither over twice the other: {}){width}",
                measure.as_str(),
                iv.coverage,
                met((75.0..=85.0).contains(&iv.coverage)),
                iv.below,
                iv.above,
                met(sides)
            );
        }
    }
}

/// The printed table of scores pooled over origins, with the issue 18 targets.
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
    if !p.national.is_empty() {
        let _ = writeln!(
            out,
            "national total, forecast by placeplan as one authority (mean error over origins):"
        );
        let _ = writeln!(
            out,
            "{:<12} {:>2} {:>7} {:>7}",
            "measure", "h", "origins", "error%"
        );
        for (measure, h, error, n) in &p.national {
            let _ = writeln!(
                out,
                "{:<12} {:>2} {:>7} {:>+7.1}",
                measure.as_str(),
                h,
                n,
                error
            );
        }
    }
    targets(&mut out, p);
    out
}
