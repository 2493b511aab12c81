//! The synthetic demo local authority that `placeplan demo` writes.
//!
//! "Demo Borough" is a made-up metropolitan borough sized like Wirral: about 320,000 residents
//! (95,000 aged 0-25) in 22 wards on a 15 km x 20 km patch around 53.37 N, 3.07 W, with about 90
//! primary and 20 secondary mainstream schools, 8 special schools, a specialist post-16 college
//! and two independent special schools. Nothing in it is real.
//!
//! The EHC-plan history (January 2019-2025) comes from a cohort simulation that uses the
//! forecast's own continuation rates: each year every plan ages one year and continues with
//! [`CONTINUATION`](placeplan_model::forecast::CONTINUATION), and new plans arrive at
//! population x incidence(age, need) x ward factor x
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

use crate::atomic::write_atomic;
use crate::generator::caseload::{calibrate, simulate, Targets};
use crate::generator::files::{
    capacity_csv, history_csv, localities_csv, population_csv, schools_csv, settings_toml, Rules,
};
use crate::generator::population::{population, Ward};
use crate::generator::rng::{apportion, stream_of, Rng};
use crate::generator::schools::{
    capacity, mainstream_school, name_stems, Ids, IndependentSpec, School, SpecialSpec,
    CHURCH_SCHOOLS,
};
use crate::generator::{BASE_YEAR, HORIZON, LAST_YEAR};
use placeplan_model::domain::{
    ForecastSettings, JourneyLimits, Need, Phase, SchoolKind, TravelSettings,
};

/// Name of the demo scenario.
pub const DEMO_NAME: &str = "Demo Borough";

/// Wirral: 2,121 plans in 2019; 4,858 in 2025 ([`crate::synth`] scales them by young residents,
/// see [`demo_young`]).
pub(crate) const DEMO_TARGETS: Targets = Targets {
    first_year: 2121.0,
    by_group: [156.0, 1462.0, 1756.0, 1057.0, 427.0],
};

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

/// The demo's special schools and college; [`crate::synth`] places schools of the same
/// designations. An empty `needs` list means every need (`ANY`).
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
        room: 24,
    },
    SpecialSpec {
        name: "Meadow Bank School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd, Need::Slcn],
        phases: &[Phase::EarlyYears, Phase::Primary],
        ward: 1,
        weight: 1.0,
        room: 0,
    },
    SpecialSpec {
        name: "Kingsway School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd, Need::Slcn],
        phases: &[Phase::Secondary, Phase::Post16],
        ward: 8,
        weight: 1.0,
        room: 0,
    },
    SpecialSpec {
        name: "Hilltop School",
        kind: SchoolKind::Special,
        needs: &[Need::Semh],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 2,
        weight: 1.0,
        room: 0,
    },
    SpecialSpec {
        name: "Beacon School",
        kind: SchoolKind::Special,
        needs: &[Need::Semh],
        phases: &[Phase::Secondary],
        ward: 0,
        weight: 1.0,
        room: 0,
    },
    SpecialSpec {
        name: "Riverside School",
        kind: SchoolKind::Special,
        needs: &[Need::Mld, Need::Sld],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 10,
        weight: 1.0,
        room: 16,
    },
    SpecialSpec {
        name: "Lighthouse School",
        kind: SchoolKind::Special,
        needs: &[],
        phases: &[Phase::EarlyYears, Phase::Primary, Phase::Secondary],
        ward: 7,
        weight: 0.2,
        room: 0,
    },
    SpecialSpec {
        name: "Stanton Grange School",
        kind: SchoolKind::Special,
        needs: &[Need::Asd],
        phases: &[Phase::Primary, Phase::Secondary],
        ward: 18,
        weight: 1.0,
        room: 0,
    },
    SpecialSpec {
        name: "Northgate Specialist College",
        kind: SchoolKind::Post16,
        needs: &[],
        phases: &[Phase::Post16, Phase::Post19],
        ward: 3,
        weight: 1.0,
        room: 16,
    },
];

/// The demo's in-area independent special schools; [`crate::synth`] places schools of the same
/// designations.
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

/// Writes the demo scenario (`scenario.toml` and five CSV files) into `dir`, creating it.
/// Every call writes the same bytes.
pub fn write_demo(dir: &Path) -> std::io::Result<()> {
    for (name, text) in build() {
        write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

/// Every file of the demo, as (file name, contents).
pub(crate) fn build() -> Vec<(&'static str, String)> {
    let ids: Vec<String> = (0..N_WARDS).map(ward_id).collect();
    let pop = population(&WARDS, &mut stream(1));
    let rates = calibrate(&pop, &WARDS, &DEMO_TARGETS);
    let caseload = simulate(&pop, &rates, &WARDS, &mut stream(2));
    let schools = schools();
    let capacity = capacity(
        &schools,
        &caseload,
        &SPECIAL_SCHOOLS,
        &INDEPENDENT_SCHOOLS,
        &mut stream(4),
    );
    vec![
        ("scenario.toml", scenario_toml()),
        ("localities.csv", localities_csv(&WARDS, &ids)),
        ("population.csv", population_csv(&pop, &ids)),
        ("history.csv", history_csv(&caseload, &ids)),
        ("schools.csv", schools_csv(&schools)),
        ("capacity.csv", capacity_csv(&schools, &capacity)),
    ]
}

/// Stream `id` of the demo's fixed seed.
fn stream(id: u64) -> Rng {
    stream_of(0x5EED_D3E0_B0B0_2025, id)
}

fn ward_id(w: usize) -> String {
    format!("W{:02}", w + 1)
}

/// The demo's schools: primaries and secondaries spread over the wards by young residents (the
/// largest wards' secondaries with sixth forms), then [`SPECIAL_SCHOOLS`] and
/// [`INDEPENDENT_SCHOOLS`] near their wards.
fn schools() -> Vec<School> {
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
        out.push(School {
            id,
            name: s.name.to_string(),
            kind: s.kind,
            phases: s.phases.to_vec(),
            lat,
            lon,
            can_host_base: false,
            max_new_places: (s.room > 0).then_some(s.room),
            spec: Some(i),
        });
    }
    for (i, s) in INDEPENDENT_SCHOOLS.iter().enumerate() {
        let (lat, lon) = near(&mut rng, s.ward, 0.6);
        out.push(School {
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
    // A candidate site for a new special school (`[new_school]`), in Tranmoor.
    out.push(School {
        id: SITE_ID,
        name: "Former Tranmoor Depot (site)".to_string(),
        kind: SchoolKind::Site,
        phases: vec![Phase::Primary, Phase::Secondary],
        lat: 53.3800,
        lon: -3.0250,
        can_host_base: false,
        max_new_places: Some(120),
        spec: None,
    });
    out
}

/// The id of the demo's candidate site for a new special school.
const SITE_ID: u32 = 199_001;

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
            &ForecastSettings::default(),
            Rules::Written,
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::files::{assert_same_scenario_files, FILES};
    use crate::generator::FIRST_YEAR;
    use crate::scenario::load_scenario;
    use placeplan_model::domain::CapitalSettings;
    use placeplan_model::domain::{
        AgeGroup, BaseRules, CostParams, ProvisionKind, Scenario, SolverSettings,
    };

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
        // The demo plans on the default rules, written out (docs/scenario-format.md).
        assert_eq!(s.solver, SolverSettings::default());
        assert_eq!(s.bases, BaseRules::default());
        assert_eq!(s.capital, CapitalSettings::default());
        let text = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
        assert!(text.starts_with("# "), "starts with a comment");
        assert!(text.contains("\nmodular = true\n") && text.contains("\nstability = true\n"));
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
