//! One shard of a sweep (`placeplan sweep FILE --shard I/N`): which variants it runs, and the
//! record it leaves beside their folders (`shard.json`) so that `sweep-merge` can put the
//! shards back together into exactly what an unsharded run writes.
//!
//! **Which variants.** Variants that differ only in their capital budgets are solved as chains,
//! each re-solved from the last one's basis, and when an LP has several optimal plans the one a
//! chained variant reports can depend on the variant before it ([`placeplan_solver::warm`]).
//! So the unit a shard takes is a chain piece, never a single variant: the pieces the whole
//! sweep is run in (formed from the sweep file alone), numbered from 0 in order of their first
//! variant, piece `k` going to shard `k mod N + 1`. A sweep without capital-budget chains has
//! one piece per variant, so there variant `v` (from 0, in sweep.csv order) is in shard
//! `v mod N + 1`. Either way every variant is solved exactly as in an unsharded run, so its
//! results do not depend on how the work is split.
//!
//! **The record.** `shard.json` says which shard of how many it is, of which sweep (a hash of
//! the resolved variant list with its settings, the backend, baselines and formats), of which
//! base scenario (a hash of the scenario as loaded) and run by which placeplan version, and
//! holds each of its variants' figures or failure reason exactly (numbers as the shortest text
//! that reads back to the same number), which is all the sweep table, the Pareto frontier and
//! the report are made from.

use std::fmt;
use std::str::FromStr;

use placeplan_model::plan::SolveStatus;
use placeplan_model::Scenario;
use placeplan_report::sweep_table::{Setting, VariantFigures, VariantResult, VariantSpec};
use serde::{Deserialize, Serialize};

use super::{SweepSpec, MAX_VARIANTS};

/// Shard `index` of `count`, counted from 1: `--shard 1/3`, `2/3`, `3/3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Most shards a sweep may be split into (as many as it may have variants).
    pub const MAX: usize = MAX_VARIANTS;

    /// The pieces (lists of variant indices) of this shard: the pieces are numbered from 0 in
    /// order of their first variant, and piece `k` goes to shard `k mod count + 1`.
    pub(super) fn take(self, mut pieces: Vec<Vec<usize>>) -> Vec<Vec<usize>> {
        pieces.sort_by_key(|p| p.first().copied());
        pieces
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % self.count + 1 == self.index)
            .map(|(_, p)| p)
            .collect()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`: shard I of N, I from 1 to N, N from 1 to [`Shard::MAX`].
    fn from_str(s: &str) -> Result<Shard, String> {
        let usage = format!("'{s}' is not I/N, shard I of N counted from 1 (e.g. 1/8 ... 8/8)");
        let (i, n) = s.split_once('/').ok_or_else(|| usage.clone())?;
        let number = |t: &str| t.parse::<usize>().ok().filter(|_| t.len() <= 12);
        let (Some(index), Some(count)) = (number(i), number(n)) else {
            return Err(usage);
        };
        if count == 0 || count > Shard::MAX {
            return Err(format!(
                "'{s}': N, the number of shards, must be 1 to {}",
                Shard::MAX
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "'{s}': I must be 1 to {count} (shards are counted from 1, so the first of {count} is 1/{count})"
            ));
        }
        Ok(Shard { index, count })
    }
}

/// The name of a shard's record file, beside its variants' folders.
pub const RECORD_FILE: &str = "shard.json";

/// What the record's `format` field holds, so a future layout is told apart.
const FORMAT: &str = "placeplan sweep shard 1";

/// `shard.json`: which shard of which sweep, and what each of its variants gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    pub format: String,
    /// The placeplan version that ran the shard.
    pub placeplan: String,
    /// Hash of the sweep's resolved variants, settings, backend, baselines and formats.
    pub sweep: String,
    /// Hash of the base scenario as loaded.
    pub scenario: String,
    /// The report's title.
    pub title: String,
    pub shard: usize,
    pub shards: usize,
    /// Variants in the whole sweep.
    pub variants: usize,
    /// This shard's variants, in variant order.
    pub results: Vec<ResultRecord>,
}

/// One variant of a shard: its place in the sweep (from 0), name, settings and outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRecord {
    pub index: usize,
    pub name: String,
    /// Each setting as a one-key TOML document (exact for every TOML value).
    pub settings: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub figures: Option<FiguresRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// [`VariantFigures`] with every number as text that reads back to the same `f64`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FiguresRecord {
    status: String,
    method: String,
    npv: Num,
    total: Num,
    lines: Vec<Num>,
    new_places: Num,
    new_bases: usize,
    places: Vec<(String, Num)>,
    years: Vec<i32>,
    out_of_area_final: Num,
    out_of_area_years: Num,
    saving_vs_do_nothing: Option<Num>,
    saving_vs_greedy: Option<Num>,
}

/// A number written as Rust's shortest text that reads back to the same `f64` (JSON numbers
/// may be read back a last digit off).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
struct Num(f64);

impl From<Num> for String {
    fn from(n: Num) -> String {
        format!("{:?}", n.0)
    }
}

impl TryFrom<String> for Num {
    type Error = String;
    fn try_from(s: String) -> Result<Num, String> {
        s.parse()
            .map(Num)
            .map_err(|_| format!("'{s}' is not a number"))
    }
}

const STATUSES: [SolveStatus; 5] = [
    SolveStatus::Optimal,
    SolveStatus::WithinGap,
    SolveStatus::StoppedAtLimit,
    SolveStatus::Heuristic,
    SolveStatus::Rounded,
];

impl FiguresRecord {
    fn of(f: &VariantFigures) -> FiguresRecord {
        FiguresRecord {
            status: f.status.code().into(),
            method: f.method.clone(),
            npv: Num(f.npv),
            total: Num(f.total),
            lines: f.lines.iter().map(|v| Num(*v)).collect(),
            new_places: Num(f.new_places),
            new_bases: f.new_bases,
            places: f.places.iter().map(|(k, v)| (k.clone(), Num(*v))).collect(),
            years: f.years.clone(),
            out_of_area_final: Num(f.out_of_area_final),
            out_of_area_years: Num(f.out_of_area_years),
            saving_vs_do_nothing: f.saving_vs_do_nothing.map(Num),
            saving_vs_greedy: f.saving_vs_greedy.map(Num),
        }
    }

    fn figures(&self) -> Result<VariantFigures, String> {
        let status = STATUSES
            .into_iter()
            .find(|s| s.code() == self.status)
            .ok_or_else(|| format!("unknown status '{}'", self.status))?;
        let lines = placeplan_model::finance::CostLine::ALL.len();
        if self.lines.len() != lines {
            return Err(format!(
                "{} cost lines where placeplan has {lines}",
                self.lines.len()
            ));
        }
        Ok(VariantFigures {
            status,
            method: self.method.clone(),
            npv: self.npv.0,
            total: self.total.0,
            lines: self.lines.iter().map(|n| n.0).collect(),
            new_places: self.new_places.0,
            new_bases: self.new_bases,
            places: self.places.iter().map(|(k, v)| (k.clone(), v.0)).collect(),
            years: self.years.clone(),
            out_of_area_final: self.out_of_area_final.0,
            out_of_area_years: self.out_of_area_years.0,
            saving_vs_do_nothing: self.saving_vs_do_nothing.map(|n| n.0),
            saving_vs_greedy: self.saving_vs_greedy.map(|n| n.0),
        })
    }
}

/// A setting as a one-key TOML document, which reads back to the same key and value.
fn setting_text((key, value): &Setting) -> String {
    let mut t = toml::Table::new();
    t.insert(key.clone(), value.clone());
    toml::to_string(&t).unwrap_or_default()
}

fn setting_of(text: &str) -> Result<Setting, String> {
    let t: toml::Table = toml::from_str(text).map_err(|e| format!("setting {text:?}: {e}"))?;
    let mut entries = t.into_iter();
    match (entries.next(), entries.next()) {
        (Some(kv), None) => Ok(kv),
        _ => Err(format!("setting {text:?} is not one key and its value")),
    }
}

impl ResultRecord {
    fn of(index: usize, r: &VariantResult) -> ResultRecord {
        let (figures, reason) = match &r.outcome {
            Ok(f) => (Some(FiguresRecord::of(f)), None),
            Err(reason) => (None, Some(reason.clone())),
        };
        ResultRecord {
            index,
            name: r.spec.name.clone(),
            settings: r.spec.settings.iter().map(setting_text).collect(),
            figures,
            reason,
        }
    }

    /// The variant's result as the sweep has it.
    pub fn result(&self) -> Result<VariantResult, String> {
        let settings = self
            .settings
            .iter()
            .map(|s| setting_of(s))
            .collect::<Result<Vec<_>, _>>()?;
        let outcome = match (&self.figures, &self.reason) {
            (Some(f), None) => Ok(f.figures()?),
            (None, Some(reason)) => Err(reason.clone()),
            _ => {
                return Err(format!(
                    "variant '{}' needs either figures or a reason",
                    self.name
                ))
            }
        };
        Ok(VariantResult {
            spec: VariantSpec {
                name: self.name.clone(),
                settings,
            },
            outcome,
        })
    }
}

impl ShardRecord {
    /// The record of `shard` of the sweep `spec` over `base`, with its `results` (each with
    /// its variant index).
    pub fn new(
        base: &Scenario,
        spec: &SweepSpec,
        shard: Shard,
        results: &[(usize, VariantResult)],
    ) -> ShardRecord {
        ShardRecord {
            format: FORMAT.into(),
            placeplan: env!("CARGO_PKG_VERSION").into(),
            sweep: sweep_id(spec),
            scenario: scenario_id(base),
            title: super::sweep_title(base, spec.variants.len()),
            shard: shard.index,
            shards: shard.count,
            variants: spec.variants.len(),
            results: results
                .iter()
                .map(|(i, r)| ResultRecord::of(*i, r))
                .collect(),
        }
    }

    /// The record as pretty JSON.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// Reads a record back, checking that it is one placeplan could have written.
    pub fn from_json(text: &str) -> Result<ShardRecord, String> {
        let r: ShardRecord = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if r.format != FORMAT {
            return Err(format!("format '{}', expected '{FORMAT}'", r.format));
        }
        if r.shards == 0 || r.shards > Shard::MAX || r.shard == 0 || r.shard > r.shards {
            return Err(format!("shard {}/{} is not a shard", r.shard, r.shards));
        }
        if r.variants == 0 || r.variants > MAX_VARIANTS {
            return Err(format!("{} variants is not a sweep's count", r.variants));
        }
        for v in &r.results {
            if v.index >= r.variants {
                return Err(format!(
                    "variant '{}' is number {} of a sweep of {}",
                    v.name,
                    v.index + 1,
                    r.variants
                ));
            }
            if !super::is_slug(&v.name) {
                return Err(format!("'{}' is not a variant name", v.name));
            }
        }
        Ok(r)
    }
}

/// FNV-1a (64-bit): fixed by its definition, so every build and machine agrees.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

/// Hash of the sweep as resolved: every variant's name and settings, in order, the backend,
/// baselines and formats. Texts are written with their lengths, so no two lists run together.
pub fn sweep_id(spec: &SweepSpec) -> String {
    use fmt::Write;
    let mut h = Fnv::new();
    let _ = write!(
        h,
        "{}|{}|{:?}|{}|",
        spec.backend,
        spec.baselines,
        spec.formats,
        spec.variants.len()
    );
    for v in &spec.variants {
        let _ = write!(h, "{}:{}|{}|", v.name.len(), v.name, v.settings.len());
        for s in &v.settings {
            let t = setting_text(s);
            let _ = write!(h, "{}:{t}", t.len());
        }
    }
    h.hex()
}

/// Hash of the base scenario as loaded (every setting and row), written out as it is held.
pub fn scenario_id(base: &Scenario) -> String {
    use fmt::Write;
    let mut h = Fnv::new();
    let _ = write!(h, "{base:?}");
    h.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_text_is_checked() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard::WHOLE));
        for bad in [
            "0/3", "4/3", "1/0", "3", "a/b", "-1/3", "1/3/4", "", "1/100001",
        ] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains(&format!("'{bad}'")), "{bad}: {e}");
        }
        assert!("0/3"
            .parse::<Shard>()
            .unwrap_err()
            .contains("counted from 1"));
    }

    #[test]
    fn pieces_are_dealt_in_order_of_their_first_variant() {
        let pieces = vec![vec![0, 2], vec![4, 6], vec![1, 3], vec![5], vec![7]];
        // In order of first variant: [0,2] [1,3] [4,6] [5] [7].
        let of = |i| Shard { index: i, count: 2 }.take(pieces.clone());
        assert_eq!(of(1), vec![vec![0, 2], vec![4, 6], vec![7]]);
        assert_eq!(of(2), vec![vec![1, 3], vec![5]]);
        // More shards than pieces: the last ones are empty.
        let many = Shard { index: 6, count: 6 }.take(pieces.clone());
        assert!(many.is_empty());
    }

    /// Every number and setting reads back exactly: the merged tables are byte-identical.
    #[test]
    fn records_read_back_exactly() {
        let odd = [0.1, 1.0 / 3.0, 1e300, 5e-324, -0.0, 123456789.125, f64::MAX];
        for x in odd {
            let n: Num = Num::try_from(String::from(Num(x))).unwrap();
            assert_eq!(n.0.to_bits(), x.to_bits(), "{x}");
        }
        let settings: Vec<Setting> = vec![
            ("capital_budget".into(), toml::Value::Float(0.1 + 0.2)),
            ("bases.lead_time".into(), toml::Value::Integer(2)),
            ("growth".into(), toml::Value::String("low \"x\"".into())),
            ("x".into(), toml::Value::Float(1.0 / 3.0)),
            (
                "levers".into(),
                toml::Value::Array(vec![toml::Value::Float(1e-7)]),
            ),
        ];
        for s in &settings {
            assert_eq!(&setting_of(&setting_text(s)).unwrap(), s);
        }
    }
}
