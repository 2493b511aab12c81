//! Calibration: every rate of the model fitted from the scenario's history (see the module
//! docs of `forecast`), and the dense population lookup the projection reads.

use crate::domain::history_years;
use crate::domain::{Need, Phase, Scenario, N_AGES};

use super::fit::log_linear_fit;

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

pub(super) const N_NEEDS: usize = Need::ALL.len();

pub(super) const N_PHASES: usize = Phase::ALL.len();

/// Dense population lookup, `pop[(l, year, age)]`, years `first..=last`.
#[derive(Debug, Clone)]
pub(super) struct Population {
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
    pub(super) fn get(&self, l: usize, year: i32, age: usize) -> f64 {
        let y = (year - self.first) as usize;
        self.data[(l * self.n_years + y) * N_AGES + age]
    }
    fn la(&self, n_loc: usize, year: i32, age: usize) -> f64 {
        (0..n_loc).map(|l| self.get(l, year, age)).sum()
    }
}

/// Every rate of the model, calibrated from a scenario's history.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Years of population available: first history year ..= last plan year.
    pub(super) pop: Population,
    /// Plans at the base year by locality, age and need: `initial[cell(l, a, n)]`.
    pub(super) initial: Vec<f64>,
    /// New plans per resident by age and need, at the base-year level (all-need new plans split
    /// by the age's need mix).
    pub incidence: [[f64; N_NEEDS]; N_AGES],
    /// Share of plans at age a still held at age a+1: the national [`CONTINUATION`], lowered
    /// at ages where history carried fewer plans forward.
    pub continuation: [f64; N_AGES],
    /// Need mix of the plans held at each age (`None`: no plans at that age in history).
    pub need_mix: [Option<[f64; N_NEEDS]>; N_AGES],
    /// Yearly growth of the new-plan rate ahead (the history's own, shrunk towards the prior,
    /// clamped) and the standard error of the history's own.
    pub trend: f64,
    /// The history's own yearly growth of the new-plan rate (clamped).
    pub own_trend: f64,
    pub trend_se: f64,
    /// Standard deviation (log scale) of the base-year level of the new-plan rate.
    pub level_sd: f64,
    /// Year-to-year noise (log scale) of the new-plan rate around its trend.
    pub process_sd: f64,
    /// Share of plans in specialist provision by need and phase.
    pub share: [[f64; N_PHASES]; N_NEEDS],
    /// Year-to-year variation (log scale) of each phase's specialist share.
    pub share_sd: [f64; N_PHASES],
    /// Yearly growth of each phase's specialist share over the history years (log-linear fit,
    /// clamped to +-`MAX_SHARE_TREND`), damped ahead like the new-plan trend.
    pub share_trend: [f64; N_PHASES],
    /// Locality factor on the new-plan rate.
    pub factor: Vec<f64>,
    /// How the specialist share is projected.
    pub share_method: ShareMethod,
    /// Net yearly transition rate into (positive) or out of (negative) specialist settings by
    /// need, phase and step (`[n][p][0]`: into the phase's first age, a transfer; `[n][p][1]`:
    /// within the phase), shrunk towards the all-need rate of the step (see [`Transitions`]).
    pub transition: [[[f64; 2]; N_PHASES]; N_NEEDS],
    /// Specialist share by age and need in each plan year under the transitions (index 0 = the
    /// first plan year), from the base year's shares by age and need moved on cohort by cohort.
    pub share_path: Vec<[[f64; N_NEEDS]; N_AGES]>,
}

/// How the specialist share of plans is projected.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareMethod {
    /// The base year's share by need and phase, times the phase's damped share trend.
    Trend,
    /// Each cohort's share by age and need moved on by the transition rates
    /// ([`Calibration::share_path`]).
    Transitions,
    /// `w` x transitions + (1 - w) x trend.
    Blend(f64),
}

impl ShareMethod {
    /// The method `calibrate` sets.
    pub const DEFAULT: ShareMethod = ShareMethod::Trend;
}

/// The transitions between settings a cohort makes from one January to the next, from
/// aggregate stocks: the plans of need n at age a in year y held `S` specialist places; had
/// they kept the specialist share `s0` of their cohort a year earlier (age a-1, need n; the
/// cohort's all-need share where it had no plans of need n) they would have held `s0 E`. The
/// net flow `F = S - s0 E` is a rate `F / ((1 - s0) E)` of the cohort's other plans moving
/// into specialist settings when positive, `F / (s0 E)` of its specialist plans moving out
/// when negative. Flows and exposures are summed over the ages of a step and the pooled years.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Transitions {
    flow: f64,
    up: f64,
    down: f64,
    plans: f64,
}

impl Transitions {
    fn add(&mut self, held: f64, specialist: f64, prior: f64) {
        self.flow += specialist - prior * held;
        self.up += (1.0 - prior) * held;
        self.down += prior * held;
        self.plans += held;
    }
    fn rate(&self) -> f64 {
        if self.flow >= 0.0 && self.up > 0.0 {
            self.flow / self.up
        } else if self.flow < 0.0 && self.down > 0.0 {
            self.flow / self.down
        } else {
            0.0
        }
    }
}

/// A share moved on by one year's net transition rate: up by `rate` of the rest, or down by
/// `-rate` of itself.
pub(super) fn step(share: f64, rate: f64) -> f64 {
    let s = if rate >= 0.0 {
        share + rate * (1.0 - share)
    } else {
        share * (1.0 + rate)
    };
    s.clamp(0.0, 1.0)
}

/// The step into age `a`: 0 when `a` is the first age of its phase (a transfer from the
/// previous phase), 1 within a phase.
fn step_kind(a: usize) -> usize {
    let p = Phase::of_age(a as u8);
    usize::from(a > 0 && Phase::of_age(a as u8 - 1) == p)
}

/// Log-scale standard deviation of the share of plans that end each year (1 - continuation):
/// a fixed assumption reflecting the spread of LA continuation rates around the national ones.
pub const LEAVING_SD: f64 = 0.10;

/// Floors on calibrated spreads, so a short or unusually smooth history does not give false
/// certainty.
const MIN_PROCESS_SD: f64 = 0.03;

const MIN_SHARE_SD: f64 = 0.01;

/// Largest yearly change of a phase's specialist share the trend may take.
const MAX_SHARE_TREND: f64 = 0.05;

const fn cell(l: usize, a: usize, n: usize) -> usize {
    (l * N_AGES + a) * N_NEEDS + n
}

/// The national new-plan trend: the yearly growth of the all-age new-plan rate of every local
/// authority together, fitted as for one authority on the DfE SEN2 release's Januarys
/// 2018-2022 (the SEN2 backtest's national trend at origin 2022; the test
/// `the_national_trend_is_the_backtests` in crates/app recomputes it from the data). A fixed
/// constant of the model, like the continuation rates.
pub const NATIONAL_TREND: f64 = 0.104938;

/// Weight of a scenario's own new-plan trend; the rest is [`NATIONAL_TREND`]. In the SEN2
/// backtest an authority's own trend forecast its future worse than the national one
/// (docs/forecasting.md).
pub const OWN_TREND_WEIGHT: f64 = 0.25;

/// What a scenario's own new-plan trend is shrunk towards: the trend ahead is
/// `own_weight` x its own + (1 - `own_weight`) x `trend`, within `max_rate_growth`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendPrior {
    pub trend: f64,
    pub own_weight: f64,
}

impl TrendPrior {
    /// The national trend with the model's weight ([`NATIONAL_TREND`], [`OWN_TREND_WEIGHT`]).
    pub const NATIONAL: TrendPrior = TrendPrior {
        trend: NATIONAL_TREND,
        own_weight: OWN_TREND_WEIGHT,
    };
}

/// Calibrates every rate from the scenario's history (see the module docs), the new-plan
/// trend shrunk towards the national one ([`TrendPrior::NATIONAL`]).
pub fn calibrate(s: &Scenario) -> Calibration {
    calibrate_with(s, Some(TrendPrior::NATIONAL))
}

/// Calibrates every rate from the scenario's history, the new-plan trend ahead shrunk towards
/// `prior` (`None`: the scenario's own trend only).
pub fn calibrate_with(s: &Scenario, prior: Option<TrendPrior>) -> Calibration {
    let hist_years = history_years(s);
    let first = hist_years.first().copied().unwrap_or(s.base_year);
    let last = s.base_year + s.horizon as i32;
    let nl = s.localities.len();
    let pop = Population::new(s, first, last);
    let ny_hist = hist_years.len().max(1);

    let mut plans = vec![vec![0.0f64; nl * N_AGES * N_NEEDS]; ny_hist];
    let mut spec = vec![[[0.0f64; N_PHASES]; N_NEEDS]; ny_hist];
    let mut spec_an = vec![[[0.0f64; N_NEEDS]; N_AGES]; ny_hist];
    let mut all_np = vec![[[0.0f64; N_PHASES]; N_NEEDS]; ny_hist];
    for h in &s.history {
        let y = (h.year - first) as usize;
        if y >= ny_hist {
            continue;
        }
        plans[y][cell(h.locality, h.age as usize, h.need.index())] += h.count;
        let p = Phase::of_age(h.age).index();
        all_np[y][h.need.index()][p] += h.count;
        if h.provision.is_specialist() {
            spec[y][h.need.index()][p] += h.count;
            spec_an[y][h.age as usize][h.need.index()] += h.count;
        }
    }
    let la_plans =
        |y: usize, a: usize, n: usize| -> f64 { (0..nl).map(|l| plans[y][cell(l, a, n)]).sum() };

    // New plans on all-need totals: at age a in year y the net flow is
    // `plans(y, a) - c(a-1) plans(y-1, a-1)`, summed over needs, so a plan whose primary need
    // changes with age (SLCN at 5, ASD at 6) is a transition within its cohort, never a new plan.
    let la_total = |y: usize, a: usize| -> f64 { (0..N_NEEDS).map(|n| la_plans(y, a, n)).sum() };
    let carried_in = |y: usize, a: usize| -> f64 {
        if a == 0 {
            0.0
        } else {
            CONTINUATION[a - 1] * la_total(y - 1, a - 1)
        }
    };
    let pooled: Vec<usize> = (1..ny_hist).rev().take(3).collect();
    // Continuation by age: where history carries fewer plans into age a than the national rates
    // would (pooled over the last three years; typically after 16 and 19), the rate into a is
    // scaled down to what history shows and a takes no new plans: post-16/19 growth is held to
    // what history supports. Elsewhere the national rates stand and the surplus is new plans.
    let mut continuation = CONTINUATION;
    let mut net_age = [0.0f64; N_AGES];
    for a in 1..N_AGES {
        let held: f64 = pooled.iter().map(|&y| la_total(y, a)).sum();
        let carried: f64 = pooled.iter().map(|&y| carried_in(y, a)).sum();
        net_age[a] = held - carried;
        if carried > 0.0 && held < carried {
            continuation[a - 1] = CONTINUATION[a - 1] * held / carried;
        }
    }
    let mut rate_by_year = Vec::new(); // (year, all-age new-plan rate)
    let mut new_plans = vec![[0.0f64; N_AGES]; ny_hist];
    for (y, year_new) in new_plans.iter_mut().enumerate().skip(1) {
        let year = first + y as i32;
        let mut total_new = 0.0;
        let mut total_pop = 0.0;
        for (a, slot) in year_new.iter_mut().enumerate() {
            total_pop += pop.la(nl, year, a);
            let carried = if a == 0 {
                0.0
            } else {
                continuation[a - 1] * la_total(y - 1, a - 1)
            };
            let new = (la_total(y, a) - carried).max(0.0);
            *slot = new;
            total_new += new;
        }
        if total_pop > 0.0 && total_new > 0.0 {
            rate_by_year.push((year, total_new / total_pop));
        }
    }
    let fit = log_linear_fit(&rate_by_year);
    let cap = s.forecast.max_rate_growth;
    // The history's own trend brings past new plans to the base-year level; ahead, it is
    // shrunk towards the prior.
    let own_trend = fit.growth.clamp(-cap, cap);
    let trend = own_trend;
    let trend_ahead = match prior {
        Some(p) => {
            let w = p.own_weight.clamp(0.0, 1.0);
            (w * own_trend + (1.0 - w) * p.trend).clamp(-cap, cap)
        }
        None => own_trend,
    };
    let process_sd = fit.residual_sd.max(MIN_PROCESS_SD);
    let trend_se = fit.slope_se(process_sd);
    let level_sd = fit.level_se(process_sd, s.base_year);

    // Need mix by age: the share of each need among plans held at that age over the last three
    // history years. New plans at an age take its mix, and plans carried into an age are
    // re-mixed to it (need changes as transitions); an age with no plans keeps its cohort's needs.
    let recent: Vec<usize> = (0..ny_hist).rev().take(3).collect();
    let mut need_mix = [None; N_AGES];
    for (a, mix) in need_mix.iter_mut().enumerate() {
        let by_need: Vec<f64> = (0..N_NEEDS)
            .map(|n| recent.iter().map(|&y| la_plans(y, a, n)).sum())
            .collect();
        let total: f64 = by_need.iter().sum();
        if total > 0.0 {
            let mut m = [0.0f64; N_NEEDS];
            for n in 0..N_NEEDS {
                m[n] = by_need[n] / total;
            }
            *mix = Some(m);
        }
    }

    // Incidence by age (all needs) at base-year level, pooled over the last three residual
    // years, split by the age's need mix.
    let mut incidence = [[0.0f64; N_NEEDS]; N_AGES];
    for (a, row) in incidence.iter_mut().enumerate() {
        let denom: f64 = pooled
            .iter()
            .map(|&y| pop.la(nl, first + y as i32, a))
            .sum();
        let Some(mix) = need_mix[a] else {
            continue;
        };
        if denom <= 0.0 {
            continue;
        }
        let num: f64 = pooled
            .iter()
            .map(|&y| new_plans[y][a] * (1.0 + trend).powi(s.base_year - (first + y as i32)))
            .sum();
        for (n, r) in row.iter_mut().enumerate() {
            *r = num / denom * mix[n];
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
            let observed: f64 = plans[yb][l * N_AGES * N_NEEDS..(l + 1) * N_AGES * N_NEEDS]
                .iter()
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

    // Specialist share by need and phase in the base year (the latest level: pooling older years
    // lags a share that moves, and SEN2 shares moved every year); falls back to the phase's
    // all-need share where a need has no plans in that phase. Each phase's share also has a
    // trend over the history years, damped ahead like the new-plan trend.
    let share_years: Vec<usize> = vec![yb];
    let mut share = [[0.0f64; N_PHASES]; N_NEEDS];
    let mut share_sd = [MIN_SHARE_SD; N_PHASES];
    let mut share_trend = [0.0f64; N_PHASES];
    for p in 0..N_PHASES {
        let phase_share = |y: usize| {
            let sp: f64 = (0..N_NEEDS).map(|n| spec[y][n][p]).sum();
            let pl: f64 = (0..N_NEEDS).map(|n| all_np[y][n][p]).sum();
            (pl > 0.0 && sp > 0.0).then(|| sp / pl)
        };
        let logs: Vec<f64> = (0..ny_hist).filter_map(phase_share).map(f64::ln).collect();
        share_sd[p] = sd(&logs).max(MIN_SHARE_SD);
        let pts: Vec<(i32, f64)> = (0..ny_hist)
            .filter_map(|y| phase_share(y).map(|v| (first + y as i32, v)))
            .collect();
        share_trend[p] = log_linear_fit(&pts)
            .growth
            .clamp(-MAX_SHARE_TREND, MAX_SHARE_TREND);
        let (mut sp_all, mut pl_all) = (0.0, 0.0);
        for n in 0..N_NEEDS {
            for &y in &share_years {
                sp_all += spec[y][n][p];
                pl_all += all_np[y][n][p];
            }
        }
        let pooled_share = if pl_all > 0.0 { sp_all / pl_all } else { 0.0 };
        for (n, row) in share.iter_mut().enumerate() {
            let sp: f64 = share_years.iter().map(|&y| spec[y][n][p]).sum();
            let pl: f64 = share_years.iter().map(|&y| all_np[y][n][p]).sum();
            row[p] = if pl > 0.0 { sp / pl } else { pooled_share };
        }
    }

    // Transitions between settings by need, phase and step, pooled over the residual years,
    // each need's rate shrunk towards the all-need rate of its step with weight
    // plans / (plans + k), k = `shrinkage_plans`.
    let mut tr = [[[Transitions::default(); 2]; N_PHASES]; N_NEEDS];
    for &y in &pooled {
        for a in 1..N_AGES {
            let cohort: f64 = (0..N_NEEDS).map(|n| la_plans(y - 1, a - 1, n)).sum();
            if cohort <= 0.0 {
                continue;
            }
            let cohort_share = spec_an[y - 1][a - 1].iter().sum::<f64>() / cohort;
            let (p, e) = (Phase::of_age(a as u8).index(), step_kind(a));
            for n in 0..N_NEEDS {
                let held = la_plans(y, a, n);
                if held <= 0.0 {
                    continue;
                }
                let before = la_plans(y - 1, a - 1, n);
                let prior = if before > 0.0 {
                    spec_an[y - 1][a - 1][n] / before
                } else {
                    cohort_share
                };
                tr[n][p][e].add(held, spec_an[y][a][n], prior);
            }
        }
    }
    let mut transition = [[[0.0f64; 2]; N_PHASES]; N_NEEDS];
    for p in 0..N_PHASES {
        for e in 0..2 {
            let mut all = Transitions::default();
            for row in &tr {
                let t = row[p][e];
                all.flow += t.flow;
                all.up += t.up;
                all.down += t.down;
                all.plans += t.plans;
            }
            let pooled_rate = all.rate();
            for (n, row) in transition.iter_mut().enumerate() {
                let t = tr[n][p][e];
                row[p][e] = if t.plans + k > 0.0 {
                    (t.plans * t.rate() + k * pooled_rate) / (t.plans + k)
                } else {
                    pooled_rate
                };
            }
        }
    }
    // The share path: the base year's share by age and need (the phase's share by need where
    // an age held no plans of that need), moved on a year at a time cohort by cohort. A cohort's
    // prior share for need n is its own share of need n a year younger where that age holds
    // plans of need n in history (its need mix), else the mix-weighted share of that age; age 0
    // keeps the base year's.
    let mut current = [[0.0f64; N_NEEDS]; N_AGES];
    for (a, row) in current.iter_mut().enumerate() {
        let p = Phase::of_age(a as u8).index();
        for (n, v) in row.iter_mut().enumerate() {
            let held = la_plans(yb, a, n);
            *v = if held > 0.0 {
                spec_an[yb][a][n] / held
            } else {
                share[n][p]
            };
        }
    }
    let mut share_path = Vec::with_capacity(s.horizon as usize);
    for _ in 0..s.horizon {
        let mut next = current;
        for a in 1..N_AGES {
            let (p, e) = (Phase::of_age(a as u8).index(), step_kind(a));
            let mixed = need_mix[a - 1].map(|mix| {
                let w: f64 = (0..N_NEEDS).map(|n| mix[n] * current[a - 1][n]).sum();
                (mix, w)
            });
            for n in 0..N_NEEDS {
                let prior = match mixed {
                    Some((mix, _)) if mix[n] > 0.0 => current[a - 1][n],
                    Some((_, w)) => w,
                    None => current[a - 1][n],
                };
                next[a][n] = step(prior, transition[n][p][e]);
            }
        }
        share_path.push(next);
        current = next;
    }

    Calibration {
        pop,
        initial: plans.swap_remove(yb),
        incidence,
        continuation,
        need_mix,
        trend: trend_ahead,
        own_trend,
        trend_se,
        level_sd,
        process_sd,
        share,
        share_sd,
        share_trend,
        factor,
        share_method: ShareMethod::DEFAULT,
        transition,
        share_path,
    }
}

impl Calibration {
    /// Demand-growth scenarios: moves the trend by `z` standard errors (e.g. -1.28 for "low",
    /// +1.28 for "high", about the 10th and 90th percentiles of the trend), within the cap.
    pub fn with_trend_shift(&self, z: f64, cap: f64) -> Calibration {
        let mut c = self.clone();
        c.trend = (self.trend + z * self.trend_se).clamp(-cap, cap);
        c
    }
}

fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One locality of 1,000 residents at every age. January 2024: 100 SLCN plans at age 5 and
    /// 100 at age 16. January 2025: 100 SLCN plans at age 5 (a new cohort), the 2024 five-year
    /// olds at age 6 as 98.5 = 0.985 x 100 ASD plans (their primary need changed, as SLCN often
    /// turns to ASD), and 50 of the sixteen-year olds left at 17.
    /// * Age 6: all needs 98.5 held = 0.985 x 100 carried: no new plan (per need, 98.5 new ASD
    ///   plans and -98.5 SLCN clipped to 0 would have counted the need change as new plans).
    /// * Age 5: 100 new plans of 1,000 residents: incidence 0.1, all SLCN (the mix at age 5).
    /// * Age 17: 50 held of 95 carried: continuation into 17 is 0.95 x 50/95 = 0.5, no new plans.
    ///
    /// The 2026 projection: age 5: 100 new; age 6: 0.985 x 100 = 98.5, re-mixed to age 6's need
    /// (ASD); age 7: 0.985 x 98.5 = 97.0225; age 18: 0.85 x 50 = 42.5; nothing else.
    fn need_change(s: &mut Scenario) {
        s.history.clear();
        let cell = |year, age, need, count| crate::domain::HistoryCell {
            year,
            locality: 0,
            age,
            need,
            provision: crate::domain::ProvisionKind::Mainstream,
            count,
        };
        s.history.push(cell(2024, 5, Need::Slcn, 100.0));
        s.history.push(cell(2024, 16, Need::Slcn, 100.0));
        s.history.push(cell(2025, 5, Need::Slcn, 100.0));
        s.history.push(cell(2025, 6, Need::Asd, 98.5));
        s.history.push(cell(2025, 17, Need::Slcn, 50.0));
    }

    #[test]
    fn a_need_change_is_not_a_new_plan() {
        let mut s = crate::forecast::project::tests::steady(vec![]);
        need_change(&mut s);
        // The history's own trend (none here: one residual year), not shrunk to the national.
        let cal = calibrate_with(&s, None);
        assert_eq!(cal.trend, 0.0);
        let all = |a: usize| cal.incidence[a].iter().sum::<f64>();
        assert_eq!(all(6), 0.0);
        assert!((all(5) - 0.1).abs() < 1e-12);
        assert!((cal.incidence[5][Need::Slcn.index()] - 0.1).abs() < 1e-12);
        assert_eq!(all(17), 0.0);
        assert!((cal.continuation[16] - 0.5).abs() < 1e-12);
        assert_eq!(cal.continuation[5], CONTINUATION[5]);
        let fc = crate::forecast::forecast_variant(&s, &cal, crate::forecast::Variant::Unmitigated);
        let t = fc.total(2026, None).unwrap().plans.central;
        let want = 100.0 + 98.5 + 0.985 * 98.5 + 0.85 * 50.0;
        assert!((t - want).abs() < 1e-9, "{t} vs {want}");
        // Age 6 in 2026 (primary, ASD by age 6's mix) holds the SLCN cohort of 2025.
        let asd_primary: f64 = fc
            .cells
            .iter()
            .filter(|c| c.year == 2026 && c.need == Need::Asd)
            .map(|c| c.plans.central)
            .sum();
        assert!((asd_primary - (98.5 + 0.985 * 98.5)).abs() < 1e-9);
    }

    /// Specialist share: 60 of 100 primary ASD plans in special schools in January 2024, 54 of
    /// 100 in 2025. The share is the base year's, 0.54; its trend 0.54/0.60 - 1 = -10% a year is
    /// clamped to -5%, and damped by 0.8 for 2026: the 2026 share is 0.54 x 0.95^0.8.
    #[test]
    fn specialist_share_is_the_latest_with_a_damped_trend() {
        let mut s = crate::forecast::project::tests::steady(vec![]);
        s.history.clear();
        let cell = |year, provision, count| crate::domain::HistoryCell {
            year,
            locality: 0,
            age: 7,
            need: Need::Asd,
            provision,
            count,
        };
        use crate::domain::ProvisionKind::{Mainstream, Special};
        s.history.extend([
            cell(2024, Special, 60.0),
            cell(2024, Mainstream, 40.0),
            cell(2025, Special, 54.0),
            cell(2025, Mainstream, 46.0),
        ]);
        let cal = calibrate(&s);
        let p = Phase::of_age(7).index();
        assert!((cal.share[Need::Asd.index()][p] - 0.54).abs() < 1e-12);
        assert!((cal.share_trend[p] + MAX_SHARE_TREND).abs() < 1e-12);
        let fc = crate::forecast::forecast(&s);
        let c = fc
            .cells
            .iter()
            .find(|c| c.year == 2026 && c.need == Need::Asd && c.plans.central > 0.0)
            .unwrap();
        let want = 0.54 * 0.95f64.powf(0.8);
        assert!((c.specialist.central / c.plans.central - want).abs() < 1e-12);
    }

    /// Transitions between settings by hand. January 2024, age 6: 100 ASD plans (20 in special
    /// schools) and 50 SEMH (10 special). January 2025, age 7: 100 ASD (36 special) and 50 SEMH
    /// (5 special). The cohort held a share 0.2 of each need in specialist settings; had it kept
    /// it, 20 ASD and 10 SEMH places. ASD: net flow 36 - 20 = +16 of the 80 other plans, a rate
    /// 0.2 into specialist settings; SEMH: 5 - 10 = -5 of the 10 specialist plans, a rate -0.5
    /// (out). All needs: +11 of 120, 11/120. Shrunk with k = 30 plans (`shrinkage_plans`) towards
    /// it: ASD (100 x 0.2 + 30 x 11/120) / 130 = 0.175, SEMH (50 x -0.5 + 2.75) / 80 = -0.278125;
    /// a need with no plans takes 11/120; transfers into primary (no data) 0.
    ///
    /// Projection (trend 0, continuation 0.985 into age 8, 2.25 new plans at age 7, 2/3 ASD):
    /// 2026: ASD 98.5 at age 8 and 1.5 at age 7, all with prior share 0.36 (age 7's in 2025,
    /// and primary ASD's for age 6), moved to 0.36 + 0.175 x 0.64 = 0.472; SEMH 49.25 + 0.75
    /// at 0.1 x (1 - 0.278125) = 0.0721875. Specialist places 100 x 0.472 + 50 x 0.0721875 =
    /// 50.809375. 2027: ASD 100 plans at 0.472 + 0.175 x 0.528 = 0.5644, SEMH 50 at
    /// 0.0721875 x 0.721875: 56.44 + 2.6055... The base-year share with its trend instead gives
    /// (100 x 0.36 + 50 x 0.1) x 1.05^0.8 in 2026 (primary's share rose 0.2 -> 0.2733, clamped
    /// to +5% a year, damped by 0.8).
    #[test]
    fn transitions_between_settings_by_hand() {
        use crate::domain::ProvisionKind::{Mainstream, Special};
        let mut s = crate::forecast::project::tests::steady(vec![]);
        s.history.clear();
        let cell = |year, age, need, provision, count| crate::domain::HistoryCell {
            year,
            locality: 0,
            age,
            need,
            provision,
            count,
        };
        s.history.extend([
            cell(2024, 6, Need::Asd, Special, 20.0),
            cell(2024, 6, Need::Asd, Mainstream, 80.0),
            cell(2024, 6, Need::Semh, Special, 10.0),
            cell(2024, 6, Need::Semh, Mainstream, 40.0),
            cell(2025, 7, Need::Asd, Special, 36.0),
            cell(2025, 7, Need::Asd, Mainstream, 64.0),
            cell(2025, 7, Need::Semh, Special, 5.0),
            cell(2025, 7, Need::Semh, Mainstream, 45.0),
        ]);
        // The history's own trend (none: one residual year), not shrunk to the national.
        let mut cal = calibrate_with(&s, None);
        let primary = Phase::Primary.index();
        let within = |n: Need| cal.transition[n.index()][primary][1];
        assert!((within(Need::Asd) - 0.175).abs() < 1e-12);
        assert!((within(Need::Semh) + 0.278125).abs() < 1e-12);
        assert!((within(Need::Mld) - 11.0 / 120.0).abs() < 1e-12);
        assert_eq!(cal.transition[Need::Asd.index()][primary][0], 0.0);
        assert!((cal.share_path[0][8][Need::Asd.index()] - 0.472).abs() < 1e-12);
        assert!((cal.share_path[1][9][Need::Asd.index()] - 0.5644).abs() < 1e-12);

        cal.share_method = ShareMethod::Transitions;
        let fc = crate::forecast::forecast_variant(&s, &cal, crate::forecast::Variant::Unmitigated);
        let t = |y| fc.total(y, None).unwrap().clone();
        assert!((t(2026).plans.central - 150.0).abs() < 1e-9);
        assert!((t(2026).specialist.central - 50.809375).abs() < 1e-9);
        let want_2027 = 100.0 * 0.5644 + 50.0 * 0.0721875 * 0.721875;
        assert!((t(2027).plans.central - 150.0).abs() < 1e-9);
        assert!((t(2027).specialist.central - want_2027).abs() < 1e-9);

        // The default (the base-year share with its damped trend) on the same history.
        cal.share_method = ShareMethod::DEFAULT;
        let trend =
            crate::forecast::forecast_variant(&s, &cal, crate::forecast::Variant::Unmitigated);
        let want = 41.0 * 1.05f64.powf(0.8);
        let got = trend.total(2026, None).unwrap().specialist.central;
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }

    #[test]
    fn continuation_rates_are_shares() {
        assert!(CONTINUATION.iter().all(|c| (0.0..=1.0).contains(c)));
        assert_eq!(CONTINUATION[N_AGES - 1], 0.0);
    }
}
