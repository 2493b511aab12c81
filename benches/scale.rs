//! Criterion benchmarks of every pipeline step (load, forecast, network, solve, check, sweep)
//! on synthetic instances at three scales
//! (`placeplan_io::synth`): ward level, LSOA level and region. The LP rows are the
//! single-period allocation (the final plan year's demand alone, places usable at once) of the
//! continuous model (`synth::continuous`: fractional places, no stability rows), where every
//! backend solves the same LP; the flow engine answers it without an LP solver.
//!
//! Run: `cargo bench -p placeplan-app --bench scale` (add `--features highs` for HiGHS rows).
//! `PLACEPLAN_BENCH_SCALES=ward,lsoa,region` picks the scales (default ward,lsoa); microlp is
//! benched at ward level only (tens of seconds per LSOA solve), see docs/performance.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use placeplan_app::sweep::{run_sweep, SweepSpec};
use placeplan_io::synth::{continuous, final_year_only, instance, write_instance, Scale};
use placeplan_model::check;
use placeplan_model::forecast::forecast;
use placeplan_model::travel::TravelMatrix;
use placeplan_report::export::Formats;
use placeplan_report::sweep_table::VariantSpec;
use placeplan_solver::formulation::build_network;
use placeplan_solver::{solve, Backend, Options};

fn scales() -> Vec<Scale> {
    std::env::var("PLACEPLAN_BENCH_SCALES")
        .unwrap_or_else(|_| "ward,lsoa".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn bench_scales(c: &mut Criterion) {
    for scale in scales() {
        let mut g = c.benchmark_group(format!("scale_{scale}"));
        g.sample_size(10);
        let dir = tempfile::tempdir().expect("temp dir");
        write_instance(dir.path(), scale, 1).expect("write instance");
        g.bench_function("load", |b| {
            b.iter(|| placeplan_io::scenario::load_scenario(black_box(dir.path())).unwrap())
        });
        let mut s = instance(scale, 1).expect("instance");
        continuous(&mut s);
        g.bench_function("forecast", |b| b.iter(|| forecast(black_box(&s))));
        // The single-period LP: the final plan year's demand alone, places usable at once.
        let mut demand = forecast(&s).specialist_demand(s.localities.len());
        final_year_only(&mut s, &mut demand);
        let travel = TravelMatrix::build(&s);
        let opt = Options::optimise();
        g.bench_function("travel_and_network", |b| {
            b.iter(|| {
                let travel = TravelMatrix::build(black_box(&s));
                build_network(&s, &travel, &demand, &opt)
            })
        });
        for backend in Backend::available() {
            if backend == Backend::Microlp && scale != Scale::Ward {
                continue;
            }
            if backend == Backend::Highs && scale == Scale::Region {
                continue;
            }
            g.bench_function(format!("solve_single_period_lp_{backend}"), |b| {
                b.iter(|| solve(&s, &travel, &demand, &opt, backend).unwrap())
            });
        }
        let plan = solve(&s, &travel, &demand, &opt, Backend::Flow).unwrap();
        g.bench_function("check", |b| {
            b.iter(|| check(&s, &travel, &demand, black_box(&plan)))
        });
        g.bench_function("do_nothing_flow", |b| {
            b.iter(|| solve(&s, &travel, &demand, &Options::do_nothing(), Backend::Flow).unwrap())
        });
        // A sweep of four capital budgets of the single-period plan (first plan year), flow
        // backend, CSV outputs: forecast once, then four flows and four output folders.
        let mut single = instance(scale, 1).expect("instance");
        continuous(&mut single);
        single.horizon = 1;
        single.bases.lead_time = 0;
        single.capital_budget.truncate(1);
        let first_year = single.base_year + 1;
        for l in &mut single.levers {
            l.start_year = l.start_year.min(first_year);
        }
        let budget = single.capital_budget[0];
        let spec = SweepSpec {
            path: dir.path().join("sweep.toml"),
            base: dir.path().to_path_buf(),
            backend: Backend::Flow,
            baselines: false,
            formats: Formats::CSV,
            variants: (0..4)
                .map(|i| VariantSpec {
                    name: format!("budget-{i}"),
                    settings: vec![(
                        "capital_budget".into(),
                        toml::Value::Float(budget * f64::from(i) / 2.0),
                    )],
                })
                .collect(),
        };
        let out = tempfile::tempdir().expect("temp dir");
        g.bench_function("sweep_4_budgets_flow", |b| {
            b.iter(|| run_sweep(&single, &spec, out.path(), 1, &|_| {}).unwrap())
        });
        g.finish();
    }
}

criterion_group!(benches, bench_scales);
criterion_main!(benches);
