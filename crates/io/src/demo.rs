//! The synthetic demo local authority that `placeplan demo` writes.
//!
//! "Demo Borough" is a made-up metropolitan borough sized like Wirral: about 320,000 residents
//! (95,000 aged 0-25) in 22 wards on a 15 km x 20 km patch around 53.37 N, 3.07 W, with about 90
//! primary and 20 secondary mainstream schools, 8 special schools, a specialist post-16 college
//! and two independent special schools. Nothing in it is real.
//!
//! The EHC-plan history (January 2019-2025) comes from a cohort simulation that uses the
//! forecast's own continuation rates: each year every plan ages one year and continues with
//! [`CONTINUATION`], and new plans arrive at population x incidence(age, need) x ward factor x
//! growth. The incidence levels, growth, need mix and provision mix are calibrated (in expectation)
//! so that plans grow from about 2,100 to 4,900 with Wirral's 2025 age and need mix, about 320
//! pupils in resourced bases, 1,450 in special schools and 170 in independent special schools.
//! Five adjacent deprived wards in the north-east have 1.5-1.8 times the borough's plan rate.
//! Existing special-school and resourced-base capacity is set a few per cent above the 2025
//! pupils, so that growth over the plan years creates real shortfalls.
//!
//! Output is deterministic: fixed seeds for a small SplitMix64 generator, fixed iteration order,
//! fixed decimal formatting and no transcendental maths, so every call writes the same bytes.

use std::borrow::Cow;
use std::path::Path;

use placeplan_model::rng::SplitMix64;

use crate::atomic::write_atomic;
use placeplan_model::domain::{
    AgeGroup, BaseRules, CostParams, ForecastSettings, JourneyLimits, Need, NeedSet, Phase,
    ProvisionKind, SchoolKind, SolverSettings, TravelSettings, N_AGES,
};
use placeplan_model::forecast::CONTINUATION;

/// Name of the demo scenario.
pub const DEMO_NAME: &str = "Demo Borough";

const FIRST_YEAR: i32 = 2019;
pub(crate) const BASE_YEAR: i32 = 2025;
pub(crate) const HORIZON: i32 = 5;
const LAST_YEAR: i32 = BASE_YEAR + HORIZON;
const N_POP_YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;
/// The cohort simulation starts with no plans in this year, long enough before the first history
/// year that every age has filled up.
const BURN_IN_START: i32 = 1990;

const N_NEEDS: usize = Need::ALL.len();
pub(crate) const N_GROUPS: usize = AgeGroup::ALL.len();
const N_PROV: usize = ProvisionKind::ALL.len();

/// What the cohort simulation is calibrated to: all plans in January of the first history year,
/// and plans in January of the base year by DfE age band.
pub(crate) struct Targets {
    pub(crate) first_year: f64,
    pub(crate) by_group: [f64; N_GROUPS],
}

/// Wirral: 2,121 plans in 2019; 4,858 in 2025.
pub(crate) const DEMO_TARGETS: Targets = Targets {
    first_year: 2121.0,
    by_group: [156.0, 1462.0, 1756.0, 1057.0, 427.0],
};
/// Base-year share of plans by primary need, in [`Need::ALL`] order (Wirral 2025 for the five
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

/// Need mix of new plans by age band before calibration, in [`Need::ALL`] order
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

/// Target provision mix by phase, in [`ProvisionKind::ALL`] order
/// (mainstream, resourced_base, special, independent, fe, other).
const PROVISION_SHARE: [[f64; N_PROV]; N_GROUPS] = [
    [0.42, 0.0, 0.22, 0.01, 0.0, 0.35], // early years: nursery, special, other settings
    [0.55, 0.11, 0.315, 0.02, 0.0, 0.005], // primary
    [0.455, 0.09, 0.36, 0.06, 0.0, 0.035], // secondary: other = AP, education otherwise
    [0.17, 0.0, 0.25, 0.03, 0.46, 0.09], // post-16: sixth forms, special, FE
    [0.0, 0.0, 0.15, 0.02, 0.50, 0.33], // post-19: college, FE, internships, not in education
];

/// How much more (or less) likely each need is to be in each provision than the phase average,
/// in [`Need::ALL`] order, columns as [`PROVISION_SHARE`].
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

/// Relative population by single year of age (fewer young adults: students leave the borough).
const AGE_PROFILE: [f64; N_AGES] = [
    0.93, 0.95, 0.97, 0.99, 1.01, // 0-4
    1.03, 1.04, 1.05, 1.06, 1.07, 1.08, // 5-10
    1.09, 1.09, 1.08, 1.08, 1.07, // 11-15
    1.05, 1.03, 0.95, 0.86, // 16-19
    0.84, 0.86, 0.89, 0.92, 0.95, 0.97, // 20-25
];
/// Yearly population change by age band (falling births, a bulge moving into secondary).
const POP_DRIFT: [f64; N_GROUPS] = [-0.012, -0.006, 0.007, 0.009, 0.002];

/// A locality (a ward here; [`crate::synth`] makes LSOAs too): name, centroid, all-age
/// residents, share aged 0-25, relative plan rate.
pub(crate) struct Ward {
    pub(crate) name: Cow<'static, str>,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) residents: u32,
    pub(crate) young_share: f64,
    pub(crate) plan_factor: f64,
}

const fn ward(
    name: &'static str,
    lat: f64,
    lon: f64,
    residents: u32,
    young_share: f64,
    plan_factor: f64,
) -> Ward {
    Ward {
        name: Cow::Borrowed(name),
        lat,
        lon,
        residents,
        young_share,
        plan_factor,
    }
}

/// W01-W05 are the deprived north-eastern hot spot; W17 and W18 the low-rate west.
static WARDS: [Ward; 22] = [
    ward("Kelmore Docks", 53.4080, -3.0200, 16_800, 0.345, 2.30),
    ward("Priory Fields", 53.3960, -3.0310, 18_400, 0.340, 2.20),
    ward("Tranmoor", 53.3830, -3.0150, 15_900, 0.335, 2.10),
    ward("Lidford Park", 53.4190, -3.0420, 16_200, 0.330, 2.00),
    ward("Ferrybank", 53.3710, -3.0040, 15_300, 0.325, 1.90),
    ward("Seaholme", 53.4270, -3.0680, 14_100, 0.290, 1.05),
    ward("Northcliff", 53.4230, -3.1020, 13_500, 0.270, 0.90),
    ward("Castle Brow", 53.4080, -3.0800, 14_800, 0.300, 1.10),
    ward("Oxley Green", 53.3930, -3.0650, 16_200, 0.305, 1.15),
    ward("Brackenwood", 53.3730, -3.0480, 14_600, 0.300, 1.00),
    ward("Hollins Cross", 53.3530, -3.0260, 14_300, 0.295, 1.05),
    ward("Marston Vale", 53.3360, -2.9970, 13_900, 0.290, 0.95),
    ward("Saltmarsh", 53.3150, -2.9900, 13_200, 0.285, 1.00),
    ward("Bromhill", 53.3440, -3.0600, 14_000, 0.280, 0.85),
    ward("Greaves Heath", 53.3640, -3.0930, 13_600, 0.285, 0.90),
    ward("Moorside", 53.3890, -3.1220, 15_800, 0.300, 1.10),
    ward("Westcliffe Sands", 53.3990, -3.1690, 12_600, 0.245, 0.60),
    ward("Caldwell", 53.3740, -3.1580, 12_900, 0.250, 0.65),
    ward("Thornby", 53.3480, -3.1350, 13_300, 0.270, 0.80),
    ward("Heswick", 53.3290, -3.1050, 13_800, 0.265, 0.75),
    ward("Ness Point", 53.3040, -3.0640, 13_100, 0.275, 0.85),
    ward("Willowbank", 53.2950, -3.0200, 13_700, 0.290, 0.95),
];
const N_WARDS: usize = WARDS.len();

/// The demo's residents aged 0-25 (what its plan targets are for).
pub(crate) fn demo_young() -> f64 {
    WARDS
        .iter()
        .map(|w| w.residents as f64 * w.young_share)
        .sum()
}

const N_PRIMARY: usize = 90;
const N_SECONDARY: usize = 20;
/// Secondary schools with a sixth form (the largest ones).
const N_SIXTH_FORMS: usize = 5;

/// A special school or college: name, designation, phases taught, ward, share of matching pupils.
pub(crate) struct SpecialSpec {
    name: &'static str,
    pub(crate) kind: SchoolKind,
    needs: &'static [Need],
    pub(crate) phases: &'static [Phase],
    ward: usize,
    weight: f64,
}

/// An empty `needs` list means every need (`ANY`).
pub(crate) const SPECIAL_SCHOOLS: [SpecialSpec; 9] = [
    SpecialSpec {
        name: "Foxglove School",
        kind: SchoolKind::Special,
        needs: &[Need::Sld, Need::Pmld],
        phases: &[
            Phase::EarlyYears,
            Phase::Primary,
            Phase::Secondary,
            Phase::Post16,
        ],
        ward: 9,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Meadow Bank School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd, Need::Slcn],
        phases: &[Phase::EarlyYears, Phase::Primary],
        ward: 1,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Kingsway School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd, Need::Slcn],
        phases: &[Phase::Secondary, Phase::Post16],
        ward: 8,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Hilltop School",
        kind: SchoolKind::Special,
        needs: &[Need::Semh],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 2,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Beacon School",
        kind: SchoolKind::Special,
        needs: &[Need::Semh],
        phases: &[Phase::Secondary],
        ward: 0,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Riverside School",
        kind: SchoolKind::Special,
        needs: &[Need::Mld, Need::Sld],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 10,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Lighthouse School",
        kind: SchoolKind::Special,
        needs: &[],
        phases: &[Phase::EarlyYears, Phase::Primary, Phase::Secondary],
        ward: 7,
        weight: 0.2,
    },
    SpecialSpec {
        name: "Stanton Grange School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 18,
        weight: 1.0,
    },
    SpecialSpec {
        name: "Northgate Specialist College",
        kind: SchoolKind::Post16,
        needs: &[],
        phases: &[Phase::Post16, Phase::Post19],
        ward: 3,
        weight: 1.0,
    },
];

/// In-area independent special schools: name, need, ward, places by phase.
pub(crate) struct IndependentSpec {
    name: &'static str,
    need: Need,
    ward: usize,
    pub(crate) places: &'static [(Phase, u32)],
}

pub(crate) const INDEPENDENT_SCHOOLS: [IndependentSpec; 2] = [
    IndependentSpec {
        name: "Harbourside House School",
        need: Need::Semh,
        ward: 15,
        places: &[(Phase::Secondary, 28), (Phase::Post16, 8)],
    },
    IndependentSpec {
        name: "Larchfield Hall School",
        need: Need::Asd,
        ward: 12,
        places: &[(Phase::Primary, 10), (Phase::Secondary, 18)],
    },
];

/// Existing special capacity is this much above the base-year special pupils it serves.
const SPECIAL_HEADROOM: f64 = 1.04;
/// Existing resourced-base capacity is this much above the base-year resourced-base pupils.
const BASE_HEADROOM: f64 = 1.03;
/// Smallest and largest existing resourced base.
const BASE_SIZES: (u32, u32) = (8, 20);

/// Writes the demo scenario (`scenario.toml` and five CSV files) into `dir`, creating it.
/// Every call writes the same bytes.
pub fn write_demo(dir: &Path) -> std::io::Result<()> {
    for (name, text) in build() {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// Every file of the demo, as (file name, contents).
fn build() -> Vec<(&'static str, String)> {
    let ids: Vec<String> = (0..N_WARDS).map(ward_id).collect();
    let pop = population(&WARDS, &mut stream(1));
    let rates = calibrate(&pop, &WARDS, &DEMO_TARGETS);
    let caseload = simulate(&pop, &rates, &WARDS, &mut stream(2));
    let schools = schools();
    let capacity = capacity(&schools, &caseload, &mut stream(4));
    vec![
        ("scenario.toml", scenario_toml()),
        ("localities.csv", localities_csv(&WARDS, &ids)),
        ("population.csv", population_csv(&pop, &ids)),
        ("history.csv", history_csv(&caseload, &ids)),
        ("schools.csv", schools_csv(&schools)),
        ("capacity.csv", capacity_csv(&schools, &capacity)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Deterministic helpers

/// The demo's random streams: SplitMix64, one independent stream per part of the demo, so that
/// changing one part does not reshuffle the others.
pub(crate) type Rng = SplitMix64;

fn stream(id: u64) -> Rng {
    stream_of(0x5EED_D3E0_B0B0_2025, id)
}

/// Stream `id` of a generator seeded with `seed`.
pub(crate) fn stream_of(seed: u64, id: u64) -> Rng {
    SplitMix64::new(seed ^ id.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// The index whose share of `weights` covers `u` in [0, 1).
pub(crate) fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = u * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// Golden-ratio (Weyl) sequence: successive values cover [0, 1) evenly, so choices made with it
/// match their target shares far more closely than independent draws would.
struct Spread(f64);

impl Spread {
    fn next(&mut self) -> f64 {
        self.0 += 0.618_033_988_749_894_9;
        if self.0 >= 1.0 {
            self.0 -= 1.0;
        }
        self.0
    }
}

/// base^exp by repeated multiplication (exact-order arithmetic on every platform).
fn pow(base: f64, exp: i32) -> f64 {
    let mut r = 1.0;
    for _ in 0..exp.unsigned_abs() {
        r *= base;
    }
    if exp < 0 {
        1.0 / r
    } else {
        r
    }
}

pub(crate) fn group_of(age: usize) -> usize {
    AgeGroup::of_age(age as u8) as usize
}

/// Splits `total` whole items over `weights` by the largest-remainder method.
pub(crate) fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (quotas[a] - quotas[a].floor(), quotas[b] - quotas[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = total - out.iter().sum::<usize>();
    for &i in order.iter().take(short) {
        out[i] += 1;
    }
    out
}

fn ward_id(w: usize) -> String {
    format!("W{:02}", w + 1)
}

// ---------------------------------------------------------------------------------------------
// Population

/// Residents aged 0-25: `[ward][year - FIRST_YEAR][age]`, for FIRST_YEAR..=LAST_YEAR.
pub(crate) type Population = Vec<Vec<[u32; N_AGES]>>;

pub(crate) fn population(wards: &[Ward], rng: &mut Rng) -> Population {
    wards
        .iter()
        .map(|w| {
            // Deprived wards are younger, the low-rate ones older.
            let tilt = (w.plan_factor - 1.0).clamp(-0.5, 1.0);
            let shape: Vec<f64> = (0..N_AGES)
                .map(|a| {
                    let young_tilt = 1.0 + 0.08 * tilt * (12.5 - a as f64) / 12.5;
                    AGE_PROFILE[a] * young_tilt * rng.between(0.96, 1.04)
                })
                .collect();
            let young = w.residents as f64 * w.young_share;
            let scale = young / shape.iter().sum::<f64>();
            (FIRST_YEAR..=LAST_YEAR)
                .map(|y| {
                    let mut row = [0u32; N_AGES];
                    for (a, c) in row.iter_mut().enumerate() {
                        let drift = pow(1.0 + POP_DRIFT[group_of(a)], y - BASE_YEAR);
                        *c = (shape[a] * scale * drift).round() as u32;
                    }
                    row
                })
                .collect()
        })
        .collect()
}

/// Population used for year `y` (years before the first history year use the first year's).
fn pop_at(pop: &Population, w: usize, y: i32, a: usize) -> f64 {
    let yi = (y.clamp(FIRST_YEAR, LAST_YEAR) - FIRST_YEAR) as usize;
    pop[w][yi][a] as f64
}

// ---------------------------------------------------------------------------------------------
// Calibration (in expectation)

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

fn cell(w: usize, a: usize, n: usize, k: usize) -> usize {
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

// ---------------------------------------------------------------------------------------------
// Schools and capacity

pub(crate) struct DemoSchool {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) kind: SchoolKind,
    pub(crate) phases: Vec<Phase>,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) can_host_base: bool,
    pub(crate) max_new_places: Option<u32>,
    /// Index into SPECIAL_SCHOOLS / INDEPENDENT_SCHOOLS for specialist schools.
    pub(crate) spec: Option<usize>,
}

/// URN-like ids: increasing counters in disjoint ranges, so ids are unique.
pub(crate) struct Ids {
    pub(crate) maintained_primary: u32,
    pub(crate) maintained_secondary: u32,
    pub(crate) academy: u32,
    pub(crate) special: u32,
    pub(crate) independent: u32,
}

impl Ids {
    pub(crate) fn step(counter: &mut u32, rng: &mut Rng, max_gap: usize) -> u32 {
        *counter += 1 + rng.below(max_gap) as u32;
        *counter
    }
}

/// A mainstream school at (lat, lon); it may host a new base with probability `host_share`,
/// and then takes 8 to 30 new places.
pub(crate) fn mainstream_school(
    rng: &mut Rng,
    ids: &mut Ids,
    name: String,
    phases: Vec<Phase>,
    (lat, lon): (f64, f64),
    academy: bool,
    host_share: f64,
) -> DemoSchool {
    let can_host_base = rng.unit() < host_share;
    let max_new_places = Some(if can_host_base {
        8 + rng.below(23) as u32
    } else {
        0
    });
    let secondary = phases.contains(&Phase::Secondary);
    let id = match (academy, secondary) {
        (true, _) => Ids::step(&mut ids.academy, rng, 60),
        (false, false) => Ids::step(&mut ids.maintained_primary, rng, 5),
        (false, true) => Ids::step(&mut ids.maintained_secondary, rng, 5),
    };
    DemoSchool {
        id,
        name,
        kind: SchoolKind::Mainstream,
        phases,
        lat,
        lon,
        can_host_base,
        max_new_places,
        spec: None,
    }
}

/// School name stems ("Oakfield", "Ashbrook", ...) in a shuffled order.
pub(crate) fn name_stems(rng: &mut Rng) -> Vec<String> {
    let mut stems: Vec<String> = NAME_PREFIXES
        .iter()
        .flat_map(|p| NAME_SUFFIXES.iter().map(move |s| format!("{p}{s}")))
        .collect();
    for i in (1..stems.len()).rev() {
        let j = rng.below(i + 1);
        stems.swap(i, j);
    }
    stems
}

const NAME_PREFIXES: [&str; 12] = [
    "Oak", "Ash", "Elm", "Birch", "Heath", "Hazel", "Rowan", "Willow", "Beech", "Cedar", "Alder",
    "Maple",
];
const NAME_SUFFIXES: [&str; 8] = [
    "field", "wood", "brook", "dale", "lea", "mount", "side", "bank",
];
pub(crate) const CHURCH_SCHOOLS: [&str; 16] = [
    "St Mary's Catholic",
    "St Peter's CE",
    "Holy Cross Catholic",
    "Christ Church CE",
    "St Joseph's Catholic",
    "St Anne's CE",
    "Our Lady of Pity Catholic",
    "St Werburgh's CE",
    "Sacred Heart Catholic",
    "Holy Trinity CE",
    "St Alban's Catholic",
    "St Paul's CE",
    "St Michael's Catholic",
    "St George's CE",
    "St Bridget's Catholic",
    "St John's CE",
];

fn schools() -> Vec<DemoSchool> {
    let mut rng = stream(3);
    let mut ids = Ids {
        maintained_primary: 105_010,
        maintained_secondary: 105_900,
        academy: 136_400,
        special: 105_700,
        independent: 149_210,
    };
    let mut stems = name_stems(&mut rng).into_iter();
    let mut church = CHURCH_SCHOOLS.iter();

    let young: Vec<f64> = WARDS
        .iter()
        .map(|w| w.residents as f64 * w.young_share)
        .collect();
    let primaries = apportion(N_PRIMARY, &young);
    let secondaries = apportion(N_SECONDARY, &young);
    let near = |rng: &mut Rng, w: usize, spread: f64| -> (f64, f64) {
        (
            WARDS[w].lat + rng.between(-0.009, 0.009) * spread,
            WARDS[w].lon + rng.between(-0.015, 0.015) * spread,
        )
    };
    let mut out = Vec::new();
    let mainstream = |rng: &mut Rng,
                      ids: &mut Ids,
                      name: String,
                      phases: Vec<Phase>,
                      w: usize,
                      academy: bool| {
        let at = near(rng, w, 1.0);
        mainstream_school(rng, ids, name, phases, at, academy, 0.85)
    };

    for (w, &count) in primaries.iter().enumerate() {
        for k in 0..count {
            let academy = rng.unit() < 0.3;
            let kind = if academy { "Academy" } else { "School" };
            let name = if k == 0 {
                format!("{} Primary {kind}", WARDS[w].name)
            } else if rng.unit() < 0.2 {
                match church.next() {
                    Some(c) => format!("{c} Primary {kind}"),
                    None => format!("{} Primary {kind}", stems.next().unwrap_or_default()),
                }
            } else {
                format!("{} Primary {kind}", stems.next().unwrap_or_default())
            };
            out.push(mainstream(
                &mut rng,
                &mut ids,
                name,
                vec![Phase::Primary],
                w,
                academy,
            ));
        }
    }
    // Secondary schools, the largest wards' first; the first few have sixth forms.
    let mut sec_wards: Vec<usize> = (0..N_WARDS).filter(|&w| secondaries[w] > 0).collect();
    sec_wards.sort_by(|&a, &b| young[b].total_cmp(&young[a]).then(a.cmp(&b)));
    let mut made = 0;
    for &w in &sec_wards {
        for k in 0..secondaries[w] {
            let academy = rng.unit() < 0.6;
            let stem = if k == 0 {
                WARDS[w].name.to_string()
            } else {
                stems.next().unwrap_or_default()
            };
            let name = if academy {
                format!("{stem} Academy")
            } else {
                format!("{stem} High School")
            };
            let mut phases = vec![Phase::Secondary];
            if made < N_SIXTH_FORMS {
                phases.push(Phase::Post16);
            }
            out.push(mainstream(&mut rng, &mut ids, name, phases, w, academy));
            made += 1;
        }
    }
    for (i, s) in SPECIAL_SCHOOLS.iter().enumerate() {
        let (lat, lon) = near(&mut rng, s.ward, 0.6);
        let id = if s.kind == SchoolKind::Post16 {
            130_954
        } else {
            Ids::step(&mut ids.special, &mut rng, 5)
        };
        out.push(DemoSchool {
            id,
            name: s.name.to_string(),
            kind: s.kind,
            phases: s.phases.to_vec(),
            lat,
            lon,
            can_host_base: false,
            max_new_places: None,
            spec: Some(i),
        });
    }
    for (i, s) in INDEPENDENT_SCHOOLS.iter().enumerate() {
        let (lat, lon) = near(&mut rng, s.ward, 0.6);
        out.push(DemoSchool {
            id: Ids::step(&mut ids.independent, &mut rng, 400),
            name: s.name.to_string(),
            kind: SchoolKind::Independent,
            phases: s.places.iter().map(|(p, _)| *p).collect(),
            lat,
            lon,
            can_host_base: false,
            max_new_places: None,
            spec: Some(i),
        });
    }
    out
}

fn need_set(needs: &[Need]) -> NeedSet {
    if needs.is_empty() {
        return NeedSet::all();
    }
    needs.iter().fold(NeedSet::default(), |s, n| s.with(*n))
}

/// One capacity.csv row: school index, needs, phase, places.
pub(crate) struct CapacityRow {
    school: usize,
    needs: NeedSet,
    phase: Phase,
    places: u32,
}

/// Existing capacity: special schools and the college a little above the base-year special
/// pupils they serve, resourced bases a little above the base-year resourced-base pupils, and
/// the independent schools' fixed places.
/// `caseload` gives the base-year pupils (its last year).
pub(crate) fn capacity(
    schools: &[DemoSchool],
    caseload: &Caseload,
    rng: &mut Rng,
) -> Vec<CapacityRow> {
    let base_year = caseload.last().map(Vec::as_slice).unwrap_or(&[]);
    // Base-year pupils by need, phase and provision.
    let mut pupils = [[[0u32; N_PROV]; N_GROUPS]; N_NEEDS];
    for (i, c) in base_year.iter().enumerate() {
        // i = cell(w, a, n, k)
        let k = i % N_PROV;
        let n = i / N_PROV % N_NEEDS;
        let a = i / (N_PROV * N_NEEDS) % N_AGES;
        pupils[n][group_of(a)][k] += c;
    }
    let special_k = ProvisionKind::Special as usize;
    let base_k = ProvisionKind::ResourcedBase as usize;
    let mut rows = Vec::new();

    // Special schools and the college share each need and phase's special pupils by weight.
    let specials: Vec<(usize, &SpecialSpec)> = schools
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind, SchoolKind::Special | SchoolKind::Post16))
        .filter_map(|(i, s)| s.spec.map(|j| (i, &SPECIAL_SCHOOLS[j])))
        .collect();
    let mut assigned = vec![[0.0f64; N_GROUPS]; specials.len()];
    for (n, need) in Need::ALL.iter().enumerate() {
        for (p, phase) in Phase::ALL.iter().enumerate() {
            let count = pupils[n][p][special_k] as f64;
            let serving: Vec<usize> = (0..specials.len())
                .filter(|&i| {
                    let s = specials[i].1;
                    s.phases.contains(phase) && need_set(s.needs).contains(*need)
                })
                .collect();
            let weight: f64 = serving.iter().map(|&i| specials[i].1.weight).sum();
            for &i in &serving {
                assigned[i][p] += count * specials[i].1.weight / weight;
            }
        }
    }
    for (i, (school, spec)) in specials.iter().enumerate() {
        for phase in spec.phases {
            let places = (assigned[i][phase.index()] * SPECIAL_HEADROOM).ceil() as u32;
            if places > 0 {
                rows.push(CapacityRow {
                    school: *school,
                    needs: need_set(spec.needs),
                    phase: *phase,
                    places,
                });
            }
        }
    }

    // Resourced bases (one need each) for primary and secondary, in mainstream schools.
    let mut hosting = vec![false; schools.len()];
    for phase in [Phase::Primary, Phase::Secondary] {
        let candidates: Vec<usize> = (0..schools.len())
            .filter(|&i| schools[i].kind == SchoolKind::Mainstream)
            .filter(|&i| schools[i].phases.contains(&phase))
            .collect();
        for (n, need) in Need::ALL.iter().enumerate() {
            let target = (pupils[n][phase.index()][base_k] as f64 * BASE_HEADROOM).ceil() as u32;
            if target < BASE_SIZES.0 {
                continue; // too few pupils for a base of their own
            }
            let n_bases = target.div_ceil(BASE_SIZES.1);
            for b in 0..n_bases {
                let places = (target / n_bases + u32::from(b < target % n_bases)).max(BASE_SIZES.0);
                let free: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&i| !hosting[i])
                    .collect();
                if free.is_empty() {
                    break;
                }
                let host = free[rng.below(free.len())];
                hosting[host] = true;
                rows.push(CapacityRow {
                    school: host,
                    needs: NeedSet::default().with(*need),
                    phase,
                    places,
                });
            }
        }
    }

    // Independent schools: fixed places.
    for (i, s) in schools.iter().enumerate() {
        if s.kind != SchoolKind::Independent {
            continue;
        }
        if let Some(spec) = s.spec.map(|j| &INDEPENDENT_SCHOOLS[j]) {
            for (phase, places) in spec.places {
                rows.push(CapacityRow {
                    school: i,
                    needs: NeedSet::default().with(spec.need),
                    phase: *phase,
                    places: *places,
                });
            }
        }
    }
    rows.sort_by(|a, b| {
        (a.school, a.phase, a.needs.label()).cmp(&(b.school, b.phase, b.needs.label()))
    });
    rows
}

// ---------------------------------------------------------------------------------------------
// File writers

fn scenario_toml() -> String {
    format!(
        r#"# Demo Borough: a synthetic metropolitan borough of about 320,000 residents in 22 wards.
# Generated by `placeplan demo`. Every name, place and number in this scenario is made up;
# it is sized like a real borough so that the forecast and the plan look realistic.

name = "{DEMO_NAME}"
# Last January with history; the plan covers {first_plan}-{LAST_YEAR}.
base_year = {BASE_YEAR}
horizon = {HORIZON}
discount_rate = 0.035
# Capital for new resourced-base places, pounds per plan year.
capital_budget = 3000000.0

{settings}"#,
        first_plan = BASE_YEAR + 1,
        settings = settings_toml(
            &JourneyLimits::default(),
            &TravelSettings::default(),
            &ForecastSettings::default()
        ),
    )
}

/// `scenario.toml` from `[files]` on: default costs, the demo's bases, solver and levers, and
/// the given journey limits, travel and forecast settings.
pub(crate) fn settings_toml(j: &JourneyLimits, t: &TravelSettings, f: &ForecastSettings) -> String {
    let c = CostParams::default();
    let b = BaseRules {
        needs: vec![Need::Asd, Need::Slcn, Need::Semh, Need::Mld],
        phases: vec![Phase::Primary, Phase::Secondary],
        min_size: 8,
        max_size: 20,
        modular: false,
        lead_time: 1,
    };
    let s = SolverSettings::default();
    let list = |items: Vec<&str>| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let needs = list(b.needs.iter().map(|n| n.code()).collect());
    let phases = list(b.phases.iter().map(|p| p.code()).collect());
    format!(
        r#"[files]
localities = "localities.csv"
population = "population.csv"
history = "history.csv"
schools = "schools.csv"
capacity = "capacity.csv"
# Optional road network (from,to,minutes); empty for straight-line travel.
roads = ""

# Pounds; per pupil per year unless noted.
[costs]
resourced_base_place = {:?}
special_place = {:?}
independent_place = {:?}
post16_place = {:?}
transport_fixed = {:?}
transport_per_km = {:?}
out_of_area_transport = {:?}
# One-off capital per new resourced-base place, and per new base opened.
capex_per_place = {:?}
base_fixed_cost = {:?}

# Longest reasonable one-way journey, minutes.
[journey]
early_years = {:?}
primary = {:?}
secondary = {:?}
post16 = {:?}
post19 = {:?}

# Straight-line travel: road km = great-circle km x detour_factor.
[travel]
detour_factor = {:?}
speed_kmh = {:?}
fixed_minutes = {:?}

# New resourced bases in mainstream schools.
[bases]
needs = [{needs}]
phases = [{phases}]
min_size = {}
max_size = {}
modular = {}
lead_time = {}

[forecast]
trend_damping = {:?}
max_rate_growth = {:?}
shrinkage_plans = {:?}
seed = {}
runs = {}

[solver]
time_limit_s = {:?}
mip_gap = {:?}
allow_out_of_area = {}
stability = {}

# Mitigations from the council's Delivering Better Value programme: the "mitigated" forecast
# applies them, the "unmitigated" one does not.
[[levers]]
kind = "new_plan_rate"
value = 0.9
start_year = {mitigation_start}
ramp_years = 3

[[levers]]
kind = "specialist_share"
value = 0.95
start_year = {mitigation_start}
ramp_years = 2
"#,
        c.resourced_base_place,
        c.special_place,
        c.independent_place,
        c.post16_place,
        c.transport_fixed,
        c.transport_per_km,
        c.out_of_area_transport,
        c.capex_per_place,
        c.base_fixed_cost,
        j.early_years,
        j.primary,
        j.secondary,
        j.post16,
        j.post19,
        t.detour_factor,
        t.speed_kmh,
        t.fixed_minutes,
        b.min_size,
        b.max_size,
        b.modular,
        b.lead_time,
        f.trend_damping,
        f.max_rate_growth,
        f.shrinkage_plans,
        f.seed,
        f.runs,
        s.time_limit_s,
        s.mip_gap,
        s.allow_out_of_area,
        s.stability,
        mitigation_start = BASE_YEAR + 2,
    )
}

pub(crate) fn localities_csv(wards: &[Ward], ids: &[String]) -> String {
    let mut out = String::from("id,name,lat,lon,residents\n");
    for (w, id) in wards.iter().zip(ids) {
        out.push_str(&format!(
            "{},{},{:.5},{:.5},{}\n",
            id, w.name, w.lat, w.lon, w.residents
        ));
    }
    out
}

pub(crate) fn population_csv(pop: &Population, ids: &[String]) -> String {
    let mut out = String::from("locality,year,age,count\n");
    for (years, id) in pop.iter().zip(ids) {
        for (yi, ages) in years.iter().enumerate() {
            let year = FIRST_YEAR + yi as i32;
            for (a, c) in ages.iter().enumerate() {
                out.push_str(&format!("{id},{year},{a},{c}\n"));
            }
        }
    }
    out
}

pub(crate) fn history_csv(caseload: &Caseload, ids: &[String]) -> String {
    let mut out = String::from("year,locality,age,need,provision,count\n");
    for (yi, state) in caseload.iter().enumerate() {
        let year = FIRST_YEAR + yi as i32;
        for (w, id) in ids.iter().enumerate() {
            for a in 0..N_AGES {
                for (n, need) in Need::ALL.iter().enumerate() {
                    for (k, prov) in ProvisionKind::ALL.iter().enumerate() {
                        let c = state[cell(w, a, n, k)];
                        if c > 0 {
                            out.push_str(&format!(
                                "{year},{id},{a},{},{},{c}\n",
                                need.code(),
                                prov.code()
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn schools_csv(schools: &[DemoSchool]) -> String {
    let mut out = String::from(
        "id,name,kind,phases,lat,lon,can_host_base,max_new_places,capex_per_place,place_cost\n",
    );
    for s in schools {
        let phases: Vec<&str> = s.phases.iter().map(|p| p.code()).collect();
        out.push_str(&format!(
            "{},{},{},{},{:.5},{:.5},{},{},,\n",
            s.id,
            s.name,
            s.kind.code(),
            phases.join(";"),
            s.lat,
            s.lon,
            if s.can_host_base { "yes" } else { "no" },
            s.max_new_places.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
    out
}

pub(crate) fn capacity_csv(schools: &[DemoSchool], rows: &[CapacityRow]) -> String {
    let mut out = String::from("school,needs,phase,places\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{}\n",
            schools[r.school].id,
            r.needs.label(),
            r.phase.code(),
            r.places
        ));
    }
    out
}

/// The files a generated scenario has.
#[cfg(test)]
pub(crate) const FILES: [&str; 6] = [
    "scenario.toml",
    "localities.csv",
    "population.csv",
    "history.csv",
    "schools.csv",
    "capacity.csv",
];

/// Asserts that directories `a` and `b` hold [`FILES`] and nothing else (no temp files left),
/// each non-empty and the same bytes in both.
#[cfg(test)]
pub(crate) fn assert_same_scenario_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between two calls");
    }
    let mut want: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    want.sort();
    for dir in [a, b] {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, want, "no other files (no temp files left)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_scenario;
    use placeplan_model::domain::Scenario;

    fn load(dir: &Path) -> Scenario {
        match load_scenario(dir) {
            Ok(s) => s,
            Err(problems) => panic!("the demo does not load:\n{problems}"),
        }
    }

    #[test]
    fn demo_is_byte_identical_on_every_call() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_demo(a.path()).unwrap();
        write_demo(b.path()).unwrap();
        write_demo(b.path()).unwrap(); // overwriting is fine too
        assert_same_scenario_files(a.path(), b.path());
        let history = std::fs::metadata(a.path().join("history.csv")).unwrap();
        assert!(
            history.len() < 1_500_000,
            "history.csv is {} bytes",
            history.len()
        );
    }

    #[test]
    fn demo_matches_the_committed_scenario() {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path()).unwrap();
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        for f in FILES {
            let x = std::fs::read(dir.path().join(f)).unwrap();
            let y = std::fs::read(committed.join(f)).unwrap();
            assert!(x == y, "{f} differs from scenarios/demo");
        }
    }

    #[test]
    fn demo_loads_and_uses_the_documented_settings() {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path()).unwrap();
        let s = load(dir.path());
        assert_eq!(s.name, DEMO_NAME);
        assert_eq!((s.base_year, s.horizon), (2025, 5));
        assert_eq!(s.capital_budget, vec![3_000_000.0; 5]);
        assert_eq!(s.costs, CostParams::default());
        assert_eq!(s.journey, JourneyLimits::default());
        assert_eq!(s.travel, TravelSettings::default());
        assert_eq!(s.forecast, ForecastSettings::default());
        assert_eq!(s.solver, SolverSettings::default());
        assert_eq!(s.bases, BaseRules::default());
        let text = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
        assert!(text.starts_with("# "), "starts with a comment");
        assert!(text.contains("placeplan demo") && text.contains("synthetic"));
    }

    /// Sum of history counts in `year` matching `keep`.
    fn plans(
        s: &Scenario,
        year: i32,
        keep: impl Fn(&placeplan_model::domain::HistoryCell) -> bool,
    ) -> f64 {
        s.history
            .iter()
            .filter(|h| h.year == year && keep(h))
            .map(|h| h.count)
            .sum()
    }

    #[test]
    fn demo_has_the_size_of_a_metropolitan_borough() {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path()).unwrap();
        let s = load(dir.path());

        // Plans by year, age band, need and provision (printed with --nocapture).
        for year in FIRST_YEAR..=BASE_YEAR {
            println!("plans {year}: {}", plans(&s, year, |_| true));
        }
        for g in AgeGroup::ALL {
            let v = plans(&s, BASE_YEAR, |h| AgeGroup::of_age(h.age) == g);
            println!("2025 age {}: {v}", g.label());
        }
        let total = plans(&s, BASE_YEAR, |_| true);
        for n in Need::ALL {
            let v = plans(&s, BASE_YEAR, |h| h.need == n);
            println!("2025 need {n}: {v} ({:.1}%)", 100.0 * v / total);
        }
        for k in ProvisionKind::ALL {
            let by_phase: Vec<f64> = Phase::ALL
                .iter()
                .map(|p| {
                    plans(&s, BASE_YEAR, |h| {
                        h.provision == k && Phase::of_age(h.age) == *p
                    })
                })
                .collect();
            println!(
                "2025 provision {}: {} by phase {by_phase:?}",
                k.code(),
                by_phase.iter().sum::<f64>()
            );
        }
        for kind in ["mainstream", "special", "independent", "post16"] {
            let by_phase: Vec<u32> = Phase::ALL
                .iter()
                .map(|p| {
                    s.provisions
                        .iter()
                        .filter(|e| s.schools[e.school].kind.code() == kind && e.phase == *p)
                        .map(|e| e.places)
                        .sum()
                })
                .collect();
            println!(
                "capacity {kind}: {} by phase {by_phase:?}",
                by_phase.iter().sum::<u32>()
            );
        }
        for (i, sc) in s.schools.iter().enumerate() {
            if sc.kind != SchoolKind::Mainstream {
                let places: u32 = s
                    .provisions
                    .iter()
                    .filter(|e| e.school == i)
                    .map(|e| e.places)
                    .sum();
                println!("  {} {} ({}): {places}", sc.id, sc.name, sc.kind.code());
            }
        }
        let rate = |l: Option<usize>| {
            let pl = plans(&s, BASE_YEAR, |h| l.is_none_or(|l| h.locality == l));
            let pop: f64 = s
                .population
                .iter()
                .filter(|c| c.year == BASE_YEAR && l.is_none_or(|l| c.locality == l))
                .map(|c| c.count)
                .sum();
            pl / pop
        };
        let borough = rate(None);
        for (i, l) in s.localities.iter().enumerate() {
            println!(
                "{} {}: plan rate x{:.2}",
                l.id,
                l.name,
                rate(Some(i)) / borough
            );
        }

        assert!((4_600.0..=5_200.0).contains(&total), "2025 plans {total}");
        let first = plans(&s, FIRST_YEAR, |_| true);
        assert!((1_900.0..=2_350.0).contains(&first), "2019 plans {first}");
        let residents: u32 = WARDS.iter().map(|w| w.residents).sum();
        assert!(
            (290_000..=350_000).contains(&residents),
            "residents {residents}"
        );
        let young: f64 = s
            .population
            .iter()
            .filter(|c| c.year == BASE_YEAR)
            .map(|c| c.count)
            .sum();
        assert!(
            (85_000.0..=105_000.0).contains(&young),
            "aged 0-25: {young}"
        );
        assert_eq!(s.localities.len(), 22);
        let count = |kind: SchoolKind, phase: Phase| {
            s.schools
                .iter()
                .filter(|sc| sc.kind == kind && sc.phases.contains(phase))
                .count()
        };
        let primary = count(SchoolKind::Mainstream, Phase::Primary);
        let secondary = count(SchoolKind::Mainstream, Phase::Secondary);
        let special = s
            .schools
            .iter()
            .filter(|sc| sc.kind == SchoolKind::Special)
            .count();
        assert!((85..=95).contains(&primary), "{primary} primary schools");
        assert!(
            (18..=22).contains(&secondary),
            "{secondary} secondary schools"
        );
        assert!((7..=9).contains(&special), "{special} special schools");

        // Hot spot and low-rate wards.
        for l in 0..5 {
            let r = rate(Some(l)) / borough;
            assert!((1.4..=2.1).contains(&r), "hot-spot ward {l} rate x{r:.2}");
        }
        for l in [16, 17] {
            let r = rate(Some(l)) / borough;
            assert!(r < 0.75, "low-rate ward {l} rate x{r:.2}");
        }
        // Every coordinate in the demo patch.
        for l in &s.localities {
            assert!((53.29..=53.43).contains(&l.lat) && (-3.18..=-2.98).contains(&l.lon));
        }
    }

    #[test]
    fn demo_capacity_matches_base_year_specialist_pupils() {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path()).unwrap();
        let s = load(dir.path());
        let mut ids: Vec<&str> = s.schools.iter().map(|sc| sc.id.as_str()).collect();
        assert!(ids
            .iter()
            .all(|id| id.len() == 6 && id.parse::<u32>().is_ok()));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), s.schools.len(), "school ids are unique");

        let places = |kinds: &[SchoolKind], phase: Phase| -> f64 {
            s.provisions
                .iter()
                .filter(|e| kinds.contains(&s.schools[e.school].kind) && e.phase == phase)
                .map(|e| e.places as f64)
                .sum()
        };
        for phase in Phase::ALL {
            let pupils = plans(&s, BASE_YEAR, |h| {
                h.provision == ProvisionKind::Special && Phase::of_age(h.age) == phase
            });
            let cap = places(&[SchoolKind::Special, SchoolKind::Post16], phase);
            assert!(
                cap >= pupils && cap <= pupils * 1.1 + 5.0,
                "{phase}: {cap} special places for {pupils} pupils"
            );
        }
        let rb = plans(&s, BASE_YEAR, |h| {
            h.provision == ProvisionKind::ResourcedBase
        });
        let rb_places: f64 = [Phase::Primary, Phase::Secondary]
            .iter()
            .map(|p| places(&[SchoolKind::Mainstream], *p))
            .sum();
        assert!(
            (rb * 0.95..=rb * 1.15).contains(&rb_places),
            "{rb_places} resourced-base places for {rb} pupils"
        );
        for (i, sc) in s.schools.iter().enumerate() {
            let total: u32 = s
                .provisions
                .iter()
                .filter(|e| e.school == i)
                .map(|e| e.places)
                .sum();
            if sc.kind == SchoolKind::Special {
                assert!((60..=250).contains(&total), "{}: {total} places", sc.name);
            }
            if sc.kind == SchoolKind::Mainstream && total > 0 {
                assert!((8..=20).contains(&total), "{}: base of {total}", sc.name);
            }
        }
    }

    #[test]
    fn demo_forecast_outgrows_existing_capacity() {
        let dir = tempfile::tempdir().unwrap();
        write_demo(dir.path()).unwrap();
        let s = load(dir.path());
        let f = placeplan_model::forecast::forecast(&s);
        let capacity: f64 = s.provisions.iter().map(|e| e.places as f64).sum();
        let base = placeplan_model::forecast::base_year_specialist(&s);
        let last = f.specialist_total(BASE_YEAR + HORIZON);
        println!(
            "specialist: base {base}, 2030 {last:.0}, capacity {capacity}, trend {:.3}",
            f.trend
        );
        assert!(capacity >= base * 0.9 && capacity <= base * 1.1);
        assert!(
            last > capacity * 1.2,
            "forecast {last} against capacity {capacity}"
        );
    }
}
