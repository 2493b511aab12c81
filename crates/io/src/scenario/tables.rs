//! The scenario's CSV tables: localities, schools, capacity, population, history and roads, each
//! read row by row with every problem reported at its line, column and field.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::csvread::{read_csv, read_csv_at_most};
use placeplan_model::domain::*;
use placeplan_model::error::{Code, InputError, Problems};

use super::*;

/// Reads localities; also returns every id defined, valid or not, so that references to a row
/// that was itself rejected are not reported again in every other file, and whether every row
/// was read (if not, an id used elsewhere may be defined in a row that could not be read).
pub(super) fn read_localities(
    path: &Path,
    problems: &mut Problems,
) -> (Vec<Locality>, HashSet<String>, bool) {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let required = ["id", "name", "lat", "lon"];
    let complete = read_csv_at_most(path, &required, MAX_LOCALITIES as u64, problems, |row| {
        let id = row.required("id");
        check_id(row, "id", id.as_deref());
        let name = row.name("name");
        let ll = row.lat_lon("lat", "lon");
        if !row.text("residents").is_empty() {
            row.bounded("residents", MAX_COUNT);
        }
        if let Some(id) = &id {
            if let Some(first) = seen.get(id) {
                row.problem(
                    "id",
                    Code::DuplicateId,
                    format!("locality '{id}' is already defined on line {first}"),
                );
            } else {
                seen.insert(id.clone(), row.line);
            }
        }
        if let (true, Some(id), Some(name), Some((lat, lon))) = (row.ok, id, name, ll) {
            out.push(Locality { id, name, lat, lon });
        }
    });
    (out, seen.into_keys().collect(), complete)
}

pub(super) fn read_schools(
    path: &Path,
    base_phases: &[Phase],
    problems: &mut Problems,
) -> (Vec<School>, HashSet<String>, bool) {
    let mut out = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let complete = read_csv_at_most(
        path,
        &["id", "name", "kind", "phases", "lat", "lon"],
        MAX_SCHOOLS as u64,
        problems,
        |row| {
            let id = row.required("id");
            check_id(row, "id", id.as_deref());
            let name = row.name("name");
            let kind = row.parsed::<SchoolKind>("kind", Code::UnknownSchoolKind, "school kind");
            let phases = row.phases("phases");
            let ll = row.lat_lon("lat", "lon");
            let can_host = row.boolean("can_host_base", false);
            let max_new = if row.text("max_new_places").is_empty() {
                Some(0)
            } else {
                row.bounded("max_new_places", MAX_PLACES)
                    .and_then(|_| row.count("max_new_places"))
            };
            let capex = optional_money(row, "capex_per_place");
            let place_cost = optional_money(row, "place_cost");
            let host = super::host_columns::read(row);
            if let (Some(true), Some(kind), Some(phases)) = (can_host, kind, phases) {
                let teaches_base_phase = base_phases.iter().any(|p| phases.contains(*p));
                if kind != SchoolKind::Mainstream || !teaches_base_phase {
                    row.problem(
                        "can_host_base",
                        Code::CannotHostBase,
                        format!(
                            "a {} school teaching no phase in [bases] phases cannot host a base",
                            kind.code()
                        ),
                    );
                }
            }
            if let Some(id) = &id {
                if let Some(first) = seen.get(id) {
                    row.problem(
                        "id",
                        Code::DuplicateId,
                        format!("school '{id}' is already defined on line {first}"),
                    );
                } else {
                    seen.insert(id.clone(), row.line);
                }
            }
            if let (
                true,
                Some(id),
                Some(name),
                Some(kind),
                Some(phases),
                Some((lat, lon)),
                Some(can_host_base),
                Some(max_new_places),
                Some(capex_per_place),
                Some(place_cost),
                Some((ages, gender, selective)),
            ) = (
                row.ok, id, name, kind, phases, ll, can_host, max_new, capex, place_cost, host,
            ) {
                out.push(School {
                    id,
                    name,
                    kind,
                    phases,
                    lat,
                    lon,
                    can_host_base,
                    max_new_places,
                    capex_per_place,
                    place_cost,
                    ages,
                    gender,
                    selective,
                });
            }
        },
    );
    (out, seen.into_keys().collect(), complete)
}

/// An optional amount of pounds in a CSV row: empty, or zero to [`MAX_MONEY`] (E113 above).
pub(super) fn optional_money(row: &mut crate::csvread::Row, field: &str) -> Option<Option<f64>> {
    if row.text(field).is_empty() {
        return Some(None);
    }
    row.bounded(field, MAX_MONEY).map(Some)
}

pub(super) fn read_capacity(
    path: &Path,
    schools: &[School],
    schools_known: &Known,
    problems: &mut Problems,
) -> Vec<ExistingProvision> {
    let mut out = Vec::new();
    let mut seen: HashMap<(usize, Phase, String), u64> = HashMap::new();
    read_csv_at_most(
        path,
        &["school", "needs", "phase", "places"],
        MAX_CAPACITY_ROWS,
        problems,
        |row| {
            let school = row.required("school");
            let needs = row.needs("needs");
            let phase = row.phase("phase");
            let places = row
                .bounded("places", MAX_PLACES)
                .and_then(|_| row.count("places"));
            // Optional column: pupils from other authorities in these places.
            let other = if row.text("other_la_pupils").is_empty() {
                Some(0)
            } else {
                row.bounded("other_la_pupils", MAX_PLACES)
                    .and_then(|_| row.count("other_la_pupils"))
            };
            if let (Some(p), Some(o)) = (places, other) {
                if o > p {
                    row.problem(
                        "other_la_pupils",
                        Code::OtherPupilsOverPlaces,
                        format!("{o} pupils from other authorities in {p} places"),
                    );
                }
            }
            let idx = school.as_ref().and_then(|_| {
                schools_known.resolve(
                    row,
                    "school",
                    Code::UnknownSchool,
                    ("school", "schools.csv"),
                )
            });
            if let Some(i) = idx {
                if schools[i].kind == SchoolKind::Site {
                    row.problem(
                        "school",
                        Code::PlacesAtSite,
                        format!("'{}' is a candidate site, not a school", schools[i].id),
                    );
                }
            }
            if let (Some(i), Some(p)) = (idx, phase) {
                if !schools[i].phases.contains(p) {
                    row.problem(
                        "phase",
                        Code::PhaseNotServed,
                        format!("school '{}' does not teach {p}", schools[i].id),
                    );
                }
                if let Some(n) = needs {
                    let key = (i, p, n.label());
                    if let Some(first) = seen.get(&key) {
                        row.problem(
                            "needs",
                            Code::DuplicateRow,
                            format!("same school, needs and phase as line {first}"),
                        );
                    } else {
                        seen.insert(key, row.line);
                    }
                }
            }
            if let (true, Some(school), Some(needs), Some(phase), Some(places), Some(other)) =
                (row.ok, idx, needs, phase, places, other)
            {
                out.push(ExistingProvision {
                    school,
                    needs,
                    phase,
                    places,
                    other_la_pupils: other,
                });
            }
        },
    );
    out
}

pub(super) fn read_population(
    path: &Path,
    loc_index: &Known,
    problems: &mut Problems,
) -> Vec<PopulationCell> {
    let mut out = Vec::new();
    let mut seen: HashMap<(usize, i32, u8), u64> = HashMap::new();
    read_csv(
        path,
        &["locality", "year", "age", "count"],
        problems,
        |row| {
            let loc = locality_field(row, loc_index);
            let year = row.year("year");
            let age = row.age("age");
            let count = row.bounded("count", MAX_COUNT);
            if let (Some(l), Some(y), Some(a)) = (loc, year, age) {
                if let Some(first) = seen.insert((l, y, a), row.line) {
                    row.problem(
                        "age",
                        Code::DuplicateRow,
                        format!("same locality, year and age as line {first}"),
                    );
                }
            }
            if let (true, Some(locality), Some(year), Some(age), Some(count)) =
                (row.ok, loc, year, age, count)
            {
                out.push(PopulationCell {
                    locality,
                    year,
                    age,
                    count,
                });
            }
        },
    );
    out
}

pub(super) fn read_history(
    path: &Path,
    loc_index: &Known,
    problems: &mut Problems,
) -> Vec<HistoryCell> {
    let mut out = Vec::new();
    let mut seen: HashMap<(i32, usize, u8, Need, ProvisionKind), u64> = HashMap::new();
    read_csv(
        path,
        &["year", "locality", "age", "need", "provision", "count"],
        problems,
        |row| {
            let year = row.year("year");
            let loc = locality_field(row, loc_index);
            let age = row.age("age");
            let need = row.need("need");
            let provision =
                row.parsed::<ProvisionKind>("provision", Code::UnknownProvision, "provision");
            let count = row.bounded("count", MAX_COUNT);
            if let (Some(y), Some(l), Some(a), Some(n), Some(p)) = (year, loc, age, need, provision)
            {
                if let Some(first) = seen.insert((y, l, a, n, p), row.line) {
                    row.problem(
                        "count",
                        Code::DuplicateRow,
                        format!("same year, locality, age, need and provision as line {first}"),
                    );
                }
            }
            if let (
                true,
                Some(year),
                Some(locality),
                Some(age),
                Some(need),
                Some(provision),
                Some(count),
            ) = (row.ok, year, loc, age, need, provision, count)
            {
                out.push(HistoryCell {
                    year,
                    locality,
                    age,
                    need,
                    provision,
                    count,
                });
            }
        },
    );
    out
}

/// `placed_elsewhere.csv`: locality, need, phase, pupils, and optional place and transport costs
/// per pupil per year (default `[costs] special_place` and `out_of_area_transport`). Rows of one
/// locality, need and phase (pupils at several authorities) add up.
pub(super) fn read_placed_elsewhere(
    path: &Path,
    loc_index: &Known,
    costs: &CostParams,
    problems: &mut Problems,
) -> Vec<PlacedElsewhere> {
    let mut out = Vec::new();
    read_csv(
        path,
        &["locality", "need", "phase", "pupils"],
        problems,
        |row| {
            let loc = locality_field(row, loc_index);
            let need = row.need("need");
            let phase = row.phase("phase");
            let pupils = row
                .bounded("pupils", MAX_PLACES)
                .and_then(|_| row.count("pupils"));
            let place_cost = optional_money(row, "place_cost");
            let transport_cost = optional_money(row, "transport_cost");
            if let (
                true,
                Some(locality),
                Some(need),
                Some(phase),
                Some(pupils),
                Some(place),
                Some(transport),
            ) = (row.ok, loc, need, phase, pupils, place_cost, transport_cost)
            {
                out.push(PlacedElsewhere {
                    locality,
                    need,
                    phase,
                    pupils,
                    place_cost: place.unwrap_or(costs.special_place),
                    transport_cost: transport.unwrap_or(costs.out_of_area_transport),
                });
            }
        },
    );
    out
}

pub(super) fn read_roads(path: &Path, nodes: &HashSet<&str>, problems: &mut Problems) -> Vec<Road> {
    let mut out = Vec::new();
    let required = ["from", "to", "minutes"];
    read_csv_at_most(path, &required, MAX_ROADS, problems, |row| {
        let from = row.required("from");
        check_id(row, "from", from.as_deref());
        let to = row.required("to");
        check_id(row, "to", to.as_deref());
        let minutes = row.non_negative("minutes");
        let km = if row.text("km").is_empty() {
            Some(None)
        } else {
            row.non_negative("km").map(Some)
        };
        if let (true, Some(from), Some(to), Some(minutes), Some(km)) =
            (row.ok, from, to, minutes, km)
        {
            out.push(Road {
                from,
                to,
                minutes,
                km,
            });
        }
    });
    // Other ids are junctions. A network that touches no locality or school is a wrong file.
    let touches = out
        .iter()
        .any(|r| nodes.contains(r.from.as_str()) || nodes.contains(r.to.as_str()));
    if !out.is_empty() && !touches {
        problems.push(InputError::new(
            path,
            Code::UnknownRoadNode,
            "no road starts or ends at a locality or school id",
        ));
    }
    out
}

/// Refuses an id that starts like a spreadsheet formula (E115): ids are copied into the CSV
/// outputs. The row is rejected, but the id still counts as defined, so rows that refer to it
/// are not reported again.
pub(super) fn check_id(row: &mut crate::csvread::Row, field: &str, id: Option<&str>) {
    if let Some(id) = id.filter(|id| crate::csvcell::starts_like_formula(id)) {
        row.problem(
            field,
            Code::FormulaId,
            format!("id '{id}' starts like a spreadsheet formula"),
        );
    }
}

/// Ids a file defines: the valid rows' indices, every id seen (valid or not), and whether every
/// row of the file was read.
pub(super) struct Known<'a> {
    pub(super) index: &'a HashMap<&'a str, usize>,
    pub(super) all: &'a HashSet<String>,
    pub(super) complete: bool,
}

impl Known<'_> {
    /// Index of the referenced id; an unknown id is reported, an id whose own row was rejected
    /// only makes this row unusable (its problem is already reported where it is defined). When
    /// the defining file could not be read whole, an unknown id is not reported either: it may
    /// be defined in the rows that could not be read.
    fn resolve(
        &self,
        row: &mut crate::csvread::Row,
        field: &str,
        code: Code,
        (what, file): (&str, &str),
    ) -> Option<usize> {
        let id = row.required(field)?;
        match self.index.get(id.as_str()) {
            Some(i) => Some(*i),
            None if self.all.contains(&id) || !self.complete => {
                row.ok = false;
                None
            }
            None => {
                row.problem(field, code, format!("{what} '{id}' is not in {file}"));
                None
            }
        }
    }
}

pub(super) fn locality_field(row: &mut crate::csvread::Row, locs: &Known) -> Option<usize> {
    locs.resolve(
        row,
        "locality",
        Code::UnknownLocality,
        ("locality", "localities.csv"),
    )
}
