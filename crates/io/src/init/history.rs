//! `history.csv` from an authority's published EHC plan totals, apportioned by a stated rule
//! (written to ASSUMPTIONS.md with the numbers):
//!
//! 1. Plans each January by DfE age band: the SEN2 bands of that year; a year with only a total
//!    takes the band shares of the nearest year that has bands, else the national shares of
//!    January 2025.
//! 2. Each band to single years of age in proportion to the authority's population at each age.
//! 3. Each age to localities in proportion to their population at that age.
//! 4. Each to a primary need by the authority's own need mix from the DfE release's
//!    `sen_needs_all_plans.csv` when the folder has it (by DfE age band where the release
//!    breaks needs down by age, else the authority's mix for all plans), else by the national
//!    mix of January 2025. The release gives no need by area, so every locality takes the same
//!    mix at a given age.
//! 5. Each to a placement by the authority's placements that January (the current layout's
//!    placement columns, or the caseload by establishment type), else the nearest year's, else
//!    the national mix of January 2025. FE places go to ages 16-25 only; the other placements
//!    share the rest in proportion.
//! 6. Whole plans: the cells of a January, in locality, age, need and placement order, are
//!    rounded cumulatively (each cell is the change in the rounded running total), so they add
//!    up to the authority's total exactly and each locality and age is within one plan of its
//!    exact share.

use std::collections::BTreeMap;

use super::population::Grid;
use crate::import::sen2::{needs, Sen2Series, BANDS};
use placeplan_model::domain::{Need, ProvisionKind, N_AGES};

/// National primary-need mix of EHC plans, January 2025 (DfE SEN2), in [`Need::ALL`] order:
/// ASD 31.5%, SLCN 21.3, SEMH 20.7, MLD 10.6, SLD 3.9, PMLD 1.3, SpLD 2.4, HI 1.4, VI 0.8,
/// MSI 0.3, PD 3.9, OTH 1.2 (normalised: they add to 99.3).
pub const NATIONAL_NEED_PCT: [f64; 12] = [
    31.5, 21.3, 20.7, 10.6, 3.9, 1.3, 2.4, 1.4, 0.8, 0.3, 3.9, 1.2,
];
/// National plans by age band, January 2025: 0-4, 5-10, 11-15, 16-19, 20-25.
pub const NATIONAL_BANDS: [f64; 5] = [27_352.0, 212_994.0, 233_317.0, 127_902.0, 37_180.0];
/// National placements, January 2025, in [`ProvisionKind::ALL`] order: mainstream 278,236 less
/// 24,524 in resourced provision and SEN units; state special 159,852; independent or
/// non-maintained special 29,647; FE 88,158; the other 82,852 of the 638,745 plans.
pub const NATIONAL_PLACEMENTS: [f64; 6] =
    [253_712.0, 24_524.0, 159_852.0, 29_647.0, 88_158.0, 82_852.0];

/// Ages of each DfE band.
fn band_ages(b: usize) -> std::ops::RangeInclusive<usize> {
    [0..=4, 5..=10, 11..=15, 16..=19, 20..=25][b].clone()
}

/// One row of `history.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    pub year: i32,
    /// Index into the localities.
    pub locality: usize,
    pub age: u8,
    pub need: Need,
    pub provision: ProvisionKind,
    pub count: u64,
}

/// The apportioned history and what was assumed, line by line.
#[derive(Debug, Clone, Default)]
pub struct History {
    pub rows: Vec<HistoryRow>,
    pub notes: Vec<String>,
}

/// The nearest year to `y` among `keys` (the earlier on a tie).
fn nearest<T>(map: &BTreeMap<i32, T>, y: i32) -> Option<(i32, &T)> {
    map.iter()
        .min_by_key(|(k, _)| ((**k - y).abs(), **k))
        .map(|(k, v)| (*k, v))
}

/// Band counts of January `y`, and where they came from.
fn bands_of(s: &Sen2Series, y: i32) -> Option<([f64; 5], String)> {
    let complete = |y: i32| -> Option<[f64; 5]> {
        let r = s.caseload.get(&y)?;
        let mut out = [0.0; 5];
        for (b, v) in r.iter().enumerate() {
            match v {
                Some(v) => out[b] = *v,
                None if b == 4 && y < 2015 => {}
                None => return None,
            }
        }
        Some(out)
    };
    if let Some(b) = complete(y) {
        let sum: f64 = b.iter().sum();
        return Some((b, format!("the DfE age bands (adding to {sum:.0})")));
    }
    let total = s.total(y)?;
    let with_bands: BTreeMap<i32, [f64; 5]> = s
        .caseload
        .keys()
        .filter_map(|&k| complete(k).map(|b| (k, b)))
        .collect();
    let (shares, from) = match nearest(&with_bands, y) {
        Some((k, b)) => (*b, format!("the age-band shares of January {k}")),
        None => (
            NATIONAL_BANDS,
            "the national age-band shares of January 2025".to_string(),
        ),
    };
    let sum: f64 = shares.iter().sum();
    let b = shares.map(|v| total * v / sum);
    Some((b, format!("a total of {total:.0} split by {from}")))
}

/// The share of each need (in [`Need::ALL`] order) at each age, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedShares {
    pub by_age: Vec<[f64; 12]>,
    pub notes: Vec<String>,
}

fn shares(v: &[f64; 12]) -> Option<[f64; 12]> {
    let sum: f64 = v.iter().sum();
    (sum > 0.0).then(|| v.map(|x| x / sum))
}

fn mix_text(v: &[f64; 12]) -> String {
    Need::ALL
        .iter()
        .zip(v)
        .map(|(n, s)| format!("{} {:.1}%", n.code(), 100.0 * s))
        .collect::<Vec<_>>()
        .join(", ")
}

impl NeedShares {
    /// The national mix of January 2025 at every age.
    pub fn national() -> NeedShares {
        let s = shares(&NATIONAL_NEED_PCT).unwrap_or([0.0; 12]);
        NeedShares {
            by_age: vec![s; N_AGES],
            notes: vec![format!(
                "Primary need: the national mix of January 2025 for every age, locality and year: {}.",
                mix_text(&s)
            )],
        }
    }

    /// The authority's mix of its last January in the need breakdown: by DfE age band where
    /// given, else its mix for all plans; the national mix when it has neither.
    pub fn of_authority(split: &needs::NeedSplit, file: &str) -> NeedShares {
        let Some((year, by_band)) = split
            .by_year
            .iter()
            .rev()
            .find(|(_, b)| b.values().any(|v| shares(v).is_some()))
        else {
            return NeedShares::national();
        };
        let all = by_band.get(&None).and_then(shares);
        let mut out = NeedShares {
            by_age: Vec::with_capacity(N_AGES),
            notes: vec![format!(
                "Primary need: {}'s own mix in {file} (January {year}), the same for every locality and year{}.",
                split.name,
                if by_band.keys().any(Option::is_some) { ", by DfE age band where the file gives one" } else { "" }
            )],
        };
        let national = NeedShares::national().by_age[0];
        for (b, label) in BANDS.iter().enumerate() {
            let (mix, from) = match (by_band.get(&Some(b)).and_then(shares), all) {
                (Some(m), _) => (m, "its age band"),
                (None, Some(m)) => (m, "all its plans"),
                (None, None) => (national, "the national mix of January 2025"),
            };
            out.notes
                .push(format!("Ages {label}, from {from}: {}.", mix_text(&mix)));
            for _ in band_ages(b) {
                out.by_age.push(mix);
            }
        }
        out
    }
}

/// Apportions the authority's plans to `history.csv` rows for each January of `years`.
pub fn apportion(
    s: &Sen2Series,
    years: &[i32],
    grid: &Grid,
    locs: &[String],
    need: &NeedShares,
) -> History {
    let mut h = History::default();
    h.notes.extend(need.notes.iter().cloned());
    for &y in years {
        let Some((bands, source)) = bands_of(s, y) else {
            continue;
        };
        // Plans by single year of age.
        let pop = |l: &str, a: usize| grid.get(l).and_then(|ys| ys.get(&y)).map_or(0.0, |c| c[a]);
        let la_pop: Vec<f64> = (0..N_AGES)
            .map(|a| locs.iter().map(|l| pop(l, a)).sum())
            .collect();
        let mut plans = [0.0; N_AGES];
        for (b, &n) in bands.iter().enumerate() {
            let ages = band_ages(b);
            let total: f64 = ages.clone().map(|a| la_pop[a]).sum();
            let width = ages.clone().count() as f64;
            for a in ages {
                plans[a] = if total > 0.0 {
                    n * la_pop[a] / total
                } else {
                    n / width
                };
            }
        }
        // Placements.
        let (placed, from) = match s.placements.get(&y) {
            Some(p) => (*p, format!("the authority's placements of January {y}")),
            None => match nearest(&s.placements, y) {
                Some((k, p)) => (
                    *p,
                    format!("the authority's placements of January {k} (nearest year)"),
                ),
                None => (
                    NATIONAL_PLACEMENTS,
                    "the national placements of January 2025".into(),
                ),
            },
        };
        let fe = ProvisionKind::FurtherEducation as usize;
        let placed_total: f64 = placed.iter().sum();
        let over16: f64 = plans[16..].iter().sum();
        let fe_share = if placed_total > 0.0 {
            placed[fe] / placed_total
        } else {
            0.0
        };
        let fe_plans = (fe_share * plans.iter().sum::<f64>()).min(over16);
        let others: f64 = placed_total - placed[fe];
        let mut shares = vec![[0.0; 6]; N_AGES];
        for a in 0..N_AGES {
            let fe_a = if a >= 16 && over16 > 0.0 {
                fe_plans * plans[a] / over16
            } else {
                0.0
            };
            let rest = if plans[a] > 0.0 {
                1.0 - fe_a / plans[a]
            } else {
                1.0
            };
            for k in 0..6 {
                shares[a][k] = if k == fe {
                    1.0 - rest
                } else if others > 0.0 {
                    rest * placed[k] / others
                } else {
                    0.0
                };
            }
        }
        let year_total: f64 = bands.iter().sum();
        h.notes.push(format!(
            "January {y}: {year_total:.0} plans, from {source}: {}; placements by {from}: {}.",
            BANDS
                .iter()
                .zip(bands)
                .map(|(b, n)| format!("{b} {n:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
            ProvisionKind::ALL
                .iter()
                .zip(placed)
                .map(|(k, n)| format!("{} {:.1}%", k.code(), 100.0 * n / placed_total.max(1.0)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        // Exact cells, then whole plans.
        let mut cells: Vec<(usize, usize, usize, usize, f64)> = Vec::new();
        for (li, l) in locs.iter().enumerate() {
            for a in 0..N_AGES {
                if la_pop[a] <= 0.0 || plans[a] <= 0.0 {
                    continue;
                }
                let here = plans[a] * pop(l, a) / la_pop[a];
                if here <= 0.0 {
                    continue;
                }
                for (n, ns) in need.by_age[a].iter().enumerate() {
                    for k in 0..6 {
                        let v = here * ns * shares[a][k];
                        if v > 0.0 {
                            cells.push((li, a, n, k, v));
                        }
                    }
                }
            }
        }
        // Cumulative rounding in locality, age, need, placement order: each cell is the
        // change in the rounded running total, so the January adds up exactly and every
        // locality and age (a run of cells) is within one plan of its exact share. (Largest
        // remainder would give every plan to the largest cells when all are below one.)
        let mut running = 0.0f64;
        let mut counts = Vec::with_capacity(cells.len());
        for c in &cells {
            let before = (running + 0.5).floor();
            running += c.4;
            counts.push(((running + 0.5).floor() - before).max(0.0) as u64);
        }
        for (c, n) in cells.iter().zip(counts) {
            if n > 0 {
                h.rows.push(HistoryRow {
                    year: y,
                    locality: c.0,
                    age: c.1 as u8,
                    need: Need::ALL[c.2],
                    provision: ProvisionKind::ALL[c.3],
                    count: n,
                });
            }
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_kept_whole_and_fe_goes_to_the_over_16s() {
        let mut s = Sen2Series::default();
        s.caseload.insert(
            2022,
            [Some(10.0), Some(40.0), Some(30.0), Some(15.0), Some(5.0)],
        );
        s.caseload_total.insert(2023, Some(120.0));
        s.placements
            .insert(2022, [40.0, 10.0, 30.0, 5.0, 10.0, 5.0]);
        let mut grid = Grid::new();
        for (l, v) in [("A", 100.0), ("B", 300.0)] {
            let mut ys = BTreeMap::new();
            ys.insert(2022, [v; N_AGES]);
            ys.insert(2023, [v; N_AGES]);
            grid.insert(l.into(), ys);
        }
        let locs = vec!["A".to_string(), "B".to_string()];
        let h = apportion(&s, &[2022, 2023], &grid, &locs, &NeedShares::national());
        let total = |y: i32| {
            h.rows
                .iter()
                .filter(|r| r.year == y)
                .map(|r| r.count)
                .sum::<u64>()
        };
        assert_eq!(total(2022), 100);
        assert_eq!(total(2023), 120);
        assert!(h
            .rows
            .iter()
            .filter(|r| r.provision == ProvisionKind::FurtherEducation)
            .all(|r| r.age >= 16));
        // Locality B has three times A's population, so about three times its plans.
        let by = |l: usize| {
            h.rows
                .iter()
                .filter(|r| r.locality == l)
                .map(|r| r.count)
                .sum::<u64>()
        };
        assert!(
            (by(1) as f64 / by(0) as f64 - 3.0).abs() < 0.3,
            "{} {}",
            by(0),
            by(1)
        );
        assert!(
            h.notes[2].contains("split by the age-band shares of January 2022"),
            "{:?}",
            h.notes
        );
    }

    #[test]
    fn an_authoritys_need_mix_by_band_else_all_plans() {
        let mut split = needs::NeedSplit {
            name: "Wirral".into(),
            ..Default::default()
        };
        let mut all = [0.0; 12];
        all[0] = 3.0; // ASD
        all[2] = 1.0; // SEMH
        let mut post16 = [0.0; 12];
        post16[10] = 2.0; // PD
        split
            .by_year
            .insert(2025, BTreeMap::from([(None, all), (Some(3), post16)]));
        let n = NeedShares::of_authority(&split, "sen_needs_all_plans.csv");
        assert_eq!(n.by_age.len(), N_AGES);
        assert_eq!(n.by_age[8][0], 0.75);
        assert_eq!(n.by_age[8][2], 0.25);
        assert_eq!(n.by_age[17][10], 1.0);
        assert_eq!(n.by_age[20][0], 0.75);
        assert!(n.notes[0].contains("Wirral's own mix in sen_needs_all_plans.csv (January 2025)"));
        assert!(n.notes.iter().any(|l| l == "Ages 16-19, from its age band: ASD 0.0%, SLCN 0.0%, SEMH 0.0%, MLD 0.0%, SLD 0.0%, PMLD 0.0%, SpLD 0.0%, HI 0.0%, VI 0.0%, MSI 0.0%, PD 100.0%, OTH 0.0%."), "{:?}", n.notes);
    }
}
