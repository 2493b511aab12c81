//! Specialist demand in whole pupils by demand group (locality, need, phase) and plan year:
//! what the allocation plans for.

use crate::domain::{Need, Phase};

use super::calibrate::{N_NEEDS, N_PHASES};
use super::output::Forecast;

/// A demand group: pupils of one need in one phase living in one locality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DemandGroup {
    pub locality: usize,
    pub need: Need,
    pub phase: Phase,
}

/// Whole pupils needing a specialist place, by demand group and plan year.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub years: Vec<i32>,
    pub groups: Vec<DemandGroup>,
    /// `pupils[t][g]` for year index t and group index g.
    pub pupils: Vec<Vec<u32>>,
}

impl Demand {
    pub fn total(&self, t: usize) -> u64 {
        self.pupils[t].iter().map(|p| *p as u64).sum()
    }
}

impl Forecast {
    /// Specialist demand rounded to whole pupils per (locality, need, phase) and year.
    pub fn specialist_demand(&self, n_localities: usize) -> Demand {
        let idx = |l: usize, n: Need, p: Phase| (l * N_NEEDS + n.index()) * N_PHASES + p.index();
        let size = n_localities * N_NEEDS * N_PHASES;
        let mut sums = vec![vec![0.0f64; size]; self.years.len()];
        for c in &self.cells {
            let t = (c.year - self.years[0]) as usize;
            sums[t][idx(c.locality, c.need, c.age_group.phase())] += c.specialist.central;
        }
        let mut groups = Vec::new();
        for l in 0..n_localities {
            for n in Need::ALL {
                for p in Phase::ALL {
                    let i = idx(l, n, p);
                    if sums.iter().any(|s| s[i].round() > 0.0) {
                        groups.push(DemandGroup {
                            locality: l,
                            need: n,
                            phase: p,
                        });
                    }
                }
            }
        }
        let pupils = sums
            .iter()
            .map(|s| {
                groups
                    .iter()
                    .map(|g| s[idx(g.locality, g.need, g.phase)].round() as u32)
                    .collect()
            })
            .collect();
        Demand {
            years: self.years.clone(),
            groups,
            pupils,
        }
    }
}
