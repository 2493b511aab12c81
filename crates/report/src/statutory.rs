//! The statutory and finance layouts: the DSG management plan grid (placements by the DfE
//! template's 7 placement types x 5 age bands x 13 primary needs, numbers and place costs by
//! year, unmitigated and mitigated) and the SCAP SEND forecast layout (places needed and planned
//! by phase x provision, by year). Both are computed here once and rendered as CSV here and as
//! workbook sheets by `xlsx`. docs/exports.md says what fills every cell.

use placeplan_model::domain::{AgeGroup, Need, Phase, ProvisionKind};
use placeplan_model::finance::unit_cost;
use placeplan_model::forecast::Demand;
use placeplan_model::plan::{Plan, ProvisionRef};

use crate::run::RunOutputs;
use crate::tables::{count, csv_bytes, fixed};

/// The DSG management plan template's placement types, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DsgPlacement {
    Mainstream,
    ResourcedOrUnit,
    Special,
    Independent,
    AlternativeProvision,
    Post16,
    Other,
}

impl DsgPlacement {
    pub const ALL: [DsgPlacement; 7] = [
        DsgPlacement::Mainstream,
        DsgPlacement::ResourcedOrUnit,
        DsgPlacement::Special,
        DsgPlacement::Independent,
        DsgPlacement::AlternativeProvision,
        DsgPlacement::Post16,
        DsgPlacement::Other,
    ];

    /// The row label.
    pub fn label(self) -> &'static str {
        match self {
            DsgPlacement::Mainstream => "Mainstream schools or academies",
            DsgPlacement::ResourcedOrUnit => "Resourced provision or SEN units",
            DsgPlacement::Special => "Maintained special schools or special academies",
            DsgPlacement::Independent => "NMSS or independent schools",
            DsgPlacement::AlternativeProvision => "Hospital schools or alternative provision",
            DsgPlacement::Post16 => "Post-16 and further education",
            DsgPlacement::Other => "Other",
        }
    }

    /// The placement type of a kind of provision. Exhaustive, so a new kind must be mapped.
    pub fn of_kind(k: ProvisionKind) -> DsgPlacement {
        match k {
            ProvisionKind::Mainstream => DsgPlacement::Mainstream,
            ProvisionKind::ResourcedBase => DsgPlacement::ResourcedOrUnit,
            ProvisionKind::Special => DsgPlacement::Special,
            ProvisionKind::Independent => DsgPlacement::Independent,
            ProvisionKind::FurtherEducation => DsgPlacement::Post16,
            ProvisionKind::Other => DsgPlacement::Other,
            // Pupils in other authorities' schools are counted as in special schools: the
            // scenario gives their cost, not the type of school.
            ProvisionKind::OtherAuthority => DsgPlacement::Special,
        }
    }

    /// True for the types placeplan places pupils in (those of a specialist kind); the others
    /// are left empty in the grid.
    pub fn planned(self) -> bool {
        ProvisionKind::ALL
            .iter()
            .any(|k| k.is_specialist() && DsgPlacement::of_kind(*k) == self)
    }
}

/// The template's 13 primary needs, in its order: the 12 SEN2 needs and NSA (SEN support with
/// no specialist assessment of need), which no placeplan need maps to.
pub const DSG_NEEDS: [&str; 13] = [
    "SPLD", "MLD", "SLD", "PMLD", "SEMH", "SLCN", "HI", "VI", "MSI", "PD", "ASD", "OTH", "NSA",
];

/// Position of a placeplan need in [`DSG_NEEDS`]. Exhaustive, so a new need must be mapped.
pub fn dsg_need(n: Need) -> usize {
    match n {
        Need::Spld => 0,
        Need::Mld => 1,
        Need::Sld => 2,
        Need::Pmld => 3,
        Need::Semh => 4,
        Need::Slcn => 5,
        Need::Hi => 6,
        Need::Vi => 7,
        Need::Msi => 8,
        Need::Pd => 9,
        Need::Asd => 10,
        Need::Oth => 11,
    }
}

/// The kind of provision a placement is in: an existing provision's kind, a new base is a
/// resourced base, out of area is independent, another authority's school is its own kind.
pub fn placement_kind(run: &RunOutputs, p: ProvisionRef) -> ProvisionKind {
    match p {
        ProvisionRef::Existing(k) => run.scenario.provision_kind(k),
        ProvisionRef::NewBase(_) => ProvisionKind::ResourcedBase,
        ProvisionRef::OutOfArea => ProvisionKind::Independent,
        ProvisionRef::Elsewhere(_) => ProvisionKind::OtherAuthority,
    }
}

/// Pupils and place cost (pounds a year) in one grid cell.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    pub pupils: f64,
    pub cost: f64,
}

/// One block of the DSG grid: one variant's placements in one plan year.
#[derive(Debug, Clone, PartialEq)]
pub struct DsgBlock {
    /// `unmitigated` or `mitigated`.
    pub variant: &'static str,
    pub year: i32,
    /// `cells[type][need][age band]`, indexed by [`DsgPlacement::ALL`], [`DSG_NEEDS`] and
    /// [`AgeGroup::ALL`].
    pub cells: Vec<[[Cell; 5]; 13]>,
}

/// The DSG grid: the unmitigated blocks (when the run has them), then the mitigated ones.
pub fn dsg_grid(run: &RunOutputs) -> Vec<DsgBlock> {
    let mut out = Vec::new();
    if let Some((demand, plan)) = run.unmitigated {
        out.extend(blocks(run, "unmitigated", demand, plan));
    }
    out.extend(blocks(run, "mitigated", run.demand, run.plan));
    out
}

fn blocks(run: &RunOutputs, variant: &'static str, d: &Demand, plan: &Plan) -> Vec<DsgBlock> {
    let mut out: Vec<DsgBlock> = plan
        .years
        .iter()
        .map(|&year| DsgBlock {
            variant,
            year,
            cells: vec![[[Cell::default(); 5]; 13]; DsgPlacement::ALL.len()],
        })
        .collect();
    for p in &plan.placements {
        let (Some(g), Some(block)) = (d.groups.get(p.group), out.get_mut(p.year)) else {
            continue;
        };
        let (_, place_cost, _) =
            unit_cost(run.scenario, run.travel, &plan.candidates, g, p.provision);
        let kind = DsgPlacement::of_kind(placement_kind(run, p.provision)) as usize;
        let cell = &mut block.cells[kind][dsg_need(g.need)][g.phase.age_group() as usize];
        cell.pupils += p.pupils;
        cell.cost += p.pupils * place_cost;
    }
    out
}

/// Column names of the DSG grid, CSV and sheet alike.
pub fn dsg_columns() -> Vec<String> {
    let mut cols: Vec<String> = ["variant", "year", "placement_type", "need"]
        .map(String::from)
        .to_vec();
    for what in ["pupils", "cost"] {
        for a in AgeGroup::ALL {
            cols.push(format!("{what}_{}", a.label()));
        }
        cols.push(format!("{what}_total"));
    }
    cols
}

/// `dsg_grid.csv`: one row per variant, year, placement type and need; pupils by age band and
/// in all, then place costs by age band and in all. Types placeplan does not plan are empty.
pub fn dsg_grid_csv(run: &RunOutputs) -> Vec<u8> {
    let mut rows = Vec::new();
    for b in dsg_grid(run) {
        for (t, ty) in DsgPlacement::ALL.iter().enumerate() {
            for (n, need) in DSG_NEEDS.iter().enumerate() {
                let mut r = vec![
                    b.variant.to_string(),
                    b.year.to_string(),
                    ty.label().to_string(),
                    need.to_string(),
                ];
                let cells = &b.cells[t][n];
                let pupils = cells.map(|c| c.pupils);
                let costs = cells.map(|c| c.cost);
                for (vals, text) in [(pupils, count as fn(f64) -> String), (costs, money)] {
                    for v in vals.iter().chain([&vals.iter().sum::<f64>()]) {
                        r.push(if ty.planned() {
                            text(*v)
                        } else {
                            String::new()
                        });
                    }
                }
                rows.push(r);
            }
        }
    }
    let cols = dsg_columns();
    csv_bytes(&cols.iter().map(String::as_str).collect::<Vec<_>>(), rows)
}

fn money(v: f64) -> String {
    fixed(v, 2)
}

/// The SCAP SEND forecast's provision columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScapProvision {
    UnitOrResourced,
    Special,
    Independent,
    AlternativeProvision,
}

impl ScapProvision {
    pub const ALL: [ScapProvision; 4] = [
        ScapProvision::UnitOrResourced,
        ScapProvision::Special,
        ScapProvision::Independent,
        ScapProvision::AlternativeProvision,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ScapProvision::UnitOrResourced => "unit_or_resourced_provision",
            ScapProvision::Special => "special",
            ScapProvision::Independent => "independent",
            ScapProvision::AlternativeProvision => "alternative_provision",
        }
    }

    /// True for the provisions placeplan places pupils in (those a specialist kind maps to);
    /// the others are left empty in the layout.
    pub fn planned(self) -> bool {
        ProvisionKind::ALL
            .iter()
            .any(|k| k.is_specialist() && ScapProvision::of_kind(*k) == Some(self))
    }

    /// The SCAP provision of a kind, if it is one SCAP counts. Exhaustive, so a new kind must
    /// be mapped.
    pub fn of_kind(k: ProvisionKind) -> Option<ScapProvision> {
        match k {
            ProvisionKind::ResourcedBase => Some(ScapProvision::UnitOrResourced),
            ProvisionKind::Special => Some(ScapProvision::Special),
            ProvisionKind::Independent => Some(ScapProvision::Independent),
            // SCAP counts the authority's own places.
            ProvisionKind::Mainstream
            | ProvisionKind::FurtherEducation
            | ProvisionKind::Other
            | ProvisionKind::OtherAuthority => None,
        }
    }
}

/// The phases SCAP collects.
pub const SCAP_PHASES: [Phase; 2] = [Phase::Primary, Phase::Secondary];

/// One row of the SCAP layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScapRow {
    pub year: i32,
    pub phase: Phase,
    pub provision: ScapProvision,
    /// Pupils of the phase the plan places in this provision.
    pub needed: f64,
    /// Places there: existing commissioned places, new places open that year, and the
    /// out-of-area places bought for the pupils placed out of area.
    pub planned: f64,
}

/// The SCAP layout of the run's plan, by year, phase and provision.
pub fn scap(run: &RunOutputs) -> Vec<ScapRow> {
    let (s, plan, d) = (run.scenario, run.plan, run.demand);
    let mut out = Vec::new();
    for (t, &year) in plan.years.iter().enumerate() {
        for phase in SCAP_PHASES {
            for provision in ScapProvision::ALL {
                let is = |k: ProvisionKind| ScapProvision::of_kind(k) == Some(provision);
                let placed = |out_of_area_only: bool| -> f64 {
                    plan.placements
                        .iter()
                        .filter(|p| p.year == t)
                        .filter(|p| !out_of_area_only || p.provision == ProvisionRef::OutOfArea)
                        .filter(|p| d.groups.get(p.group).is_some_and(|g| g.phase == phase))
                        .filter(|p| is(placement_kind(run, p.provision)))
                        .map(|p| p.pupils)
                        .sum::<f64>()
                        + 0.0
                };
                let existing: f64 = (0..s.provisions.len())
                    .filter(|&k| s.provisions[k].phase == phase && is(s.provision_kind(k)))
                    .map(|k| s.provisions[k].places as f64)
                    .sum();
                let new: f64 = if is(ProvisionKind::ResourcedBase) {
                    (0..plan.candidates.len())
                        .filter(|&c| plan.candidates[c].phase == phase)
                        .map(|c| plan.places_available(s, c, t))
                        .sum()
                } else {
                    0.0
                };
                out.push(ScapRow {
                    year,
                    phase,
                    provision,
                    needed: placed(false),
                    planned: existing + new + placed(true) + 0.0,
                });
            }
        }
    }
    out
}

/// `scap_send.csv`: one row per year, phase and provision: places needed and planned; empty
/// for a provision placeplan does not plan.
pub fn scap_csv(run: &RunOutputs) -> Vec<u8> {
    csv_bytes(
        &[
            "year",
            "phase",
            "provision",
            "places_needed",
            "places_planned",
        ],
        scap(run).into_iter().map(|r| {
            let planned = r.provision.planned();
            let cell = |v: f64| if planned { count(v) } else { String::new() };
            vec![
                r.year.to_string(),
                r.phase.code().to_string(),
                r.provision.code().to_string(),
                cell(r.needed),
                cell(r.planned),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_has_its_own_template_column() {
        let mut seen: Vec<usize> = Need::ALL.iter().map(|n| dsg_need(*n)).collect();
        for n in Need::ALL {
            assert!(DSG_NEEDS[dsg_need(n)].eq_ignore_ascii_case(n.code()));
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), Need::ALL.len());
    }

    #[test]
    fn only_specialist_types_are_planned() {
        let planned: Vec<_> = DsgPlacement::ALL
            .into_iter()
            .filter(|t| t.planned())
            .collect();
        assert_eq!(
            planned,
            [
                DsgPlacement::ResourcedOrUnit,
                DsgPlacement::Special,
                DsgPlacement::Independent
            ]
        );
    }

    /// The grid of the fixture's plan holds every placement: its pupils and place costs add up
    /// to the plan's per year.
    #[test]
    fn the_grid_holds_every_placement() {
        let fx = crate::aggregate::fixture::Fixture::demo();
        let run = fx.run();
        let grid = dsg_grid(&run);
        let mitigated: Vec<_> = grid.iter().filter(|b| b.variant == "mitigated").collect();
        assert_eq!(mitigated.len(), run.plan.years.len());
        for (t, b) in mitigated.iter().enumerate() {
            let pupils: f64 = b.cells.iter().flatten().flatten().map(|c| c.pupils).sum();
            assert_eq!(pupils, run.demand.total(t) as f64);
            let places = &run.costing.years[t].lines;
            let place_cost: f64 = places[..6].iter().sum();
            let cost: f64 = b.cells.iter().flatten().flatten().map(|c| c.cost).sum();
            assert!((cost - place_cost).abs() < 1e-6 * place_cost.max(1.0));
        }
    }
}
