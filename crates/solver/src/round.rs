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

use placeplan_model::finance::setup_cost;
use placeplan_model::plan::{Build, Candidate, Plan, SolveStatus};
use placeplan_model::Scenario;

/// Relaxed places below this share of the minimum base size are not worth a base.
const KEEP_SHARE: f64 = 0.5;

/// Whole bases rounded from a relaxed plan's builds, within sizes, sites and budgets.
pub(crate) fn round_builds(s: &Scenario, candidates: &[Candidate], relaxed: &Plan) -> Vec<Build> {
    let n_years = relaxed.years.len();
    let lead = s.bases.lead_time as usize;
    let (min, max) = (s.bases.min_size.max(1), s.bases.max_size);
    let setup = setup_cost(s);
    // Relaxed places per candidate and funding year.
    let mut relaxed_places = vec![vec![0.0f64; n_years]; candidates.len()];
    for b in &relaxed.builds {
        relaxed_places[b.candidate][b.funded] += b.places;
    }
    let totals: Vec<f64> = relaxed_places.iter().map(|ys| ys.iter().sum()).collect();
    let mut order: Vec<usize> = (0..candidates.len())
        .filter(|&c| totals[c] >= KEEP_SHARE * min as f64)
        .collect();
    order.sort_by(|&a, &b| totals[b].total_cmp(&totals[a]).then(a.cmp(&b)));

    let mut budget_left: Vec<f64> = (0..n_years)
        .map(|f| s.capital_budget.get(f).copied().unwrap_or(0.0))
        .collect();
    let mut site_left: Vec<u32> = s.schools.iter().map(|sc| sc.max_new_places).collect();
    let mut builds = Vec::new();
    for c in order {
        let school = candidates[c].school;
        let size = (totals[c].round() as u32)
            .clamp(min, max.max(min))
            .min(site_left[school]);
        if size < min {
            continue;
        }
        let capex = s.capex_per_place(&s.schools[school]);
        // The relaxation's funding years, as whole places adding up to `size`.
        let mut wanted = vec![0u32; n_years];
        let mut cumulative = 0.0;
        let mut given = 0u32;
        for (f, want) in wanted.iter_mut().enumerate() {
            cumulative += relaxed_places[c][f];
            let upto = ((cumulative / totals[c]) * size as f64).round() as u32;
            let upto = upto.min(size);
            *want = upto.saturating_sub(given);
            given = given.max(upto);
        }
        // Fund within each year's budget, carrying what cannot be paid to later years.
        let mut funded = vec![0u32; n_years];
        let mut carry = 0u32;
        let mut opened = false;
        for f in 0..n_years {
            let want = wanted[f] + carry;
            if want == 0 {
                continue;
            }
            if f + lead >= n_years {
                // Places funded now could not be used within the horizon.
                break;
            }
            let fixed = if opened { 0.0 } else { setup };
            let room = budget_left[f] - fixed;
            let affordable = if room < 0.0 {
                0
            } else if capex > 0.0 {
                ((room / capex) + 1e-9).floor().min(want as f64) as u32
            } else {
                want
            };
            funded[f] = affordable;
            carry = want - affordable;
            if affordable > 0 {
                opened = true;
            }
        }
        let total: u32 = funded.iter().sum();
        if total < min {
            continue;
        }
        let mut first = true;
        for (f, &places) in funded.iter().enumerate() {
            if places == 0 {
                continue;
            }
            budget_left[f] -= places as f64 * capex + if first { setup } else { 0.0 };
            first = false;
            builds.push(Build {
                candidate: c,
                funded: f,
                places: places as f64,
            });
        }
        site_left[school] -= total;
    }
    builds.sort_by_key(|b| (b.candidate, b.funded));
    builds
}

/// Whole places from a relaxation in which the bases to open were given (each at least the
/// minimum size): each year's places rounded down, which keeps every budget, then any base left
/// below the minimum topped up in the earliest year with budget to spare, or dropped.
pub(crate) fn floor_builds(
    s: &Scenario,
    candidates: &[Candidate],
    restricted: &Plan,
) -> Vec<Build> {
    let n_years = restricted.years.len();
    let lead = s.bases.lead_time as usize;
    let min = s.bases.min_size.max(1);
    let mut spend = vec![0.0f64; n_years];
    let mut per_cand: Vec<Vec<u32>> = vec![vec![0; n_years]; candidates.len()];
    for b in &restricted.builds {
        // Relaxed values a hair under a whole number are that number.
        per_cand[b.candidate][b.funded] += (b.places + 1e-6).floor() as u32;
    }
    for (c, ys) in per_cand.iter().enumerate() {
        let capex = s.capex_per_place(&s.schools[candidates[c].school]);
        for (f, &p) in ys.iter().enumerate() {
            spend[f] += p as f64 * capex;
        }
    }
    let setup = setup_cost(s);
    let mut builds = Vec::new();
    for (c, ys) in per_cand.iter_mut().enumerate() {
        let total: u32 = ys.iter().sum();
        if total == 0 {
            continue;
        }
        if let Some(first) = ys.iter().position(|p| *p > 0) {
            spend[first] += setup;
        }
        let capex = s.capex_per_place(&s.schools[candidates[c].school]);
        let mut short = min.saturating_sub(total);
        for f in 0..n_years.saturating_sub(lead) {
            if short == 0 {
                break;
            }
            let room = s.capital_budget.get(f).copied().unwrap_or(0.0) - spend[f];
            let extra = if capex > 0.0 {
                ((room / capex) + 1e-9).floor().clamp(0.0, short as f64) as u32
            } else {
                short
            };
            ys[f] += extra;
            spend[f] += extra as f64 * capex;
            short -= extra;
        }
        if short > 0 {
            continue;
        }
        for (f, &places) in ys.iter().enumerate() {
            if places > 0 {
                builds.push(Build {
                    candidate: c,
                    funded: f,
                    places: places as f64,
                });
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
            costs: CostParams::default(),
            journey: JourneyLimits::default(),
            travel: TravelSettings::default(),
            bases: BaseRules {
                min_size: 8,
                max_size: 20,
                lead_time: 1,
                ..BaseRules::default()
            },
            capital: CapitalSettings::default(),
            forecast: ForecastSettings::default(),
            solver: SolverSettings::default(),
            levers: vec![],
            localities: vec![],
            schools: vec![school.clone(), school],
            provisions: vec![],
            population: vec![],
            history: vec![],
            roads: vec![],
        }
    }

    fn relaxed(builds: Vec<Build>, n_years: usize) -> Plan {
        Plan {
            years: (0..n_years as i32).collect(),
            candidates: vec![],
            builds,
            placements: vec![],
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
}
