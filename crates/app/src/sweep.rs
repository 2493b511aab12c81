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
//! Each distinct forecast is computed once and each distinct travel model once. Variants run
//! in chains formed from the sweep file alone ([`chains`]); in a chain each variant may keep
//! the previous one's plan where it is proven within the gap (`placeplan_solver::Chain`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use placeplan_io::scenario::{line_col, with_settings};
use placeplan_model::error::{Code, InputError, Problems};
use placeplan_model::forecast::{calibrate, forecast_variant, Forecast, Variant};
use placeplan_model::size::check_model_size;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;
use placeplan_report::export::{self, SharedFile};
use placeplan_report::sweep_table::{
    value_text, Setting, VariantFigures, VariantResult, VariantSpec,
};
use rayon::prelude::*;
use serde::Deserialize;

use crate::pipeline::plan_run_chained;
use placeplan_solver::solve::Backend;
use placeplan_solver::warm::Chain;

pub mod merge;
pub mod shard;

pub use shard::Shard;

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
    let max = placeplan_io::csvread::MAX_FILE_BYTES;
    let text = match placeplan_io::csvread::read_input_text(path, max) {
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
    let base = placeplan_io::csvread::resolve(dir, &raw.base);

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
        if OWN_FILES.iter().any(|f| f.eq_ignore_ascii_case(&name)) {
            problems.push(
                err(format!(
                    "variants[{i}] is named '{name}', the name of one of the sweep's own files ({})",
                    OWN_FILES.join(", ")
                ))
                .field("name"),
            );
            continue;
        }
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

/// Files a sweep (or a shard of one) writes beside its variants' folders; no variant may take
/// their names.
const OWN_FILES: [&str; 5] = [
    "sweep.csv",
    "pareto.csv",
    "capital.csv",
    "report.html",
    shard::RECORD_FILE,
];

/// The title of a sweep's report.
pub fn sweep_title(base: &Scenario, variants: usize) -> String {
    format!("{}: sweep of {variants} variants", base.name)
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
/// Files are written plainly: `out` is meant to be a [`placeplan_io::atomic::StagedDir`]
/// (as `placeplan sweep` uses), whose commit syncs them to disk and swaps them in at once.
pub fn run_sweep(
    base: &Scenario,
    spec: &SweepSpec,
    out: &Path,
    threads: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<VariantResult>, Problems> {
    let results = run_shard(base, spec, Shard::WHOLE, out, threads, &|done, _| {
        progress(done)
    })?;
    Ok(results.into_iter().map(|r| r.1).collect())
}

/// Runs the variants of one shard of the sweep ([`shard`]) as [`run_sweep`] runs them all, and
/// returns each with its index in the sweep, in variant order. `progress` is called with the
/// number of this shard's variants finished and their number.
pub fn run_shard(
    base: &Scenario,
    spec: &SweepSpec,
    shard: Shard,
    out: &Path,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<(usize, VariantResult)>, Problems> {
    let pool = thread_pool(spec, threads)?;
    pool.install(|| {
        let prepared = prepare(base, spec)?;
        // The chain pieces are formed from the whole sweep, then this shard's are kept.
        let pieces = shard.take(chains(&prepared));
        let mut mine: Vec<usize> = pieces.iter().flatten().copied().collect();
        mine.sort_unstable();
        let total = mine.len();
        // Distinct forecasts and travel models this shard needs, each computed once (in
        // parallel).
        let mut fkeys: Vec<(&str, usize)> = Vec::new();
        for &i in &mine {
            let p = &prepared[i];
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
        for &i in &mine {
            let p = &prepared[i];
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
        let run_one = |i: usize, chain: Option<&mut Chain>| {
            let (p, v) = (&prepared[i], &spec.variants[i]);
            let outcome = (|| {
                let scenario = p.scenario(base, &spec.path)?;
                let (fc, fc_file) = forecasts[p.forecast_key.as_str()]
                    .as_ref()
                    .map_err(Clone::clone)?;
                let tm = travel[p.travel_key.as_str()]
                    .as_ref()
                    .map_err(Clone::clone)?;
                let run = plan_run_chained(&scenario, fc, tm, spec.backend, spec.baselines, chain)
                    .map_err(|e| format!("{} {e}", e.code()))?;
                let outputs = run.outputs(&scenario, tm, fc);
                export::write_run_staged(&out.join(&v.name), &outputs, fc_file, spec.formats)
                    .map_err(|e| format!("writing {}: {e}", out.join(&v.name).display()))?;
                Ok(VariantFigures::of(&run.plan, &run.costing, &run.summary))
            })();
            progress(done.fetch_add(1, Ordering::SeqCst) + 1, total);
            VariantResult {
                spec: v.clone(),
                outcome,
            }
        };
        // Chain pieces ([`chains`]) each run in order on one thread: each variant may re-solve
        // from the last (budget chains) and keep the last plan within the gap. Each piece is a
        // task of its own (`with_max_len(1)`): rayon otherwise hands each thread a block of
        // pieces to run one after another, and a thread done with its blocks cannot take the
        // pieces of a block another has started (1,000 variants in 40 pieces on 2 threads: one
        // thread ran the last 6 pieces alone, 25 s of 166).
        let mut results: Vec<(usize, VariantResult)> = pieces
            .par_iter()
            .with_max_len(1)
            .map(|piece| {
                // A variant alone in its piece has nothing to re-solve from: it is solved
                // as `placeplan plan` solves it. Continuous LPs re-solve warm only along a
                // budget chain.
                let mut chain = if piece
                    .windows(2)
                    .all(|w| chain_key(&prepared[w[0]]) == chain_key(&prepared[w[1]]))
                {
                    Chain::for_budgets()
                } else {
                    Chain::default()
                };
                let alone = piece.len() == 1;
                piece
                    .iter()
                    .map(|&i| (i, run_one(i, (!alone).then_some(&mut chain))))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect();
        results.sort_by_key(|r| r.0);
        Ok(results)
    })
}

/// The worker threads of a sweep: `threads` (0: one per core), at most [`MAX_THREADS`].
fn thread_pool(spec: &SweepSpec, threads: usize) -> Result<rayon::ThreadPool, Problems> {
    let refuse = |msg: String| {
        let mut p = Problems::default();
        p.push(InputError::new(&spec.path, Code::BadSweep, msg));
        p
    };
    if threads > MAX_THREADS {
        return Err(refuse(format!(
            "{threads} threads asked for; a sweep uses at most {MAX_THREADS}"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| refuse(format!("cannot start threads: {e}")))
}

/// Fewest chain pieces a sweep is split into, so that up to this many threads share the work.
const MIN_PIECES: usize = 8;
/// Shortest piece a chain is cut into.
const MIN_PIECE_LEN: usize = 4;

/// Variant indices grouped into chains of variants equal in everything but `capital_budget`,
/// in variant order; when there are fewer than [`MIN_PIECES`] chains, each is cut into
/// contiguous pieces of at least [`MIN_PIECE_LEN`] variants. Variants alone in their chain
/// then join the next lone ones in variant order, in runs of up to [`RUN_LEN`] (fewer where
/// that leaves under [`MIN_PIECES`] runs), so that each may keep the plan of the one before
/// it (`placeplan_solver::Chain`). Depends on the sweep file alone, never on the thread count.
fn chains(prepared: &[Prepared]) -> Vec<Vec<usize>> {
    let mut keys: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut chains: Vec<Vec<usize>> = Vec::new();
    for (i, p) in prepared.iter().enumerate() {
        let key = chain_key(p);
        match keys.get(&key) {
            Some(&j) => chains[j].push(i),
            None => {
                keys.insert(key, chains.len());
                chains.push(vec![i]);
            }
        }
    }
    let cuts = MIN_PIECES.div_ceil(chains.len().max(1));
    let pieces: Vec<Vec<usize>> = chains
        .into_iter()
        .flat_map(|c| {
            // A fresh solve costs as much as dozens of warm ones: pieces keep a few variants.
            let pieces = cuts.min(c.len() / MIN_PIECE_LEN).max(1);
            let size = c.len().div_ceil(pieces);
            c.chunks(size).map(<[usize]>::to_vec).collect::<Vec<_>>()
        })
        .collect();
    let lone = pieces.iter().filter(|p| p.len() == 1).count();
    let run_len = (lone / MIN_PIECES).clamp(1, RUN_LEN);
    let mut out: Vec<(Vec<usize>, bool)> = Vec::new();
    for piece in pieces {
        match (out.last_mut(), piece.as_slice()) {
            (Some((run, true)), &[i])
                if run.len() < run_len && run.last().map(|l| l + 1) == Some(i) =>
            {
                run.push(i)
            }
            _ => {
                let alone = piece.len() == 1;
                out.push((piece, alone))
            }
        }
    }
    out.into_iter().map(|(piece, _)| piece).collect()
}

/// What variants of one budget chain share: every setting but `capital_budget`, the forecast
/// and the travel model.
fn chain_key(p: &Prepared) -> String {
    format!(
        "{:?}|{}|{}",
        p.settings
            .iter()
            .filter(|(k, _)| k != "capital_budget")
            .collect::<Vec<_>>(),
        p.forecast_key,
        p.travel_key
    )
}

/// Most variants alone in their budget chain run one after another on one thread.
const RUN_LEN: usize = 25;

#[cfg(test)]
mod tests {
    use super::*;

    /// A variant named like one of the sweep's own files would have its folder collide with
    /// that file, and the sweep failed only when writing; it is now refused when read.
    #[test]
    fn a_variant_named_like_a_sweep_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sweep.toml");
        for name in [
            "report.html",
            "Sweep.csv",
            "pareto.csv",
            "capital.csv",
            "shard.json",
        ] {
            std::fs::write(
                &file,
                format!("base = \".\"\n\n[[variants]]\nname = \"{name}\"\ncapital_budget = 1.0\n"),
            )
            .unwrap();
            let p = read_sweep(&file).unwrap_err();
            let e = p
                .iter()
                .find(|e| e.field.as_deref() == Some("name"))
                .expect("a name problem");
            assert_eq!(e.code, Code::BadSweep, "{p}");
            assert!(e.message.contains("sweep's own files"), "{p}");
        }
        std::fs::write(
            &file,
            "base = \".\"\n\n[[variants]]\nname = \"report\"\ncapital_budget = 1.0\n",
        )
        .unwrap();
        let spec = read_sweep(&file).unwrap();
        assert_eq!(spec.variants[0].name, "report");
    }

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
        placeplan_io::demo::write_demo(dir.path()).unwrap();
        let base = placeplan_io::scenario::load_scenario(dir.path()).unwrap();
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

    /// The demo's 1,000-variant capital cost x lead time sweep runs as its comment says: 40
    /// runs of 25 consecutive variants (no two differ only in their budget), capital cost
    /// varying fastest.
    #[test]
    fn the_capex_lead_sweep_runs_in_40_runs_of_25() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let spec = read_sweep(&root.join("scenarios/demo/sweep-capex-lead.toml")).unwrap();
        let base = placeplan_io::scenario::load_scenario(&spec.base).unwrap();
        let prepared = prepare(&base, &spec).unwrap();
        assert_eq!(prepared.len(), 1000);
        let runs = chains(&prepared);
        assert_eq!(runs.len(), 40);
        for (k, run) in runs.iter().enumerate() {
            assert_eq!(run, &(25 * k..25 * k + 25).collect::<Vec<_>>());
        }
        assert_eq!(
            spec.variants[1].name,
            "0002_lead_time-1_capex_per_place-40200"
        );
        assert_eq!(
            spec.variants[999].name,
            "1000_lead_time-4_capex_per_place-89800"
        );
    }

    #[test]
    fn chains_join_variants_that_differ_only_in_budget_and_runs_of_lone_ones() {
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
        let pieces = chains(&p);
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
        // Variants alone in their budget chains run one after another, at most RUN_LEN, and
        // in at least MIN_PIECES runs where there are enough.
        let many: Vec<Prepared> = (0..230).map(|l| prepared(1e6, l, "a")).collect();
        let runs = chains(&many);
        assert_eq!(runs.len(), 10);
        assert_eq!(runs[0], (0..25).collect::<Vec<_>>());
        assert_eq!(runs[9], (225..230).collect::<Vec<_>>());
        let runs = chains(&many[..30]);
        assert_eq!(runs.len(), 10);
        assert_eq!(runs[0], vec![0, 1, 2]);
        assert_eq!(chains(&many[..10]).len(), 10);
        assert_eq!(chains(&many[..1]), vec![vec![0]]);
        // A lone variant after a chain does not join it.
        let mut mixed: Vec<Prepared> = (0..4).map(|b| prepared(b as f64, 1, "a")).collect();
        mixed.extend((2..20).map(|l| prepared(0.0, l, "a")));
        let runs = chains(&mixed);
        assert_eq!(runs[0], vec![0, 1, 2, 3]);
        assert_eq!(runs[1], vec![4, 5]);
        // One short chain stays whole; a long one is cut into pieces of at least 4.
        let short: Vec<Prepared> = (0..3).map(|b| prepared(b as f64, 1, "a")).collect();
        assert_eq!(chains(&short), vec![vec![0, 1, 2]]);
        let long: Vec<Prepared> = (0..10).map(|b| prepared(b as f64, 1, "a")).collect();
        assert_eq!(
            chains(&long),
            vec![vec![0, 1, 2, 3, 4], vec![5, 6, 7, 8, 9]]
        );
    }
}
