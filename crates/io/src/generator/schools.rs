//! Schools and existing capacity: mainstream schools and their names, the specialist school
//! designations, and the capacity rows set from the base-year caseload.

use placeplan_model::domain::{Need, NeedSet, Phase, ProvisionKind, SchoolKind, N_AGES};

use super::caseload::Caseload;
use super::rng::Rng;
use super::{group_of, N_GROUPS, N_NEEDS, N_PROV};

/// A special school or college: name, designation, phases taught, ward, share of matching pupils.
pub(crate) struct SpecialSpec {
    pub(crate) name: &'static str,
    pub(crate) kind: SchoolKind,
    /// An empty list means every need (`ANY`).
    pub(crate) needs: &'static [Need],
    pub(crate) phases: &'static [Phase],
    pub(crate) ward: usize,
    pub(crate) weight: f64,
    /// Room on site for new places (`max_new_places`; 0: none), for `[expansion]`.
    pub(crate) room: u32,
}

/// In-area independent special schools: name, need, ward, places by phase.
pub(crate) struct IndependentSpec {
    pub(crate) name: &'static str,
    pub(crate) need: Need,
    pub(crate) ward: usize,
    pub(crate) places: &'static [(Phase, u32)],
}

/// Existing special capacity is this much above the base-year special pupils it serves.
const SPECIAL_HEADROOM: f64 = 1.04;
/// Existing resourced-base capacity is this much above the base-year resourced-base pupils.
const BASE_HEADROOM: f64 = 1.03;
/// Smallest and largest existing resourced base.
const BASE_SIZES: (u32, u32) = (8, 20);

/// A school as the generators make it, before it is written to `schools.csv`.
pub(crate) struct School {
    pub(crate) id: u32,
    pub(crate) name: String,
    pub(crate) kind: SchoolKind,
    pub(crate) phases: Vec<Phase>,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) can_host_base: bool,
    pub(crate) max_new_places: Option<u32>,
    /// Index into the special or independent designations given to [`capacity`], for
    /// specialist schools.
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
) -> School {
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
    School {
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

fn need_set(needs: &[Need]) -> NeedSet {
    if needs.is_empty() {
        return NeedSet::all();
    }
    needs.iter().fold(NeedSet::default(), |s, n| s.with(*n))
}

/// One capacity.csv row: school index, needs, phase, places.
pub(crate) struct CapacityRow {
    pub(crate) school: usize,
    pub(crate) needs: NeedSet,
    pub(crate) phase: Phase,
    pub(crate) places: u32,
}

/// Existing capacity: special schools and the college a little above the base-year special
/// pupils they serve, resourced bases a little above the base-year resourced-base pupils, and
/// the independent schools' fixed places.
/// `caseload` gives the base-year pupils (its last year); a specialist school's `spec` indexes
/// `specials` (special schools and colleges) or `independents` (independent schools).
pub(crate) fn capacity(
    schools: &[School],
    caseload: &Caseload,
    specials: &[SpecialSpec],
    independents: &[IndependentSpec],
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
    let designated = specials;
    let specials: Vec<(usize, &SpecialSpec)> = schools
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind, SchoolKind::Special | SchoolKind::Post16))
        .filter_map(|(i, s)| s.spec.map(|j| (i, &designated[j])))
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
        if let Some(spec) = s.spec.map(|j| &independents[j]) {
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
