//! Scenario settings as plain data with their documented defaults: unit costs, journey limits,
//! travel, rules for new bases, forecast, policy levers and the solver.

use serde::{Deserialize, Serialize};

use super::vocab::{Need, Phase};

/// Unit costs in pounds. Defaults from DOMAIN.md.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostParams {
    /// Resourced base / SEN unit, per pupil per year.
    pub resourced_base_place: f64,
    /// State special school, per pupil per year.
    pub special_place: f64,
    /// Independent / non-maintained special (day), per pupil per year.
    pub independent_place: f64,
    /// Specialist post-16 / post-19 provision, per pupil per year.
    pub post16_place: f64,
    /// Home-to-school transport: fixed part per pupil per year.
    pub transport_fixed: f64,
    /// Home-to-school transport: per km of one-way road distance, per pupil per year.
    pub transport_per_km: f64,
    /// Transport per pupil per year to an out-of-area placement.
    pub out_of_area_transport: f64,
    /// Capital per new resourced-base place.
    pub capex_per_place: f64,
    /// One-off cost of opening a new base (fit-out, staffing set-up).
    pub base_fixed_cost: f64,
    /// One-off cost of moving a pupil mid-phase, charged in the year of the move: bringing a
    /// pupil back from an out-of-area or other authority's school to a place of ours
    /// (`[solver] bring_back`): transition support, a new transport arrangement.
    pub move_cost: f64,
}

impl Default for CostParams {
    fn default() -> Self {
        CostParams {
            resourced_base_place: 16_000.0,
            special_place: 25_000.0,
            independent_place: 64_000.0,
            post16_place: 25_000.0,
            transport_fixed: 2_300.0,
            transport_per_km: 600.0,
            out_of_area_transport: 9_800.0,
            capex_per_place: 63_000.0,
            base_fixed_cost: 0.0,
            move_cost: DEFAULT_MOVE_COST,
        }
    }
}

/// Default one-off cost of a move mid-phase: placeplan's assumption (a term of transition
/// support), not a published figure; set `[costs] move_cost` to the authority's own.
pub const DEFAULT_MOVE_COST: f64 = 5_000.0;

/// Longest reasonable one-way journey, in minutes, per phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JourneyLimits {
    pub early_years: f64,
    pub primary: f64,
    pub secondary: f64,
    pub post16: f64,
    pub post19: f64,
}

impl Default for JourneyLimits {
    fn default() -> Self {
        JourneyLimits {
            early_years: 45.0,
            primary: 45.0,
            secondary: 75.0,
            post16: 75.0,
            post19: 75.0,
        }
    }
}

impl JourneyLimits {
    pub fn minutes(&self, p: Phase) -> f64 {
        match p {
            Phase::EarlyYears => self.early_years,
            Phase::Primary => self.primary,
            Phase::Secondary => self.secondary,
            Phase::Post16 => self.post16,
            Phase::Post19 => self.post19,
        }
    }
}

/// Straight-line travel model used when no road network is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TravelSettings {
    /// Road distance = great-circle distance x this factor.
    pub detour_factor: f64,
    /// Average door-to-door speed of SEND transport, km/h.
    pub speed_kmh: f64,
    /// Fixed minutes added to every journey (pick-up, drop-off).
    pub fixed_minutes: f64,
}

impl Default for TravelSettings {
    fn default() -> Self {
        TravelSettings {
            detour_factor: 1.3,
            speed_kmh: 25.0,
            fixed_minutes: 5.0,
        }
    }
}

/// Rules for new resourced bases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BaseRules {
    /// Needs a new base may specialise in.
    pub needs: Vec<Need>,
    /// Phases a new base may serve (only phases the host school teaches are used).
    pub phases: Vec<Phase>,
    /// Smallest viable base, in places (used when `modular` is true).
    pub min_size: u32,
    /// Largest base, in places.
    pub max_size: u32,
    /// Whether base sizes are enforced with open/closed decisions (MIP).
    pub modular: bool,
    /// Years between funding a place and pupils using it.
    pub lead_time: u32,
    /// Single-sex (boys' or girls') schools may host a new base.
    pub allow_single_sex: bool,
    /// Selective (grammar) schools may host a new base.
    pub allow_selective: bool,
    /// Size ranges of bases for particular needs (`[bases.sizes]`, e.g. SLD bases of 6-12),
    /// instead of `min_size` and `max_size`.
    pub sizes: std::collections::BTreeMap<Need, SizeRange>,
}

/// The smallest and largest size of a unit of new provision, in places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeRange {
    pub min_size: u32,
    pub max_size: u32,
}

impl BaseRules {
    /// (smallest, largest) base for `need`: its own range in `[bases.sizes]`, else `min_size`
    /// and `max_size`.
    pub fn size_of(&self, need: Need) -> (u32, u32) {
        match self.sizes.get(&need) {
            Some(r) => (r.min_size, r.max_size),
            None => (self.min_size, self.max_size),
        }
    }
}

impl Default for BaseRules {
    fn default() -> Self {
        BaseRules {
            needs: vec![Need::Asd, Need::Slcn, Need::Semh, Need::Mld],
            phases: vec![Phase::Primary, Phase::Secondary],
            min_size: 8,
            max_size: 20,
            modular: true,
            lead_time: 1,
            allow_single_sex: false,
            allow_selective: false,
            sizes: Default::default(),
        }
    }
}

/// Expansion of existing special schools and specialist post-16 providers: new places in
/// whole classes at a school whose `max_new_places` (its site limit) is above zero, for the
/// needs and phases its existing places serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExpansionRules {
    /// Schools with room on site (max_new_places > 0) may be expanded.
    pub enabled: bool,
    /// Places per class: expansions come in whole classes.
    pub class_size: u32,
    /// Years between funding and first use.
    pub lead_time: u32,
    /// Capital per new place, unless the school's `capex_per_place` says otherwise.
    pub capex_per_place: f64,
}

impl Default for ExpansionRules {
    fn default() -> Self {
        ExpansionRules {
            enabled: true,
            class_size: 8,
            lead_time: 2,
            capex_per_place: 90_000.0,
        }
    }
}

/// New special schools on candidate sites (`kind = site` in schools.csv, with the phases the
/// school would teach and its `max_new_places`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NewSchoolRules {
    /// Needs a new special school serves.
    pub needs: Vec<Need>,
    /// Smallest viable school, in places (all its needs and phases together).
    pub min_size: u32,
    /// Largest school, in places (the site's `max_new_places` may be lower).
    pub max_size: u32,
    /// Years between funding and first use.
    pub lead_time: u32,
    /// Capital per place, unless the site's `capex_per_place` says otherwise.
    pub capex_per_place: f64,
    /// One-off capital of opening the school (site works, shared spaces), charged in the year
    /// it is first funded, on top of the capital per place (whole-base runs only).
    pub lump_sum: f64,
}

impl Default for NewSchoolRules {
    fn default() -> Self {
        NewSchoolRules {
            needs: vec![Need::Asd, Need::Semh, Need::Sld, Need::Pmld, Need::Mld],
            min_size: 60,
            max_size: 150,
            lead_time: 3,
            capex_per_place: 90_000.0,
            lump_sum: 0.0,
        }
    }
}

/// How new places' capital counts beyond the plan horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CapitalSettings {
    /// Credit each new place's value beyond the horizon (its residual value over the asset's
    /// life, on an annuity basis) in the last plan year, so a place opened late is built when it
    /// pays over its life (docs/model.md, "Value beyond the horizon").
    pub residual_value: bool,
    /// Years of service of a new place, from its first year of use.
    pub asset_life: u32,
}

impl Default for CapitalSettings {
    fn default() -> Self {
        CapitalSettings {
            residual_value: true,
            asset_life: 40,
        }
    }
}

/// Forecast settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ForecastSettings {
    /// Damping of the incidence trend per year ahead (1 = undamped, 0 = flat).
    pub trend_damping: f64,
    /// Cap on the yearly growth of the new-plan rate (e.g. 0.15 = 15%).
    pub max_rate_growth: f64,
    /// Prior strength (in plans) when shrinking a locality's rate towards the LA rate.
    pub shrinkage_plans: f64,
    /// Seed for Monte Carlo runs.
    pub seed: u64,
    /// Monte Carlo runs.
    pub runs: u32,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        ForecastSettings {
            trend_damping: 0.8,
            max_rate_growth: 0.15,
            shrinkage_plans: 30.0,
            seed: 42,
            runs: 1000,
        }
    }
}

/// What a policy lever changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeverKind {
    /// Multiplies the new-plan rate (e.g. 0.9 for a graduated approach that avoids 10% of plans).
    NewPlanRate,
    /// Multiplies the share of pupils who need a specialist place, for cohorts entering a phase
    /// (at transfer) from the lever's start: more pupils supported in mainstream.
    SpecialistShare,
    /// Multiplies the continuation rates from age 19 on (post-19 plans ending sooner).
    Post19Continuation,
}

impl LeverKind {
    pub fn code(self) -> &'static str {
        match self {
            LeverKind::NewPlanRate => "new_plan_rate",
            LeverKind::SpecialistShare => "specialist_share",
            LeverKind::Post19Continuation => "post19_continuation",
        }
    }
}

/// A policy lever: from `start_year` its multiplier moves linearly from 1 to `value` over
/// `ramp_years` (0 = at once), then stays at `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    pub kind: LeverKind,
    pub value: f64,
    pub start_year: i32,
    #[serde(default)]
    pub ramp_years: u32,
}

impl Lever {
    /// The multiplier in force in `year`.
    pub fn multiplier(&self, year: i32) -> f64 {
        if year < self.start_year {
            return 1.0;
        }
        let progress = if self.ramp_years == 0 {
            1.0
        } else {
            ((year - self.start_year + 1) as f64 / self.ramp_years as f64).min(1.0)
        };
        1.0 + (self.value - 1.0) * progress
    }
}

/// Product of the multipliers of every lever of one kind in `year`.
pub fn lever_multiplier(levers: &[Lever], kind: LeverKind, year: i32) -> f64 {
    levers
        .iter()
        .filter(|l| l.kind == kind)
        .map(|l| l.multiplier(year))
        .product()
}

/// Solver settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SolverSettings {
    /// Wall-clock limit in seconds (backends that support it).
    pub time_limit_s: f64,
    /// Relative MIP gap at which to stop.
    pub mip_gap: f64,
    /// Whether pupils with no place in reach may go out of area / independent.
    pub allow_out_of_area: bool,
    /// Pupils already placed stay at their provision until their next phase transfer: each
    /// year only entrants are placed (cohorts, docs/model.md). Off: every pupil may be placed
    /// anew each year.
    pub stability: bool,
    /// With stability: pupils placed out of area or in another authority's school (already
    /// there, or placed there by the plan when no place of ours was free) may be brought back to
    /// a place of ours at the start of any later plan year of their phase, at `[costs]
    /// move_cost` each. Pupils in the authority's own schools are never moved. Off: nobody moves
    /// mid-phase.
    pub bring_back: bool,
    /// Share of its places a provision is planned to be filled to (new and existing places;
    /// pupils already placed are never moved to meet it): `crate::capacity`.
    pub occupancy_target: f64,
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit_s: 60.0,
            mip_gap: 0.005,
            allow_out_of_area: true,
            stability: true,
            bring_back: false,
            occupancy_target: DEFAULT_OCCUPANCY_TARGET,
        }
    }
}

/// The default occupancy target (../shared/DOMAIN.md: 95%, range 90-100%).
pub const DEFAULT_OCCUPANCY_TARGET: f64 = 0.95;
/// Lowest occupancy target accepted.
pub const MIN_OCCUPANCY_TARGET: f64 = 0.5;

/// Shortest `time_limit_s` accepted, in seconds.
pub const MIN_TIME_LIMIT_S: f64 = 0.1;
/// Longest `time_limit_s` accepted, in seconds (one week).
pub const MAX_TIME_LIMIT_S: f64 = 604_800.0;

/// A time limit in seconds brought into [`MIN_TIME_LIMIT_S`, `MAX_TIME_LIMIT_S`] (NaN gives the
/// longest), so that even a value no check has seen makes a valid solver deadline.
pub fn clamp_time_limit(seconds: f64) -> f64 {
    if seconds.is_nan() {
        MAX_TIME_LIMIT_S
    } else {
        seconds.clamp(MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S)
    }
}

/// A time limit in seconds as a duration, clamped by [`clamp_time_limit`]: never panics.
pub fn time_limit_duration(seconds: f64) -> std::time::Duration {
    std::time::Duration::try_from_secs_f64(clamp_time_limit(seconds))
        .unwrap_or(std::time::Duration::from_secs(MAX_TIME_LIMIT_S as u64))
}

impl SolverSettings {
    /// True when the plan may bring pupils back mid-phase: `bring_back`, which needs stability.
    pub fn brings_back(&self) -> bool {
        self.stability && self.bring_back
    }

    /// The time limit as a duration ([`time_limit_duration`]).
    pub fn time_limit(&self) -> std::time::Duration {
        time_limit_duration(self.time_limit_s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lever_ramps_linearly_from_its_start() {
        let l = Lever {
            kind: LeverKind::NewPlanRate,
            value: 0.8,
            start_year: 2027,
            ramp_years: 2,
        };
        assert_eq!(l.multiplier(2026), 1.0);
        assert!((l.multiplier(2027) - 0.9).abs() < 1e-12);
        assert!((l.multiplier(2028) - 0.8).abs() < 1e-12);
        assert!((l.multiplier(2030) - 0.8).abs() < 1e-12);
        let now = Lever {
            ramp_years: 0,
            ..l.clone()
        };
        assert_eq!(now.multiplier(2027), 0.8);
        assert!((lever_multiplier(&[l, now], LeverKind::NewPlanRate, 2027) - 0.72).abs() < 1e-12);
    }
    #[test]
    fn unchecked_time_limits_clamp_to_a_valid_duration() {
        let limit = |t: f64| {
            SolverSettings {
                time_limit_s: t,
                ..SolverSettings::default()
            }
            .time_limit()
        };
        let week = std::time::Duration::from_secs(604_800);
        assert_eq!(limit(1e19), week);
        assert_eq!(limit(f64::INFINITY), week);
        assert_eq!(limit(f64::NAN), week);
        assert_eq!(limit(1e-9), std::time::Duration::from_millis(100));
        assert_eq!(limit(-5.0), std::time::Duration::from_millis(100));
        assert_eq!(limit(60.0), std::time::Duration::from_secs(60));
    }
}
