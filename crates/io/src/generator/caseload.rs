//! The EHC-plan caseload: new-plan rates calibrated (in expectation) to plan targets, and the
//! cohort simulation that turns them into plans by locality, age, need and provision for each
//! history year.

use placeplan_model::domain::N_AGES;
use placeplan_model::forecast::CONTINUATION;

use super::population::{pop_at, Population, Ward};
use super::rng::{pick, pow, Rng, Spread};
use super::{group_of, BASE_YEAR, FIRST_YEAR, LAST_YEAR, N_GROUPS, N_NEEDS, N_POP_YEARS, N_PROV};

/// The cohort simulation starts with no plans in this year, long enough before the first history
/// year that every age has filled up.
const BURN_IN_START: i32 = 1990;

/// What the cohort simulation is calibrated to: all plans in January of the first history year,
/// and plans in January of the base year by DfE age band.
pub(crate) struct Targets {
    pub(crate) first_year: f64,
    pub(crate) by_group: [f64; N_GROUPS],
}

impl Targets {
    /// These targets times `ratio` (for an authority with `ratio` times the young residents).
    pub(crate) fn scaled(&self, ratio: f64) -> Targets {
        Targets {
            first_year: self.first_year * ratio,
            by_group: {
                let mut g = [0.0; N_GROUPS];
                for (v, d) in g.iter_mut().zip(self.by_group) {
                    *v = d * ratio;
                }
                g
            },
        }
    }
}

/// Base-year share of plans by primary need, in `Need::ALL` order (Wirral 2025 for the five
/// largest; the rest spread after the national pattern).
const NEED_SHARE: [f64; N_NEEDS] = [
    0.238, // ASD
    0.183, // SLCN
    0.265, // SEMH
    0.083, // MLD
    0.109, // SLD
    0.016, // PMLD
    0.022, // SpLD
    0.015, // HI
    0.008, // VI
    0.003, // MSI
    0.036, // PD
    0.022, // OTH
];
/// Yearly growth of the new-plan rate before the first history year (only shapes the 2019 stock);
/// the growth from then on is calibrated (it comes out near 15%, inside the forecast's default
/// `max_rate_growth`, so the forecast's trend cap barely binds).
const EARLY_GROWTH: f64 = 0.15;

/// Relative incidence of new plans by single year of age within its age band; the level of each
/// band is calibrated.
const AGE_SHAPE: [f64; N_AGES] = [
    0.05, 0.2, 0.6, 1.0, 1.3, // 0-4
    1.3, 1.1, 1.0, 0.9, 0.85, 0.8, // 5-10
    1.0, 0.8, 0.75, 0.7, 0.6, // 11-15
    1.0, 0.7, 0.5, 0.3, // 16-19
    0.5, 0.35, 0.25, 0.15, 0.1, 0.05, // 20-25
];

/// Need mix of new plans by age band before calibration, in `Need::ALL` order
/// (ASD, SLCN, SEMH, MLD, SLD, PMLD, SpLD, HI, VI, MSI, PD, OTH).
const NEW_PLAN_NEEDS: [[f64; N_NEEDS]; N_GROUPS] = [
    [
        25.0, 40.0, 3.0, 3.0, 10.0, 5.0, 0.5, 3.0, 1.5, 1.0, 6.0, 2.0,
    ],
    [
        25.0, 25.0, 20.0, 10.0, 8.0, 1.2, 2.0, 1.5, 0.8, 0.3, 3.0, 2.0,
    ],
    [22.0, 8.0, 40.0, 8.0, 6.0, 0.8, 4.0, 1.0, 0.7, 0.3, 2.5, 3.0],
    [
        20.0, 6.0, 38.0, 10.0, 8.0, 1.0, 6.0, 1.0, 0.7, 0.3, 3.0, 4.0,
    ],
    [
        15.0, 5.0, 30.0, 15.0, 15.0, 3.0, 4.0, 1.0, 1.0, 0.5, 5.0, 5.0,
    ],
];

/// Target provision mix by phase, in `ProvisionKind::ALL` order
/// (mainstream, resourced_base, special, independent, fe, other).
const PROVISION_SHARE: [[f64; N_PROV]; N_GROUPS] = [
    [0.42, 0.0, 0.22, 0.01, 0.0, 0.35], // early years: nursery, special, other settings
    [0.55, 0.11, 0.315, 0.02, 0.0, 0.005], // primary
    [0.455, 0.09, 0.36, 0.06, 0.0, 0.035], // secondary: other = AP, education otherwise
    [0.17, 0.0, 0.25, 0.03, 0.46, 0.09], // post-16: sixth forms, special, FE
    [0.0, 0.0, 0.15, 0.02, 0.50, 0.33], // post-19: college, FE, internships, not in education
];

/// How much more (or less) likely each need is to be in each provision than the phase average,
/// in `Need::ALL` order, columns as [`PROVISION_SHARE`].
const PROVISION_TILT: [[f64; N_PROV]; N_NEEDS] = [
    [1.0, 1.6, 1.1, 1.0, 0.9, 1.0],  // ASD
    [1.5, 1.4, 0.5, 0.2, 1.1, 1.0],  // SLCN
    [1.0, 0.6, 0.8, 3.5, 1.0, 1.8],  // SEMH
    [1.0, 0.8, 1.2, 0.3, 1.2, 1.0],  // MLD
    [0.25, 0.1, 3.0, 0.6, 0.6, 0.6], // SLD
    [0.1, 0.0, 4.0, 0.8, 0.3, 0.8],  // PMLD
    [2.5, 0.3, 0.1, 0.2, 1.5, 1.0],  // SpLD
    [1.5, 2.0, 0.4, 0.3, 1.2, 1.0],  // HI
    [1.5, 1.0, 0.4, 0.3, 1.2, 1.0],  // VI
    [0.6, 0.3, 2.0, 0.8, 0.6, 1.0],  // MSI
    [1.6, 0.3, 0.9, 0.5, 1.2, 1.0],  // PD
    [1.2, 0.2, 0.7, 0.8, 1.0, 1.5],  // OTH
];

/// New-plan rates of the simulation.
pub(crate) struct Rates {
    /// Yearly growth of the new-plan rate from the first history year on.
    growth: f64,
    /// Incidence per resident by single year of age at the base year (all needs), before the
    /// ward factor.
    incidence: [f64; N_AGES],
    /// Need mix of new plans by age band (rows sum to 1).
    need_mix: [[f64; N_NEEDS]; N_GROUPS],
    /// Provision of a pupil entering a phase, by phase and need (rows sum to 1).
    provision: [[[f64; N_PROV]; N_NEEDS]; N_GROUPS],
}

/// Multiplier of the new-plan rate in year `y` relative to the base year.
fn trend(growth: f64, y: i32) -> f64 {
    if y >= FIRST_YEAR {
        pow(1.0 + growth, y - BASE_YEAR)
    } else {
        pow(1.0 + growth, FIRST_YEAR - BASE_YEAR) * pow(1.0 + EARLY_GROWTH, y - FIRST_YEAR)
    }
}

/// Expected borough plans by age band in the first history year and in the base year when new
/// plans arrive only at the ages of band `entry`, at AGE_SHAPE x trend per resident (weighted by
/// the ward factors).
fn unit_response(
    eff_pop: &[Vec<f64>],
    growth: f64,
    entry: usize,
) -> ([f64; N_GROUPS], [f64; N_GROUPS]) {
    let mut s = [0.0f64; N_AGES];
    let mut first = [0.0f64; N_GROUPS];
    for y in BURN_IN_START..=BASE_YEAR {
        let yi = (y.clamp(FIRST_YEAR, LAST_YEAR) - FIRST_YEAR) as usize;
        let mut next = [0.0f64; N_AGES];
        for a in 0..N_AGES {
            let carried = if a == 0 {
                0.0
            } else {
                CONTINUATION[a - 1] * s[a - 1]
            };
            let new = if group_of(a) == entry {
                eff_pop[yi][a] * AGE_SHAPE[a] * trend(growth, y)
            } else {
                0.0
            };
            next[a] = carried + new;
        }
        s = next;
        if y == FIRST_YEAR {
            first = by_group(&s);
        }
    }
    (first, by_group(&s))
}

fn by_group(s: &[f64; N_AGES]) -> [f64; N_GROUPS] {
    let mut g = [0.0; N_GROUPS];
    for (a, v) in s.iter().enumerate() {
        g[group_of(a)] += v;
    }
    g
}

/// Band levels that give PLANS_BY_GROUP in the base year (plans in band G come only from new
/// plans in bands up to G, so forward substitution solves it), and the implied plans in the
/// first history year. `resp[g]` is [`unit_response`] for entry band g.
fn levels(
    resp: &[([f64; N_GROUPS], [f64; N_GROUPS])],
    targets: &Targets,
) -> ([f64; N_GROUPS], f64) {
    let mut m = [0.0f64; N_GROUPS];
    for big in 0..N_GROUPS {
        let earlier: f64 = (0..big).map(|g| resp[g].1[big] * m[g]).sum();
        m[big] = ((targets.by_group[big] - earlier) / resp[big].1[big]).max(0.0);
    }
    let first: f64 = (0..N_GROUPS)
        .map(|g| resp[g].0.iter().sum::<f64>() * m[g])
        .sum();
    (m, first)
}

pub(crate) fn calibrate(pop: &Population, wards: &[Ward], targets: &Targets) -> Rates {
    // Ward-factor-weighted population: what the borough's new plans scale with.
    let eff_pop: Vec<Vec<f64>> = (0..N_POP_YEARS)
        .map(|yi| {
            (0..N_AGES)
                .map(|a| {
                    wards
                        .iter()
                        .enumerate()
                        .map(|(w, ward)| pop[w][yi][a] as f64 * ward.plan_factor)
                        .sum()
                })
                .collect()
        })
        .collect();
    let responses = |growth: f64| -> Vec<([f64; N_GROUPS], [f64; N_GROUPS])> {
        (0..N_GROUPS)
            .map(|g| unit_response(&eff_pop, growth, g))
            .collect()
    };

    // Growth: bisection on the first-year plans (more growth, fewer plans in the first year).
    let (mut lo, mut hi) = (0.0f64, 0.6f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        let (_, first) = levels(&responses(mid), targets);
        if first > targets.first_year {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let growth = 0.5 * (lo + hi);
    let resp = responses(growth);
    let (m, _) = levels(&resp, targets);
    let mut incidence = [0.0f64; N_AGES];
    for (a, r) in incidence.iter_mut().enumerate() {
        *r = AGE_SHAPE[a] * m[group_of(a)];
    }

    // Need mix: rake the new-plan mix so that base-year plans match NEED_SHARE.
    // origin[g][big] = base-year plans in band `big` that entered in band g.
    let origin: Vec<[f64; N_GROUPS]> = (0..N_GROUPS)
        .map(|g| {
            let mut o = resp[g].1;
            o.iter_mut().for_each(|v| *v *= m[g]);
            o
        })
        .collect();
    let total: f64 = targets.by_group.iter().sum();
    let mut need_factor = [1.0f64; N_NEEDS];
    let mut need_mix = [[0.0f64; N_NEEDS]; N_GROUPS];
    for _ in 0..200 {
        for (g, row) in need_mix.iter_mut().enumerate() {
            let sum: f64 = (0..N_NEEDS)
                .map(|n| NEW_PLAN_NEEDS[g][n] * need_factor[n])
                .sum();
            for (n, v) in row.iter_mut().enumerate() {
                *v = NEW_PLAN_NEEDS[g][n] * need_factor[n] / sum;
            }
        }
        for (n, f) in need_factor.iter_mut().enumerate() {
            let now: f64 = (0..N_GROUPS)
                .map(|g| origin[g].iter().sum::<f64>() * need_mix[g][n])
                .sum();
            *f *= NEED_SHARE[n] * total / now;
        }
    }

    // Provision: rake each phase's mix so its totals match PROVISION_SHARE given the needs of the
    // base-year plans in that phase.
    let mut plans_pn = [[0.0f64; N_NEEDS]; N_GROUPS];
    for (p, row) in plans_pn.iter_mut().enumerate() {
        for (n, v) in row.iter_mut().enumerate() {
            *v = (0..N_GROUPS).map(|g| origin[g][p] * need_mix[g][n]).sum();
        }
    }
    let mut provision = [[[0.0f64; N_PROV]; N_NEEDS]; N_GROUPS];
    for p in 0..N_GROUPS {
        let mut q = PROVISION_SHARE[p];
        let phase_total: f64 = plans_pn[p].iter().sum();
        for _ in 0..200 {
            for n in 0..N_NEEDS {
                let sum: f64 = (0..N_PROV).map(|k| q[k] * PROVISION_TILT[n][k]).sum();
                for k in 0..N_PROV {
                    provision[p][n][k] = q[k] * PROVISION_TILT[n][k] / sum;
                }
            }
            for k in 0..N_PROV {
                let now: f64 = (0..N_NEEDS)
                    .map(|n| plans_pn[p][n] * provision[p][n][k])
                    .sum();
                if now > 0.0 {
                    q[k] *= PROVISION_SHARE[p][k] * phase_total / now;
                }
            }
        }
    }
    Rates {
        growth,
        incidence,
        need_mix,
        provision,
    }
}

// ---------------------------------------------------------------------------------------------
// Cohort simulation

/// Plans by `cell(ward, age, need, provision)`, one vector per history year FIRST..=BASE.
pub(crate) type Caseload = Vec<Vec<u32>>;

pub(crate) fn cell(w: usize, a: usize, n: usize, k: usize) -> usize {
    ((w * N_AGES + a) * N_NEEDS + n) * N_PROV + k
}

pub(crate) fn simulate(pop: &Population, rates: &Rates, wards: &[Ward], rng: &mut Rng) -> Caseload {
    let size = wards.len() * N_AGES * N_NEEDS * N_PROV;
    let mut state = vec![0u32; size];
    // Provision choices use one even-spread sequence per phase and need; survival and new-plan
    // counts stay random.
    let mut spread: Vec<Spread> = (0..N_GROUPS * N_NEEDS)
        .map(|i| Spread(i as f64 / (N_GROUPS * N_NEEDS) as f64))
        .collect();
    let mut out = Vec::new();
    for y in BURN_IN_START..=BASE_YEAR {
        let growth = trend(rates.growth, y);
        let mut next = vec![0u32; size];
        for (w, ward) in wards.iter().enumerate() {
            for a in 0..N_AGES {
                let g = group_of(a);
                let transfer = a > 0 && group_of(a - 1) != g;
                let newcomers =
                    pop_at(pop, w, y, a) * ward.plan_factor * rates.incidence[a] * growth;
                for n in 0..N_NEEDS {
                    let mix = &rates.provision[g][n];
                    let sp = &mut spread[g * N_NEEDS + n];
                    // Plans carried on from last year; provision is re-chosen at phase transfer.
                    if a > 0 {
                        for k in 0..N_PROV {
                            for _ in 0..state[cell(w, a - 1, n, k)] {
                                if rng.unit() < CONTINUATION[a - 1] {
                                    let k2 = if transfer { pick(mix, sp.next()) } else { k };
                                    next[cell(w, a, n, k2)] += 1;
                                }
                            }
                        }
                    }
                    // New plans.
                    for _ in 0..rng.round_random(newcomers * rates.need_mix[g][n]) {
                        next[cell(w, a, n, pick(mix, sp.next()))] += 1;
                    }
                }
            }
        }
        state = next;
        if y >= FIRST_YEAR {
            out.push(state.clone());
        }
    }
    out
}
