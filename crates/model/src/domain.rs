//! Plain domain data: needs, age groups, phases, localities, schools, existing provision and the
//! scenario that ties them together. Nothing here reads files or solves anything.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Primary need, as coded in SEN2 and the school census.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Need {
    #[serde(rename = "ASD")]
    Asd,
    #[serde(rename = "SLCN")]
    Slcn,
    #[serde(rename = "SEMH")]
    Semh,
    #[serde(rename = "MLD")]
    Mld,
    #[serde(rename = "SLD")]
    Sld,
    #[serde(rename = "PMLD")]
    Pmld,
    #[serde(rename = "SpLD")]
    Spld,
    #[serde(rename = "HI")]
    Hi,
    #[serde(rename = "VI")]
    Vi,
    #[serde(rename = "MSI")]
    Msi,
    #[serde(rename = "PD")]
    Pd,
    #[serde(rename = "OTH")]
    Oth,
}

impl Need {
    pub const ALL: [Need; 12] = [
        Need::Asd,
        Need::Slcn,
        Need::Semh,
        Need::Mld,
        Need::Sld,
        Need::Pmld,
        Need::Spld,
        Need::Hi,
        Need::Vi,
        Need::Msi,
        Need::Pd,
        Need::Oth,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Need::Asd => "ASD",
            Need::Slcn => "SLCN",
            Need::Semh => "SEMH",
            Need::Mld => "MLD",
            Need::Sld => "SLD",
            Need::Pmld => "PMLD",
            Need::Spld => "SpLD",
            Need::Hi => "HI",
            Need::Vi => "VI",
            Need::Msi => "MSI",
            Need::Pd => "PD",
            Need::Oth => "OTH",
        }
    }

    /// Position in [`Need::ALL`], for dense arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Need {
    type Err = ();
    /// Case-insensitive; `OTHER` is accepted for `OTH`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim();
        Need::ALL
            .iter()
            .copied()
            .find(|n| n.code().eq_ignore_ascii_case(t))
            .or_else(|| t.eq_ignore_ascii_case("OTHER").then_some(Need::Oth))
            .ok_or(())
    }
}

/// School phase. Each DfE age band maps to exactly one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    EarlyYears,
    Primary,
    Secondary,
    Post16,
    Post19,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::EarlyYears,
        Phase::Primary,
        Phase::Secondary,
        Phase::Post16,
        Phase::Post19,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Phase::EarlyYears => "early_years",
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Post16 => "post16",
            Phase::Post19 => "post19",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The DfE age band taught in this phase.
    pub fn age_group(self) -> AgeGroup {
        AgeGroup::ALL[self.index()]
    }

    /// Phase of a child of this age (in whole years at the January census).
    pub fn of_age(age: u8) -> Phase {
        AgeGroup::of_age(age).phase()
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Phase {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match t.as_str() {
            "early_years" | "ey" | "nursery" => Ok(Phase::EarlyYears),
            "primary" => Ok(Phase::Primary),
            "secondary" => Ok(Phase::Secondary),
            "post16" | "post_16" | "sixth_form" => Ok(Phase::Post16),
            "post19" | "post_19" => Ok(Phase::Post19),
            _ => Err(()),
        }
    }
}

/// DfE age bands used in SEN2 tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeGroup {
    #[serde(rename = "0-4")]
    A0to4,
    #[serde(rename = "5-10")]
    A5to10,
    #[serde(rename = "11-15")]
    A11to15,
    #[serde(rename = "16-19")]
    A16to19,
    #[serde(rename = "20-25")]
    A20to25,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 5] = [
        AgeGroup::A0to4,
        AgeGroup::A5to10,
        AgeGroup::A11to15,
        AgeGroup::A16to19,
        AgeGroup::A20to25,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::A0to4 => "0-4",
            AgeGroup::A5to10 => "5-10",
            AgeGroup::A11to15 => "11-15",
            AgeGroup::A16to19 => "16-19",
            AgeGroup::A20to25 => "20-25",
        }
    }

    /// Inclusive age range.
    pub fn ages(self) -> std::ops::RangeInclusive<u8> {
        match self {
            AgeGroup::A0to4 => 0..=4,
            AgeGroup::A5to10 => 5..=10,
            AgeGroup::A11to15 => 11..=15,
            AgeGroup::A16to19 => 16..=19,
            AgeGroup::A20to25 => 20..=25,
        }
    }

    pub fn of_age(age: u8) -> AgeGroup {
        match age {
            0..=4 => AgeGroup::A0to4,
            5..=10 => AgeGroup::A5to10,
            11..=15 => AgeGroup::A11to15,
            16..=19 => AgeGroup::A16to19,
            _ => AgeGroup::A20to25,
        }
    }

    pub fn phase(self) -> Phase {
        Phase::ALL[self as usize]
    }
}

impl fmt::Display for AgeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Oldest age (in years at the January census) that placeplan plans for.
pub const MAX_AGE: u8 = 25;
/// Number of single years of age, 0..=25.
pub const N_AGES: usize = MAX_AGE as usize + 1;

/// Where a child or young person with a plan is educated (history file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    /// Mainstream school with support: no specialist place.
    Mainstream,
    /// Resourced provision or SEN unit inside a mainstream school.
    ResourcedBase,
    /// Maintained or academy special school.
    Special,
    /// Independent or non-maintained special school, in or out of area.
    Independent,
    /// FE college or other post-16 mainstream setting.
    FurtherEducation,
    /// Early-years settings, alternative provision, not in education, other.
    Other,
}

impl ProvisionKind {
    pub const ALL: [ProvisionKind; 6] = [
        ProvisionKind::Mainstream,
        ProvisionKind::ResourcedBase,
        ProvisionKind::Special,
        ProvisionKind::Independent,
        ProvisionKind::FurtherEducation,
        ProvisionKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProvisionKind::Mainstream => "mainstream",
            ProvisionKind::ResourcedBase => "resourced_base",
            ProvisionKind::Special => "special",
            ProvisionKind::Independent => "independent",
            ProvisionKind::FurtherEducation => "fe",
            ProvisionKind::Other => "other",
        }
    }

    /// True for provision that needs a specialist place (what placeplan plans).
    pub fn is_specialist(self) -> bool {
        matches!(
            self,
            ProvisionKind::ResourcedBase | ProvisionKind::Special | ProvisionKind::Independent
        )
    }
}

impl FromStr for ProvisionKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim().to_ascii_lowercase();
        ProvisionKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == t)
            .or(match t.as_str() {
                "rb" | "rp" | "sen_unit" | "unit" | "resourced_provision" => {
                    Some(ProvisionKind::ResourcedBase)
                }
                "inmss" => Some(ProvisionKind::Independent),
                _ => None,
            })
            .ok_or(())
    }
}

/// Kind of school in `schools.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolKind {
    Mainstream,
    Special,
    Independent,
    Post16,
}

impl SchoolKind {
    pub fn code(self) -> &'static str {
        match self {
            SchoolKind::Mainstream => "mainstream",
            SchoolKind::Special => "special",
            SchoolKind::Independent => "independent",
            SchoolKind::Post16 => "post16",
        }
    }
}

impl FromStr for SchoolKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mainstream" => Ok(SchoolKind::Mainstream),
            "special" => Ok(SchoolKind::Special),
            "independent" => Ok(SchoolKind::Independent),
            "post16" | "post_16" | "fe" => Ok(SchoolKind::Post16),
            _ => Err(()),
        }
    }
}

/// A set of phases, as a bit set over [`Phase::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PhaseSet(u8);

impl PhaseSet {
    pub fn with(self, p: Phase) -> PhaseSet {
        PhaseSet(self.0 | 1 << p.index())
    }
    pub fn contains(self, p: Phase) -> bool {
        self.0 & (1 << p.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::ALL.into_iter().filter(move |p| self.contains(*p))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A set of needs, as a bit set over [`Need::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeedSet(u16);

impl NeedSet {
    pub fn all() -> NeedSet {
        NeedSet((1 << Need::ALL.len()) - 1)
    }
    pub fn with(self, n: Need) -> NeedSet {
        NeedSet(self.0 | 1 << n.index())
    }
    pub fn contains(self, n: Need) -> bool {
        self.0 & (1 << n.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Need> {
        Need::ALL.into_iter().filter(move |n| self.contains(*n))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// `ASD;SLCN`, or `ANY` for every need.
    pub fn label(self) -> String {
        if self == NeedSet::all() {
            return "ANY".to_string();
        }
        self.iter().map(Need::code).collect::<Vec<_>>().join(";")
    }
}

/// A ward, LSOA or planning area.
#[derive(Debug, Clone, PartialEq)]
pub struct Locality {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// A school from `schools.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct School {
    /// URN or local id.
    pub id: String,
    pub name: String,
    pub kind: SchoolKind,
    pub phases: PhaseSet,
    pub lat: f64,
    pub lon: f64,
    /// May host a new resourced base (mainstream schools only).
    pub can_host_base: bool,
    /// Most new places its site can take, across needs and phases.
    pub max_new_places: u32,
    /// Capital per new place, overriding the scenario default.
    pub capex_per_place: Option<f64>,
    /// Revenue per pupil per year, overriding the default for the school's kind.
    pub place_cost: Option<f64>,
}

/// Existing commissioned specialist places at one school for a set of needs in one phase
/// (`capacity.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingProvision {
    /// Index into [`Scenario::schools`].
    pub school: usize,
    pub needs: NeedSet,
    pub phase: Phase,
    pub places: u32,
}

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
        }
    }
}

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
}

impl Default for BaseRules {
    fn default() -> Self {
        BaseRules {
            needs: vec![Need::Asd, Need::Slcn, Need::Semh, Need::Mld],
            phases: vec![Phase::Primary, Phase::Secondary],
            min_size: 8,
            max_size: 20,
            modular: false,
            lead_time: 1,
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
    /// Pupils already placed stay at their provision until their next phase transfer
    /// (constraint 6 in docs/model.md).
    pub stability: bool,
}

impl Default for SolverSettings {
    fn default() -> Self {
        SolverSettings {
            time_limit_s: 60.0,
            mip_gap: 0.005,
            allow_out_of_area: true,
            stability: false,
        }
    }
}

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
    /// The time limit as a duration ([`time_limit_duration`]).
    pub fn time_limit(&self) -> std::time::Duration {
        time_limit_duration(self.time_limit_s)
    }
}

/// Population of one locality at one single year of age in one year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PopulationCell {
    pub locality: usize,
    pub year: i32,
    pub age: u8,
    pub count: f64,
}

/// Plans in one January at one locality, age, need and provision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryCell {
    pub year: i32,
    pub locality: usize,
    pub age: u8,
    pub need: Need,
    pub provision: ProvisionKind,
    pub count: f64,
}

/// A road-network edge between two nodes (locality or school ids), in minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    pub from: String,
    pub to: String,
    pub minutes: f64,
    /// Road distance, when known (else derived from minutes and the average speed).
    pub km: Option<f64>,
}

/// Everything placeplan knows about one local authority's planning question.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    /// Last January with history; the plan covers base_year+1 ..= base_year+horizon.
    pub base_year: i32,
    pub horizon: u32,
    pub discount_rate: f64,
    /// Capital budget per plan year, in pounds (`horizon` entries).
    pub capital_budget: Vec<f64>,
    pub costs: CostParams,
    pub journey: JourneyLimits,
    pub travel: TravelSettings,
    pub bases: BaseRules,
    pub forecast: ForecastSettings,
    pub solver: SolverSettings,
    /// Policy levers; the "mitigated" forecast applies them, the "unmitigated" one does not.
    pub levers: Vec<Lever>,
    pub localities: Vec<Locality>,
    pub schools: Vec<School>,
    pub provisions: Vec<ExistingProvision>,
    pub population: Vec<PopulationCell>,
    pub history: Vec<HistoryCell>,
    pub roads: Vec<Road>,
}

impl Scenario {
    /// The plan years, base_year+1 ..= base_year+horizon.
    pub fn plan_years(&self) -> Vec<i32> {
        (1..=self.horizon as i32)
            .map(|h| self.base_year + h)
            .collect()
    }

    /// Revenue per pupil per year at an existing school.
    pub fn place_cost(&self, school: &School, phase: Phase) -> f64 {
        if let Some(c) = school.place_cost {
            return c;
        }
        match school.kind {
            SchoolKind::Mainstream => self.costs.resourced_base_place,
            SchoolKind::Special if matches!(phase, Phase::Post16 | Phase::Post19) => {
                self.costs.post16_place.max(self.costs.special_place)
            }
            SchoolKind::Special => self.costs.special_place,
            SchoolKind::Independent => self.costs.independent_place,
            SchoolKind::Post16 => self.costs.post16_place,
        }
    }

    /// Capital per new place at a school.
    pub fn capex_per_place(&self, school: &School) -> f64 {
        school.capex_per_place.unwrap_or(self.costs.capex_per_place)
    }
}

/// Years present in history, sorted.
pub fn history_years(s: &Scenario) -> Vec<i32> {
    s.history
        .iter()
        .map(|h| h.year)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn need_codes_round_trip() {
        for n in Need::ALL {
            assert_eq!(n.code().parse::<Need>(), Ok(n));
            assert_eq!(Need::ALL[n.index()], n);
        }
        assert_eq!("spld".parse::<Need>(), Ok(Need::Spld));
        assert!("XYZ".parse::<Need>().is_err());
    }

    #[test]
    fn ages_map_to_dfe_bands_and_phases() {
        assert_eq!(AgeGroup::of_age(4), AgeGroup::A0to4);
        assert_eq!(AgeGroup::of_age(5), AgeGroup::A5to10);
        assert_eq!(AgeGroup::of_age(10), AgeGroup::A5to10);
        assert_eq!(AgeGroup::of_age(11), AgeGroup::A11to15);
        assert_eq!(AgeGroup::of_age(16), AgeGroup::A16to19);
        assert_eq!(AgeGroup::of_age(19), AgeGroup::A16to19);
        assert_eq!(AgeGroup::of_age(20), AgeGroup::A20to25);
        assert_eq!(Phase::of_age(11), Phase::Secondary);
        for g in AgeGroup::ALL {
            assert_eq!(g.phase().age_group(), g);
            for a in g.ages() {
                assert_eq!(AgeGroup::of_age(a), g);
            }
        }
    }

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

    #[test]
    fn sets() {
        let s = NeedSet::default().with(Need::Asd).with(Need::Semh);
        assert!(s.contains(Need::Asd) && !s.contains(Need::Mld));
        assert_eq!(s.label(), "ASD;SEMH");
        assert_eq!(NeedSet::all().label(), "ANY");
        let p = PhaseSet::default().with(Phase::Primary);
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![Phase::Primary]);
    }
}
