//! Cohorts: which pupils are placed when, so that a pupil placed once stays put until the next
//! phase transfer (docs/model.md, "Cohorts and stability").
//!
//! A cohort is a whole number of pupils of one demand group (locality x need x phase) who are
//! present from plan year `first` to plan year `last` inclusive, and are placed once, at one
//! provision, for all of those years. The cohorts of a group add up to its demand in every year.
//!
//! With stability on (the default) the cohorts of each group are built from its demand and the
//! base year's history, year by year:
//! - **Pupils already placed** (history in the base year, by kind of provision: resourced base,
//!   special, independent) form the first cohorts. Their ages are taken as spread evenly over the
//!   phase's L years (whole pupils, any remainder with the youngest), so one L-th leaves the
//!   phase at each transfer: the oldest slice has left by the first plan year, the next leaves
//!   after it, and so on. Each keeps its kind of provision (`placed`).
//! - **Leaving early**: when a year's demand is below the pupils still in phase, the excess
//!   leaves (plans ceased, families moved) from the cohorts nearest their transfer first.
//! - **Entrants**: when demand is above the pupils still in phase, the difference is a new cohort
//!   that enters the phase that year and stays L years (or to the end of the horizon).
//!
//! With stability off every group has one cohort per year (present that year only), which is the
//! yearly-snapshot model in which any pupil may be placed anew each year.

use std::collections::BTreeMap;

use crate::domain::{Phase, ProvisionKind, Scenario};
use crate::forecast::Demand;
use crate::plan::{Plan, ProvisionRef};

/// Kinds of provision pupils already placed keep, in the order cohorts are listed.
pub const STOCK_KINDS: [ProvisionKind; 4] = [
    ProvisionKind::ResourcedBase,
    ProvisionKind::Special,
    ProvisionKind::Independent,
    ProvisionKind::OtherAuthority,
];

/// Stock of one group by [`STOCK_KINDS`] index.
pub type Stock = [u32; STOCK_KINDS.len()];

/// Pupils of one group placed together for consecutive plan years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cohort {
    /// Index into [`Demand::groups`].
    pub group: usize,
    /// First plan-year index the cohort is present.
    pub first: usize,
    /// Last plan-year index the cohort is present (inclusive).
    pub last: usize,
    /// The kind of provision pupils already placed in the base year are in; `None` for
    /// entrants, who may be placed anywhere that suits them.
    pub placed: Option<ProvisionKind>,
    pub pupils: u32,
}

impl Cohort {
    /// True when the cohort is present in plan-year index `t`.
    pub fn present(&self, t: usize) -> bool {
        self.first <= t && t <= self.last
    }
}

/// Years a pupil spends in a phase (ages 5-10 are six years of primary).
pub fn phase_years(p: Phase) -> usize {
    let ages = p.age_group().ages();
    (ages.end() - ages.start() + 1) as usize
}

/// Pupils already placed in the base year, by group and [`STOCK_KINDS`] index: history's
/// specialist placements at the base year, whole pupils per group and kind. Pupils placed in
/// other authorities' schools (`Scenario::placed_elsewhere`) are their own kind; history counts
/// them in the setting they are in, so they are taken out of its special, then independent,
/// then resourced-base pupils of the group, as far as those go.
pub fn base_stock(s: &Scenario, demand: &Demand) -> Vec<Stock> {
    let mut index = BTreeMap::new();
    for (g, grp) in demand.groups.iter().enumerate() {
        index.insert((grp.locality, grp.need, grp.phase), g);
    }
    let mut sums = vec![[0.0f64; 3]; demand.groups.len()];
    for h in s.history.iter().filter(|h| h.year == s.base_year) {
        let Some(k) = STOCK_KINDS.iter().position(|k| *k == h.provision) else {
            continue;
        };
        if let Some(&g) = index.get(&(h.locality, h.need, Phase::of_age(h.age))) {
            sums[g][k] += h.count;
        }
    }
    let whole = |v: f64| {
        if v.is_finite() && v > 0.0 {
            v.round() as u32
        } else {
            0
        }
    };
    sums.iter()
        .zip(&demand.groups)
        .map(|(row, grp)| {
            let mut stock = [0u32; STOCK_KINDS.len()];
            for k in 0..3 {
                stock[k] = whole(row[k]);
            }
            if let Some((mut away, ..)) = s.placed_elsewhere_of(grp.locality, grp.need, grp.phase) {
                stock[3] = away;
                // Special, independent, then resourced base.
                for k in [1, 2, 0] {
                    let taken = away.min(stock[k]);
                    stock[k] -= taken;
                    away -= taken;
                }
            }
            stock
        })
        .collect()
}

/// The cohorts the model places: [`staying_cohorts`] with stability, one cohort per group and
/// year without.
pub fn cohorts(s: &Scenario, demand: &Demand) -> Vec<Cohort> {
    let n_years = demand.years.len();
    let mut out = Vec::new();
    if !s.solver.stability {
        for t in 0..n_years {
            for (g, &d) in demand.pupils[t].iter().enumerate() {
                if d > 0 {
                    out.push(Cohort {
                        group: g,
                        first: t,
                        last: t,
                        placed: None,
                        pupils: d,
                    });
                }
            }
        }
        out.sort();
        return out;
    }
    staying_cohorts(s, demand)
}

/// The cohorts of the module docs (with stability), sorted by group, first year, last year,
/// kind.
pub fn staying_cohorts(s: &Scenario, demand: &Demand) -> Vec<Cohort> {
    let n_years = demand.years.len();
    let mut out = Vec::new();
    let stock = base_stock(s, demand);
    for (g, grp) in demand.groups.iter().enumerate() {
        let pupils: Vec<u32> = (0..n_years).map(|t| demand.pupils[t][g]).collect();
        out.extend(group_cohorts(g, phase_years(grp.phase), &stock[g], &pupils));
    }
    merge(out)
}

/// One group's cohorts from its stock by kind and its demand by year.
fn group_cohorts(
    group: usize,
    years_in_phase: usize,
    stock: &Stock,
    demand: &[u32],
) -> Vec<Cohort> {
    let n_years = demand.len();
    // Open cohorts as (last year present, kind, first year, pupils); `last` may be before the
    // first plan year (-1) for the stock slice that has already left.
    let mut open: Vec<(i64, Option<ProvisionKind>, usize, u32)> = Vec::new();
    for (k, &b) in stock.iter().enumerate() {
        for (slice, n) in even_slices(b, years_in_phase).into_iter().enumerate() {
            // Slice 0 is the oldest: it transfers out before plan year 0.
            let last = slice as i64 - 1;
            if n > 0 && last >= 0 {
                open.push((last.min(n_years as i64 - 1), Some(STOCK_KINDS[k]), 0, n));
            }
        }
    }
    let mut done = Vec::new();
    for (t, &d) in demand.iter().enumerate() {
        let t = t as i64;
        // Cohorts past their last year are complete.
        let (gone, still): (Vec<_>, Vec<_>) = open.into_iter().partition(|c| c.0 < t);
        done.extend(gone);
        open = still;
        open.sort();
        let present: u64 = open.iter().map(|c| c.3 as u64).sum();
        if present > d as u64 {
            // The excess leaves from the cohorts nearest their transfer.
            let mut excess = present - d as u64;
            let mut kept = Vec::with_capacity(open.len());
            for c in open {
                let leave = excess.min(c.3 as u64) as u32;
                excess -= leave as u64;
                if leave > 0 && (c.2 as i64) < t {
                    done.push((t - 1, c.1, c.2, leave));
                }
                if c.3 > leave {
                    kept.push((c.0, c.1, c.2, c.3 - leave));
                }
            }
            open = kept;
        } else if present < d as u64 {
            let last = (t + years_in_phase as i64 - 1).min(n_years as i64 - 1);
            open.push((last, None, t as usize, d - present as u32));
        }
    }
    done.extend(open);
    done.into_iter()
        .filter(|c| c.0 >= c.2 as i64 && c.3 > 0)
        .map(|(last, placed, first, pupils)| Cohort {
            group,
            first,
            last: last as usize,
            placed,
            pupils,
        })
        .collect()
}

/// `n` pupils spread over `parts` years of age, oldest first, whole pupils, any remainder
/// with the youngest.
fn even_slices(n: u32, parts: usize) -> Vec<u32> {
    let parts = parts.max(1);
    let base = n / parts as u32;
    let rest = n as usize % parts;
    (0..parts)
        .map(|i| base + u32::from(i >= parts - rest))
        .collect()
}

/// Sorts cohorts and merges those of one group, years and kind.
fn merge(mut cs: Vec<Cohort>) -> Vec<Cohort> {
    cs.sort();
    let mut out: Vec<Cohort> = Vec::with_capacity(cs.len());
    for c in cs {
        match out.last_mut() {
            Some(p)
                if (p.group, p.first, p.last, p.placed) == (c.group, c.first, c.last, c.placed) =>
            {
                p.pupils += c.pupils
            }
            _ => out.push(c),
        }
    }
    out
}

/// Pupils of each group in each year, summed over the cohorts present: `[t][g]`.
pub fn present_by_year(cohorts: &[Cohort], n_years: usize, n_groups: usize) -> Vec<Vec<u32>> {
    let mut out = vec![vec![0u32; n_groups]; n_years];
    for c in cohorts {
        for row in out.iter_mut().take(c.last + 1).skip(c.first) {
            row[c.group] += c.pupils;
        }
    }
    out
}

/// Pupils of each group present in both year t-1 and year t (`[t][g]`, zero for t = 0): those
/// who continue in their phase and, with stability, stay where they are.
pub fn continuing(cohorts: &[Cohort], n_years: usize, n_groups: usize) -> Vec<Vec<u32>> {
    let mut out = vec![vec![0u32; n_groups]; n_years];
    for c in cohorts {
        for row in out.iter_mut().take(c.last + 1).skip(c.first + 1) {
            row[c.group] += c.pupils;
        }
    }
    out
}

/// Pupils who must have moved provision mid-phase in a plan beyond the moves it declares
/// ([`Plan::moves`]), by year and group (`[t][g]`): of the pupils continuing in their phase from
/// year t-1 (by [`staying_cohorts`], whatever the scenario's stability setting), those beyond
/// what could have stayed put, which at each provision is at most the smaller of its pupils of
/// the group in the two years, counting each declared move's pupils in year t where they came
/// from. A lower bound on the undeclared moves any assignment of pupils consistent with the
/// plan's yearly placements makes; zero for every plan made with stability.
pub fn moved_mid_phase(staying: &[Cohort], demand: &Demand, plan: &Plan) -> Vec<Vec<f64>> {
    let n_years = demand.years.len();
    let n_groups = demand.groups.len();
    let cont = continuing(staying, n_years, n_groups);
    let mut at: BTreeMap<(usize, usize, ProvisionRef), f64> = BTreeMap::new();
    for p in &plan.placements {
        *at.entry((p.year, p.group, p.provision)).or_default() += p.pupils;
    }
    // Year t as it would be had the declared moves not happened.
    let mut unmoved = at.clone();
    for m in &plan.moves {
        *unmoved.entry((m.year, m.group, m.from)).or_default() += m.pupils;
        let to = unmoved.entry((m.year, m.group, m.to)).or_default();
        *to = (*to - m.pupils).max(0.0);
    }
    let mut could_stay = vec![vec![0.0f64; n_groups]; n_years];
    for (&(t, g, prov), &now) in &unmoved {
        if t == 0 || t >= n_years || g >= n_groups {
            continue;
        }
        let before = at.get(&(t - 1, g, prov)).copied().unwrap_or(0.0);
        could_stay[t][g] += now.min(before);
    }
    (0..n_years)
        .map(|t| {
            (0..n_groups)
                .map(|g| (cont[t][g] as f64 - could_stay[t][g]).max(0.0))
                .collect()
        })
        .collect()
}

/// Pupils moved mid-phase over the horizon, in whole pupils: the plan's declared moves
/// ([`Plan::moves`]) and the total of [`moved_mid_phase`] beyond them.
pub fn pupils_moved_mid_phase(s: &Scenario, demand: &Demand, plan: &Plan) -> u64 {
    let moved: f64 = moved_mid_phase(&staying_cohorts(s, demand), demand, plan)
        .iter()
        .flatten()
        .sum::<f64>()
        + plan.pupils_moved();
    // Round-off below a thousandth of a pupil is not a move.
    (moved - 1e-3).max(0.0).ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(first: usize, last: usize, placed: Option<ProvisionKind>, pupils: u32) -> Cohort {
        Cohort {
            group: 0,
            first,
            last,
            placed,
            pupils,
        }
    }

    #[test]
    fn slices_are_whole_and_even_with_the_rest_youngest() {
        assert_eq!(even_slices(12, 6), vec![2; 6]);
        assert_eq!(even_slices(14, 6), vec![2, 2, 2, 2, 3, 3]);
        assert_eq!(even_slices(3, 5), vec![0, 0, 1, 1, 1]);
        assert_eq!(even_slices(0, 4), vec![0; 4]);
    }

    #[test]
    fn hand_worked_growing_primary_group() {
        // Primary (6 years). Base year: 12 in special (2 per year of age), 6 independent.
        // Demand 15, 16, 14 over three plan years.
        let special = Some(ProvisionKind::Special);
        let indep = Some(ProvisionKind::Independent);
        let got = group_cohorts(0, 6, &[0, 12, 6, 0], &[15, 16, 14]);
        // Stock slices (oldest first): special 2 x 6 (slice 0 has left before year 0), so in
        // year 0 there are 10 special (2 each leaving after years 0, 1, 2...) and 5 independent
        // (1 each). Year 0: present 15 = demand, no entrants.
        // Year 1: the slice leaving after year 0 (2 special + 1 independent) is gone: 12
        // present, demand 16: 4 entrants staying to the end of the horizon (year 2).
        // Year 2: slice leaving after year 1 gone (2 + 1): 9 + 4 = 13 present, demand 14: 1
        // entrant.
        let mut want = vec![
            c(0, 0, special, 2),
            c(0, 0, indep, 1),
            c(0, 1, special, 2),
            c(0, 1, indep, 1),
            c(0, 2, special, 6),
            c(0, 2, indep, 3),
            c(1, 2, None, 4),
            c(2, 2, None, 1),
        ];
        want.sort();
        let got = merge(got);
        assert_eq!(got, want);
        let present = present_by_year(&got, 3, 1);
        assert_eq!(present, vec![vec![15], vec![16], vec![14]]);
        assert_eq!(continuing(&got, 3, 1), vec![vec![0], vec![12], vec![13]]);
    }

    #[test]
    fn falling_demand_leaves_from_the_cohorts_nearest_transfer() {
        // Post-16 (4 years): 8 already in special, 2 per year of age. The oldest 2 have left by
        // year 0, so 6 are present: 2 due to leave after year 0, 4 after year 1 (the end of
        // this two-year horizon). Demand is 4: the 2 nearest transfer leave at once and are
        // never placed; the other 4 stay both years.
        let special = Some(ProvisionKind::Special);
        let got = merge(group_cohorts(0, 4, &[0, 8, 0, 0], &[4, 4]));
        assert_eq!(got, vec![c(0, 1, special, 4)]);
        assert_eq!(present_by_year(&got, 2, 1), vec![vec![4], vec![4]]);
        // Demand 3 in year 1: one more leaves after year 0.
        let got = merge(group_cohorts(0, 4, &[0, 8, 0, 0], &[4, 3]));
        assert_eq!(got, vec![c(0, 0, special, 1), c(0, 1, special, 3)]);
    }

    #[test]
    fn demand_is_met_exactly_every_year() {
        // Every pattern of small demands and stock keeps the cohort sums equal to demand.
        for a in 0..6u32 {
            for b in 0..6u32 {
                for s in 0..8u32 {
                    let d = [a, b, a + b, 2];
                    let cs = merge(group_cohorts(0, 5, &[s, 1, s / 2, 0], &d));
                    let present = present_by_year(&cs, 4, 1);
                    for t in 0..4 {
                        assert_eq!(present[t][0], d[t], "{d:?} {s}");
                    }
                }
            }
        }
    }
}
