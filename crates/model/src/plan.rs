//! A plan as plain data: new places funded, and where every demand group is placed each year.
//! Produced by the solver crate, re-verified by its `check`, costed by [`crate::finance`].

use crate::domain::{Need, Phase, Scenario, SchoolKind};

/// A possible new resourced base: a mainstream school x need x phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    /// Index into [`Scenario::schools`].
    pub school: usize,
    pub need: Need,
    pub phase: Phase,
}

/// Every candidate base the scenario allows, in school, need, phase order.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, sc) in s.schools.iter().enumerate() {
        if !sc.can_host_base || sc.kind != SchoolKind::Mainstream || sc.max_new_places == 0 {
            continue;
        }
        // Host rules: single-sex and selective schools only where `[bases]` allows them; only
        // phases within the school's statutory age range.
        if (sc.gender.single_sex() && !s.bases.allow_single_sex)
            || (sc.selective && !s.bases.allow_selective)
        {
            continue;
        }
        let taught = sc.ages.map(|(lo, hi)| crate::domain::phases_taught(lo, hi));
        let mut needs = s.bases.needs.clone();
        needs.sort();
        needs.dedup();
        for need in needs {
            for phase in Phase::ALL {
                if s.bases.phases.contains(&phase)
                    && sc.phases.contains(phase)
                    && taught.is_none_or(|t| t.contains(phase))
                {
                    out.push(Candidate {
                        school: i,
                        need,
                        phase,
                    });
                }
            }
        }
    }
    out
}

/// Where pupils are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProvisionRef {
    /// Index into [`Scenario::provisions`].
    Existing(usize),
    /// Index into [`Plan::candidates`].
    NewBase(usize),
    /// Independent / non-maintained or out-of-area placement, no capacity limit.
    OutOfArea,
}

/// New places funded at one candidate in one plan year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Build {
    pub candidate: usize,
    /// Index into the plan years of the year the capital is spent.
    pub funded: usize,
    pub places: f64,
}

/// Pupils of one demand group placed at one provision in one plan year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// Index into the plan years.
    pub year: usize,
    /// Index into [`crate::forecast::Demand::groups`].
    pub group: usize,
    pub provision: ProvisionRef,
    pub pupils: f64,
}

/// How the solver finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SolveStatus {
    /// Proven optimal.
    Optimal,
    /// Modular (MIP) run stopped within the relative `mip_gap` of the best bound.
    WithinGap,
    /// The solver stopped at its time limit with a feasible, possibly non-optimal plan.
    StoppedAtLimit,
    /// Built by a rule, not optimised (baselines).
    Heuristic,
    /// Whole bases rounded from the optimum with fractional places (the LP relaxation), then
    /// every pupil placed at least cost: [`Plan::bound`] holds the relaxation's cost, a proven
    /// lower bound, so the plan is within its reported gap of the best whole plan.
    Rounded,
}

impl SolveStatus {
    pub fn code(self) -> &'static str {
        match self {
            SolveStatus::Optimal => "optimal",
            SolveStatus::WithinGap => "within_gap",
            SolveStatus::StoppedAtLimit => "stopped_at_limit",
            SolveStatus::Heuristic => "heuristic",
            SolveStatus::Rounded => "rounded",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub years: Vec<i32>,
    pub candidates: Vec<Candidate>,
    /// Sorted by candidate, then year funded.
    pub builds: Vec<Build>,
    /// Sorted by year, group, provision.
    pub placements: Vec<Placement>,
    /// Discounted total cost the solver reports (pounds).
    pub objective: f64,
    /// A proven lower bound on the objective of any plan the model allows (pounds), when the
    /// method gives one; the plan's gap is (objective - bound) / objective.
    pub bound: Option<f64>,
    pub status: SolveStatus,
    /// Backend or method that produced the plan.
    pub method: String,
}

impl Plan {
    /// Years between funding and use.
    pub fn first_use(&self, s: &Scenario, b: &Build) -> usize {
        b.funded + s.bases.lead_time as usize
    }

    /// New places usable at candidate `c` in plan year `t`.
    pub fn places_available(&self, s: &Scenario, c: usize, t: usize) -> f64 {
        self.builds
            .iter()
            .filter(|b| b.candidate == c && self.first_use(s, b) <= t)
            .map(|b| b.places)
            .sum()
    }

    /// Bases opened: (candidate, plan-year index of its first funding), in candidate order.
    pub fn openings(&self) -> Vec<(usize, usize)> {
        let mut first: std::collections::BTreeMap<usize, usize> = Default::default();
        for b in &self.builds {
            if b.places > 0.0 {
                let e = first.entry(b.candidate).or_insert(b.funded);
                *e = (*e).min(b.funded);
            }
        }
        first.into_iter().collect()
    }

    /// Total new places funded over the horizon.
    pub fn new_places(&self) -> f64 {
        // `+ 0.0` turns the empty sum's -0.0 into 0.0.
        self.builds.iter().map(|b| b.places).sum::<f64>() + 0.0
    }

    /// Pupils placed out of area in plan year `t`.
    pub fn out_of_area(&self, t: usize) -> f64 {
        self.placements
            .iter()
            .filter(|p| p.year == t && p.provision == ProvisionRef::OutOfArea)
            .map(|p| p.pupils)
            .sum::<f64>()
            + 0.0
    }
}
