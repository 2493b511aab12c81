//! Places the authority plans to use: the occupancy target and pupils from other authorities
//! (docs/model.md, "Occupancy target").
//!
//! A provision is planned to be filled to at most `[solver] occupancy_target` of its places
//! (default 95%), so that every school keeps room for pupils who arrive during the year.
//!
//! - **New places**: pupils in new places use at most the target share of them, in whole pupils:
//!   [`pupils_in`] (a base of 20 at 95% takes 19 pupils, a base of 8 takes 7).
//! - **Existing places**: pupils already placed are never moved to meet the target, so a
//!   provision already fuller than its target keeps its pupils and takes new ones only as they
//!   leave. placeplan's history tells pupils already placed by kind of provision (resourced
//!   base, special, independent), need, phase and locality, not by school, so in each plan year
//!   the pupils already placed who are still in their phase ([`staying_cohorts`] with a kind)
//!   are counted per kind and phase and shared over that kind and phase's provisions in
//!   proportion to their places. A provision may then hold the larger of the target share of
//!   its places (rounded down) and its share of those pupils (rounded up), and never more than
//!   its places: [`planned_places`].
//! - **Pupils from other authorities** (capacity.csv `other_la_pupils`) keep their places in
//!   every plan year: they count towards the target, and the authority's own pupils (and the
//!   share of its pupils already placed) use the places left.

use crate::cohort::staying_cohorts;
use crate::domain::{Phase, ProvisionKind, Scenario};
use crate::forecast::Demand;

/// Slack on products of a share and a count before rounding, so that 0.95 x 20 is 19.
const EPS: f64 = 1e-9;

/// Pupils that `places` new places take at the scenario's occupancy target: whole pupils.
pub fn pupils_in(s: &Scenario, places: f64) -> f64 {
    (places * s.solver.occupancy_target + EPS).floor().max(0.0)
}

/// Fewest whole new places that take `pupils` pupils at the scenario's occupancy target.
pub fn places_for(s: &Scenario, pupils: f64) -> f64 {
    if pupils <= 0.0 {
        return 0.0;
    }
    let mut places = (pupils / s.solver.occupancy_target - EPS).ceil();
    // Guard the division's rounding: the fewest places whose whole pupils reach `pupils`.
    while pupils_in(s, places) < pupils.ceil() {
        places += 1.0;
    }
    while places > 1.0 && pupils_in(s, places - 1.0) >= pupils.ceil() {
        places -= 1.0;
    }
    places
}

/// Places each existing provision may hold of the authority's pupils in each plan year:
/// `[k][t]` (module docs).
pub fn planned_places(s: &Scenario, demand: &Demand) -> Vec<Vec<u32>> {
    let n_years = demand.years.len();
    let target = s.solver.occupancy_target;
    // Pupils already placed still in their phase, per (kind, phase) and year.
    let mut stock: std::collections::BTreeMap<(ProvisionKind, Phase), Vec<u64>> =
        std::collections::BTreeMap::new();
    if target < 1.0 {
        for c in staying_cohorts(s, demand) {
            let Some(kind) = c.placed else { continue };
            let phase = demand.groups[c.group].phase;
            let row = stock.entry((kind, phase)).or_insert(vec![0; n_years]);
            for v in &mut row[c.first..=c.last] {
                *v += c.pupils as u64;
            }
        }
    }
    // Places left to this authority after other authorities' pupils, per (kind, phase).
    let own = |p: &crate::domain::ExistingProvision| p.places.saturating_sub(p.other_la_pupils);
    let mut total: std::collections::BTreeMap<(ProvisionKind, Phase), u64> =
        std::collections::BTreeMap::new();
    for (k, p) in s.provisions.iter().enumerate() {
        *total.entry((s.provision_kind(k), p.phase)).or_default() += own(p) as u64;
    }
    s.provisions
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let at_target =
                ((p.places as f64 * target + EPS).floor() as u32).saturating_sub(p.other_la_pupils);
            let key = (s.provision_kind(k), p.phase);
            let all = total.get(&key).copied().unwrap_or(0);
            (0..n_years)
                .map(|t| {
                    let placed = stock.get(&key).map_or(0, |row| row[t]);
                    let share = if all == 0 {
                        0
                    } else {
                        ((placed as f64 * own(p) as f64 / all as f64) - EPS).ceil() as u32
                    };
                    at_target.max(share).min(own(p))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(target: f64) -> Scenario {
        let mut s = Scenario::default();
        s.solver.occupancy_target = target;
        s
    }

    #[test]
    fn whole_pupils_in_new_places_hand_worked() {
        let s = at(0.95);
        // 0.95 x 20 = 19; 0.95 x 8 = 7.6 -> 7; 0.95 x 150 = 142.5 -> 142.
        assert_eq!(pupils_in(&s, 20.0), 19.0);
        assert_eq!(pupils_in(&s, 8.0), 7.0);
        assert_eq!(pupils_in(&s, 150.0), 142.0);
        // 19 pupils need 20 places; 7 need 8 (7 places take 6.65 -> 6); 8 need 9 (8.55 -> 8).
        assert_eq!(places_for(&s, 19.0), 20.0);
        assert_eq!(places_for(&s, 7.0), 8.0);
        assert_eq!(places_for(&s, 8.0), 9.0);
        assert_eq!(places_for(&s, 0.0), 0.0);
        let full = at(1.0);
        assert_eq!(pupils_in(&full, 8.0), 8.0);
        assert_eq!(places_for(&full, 8.0), 8.0);
    }

    #[test]
    fn places_for_is_the_fewest_places_that_take_the_pupils() {
        for target in [0.5, 0.8, 0.9, 0.95, 0.96, 1.0] {
            let s = at(target);
            for pupils in 1..300 {
                let p = places_for(&s, pupils as f64);
                assert!(pupils_in(&s, p) >= pupils as f64, "{target} {pupils}");
                assert!(pupils_in(&s, p - 1.0) < pupils as f64, "{target} {pupils}");
            }
        }
    }
}
