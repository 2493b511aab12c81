//! The size of the optimisation model a scenario needs, estimated from the scenario alone (no
//! forecast, no solve), and the limits placeplan plans within (E305). `placeplan validate`,
//! `plan` and `sweep` check it before any work, so a scenario too large to plan is refused at
//! once instead of after minutes of model building.
//!
//! The estimate counts:
//! - travel pairs: localities x schools (the dense travel matrix);
//! - candidate bases: host school x need in `[bases] needs` x phase in `[bases] phases` that the
//!   school teaches (exactly the solver's candidates);
//! - placement arcs in one plan year: for every locality, every need with plans in the history
//!   and every phase, one arc to each existing provision and candidate base of that need and
//!   phase within the phase's journey limit, and one out-of-area arc when allowed. The solver
//!   only makes arcs for groups with forecast demand, so this bounds its network from above;
//! - variables: placement arcs x plan years + candidate bases x funding years (twice that with
//!   modular bases).
//!
//! The limits are set from the synthetic instances (docs/performance.md): the region instance,
//! the largest the default backends have been measured on, is estimated at 7,468 candidate
//! bases, 3.3 million arcs a year (its network has 2.0 million) and 16.8 million variables over
//! five years (with special-school room, candidate sites and whole bases), and each limit leaves
//! it room; a model much larger needs many gigabytes before
//! any solving starts.

use std::fmt;
use std::path::Path;

use crate::domain::{Phase, Scenario};
use crate::error::{Code, InputError, Problems};
use crate::plan::candidates;
use crate::travel::{great_circle_km, straight_line_journey, TravelMatrix};

/// Most locality x school pairs (the travel matrix holds two numbers for each).
pub const MAX_TRAVEL_PAIRS: u64 = 100_000_000;
/// Most candidate bases (host school x need x phase).
pub const MAX_CANDIDATES: u64 = 20_000;
/// Most placement arcs in one plan year.
pub const MAX_ARCS_PER_YEAR: u64 = 4_000_000;
/// Most variables in the whole model.
pub const MAX_VARIABLES: u64 = 20_000_000;

/// Estimated size of a scenario's optimisation model (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSize {
    pub travel_pairs: u64,
    pub candidates: u64,
    /// Placement arcs in one plan year; `None` when the travel pairs are already over their
    /// limit (the arcs are then not counted).
    pub arcs_per_year: Option<u64>,
    /// Placement and build variables; `None` with `arcs_per_year`.
    pub variables: Option<u64>,
}

impl fmt::Display for ModelSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} travel pairs, {} candidate bases",
            self.travel_pairs, self.candidates
        )?;
        if let (Some(a), Some(v)) = (self.arcs_per_year, self.variables) {
            write!(f, ", {a} placement arcs a year, {v} variables")?;
        }
        Ok(())
    }
}

/// Estimates the model size of `s`. The arcs need the journey time of every locality and
/// school that offers a place, so they are only counted when the travel pairs are within
/// [`MAX_TRAVEL_PAIRS`].
pub fn estimate(s: &Scenario) -> ModelSize {
    let travel_pairs = s.localities.len() as u64 * s.schools.len() as u64;
    let cands = candidates(s);
    let n_cands = cands.len() as u64;
    if travel_pairs > MAX_TRAVEL_PAIRS {
        return ModelSize {
            travel_pairs,
            candidates: n_cands,
            arcs_per_year: None,
            variables: None,
        };
    }
    // Needs with any plans in the history: a locality's group of another need never has demand.
    let mut active = [false; crate::domain::Need::ALL.len()];
    for h in &s.history {
        if h.count > 0.0 {
            active[h.need.index()] = true;
        }
    }
    let n_active = active.iter().filter(|a| **a).count() as u64;
    // Arcs each school offers one locality's groups, per phase.
    let mut offers = vec![[0u64; Phase::ALL.len()]; s.schools.len()];
    for p in &s.provisions {
        if p.places > 0 {
            let needs = p.needs.iter().filter(|n| active[n.index()]).count() as u64;
            offers[p.school][p.phase.index()] += needs;
        }
    }
    for c in &cands {
        if active[c.need.index()] {
            offers[c.school][c.phase.index()] += 1;
        }
    }
    let offering: Vec<usize> = (0..s.schools.len())
        .filter(|&i| offers[i].iter().any(|&n| n > 0))
        .collect();
    let limits: Vec<f64> = Phase::ALL.iter().map(|&p| s.journey.minutes(p)).collect();
    let mut arcs: u64 = 0;
    let mut count = |minutes: f64, school: usize| {
        for (p, &n) in offers[school].iter().enumerate() {
            if n > 0 && minutes <= limits[p] {
                arcs += n;
            }
        }
    };
    if s.roads.is_empty() {
        for l in &s.localities {
            for &i in &offering {
                let sc = &s.schools[i];
                let (_, minutes) =
                    straight_line_journey(s, great_circle_km(l.lat, l.lon, sc.lat, sc.lon));
                count(minutes, i);
            }
        }
    } else {
        let travel = TravelMatrix::build(s);
        for l in 0..s.localities.len() {
            for &i in &offering {
                count(travel.minutes(l, i), i);
            }
        }
    }
    if s.solver.allow_out_of_area {
        arcs += s.localities.len() as u64 * n_active * Phase::ALL.len() as u64;
    }
    let years = s.horizon as u64;
    let funding_years = years.saturating_sub(s.bases.lead_time as u64);
    let per_candidate = if s.bases.modular { 2 } else { 1 };
    // Bringing pupils back (`[solver] bring_back`) adds, for a cohort placed out of area, one
    // variable per later year of its phase and arc of its group: about arcs x years x
    // (years - 1) over all cohorts.
    let brought_back = if s.solver.brings_back() {
        arcs.saturating_mul(years)
            .saturating_mul(years.saturating_sub(1))
    } else {
        0
    };
    let variables = arcs
        .saturating_mul(years)
        .saturating_add(brought_back)
        .saturating_add(n_cands * funding_years * per_candidate);
    ModelSize {
        travel_pairs,
        candidates: n_cands,
        arcs_per_year: Some(arcs),
        variables: Some(variables),
    }
}

/// Refuses a scenario whose model would be too large (E305), reporting against `file` (the
/// scenario's `scenario.toml`, or the sweep file for a sweep variant). Returns the estimate.
pub fn check_model_size(s: &Scenario, file: &Path) -> Result<ModelSize, Problems> {
    let size = estimate(s);
    let mut problems = Problems::default();
    let mut over = |what: &str, n: u64, max: u64| {
        if n > max {
            problems.push(InputError::new(
                file,
                Code::ModelTooLarge,
                format!(
                    "the plan's model would have {n} {what}; placeplan plans for at most {max} ({size})"
                ),
            ));
        }
    };
    over(
        "locality x school travel pairs",
        size.travel_pairs,
        MAX_TRAVEL_PAIRS,
    );
    over("candidate bases", size.candidates, MAX_CANDIDATES);
    if let Some(a) = size.arcs_per_year {
        over("placement arcs a year", a, MAX_ARCS_PER_YEAR);
    }
    if let Some(v) = size.variables {
        over("variables", v, MAX_VARIABLES);
    }
    if problems.is_empty() {
        Ok(size)
    } else {
        Err(problems)
    }
}
