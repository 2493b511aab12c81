//! One measured allocation at a synthetic scale, for the side-by-side table in
//! docs/performance.md. Each backend runs in its own process so peak memory is its own:
//!
//! ```sh
//! cargo run --release -p placeplan-app --example scale_run -- lsoa flow single
//! ```
//!
//! Arguments: scale (ward, lsoa, region), backend (flow, microlp, highs), and `single` for the
//! single-period LP (the final plan year's demand alone, places usable at once), `multi` for the
//! five-year LP (both the continuous model, `synth::continuous`: fractional places, no
//! stability rows) or `default` for the five-year plan as generated (the scenario defaults:
//! whole bases and stability). Prints one JSON line: sizes, seconds per step,
//! objective, method and peak resident memory.

use std::time::Instant;

use placeplan_io::synth::{continuous, final_year_only, instance, Scale};
use placeplan_model::check;
use placeplan_model::forecast::forecast;
use placeplan_model::travel::TravelMatrix;
use placeplan_solver::formulation::build_network;
use placeplan_solver::{solve, Backend, Options};

fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: scale_run ward|lsoa|region flow|microlp|highs single|multi|default";
    let (Some(scale), Some(backend), Some(mode)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let scale: Scale = scale.parse().unwrap_or_else(|e| {
        eprintln!("{e}\n{usage}");
        std::process::exit(2)
    });
    let backend: Backend = backend.parse().unwrap_or_else(|e| {
        eprintln!("{e}\n{usage}");
        std::process::exit(2)
    });
    if !["single", "multi", "default"].contains(&mode.as_str()) {
        eprintln!("unknown mode {mode:?}\n{usage}");
        std::process::exit(2);
    }
    let t0 = Instant::now();
    let mut s = instance(scale, 1).expect("generate and load the instance");
    let load_s = t0.elapsed().as_secs_f64();
    // Give every backend the same generous limit (seconds).
    s.solver.time_limit_s = 600.0;
    if mode != "default" {
        continuous(&mut s);
    }
    let t = Instant::now();
    let fc = forecast(&s);
    let forecast_s = t.elapsed().as_secs_f64();
    let mut demand = fc.specialist_demand(s.localities.len());
    if mode == "single" {
        // The final plan year on its own, with places usable at once.
        final_year_only(&mut s, &mut demand);
    }
    let travel = TravelMatrix::build(&s);
    let opt = Options::optimise();
    let t = Instant::now();
    let net = build_network(&s, &travel, &demand, &opt);
    let network_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let result = solve(&s, &travel, &demand, &opt, backend);
    let solve_s = t.elapsed().as_secs_f64();
    let (objective, method, check_s, passed) = match &result {
        Ok(plan) => {
            let t = Instant::now();
            let r = check(&s, &travel, &demand, plan);
            (
                format!("{:.2}", plan.objective),
                plan.method.clone(),
                t.elapsed().as_secs_f64(),
                r.passed(),
            )
        }
        Err(e) => (format!("\"{e}\""), String::new(), 0.0, false),
    };
    let groups = (0..demand.groups.len())
        .filter(|&g| demand.pupils.iter().any(|p| p[g] > 0))
        .count();
    println!(
        "{{\"scale\":\"{scale}\",\"mode\":\"{mode}\",\"backend\":\"{backend}\",\"localities\":{},\"schools\":{},\"groups\":{groups},\"arcs\":{},\"candidates\":{},\"load_s\":{load_s:.3},\"forecast_s\":{forecast_s:.3},\"network_s\":{network_s:.3},\"solve_s\":{solve_s:.3},\"check_s\":{check_s:.3},\"objective\":{objective},\"method\":\"{method}\",\"check_passed\":{passed},\"peak_mb\":{:.0}}}",
        s.localities.len(),
        s.schools.len(),
        net.arcs.len(),
        net.candidates.len(),
        peak_mb()
    );
}
