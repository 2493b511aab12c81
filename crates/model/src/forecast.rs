//! Cohort-progression (stock-flow) forecast of EHC plans and specialist places.
//!
//! State: plans by locality x single year of age 0-25 x need. Each January everyone ages one
//! year and continues with a rate by age; new plans = population(age) x incidence(age, need) x a
//! locality factor x a damped trend. Specialist demand = plans x the share by need and phase that
//! history shows in specialist provision (resourced base, special, independent).
//!
//! Calibration from the scenario's history (LA level, single years of age):
//! * new plans at age a in year y are the residual `plans(y, a) - c(a-1) * plans(y-1, a-1)`
//!   (floored at 0), with c the continuation rates below; incidence = new / population;
//! * the trend g is the log-linear slope of the all-age new-plan rate over the history years,
//!   clamped to +-`max_rate_growth`, and damped by `trend_damping` per year ahead;
//! * the locality factor is (observed + k) / (expected + k) with k = `shrinkage_plans`,
//!   so small areas are pulled towards the LA rate.

use crate::domain::{AgeGroup, Need, Phase, ProvisionKind, Scenario, N_AGES};
use crate::validate::history_years;

/// Share of plans at age a still held at age a+1 (index a). National 2024->25 orientation:
/// ~0.97-1.00 at 6-16, 0.95 at 17, 0.85 at 18, 0.78 at 19, 0.64-0.74 at 20-23, 0.18 at 25.
pub const CONTINUATION: [f64; N_AGES] = [
    0.97, 0.97, 0.97, 0.97, 0.97, // into ages 1-5
    0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, // into 6-16
    0.95, 0.85, 0.78, // into 17, 18, 19
    0.74, 0.70, 0.67, 0.64, // into 20-23
    0.45, 0.18, // into 24, 25
    0.0,  // nobody continues past 25
];

const N_NEEDS: usize = Need::ALL.len();
const N_PHASES: usize = Phase::ALL.len();

/// A forecast quantity: the central projection and the 10th, 50th and 90th percentiles over
/// the Monte Carlo runs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Band {
    /// Projection with every rate at its calibrated value (what the allocation plans for).
    pub central: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Band {
    /// A band with no uncertainty.
    pub fn exact(v: f64) -> Band {
        Band {
            central: v,
            p10: v,
            p50: v,
            p90: v,
        }
    }
}

/// One reported forecast cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastCell {
    pub year: i32,
    pub locality: usize,
    pub age_group: AgeGroup,
    pub need: Need,
    /// EHC plans held.
    pub plans: Band,
    /// Of which needing a specialist place.
    pub specialist: Band,
}

/// A total over cells (LA level), summed within each Monte Carlo run before percentiles.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastTotal {
    pub year: i32,
    /// `None` for all ages.
    pub age_group: Option<AgeGroup>,
    pub plans: Band,
    pub specialist: Band,
}

/// The forecast for every plan year.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub years: Vec<i32>,
    /// Sorted by year, locality, age group, need; zero cells are left out.
    pub cells: Vec<ForecastCell>,
    /// LA totals by year, for each age group and for all ages.
    pub totals: Vec<ForecastTotal>,
    /// Calibrated yearly trend in the new-plan rate (before damping).
    pub trend: f64,
}

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

    /// Total specialist places by year (central projection).
    pub fn specialist_total(&self, year: i32) -> f64 {
        self.total(year, None).map_or(0.0, |t| t.specialist.central)
    }

    /// The LA total for a year and age group (`None` = all ages).
    pub fn total(&self, year: i32, age_group: Option<AgeGroup>) -> Option<&ForecastTotal> {
        self.totals
            .iter()
            .find(|t| t.year == year && t.age_group == age_group)
    }
}

/// Dense population lookup, `pop[(l, year, age)]`, years `first..=last`.
struct Population {
    first: i32,
    n_years: usize,
    data: Vec<f64>,
}

impl Population {
    fn new(s: &Scenario, first: i32, last: i32) -> Population {
        let n_years = (last - first + 1).max(0) as usize;
        let mut data = vec![0.0; s.localities.len() * n_years * N_AGES];
        for c in &s.population {
            if (first..=last).contains(&c.year) {
                let y = (c.year - first) as usize;
                data[(c.locality * n_years + y) * N_AGES + c.age as usize] = c.count;
            }
        }
        Population {
            first,
            n_years,
            data,
        }
    }
    fn get(&self, l: usize, year: i32, age: usize) -> f64 {
        let y = (year - self.first) as usize;
        self.data[(l * self.n_years + y) * N_AGES + age]
    }
    fn la(&self, n_loc: usize, year: i32, age: usize) -> f64 {
        (0..n_loc).map(|l| self.get(l, year, age)).sum()
    }
}

/// Runs the central (deterministic) forecast. The scenario must have passed validation.
pub fn forecast(s: &Scenario) -> Forecast {
    let hist_years = history_years(s);
    let first = hist_years.first().copied().unwrap_or(s.base_year);
    let last = s.base_year + s.horizon as i32;
    let nl = s.localities.len();
    let pop = Population::new(s, first, last);
    let ny_hist = hist_years.len();

    // plans[y][l][a][n] over history years; specialist by (y, need, phase) at LA level.
    let cell = |l: usize, a: usize, n: usize| (l * N_AGES + a) * N_NEEDS + n;
    let mut plans = vec![vec![0.0f64; nl * N_AGES * N_NEEDS]; ny_hist];
    let mut spec = vec![[[0.0f64; N_PHASES]; N_NEEDS]; ny_hist];
    let mut all_np = vec![[[0.0f64; N_PHASES]; N_NEEDS]; ny_hist];
    for h in &s.history {
        let y = (h.year - first) as usize;
        plans[y][cell(h.locality, h.age as usize, h.need.index())] += h.count;
        let p = Phase::of_age(h.age).index();
        all_np[y][h.need.index()][p] += h.count;
        if h.provision.is_specialist() {
            spec[y][h.need.index()][p] += h.count;
        }
    }
    let la_plans =
        |y: usize, a: usize, n: usize| -> f64 { (0..nl).map(|l| plans[y][cell(l, a, n)]).sum() };

    // New-plan residuals by history year (from the second), age and need, LA level.
    let mut new_rate_by_year = Vec::new(); // (year, all-age rate)
    let mut new_plans = vec![[[0.0f64; N_NEEDS]; N_AGES]; ny_hist];
    for (y, year_new) in new_plans.iter_mut().enumerate().skip(1) {
        let year = first + y as i32;
        let mut total_new = 0.0;
        let mut total_pop = 0.0;
        for (a, by_need) in year_new.iter_mut().enumerate() {
            total_pop += pop.la(nl, year, a);
            for (n, slot) in by_need.iter_mut().enumerate() {
                let carried = if a == 0 {
                    0.0
                } else {
                    CONTINUATION[a - 1] * la_plans(y - 1, a - 1, n)
                };
                let new = (la_plans(y, a, n) - carried).max(0.0);
                *slot = new;
                total_new += new;
            }
        }
        if total_pop > 0.0 && total_new > 0.0 {
            new_rate_by_year.push((year, total_new / total_pop));
        }
    }
    let trend = log_linear_growth(&new_rate_by_year)
        .clamp(-s.forecast.max_rate_growth, s.forecast.max_rate_growth);

    // Incidence by age and need at base-year level, pooled over the last three residual years.
    let pooled: Vec<usize> = (1..ny_hist).rev().take(3).collect();
    let mut incidence = [[0.0f64; N_NEEDS]; N_AGES];
    for (a, row) in incidence.iter_mut().enumerate() {
        let denom: f64 = pooled
            .iter()
            .map(|&y| pop.la(nl, first + y as i32, a))
            .sum();
        if denom <= 0.0 {
            continue;
        }
        for (n, r) in row.iter_mut().enumerate() {
            let num: f64 = pooled
                .iter()
                .map(|&y| {
                    let year = first + y as i32;
                    new_plans[y][a][n] * (1.0 + trend).powi(s.base_year - year)
                })
                .sum();
            *r = num / denom;
        }
    }

    // Locality factor, shrunk towards 1.
    let yb = ny_hist - 1;
    let la_rate_by_age: Vec<f64> = (0..N_AGES)
        .map(|a| {
            let p = pop.la(nl, s.base_year, a);
            let pl: f64 = (0..N_NEEDS).map(|n| la_plans(yb, a, n)).sum();
            if p > 0.0 {
                pl / p
            } else {
                0.0
            }
        })
        .collect();
    let k = s.forecast.shrinkage_plans;
    let factor: Vec<f64> = (0..nl)
        .map(|l| {
            let observed: f64 = (0..N_AGES * N_NEEDS)
                .map(|i| plans[yb][l * N_AGES * N_NEEDS + i])
                .sum();
            let expected: f64 = (0..N_AGES)
                .map(|a| pop.get(l, s.base_year, a) * la_rate_by_age[a])
                .sum();
            if expected + k > 0.0 {
                (observed + k) / (expected + k)
            } else {
                1.0
            }
        })
        .collect();

    // Specialist share by need and phase, pooled over the last three history years; falls back to
    // the phase's all-need share where a need has no plans in that phase.
    let recent: Vec<usize> = (0..ny_hist).rev().take(3).collect();
    let mut share = [[0.0f64; N_PHASES]; N_NEEDS];
    for p in 0..N_PHASES {
        let (mut sp_all, mut pl_all) = (0.0, 0.0);
        for n in 0..N_NEEDS {
            for &y in &recent {
                sp_all += spec[y][n][p];
                pl_all += all_np[y][n][p];
            }
        }
        let phase_share = if pl_all > 0.0 { sp_all / pl_all } else { 0.0 };
        for (n, row) in share.iter_mut().enumerate() {
            let sp: f64 = recent.iter().map(|&y| spec[y][n][p]).sum();
            let pl: f64 = recent.iter().map(|&y| all_np[y][n][p]).sum();
            row[p] = if pl > 0.0 { sp / pl } else { phase_share };
        }
    }

    // Project.
    let mut state = plans[yb].clone();
    let years = s.plan_years();
    let mut cells = Vec::new();
    let mut damp_sum = 0.0;
    for (h, &year) in years.iter().enumerate() {
        damp_sum += s.forecast.trend_damping.powi(h as i32 + 1);
        let growth = (1.0 + trend).powf(damp_sum);
        let mut next = vec![0.0f64; state.len()];
        for l in 0..nl {
            for a in 0..N_AGES {
                let newcomers = pop.get(l, year, a) * factor[l] * growth;
                for n in 0..N_NEEDS {
                    let carried = if a == 0 {
                        0.0
                    } else {
                        CONTINUATION[a - 1] * state[cell(l, a - 1, n)]
                    };
                    next[cell(l, a, n)] = carried + newcomers * incidence[a][n];
                }
            }
        }
        state = next;
        for l in 0..nl {
            for g in AgeGroup::ALL {
                for need in Need::ALL {
                    let n = need.index();
                    let pl: f64 = g.ages().map(|a| state[cell(l, a as usize, n)]).sum();
                    if pl <= 0.0 {
                        continue;
                    }
                    cells.push(ForecastCell {
                        year,
                        locality: l,
                        age_group: g,
                        need,
                        plans: Band::exact(pl),
                        specialist: Band::exact(pl * share[n][g.phase().index()]),
                    });
                }
            }
        }
    }
    let totals = exact_totals(&years, &cells);
    Forecast {
        years,
        cells,
        totals,
        trend,
    }
}

fn exact_totals(years: &[i32], cells: &[ForecastCell]) -> Vec<ForecastTotal> {
    let mut out = Vec::new();
    for &year in years {
        for g in AgeGroup::ALL.iter().copied().map(Some).chain([None]) {
            let (p, sp) = cells
                .iter()
                .filter(|c| c.year == year && g.is_none_or(|g| c.age_group == g))
                .fold((0.0, 0.0), |a, c| {
                    (a.0 + c.plans.central, a.1 + c.specialist.central)
                });
            out.push(ForecastTotal {
                year,
                age_group: g,
                plans: Band::exact(p),
                specialist: Band::exact(sp),
            });
        }
    }
    out
}

/// Yearly growth from a least-squares line through ln(rate) against year; 0 with < 2 points.
pub fn log_linear_growth(points: &[(i32, f64)]) -> f64 {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, r)| *r > 0.0)
        .map(|(y, r)| (*y as f64, r.ln()))
        .collect();
    if pts.len() < 2 {
        return 0.0;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx == 0.0 {
        0.0
    } else {
        (sxy / sxx).exp() - 1.0
    }
}

/// Specialist plans at the base year (LA total), for reports.
pub fn base_year_specialist(s: &Scenario) -> f64 {
    s.history
        .iter()
        .filter(|h| h.year == s.base_year && h.provision.is_specialist())
        .map(|h| h.count)
        .sum()
}

/// Plans at the base year in each provision kind (LA total).
pub fn base_year_by_provision(s: &Scenario) -> Vec<(ProvisionKind, f64)> {
    ProvisionKind::ALL
        .iter()
        .map(|k| {
            (
                *k,
                s.history
                    .iter()
                    .filter(|h| h.year == s.base_year && h.provision == *k)
                    .map(|h| h.count)
                    .sum(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_of_an_exact_exponential_is_recovered() {
        let pts: Vec<(i32, f64)> = (0..5).map(|i| (2020 + i, 0.01 * 1.08f64.powi(i))).collect();
        assert!((log_linear_growth(&pts) - 0.08).abs() < 1e-12);
        assert_eq!(log_linear_growth(&pts[..1]), 0.0);
    }

    #[test]
    fn continuation_rates_are_shares() {
        assert!(CONTINUATION.iter().all(|c| (0.0..=1.0).contains(c)));
        assert_eq!(CONTINUATION[N_AGES - 1], 0.0);
    }
}
