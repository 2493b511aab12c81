//! Plain domain data: needs, age groups, phases, localities, schools, existing provision and the
//! scenario that ties them together. Nothing here reads files or solves anything.

mod host;
mod settings;
mod vocab;

pub use host::*;
pub use settings::*;
pub use vocab::*;

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
    /// Statutory low and high (leaving) age, when known: a new base may serve only phases
    /// taught in that range ([`phases_taught`]).
    pub ages: Option<(u8, u8)>,
    /// Boys, girls or mixed: a single-sex school hosts no new base unless `[bases]
    /// allow_single_sex` is set.
    pub gender: SchoolGender,
    /// Selects pupils by ability (grammar school): hosts no new base unless `[bases]
    /// allow_selective` is set.
    pub selective: bool,
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
    /// Pupils other authorities have placed in these places (`other_la_pupils`, at most
    /// `places`): they keep their places in every plan year, so this authority's pupils use
    /// the rest.
    pub other_la_pupils: u32,
}

/// Pupils of the authority's own placed in other authorities' schools in the base year, for one
/// locality, need and phase (`placed_elsewhere.csv`): they stay there until their next phase
/// transfer (with stability), at their own cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedElsewhere {
    pub locality: usize,
    pub need: Need,
    pub phase: Phase,
    pub pupils: u32,
    /// Place funding (top-up and place) per pupil per year.
    pub place_cost: f64,
    /// Home-to-school transport per pupil per year.
    pub transport_cost: f64,
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
#[derive(Debug, Clone, PartialEq, Default)]
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
    /// Expansion of existing special schools and specialist post-16 providers.
    pub expansion: ExpansionRules,
    /// New special schools on candidate sites.
    pub new_school: NewSchoolRules,
    pub capital: CapitalSettings,
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
    /// The authority's pupils in other authorities' schools in the base year.
    pub placed_elsewhere: Vec<PlacedElsewhere>,
    /// Boundary of each locality (rings of (lon, lat) points, outer rings and holes), for the
    /// report's map; empty when the scenario has no boundaries file.
    pub outlines: Vec<Vec<Vec<(f64, f64)>>>,
}

impl Scenario {
    /// Pupils of one locality, need and phase placed in other authorities' schools in the base
    /// year, with their place and transport costs per pupil per year (means weighted by pupils
    /// over the rows of `placed_elsewhere`); `None` when there are none.
    pub fn placed_elsewhere_of(
        &self,
        locality: usize,
        need: Need,
        phase: Phase,
    ) -> Option<(u32, f64, f64)> {
        let mut pupils = 0u32;
        let (mut place, mut transport) = (0.0, 0.0);
        for e in &self.placed_elsewhere {
            if (e.locality, e.need, e.phase) == (locality, need, phase) && e.pupils > 0 {
                pupils += e.pupils;
                place += e.place_cost * e.pupils as f64;
                transport += e.transport_cost * e.pupils as f64;
            }
        }
        (pupils > 0).then(|| (pupils, place / pupils as f64, transport / pupils as f64))
    }

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
            SchoolKind::Special | SchoolKind::Site
                if matches!(phase, Phase::Post16 | Phase::Post19) =>
            {
                self.costs.post16_place.max(self.costs.special_place)
            }
            SchoolKind::Special | SchoolKind::Site => self.costs.special_place,
            SchoolKind::Independent => self.costs.independent_place,
            SchoolKind::Post16 => self.costs.post16_place,
        }
    }

    /// The kind of provision an existing provision (index into [`Scenario::provisions`]) is,
    /// as history records placements: places in mainstream schools are resourced bases, special
    /// schools and specialist post-16 providers are special, independents are independent.
    pub fn provision_kind(&self, k: usize) -> ProvisionKind {
        match self.schools[self.provisions[k].school].kind {
            SchoolKind::Mainstream => ProvisionKind::ResourcedBase,
            SchoolKind::Special | SchoolKind::Post16 | SchoolKind::Site => ProvisionKind::Special,
            SchoolKind::Independent => ProvisionKind::Independent,
        }
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
