//! Population for every year a scenario needs, from the estimates a folder gives.
//!
//! * Years between two estimates: linear interpolation, age by age.
//! * Years after the last estimate: cohort change ratios (the Hamilton-Perry method). Age `a`
//!   in year `t+1` is age `a-1` in year `t` times the authority's ratio of age `a` to age `a-1`
//!   one year earlier, measured between the last two consecutive estimates; age 0 is held at the
//!   last estimate. With one estimate (or none consecutive) every ratio is 1: each cohort ages
//!   on unchanged (no migration, no deaths), births held.
//! * Years before the first estimate: the same ratios backwards (age `a` in year `t-1` is age
//!   `a+1` in year `t` over its ratio); age 25 is held.

use std::collections::{BTreeMap, BTreeSet};

use placeplan_model::domain::{MAX_AGE, N_AGES};

/// Counts by locality, then year, then age.
pub type Grid = BTreeMap<String, BTreeMap<i32, [f64; N_AGES]>>;

/// What [`complete`] did, for ASSUMPTIONS.md.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Projection {
    pub estimates: Vec<i32>,
    pub interpolated: Vec<i32>,
    pub projected: Vec<i32>,
    pub backcast: Vec<i32>,
    /// Cohort change ratios by age 1..=25 (1 when there is no pair of consecutive estimates),
    /// and the pair of years they come from.
    pub ratios: Vec<f64>,
    pub ratio_years: Option<(i32, i32)>,
}

/// Fills every year `from..=to` for every locality of `grid` (which holds the estimates).
pub fn complete(grid: &mut Grid, from: i32, to: i32) -> Projection {
    let estimates: BTreeSet<i32> = grid.values().flat_map(|y| y.keys().copied()).collect();
    let mut p = Projection {
        estimates: estimates.iter().copied().collect(),
        ratios: vec![1.0; N_AGES],
        ..Default::default()
    };
    // Ratios from the last two consecutive estimate years, summed over localities.
    let pair = estimates
        .iter()
        .rev()
        .find(|&&y| estimates.contains(&(y - 1)))
        .map(|&y| (y - 1, y));
    if let Some((a, b)) = pair {
        p.ratio_years = Some((a, b));
        for age in 1..=MAX_AGE as usize {
            let sum = |y: i32, age: usize| -> f64 {
                grid.values()
                    .filter_map(|ys| ys.get(&y))
                    .map(|c| c[age])
                    .sum()
            };
            let (num, den) = (sum(b, age), sum(a, age - 1));
            if den > 0.0 && num > 0.0 {
                p.ratios[age] = num / den;
            }
        }
    }
    let (Some(&first), Some(&last)) = (estimates.first(), estimates.last()) else {
        return p;
    };
    for years in grid.values_mut() {
        // Interpolate gaps.
        let known: Vec<i32> = years.keys().copied().collect();
        for w in known.windows(2) {
            let (y0, y1) = (w[0], w[1]);
            for y in y0 + 1..y1 {
                let t = (y - y0) as f64 / (y1 - y0) as f64;
                let (c0, c1) = (years[&y0], years[&y1]);
                let mut c = [0.0; N_AGES];
                for a in 0..N_AGES {
                    c[a] = c0[a] + t * (c1[a] - c0[a]);
                }
                years.insert(y, c);
            }
        }
        for y in last + 1..=to {
            let prev = years.get(&(y - 1)).copied().unwrap_or([0.0; N_AGES]);
            let mut c = [0.0; N_AGES];
            c[0] = prev[0];
            for a in 1..N_AGES {
                c[a] = prev[a - 1] * p.ratios[a];
            }
            years.insert(y, c);
        }
        for y in (from..first).rev() {
            let next = years.get(&(y + 1)).copied().unwrap_or([0.0; N_AGES]);
            let mut c = [0.0; N_AGES];
            c[MAX_AGE as usize] = next[MAX_AGE as usize];
            for a in 0..MAX_AGE as usize {
                c[a] = next[a + 1] / p.ratios[a + 1];
            }
            years.insert(y, c);
        }
        years.retain(|y, _| (from..=to).contains(y) || estimates.contains(y));
    }
    p.interpolated = (first..=last).filter(|y| !estimates.contains(y)).collect();
    p.projected = (last + 1..=to).collect();
    p.backcast = (from..first).collect();
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohorts_age_on_by_their_ratios_and_gaps_are_interpolated() {
        let mut g = Grid::new();
        let mut y19 = [10.0; N_AGES];
        y19[0] = 12.0;
        let mut y20 = [11.0; N_AGES];
        y20[0] = 14.0;
        let y22 = [20.0; N_AGES];
        g.insert(
            "A".into(),
            BTreeMap::from([(2019, y19), (2020, y20), (2022, y22)]),
        );
        let p = complete(&mut g, 2018, 2023);
        assert_eq!(p.ratio_years, Some((2019, 2020)));
        // Age 1 in 2020 (11) over age 0 in 2019 (12); age 5: 11 / 10.
        assert!((p.ratios[1] - 11.0 / 12.0).abs() < 1e-12);
        assert!((p.ratios[5] - 1.1).abs() < 1e-12);
        let a = &g["A"];
        assert_eq!(a[&2021][3], 15.5, "halfway between 11 and 20");
        assert_eq!(a[&2023][0], 20.0, "births held");
        assert!((a[&2023][6] - 20.0 * 1.1).abs() < 1e-9);
        assert!((a[&2018][4] - 10.0 / 1.1).abs() < 1e-9, "backwards");
        assert_eq!(a[&2018][25], 10.0);
        assert_eq!(p.projected, [2023]);
        assert_eq!(p.backcast, [2018]);
        assert_eq!(p.interpolated, [2021]);
    }

    #[test]
    fn one_estimate_ages_each_cohort_on_unchanged() {
        let mut g = Grid::new();
        let mut c = [0.0; N_AGES];
        for (a, v) in c.iter_mut().enumerate() {
            *v = a as f64;
        }
        g.insert("A".into(), BTreeMap::from([(2019, c)]));
        let p = complete(&mut g, 2017, 2021);
        assert_eq!(p.ratio_years, None);
        assert_eq!(g["A"][&2021][5], 3.0);
        assert_eq!(g["A"][&2021][0], 0.0);
        assert_eq!(g["A"][&2017][5], 7.0);
        assert_eq!(g["A"].len(), 5);
    }
}
