//! Synthetic instances at three scales, for benchmarks of the allocation engine.
//!
//! [`write_instance`] writes a complete scenario directory (the same files as `placeplan demo`)
//! for a made-up local authority or region, deterministically from a seed:
//!
//! | scale | localities | schools | demand groups | sites | arcs |
//! |---|---|---|---|---|---|
//! | [`Scale::Ward`] | 25 wards of a borough (4 settlements) | about 200 | about 690 | about 180 | about 16,000 |
//! | [`Scale::Lsoa`] | 520 LSOAs of a city and its towns | about 440 | about 6,000 | about 200 | about 230,000 |
//! | [`Scale::Region`] | 4,350 LSOAs of a region about 100 km across (60 settlements) | about 3,600 | about 50,000 | about 2,000 | about 1.9 million |
//!
//! (Seed 1, measured by this module's tests.)
//!
//! A demand group is a (locality, need, phase) with forecast specialist demand; a site is a
//! school with existing specialist places or able to host a new resourced base; an arc is a
//! (group, existing provision or candidate base) pair within the journey limit of the group's
//! phase (the solver's network, less the out-of-area arcs).
//!
//! Geography: settlements (a main city or town at the centre and smaller towns around it, sized
//! by a rank-size rule) with localities packed around each settlement's centre, denser and more
//! deprived towards the middle; schools sit near the localities they serve. The EHC-plan
//! history, population, existing capacity and settings come from the generator kit the demo
//! uses (`crate::generator`): the same cohort simulation calibrated to the demo's plan rates
//! per young resident, special schools and in-area independent schools of the demo's designations, and
//! existing capacity a few per cent above base-year pupils, so growth creates shortfalls that
//! new bases must meet within a capital budget scaled from the demo's 3 million a year.
//! Like the demo, special schools of three designations have room to expand and there are
//! candidate sites for new special schools (one per demo-sized borough). The settings are the
//! demo's except that `modular` and `stability` are not written, so the scenario defaults
//! (whole bases, stability) apply: the model councils use ([`continuous`] switches an instance
//! to the LP the single-period benchmarks measure).
//! Output depends only on the scale and the seed (no transcendental maths, fixed formatting).

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::atomic::write_atomic;
use crate::demo::{demo_young, DEMO_TARGETS, INDEPENDENT_SCHOOLS, SPECIAL_SCHOOLS};
use crate::generator::caseload::{calibrate, simulate};
use crate::generator::files::{
    capacity_csv, history_csv, localities_csv, population_csv, schools_csv, settings_toml, Rules,
};
use crate::generator::population::{population, Ward};
use crate::generator::rng::{apportion, pick, stream_of, Rng};
use crate::generator::schools::{
    capacity, mainstream_school, name_stems, Ids, School, CHURCH_SCHOOLS,
};
use crate::generator::{BASE_YEAR, HORIZON};
use placeplan_model::domain::{
    ForecastSettings, JourneyLimits, Phase, Scenario, SchoolKind, TravelSettings,
};

/// How big an instance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scale {
    /// A borough at ward level.
    Ward,
    /// A city at LSOA level.
    Lsoa,
    /// A region about 100 km across at LSOA level.
    Region,
}

impl Scale {
    pub const ALL: [Scale; 3] = [Scale::Ward, Scale::Lsoa, Scale::Region];

    pub fn code(self) -> &'static str {
        match self {
            Scale::Ward => "ward",
            Scale::Lsoa => "lsoa",
            Scale::Region => "region",
        }
    }
}

impl fmt::Display for Scale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Scale {
    type Err = String;
    fn from_str(s: &str) -> Result<Scale, String> {
        Scale::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown scale {s:?}: expected ward, lsoa or region"))
    }
}

/// Everything that differs between the scales.
struct Params {
    /// What the instance is, for the name and the header comment.
    what: &'static str,
    /// Centre of the main settlement.
    centre: (f64, f64),
    /// km per degree of longitude at the centre's latitude (111.32 x cos(lat)).
    km_per_deg_lon: f64,
    n_localities: usize,
    /// All-age residents per locality, drawn uniformly in this range.
    residents: (f64, f64),
    /// Settlements besides the main one.
    n_towns: usize,
    /// Rank-size rule: settlement k (from 0) has weight (k + 1)^(-zipf_half_steps / 2), times
    /// a random 0.8-1.25.
    zipf_half_steps: u32,
    /// Town centres lie within this distance of the main centre, km.
    extent_km: f64,
    /// Typical distance between neighbouring locality centroids, km.
    spacing_km: f64,
    /// Wards (ids E05..., names like "Ashford North") or LSOAs (E01..., "Ashford 001A").
    wards: bool,
    residents_per_primary: f64,
    residents_per_secondary: f64,
    /// Share of secondary schools with a sixth form.
    sixth_form_share: f64,
    /// Share of mainstream schools able to host a new base.
    host_share: f64,
    travel: TravelSettings,
    /// Monte Carlo runs of the forecast.
    runs: u32,
}

/// Residents aged 0-25 per special school or college, and per in-area independent school
/// (the demo has 9 and 2 for 95,000).
const YOUNG_PER_SPECIAL: f64 = 10_500.0;
const YOUNG_PER_INDEPENDENT: f64 = 45_000.0;

fn params(scale: Scale) -> Params {
    let travel = TravelSettings::default();
    match scale {
        Scale::Ward => Params {
            what: "a metropolitan borough at ward level",
            centre: (52.955, -1.150),
            km_per_deg_lon: 67.05,
            n_localities: 25,
            residents: (11_000.0, 17_000.0),
            n_towns: 3,
            zipf_half_steps: 2,
            extent_km: 9.0,
            spacing_km: 2.6,
            wards: true,
            residents_per_primary: 2_250.0,
            residents_per_secondary: 12_000.0,
            sixth_form_share: 0.3,
            host_share: 0.85,
            travel,
            runs: 1000,
        },
        Scale::Lsoa => Params {
            what: "a city at LSOA level",
            centre: (53.480, -2.240),
            km_per_deg_lon: 66.23,
            n_localities: 520,
            residents: (1_200.0, 2_200.0),
            n_towns: 4,
            zipf_half_steps: 2,
            extent_km: 16.0,
            spacing_km: 0.85,
            wards: false,
            residents_per_primary: 2_600.0,
            residents_per_secondary: 13_000.0,
            sixth_form_share: 0.35,
            host_share: 0.37,
            travel,
            runs: 200,
        },
        Scale::Region => Params {
            what: "a region about 100 km across at LSOA level",
            centre: (53.550, -1.850),
            km_per_deg_lon: 66.12,
            n_localities: 4_350,
            n_towns: 59,
            zipf_half_steps: 1,
            extent_km: 53.0,
            spacing_km: 1.05,
            host_share: 0.47,
            // Slower door-to-door SEND transport across a conurbation and its towns.
            travel: TravelSettings {
                speed_kmh: 20.0,
                ..travel
            },
            runs: 100,
            ..params(Scale::Lsoa)
        },
    }
}

/// Writes the instance of `scale` for `seed` (`scenario.toml` and five CSV files) into `dir`,
/// creating it. The same scale and seed always write the same bytes.
pub fn write_instance(dir: &Path, scale: Scale, seed: u64) -> std::io::Result<()> {
    for (name, text) in build(scale, seed) {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// The instance loaded into memory (written to a temporary directory and read back with
/// [`crate::scenario::load_scenario`], so it is exactly what the files give).
pub fn instance(scale: Scale, seed: u64) -> std::io::Result<Scenario> {
    let dir = tempfile::tempdir()?;
    write_instance(dir.path(), scale, seed)?;
    crate::scenario::load_scenario(dir.path())
        .map_err(|p| std::io::Error::new(std::io::ErrorKind::InvalidData, p.to_string()))
}

/// Switches an instance to the continuous model that the LP benchmarks (`benches/scale.rs`,
/// `scale_run`) measure: fractional places (`modular = false`) and yearly placements
/// (`stability = false`). The instances as written carry the scenario defaults (whole bases,
/// stability).
pub fn continuous(s: &mut Scenario) {
    s.bases.modular = false;
    s.solver.stability = false;
}

/// Turns a plan into the single-period allocation used by the benchmarks: the final plan year's
/// demand alone, with new places usable at once and that year's capital budget.
pub fn final_year_only(s: &mut Scenario, demand: &mut placeplan_model::forecast::Demand) {
    let Some(last) = demand.years.len().checked_sub(1) else {
        return;
    };
    demand.years = vec![demand.years[last]];
    demand.pupils = vec![demand.pupils[last].clone()];
    s.base_year += s.horizon as i32 - 1;
    s.capital_budget = vec![s.capital_budget.get(last).copied().unwrap_or(0.0)];
    s.horizon = 1;
    s.bases.lead_time = 0;
}

/// A settlement: name, centre (km east and north of the main centre), localities.
struct Settlement {
    name: String,
    x: f64,
    y: f64,
    localities: usize,
}

/// Every file of the instance, as (file name, contents).
fn build(scale: Scale, seed: u64) -> Vec<(&'static str, String)> {
    let p = params(scale);
    // Streams 1-4 as in the demo; 5 for the geography.
    let name_seed = seed;
    let seed = seed ^ 0x51A7_4E71_C000_0000 ^ (scale as u64).wrapping_mul(0x9E37_79B9);
    let (settlements, wards, at) = geography(&p, &mut stream_of(seed, 5));
    // Real codes stop well below 900000.
    let prefix = if p.wards { "E05" } else { "E01" };
    let ids: Vec<String> = (0..wards.len())
        .map(|i| format!("{prefix}{}", 900_001 + i))
        .collect();
    let young: Vec<f64> = wards
        .iter()
        .map(|w| w.residents as f64 * w.young_share)
        .collect();
    let young_total: f64 = young.iter().sum();
    let ratio = young_total / demo_young();
    let targets = DEMO_TARGETS.scaled(ratio);
    let pop = population(&wards, &mut stream_of(seed, 1));
    let rates = calibrate(&pop, &wards, &targets);
    let caseload = simulate(&pop, &rates, &wards, &mut stream_of(seed, 2));
    let mut schools = schools(
        &p,
        &settlements,
        &wards,
        &at,
        &young,
        &mut stream_of(seed, 3),
    );
    let capacity = capacity(
        &schools,
        &caseload,
        &SPECIAL_SCHOOLS,
        &INDEPENDENT_SCHOOLS,
        &mut stream_of(seed, 4),
    );
    // Candidate sites last (they have no existing places, and the capacity rows index the
    // schools by position).
    let new_sites = sites(
        &p,
        &settlements,
        &wards,
        &at,
        &young,
        &schools,
        &mut stream_of(seed, 6),
    );
    schools.extend(new_sites);
    // The demo's 3 million a year, scaled by young residents, to the nearest 100,000.
    let budget = (30.0 * ratio).round().max(1.0) * 100_000.0;
    vec![
        (
            "scenario.toml",
            scenario_toml(scale, &p, name_seed, wards.len(), young_total, budget),
        ),
        ("localities.csv", localities_csv(&wards, &ids)),
        ("population.csv", population_csv(&pop, &ids)),
        ("history.csv", history_csv(&caseload, &ids)),
        ("schools.csv", schools_csv(&schools)),
        ("capacity.csv", capacity_csv(&schools, &capacity)),
    ]
}

// ---------------------------------------------------------------------------------------------
// Geography

const NAME_STARTS: [&str; 24] = [
    "Ash", "Brad", "Carl", "Dun", "Eg", "Fen", "Gran", "Hal", "Ing", "Kel", "Lang", "Mar", "Nor",
    "Ock", "Pen", "Ravens", "Sal", "Thorn", "Ux", "Wal", "Whit", "Wood", "Bar", "Cot",
];
const NAME_ENDS: [&str; 16] = [
    "ford", "ton", "ley", "bury", "ham", "wick", "by", "field", "worth", "stead", "minster",
    "borough", "bridge", "well", "hurst", "combe",
];
/// Ward names are the settlement's name and one of these (then numbered).
const QUARTERS: [&str; 16] = [
    "Central", "North", "South", "East", "West", "Park", "Green", "Heath", "Vale", "Hill", "Cross",
    "Moor", "Fields", "Bank", "Common", "Grange",
];

/// A point in the unit disc, uniform (rejection sampling: no trigonometry).
fn in_disc(rng: &mut Rng) -> (f64, f64) {
    loop {
        let (x, y) = (rng.between(-1.0, 1.0), rng.between(-1.0, 1.0));
        if x * x + y * y <= 1.0 {
            return (x, y);
        }
    }
}

/// Settlements, localities (as the demo's wards) and each locality's settlement.
fn geography(p: &Params, rng: &mut Rng) -> (Vec<Settlement>, Vec<Ward>, Vec<usize>) {
    // Names: distinct start x end pairs in a shuffled order.
    let mut names: Vec<String> = NAME_STARTS
        .iter()
        .flat_map(|a| NAME_ENDS.iter().map(move |b| format!("{a}{b}")))
        .collect();
    for i in (1..names.len()).rev() {
        names.swap(i, rng.below(i + 1));
    }
    let n = p.n_towns + 1;
    // Rank-size weights 1 / (k+1)^(half_steps / 2).
    let weights: Vec<f64> = (0..n)
        .map(|k| {
            let r = (k + 1) as f64;
            let mut w = 1.0;
            for _ in 0..p.zipf_half_steps {
                w /= r.sqrt();
            }
            w * rng.between(0.8, 1.25)
        })
        .collect();
    let counts = apportion(p.n_localities - n, &weights);
    let mut settlements: Vec<Settlement> = Vec::with_capacity(n);
    for (k, count) in counts.into_iter().enumerate() {
        let (mut x, mut y) = (0.0, 0.0);
        if k > 0 {
            // Towns away from the centre and from each other where possible.
            let min_gap = p.extent_km / (n as f64).sqrt() * 0.8;
            for attempt in 0..200 {
                let (u, v) = in_disc(rng);
                (x, y) = (u * p.extent_km, v * p.extent_km);
                let clear = settlements
                    .iter()
                    .all(|s| (s.x - x) * (s.x - x) + (s.y - y) * (s.y - y) >= min_gap * min_gap);
                if clear || attempt == 199 {
                    break;
                }
            }
        }
        settlements.push(Settlement {
            name: names[k % names.len()].clone(),
            x,
            y,
            localities: count + 1,
        });
    }

    let mut wards = Vec::with_capacity(p.n_localities);
    let mut at = Vec::with_capacity(p.n_localities);
    for (k, s) in settlements.iter().enumerate() {
        let radius = p.spacing_km * (s.localities as f64).sqrt() * 0.6;
        // Cities (the three largest settlements) have a deprived core; towns less so.
        let urban = if k < 3 { 1.0 } else { 0.5 };
        for i in 0..s.localities {
            let (u, v) = if i == 0 { (0.0, 0.0) } else { in_disc(rng) };
            let r = (u * u + v * v).sqrt();
            // Denser towards the centre.
            let squeeze = 0.35 + 0.65 * r;
            let (x, y) = (s.x + u * squeeze * radius, s.y + v * squeeze * radius);
            let inner = 1.0 - r * squeeze;
            let plan_factor =
                ((0.55 + 1.1 * inner * inner * urban) * rng.between(0.75, 1.3)).clamp(0.4, 2.4);
            let young_share =
                (0.27 + 0.05 * (plan_factor - 1.0)).clamp(0.22, 0.36) + rng.between(-0.01, 0.01);
            let residents = rng.between(p.residents.0, p.residents.1).round() as u32;
            let name = if p.wards {
                match QUARTERS.get(i) {
                    Some(q) => format!("{} {q}", s.name),
                    None => format!("{} {}", s.name, i + 1),
                }
            } else {
                // ONS style: MSOA number and LSOA letter.
                let letter = char::from(b'A' + (i % 5) as u8);
                format!("{} {:03}{letter}", s.name, i / 5 + 1)
            };
            wards.push(Ward {
                name: Cow::Owned(name),
                lat: p.centre.0 + y / 111.0,
                lon: p.centre.1 + x / p.km_per_deg_lon,
                residents,
                young_share,
                plan_factor,
            });
            at.push(k);
        }
    }
    (settlements, wards, at)
}

// ---------------------------------------------------------------------------------------------
// Schools

/// A school's place near locality `w`: schools sit within about a third of the locality spacing
/// of the centroid, times `spread`.
fn near(p: &Params, w: &Ward, rng: &mut Rng, spread: f64) -> (f64, f64) {
    let jitter = p.spacing_km * 0.35;
    let (u, v) = in_disc(rng);
    (
        w.lat + v * jitter * spread / 111.0,
        w.lon + u * jitter * spread / p.km_per_deg_lon,
    )
}

/// Kinds of land a candidate site was, for its name.
const FORMER: [&str; 6] = [
    "Depot",
    "Library",
    "Works",
    "Clinic",
    "Offices",
    "Sorting Office",
];

/// Candidate sites for new special schools (`kind = site`, `[new_school]`), as the demo has one:
/// one per demo-sized borough (residents aged 0-25), at least one, in localities drawn by young
/// residents times their plan rate (so mostly where need is high), each with room for 120
/// places like the demo's. Ids follow every other school's. From their own random stream, so
/// the other schools are as they were without sites.
fn sites(
    p: &Params,
    settlements: &[Settlement],
    wards: &[Ward],
    at: &[usize],
    young: &[f64],
    others: &[School],
    rng: &mut Rng,
) -> Vec<School> {
    let young_total: f64 = young.iter().sum();
    let n = ((young_total / demo_young()).round() as usize).max(1);
    let need: Vec<f64> = wards
        .iter()
        .zip(young)
        .map(|(w, y)| y * w.plan_factor)
        .collect();
    let first = others.iter().map(|s| s.id).max().unwrap_or(0).max(199_000) + 1;
    (0..n)
        .map(|k| {
            let w = pick(&need, rng.unit());
            let (lat, lon) = near(p, &wards[w], rng, 1.0);
            School {
                id: first + k as u32,
                name: format!(
                    "Former {} {} (site)",
                    settlements[at[w]].name,
                    FORMER[k % FORMER.len()]
                ),
                kind: SchoolKind::Site,
                phases: vec![Phase::Primary, Phase::Secondary],
                lat,
                lon,
                can_host_base: false,
                max_new_places: Some(120),
                spec: None,
            }
        })
        .collect()
}

fn schools(
    p: &Params,
    settlements: &[Settlement],
    wards: &[Ward],
    at: &[usize],
    young: &[f64],
    rng: &mut Rng,
) -> Vec<School> {
    let mut ids = Ids {
        maintained_primary: 100_000,
        maintained_secondary: 115_000,
        special: 118_000,
        independent: 120_000,
        academy: 130_000,
    };
    let stems = name_stems(rng);
    let mut stems = stems.iter().map(String::as_str).cycle();
    let mut church = CHURCH_SCHOOLS.iter().cycle();
    let residents: f64 = wards.iter().map(|w| w.residents as f64).sum();
    let young_total: f64 = young.iter().sum();
    let near = |rng: &mut Rng, w: usize, spread: f64| near(p, &wards[w], rng, spread);
    let mut out = Vec::new();

    let n_primary = (residents / p.residents_per_primary).round() as usize;
    for (w, &count) in apportion(n_primary, young).iter().enumerate() {
        for _ in 0..count {
            let academy = rng.unit() < 0.35;
            let kind = if academy { "Academy" } else { "School" };
            let stem = if rng.unit() < 0.2 {
                church.next().copied()
            } else {
                stems.next()
            };
            let name = format!(
                "{} {} Primary {kind}",
                settlements[at[w]].name,
                stem.unwrap_or_default()
            );
            let place = near(rng, w, 1.0);
            out.push(mainstream_school(
                rng,
                &mut ids,
                name,
                vec![Phase::Primary],
                place,
                academy,
                p.host_share,
            ));
        }
    }
    let n_secondary = (residents / p.residents_per_secondary).round() as usize;
    for (w, &count) in apportion(n_secondary, young).iter().enumerate() {
        for _ in 0..count {
            let academy = rng.unit() < 0.7;
            let kind = if academy { "Academy" } else { "High School" };
            let name = format!(
                "{} {} {kind}",
                settlements[at[w]].name,
                stems.next().unwrap_or_default()
            );
            let mut phases = vec![Phase::Secondary];
            if rng.unit() < p.sixth_form_share {
                phases.push(Phase::Post16);
            }
            let place = near(rng, w, 1.0);
            out.push(mainstream_school(
                rng,
                &mut ids,
                name,
                phases,
                place,
                academy,
                p.host_share,
            ));
        }
    }
    // Special schools and colleges of the demo's designations in turn, in localities drawn by
    // young residents; then in-area independent schools likewise.
    let n_special = ((young_total / YOUNG_PER_SPECIAL).round() as usize).max(SPECIAL_SCHOOLS.len());
    for i in 0..n_special {
        let t = i % SPECIAL_SCHOOLS.len();
        let spec = &SPECIAL_SCHOOLS[t];
        let w = pick(young, rng.unit());
        let place = near(rng, w, 0.6);
        let suffix = if spec.kind == SchoolKind::Post16 {
            "Specialist College"
        } else {
            "School"
        };
        out.push(School {
            id: Ids::step(&mut ids.special, rng, 5),
            name: format!(
                "{} {} {suffix}",
                settlements[at[w]].name,
                stems.next().unwrap_or_default()
            ),
            kind: spec.kind,
            phases: spec.phases.to_vec(),
            lat: place.0,
            lon: place.1,
            can_host_base: false,
            // Room to expand where the demo's school of this designation has it.
            max_new_places: (spec.room > 0).then_some(spec.room),
            spec: Some(t),
        });
    }
    let n_independent = ((young_total / YOUNG_PER_INDEPENDENT).round() as usize).max(1);
    for i in 0..n_independent {
        let t = i % INDEPENDENT_SCHOOLS.len();
        let spec = &INDEPENDENT_SCHOOLS[t];
        let w = pick(young, rng.unit());
        let place = near(rng, w, 0.6);
        out.push(School {
            id: Ids::step(&mut ids.independent, rng, 40),
            name: format!("{} House School", stems.next().unwrap_or_default()),
            kind: SchoolKind::Independent,
            phases: spec.places.iter().map(|(p, _)| *p).collect(),
            lat: place.0,
            lon: place.1,
            can_host_base: false,
            max_new_places: None,
            spec: Some(t),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// scenario.toml

fn scenario_toml(
    scale: Scale,
    p: &Params,
    seed: u64,
    n_localities: usize,
    young: f64,
    budget: f64,
) -> String {
    let forecast = ForecastSettings {
        runs: p.runs,
        ..ForecastSettings::default()
    };
    format!(
        r#"# Synthetic {scale} instance: {what}, {n_localities} localities, about {young:.0} residents aged 0-25.
# Generated by placeplan-model's synth module for benchmarks. Every name, place and number is made up.

name = "Synthetic {scale} seed {seed}"
base_year = {base_year}
horizon = {horizon}
discount_rate = 0.035
# Capital for new resourced-base places, pounds per plan year.
capital_budget = {budget:?}

{settings}"#,
        what = p.what,
        base_year = BASE_YEAR,
        horizon = HORIZON,
        settings = settings_toml(
            &JourneyLimits::default(),
            &p.travel,
            &forecast,
            Rules::Defaults
        ),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use placeplan_model::domain::Need;
    use placeplan_model::forecast::{forecast, Demand};
    use placeplan_model::plan::candidates;
    use placeplan_model::travel::TravelMatrix;

    const N_PHASES: usize = Phase::ALL.len();

    fn written(scale: Scale, seed: u64) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        write_instance(dir.path(), scale, seed).unwrap();
        dir
    }

    fn load(dir: &Path) -> Scenario {
        match crate::scenario::load_scenario(dir) {
            Ok(s) => s,
            Err(problems) => panic!("the instance does not load:\n{problems}"),
        }
    }

    /// Sizes of an instance's allocation network.
    #[derive(Debug)]
    struct Counts {
        localities: usize,
        groups: usize,
        schools: usize,
        /// Schools with existing places or able to host a new base.
        sites: usize,
        provisions: usize,
        candidates: usize,
        /// (group, existing provision or candidate) pairs within the journey limit, as the
        /// solver's `build_network` makes them (less one out-of-area arc per group).
        arcs: usize,
        /// Of which to existing provisions.
        existing_arcs: usize,
        /// Groups with no place but out of area within their limit.
        unreached: usize,
    }

    fn counts(s: &Scenario, demand: &Demand) -> Counts {
        let travel = TravelMatrix::build(s);
        let cands = candidates(s);
        let key = |n: Need, p: Phase| n.index() * N_PHASES + p.index();
        // Schools of the provisions and of the candidates that take each need and phase.
        let mut existing = vec![Vec::new(); Need::ALL.len() * N_PHASES];
        let mut new = vec![Vec::new(); Need::ALL.len() * N_PHASES];
        for e in s.provisions.iter().filter(|e| e.places > 0) {
            for n in e.needs.iter() {
                existing[key(n, e.phase)].push(e.school);
            }
        }
        for c in &cands {
            new[key(c.need, c.phase)].push(c.school);
        }
        let (mut arcs, mut existing_arcs, mut unreached) = (0, 0, 0);
        for g in &demand.groups {
            let limit = s.journey.minutes(g.phase);
            let reached = |schools: &[usize]| {
                schools
                    .iter()
                    .filter(|&&school| travel.minutes(g.locality, school) <= limit)
                    .count()
            };
            let old = reached(&existing[key(g.need, g.phase)]);
            let all = old + reached(&new[key(g.need, g.phase)]);
            arcs += all;
            existing_arcs += old;
            unreached += usize::from(all == 0);
        }
        let mut site = vec![false; s.schools.len()];
        for e in &s.provisions {
            site[e.school] = true;
        }
        for c in &cands {
            site[c.school] = true;
        }
        Counts {
            localities: s.localities.len(),
            groups: demand.groups.len(),
            schools: s.schools.len(),
            sites: site.iter().filter(|x| **x).count(),
            provisions: s.provisions.len(),
            candidates: cands.len(),
            arcs,
            existing_arcs,
            unreached,
        }
    }

    /// Writes, loads and forecasts an instance, printing the sizes and timings.
    fn measure(scale: Scale) -> (Scenario, Counts) {
        let t0 = Instant::now();
        let dir = written(scale, 1);
        let t1 = Instant::now();
        let s = load(dir.path());
        let t2 = Instant::now();
        let f = forecast(&s);
        let t3 = Instant::now();
        let demand = f.specialist_demand(s.localities.len());
        let c = counts(&s, &demand);
        let t4 = Instant::now();
        let capacity: f64 = s.provisions.iter().map(|e| e.places as f64).sum();
        let last = s.base_year + s.horizon as i32;
        let span = |v: Vec<f64>| {
            let (lo, hi) = v
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
            hi - lo
        };
        let lat = span(s.localities.iter().map(|l| l.lat).collect());
        let lon = span(s.localities.iter().map(|l| l.lon).collect());
        println!(
            "  localities span {:.0} km north-south, {:.0} km east-west",
            lat * 111.0,
            lon * params(scale).km_per_deg_lon
        );
        println!(
            "{scale}: {c:?}\n  write {:.2}s, load {:.2}s, forecast ({} runs) {:.2}s, network {:.2}s\n  \
             specialist: base {:.0}, {last} {:.0}; existing places {capacity}; budget {:?}/yr; \
             pupils {last}: {}",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            s.forecast.runs,
            (t3 - t2).as_secs_f64(),
            (t4 - t3).as_secs_f64(),
            placeplan_model::forecast::base_year_specialist(&s),
            f.specialist_total(last),
            s.capital_budget[0],
            demand.total(demand.years.len() - 1),
        );
        (s, c)
    }

    #[test]
    fn scale_names_round_trip() {
        for scale in Scale::ALL {
            assert_eq!(scale.to_string().parse::<Scale>(), Ok(scale));
        }
        assert_eq!(" LSOA ".parse::<Scale>(), Ok(Scale::Lsoa));
        assert!("county".parse::<Scale>().is_err());
    }

    #[test]
    fn same_seed_writes_the_same_bytes() {
        let a = written(Scale::Ward, 7);
        let b = written(Scale::Ward, 7);
        crate::generator::files::assert_same_scenario_files(a.path(), b.path());
    }

    #[test]
    fn different_seeds_write_different_instances() {
        let a = written(Scale::Ward, 7);
        let b = written(Scale::Ward, 8);
        for f in crate::generator::files::FILES {
            let x = std::fs::read(a.path().join(f)).unwrap();
            let y = std::fs::read(b.path().join(f)).unwrap();
            assert!(x != y, "{f} is the same for seeds 7 and 8");
        }
    }

    #[test]
    fn ward_instance_loads_and_has_the_intended_size() {
        let (s, c) = measure(Scale::Ward);
        assert!((20..=30).contains(&c.localities), "{c:?}");
        assert!((550..=850).contains(&c.groups), "{c:?}");
        assert!((140..=200).contains(&c.sites), "{c:?}");
        assert!(c.schools >= c.sites, "{c:?}");
        assert!((8_000..=40_000).contains(&c.arcs), "{c:?}");
        assert!(c.unreached * 20 <= c.groups, "{c:?}");
        // Existing places and new bases both within reach.
        assert!(c.provisions >= 30 && c.candidates >= 4 * 140, "{c:?}");
        assert!(
            c.existing_arcs > c.groups && c.existing_arcs < c.arcs / 2,
            "{c:?}"
        );
        // The same instance in memory.
        assert_eq!(instance(Scale::Ward, 1).unwrap(), s);
        // Growth outruns existing places by more than a year's budget buys, so the budget binds.
        let f = forecast(&s);
        let capacity: f64 = s.provisions.iter().map(|e| e.places as f64).sum();
        let short = f.specialist_total(s.base_year + 2) - capacity;
        assert!(
            short * s.costs.capex_per_place > s.capital_budget[0],
            "shortfall {short:.0} places against {:?} a year",
            s.capital_budget[0]
        );
        for l in &s.localities {
            assert!((52.7..=53.2).contains(&l.lat) && (-1.6..=-0.7).contains(&l.lon));
        }
    }

    /// The instances ask for the model councils use: the scenario defaults for whole bases and
    /// stability, special schools with room to expand and candidate sites for new ones.
    #[test]
    fn ward_instance_carries_the_realistic_defaults() {
        let dir = written(Scale::Ward, 1);
        let text = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
        assert!(
            !text.contains("modular") && !text.contains("stability"),
            "{text}"
        );
        let s = load(dir.path());
        let defaults = Scenario::default();
        assert_eq!(s.bases.modular, defaults.bases.modular);
        assert_eq!(s.solver, defaults.solver);
        assert!(s.bases.modular && s.solver.stability);
        let sites = s.schools.iter().filter(|sc| sc.kind == SchoolKind::Site);
        assert_eq!(sites.clone().count(), 1);
        assert!(sites.clone().all(|sc| sc.max_new_places == 120));
        let room = s
            .schools
            .iter()
            .filter(|sc| {
                matches!(sc.kind, SchoolKind::Special | SchoolKind::Post16) && sc.max_new_places > 0
            })
            .count();
        assert!(room >= 3, "{room} special schools with room");
        // Both kinds of special-school option are candidates.
        let cands = candidates(&s);
        for kind in [SchoolKind::Site, SchoolKind::Special] {
            assert!(
                cands.iter().any(|c| s.schools[c.school].kind == kind),
                "no {kind:?} candidate"
            );
        }
    }

    #[test]
    #[ignore = "large: run with --release -- --ignored --nocapture"]
    fn lsoa_instance_has_the_intended_size() {
        let (_, c) = measure(Scale::Lsoa);
        assert!((5_000..=7_000).contains(&c.groups), "{c:?}");
        assert!((170..=230).contains(&c.sites), "{c:?}");
        assert!((180_000..=260_000).contains(&c.arcs), "{c:?}");
    }

    #[test]
    #[ignore = "large: run with --release -- --ignored --nocapture"]
    fn region_instance_has_the_intended_size() {
        let (_, c) = measure(Scale::Region);
        assert!((42_000..=58_000).contains(&c.groups), "{c:?}");
        assert!((1_700..=2_300).contains(&c.sites), "{c:?}");
        assert!((1_500_000..=2_100_000).contains(&c.arcs), "{c:?}");
    }
}
