//! The check's rules for new provision, read again from the scenario (docs/model.md,
//! "Provision options"): where each kind may go, its sizes and steps, and when its places can
//! first be used. Nothing here calls `plan::candidates`, `Scenario::build_rules` or the
//! formulation.

use std::collections::BTreeMap;

use crate::plan::{BuildKind, Candidate, Plan};
use crate::{Phase, Scenario, SchoolGender, SchoolKind};

use super::costs::{lead_of, unit_key};
use super::TOL;

/// Why a candidate may not receive new places, if it may not.
pub(super) fn host_problem(s: &Scenario, c: &Candidate) -> Option<String> {
    let sc = &s.schools[c.school];
    if sc.max_new_places == 0 {
        return Some(format!("school {} has no room for new places", sc.id));
    }
    match c.kind {
        BuildKind::ResourcedBase => base_host_problem(s, c),
        BuildKind::SpecialExpansion | BuildKind::Post16 => {
            let post16_phase = matches!(c.phase, Phase::Post16 | Phase::Post19);
            let right_kind = match c.kind {
                BuildKind::Post16 => {
                    (sc.kind == SchoolKind::Special && post16_phase)
                        || sc.kind == SchoolKind::Post16
                }
                _ => sc.kind == SchoolKind::Special && !post16_phase,
            };
            let serves = s.provisions.iter().any(|p| {
                p.school == c.school
                    && p.places > 0
                    && p.phase == c.phase
                    && p.needs.contains(c.need)
            });
            if !s.expansion.enabled {
                Some("[expansion] enabled is off".to_string())
            } else if !right_kind {
                Some(format!(
                    "a {} expansion at {} school {} is not allowed",
                    c.phase,
                    sc.kind.code(),
                    sc.id
                ))
            } else if !serves {
                Some(format!(
                    "school {} has no {} {} places to expand",
                    sc.id, c.need, c.phase
                ))
            } else {
                None
            }
        }
        BuildKind::NewSpecialSchool => {
            if sc.kind != SchoolKind::Site {
                Some(format!("school {} is not a candidate site", sc.id))
            } else if !sc.phases.contains(c.phase) {
                Some(format!("site {} is not for {} pupils", sc.id, c.phase))
            } else if !s.new_school.needs.contains(&c.need) {
                Some(format!("a new special school does not serve {}", c.need))
            } else {
                None
            }
        }
    }
}

fn base_host_problem(s: &Scenario, c: &Candidate) -> Option<String> {
    let sc = &s.schools[c.school];
    // The statutory age range, read again: the high age is the age pupils leave at.
    let outside_ages = sc.ages.is_some_and(|(lo, hi)| {
        let band = c.phase.age_group().ages();
        *band.start() >= hi || *band.end() < lo
    });
    if sc.kind != SchoolKind::Mainstream || !sc.can_host_base {
        Some(format!("school {} may not host a new base", sc.id))
    } else if sc.gender != SchoolGender::Mixed && !s.bases.allow_single_sex {
        Some(format!(
            "school {} is a {} school and [bases] allow_single_sex is off",
            sc.id, sc.gender
        ))
    } else if sc.selective && !s.bases.allow_selective {
        Some(format!(
            "school {} is selective and [bases] allow_selective is off",
            sc.id
        ))
    } else if outside_ages {
        Some(format!(
            "a {} base at school {} is outside its statutory age range",
            c.phase, sc.id
        ))
    } else if !sc.phases.contains(c.phase) || !s.bases.phases.contains(&c.phase) {
        Some(format!(
            "a {} base at school {} is not allowed",
            c.phase, sc.id
        ))
    } else if !s.bases.needs.contains(&c.need) {
        Some(format!(
            "a {} base at school {} is not an allowed need",
            c.need, sc.id
        ))
    } else {
        None
    }
}

/// Size range, whole classes and timing of every unit's builds: the violations found, and the
/// number of facts verified.
pub(super) fn size_problems(s: &Scenario, plan: &Plan) -> (Vec<String>, usize) {
    let n_years = plan.years.len();
    let mut out = Vec::new();
    let mut checked = 0;
    let mut per_unit: BTreeMap<(usize, usize), (BuildKind, crate::Need, f64)> = BTreeMap::new();
    for b in &plan.builds {
        let cand = &plan.candidates[b.candidate];
        let id = &s.schools[cand.school].id;
        if b.funded + lead_of(s, cand) >= n_years {
            out.push(format!(
                "{} places funded in {} at {id} cannot open within the horizon",
                b.places, plan.years[b.funded]
            ));
        }
        if matches!(cand.kind, BuildKind::SpecialExpansion | BuildKind::Post16) && s.bases.modular {
            let class = f64::from(s.expansion.class_size.max(1));
            let classes = b.places / class;
            if (classes - classes.round()).abs() > TOL {
                out.push(format!(
                    "{} places at {id} are not whole classes of {class}",
                    b.places
                ));
            } else {
                checked += 1;
            }
        }
        let e = per_unit
            .entry(unit_key(plan, b.candidate))
            .or_insert((cand.kind, cand.need, 0.0));
        e.2 += b.places;
    }
    for ((school, _), (kind, need, n)) in per_unit {
        let (min, max) = match kind {
            // A base's own range for its need, where the scenario gives one.
            BuildKind::ResourcedBase => match s.bases.sizes.get(&need) {
                Some(r) => (r.min_size, r.max_size),
                None => (s.bases.min_size, s.bases.max_size),
            },
            BuildKind::NewSpecialSchool => (s.new_school.min_size, s.new_school.max_size),
            BuildKind::SpecialExpansion | BuildKind::Post16 => (0, u32::MAX),
        };
        let (min, max) = (f64::from(min), f64::from(max));
        let id = &s.schools[school].id;
        let what = kind.label().to_lowercase();
        if n > max + TOL {
            out.push(format!(
                "{what} at {id} has {n} places, over the maximum size {max}"
            ));
        } else if s.bases.modular && n > TOL && n < min - TOL {
            out.push(format!(
                "{what} at {id} has {n} places, under the minimum size {min}"
            ));
        } else {
            checked += 1;
        }
    }
    (out, checked)
}
