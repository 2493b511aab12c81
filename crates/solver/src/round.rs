//! Whole bases from the relaxation ("round and fix"), the default way plans with whole bases
//! are found without a MIP solver.
//!
//! 1. Solve the model with fractional places (the relaxation: no opening decisions, no
//!    minimum base size, no set-up costs). Its cost is a proven lower bound on the cost of any
//!    plan with whole bases.
//! 2. Round its new places to whole bases, largest first: a candidate whose relaxed places come
//!    to at least half the minimum base size becomes a base of its relaxed size rounded to whole
//!    places and brought within the size range and what is left of its school's site. Its
//!    places are funded in the years the relaxation funded them (cumulative rounding), and,
//!    where a year's budget (set-up cost included) cannot pay, later, while places funded then
//!    can still be used within the horizon. A base that cannot reach its minimum size is
//!    dropped.
//! 3. Fix those bases and place every pupil at least cost.
//!
//! The plan is reported with status `rounded` and the relaxation's cost as its bound, so the
//! gap in `summary.json` is proven: no plan with whole bases costs less than the bound.

use placeplan_model::capacity::places_for;
use placeplan_model::plan::{unit_max, units, Build, Candidate, Plan, SolveStatus};
use placeplan_model::Scenario;

/// Relaxed places below this share of the minimum unit size are not worth a unit.
const KEEP_SHARE: f64 = 0.5;

/// Whole numbers in steps: `n` rounded to the nearest multiple of `step`.
fn nearest_step(n: f64, step: u32) -> u32 {
    ((n / step as f64).round() as u32) * step
}

/// Whole units rounded from a relaxed plan's builds, within sizes, sites and budgets. A unit
/// ([`units`]: a base, an expansion, a new school over its needs and phases) whose relaxed
/// places come to at least half its minimum size becomes a unit of its relaxed size, rounded to
/// whole steps (classes for expansions) and brought within its size range and what is left of
/// its site; a new school's places are shared among its needs and phases as the relaxation
/// shared them (largest remainder). Each member's places are funded in the years the
/// relaxation funded them (cumulative rounding) and, where a year's budget (set-up cost
/// included) cannot pay, later, while places funded then can still be used within the horizon.
/// A unit that cannot reach its minimum size is dropped.
pub(crate) fn round_builds(s: &Scenario, candidates: &[Candidate], relaxed: &Plan) -> Vec<Build> {
    let n_years = relaxed.years.len();
    let unit = units(candidates);
    // Relaxed places per candidate and funding year.
    let mut relaxed_places = vec![vec![0.0f64; n_years]; candidates.len()];
    for b in &relaxed.builds {
        relaxed_places[b.candidate][b.funded] += b.places;
    }
    let totals: Vec<f64> = relaxed_places.iter().map(|ys| ys.iter().sum()).collect();
    let mut unit_total = vec![0.0f64; candidates.len()];
    for (c, &u) in unit.iter().enumerate() {
        unit_total[u] += totals[c];
    }
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&u| {
            unit[u] == u
                && unit_total[u] >= KEEP_SHARE * s.unit_rules(&candidates[u]).min_size as f64
        })
        .collect();
    order.sort_by(|&a, &b| unit_total[b].total_cmp(&unit_total[a]).then(a.cmp(&b)));

    let mut budget_left: Vec<f64> = (0..n_years)
        .map(|f| s.capital_budget.get(f).copied().unwrap_or(0.0))
        .collect();
    let mut site_left: Vec<u32> = s.schools.iter().map(|sc| sc.max_new_places).collect();
    let mut builds = Vec::new();
    for u in order {
        let cand = &candidates[u];
        let rules = s.unit_rules(cand);
        let (min, step) = (rules.min_size, rules.step);
        let room = unit_max(s, cand).min(site_left[cand.school]);
        let room = room - room % step;
        let size = nearest_step(unit_total[u], step)
            .clamp(min, unit_max(s, cand).max(min))
            .min(room);
        if size < min {
            continue;
        }
        let members: Vec<usize> = (u..candidates.len())
            .take_while(|&c| unit[c] == u)
            .collect();
        let shares = share_out(size / step, &members, &totals);
        // Fund within each year's budget on a copy, kept only if the unit reaches its minimum.
        let mut left = budget_left.clone();
        let mut unit_builds = Vec::new();
        let mut opened = false;
        for (&c, &classes) in members.iter().zip(&shares) {
            if classes == 0 {
                continue;
            }
            let wanted = spread(&relaxed_places[c], totals[c], classes);
            let capex = s.candidate_capex(&candidates[c]) * step as f64;
            let lead = rules.lead_time as usize;
            let mut carry = 0u32;
            for f in 0..n_years {
                let want = wanted[f] + carry;
                if want == 0 {
                    continue;
                }
                if f + lead >= n_years {
                    // Places funded now could not be used within the horizon.
                    break;
                }
                let fixed = if opened { 0.0 } else { rules.setup_cost };
                let room = left[f] - fixed;
                let affordable = if room < 0.0 {
                    0
                } else if capex > 0.0 {
                    ((room / capex) + 1e-9).floor().min(want as f64) as u32
                } else {
                    want
                };
                carry = want - affordable;
                if affordable > 0 {
                    left[f] -= affordable as f64 * capex + fixed;
                    opened = true;
                    unit_builds.push(Build {
                        candidate: c,
                        funded: f,
                        places: (affordable * step) as f64,
                    });
                }
            }
        }
        let total: u32 = unit_builds.iter().map(|b| b.places as u32).sum();
        if total < min {
            continue;
        }
        budget_left = left;
        site_left[cand.school] -= total;
        builds.extend(unit_builds);
    }
    builds.sort_by_key(|b| (b.candidate, b.funded));
    builds
}

/// `n` whole steps shared among a unit's members in proportion to their relaxed places
/// (largest remainder; ties to the earlier member).
fn share_out(n: u32, members: &[usize], totals: &[f64]) -> Vec<u32> {
    let sum: f64 = members.iter().map(|&c| totals[c]).sum();
    if members.len() == 1 || sum <= 0.0 {
        let mut out = vec![0; members.len()];
        out[0] = n;
        return out;
    }
    let exact: Vec<f64> = members
        .iter()
        .map(|&c| n as f64 * totals[c] / sum)
        .collect();
    let mut out: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut rest = n - out.iter().sum::<u32>();
    let mut by_remainder: Vec<usize> = (0..members.len()).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in by_remainder {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

/// `n` whole steps spread over funding years as the relaxation spread `places` (cumulative
/// rounding).
fn spread(places: &[f64], total: f64, n: u32) -> Vec<u32> {
    let mut wanted = vec![0u32; places.len()];
    if total <= 0.0 {
        if let Some(first) = wanted.first_mut() {
            *first = n;
        }
        return wanted;
    }
    let mut cumulative = 0.0;
    let mut given = 0u32;
    for (f, want) in wanted.iter_mut().enumerate() {
        cumulative += places[f];
        let upto = (((cumulative / total) * n as f64).round() as u32).min(n);
        *want = upto.saturating_sub(given);
        given = given.max(upto);
    }
    wanted
}

/// Whole places from a relaxation in which the units to open were given (each at least its
/// minimum size): each year's places rounded down to whole steps, which keeps every budget,
/// then any unit left below its minimum topped up (at its largest member) in the earliest year
/// with budget to spare, or dropped.
pub(crate) fn floor_builds(
    s: &Scenario,
    candidates: &[Candidate],
    restricted: &Plan,
) -> Vec<Build> {
    let n_years = restricted.years.len();
    let unit = units(candidates);
    let mut spend = vec![0.0f64; n_years];
    let mut relaxed = vec![vec![0.0f64; n_years]; candidates.len()];
    for b in &restricted.builds {
        relaxed[b.candidate][b.funded] += b.places;
    }
    let mut per_cand: Vec<Vec<u32>> = vec![vec![0; n_years]; candidates.len()];
    let mut site_used = vec![0u32; s.schools.len()];
    for (c, ys) in relaxed.iter().enumerate() {
        let step = s.build_rules(candidates[c].kind).step;
        let capex = s.candidate_capex(&candidates[c]);
        for (f, &p) in ys.iter().enumerate() {
            // Relaxed values a hair under a whole number are that number.
            let whole = ((p + 1e-6) / step as f64).floor() as u32 * step;
            per_cand[c][f] = whole;
            spend[f] += whole as f64 * capex;
            site_used[candidates[c].school] += whole;
        }
    }
    // Rounded up where the budget and the site allow: places that come in steps (classes) to
    // the nearest step; single places to the fewest that take the whole pupils the relaxed
    // places take at the occupancy target (8.42 places take 8 pupils at 95%: 9 places, not 8).
    for (c, ys) in relaxed.iter().enumerate() {
        let step = s.build_rules(candidates[c].kind).step;
        let school = candidates[c].school;
        for (f, &p) in ys.iter().enumerate() {
            let want = if step == 1 {
                let pupils = (p * s.solver.occupancy_target + 1e-6).floor();
                places_for(s, pupils) as u32
            } else if p - per_cand[c][f] as f64 >= step as f64 / 2.0 {
                per_cand[c][f] + step
            } else {
                0
            };
            let Some(extra) = want.checked_sub(per_cand[c][f]).filter(|&e| e > 0) else {
                continue;
            };
            let capex = s.candidate_capex(&candidates[c]) * extra as f64;
            let budget = s.capital_budget.get(f).copied().unwrap_or(0.0);
            if spend[f] + capex <= budget
                && site_used[school] + extra <= unit_max(s, &candidates[c])
            {
                per_cand[c][f] += extra;
                spend[f] += capex;
                site_used[school] += extra;
            }
        }
    }
    let mut builds = Vec::new();
    for u in (0..candidates.len()).filter(|&u| unit[u] == u) {
        let members: Vec<usize> = (u..candidates.len())
            .take_while(|&c| unit[c] == u)
            .collect();
        let total: u32 = members
            .iter()
            .map(|&c| per_cand[c].iter().sum::<u32>())
            .sum();
        if total == 0 {
            continue;
        }
        let rules = s.unit_rules(&candidates[u]);
        if let Some(first) = members
            .iter()
            .filter_map(|&c| per_cand[c].iter().position(|p| *p > 0))
            .min()
        {
            spend[first] += rules.setup_cost;
        }
        let largest = *members
            .iter()
            .max_by_key(|&&c| (per_cand[c].iter().sum::<u32>(), std::cmp::Reverse(c)))
            .unwrap_or(&u);
        let capex = s.candidate_capex(&candidates[largest]) * rules.step as f64;
        let mut short = rules.min_size.saturating_sub(total).div_ceil(rules.step);
        // A top-up must fit the site, which other units at the school may have filled.
        let school = candidates[u].school;
        let site_room = s.schools[school]
            .max_new_places
            .saturating_sub(site_used[school]);
        if short * rules.step > site_room {
            continue;
        }
        site_used[school] += short * rules.step;
        for f in 0..n_years.saturating_sub(rules.lead_time as usize) {
            if short == 0 {
                break;
            }
            let room = s.capital_budget.get(f).copied().unwrap_or(0.0) - spend[f];
            let extra = if capex > 0.0 {
                ((room / capex) + 1e-9).floor().clamp(0.0, short as f64) as u32
            } else {
                short
            };
            per_cand[largest][f] += extra * rules.step;
            spend[f] += extra as f64 * capex;
            short -= extra;
        }
        if short > 0 {
            continue;
        }
        for &c in &members {
            for (f, &places) in per_cand[c].iter().enumerate() {
                if places > 0 {
                    builds.push(Build {
                        candidate: c,
                        funded: f,
                        places: places as f64,
                    });
                }
            }
        }
    }
    builds.sort_by_key(|b| (b.candidate, b.funded));
    builds
}

/// Marks a plan placed on rounded bases: status `rounded`, with the relaxation's cost as bound.
pub(crate) fn mark_rounded(plan: &mut Plan, relaxed_cost: f64) {
    plan.status = SolveStatus::Rounded;
    plan.bound = Some(relaxed_cost.min(plan.objective));
}

#[cfg(test)]
mod tests {
    use super::*;
    use placeplan_model::domain::*;
    use placeplan_model::plan::BuildKind;

    fn scenario(budget: Vec<f64>, site: u32) -> Scenario {
        let school = School {
            id: "S".into(),
            name: "S".into(),
            kind: SchoolKind::Mainstream,
            phases: PhaseSet::default().with(Phase::Primary),
            lat: 0.0,
            lon: 0.0,
            can_host_base: true,
            max_new_places: site,
            capex_per_place: Some(10.0),
            place_cost: None,
            ages: None,
            gender: SchoolGender::Mixed,
            selective: false,
        };
        Scenario {
            name: "t".into(),
            base_year: 2025,
            horizon: budget.len() as u32,
            discount_rate: 0.0,
            capital_budget: budget,
            bases: BaseRules {
                min_size: 8,
                max_size: 20,
                lead_time: 1,
                ..BaseRules::default()
            },
            schools: vec![school.clone(), school],
            ..Scenario::default()
        }
    }

    fn relaxed(builds: Vec<Build>, n_years: usize) -> Plan {
        Plan {
            years: (0..n_years as i32).collect(),
            candidates: vec![],
            builds,
            placements: vec![],
            moves: vec![],
            objective: 0.0,
            bound: None,
            status: SolveStatus::Optimal,
            method: "t".into(),
        }
    }

    fn cand(school: usize) -> Candidate {
        Candidate {
            school,
            need: Need::Asd,
            phase: Phase::Primary,
            kind: BuildKind::ResourcedBase,
        }
    }

    fn b(candidate: usize, funded: usize, places: f64) -> Build {
        Build {
            candidate,
            funded,
            places,
        }
    }

    #[test]
    fn hand_worked_rounding_within_sizes_and_budgets() {
        // Capital 10 a place; budget 120 a year (12 places) over a 3-year horizon, lead 1:
        // places can be funded in years 0 and 1 only.
        let s = scenario(vec![120.0; 3], 100);
        let cands = [cand(0), cand(1)];
        // Candidate 0: 16.6 places in year 0 -> a base of 17, 12 affordable in year 0, 5 in
        // year 1. Candidate 1: 3.4 places (below half the minimum of 8): dropped.
        let r = relaxed(vec![b(0, 0, 16.6), b(1, 1, 3.4)], 3);
        assert_eq!(
            round_builds(&s, &cands, &r),
            vec![b(0, 0, 12.0), b(0, 1, 5.0)]
        );
        // Candidate 1 with 4.2 places (at least half of 8) becomes a base of the minimum 8, but
        // only 7 places of budget are left in year 1 after candidate 0: it is dropped.
        let r = relaxed(vec![b(0, 0, 16.6), b(1, 1, 4.2)], 3);
        assert_eq!(
            round_builds(&s, &cands, &r),
            vec![b(0, 0, 12.0), b(0, 1, 5.0)]
        );
        // With a larger budget it is built at the minimum size.
        let s = scenario(vec![300.0; 3], 100);
        assert_eq!(
            round_builds(&s, &cands, &r),
            vec![b(0, 0, 17.0), b(1, 1, 8.0)]
        );
    }

    #[test]
    fn sizes_keep_to_the_range_and_the_site() {
        let s = scenario(vec![1e9; 3], 100);
        let cands = [cand(0), cand(1)];
        // 31.2 relaxed places become a base of the maximum, 20.
        let r = relaxed(vec![b(0, 0, 31.2)], 3);
        assert_eq!(round_builds(&s, &cands, &r), vec![b(0, 0, 20.0)]);
        // A site with room for 6 cannot take a base of 8.
        let s = scenario(vec![1e9; 3], 6);
        assert_eq!(round_builds(&s, &cands, &r), vec![]);
        // Split funding keeps the relaxation's years: 5 + 5.
        let s = scenario(vec![1e9; 3], 100);
        let r = relaxed(vec![b(0, 0, 5.0), b(0, 1, 5.0)], 3);
        assert_eq!(
            round_builds(&s, &cands, &r),
            vec![b(0, 0, 5.0), b(0, 1, 5.0)]
        );
    }

    /// Two bases at one school with a site of 18 (occupancy target 95%). Relaxed 10.6 places
    /// take 10.07 pupils, 10 whole: floored to 10 places (9 pupils) and rounded up to 11, which
    /// take 10. Relaxed 7.4 places floor to 7 (rounding up to 8 would pass the site), below the
    /// minimum of 8: a top-up to 8 would make 19 places at the school, so that base is dropped.
    #[test]
    fn whole_places_keep_to_the_site_of_a_school_with_two_bases() {
        let s = scenario(vec![1e9; 3], 18);
        assert_eq!(s.solver.occupancy_target, 0.95);
        let mut other = cand(0);
        other.need = Need::Slcn;
        let cands = [cand(0), other];
        let r = relaxed(vec![b(0, 0, 10.6), b(1, 0, 7.4)], 3);
        assert_eq!(floor_builds(&s, &cands, &r), vec![b(0, 0, 11.0)]);
    }
}
