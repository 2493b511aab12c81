//! The check's own reading of the occupancy target for existing places (docs/model.md,
//! "Occupancy target"), worked out from the scenario without the planning code's
//! `capacity` module.

use std::collections::HashMap;

use crate::cohort::Cohort;
use crate::forecast::Demand;
use crate::{ProvisionKind, Scenario, SchoolKind};

/// Pupils of the authority's own each existing provision may hold in each plan year, `[k][t]`:
/// the larger of its places at the target (rounded down) less other authorities' pupils, and its
/// share, by the places left to the authority, of the pupils already placed in its kind of
/// provision and phase who are still in phase (rounded up); at most the places left.
/// `staying` are the scenario's cohorts with stability (`cohort::staying_cohorts`).
pub(super) fn existing_capacity(
    s: &Scenario,
    demand: &Demand,
    staying: &[Cohort],
) -> Vec<Vec<f64>> {
    let n_years = demand.years.len();
    let target = s.solver.occupancy_target;
    let kind_of = |school: usize| match s.schools[school].kind {
        SchoolKind::Mainstream => ProvisionKind::ResourcedBase,
        SchoolKind::Independent => ProvisionKind::Independent,
        SchoolKind::Special | SchoolKind::Post16 | SchoolKind::Site => ProvisionKind::Special,
    };
    // Places left after other authorities' pupils.
    let left = |p: &crate::ExistingProvision| p.places as f64 - p.other_la_pupils as f64;
    let mut places_of: HashMap<_, f64> = HashMap::new();
    for p in &s.provisions {
        *places_of.entry((kind_of(p.school), p.phase)).or_default() += left(p);
    }
    let mut still_placed: HashMap<_, Vec<f64>> = HashMap::new();
    for c in staying {
        if let Some(kind) = c.placed {
            let row = still_placed
                .entry((kind, demand.groups[c.group].phase))
                .or_insert_with(|| vec![0.0; n_years]);
            for v in &mut row[c.first..=c.last] {
                *v += c.pupils as f64;
            }
        }
    }
    s.provisions
        .iter()
        .map(|p| {
            let key = (kind_of(p.school), p.phase);
            let mine = left(p);
            (0..n_years)
                .map(|t| {
                    let at_target = ((p.places as f64 * target + 1e-9).floor()
                        - p.other_la_pupils as f64)
                        .max(0.0);
                    let share = match (still_placed.get(&key), places_of.get(&key)) {
                        (Some(row), Some(&all)) if all > 0.0 && target < 1.0 => {
                            (row[t] * mine / all - 1e-9).ceil()
                        }
                        _ => 0.0,
                    };
                    at_target.max(share).min(mine)
                })
                .collect()
        })
        .collect()
}
