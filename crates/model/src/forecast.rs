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
//!
//! Policy levers (`[[levers]]`) multiply the new-plan rate, the specialist share of cohorts
//! entering a phase, or post-19 continuation, each from a start year with a linear ramp. The
//! "unmitigated" forecast ignores them; the "mitigated" forecast applies them.
//!
//! Uncertainty: `runs` seeded Monte Carlo draws of the trend (its regression standard error), the
//! base-year level (standard error of the fitted level), year-to-year noise in the new-plan rate
//! (the residual spread of the fit), each phase's specialist share (its spread over the history
//! years) and the leaving rates (a fixed 10% log-scale spread). Every reported cell and total gets
//! the central projection (all draws at their centre) and the P10/P50/P90 over runs; totals are
//! summed within each run before percentiles are taken. Runs are drawn from `(seed, run)` streams,
//! so results do not depend on thread count or order.

use crate::domain::history_years;
use crate::domain::{
    lever_multiplier, AgeGroup, Lever, LeverKind, Need, Phase, ProvisionKind, Scenario, N_AGES,
};
use crate::rng::SplitMix64;

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
    pub variant: Variant,
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
#[derive(Debug, Clone)]
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

/// Which forecast: without policy levers, or with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    Unmitigated,
    Mitigated,
}

impl Variant {
    pub fn code(self) -> &'static str {
        match self {
            Variant::Unmitigated => "unmitigated",
            Variant::Mitigated => "mitigated",
        }
    }
}

/// Every rate of the model, calibrated from a scenario's history.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Years of population available: first history year ..= last plan year.
    pop: Population,
    /// Plans at the base year by locality, age and need: `initial[cell(l, a, n)]`.
    initial: Vec<f64>,
    /// New plans per resident by age and need, at the base-year level.
    pub incidence: [[f64; N_NEEDS]; N_AGES],
    /// Yearly growth of the new-plan rate (clamped) and its standard error.
    pub trend: f64,
    pub trend_se: f64,
    /// Standard deviation (log scale) of the base-year level of the new-plan rate.
    pub level_sd: f64,
    /// Year-to-year noise (log scale) of the new-plan rate around its trend.
    pub process_sd: f64,
    /// Share of plans in specialist provision by need and phase.
    pub share: [[f64; N_PHASES]; N_NEEDS],
    /// Year-to-year variation (log scale) of each phase's specialist share.
    pub share_sd: [f64; N_PHASES],
    /// Locality factor on the new-plan rate.
    pub factor: Vec<f64>,
}

/// Log-scale standard deviation of the share of plans that end each year (1 - continuation):
/// a fixed assumption reflecting the spread of LA continuation rates around the national ones.
pub const LEAVING_SD: f64 = 0.10;
/// Floors on calibrated spreads, so a short or unusually smooth history does not give false
/// certainty.
const MIN_PROCESS_SD: f64 = 0.03;
const MIN_SHARE_SD: f64 = 0.01;

const fn cell(l: usize, a: usize, n: usize) -> usize {
    (l * N_AGES + a) * N_NEEDS + n
}

/// Calibrates every rate from the scenario's history (see the module docs).
pub fn calibrate(s: &Scenario) -> Calibration {
    let hist_years = history_years(s);
    let first = hist_years.first().copied().unwrap_or(s.base_year);
    let last = s.base_year + s.horizon as i32;
    let nl = s.localities.len();
    let pop = Population::new(s, first, last);
    let ny_hist = hist_years.len().max(1);

    let mut plans = vec![vec![0.0f64; nl * N_AGES * N_NEEDS]; ny_hist];
    let mut spec = vec![[[0.0f64; N_PHASES]; N_NEEDS]; ny_hist];
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
        }
    }
    let la_plans =
        |y: usize, a: usize, n: usize| -> f64 { (0..nl).map(|l| plans[y][cell(l, a, n)]).sum() };

    // New-plan residuals by history year (from the second), age and need, LA level.
    let mut rate_by_year = Vec::new(); // (year, all-age new-plan rate)
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
            rate_by_year.push((year, total_new / total_pop));
        }
    }
    let fit = log_linear_fit(&rate_by_year);
    let cap = s.forecast.max_rate_growth;
    let trend = fit.growth.clamp(-cap, cap);
    let process_sd = fit.residual_sd.max(MIN_PROCESS_SD);
    let trend_se = fit.slope_se(process_sd);
    let level_sd = fit.level_se(process_sd, s.base_year);

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
                .map(|&y| new_plans[y][a][n] * (1.0 + trend).powi(s.base_year - (first + y as i32)))
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

    // Specialist share by need and phase, pooled over the last three history years; falls back to
    // the phase's all-need share where a need has no plans in that phase.
    let recent: Vec<usize> = (0..ny_hist).rev().take(3).collect();
    let mut share = [[0.0f64; N_PHASES]; N_NEEDS];
    let mut share_sd = [MIN_SHARE_SD; N_PHASES];
    for p in 0..N_PHASES {
        let phase_share = |y: usize| {
            let sp: f64 = (0..N_NEEDS).map(|n| spec[y][n][p]).sum();
            let pl: f64 = (0..N_NEEDS).map(|n| all_np[y][n][p]).sum();
            (pl > 0.0 && sp > 0.0).then(|| sp / pl)
        };
        let logs: Vec<f64> = (0..ny_hist).filter_map(phase_share).map(f64::ln).collect();
        share_sd[p] = sd(&logs).max(MIN_SHARE_SD);
        let (mut sp_all, mut pl_all) = (0.0, 0.0);
        for n in 0..N_NEEDS {
            for &y in &recent {
                sp_all += spec[y][n][p];
                pl_all += all_np[y][n][p];
            }
        }
        let pooled_share = if pl_all > 0.0 { sp_all / pl_all } else { 0.0 };
        for (n, row) in share.iter_mut().enumerate() {
            let sp: f64 = recent.iter().map(|&y| spec[y][n][p]).sum();
            let pl: f64 = recent.iter().map(|&y| all_np[y][n][p]).sum();
            row[p] = if pl > 0.0 { sp / pl } else { pooled_share };
        }
    }

    Calibration {
        pop,
        initial: plans.swap_remove(yb),
        incidence,
        trend,
        trend_se,
        level_sd,
        process_sd,
        share,
        share_sd,
        factor,
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

/// One Monte Carlo draw of the uncertain rates (all zeros = the central projection).
#[derive(Debug, Clone, PartialEq)]
struct Draw {
    trend: f64,
    level: f64,
    /// Multiplier on the new-plan rate in each plan year.
    process: Vec<f64>,
    share: [f64; N_PHASES],
    leaving: f64,
}

impl Draw {
    fn central(cal: &Calibration, n_years: usize) -> Draw {
        Draw {
            trend: cal.trend,
            level: 1.0,
            process: vec![1.0; n_years],
            share: [1.0; N_PHASES],
            leaving: 1.0,
        }
    }

    fn random(cal: &Calibration, n_years: usize, cap: f64, rng: &mut SplitMix64) -> Draw {
        let trend = (cal.trend + cal.trend_se * rng.normal()).clamp(-cap, cap);
        let level = (cal.level_sd * rng.normal()).exp();
        let process = (0..n_years)
            .map(|_| (cal.process_sd * rng.normal()).exp())
            .collect();
        let mut share = [1.0; N_PHASES];
        for (p, m) in share.iter_mut().enumerate() {
            *m = (cal.share_sd[p] * rng.normal()).exp();
        }
        let leaving = (LEAVING_SD * rng.normal()).exp();
        Draw {
            trend,
            level,
            process,
            share,
            leaving,
        }
    }
}

/// Reported values of one locality for one run: `[t][age group][need]` plans and specialist.
struct LocalityPath {
    plans: Vec<f64>,
    specialist: Vec<f64>,
}

const N_GROUPS: usize = AgeGroup::ALL.len();

fn path_index(t: usize, g: usize, n: usize) -> usize {
    (t * N_GROUPS + g) * N_NEEDS + n
}

/// Projects one locality forward under one draw and the levers in force.
fn project_locality(
    s: &Scenario,
    cal: &Calibration,
    levers: &[Lever],
    l: usize,
    draw: &Draw,
    years: &[i32],
) -> LocalityPath {
    let mut state = cal.initial[l * N_AGES * N_NEEDS..(l + 1) * N_AGES * N_NEEDS].to_vec();
    let mut out = LocalityPath {
        plans: vec![0.0; years.len() * N_GROUPS * N_NEEDS],
        specialist: vec![0.0; years.len() * N_GROUPS * N_NEEDS],
    };
    let mut damp_sum = 0.0;
    let mut next = vec![0.0f64; state.len()];
    for (t, &year) in years.iter().enumerate() {
        damp_sum += s.forecast.trend_damping.powi(t as i32 + 1);
        let growth = (1.0 + draw.trend).powf(damp_sum)
            * draw.level
            * draw.process[t]
            * lever_multiplier(levers, LeverKind::NewPlanRate, year);
        let post19 = lever_multiplier(levers, LeverKind::Post19Continuation, year);
        for a in 0..N_AGES {
            let newcomers = cal.pop.get(l, year, a) * cal.factor[l] * growth;
            let carry = if a == 0 {
                0.0
            } else {
                let base = CONTINUATION[a - 1];
                let c = (1.0 - (1.0 - base) * draw.leaving).clamp(0.0, 1.0);
                if a >= 20 {
                    (c * post19).min(1.0)
                } else {
                    c
                }
            };
            for n in 0..N_NEEDS {
                let carried = if a == 0 {
                    0.0
                } else {
                    carry * state[(a - 1) * N_NEEDS + n]
                };
                next[a * N_NEEDS + n] = carried + newcomers * cal.incidence[a][n];
            }
        }
        std::mem::swap(&mut state, &mut next);
        for (g, group) in AgeGroup::ALL.iter().enumerate() {
            let p = group.phase().index();
            let start = *group.ages().start();
            for a in group.ages() {
                // The share lever acts on cohorts entering the phase from its start.
                let entered = year - (a - start) as i32;
                let share_mult =
                    lever_multiplier(levers, LeverKind::SpecialistShare, entered) * draw.share[p];
                for n in 0..N_NEEDS {
                    let pl = state[a as usize * N_NEEDS + n];
                    let i = path_index(t, g, n);
                    out.plans[i] += pl;
                    out.specialist[i] += pl * (cal.share[n][p] * share_mult).min(1.0);
                }
            }
        }
    }
    out
}

/// Percentile (linear interpolation between order statistics, as R's type 7) of `runs`, found
/// by selection rather than a full sort (`runs` is reordered). The order statistics, and so the
/// result, are the same bits a sort would give: `total_cmp` is a total order.
fn percentile(runs: &mut [f64], q: f64) -> f64 {
    if runs.is_empty() {
        return 0.0;
    }
    let h = (runs.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, at, above) = runs.select_nth_unstable_by(lo, f64::total_cmp);
    let at = *at;
    // The next order statistic is the smallest value above rank `lo` (none at the top).
    let next = above.iter().copied().min_by(f64::total_cmp).unwrap_or(at);
    at + (h - lo as f64) * (next - at)
}

fn band(central: f64, runs: &mut [f64]) -> Band {
    Band {
        central,
        p10: percentile(runs, 0.10),
        p50: percentile(runs, 0.50),
        p90: percentile(runs, 0.90),
    }
}

/// The forecast the plan uses: mitigated when the scenario has levers, else unmitigated.
pub fn forecast(s: &Scenario) -> Forecast {
    let variant = if s.levers.is_empty() {
        Variant::Unmitigated
    } else {
        Variant::Mitigated
    };
    forecast_variant(s, &calibrate(s), variant)
}

/// The unmitigated forecast, and the mitigated one when the scenario has levers.
pub fn forecasts(s: &Scenario) -> Vec<Forecast> {
    let cal = calibrate(s);
    let mut out = vec![forecast_variant(s, &cal, Variant::Unmitigated)];
    if !s.levers.is_empty() {
        out.push(forecast_variant(s, &cal, Variant::Mitigated));
    }
    out
}

/// Runs the central projection and the Monte Carlo runs for one variant.
pub fn forecast_variant(s: &Scenario, cal: &Calibration, variant: Variant) -> Forecast {
    let years = s.plan_years();
    let ny = years.len();
    let nl = s.localities.len();
    let runs = s.forecast.runs.max(1) as usize;
    let levers: &[Lever] = match variant {
        Variant::Unmitigated => &[],
        Variant::Mitigated => &s.levers,
    };
    let central_draw = Draw::central(cal, ny);
    let draws: Vec<Draw> = (0..runs)
        .map(|r| {
            let mut rng = SplitMix64::stream(s.forecast.seed, r as u64);
            Draw::random(cal, ny, s.forecast.max_rate_growth, &mut rng)
        })
        .collect();

    let width = ny * N_GROUPS * N_NEEDS;
    // LA totals per run: [t][group or all][run], for plans and specialist.
    let tot_idx = |t: usize, g: usize| t * (N_GROUPS + 1) + g;
    let mut tot_plans = vec![vec![0.0f64; runs]; ny * (N_GROUPS + 1)];
    let mut tot_spec = vec![vec![0.0f64; runs]; ny * (N_GROUPS + 1)];
    let mut tot_central = vec![(0.0f64, 0.0f64); ny * (N_GROUPS + 1)];
    let mut cells = Vec::new();
    let mut run_plans = vec![vec![0.0f64; runs]; width];
    let mut run_spec = vec![vec![0.0f64; runs]; width];
    for l in 0..nl {
        let central = project_locality(s, cal, levers, l, &central_draw, &years);
        for (r, d) in draws.iter().enumerate() {
            let path = project_locality(s, cal, levers, l, d, &years);
            for i in 0..width {
                run_plans[i][r] = path.plans[i];
                run_spec[i][r] = path.specialist[i];
            }
            for t in 0..ny {
                for g in 0..N_GROUPS {
                    let (p, sp) = (0..N_NEEDS).fold((0.0, 0.0), |acc, n| {
                        let i = path_index(t, g, n);
                        (acc.0 + path.plans[i], acc.1 + path.specialist[i])
                    });
                    tot_plans[tot_idx(t, g)][r] += p;
                    tot_spec[tot_idx(t, g)][r] += sp;
                    tot_plans[tot_idx(t, N_GROUPS)][r] += p;
                    tot_spec[tot_idx(t, N_GROUPS)][r] += sp;
                }
            }
        }
        for t in 0..ny {
            for (g, group) in AgeGroup::ALL.iter().enumerate() {
                for (n, need) in Need::ALL.iter().enumerate() {
                    let i = path_index(t, g, n);
                    let (cp, cs) = (central.plans[i], central.specialist[i]);
                    tot_central[tot_idx(t, g)].0 += cp;
                    tot_central[tot_idx(t, g)].1 += cs;
                    tot_central[tot_idx(t, N_GROUPS)].0 += cp;
                    tot_central[tot_idx(t, N_GROUPS)].1 += cs;
                    if cp <= 0.0 && run_plans[i].iter().all(|v| *v <= 0.0) {
                        continue;
                    }
                    cells.push(ForecastCell {
                        year: years[t],
                        locality: l,
                        age_group: *group,
                        need: *need,
                        plans: band(cp, &mut run_plans[i]),
                        specialist: band(cs, &mut run_spec[i]),
                    });
                }
            }
        }
    }
    cells.sort_by_key(|c| (c.year, c.locality, c.age_group, c.need));
    let mut totals = Vec::new();
    for t in 0..ny {
        for g in 0..=N_GROUPS {
            let i = tot_idx(t, g);
            totals.push(ForecastTotal {
                year: years[t],
                age_group: AgeGroup::ALL.get(g).copied(),
                plans: band(tot_central[i].0, &mut tot_plans[i]),
                specialist: band(tot_central[i].1, &mut tot_spec[i]),
            });
        }
    }
    Forecast {
        variant,
        years,
        cells,
        totals,
        trend: cal.trend,
    }
}

fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Least-squares line through ln(rate) against year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLinearFit {
    /// exp(slope) - 1; 0 with fewer than two points.
    pub growth: f64,
    /// Residual standard deviation (n - 2 degrees of freedom); 0 with fewer than three points.
    pub residual_sd: f64,
    n: usize,
    mean_year: f64,
    sxx: f64,
}

impl LogLinearFit {
    /// Standard error of the slope for a residual spread `sd`.
    pub fn slope_se(&self, sd: f64) -> f64 {
        if self.sxx > 0.0 {
            sd / self.sxx.sqrt()
        } else {
            sd
        }
    }
    /// Standard error of the fitted level at `year`.
    pub fn level_se(&self, sd: f64, year: i32) -> f64 {
        if self.n == 0 {
            return sd;
        }
        let dx = year as f64 - self.mean_year;
        let lever = if self.sxx > 0.0 {
            dx * dx / self.sxx
        } else {
            0.0
        };
        sd * (1.0 / self.n as f64 + lever).sqrt()
    }
}

/// Fits ln(rate) = a + b * year.
pub fn log_linear_fit(points: &[(i32, f64)]) -> LogLinearFit {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, r)| *r > 0.0)
        .map(|(y, r)| (*y as f64, r.ln()))
        .collect();
    let n = pts.len();
    if n < 2 {
        return LogLinearFit {
            growth: 0.0,
            residual_sd: 0.0,
            n,
            mean_year: pts.first().map_or(0.0, |p| p.0),
            sxx: 0.0,
        };
    }
    let nf = n as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    let residual_sd = if n > 2 {
        let ss: f64 = pts
            .iter()
            .map(|p| (p.1 - (my + slope * (p.0 - mx))).powi(2))
            .sum();
        (ss / (nf - 2.0)).sqrt()
    } else {
        0.0
    };
    LogLinearFit {
        growth: slope.exp() - 1.0,
        residual_sd,
        n,
        mean_year: mx,
        sxx,
    }
}

/// Yearly growth from a least-squares line through ln(rate) against year; 0 with < 2 points.
pub fn log_linear_growth(points: &[(i32, f64)]) -> f64 {
    log_linear_fit(points).growth
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
    use crate::domain::*;

    #[test]
    fn percentiles_interpolate_between_order_statistics_of_unsorted_runs() {
        // Sorted: 1 2 3 4 5. p10: rank 0.4 -> 1.4; p50: rank 2 -> 3; p90: rank 3.6 -> 4.6.
        let mut runs = [5.0, 1.0, 4.0, 2.0, 3.0];
        let b = band(9.0, &mut runs);
        assert_eq!((b.central, b.p10, b.p50, b.p90), (9.0, 1.4, 3.0, 4.6));
        // Ties, a single run and no runs.
        assert!((percentile(&mut [2.0, 7.0, 2.0, 2.0], 0.9) - 5.5).abs() < 1e-12);
        assert_eq!(percentile(&mut [3.0], 0.9), 3.0);
        assert_eq!(percentile(&mut [], 0.5), 0.0);
    }

    /// One locality of 1,000 residents at every age, every year. January 2024: no plans;
    /// January 2025: 10 ASD plans at every age, all in special schools. So incidence is
    /// 10 / 1000 = 0.01 at every age, with no trend (one residual year) and a specialist share
    /// of 1. The central projection for 2026 is 10 at age 0 and 10 * c(a-1) + 10 at age a.
    fn steady(levers: Vec<Lever>) -> Scenario {
        let mut population = Vec::new();
        for year in 2024..=2027 {
            for age in 0..=MAX_AGE {
                population.push(PopulationCell {
                    locality: 0,
                    year,
                    age,
                    count: 1000.0,
                });
            }
        }
        let history = (0..=MAX_AGE)
            .map(|age| HistoryCell {
                year: 2025,
                locality: 0,
                age,
                need: Need::Asd,
                provision: ProvisionKind::Special,
                count: 10.0,
            })
            .chain([HistoryCell {
                year: 2024,
                locality: 0,
                age: 0,
                need: Need::Asd,
                provision: ProvisionKind::Special,
                count: 0.0,
            }])
            .collect();
        Scenario {
            name: "steady".into(),
            base_year: 2025,
            horizon: 2,
            discount_rate: 0.035,
            capital_budget: vec![0.0; 2],
            costs: Default::default(),
            journey: Default::default(),
            travel: Default::default(),
            bases: Default::default(),
            capital: Default::default(),
            forecast: ForecastSettings {
                runs: 200,
                ..Default::default()
            },
            solver: Default::default(),
            levers,
            localities: vec![Locality {
                id: "L".into(),
                name: "L".into(),
                lat: 53.4,
                lon: -3.0,
            }],
            schools: vec![],
            provisions: vec![],
            population,
            history,
            roads: vec![],
        }
    }

    fn hand_worked_2026(new_plan_multiplier: f64) -> f64 {
        10.0 * new_plan_multiplier
            + (1..N_AGES)
                .map(|a| 10.0 * CONTINUATION[a - 1] + 10.0 * new_plan_multiplier)
                .sum::<f64>()
    }

    #[test]
    fn central_projection_matches_the_hand_worked_cohort_step() {
        let s = steady(vec![]);
        let cal = calibrate(&s);
        assert!((cal.incidence[7][Need::Asd.index()] - 0.01).abs() < 1e-12);
        assert_eq!(cal.trend, 0.0);
        let fc = forecast(&s);
        assert_eq!(fc.variant, Variant::Unmitigated);
        let t = fc.total(2026, None).unwrap();
        assert!(
            (t.plans.central - hand_worked_2026(1.0)).abs() < 1e-9,
            "{}",
            t.plans.central
        );
        assert!((t.specialist.central - t.plans.central).abs() < 1e-9);
        // Central totals are the sums of the central cells.
        let cells: f64 = fc
            .cells
            .iter()
            .filter(|c| c.year == 2026)
            .map(|c| c.plans.central)
            .sum();
        assert!((cells - t.plans.central).abs() < 1e-9);
        // The Monte Carlo band brackets the centre.
        assert!(
            t.plans.p10 < t.plans.central && t.plans.central < t.plans.p90,
            "{:?}",
            t.plans
        );
    }

    #[test]
    fn new_plan_lever_scales_newcomers_and_mitigated_is_reported_beside_unmitigated() {
        let lever = Lever {
            kind: LeverKind::NewPlanRate,
            value: 0.5,
            start_year: 2026,
            ramp_years: 0,
        };
        let s = steady(vec![lever]);
        let both = forecasts(&s);
        assert_eq!(both.len(), 2);
        assert_eq!(both[1].variant, Variant::Mitigated);
        let un = both[0].total(2026, None).unwrap().plans.central;
        let mit = both[1].total(2026, None).unwrap().plans.central;
        assert!((un - hand_worked_2026(1.0)).abs() < 1e-9);
        assert!((mit - hand_worked_2026(0.5)).abs() < 1e-9, "{mit}");
    }

    #[test]
    fn share_lever_acts_only_on_cohorts_entering_a_phase_after_it_starts() {
        let lever = Lever {
            kind: LeverKind::SpecialistShare,
            value: 0.5,
            start_year: 2026,
            ramp_years: 0,
        };
        let s = steady(vec![lever]);
        let fc = forecast(&s);
        // In 2026 only the first age of each phase (0, 5, 11, 16, 20) entered it in 2026.
        let entering: f64 = [0usize, 5, 11, 16, 20]
            .iter()
            .map(|&a| {
                if a == 0 {
                    10.0
                } else {
                    10.0 * CONTINUATION[a - 1] + 10.0
                }
            })
            .sum();
        let t = fc.total(2026, None).unwrap();
        assert!((t.plans.central - t.specialist.central - 0.5 * entering).abs() < 1e-9);
    }

    #[test]
    fn same_seed_same_bands_other_seed_other_bands() {
        let s = steady(vec![]);
        assert_eq!(forecast(&s), forecast(&s));
        let mut other = s.clone();
        other.forecast.seed = 7;
        let (a, b) = (forecast(&s), forecast(&other));
        let (ta, tb) = (a.total(2027, None).unwrap(), b.total(2027, None).unwrap());
        assert_eq!(ta.plans.central, tb.plans.central);
        assert_ne!(ta.plans.p90, tb.plans.p90);
    }

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
