//! The projection: each locality carried forward year by year under one draw of the uncertain
//! rates and the levers in force, the central projection and the seeded Monte Carlo runs of a
//! variant, and their percentiles.

use crate::domain::{lever_multiplier, AgeGroup, Lever, LeverKind, Need, Scenario, N_AGES};
use crate::rng::SplitMix64;

use super::calibrate::{calibrate, Calibration, ShareMethod, LEAVING_SD, N_NEEDS, N_PHASES};
use super::output::{Band, Forecast, ForecastCell, ForecastTotal, Variant};

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
                let base = cal.continuation[a - 1];
                let c = (1.0 - (1.0 - base) * draw.leaving).clamp(0.0, 1.0);
                if a >= 20 {
                    (c * post19).min(1.0)
                } else {
                    c
                }
            };
            // Plans carried into age a take its need mix (need changes are transitions).
            let carried_total: f64 = if a == 0 {
                0.0
            } else {
                carry * state[(a - 1) * N_NEEDS..a * N_NEEDS].iter().sum::<f64>()
            };
            for n in 0..N_NEEDS {
                let carried = match (a, cal.need_mix[a]) {
                    (0, _) => 0.0,
                    (_, Some(mix)) => carried_total * mix[n],
                    (_, None) => carry * state[(a - 1) * N_NEEDS + n],
                };
                next[a * N_NEEDS + n] = carried + newcomers * cal.incidence[a][n];
            }
        }
        std::mem::swap(&mut state, &mut next);
        let mut share_growth = [1.0f64; N_PHASES];
        for (p, g) in share_growth.iter_mut().enumerate() {
            *g = (1.0 + cal.share_trend[p]).powf(damp_sum);
        }
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
                    let trend = || cal.share[n][p] * share_growth[p];
                    let path = || cal.share_path.get(t).map_or(0.0, |x| x[a as usize][n]);
                    let share = match cal.share_method {
                        ShareMethod::Trend => trend(),
                        ShareMethod::Transitions => path(),
                        ShareMethod::Blend(w) => w * path() + (1.0 - w) * trend(),
                    };
                    out.specialist[i] += pl * (share * share_mult).min(1.0);
                }
            }
        }
    }
    out
}

/// Percentile (linear interpolation between order statistics, as R's type 7) of `runs`, found
/// by selection rather than a full sort (`runs` is reordered). The order statistics, and so the
/// result, are the same bits a sort would give: `total_cmp` is a total order. [`band`] finds
/// its three percentiles with less work; this is the reference its test compares with.
#[cfg(test)]
fn percentile(runs: &mut [f64], q: f64) -> f64 {
    if runs.is_empty() {
        return 0.0;
    }
    let (h, lo) = rank(runs.len(), q);
    let (_, at, above) = runs.select_nth_unstable_by(lo, f64::total_cmp);
    let at = *at;
    // The next order statistic is the smallest value above rank `lo` (none at the top).
    let next = smallest(above).unwrap_or(at);
    interpolate(h, lo, at, next)
}

/// The position `h` of quantile `q` among `n` sorted values and the rank below it.
fn rank(n: usize, q: f64) -> (f64, usize) {
    let h = (n - 1) as f64 * q;
    (h, h.floor() as usize)
}

fn smallest(values: &[f64]) -> Option<f64> {
    values.iter().copied().min_by(f64::total_cmp)
}

/// The value at position `h`, between the order statistics `at` (rank `lo`) and `next`.
fn interpolate(h: f64, lo: usize, at: f64, next: f64) -> f64 {
    at + (h - lo as f64) * (next - at)
}

/// The central value and the 10th, 50th and 90th percentiles of `runs` (reordered), each as
/// `percentile` (the tests' reference) gives it. The median is selected first; the 10th
/// percentile's ranks lie at or below it and the 90th's at or above, so each is selected
/// within its side only.
fn band(central: f64, runs: &mut [f64]) -> Band {
    let n = runs.len();
    if n == 0 {
        return Band {
            central,
            p10: 0.0,
            p50: 0.0,
            p90: 0.0,
        };
    }
    let (h50, k50) = rank(n, 0.50);
    let (below, at50, above) = runs.select_nth_unstable_by(k50, f64::total_cmp);
    let at50 = *at50;
    let next50 = smallest(above).unwrap_or(at50);
    let (h10, k10) = rank(n, 0.10);
    let p10 = if k10 == k50 {
        interpolate(h10, k10, at50, next50)
    } else {
        let (_, at, rest) = below.select_nth_unstable_by(k10, f64::total_cmp);
        // The next rank is in the rest of `below` (all at most the median) or is the median's.
        let next = smallest(rest).unwrap_or(at50);
        interpolate(h10, k10, *at, next)
    };
    let (h90, k90) = rank(n, 0.90);
    let p90 = if k90 == k50 {
        interpolate(h90, k90, at50, next50)
    } else {
        let (_, at, rest) = above.select_nth_unstable_by(k90 - k50 - 1, f64::total_cmp);
        let at = *at;
        interpolate(h90, k90, at, smallest(rest).unwrap_or(at))
    };
    Band {
        central,
        p10,
        p50: interpolate(h50, k50, at50, next50),
        p90,
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
    variants(s)
        .into_iter()
        .map(|v| forecast_variant(s, &cal, v))
        .collect()
}

/// The variants [`forecasts`] gives, in its order: unmitigated, then mitigated when the
/// scenario has levers.
pub fn variants(s: &Scenario) -> Vec<Variant> {
    let mut out = vec![Variant::Unmitigated];
    if !s.levers.is_empty() {
        out.push(Variant::Mitigated);
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

#[cfg(test)]
pub(super) mod tests {
    use super::super::calibrate::{calibrate_with, CONTINUATION, NATIONAL_TREND};
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

    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        /// The band's three percentiles, each selected within its side of the median, are the
        /// bits the reference gives for each alone, whatever the values and their ties.
        #[test]
        fn band_is_the_reference_percentiles(
            runs in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u8..6).prop_map(f64::from),
                    -1e3f64..1e3,
                    proptest::strategy::Just(-0.0),
                ],
                0..60,
            )
        ) {
            let b = band(7.0, &mut runs.clone());
            let reference = |q| percentile(&mut runs.clone(), q);
            proptest::prop_assert_eq!(b.central, 7.0);
            proptest::prop_assert_eq!(b.p10.to_bits(), reference(0.10).to_bits());
            proptest::prop_assert_eq!(b.p50.to_bits(), reference(0.50).to_bits());
            proptest::prop_assert_eq!(b.p90.to_bits(), reference(0.90).to_bits());
        }
    }

    /// One locality of 1,000 residents at every age, every year. January 2024: no plans;
    /// January 2025: 10 ASD plans at every age, all in special schools. So incidence is
    /// 10 / 1000 = 0.01 at every age, with no trend (one residual year) and a specialist share
    /// of 1. The central projection for 2026 is 10 at age 0 and 10 * c(a-1) + 10 at age a.
    pub(in crate::forecast) fn steady(levers: Vec<Lever>) -> Scenario {
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
            expansion: Default::default(),
            new_school: Default::default(),
            outlines: Default::default(),
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
            placed_elsewhere: vec![],
        }
    }

    /// The steady scenario's new plans in 2026 grow by the trend ahead, its own (0: one
    /// residual year) shrunk towards the national: 0.25 x 0 + 0.75 x `NATIONAL_TREND`, damped
    /// by 0.8 one year ahead.
    fn growth_2026() -> f64 {
        (1.0 + 0.75 * NATIONAL_TREND).powf(0.8)
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
        assert_eq!(cal.own_trend, 0.0);
        assert!((cal.trend - 0.75 * NATIONAL_TREND).abs() < 1e-15);
        assert_eq!(calibrate_with(&s, None).trend, 0.0);
        let fc = forecast(&s);
        assert_eq!(fc.variant, Variant::Unmitigated);
        let t = fc.total(2026, None).unwrap();
        assert!(
            (t.plans.central - hand_worked_2026(growth_2026())).abs() < 1e-9,
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
        assert!((un - hand_worked_2026(growth_2026())).abs() < 1e-9);
        assert!(
            (mit - hand_worked_2026(0.5 * growth_2026())).abs() < 1e-9,
            "{mit}"
        );
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
                    10.0 * growth_2026()
                } else {
                    10.0 * CONTINUATION[a - 1] + 10.0 * growth_2026()
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
}
