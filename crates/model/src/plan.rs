//! A plan as plain data: new places funded, and where every demand group is placed each year.
//! Produced by the solver crate, re-verified by its `check`, costed by [`crate::finance`].

use crate::domain::{Need, Phase, Scenario, SchoolKind};

/// The kinds of new specialist provision a plan may fund (DESIGN.md, "Provision options").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuildKind {
    /// A resourced base or SEN unit in a mainstream school (`[bases]`).
    ResourcedBase,
    /// Whole classes added to an existing special school, pre-16 phases (`[expansion]`).
    SpecialExpansion,
    /// Whole classes of specialist post-16 / post-19 places at a special school or specialist
    /// post-16 provider (`[expansion]`).
    Post16,
    /// A new special school on a candidate site (`[new_school]`).
    NewSpecialSchool,
}

impl BuildKind {
    pub const ALL: [BuildKind; 4] = [
        BuildKind::ResourcedBase,
        BuildKind::SpecialExpansion,
        BuildKind::Post16,
        BuildKind::NewSpecialSchool,
    ];
    /// The `kind` column of plan.csv.
    pub fn code(self) -> &'static str {
        match self {
            BuildKind::ResourcedBase => "resourced_base",
            BuildKind::SpecialExpansion => "special_expansion",
            BuildKind::Post16 => "post16",
            BuildKind::NewSpecialSchool => "new_special_school",
        }
    }
    /// Words for the report.
    pub fn label(self) -> &'static str {
        match self {
            BuildKind::ResourcedBase => "Resourced base",
            BuildKind::SpecialExpansion => "Special school expansion",
            BuildKind::Post16 => "Specialist post-16",
            BuildKind::NewSpecialSchool => "New special school",
        }
    }
}

/// Sizes, timing and set-up cost of one kind of new provision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KindRules {
    /// Smallest unit that may open (a base, a class, a school), in places.
    pub min_size: u32,
    /// Largest unit, in places (the host's site limit may be lower).
    pub max_size: u32,
    /// Places come in multiples of this (a class for expansions, 1 otherwise).
    pub step: u32,
    /// Years between funding and first use.
    pub lead_time: u32,
    /// One-off cost of opening a unit, charged in whole-base (modular) runs.
    pub setup_cost: f64,
}

impl KindRules {
    /// True when the unit needs an opening decision: a minimum above one step, or a set-up cost.
    pub fn needs_opening(&self) -> bool {
        self.min_size > self.step || self.setup_cost > 0.0
    }
}

impl Scenario {
    /// The rules for new provision of `kind`.
    pub fn build_rules(&self, kind: BuildKind) -> KindRules {
        let setup = |cost: f64| if self.bases.modular { cost } else { 0.0 };
        match kind {
            BuildKind::ResourcedBase => KindRules {
                min_size: self.bases.min_size.max(1),
                max_size: self.bases.max_size,
                step: 1,
                lead_time: self.bases.lead_time,
                setup_cost: setup(self.costs.base_fixed_cost),
            },
            BuildKind::SpecialExpansion | BuildKind::Post16 => {
                let class = self.expansion.class_size.max(1);
                KindRules {
                    min_size: class,
                    max_size: u32::MAX,
                    step: class,
                    lead_time: self.expansion.lead_time,
                    setup_cost: 0.0,
                }
            }
            BuildKind::NewSpecialSchool => KindRules {
                min_size: self.new_school.min_size.max(1),
                max_size: self.new_school.max_size,
                step: 1,
                lead_time: self.new_school.lead_time,
                setup_cost: setup(self.new_school.lump_sum),
            },
        }
    }

    /// The rules of a candidate's unit: its kind's ([`Scenario::build_rules`]), with a resourced
    /// base's size range for its need (`[bases.sizes]`).
    pub fn unit_rules(&self, c: &Candidate) -> KindRules {
        let mut rules = self.build_rules(c.kind);
        if c.kind == BuildKind::ResourcedBase {
            let (min, max) = self.bases.size_of(c.need);
            rules.min_size = min.max(1);
            rules.max_size = max;
        }
        rules
    }

    /// Capital per new place of a candidate: the host's own `capex_per_place`, else the kind's.
    pub fn candidate_capex(&self, c: &Candidate) -> f64 {
        let school = &self.schools[c.school];
        school.capex_per_place.unwrap_or(match c.kind {
            BuildKind::ResourcedBase => self.costs.capex_per_place,
            BuildKind::SpecialExpansion | BuildKind::Post16 => self.expansion.capex_per_place,
            BuildKind::NewSpecialSchool => self.new_school.capex_per_place,
        })
    }

    /// Revenue per pupil per year in a new place of a candidate: the host's own `place_cost`,
    /// else a resourced-base place in a base, and the special (or post-16) place cost elsewhere.
    pub fn candidate_place_cost(&self, c: &Candidate) -> f64 {
        let school = &self.schools[c.school];
        match c.kind {
            BuildKind::ResourcedBase => {
                school.place_cost.unwrap_or(self.costs.resourced_base_place)
            }
            _ => self.place_cost(school, c.phase),
        }
    }
}

/// A possible new stream of places: a host school (or site) x need x phase, of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    /// Index into [`Scenario::schools`].
    pub school: usize,
    pub need: Need,
    pub phase: Phase,
    pub kind: BuildKind,
}

fn post16(phase: Phase) -> bool {
    matches!(phase, Phase::Post16 | Phase::Post19)
}

/// Every candidate the scenario allows, in school, need, phase order: resourced bases in
/// mainstream hosts, expansions of special schools and post-16 providers with room on site,
/// and new special schools on candidate sites.
pub fn candidates(s: &Scenario) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (i, sc) in s.schools.iter().enumerate() {
        if sc.max_new_places == 0 {
            continue;
        }
        match sc.kind {
            SchoolKind::Mainstream => base_candidates(s, i, &mut out),
            SchoolKind::Special | SchoolKind::Post16 if s.expansion.enabled => {
                // The needs and phases its existing places serve.
                let mut streams: Vec<(Need, Phase)> = s
                    .provisions
                    .iter()
                    .filter(|p| p.school == i && p.places > 0)
                    .flat_map(|p| p.needs.iter().map(move |n| (n, p.phase)))
                    .collect();
                streams.sort();
                streams.dedup();
                for (need, phase) in streams {
                    let kind = if post16(phase) || sc.kind == SchoolKind::Post16 {
                        BuildKind::Post16
                    } else {
                        BuildKind::SpecialExpansion
                    };
                    out.push(Candidate {
                        school: i,
                        need,
                        phase,
                        kind,
                    });
                }
            }
            SchoolKind::Site => {
                let mut needs = s.new_school.needs.clone();
                needs.sort();
                needs.dedup();
                for need in needs {
                    for phase in Phase::ALL {
                        if sc.phases.contains(phase) {
                            out.push(Candidate {
                                school: i,
                                need,
                                phase,
                                kind: BuildKind::NewSpecialSchool,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Resourced-base candidates at mainstream school `i`.
fn base_candidates(s: &Scenario, i: usize, out: &mut Vec<Candidate>) {
    let sc = &s.schools[i];
    if !sc.can_host_base {
        return;
    }
    // Host rules: single-sex and selective schools only where `[bases]` allows them; only
    // phases within the school's statutory age range.
    if (sc.gender.single_sex() && !s.bases.allow_single_sex)
        || (sc.selective && !s.bases.allow_selective)
    {
        return;
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
                    kind: BuildKind::ResourcedBase,
                });
            }
        }
    }
}

/// The unit each candidate belongs to, as the index of the unit's first candidate: the size
/// range, the opening and its set-up cost apply to a unit. A new special school is one unit
/// over all its needs and phases; every other candidate is a unit of its own.
pub fn units(cands: &[Candidate]) -> Vec<usize> {
    let mut out = Vec::with_capacity(cands.len());
    for (c, cand) in cands.iter().enumerate() {
        let first = match (c.checked_sub(1), cand.kind) {
            (Some(prev), BuildKind::NewSpecialSchool)
                if cands[prev].kind == BuildKind::NewSpecialSchool
                    && cands[prev].school == cand.school =>
            {
                out[prev]
            }
            _ => c,
        };
        out.push(first);
    }
    out
}

/// The most places unit `u` (its first candidate) may hold: its kind's size limit and its
/// host's site limit.
pub fn unit_max(s: &Scenario, cand: &Candidate) -> u32 {
    s.unit_rules(cand)
        .max_size
        .min(s.schools[cand.school].max_new_places)
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
    /// Another authority's school, for pupils of demand group `g` placed there before the plan
    /// (`Scenario::placed_elsewhere`).
    Elsewhere(usize),
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

/// Pupils of one demand group brought back mid-phase (`[solver] bring_back`): at `from` (out of
/// area or another authority's school) in plan year `year - 1`, at `to` (a place of ours) from
/// plan year `year` until they leave their phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Move {
    /// Index into the plan years of the first year at `to`.
    pub year: usize,
    /// Index into [`crate::forecast::Demand::groups`].
    pub group: usize,
    pub from: ProvisionRef,
    pub to: ProvisionRef,
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
    /// every pupil placed at least cost (in a sweep, a plan kept from the previous variant keeps
    /// its placements): [`Plan::bound`] holds a proven lower bound (the relaxation's cost, or
    /// L(mu) of carried duals), so the plan is within its reported gap of the best whole plan.
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
    /// Pupils moved mid-phase, already counted in `placements` where they are each year; sorted
    /// by year, group, from, to. Empty unless the scenario allows bringing pupils back.
    pub moves: Vec<Move>,
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
    /// Plan-year index of a build's first use: its funding year plus its kind's lead time.
    pub fn first_use(&self, s: &Scenario, b: &Build) -> usize {
        b.funded + s.build_rules(self.candidates[b.candidate].kind).lead_time as usize
    }

    /// New places usable at candidate `c` in plan year `t`.
    pub fn places_available(&self, s: &Scenario, c: usize, t: usize) -> f64 {
        self.builds
            .iter()
            .filter(|b| b.candidate == c && self.first_use(s, b) <= t)
            .map(|b| b.places)
            .sum()
    }

    /// Units opened ([`units`]): (the unit's first candidate, plan-year index of its first
    /// funding), in candidate order.
    pub fn openings(&self) -> Vec<(usize, usize)> {
        let unit = units(&self.candidates);
        let mut first: std::collections::BTreeMap<usize, usize> = Default::default();
        for b in &self.builds {
            if b.places > 0.0 {
                let e = first.entry(unit[b.candidate]).or_insert(b.funded);
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

    /// Pupils moved mid-phase over the horizon ([`Plan::moves`]).
    pub fn pupils_moved(&self) -> f64 {
        self.moves.iter().map(|m| m.pupils).sum::<f64>() + 0.0
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
