//! The scenario files a generator writes: `scenario.toml` from `[files]` on, and the five CSV
//! files, with fixed decimal formatting.

use placeplan_model::domain::{
    BaseRules, CapitalSettings, CostParams, ExpansionRules, ForecastSettings, JourneyLimits, Need,
    NewSchoolRules, Phase, ProvisionKind, SolverSettings, TravelSettings, N_AGES,
};

use super::caseload::{cell, Caseload};
use super::population::{Population, Ward};
use super::schools::{CapacityRow, School};
use super::{BASE_YEAR, FIRST_YEAR};

/// Which allocation model a generated scenario asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rules {
    /// The defaults, whole bases and stability, written out as `modular = true` and
    /// `stability = true` so that a planner reading the file sees both (the demo).
    Written,
    /// Neither key written, so the scenario defaults apply: whole bases and stability, the model
    /// councils use (the synthetic instances).
    Defaults,
}

/// `scenario.toml` from `[files]` on: default costs, resourced-base rules, solver and levers, and
/// the given journey limits, travel and forecast settings, for the model `rules` names.
pub(crate) fn settings_toml(
    j: &JourneyLimits,
    t: &TravelSettings,
    f: &ForecastSettings,
    rules: Rules,
) -> String {
    let c = CostParams::default();
    let b = BaseRules {
        needs: vec![Need::Asd, Need::Slcn, Need::Semh, Need::Mld],
        phases: vec![Phase::Primary, Phase::Secondary],
        min_size: 8,
        max_size: 20,
        // Written only for `Rules::Written`.
        modular: true,
        lead_time: 1,
        ..BaseRules::default()
    };
    let cap = CapitalSettings::default();
    let e = ExpansionRules::default();
    let n = NewSchoolRules::default();
    let s = SolverSettings::default();
    let list = |items: Vec<&str>| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let needs = list(b.needs.iter().map(|n| n.code()).collect());
    let phases = list(b.phases.iter().map(|p| p.code()).collect());
    let school_needs = list(n.needs.iter().map(|n| n.code()).collect());
    let (modular, stability) = match rules {
        Rules::Written => (
            format!("modular = {}\n", b.modular),
            format!("stability = {}\n", s.stability),
        ),
        Rules::Defaults => (String::new(), String::new()),
    };
    format!(
        r#"[files]
localities = "localities.csv"
population = "population.csv"
history = "history.csv"
schools = "schools.csv"
capacity = "capacity.csv"
# Optional road network (from,to,minutes); empty for straight-line travel.
roads = ""

# Pounds; per pupil per year unless noted.
[costs]
resourced_base_place = {:?}
special_place = {:?}
independent_place = {:?}
post16_place = {:?}
transport_fixed = {:?}
transport_per_km = {:?}
out_of_area_transport = {:?}
# One-off capital per new resourced-base place, and per new base opened.
capex_per_place = {:?}
base_fixed_cost = {:?}

# Longest reasonable one-way journey, minutes.
[journey]
early_years = {:?}
primary = {:?}
secondary = {:?}
post16 = {:?}
post19 = {:?}

# Straight-line travel: road km = great-circle km x detour_factor.
[travel]
detour_factor = {:?}
speed_kmh = {:?}
fixed_minutes = {:?}

# New resourced bases in mainstream schools.
[bases]
needs = [{needs}]
phases = [{phases}]
min_size = {}
max_size = {}
{modular}lead_time = {}

# Whole classes added to special schools and post-16 providers with room on site
# (schools.csv max_new_places).
[expansion]
enabled = {}
class_size = {}
lead_time = {}
capex_per_place = {:?}

# New special schools on candidate sites (schools.csv kind = site).
[new_school]
needs = [{school_needs}]
min_size = {}
max_size = {}
lead_time = {}
capex_per_place = {:?}
lump_sum = {:?}

# Credit the value of new places beyond the plan horizon (residual value over asset_life years).
[capital]
residual_value = {}
asset_life = {}

[forecast]
trend_damping = {:?}
max_rate_growth = {:?}
shrinkage_plans = {:?}
seed = {}
runs = {}

[solver]
time_limit_s = {:?}
mip_gap = {:?}
allow_out_of_area = {}
{stability}
# Mitigations from the council's Delivering Better Value programme: the "mitigated" forecast
# applies them, the "unmitigated" one does not.
[[levers]]
kind = "new_plan_rate"
value = 0.9
start_year = {mitigation_start}
ramp_years = 3

[[levers]]
kind = "specialist_share"
value = 0.95
start_year = {mitigation_start}
ramp_years = 2
"#,
        c.resourced_base_place,
        c.special_place,
        c.independent_place,
        c.post16_place,
        c.transport_fixed,
        c.transport_per_km,
        c.out_of_area_transport,
        c.capex_per_place,
        c.base_fixed_cost,
        j.early_years,
        j.primary,
        j.secondary,
        j.post16,
        j.post19,
        t.detour_factor,
        t.speed_kmh,
        t.fixed_minutes,
        b.min_size,
        b.max_size,
        b.lead_time,
        e.enabled,
        e.class_size,
        e.lead_time,
        e.capex_per_place,
        n.min_size,
        n.max_size,
        n.lead_time,
        n.capex_per_place,
        n.lump_sum,
        cap.residual_value,
        cap.asset_life,
        f.trend_damping,
        f.max_rate_growth,
        f.shrinkage_plans,
        f.seed,
        f.runs,
        s.time_limit_s,
        s.mip_gap,
        s.allow_out_of_area,
        mitigation_start = BASE_YEAR + 2,
    )
}

pub(crate) fn localities_csv(wards: &[Ward], ids: &[String]) -> String {
    let mut out = String::from("id,name,lat,lon,residents\n");
    for (w, id) in wards.iter().zip(ids) {
        out.push_str(&format!(
            "{},{},{:.5},{:.5},{}\n",
            id, w.name, w.lat, w.lon, w.residents
        ));
    }
    out
}

pub(crate) fn population_csv(pop: &Population, ids: &[String]) -> String {
    let mut out = String::from("locality,year,age,count\n");
    for (years, id) in pop.iter().zip(ids) {
        for (yi, ages) in years.iter().enumerate() {
            let year = FIRST_YEAR + yi as i32;
            for (a, c) in ages.iter().enumerate() {
                out.push_str(&format!("{id},{year},{a},{c}\n"));
            }
        }
    }
    out
}

pub(crate) fn history_csv(caseload: &Caseload, ids: &[String]) -> String {
    let mut out = String::from("year,locality,age,need,provision,count\n");
    for (yi, state) in caseload.iter().enumerate() {
        let year = FIRST_YEAR + yi as i32;
        for (w, id) in ids.iter().enumerate() {
            for a in 0..N_AGES {
                for (n, need) in Need::ALL.iter().enumerate() {
                    for (k, prov) in ProvisionKind::ALL.iter().enumerate() {
                        let c = state[cell(w, a, n, k)];
                        if c > 0 {
                            out.push_str(&format!(
                                "{year},{id},{a},{},{},{c}\n",
                                need.code(),
                                prov.code()
                            ));
                        }
                    }
                }
            }
        }
    }
    out
}

pub(crate) fn schools_csv(schools: &[School]) -> String {
    let mut out = String::from(
        "id,name,kind,phases,lat,lon,can_host_base,max_new_places,capex_per_place,place_cost\n",
    );
    for s in schools {
        let phases: Vec<&str> = s.phases.iter().map(|p| p.code()).collect();
        out.push_str(&format!(
            "{},{},{},{},{:.5},{:.5},{},{},,\n",
            s.id,
            s.name,
            s.kind.code(),
            phases.join(";"),
            s.lat,
            s.lon,
            if s.can_host_base { "yes" } else { "no" },
            s.max_new_places.map(|m| m.to_string()).unwrap_or_default(),
        ));
    }
    out
}

pub(crate) fn capacity_csv(schools: &[School], rows: &[CapacityRow]) -> String {
    let mut out = String::from("school,needs,phase,places\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{}\n",
            schools[r.school].id,
            r.needs.label(),
            r.phase.code(),
            r.places
        ));
    }
    out
}

/// The files a generated scenario has.
#[cfg(test)]
pub(crate) const FILES: [&str; 6] = [
    "scenario.toml",
    "localities.csv",
    "population.csv",
    "history.csv",
    "schools.csv",
    "capacity.csv",
];

/// Asserts that directories `a` and `b` hold [`FILES`] and nothing else (no temp files left),
/// each non-empty and the same bytes in both.
#[cfg(test)]
pub(crate) fn assert_same_scenario_files(a: &std::path::Path, b: &std::path::Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        let y = std::fs::read(b.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == y, "{f} differs between two calls");
    }
    let mut want: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    want.sort();
    for dir in [a, b] {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, want, "no other files (no temp files left)");
    }
}
