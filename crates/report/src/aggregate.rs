//! Figures of one run shared by the XLSX, GeoJSON and HTML exporters: demand and out-of-area
//! pupils by locality and year, existing places and new places by school. Everything is
//! computed in index order so the exporters stay deterministic.

use crate::run::RunOutputs;
use placeplan_model::domain::{Need, Phase, Scenario};
use placeplan_model::plan::{BuildKind, ProvisionRef};

/// New places funded at one candidate base in one year.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewPlaces {
    /// Index into [`Scenario::schools`].
    pub school: usize,
    pub need: Need,
    pub phase: Phase,
    /// Calendar year the capital is spent.
    pub funded_year: i32,
    /// Calendar year pupils first use the places.
    pub open_year: i32,
    pub places: f64,
    /// Kind of new provision.
    pub kind: BuildKind,
    /// Capital per place.
    pub capex_per_place: f64,
    pub capital: f64,
}

/// Every build of the plan, in the plan's order (candidate, then year funded).
pub(crate) fn new_places(run: &RunOutputs) -> Vec<NewPlaces> {
    let (s, plan) = (run.scenario, run.plan);
    plan.builds
        .iter()
        .filter(|b| b.places > 0.0)
        .filter_map(|b| {
            let c = plan.candidates.get(b.candidate)?;
            s.schools.get(c.school)?;
            let capex = s.candidate_capex(c);
            let funded_year = *plan.years.get(b.funded)?;
            Some(NewPlaces {
                school: c.school,
                need: c.need,
                phase: c.phase,
                funded_year,
                open_year: plan.years.first().copied().unwrap_or(funded_year)
                    + plan.first_use(s, b) as i32,
                places: b.places,
                kind: c.kind,
                capex_per_place: capex,
                capital: b.places * capex,
            })
        })
        .collect()
}

/// New places by school (indexed like [`Scenario::schools`]).
pub(crate) fn new_places_by_school(s: &Scenario, builds: &[NewPlaces]) -> Vec<f64> {
    let mut out = vec![0.0; s.schools.len()];
    for b in builds {
        out[b.school] += b.places;
    }
    out
}

/// Existing commissioned specialist places by school.
pub(crate) fn existing_places_by_school(s: &Scenario) -> Vec<u64> {
    let mut out = vec![0u64; s.schools.len()];
    for p in &s.provisions {
        if let Some(v) = out.get_mut(p.school) {
            *v += p.places as u64;
        }
    }
    out
}

/// Pupils needing a specialist place, `[locality][year index]`.
pub(crate) fn demand_by_locality(run: &RunOutputs) -> Vec<Vec<f64>> {
    let (s, d) = (run.scenario, run.demand);
    let mut out = vec![vec![0.0; d.years.len()]; s.localities.len()];
    for (t, row) in d.pupils.iter().enumerate() {
        for (g, n) in row.iter().enumerate() {
            if let Some(group) = d.groups.get(g) {
                if let Some(v) = out.get_mut(group.locality).and_then(|r| r.get_mut(t)) {
                    *v += *n as f64;
                }
            }
        }
    }
    out
}

/// Pupils placed out of area / independent, `[locality][year index]`.
pub(crate) fn out_of_area_by_locality(run: &RunOutputs) -> Vec<Vec<f64>> {
    let (s, d, plan) = (run.scenario, run.demand, run.plan);
    let mut out = vec![vec![0.0; plan.years.len()]; s.localities.len()];
    for p in &plan.placements {
        if p.provision != ProvisionRef::OutOfArea {
            continue;
        }
        if let Some(g) = d.groups.get(p.group) {
            if let Some(v) = out.get_mut(g.locality).and_then(|r| r.get_mut(p.year)) {
                *v += p.pupils;
            }
        }
    }
    out
}

/// Specialist places actually held in the base-year January (history), by age group in
/// [`placeplan_model::domain::AgeGroup::ALL`] order, then all ages.
pub(crate) fn base_year_specialist(s: &Scenario) -> [f64; 6] {
    let mut out = [0.0; 6];
    for h in &s.history {
        if h.year == s.base_year && h.provision.is_specialist() {
            out[placeplan_model::domain::AgeGroup::of_age(h.age) as usize] += h.count;
            out[5] += h.count;
        }
    }
    out
}

/// Rounds to `dp` decimals, turning -0 into 0 (for stable text output).
pub(crate) fn round(v: f64, dp: i32) -> f64 {
    let m = 10f64.powi(dp);
    let r = (v * m).round() / m;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// A scenario parameter's value, with how to show it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// Pounds.
    Money(f64),
    /// A share, shown as a percentage.
    Rate(f64),
    /// Any other number, with its unit.
    Number(f64, &'static str),
    Text(String),
}

/// One scenario parameter: section, key as written in `scenario.toml`, value, meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assumption {
    pub section: &'static str,
    pub key: String,
    pub value: Value,
    pub meaning: &'static str,
}

/// Every cost, journey, travel, base, budget, forecast, solver and lever parameter of the
/// scenario, in `scenario.toml` order.
pub(crate) fn assumptions(s: &Scenario) -> Vec<Assumption> {
    use Value::*;
    let mut out = Vec::new();
    let mut add = |section: &'static str, key: String, value: Value, meaning: &'static str| {
        out.push(Assumption {
            section,
            key,
            value,
            meaning,
        })
    };
    add(
        "general",
        "name".into(),
        Text(s.name.clone()),
        "Scenario name",
    );
    add(
        "general",
        "base_year".into(),
        Number(s.base_year as f64, "year"),
        "Last January with history; the plan starts the year after",
    );
    add(
        "general",
        "horizon".into(),
        Number(s.horizon as f64, "years"),
        "Plan years",
    );
    add(
        "general",
        "discount_rate".into(),
        Rate(s.discount_rate),
        "Discount rate for NPV (HM Treasury Green Book 3.5%)",
    );
    for (t, b) in s.capital_budget.iter().enumerate() {
        add(
            "capital_budget",
            format!("capital_budget[{}]", s.base_year + 1 + t as i32),
            Money(*b),
            "Capital for new places available in this plan year",
        );
    }
    let c = &s.costs;
    for (key, v, meaning) in [
        (
            "resourced_base_place",
            c.resourced_base_place,
            "Resourced base / SEN unit place, per pupil per year",
        ),
        (
            "special_place",
            c.special_place,
            "State special school place, per pupil per year",
        ),
        (
            "independent_place",
            c.independent_place,
            "Independent / non-maintained special (day) or out-of-area place, per pupil per year",
        ),
        (
            "post16_place",
            c.post16_place,
            "Specialist post-16 / post-19 place, per pupil per year",
        ),
        (
            "transport_fixed",
            c.transport_fixed,
            "Home-to-school transport, fixed part per pupil per year",
        ),
        (
            "transport_per_km",
            c.transport_per_km,
            "Home-to-school transport per km of one-way road distance, per pupil per year",
        ),
        (
            "out_of_area_transport",
            c.out_of_area_transport,
            "Transport per pupil per year to an out-of-area placement",
        ),
        (
            "capex_per_place",
            c.capex_per_place,
            "Capital per new resourced-base place (one-off)",
        ),
        (
            "base_fixed_cost",
            c.base_fixed_cost,
            "One-off cost of opening a new base (modular runs only)",
        ),
        (
            "move_cost",
            c.move_cost,
            "One-off cost of bringing a pupil back mid-phase (solver.bring_back only)",
        ),
    ] {
        add("costs", format!("costs.{key}"), Money(v), meaning);
    }
    for p in Phase::ALL {
        add(
            "journey",
            format!("journey.{}", p.code()),
            Number(s.journey.minutes(p), "minutes"),
            "Longest reasonable one-way journey for this phase",
        );
    }
    let t = &s.travel;
    add(
        "travel",
        "travel.detour_factor".into(),
        Number(t.detour_factor, "x"),
        "Road km = straight-line km x this factor (no road network)",
    );
    add(
        "travel",
        "travel.speed_kmh".into(),
        Number(t.speed_kmh, "km/h"),
        "Average door-to-door speed of SEND transport",
    );
    add(
        "travel",
        "travel.fixed_minutes".into(),
        Number(t.fixed_minutes, "minutes"),
        "Minutes added to every journey (pick-up, drop-off)",
    );
    let b = &s.bases;
    add(
        "bases",
        "bases.needs".into(),
        Text(
            b.needs
                .iter()
                .map(|n| n.code())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        "Needs a new resourced base may specialise in",
    );
    add(
        "bases",
        "bases.phases".into(),
        Text(
            b.phases
                .iter()
                .map(|p| p.code())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        "Phases a new base may serve",
    );
    add(
        "bases",
        "bases.min_size".into(),
        Number(b.min_size as f64, "places"),
        "Smallest viable base (modular runs)",
    );
    add(
        "bases",
        "bases.max_size".into(),
        Number(b.max_size as f64, "places"),
        "Largest base",
    );
    add(
        "bases",
        "bases.sizes".into(),
        Text(if b.sizes.is_empty() {
            "none".into()
        } else {
            b.sizes
                .iter()
                .map(|(need, r)| format!("{} {}-{}", need.code(), r.min_size, r.max_size))
                .collect::<Vec<_>>()
                .join(", ")
        }),
        "Size ranges of bases for particular needs, in places, instead of min_size and max_size",
    );
    add(
        "bases",
        "bases.modular".into(),
        Text(if b.modular { "yes" } else { "no" }.into()),
        "Whether base sizes are enforced with open/closed decisions (MIP)",
    );
    add(
        "bases",
        "bases.lead_time".into(),
        Number(b.lead_time as f64, "years"),
        "Years between funding a place and pupils using it",
    );
    add(
        "bases",
        "bases.allow_single_sex".into(),
        Text(if b.allow_single_sex { "yes" } else { "no" }.into()),
        "Whether boys' and girls' schools may host a new base",
    );
    add(
        "bases",
        "bases.allow_selective".into(),
        Text(if b.allow_selective { "yes" } else { "no" }.into()),
        "Whether selective (grammar) schools may host a new base",
    );
    let f = &s.forecast;
    add(
        "forecast",
        "forecast.trend_damping".into(),
        Number(f.trend_damping, "per year"),
        "Damping of the new-plan rate trend per year ahead (1 = undamped)",
    );
    add(
        "forecast",
        "forecast.max_rate_growth".into(),
        Rate(f.max_rate_growth),
        "Cap on the yearly growth of the new-plan rate",
    );
    add(
        "forecast",
        "forecast.shrinkage_plans".into(),
        Number(f.shrinkage_plans, "plans"),
        "Prior strength when shrinking a locality's rate towards the LA rate",
    );
    add(
        "forecast",
        "forecast.seed".into(),
        Number(f.seed as f64, ""),
        "Seed of the Monte Carlo runs",
    );
    add(
        "forecast",
        "forecast.runs".into(),
        Number(f.runs as f64, "runs"),
        "Monte Carlo runs behind the P10/P50/P90 bands",
    );
    let v = &s.solver;
    add(
        "solver",
        "solver.time_limit_s".into(),
        Number(v.time_limit_s, "seconds"),
        "Solver wall-clock limit",
    );
    add(
        "solver",
        "solver.mip_gap".into(),
        Rate(v.mip_gap),
        "Relative gap at which a modular (MIP) run stops",
    );
    add(
        "solver",
        "solver.allow_out_of_area".into(),
        Text(if v.allow_out_of_area { "yes" } else { "no" }.into()),
        "Whether pupils with no place in reach may go out of area / independent",
    );
    add(
        "solver",
        "solver.stability".into(),
        Text(if v.stability { "yes" } else { "no" }.into()),
        "Pupils already placed stay until their next phase transfer",
    );
    add(
        "solver",
        "solver.bring_back".into(),
        Text(if v.bring_back { "yes" } else { "no" }.into()),
        "Pupils out of area or in other authorities' schools may be brought back mid-phase when that pays",
    );
    add(
        "solver",
        "solver.occupancy_target".into(),
        Rate(v.occupancy_target),
        "Share of its places every provision is planned to be filled to",
    );
    for (i, l) in s.levers.iter().enumerate() {
        add(
            "levers",
            format!("levers[{i}].kind"),
            Text(l.kind.code().into()),
            "What the lever changes",
        );
        add(
            "levers",
            format!("levers[{i}].value"),
            Number(l.value, "x"),
            "Multiplier reached after the ramp",
        );
        add(
            "levers",
            format!("levers[{i}].start_year"),
            Number(l.start_year as f64, "year"),
            "First year the lever acts",
        );
        add(
            "levers",
            format!("levers[{i}].ramp_years"),
            Number(l.ramp_years as f64, "years"),
            "Years to reach the full multiplier (0 = at once)",
        );
    }
    out
}

/// A run built without the solver, for the exporters' unit tests: the demo scenario, every
/// pupil out of area except those a few hand-made new bases take.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::run::RunOutputs;
    use placeplan_model::finance::{cost_plan, Costing};
    use placeplan_model::forecast::{forecast, Demand, Forecast};
    use placeplan_model::plan::{candidates, Build, Placement, Plan, ProvisionRef, SolveStatus};
    use placeplan_model::summary::Summary;
    use placeplan_model::travel::TravelMatrix;
    use placeplan_model::Scenario;

    pub(crate) struct Fixture {
        pub s: Scenario,
        pub travel: TravelMatrix,
        pub fc: Forecast,
        pub demand: Demand,
        pub plan: Plan,
        pub costing: Costing,
        pub summary: Summary,
        pub dn_plan: Plan,
        pub dn_costing: Costing,
    }

    fn plan_with(s: &Scenario, demand: &Demand, builds: Vec<Build>) -> Plan {
        let cands = candidates(s);
        let mut plan = Plan {
            years: demand.years.clone(),
            candidates: cands,
            builds,
            placements: Vec::new(),
            moves: Vec::new(),
            objective: 0.0,
            bound: None,
            status: SolveStatus::Heuristic,
            method: "fixture".into(),
        };
        for t in 0..demand.years.len() {
            let mut free: Vec<f64> = (0..plan.candidates.len())
                .map(|c| plan.places_available(s, c, t))
                .collect();
            for (g, group) in demand.groups.iter().enumerate() {
                let mut left = demand.pupils[t][g] as f64;
                for (c, cand) in plan.candidates.iter().enumerate() {
                    if left > 0.0
                        && free[c] > 0.0
                        && cand.need == group.need
                        && cand.phase == group.phase
                    {
                        let take = left.min(free[c]);
                        free[c] -= take;
                        left -= take;
                        plan.placements.push(Placement {
                            year: t,
                            group: g,
                            provision: ProvisionRef::NewBase(c),
                            pupils: take,
                        });
                    }
                }
                if left > 0.0 {
                    plan.placements.push(Placement {
                        year: t,
                        group: g,
                        provision: ProvisionRef::OutOfArea,
                        pupils: left,
                    });
                }
            }
        }
        plan
    }

    impl Fixture {
        pub(crate) fn demo() -> Fixture {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
            let mut s = placeplan_io::scenario::load_scenario(&dir).expect("demo scenario loads");
            s.forecast.runs = 20;
            Self::from_scenario(s)
        }

        pub(crate) fn from_scenario(s: Scenario) -> Fixture {
            let fc = forecast(&s);
            let demand = fc.specialist_demand(s.localities.len());
            let travel = TravelMatrix::build(&s);
            let cands = candidates(&s);
            let builds = (0..cands.len().min(3))
                .map(|c| Build {
                    candidate: c,
                    funded: 0,
                    places: 10.0 + c as f64 * 0.5,
                })
                .collect();
            let plan = plan_with(&s, &demand, builds);
            let costing = cost_plan(&s, &travel, &demand, &plan);
            let dn_plan = plan_with(&s, &demand, Vec::new());
            let dn_costing = cost_plan(&s, &travel, &demand, &dn_plan);
            let summary = Summary::new(&s, &demand, &plan, &costing, 0, fc.trend)
                .with_do_nothing(&costing, &dn_costing);
            Fixture {
                s,
                travel,
                fc,
                demand,
                plan,
                costing,
                summary,
                dn_plan,
                dn_costing,
            }
        }

        pub(crate) fn run(&self) -> RunOutputs<'_> {
            RunOutputs {
                scenario: &self.s,
                travel: &self.travel,
                forecast: &self.fc,
                demand: &self.demand,
                plan: &self.plan,
                costing: &self.costing,
                summary: &self.summary,
                do_nothing: Some((&self.dn_plan, &self.dn_costing)),
                unmitigated: Some((&self.demand, &self.dn_plan)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field of every settings table is listed, so a new setting cannot be left out of
    /// the workbook's Assumptions sheet and the report unnoticed.
    #[test]
    fn assumptions_list_every_setting() {
        let s = placeplan_io::scenario::load_scenario(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo"),
        )
        .expect("demo scenario loads");
        let keys: Vec<String> = assumptions(&s).into_iter().map(|a| a.key).collect();
        let tables = [
            ("costs", serde_json::to_value(&s.costs)),
            ("journey", serde_json::to_value(&s.journey)),
            ("travel", serde_json::to_value(&s.travel)),
            ("bases", serde_json::to_value(&s.bases)),
            ("forecast", serde_json::to_value(&s.forecast)),
            ("solver", serde_json::to_value(&s.solver)),
        ];
        for (table, v) in tables {
            let v = v.expect("settings serialise");
            let obj = v.as_object().expect("a table");
            for field in obj.keys() {
                let key = format!("{table}.{field}");
                assert!(keys.contains(&key), "{key} is missing from assumptions()");
            }
        }
        for k in ["base_year", "horizon", "discount_rate"] {
            assert!(keys.iter().any(|x| x == k));
        }
        assert_eq!(
            keys.iter()
                .filter(|k| k.starts_with("capital_budget["))
                .count(),
            s.horizon as usize
        );
    }
}
