//! Scenario sweeps: a base scenario and a grid of setting variants, run in parallel with rayon
//! and collected into one comparison table in variant order, so the output is byte-identical
//! whatever the thread count.
//!
//! A sweep file (TOML):
//!
//! ```toml
//! base = "."                 # scenario directory, relative to this file
//! backend = "flow"           # optional: flow (default), microlp or highs
//! baselines = true           # optional: also solve do-nothing and greedy per variant
//! formats = "csv"            # optional: outputs per variant (csv, xlsx, geojson, html, all)
//!
//! [axes]                     # cartesian product, axes combined in alphabetical key order
//! variant = ["unmitigated", "mitigated"]
//! capital_budget = [1500000.0, 3000000.0, 6000000.0]
//! "bases.lead_time" = [1, 2]
//!
//! [[variants]]               # and/or explicit named variants
//! name = "big-bases"
//! "bases.max_size" = 30
//! ```
//!
//! Keys are `scenario.toml` settings written with dots (`costs.independent_place`,
//! `journey.secondary`, `levers`, ...), plus `variant` (`unmitigated` or `mitigated`: which
//! forecast to plan for) and `growth` (`low`, `central`, `high`: the demand trend moved by
//! -1.28, 0 or +1.28 of its standard error, about its 10th, 50th and 90th percentiles).
//! Each distinct forecast is computed once and each distinct travel model once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use placeplan_model::error::{Code, InputError, Problems};
use placeplan_model::export::{self, RunOutputs, SharedFile};
use placeplan_model::finance::CostLine;
use placeplan_model::forecast::{calibrate, forecast_variant, Forecast, Variant};
use placeplan_model::io::{line_col, with_settings};
use placeplan_model::plan::SolveStatus;
use placeplan_model::size::check_model_size;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;
use rayon::prelude::*;
use serde::Deserialize;

use crate::pipeline::{plan_run_chained, Run};
use crate::solve::Backend;
use crate::warm::BudgetChain;

/// A setting and its value in one variant, as written in the sweep file.
pub type Setting = (String, toml::Value);

/// One variant to run.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantSpec {
    pub name: String,
    pub settings: Vec<Setting>,
}

/// A parsed, checked sweep file.
#[derive(Debug, Clone)]
pub struct SweepSpec {
    pub path: PathBuf,
    /// Scenario directory.
    pub base: PathBuf,
    pub backend: Backend,
    pub baselines: bool,
    /// Outputs written for every variant (default: CSV and JSON only).
    pub formats: export::Formats,
    pub variants: Vec<VariantSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepToml {
    base: String,
    #[serde(default)]
    backend: Option<String>,
    #[serde(default = "yes")]
    baselines: bool,
    #[serde(default)]
    formats: Option<String>,
    #[serde(default)]
    axes: toml::Table,
    #[serde(default)]
    variants: Vec<toml::Table>,
}

fn yes() -> bool {
    true
}

/// Most variants one sweep may expand to.
pub const MAX_VARIANTS: usize = 100_000;

/// Most worker threads a sweep may use.
pub const MAX_THREADS: usize = 256;

const SPECIAL: [&str; 2] = ["variant", "growth"];

/// Reads a sweep file and expands its variants (not yet checked against the scenario).
pub fn read_sweep(path: &Path) -> Result<SweepSpec, Problems> {
    let mut problems = Problems::default();
    let err = |msg: String| InputError::new(path, Code::BadSweep, msg);
    let max = placeplan_model::csvread::MAX_FILE_BYTES;
    let text = match placeplan_model::csvread::read_input_text(path, max) {
        Ok(t) => t,
        Err(e) => {
            problems.push(e);
            return Err(problems);
        }
    };
    let raw: SweepToml = match toml::from_str(&text) {
        Ok(r) => r,
        Err(e) => {
            let mut ie = InputError::new(path, Code::TomlSyntax, e.message().to_string());
            if let Some(span) = e.span() {
                let (l, c) = line_col(&text, span.start);
                ie = ie.at(l, Some(c));
            }
            problems.push(ie);
            return Err(problems);
        }
    };
    let backend = match raw.backend.as_deref().unwrap_or("flow").parse::<Backend>() {
        Ok(b) => b,
        Err(m) => {
            problems.push(err(m).field("backend"));
            Backend::Microlp
        }
    };
    let formats = match raw.formats.as_deref().map(export::Formats::parse) {
        None => export::Formats::CSV,
        Some(Ok(f)) => f,
        Some(Err(m)) => {
            problems.push(err(m).field("formats"));
            export::Formats::CSV
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let base = placeplan_model::csvread::resolve(dir, &raw.base);

    // Axes: flatten nested tables into dotted keys; every leaf must be a non-empty array.
    let mut axes: Vec<(String, Vec<toml::Value>)> = Vec::new();
    for (key, value) in flatten(&raw.axes) {
        match value {
            toml::Value::Array(vs) if !vs.is_empty() => axes.push((key, vs)),
            _ => problems
                .push(err(format!("axis '{key}' must be a non-empty list of values")).field(key)),
        }
    }
    let mut variants = Vec::new();
    let count: usize = axes.iter().map(|(_, v)| v.len()).product();
    if !axes.is_empty() {
        if count > MAX_VARIANTS {
            problems.push(err(format!(
                "the axes expand to {count} variants; at most {MAX_VARIANTS} are allowed"
            )));
            return Err(problems);
        }
        let width = count.to_string().len();
        for i in 0..count {
            let mut rest = i;
            let mut settings = Vec::new();
            // The last axis varies fastest.
            let mut picks = vec![0; axes.len()];
            for (a, (_, vs)) in axes.iter().enumerate().rev() {
                picks[a] = rest % vs.len();
                rest /= vs.len();
            }
            for (a, (key, vs)) in axes.iter().enumerate() {
                settings.push((key.clone(), vs[picks[a]].clone()));
            }
            let label: Vec<String> = settings
                .iter()
                .map(|(k, v)| format!("{}-{}", short_key(k), value_text(v)))
                .collect();
            variants.push(VariantSpec {
                name: slug(&format!("{:0width$}_{}", i + 1, label.join("_"))),
                settings,
            });
        }
    }
    for (i, t) in raw.variants.iter().enumerate() {
        let name = match t.get("name") {
            Some(toml::Value::String(n)) if is_slug(n) => n.clone(),
            _ => {
                problems.push(
                    err(format!(
                        "variants[{i}] needs a name of letters, digits, '-', '_' or '.'"
                    ))
                    .field("name"),
                );
                continue;
            }
        };
        let mut rest = t.clone();
        rest.remove("name");
        variants.push(VariantSpec {
            name,
            settings: flatten(&rest),
        });
    }
    if variants.is_empty() {
        variants.push(VariantSpec {
            name: "base".into(),
            settings: Vec::new(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for v in &variants {
        if !seen.insert(v.name.clone()) {
            problems.push(err(format!("variant name '{}' is used twice", v.name)).field("name"));
        }
    }
    if problems.is_empty() {
        Ok(SweepSpec {
            path: path.to_path_buf(),
            base,
            backend,
            baselines: raw.baselines,
            formats,
            variants,
        })
    } else {
        problems.sort();
        Err(problems)
    }
}

/// Nested tables become dotted keys; other values are leaves.
fn flatten(t: &toml::Table) -> Vec<Setting> {
    let mut out = Vec::new();
    for (k, v) in t {
        match v {
            toml::Value::Table(inner) => {
                for (k2, v2) in flatten(inner) {
                    out.push((format!("{k}.{k2}"), v2));
                }
            }
            other => out.push((k.clone(), other.clone())),
        }
    }
    out
}

fn short_key(k: &str) -> &str {
    k.rsplit('.').next().unwrap_or(k)
}

/// A value as plain text for names and tables.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !s.starts_with('.')
}

fn slug(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(120)
        .collect();
    out.trim_start_matches('.').to_string()
}

/// Checks a `variant` or `growth` value; other keys are checked by `with_settings`.
fn special_value(key: &str, v: &toml::Value) -> Result<(), String> {
    let text = v.as_str();
    match key {
        "variant" => match text {
            Some("unmitigated" | "mitigated") => Ok(()),
            _ => Err(format!(
                "variant must be \"unmitigated\" or \"mitigated\", found {v}"
            )),
        },
        "growth" => match text {
            Some("low" | "central" | "high") => Ok(()),
            _ => Err(format!(
                "growth must be \"low\", \"central\" or \"high\", found {v}"
            )),
        },
        _ => Ok(()),
    }
}

/// A variant made ready to run: its scenario and which forecast it needs.
struct Prepared {
    /// The variant's scenario settings (without `variant` and `growth`), already checked; the
    /// scenario itself is rebuilt when the variant runs, so memory does not grow with a copy of
    /// the scenario per variant.
    settings: Vec<Setting>,
    forecast_key: String,
    travel_key: String,
    variant: Variant,
    growth_z: f64,
}

/// Applies every variant's settings to the base scenario; all problems are reported at once.
fn prepare(base: &Scenario, spec: &SweepSpec) -> Result<Vec<Prepared>, Problems> {
    // Variants are checked in parallel (each builds and validates its scenario), then collected
    // in variant order, so the problems are the same whatever the thread count.
    let each: Vec<Result<Prepared, Problems>> = spec
        .variants
        .par_iter()
        .map(|v| prepare_one(base, spec, v))
        .collect();
    let mut problems = Problems::default();
    let mut out = Vec::with_capacity(each.len());
    for r in each {
        match r {
            Ok(p) => out.push(p),
            Err(p) => {
                for e in p.0 {
                    problems.push(e);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        problems.sort();
        Err(problems)
    }
}

/// Applies and checks one variant's settings.
fn prepare_one(base: &Scenario, spec: &SweepSpec, v: &VariantSpec) -> Result<Prepared, Problems> {
    let mut problems = Problems::default();
    let (special, settings): (Vec<Setting>, Vec<Setting>) = v
        .settings
        .iter()
        .cloned()
        .partition(|(k, _)| SPECIAL.contains(&k.as_str()));
    let mut bad_special = false;
    for (key, value) in &special {
        if let Err(m) = special_value(key, value) {
            problems.push(
                InputError::new(
                    &spec.path,
                    Code::BadSweep,
                    format!("variant '{}': {m}", v.name),
                )
                .field(key.clone()),
            );
            bad_special = true;
        }
    }
    let scenario = match with_settings(base, &settings, &spec.path) {
        Ok(s) if !bad_special => s,
        Ok(_) => return Err(problems),
        Err(p) => {
            for mut e in p.0 {
                e.message = format!("variant '{}': {}", v.name, e.message);
                problems.push(e);
            }
            return Err(problems);
        }
    };
    let mut variant = if scenario.levers.is_empty() {
        Variant::Unmitigated
    } else {
        Variant::Mitigated
    };
    let mut growth = "central".to_string();
    for (k, val) in &special {
        match (k.as_str(), val.as_str()) {
            ("variant", Some("unmitigated")) => variant = Variant::Unmitigated,
            ("variant", Some("mitigated")) => variant = Variant::Mitigated,
            ("growth", Some(g)) => growth = g.to_string(),
            _ => {}
        }
    }
    let growth_z = match growth.as_str() {
        "low" => -1.2816,
        "high" => 1.2816,
        _ => 0.0,
    };
    let forecast_key = serde_json::to_string(&(
        variant.code(),
        &growth,
        &scenario.forecast,
        &scenario.levers,
    ))
    .unwrap_or_default();
    let travel_key = serde_json::to_string(&scenario.travel).unwrap_or_default();
    Ok(Prepared {
        settings,
        forecast_key,
        travel_key,
        variant,
        growth_z,
    })
}

impl Prepared {
    /// The variant's scenario (its settings were checked by [`prepare`]).
    fn scenario(&self, base: &Scenario, path: &Path) -> Result<Scenario, String> {
        with_settings(base, &self.settings, path).map_err(|p| p.to_string())
    }
}

/// What one variant produced.
#[derive(Debug, Clone)]
pub struct VariantResult {
    pub spec: VariantSpec,
    pub outcome: Result<VariantFigures, String>,
}

/// What the sweep table, the Pareto frontier and the sweep report need from one variant's
/// run. The full run (every placement) goes to the variant's folder and is then dropped, so a
/// sweep's memory grows with the number of variants only by these few figures.
#[derive(Debug, Clone, PartialEq)]
pub struct VariantFigures {
    pub status: SolveStatus,
    /// Backend or method that produced the plan.
    pub method: String,
    pub npv: f64,
    pub total: f64,
    /// Total of each cost line over the horizon, in [`CostLine::ALL`] order.
    pub lines: Vec<f64>,
    pub new_places: f64,
    pub new_bases: usize,
    /// New places by "need_phase" label, sorted.
    pub places: Vec<(String, f64)>,
    /// Plan years.
    pub years: Vec<i32>,
    /// Pupils out of area in the final plan year, and summed over every year.
    pub out_of_area_final: f64,
    pub out_of_area_years: f64,
    pub saving_vs_do_nothing: Option<f64>,
    pub saving_vs_greedy: Option<f64>,
}

impl VariantFigures {
    /// The figures of a checked run.
    pub fn of(run: &Run) -> VariantFigures {
        let plan = &run.plan;
        let mut places: BTreeMap<String, f64> = BTreeMap::new();
        for b in &plan.builds {
            let c = &plan.candidates[b.candidate];
            *places.entry(format!("{}_{}", c.need, c.phase)).or_default() += b.places;
        }
        let years = plan.years.len();
        VariantFigures {
            status: plan.status,
            method: plan.method.clone(),
            npv: run.costing.npv,
            total: run.costing.total,
            lines: CostLine::ALL
                .iter()
                .map(|l| run.costing.line_total(*l))
                .collect(),
            new_places: plan.new_places(),
            new_bases: run.summary.new_bases,
            places: places.into_iter().collect(),
            years: plan.years.clone(),
            out_of_area_final: if years > 0 {
                plan.out_of_area(years - 1)
            } else {
                0.0
            },
            out_of_area_years: (0..years).map(|t| plan.out_of_area(t)).sum::<f64>() + 0.0,
            saving_vs_do_nothing: run.summary.saving_vs_do_nothing,
            saving_vs_greedy: run.summary.saving_vs_greedy,
        }
    }

    /// Total of one cost line.
    pub fn line(&self, l: CostLine) -> f64 {
        CostLine::ALL
            .iter()
            .position(|x| *x == l)
            .map_or(0.0, |i| self.lines[i])
    }

    /// Capital and base set-up costs.
    pub fn capital(&self) -> f64 {
        self.line(CostLine::Capital) + self.line(CostLine::BaseSetup)
    }

    /// New places of one "need_phase" label.
    pub fn places_of(&self, label: &str) -> f64 {
        self.places
            .iter()
            .find(|(k, _)| k == label)
            .map_or(0.0, |p| p.1)
    }
}

/// Checks every variant against the base scenario without running anything: its settings, and
/// the size of the model it would build ([`placeplan_model::size`], E305).
pub fn check_variants(base: &Scenario, spec: &SweepSpec) -> Result<(), Problems> {
    let prepared = prepare(base, spec)?;
    // Only travel, journey limits, bases and the out-of-area option change the model's size:
    // each distinct combination is estimated once (one scenario at a time is kept, as in a
    // sweep run), and a problem is reported for every variant that has it.
    let size_key = |p: &Prepared| -> Result<String, Problems> {
        let s = with_settings(base, &p.settings, &spec.path)?;
        Ok(
            serde_json::to_string(&(&s.travel, &s.journey, &s.bases, s.solver.allow_out_of_area))
                .unwrap_or_default(),
        )
    };
    let keys = prepared
        .par_iter()
        .map(size_key)
        .collect::<Result<Vec<String>, Problems>>()?;
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, k) in keys.iter().enumerate() {
        first.entry(k.as_str()).or_insert(i);
    }
    let distinct: Vec<usize> = first.values().copied().collect();
    let refused: BTreeMap<&str, Problems> = distinct
        .par_iter()
        .filter_map(|&i| {
            let checked = with_settings(base, &prepared[i].settings, &spec.path)
                .and_then(|s| check_model_size(&s, &spec.path));
            checked.err().map(|p| (keys[i].as_str(), p))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let mut problems = Problems::default();
    for (i, key) in keys.iter().enumerate() {
        for e in refused.get(key.as_str()).map_or(&[][..], |p| &p.0[..]) {
            let mut e = e.clone();
            e.message = format!("variant '{}': {}", spec.variants[i].name, e.message);
            problems.push(e);
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Runs every variant on `threads` threads (0 = rayon's default), writing each variant's outputs
/// to `out/<variant name>/`. `progress` is called with the number of variants finished.
/// Files are written plainly: `out` is meant to be a [`placeplan_model::atomic::StagedDir`]
/// (as `placeplan sweep` uses), whose commit syncs them to disk and swaps them in at once.
pub fn run_sweep(
    base: &Scenario,
    spec: &SweepSpec,
    out: &Path,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<VariantResult>, Problems> {
    if threads > MAX_THREADS {
        let mut p = Problems::default();
        p.push(InputError::new(
            &spec.path,
            Code::BadSweep,
            format!("{threads} threads asked for; a sweep uses at most {MAX_THREADS}"),
        ));
        return Err(p);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            let mut p = Problems::default();
            p.push(InputError::new(
                &spec.path,
                Code::BadSweep,
                format!("cannot start threads: {e}"),
            ));
            p
        })?;
    pool.install(|| {
        let prepared = prepare(base, spec)?;
        // Distinct forecasts and travel models, each computed once (in parallel).
        let mut fkeys: Vec<(&str, usize)> = Vec::new();
        for (i, p) in prepared.iter().enumerate() {
            if !fkeys.iter().any(|(k, _)| *k == p.forecast_key) {
                fkeys.push((&p.forecast_key, i));
            }
        }
        // Each forecast's forecast.csv is built once and shared by its variants' folders.
        let forecasts: BTreeMap<&str, Result<(Forecast, SharedFile), String>> = fkeys
            .par_iter()
            .map(|(k, i)| {
                let p = &prepared[*i];
                let fc = p.scenario(base, &spec.path).map(|s| {
                    let cal =
                        calibrate(&s).with_trend_shift(p.growth_z, s.forecast.max_rate_growth);
                    let fc = forecast_variant(&s, &cal, p.variant);
                    let file = if spec.formats.csv {
                        export::forecast_csv(&s, std::slice::from_ref(&fc))
                    } else {
                        Vec::new()
                    };
                    (fc, SharedFile::new(file))
                });
                (*k, fc)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let mut tkeys: Vec<(&str, usize)> = Vec::new();
        for (i, p) in prepared.iter().enumerate() {
            if !tkeys.iter().any(|(k, _)| *k == p.travel_key) {
                tkeys.push((&p.travel_key, i));
            }
        }
        let travel: BTreeMap<&str, Result<TravelMatrix, String>> = tkeys
            .par_iter()
            .map(|(k, i)| {
                let tm = prepared[*i]
                    .scenario(base, &spec.path)
                    .map(|s| TravelMatrix::build(&s));
                (*k, tm)
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();

        let done = AtomicUsize::new(0);
        let run_one = |i: usize, chain: &mut BudgetChain| {
            let (p, v) = (&prepared[i], &spec.variants[i]);
            let outcome = (|| {
                let scenario = p.scenario(base, &spec.path)?;
                let (fc, fc_file) = forecasts[p.forecast_key.as_str()]
                    .as_ref()
                    .map_err(Clone::clone)?;
                let tm = travel[p.travel_key.as_str()]
                    .as_ref()
                    .map_err(Clone::clone)?;
                let run =
                    plan_run_chained(&scenario, fc, tm, spec.backend, spec.baselines, Some(chain))
                        .map_err(|e| format!("{} {e}", e.code()))?;
                let outputs = RunOutputs {
                    scenario: &scenario,
                    travel: tm,
                    forecast: fc,
                    demand: &run.demand,
                    plan: &run.plan,
                    costing: &run.costing,
                    summary: &run.summary,
                    do_nothing: run.do_nothing.as_ref().map(|(a, b)| (a, b)),
                };
                export::write_run_staged(&out.join(&v.name), &outputs, fc_file, spec.formats)
                    .map_err(|e| format!("writing {}: {e}", out.join(&v.name).display()))?;
                Ok(VariantFigures::of(&run))
            })();
            progress(done.fetch_add(1, Ordering::SeqCst) + 1);
            VariantResult {
                spec: v.clone(),
                outcome,
            }
        };
        // Variants that differ only in their capital budgets form chains, each run in order on
        // one thread, so each LP after the first is re-solved from the last optimal basis.
        let pieces = budget_chains(&prepared);
        let mut results: Vec<(usize, VariantResult)> = pieces
            .par_iter()
            .map(|piece| {
                let mut chain = BudgetChain::default();
                piece
                    .iter()
                    .map(|&i| (i, run_one(i, &mut chain)))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        results.sort_by_key(|r| r.0);
        Ok(results.into_iter().map(|r| r.1).collect())
    })
}

/// Fewest chain pieces a sweep is split into, so that up to this many threads share the work.
const MIN_PIECES: usize = 8;
/// Shortest piece a chain is cut into.
const MIN_PIECE_LEN: usize = 4;

/// Variant indices grouped into chains of variants equal in everything but `capital_budget`,
/// in variant order; when there are fewer than [`MIN_PIECES`] chains, each is cut into
/// contiguous pieces of at least [`MIN_PIECE_LEN`] variants. Depends on the sweep file alone,
/// never on the thread count.
fn budget_chains(prepared: &[Prepared]) -> Vec<Vec<usize>> {
    let mut keys: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        let key = format!(
            "{:?}|{}|{}",
            p.settings
                .iter()
                .filter(|(k, _)| k != "capital_budget")
                .collect::<Vec<_>>(),
            p.forecast_key,
            p.travel_key
        );
        match keys.get(&key) {
            Some(&j) => chains[j].push(i),
            None => {
                keys.insert(key, chains.len());
                chains.push(vec![i]);
            }
        }
    }
    let cuts = MIN_PIECES.div_ceil(chains.len().max(1));
    chains
        .into_iter()
        .flat_map(|c| {
            // A fresh solve costs as much as dozens of warm ones: pieces keep a few variants.
            let pieces = cuts.min(c.len() / MIN_PIECE_LEN).max(1);
            let size = c.len().div_ceil(pieces);
            c.chunks(size).map(<[usize]>::to_vec).collect::<Vec<_>>()
        })
        .collect()
}

/// Keys of every setting any variant sets, in first-seen order.
fn setting_keys(results: &[VariantResult]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in results {
        for (k, _) in &r.spec.settings {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// A setting's value as a CSV cell: a text value is a text cell, a number stays a number.
fn setting_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => export::text_cell(s),
        other => value_text(other),
    }
}

fn money(v: f64) -> String {
    export::fixed(v, 2)
}

/// Need x phase labels of new places any variant funds, sorted.
fn place_columns(results: &[VariantResult]) -> Vec<String> {
    let mut cols: Vec<String> = results
        .iter()
        .filter_map(|r| r.outcome.as_ref().ok())
        .flat_map(|f| f.places.iter().map(|(label, _)| format!("places_{label}")))
        .collect();
    cols.sort();
    cols.dedup();
    cols
}

/// Whether a variant's failure reason is "no feasible plan" (it starts with that code).
pub fn is_infeasible(reason: &str) -> bool {
    reason.starts_with(Code::NoFeasiblePlan.as_str())
}

/// `sweep.csv`: one row per variant with its settings and key results.
pub fn sweep_csv(results: &[VariantResult]) -> Vec<u8> {
    let keys = setting_keys(results);
    let places = place_columns(results);
    let mut header: Vec<String> = vec!["variant".into()];
    header.extend(keys.iter().cloned());
    header.extend(
        [
            "status",
            "reason",
            "npv",
            "total_cost",
            "revenue_and_transport",
        ]
        .map(String::from),
    );
    header.extend(CostLine::ALL.iter().map(|l| l.code().to_string()));
    header.extend(["new_places", "new_bases"].map(String::from));
    header.extend(places.iter().cloned());
    header.extend(
        [
            "pupils_out_of_area_final_year",
            "pupil_years_out_of_area",
            "pupils_beyond_journey_limits",
            "saving_vs_do_nothing",
            "saving_vs_greedy",
        ]
        .map(String::from),
    );
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header.iter().map(|h| export::text_cell(h)));
    for r in results {
        let mut row = vec![export::text_cell(&r.spec.name)];
        for k in &keys {
            row.push(
                r.spec
                    .settings
                    .iter()
                    .find(|(sk, _)| sk == k)
                    .map(|(_, v)| setting_cell(v))
                    .unwrap_or_default(),
            );
        }
        match &r.outcome {
            Ok(f) => {
                row.push(f.status.code().into());
                row.push(String::new());
                row.push(money(f.npv));
                row.push(money(f.total));
                row.push(money(f.total - f.capital()));
                row.extend(f.lines.iter().map(|v| money(*v)));
                row.push(export::fixed(f.new_places, 3));
                row.push(f.new_bases.to_string());
                for col in &places {
                    let label = col.strip_prefix("places_").unwrap_or(col);
                    row.push(export::fixed(f.places_of(label), 3));
                }
                row.push(export::fixed(f.out_of_area_final, 3));
                row.push(export::fixed(f.out_of_area_years, 3));
                // Arcs beyond journey limits are never built, and the check re-verifies it.
                row.push("0".into());
                row.push(f.saving_vs_do_nothing.map(money).unwrap_or_default());
                row.push(f.saving_vs_greedy.map(money).unwrap_or_default());
            }
            Err(reason) => {
                let status = if is_infeasible(reason) {
                    "infeasible"
                } else {
                    "failed"
                };
                row.push(status.into());
                row.push(export::text_cell(&reason.replace('\n', " ")));
                let blanks = header.len() - row.len();
                row.extend(std::iter::repeat_n(String::new(), blanks));
            }
        }
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// One point of the capital vs running-cost trade-off.
#[derive(Debug, Clone, PartialEq)]
pub struct ParetoPoint {
    /// Every setting of the variant except the capital budget: points of one group differ only
    /// in budget, so they trace that group's trade-off curve.
    pub group: String,
    pub variant: String,
    pub capital: f64,
    /// Revenue and transport over the horizon (undiscounted).
    pub running: f64,
    pub npv: f64,
    /// No variant of the same group spends no more capital and no more on running costs, and
    /// less on one of them.
    pub on_frontier: bool,
}

/// Capital spend against running cost for every planned variant, grouped by all settings but
/// the capital budget, with each group's Pareto frontier marked; sorted by group and capital.
pub fn pareto(results: &[VariantResult]) -> Vec<ParetoPoint> {
    let mut pts: Vec<ParetoPoint> = results
        .iter()
        .filter_map(|r| {
            let f = r.outcome.as_ref().ok()?;
            let capital = f.capital();
            let group: Vec<String> = r
                .spec
                .settings
                .iter()
                .filter(|(k, _)| k != "capital_budget")
                .map(|(k, v)| format!("{k}={}", value_text(v)))
                .collect();
            Some(ParetoPoint {
                group: group.join(" "),
                variant: r.spec.name.clone(),
                capital,
                running: f.total - capital,
                npv: f.npv,
                on_frontier: false,
            })
        })
        .collect();
    pts.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(a.capital.total_cmp(&b.capital))
            .then(a.running.total_cmp(&b.running))
            .then(a.variant.cmp(&b.variant))
    });
    // In each group, in order of capital then running cost, a point is dominated when an earlier
    // point runs cheaper, or runs as cheaply for less capital; exact ties both stay on the
    // frontier.
    let mut start = 0;
    while start < pts.len() {
        let end = (start..pts.len())
            .find(|&i| pts[i].group != pts[start].group)
            .unwrap_or(pts.len());
        let mut best_running = f64::INFINITY;
        let mut best_capital = f64::NEG_INFINITY;
        for p in &mut pts[start..end] {
            let dominated =
                best_running < p.running || (best_running == p.running && best_capital < p.capital);
            p.on_frontier = !dominated;
            if p.running < best_running {
                best_running = p.running;
                best_capital = p.capital;
            }
        }
        start = end;
    }
    pts.sort_by(|a, b| {
        a.group
            .cmp(&b.group)
            .then(a.capital.total_cmp(&b.capital))
            .then(a.variant.cmp(&b.variant))
    });
    pts
}

/// `pareto.csv`: capital spend vs running cost of every variant, frontier marked.
pub fn pareto_csv(points: &[ParetoPoint]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "group",
        "variant",
        "capital",
        "revenue_and_transport",
        "npv",
        "on_frontier",
    ]);
    for p in points {
        let _ = w.write_record([
            export::text_cell(&p.group),
            export::text_cell(&p.variant),
            money(p.capital),
            money(p.running),
            money(p.npv),
            if p.on_frontier { "yes" } else { "no" }.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(budget: f64, lead: i64, forecast: &str) -> Prepared {
        Prepared {
            settings: vec![
                ("capital_budget".into(), toml::Value::Float(budget)),
                ("bases.lead_time".into(), toml::Value::Integer(lead)),
            ],
            forecast_key: forecast.into(),
            travel_key: "t".into(),
            variant: Variant::Unmitigated,
            growth_z: 0.0,
        }
    }

    /// Regression: 100,000 threads were started (for more than a minute) before the sweep
    /// failed; more than [`MAX_THREADS`] is now refused before any thread starts.
    #[test]
    fn run_sweep_refuses_100000_threads_before_starting_them() {
        let dir = tempfile::tempdir().unwrap();
        placeplan_model::demo::write_demo(dir.path()).unwrap();
        let base = placeplan_model::io::load_scenario(dir.path()).unwrap();
        let spec = SweepSpec {
            path: dir.path().join("sweep.toml"),
            base: dir.path().to_path_buf(),
            backend: Backend::Flow,
            baselines: false,
            formats: export::Formats::CSV,
            variants: vec![VariantSpec {
                name: "base".into(),
                settings: Vec::new(),
            }],
        };
        let out = dir.path().join("out");
        let e = run_sweep(&base, &spec, &out, 100_000, &|_| {}).err();
        let shown = e.map(|p| p.to_string()).unwrap_or_default();
        assert!(
            shown.contains("E303") && shown.contains("at most 256"),
            "{shown}"
        );
        assert!(!out.exists());
    }

    #[test]
    fn chains_join_variants_that_differ_only_in_budget() {
        // 2 lead times x 2 forecasts x 8 budgets, budgets varying slowest: 4 chains of 8,
        // each cut in two to make at least 8 pieces.
        let mut p = Vec::new();
        for b in 0..8 {
            for lead in [1, 2] {
                for f in ["a", "b"] {
                    p.push(prepared(b as f64 * 1e5, lead, f));
                }
            }
        }
        let pieces = budget_chains(&p);
        assert_eq!(pieces.len(), 8);
        assert_eq!(pieces[0], vec![0, 4, 8, 12]);
        assert_eq!(pieces[1], vec![16, 20, 24, 28]);
        assert_eq!(pieces[2], vec![1, 5, 9, 13]);
        let mut all: Vec<usize> = pieces.concat();
        all.sort_unstable();
        assert_eq!(all, (0..32).collect::<Vec<_>>());
        for piece in &pieces {
            let key = |i: usize| (p[i].settings[1].clone(), p[i].forecast_key.clone());
            assert!(piece.iter().all(|&i| key(i) == key(piece[0])));
        }
        // Many chains: no cutting; a lone variant is a chain of one.
        let many: Vec<Prepared> = (0..10).map(|l| prepared(1e6, l, "a")).collect();
        assert_eq!(budget_chains(&many).len(), 10);
        assert_eq!(budget_chains(&many[..1]), vec![vec![0]]);
        // One short chain stays whole; a long one is cut into pieces of at least 4.
        let short: Vec<Prepared> = (0..3).map(|b| prepared(b as f64, 1, "a")).collect();
        assert_eq!(budget_chains(&short), vec![vec![0, 1, 2]]);
        let long: Vec<Prepared> = (0..10).map(|b| prepared(b as f64, 1, "a")).collect();
        assert_eq!(
            budget_chains(&long),
            vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]
        );
    }

    fn result(name: &str, capital: f64, running: f64) -> VariantResult {
        let mut lines = vec![0.0; CostLine::ALL.len()];
        let cap = CostLine::ALL
            .iter()
            .position(|l| *l == CostLine::Capital)
            .unwrap();
        lines[cap] = capital;
        VariantResult {
            spec: VariantSpec {
                name: name.into(),
                settings: vec![("capital_budget".into(), toml::Value::Float(capital))],
            },
            outcome: Ok(VariantFigures {
                status: SolveStatus::Optimal,
                method: "flow".into(),
                npv: capital + running,
                total: capital + running,
                lines,
                new_places: 0.0,
                new_bases: 0,
                places: vec![],
                years: vec![2026],
                out_of_area_final: 0.0,
                out_of_area_years: 0.0,
                saving_vs_do_nothing: None,
                saving_vs_greedy: None,
            }),
        }
    }

    /// Hand-worked frontier: B dominates C (same capital, dearer to run) and D and E (same
    /// running cost, more capital); B and its exact twin G both stay; A and F are extremes.
    #[test]
    fn pareto_frontier_by_hand() {
        let results = vec![
            result("D", 20.0, 90.0),
            result("A", 0.0, 100.0),
            result("C", 10.0, 95.0),
            result("B", 10.0, 90.0),
            result("F", 30.0, 50.0),
            result("E", 20.0, 90.0),
            result("G", 10.0, 90.0),
        ];
        let on: Vec<(String, bool)> = pareto(&results)
            .into_iter()
            .map(|p| (p.variant, p.on_frontier))
            .collect();
        let expect = [
            ("A", true),
            ("B", true),
            ("C", false),
            ("G", true),
            ("D", false),
            ("E", false),
            ("F", true),
        ];
        let expect: Vec<(String, bool)> = expect.iter().map(|(n, f)| (n.to_string(), *f)).collect();
        assert_eq!(on, expect);
    }

    /// Regression: variant names, text settings and failure reasons went verbatim into
    /// sweep.csv and pareto.csv, where a spreadsheet runs text such as `-cheap` or `=1+1` as a
    /// formula. Such text cells now start with a single quote; numbers, negative ones too, are
    /// left alone.
    #[test]
    fn sweep_and_pareto_csv_neutralise_formula_text() {
        let mut a = result("-cheap", 10.0, 90.0);
        a.spec
            .settings
            .push(("note".into(), toml::Value::String("=1+1".into())));
        a.spec
            .settings
            .push(("costs.transport_per_km".into(), toml::Value::Float(-5.0)));
        let mut b = result("b", 20.0, 80.0);
        b.outcome = Err("@no plan\nat all".into());
        let cells = |bytes: Vec<u8>| -> Vec<Vec<String>> {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(&bytes[..])
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect()
        };
        let sweep = cells(sweep_csv(&[a.clone(), b]));
        let col = |name: &str| sweep[0].iter().position(|h| h == name).unwrap();
        assert_eq!(sweep[1][0], "'-cheap");
        assert_eq!(sweep[1][col("note")], "'=1+1");
        assert_eq!(sweep[1][col("costs.transport_per_km")], "-5");
        assert_eq!(sweep[2][col("reason")], "'@no plan at all");
        let pareto = cells(pareto_csv(&pareto(&[a])));
        assert_eq!(pareto[1][1], "'-cheap");
        assert_eq!(pareto[1][2], "10.00");
    }
}
