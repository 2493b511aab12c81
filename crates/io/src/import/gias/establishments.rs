//! What placeplan makes of one kept establishment: its kind, phases, ages, gender,
//! admissions, needs and places.

use std::collections::HashMap;

use crate::csvread::Row;
use crate::import::{count_of, norm};
use placeplan_model::domain::{
    phases_taught, Need, NeedSet, Phase, PhaseSet, SchoolGender, SchoolKind,
};
use placeplan_model::error::Code;

use super::columns::Cols;
use super::location::location;
use super::types::{GiasOptions, GiasSchool};

/// What placeplan makes of a GIAS establishment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Keep(SchoolKind),
    Skip,
}

/// Types of state mainstream school that may host a new base (not nursery schools, 16-19
/// institutions, studio schools or university technical colleges).
pub(super) const HOST_TYPES: [&str; 8] = [
    "community school",
    "voluntary aided school",
    "voluntary controlled school",
    "foundation school",
    "academy sponsor led",
    "academy converter",
    "free schools",
    "city technology college",
];

/// Maps `EstablishmentTypeGroup (name)`, for a council's cut that has the group and not the
/// type. Special schools of every governance are in one group and are read as state special
/// schools.
pub(super) fn establishment_group(t: &str) -> Option<Kind> {
    use Kind::*;
    let k = match norm(t).replace('\u{2019}', "'").as_str() {
        "special schools" => Keep(SchoolKind::Special),
        "local authority maintained schools" | "academies" | "free schools" => {
            Keep(SchoolKind::Mainstream)
        }
        "independent schools"
        | "colleges"
        | "universities"
        | "other types"
        | "welsh schools"
        | "children's centres"
        | "online provider" => Skip,
        _ => return None,
    };
    Some(k)
}

/// Maps `TypeOfEstablishment (name)`; `None` for a type placeplan does not know.
pub(super) fn establishment_kind(t: &str) -> Option<Kind> {
    let t = norm(t).replace('\u{2019}', "'");
    use Kind::*;
    use SchoolKind::*;
    let k = match t.as_str() {
        "community special school"
        | "foundation special school"
        | "academy special sponsor led"
        | "academy special converter"
        | "free schools special" => Keep(Special),
        "non-maintained special school" | "other independent special school" => Keep(Independent),
        "special post 16 institution" => Keep(Post16),
        "community school"
        | "voluntary aided school"
        | "voluntary controlled school"
        | "foundation school"
        | "city technology college"
        | "academy sponsor led"
        | "academy converter"
        | "free schools"
        | "university technical college"
        | "studio schools"
        | "la nursery school"
        | "academy 16-19 converter"
        | "academy 16 to 19 sponsor led"
        | "free schools 16 to 19"
        | "sixth form centres" => Keep(Mainstream),
        "other independent school"
        | "pupil referral unit"
        | "academy alternative provision converter"
        | "academy alternative provision sponsor led"
        | "free schools alternative provision"
        | "further education"
        | "secure units"
        | "academy secure 16 to 19"
        | "offshore schools"
        | "service childrens education"
        | "service children's education"
        | "miscellaneous"
        | "higher education institutions"
        | "welsh establishment"
        | "british schools overseas"
        | "online provider"
        | "institution funded by other government department"
        | "children's centre"
        | "children's centre linked site" => Skip,
        _ if t.contains("special")
            && (t.contains("independent") || t.contains("non-maintained")) =>
        {
            Keep(Independent)
        }
        _ if t.contains("special") => Keep(Special),
        _ => return None,
    };
    Some(k)
}

/// Maps a GIAS SEN provision type such as `ASD - Autistic Spectrum Disorder`.
/// `Ok(None)` for an empty or "not applicable" cell.
fn sen_need(t: &str) -> Result<Option<Need>, ()> {
    let t = t.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("not applicable") {
        return Ok(None);
    }
    let code = t.split(" - ").next().unwrap_or(t).trim();
    if code.eq_ignore_ascii_case("BESD") {
        // Behaviour, emotional and social difficulty: the name before SEMH (2014).
        return Ok(Some(Need::Semh));
    }
    code.parse::<Need>().map(Some)
}

/// Phases of a `PhaseOfEducation (name)`, before the sixth form; `None` for "Not applicable"
/// or an unknown name (then the age range decides).
fn phase_of_education(t: &str) -> Option<PhaseSet> {
    let set = |ps: &[Phase]| ps.iter().fold(PhaseSet::default(), |s, p| s.with(*p));
    match norm(t).as_str() {
        "nursery" => Some(set(&[Phase::EarlyYears])),
        "primary" => Some(set(&[Phase::Primary])),
        "middle deemed primary" | "middle deemed secondary" | "all-through" | "all through" => {
            Some(set(&[Phase::Primary, Phase::Secondary]))
        }
        "secondary" => Some(set(&[Phase::Secondary])),
        "16 plus" | "16+" => Some(set(&[Phase::Post16])),
        _ => None,
    }
}

/// Splits `places` over `phases` in proportion to the years of age each covers within the
/// ages taught, `low ..= leaving - 1` (equal shares without an age range), by largest remainder.
/// Early years get places only at a school that teaches no older pupil: a special school from 2
/// to 11 has its places in primary, where its pupils of statutory school age are.
fn split_places(places: u32, phases: PhaseSet, ages: Option<(u8, u8)>) -> Vec<(Phase, u32)> {
    let school_age = phases.iter().any(|p| p != Phase::EarlyYears);
    let weights: Vec<(Phase, f64)> = phases
        .iter()
        .map(|p| {
            let a = p.age_group().ages();
            let w = match ages {
                _ if p == Phase::EarlyYears && school_age => 0.0,
                Some((lo, leaving)) => {
                    let from = (*a.start()).max(lo);
                    let to = (*a.end()).min(leaving.saturating_sub(1));
                    if to >= from {
                        (to - from + 1) as f64
                    } else {
                        0.0
                    }
                }
                None => 1.0,
            };
            (p, w)
        })
        .collect();
    let total: f64 = weights.iter().map(|w| w.1).sum();
    if total <= 0.0 || places == 0 {
        return Vec::new();
    }
    let exact: Vec<f64> = weights
        .iter()
        .map(|w| places as f64 * w.1 / total)
        .collect();
    let mut out: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let mut left = places - out.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    weights
        .iter()
        .zip(out)
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| (w.0, n))
        .collect()
}

/// Checks and maps one kept row.
pub(super) fn school(
    row: &mut Row,
    c: &Cols,
    kind: SchoolKind,
    host_type: bool,
    opts: &GiasOptions,
    seen: &mut HashMap<String, u64>,
) -> Option<GiasSchool> {
    let urn = row.text(&c.urn).to_string();
    if urn.is_empty() {
        row.problem(&c.urn, Code::Empty, "URN is empty".into());
    } else if !urn.chars().all(|ch| ch.is_ascii_digit()) {
        row.problem(
            &c.urn,
            Code::NotAnInteger,
            format!("URN must be a whole number, found '{urn}'"),
        );
    } else if let Some(first) = seen.get(&urn) {
        row.problem(
            &c.urn,
            Code::DuplicateId,
            format!("URN {urn} already appears on line {first}"),
        );
    } else {
        seen.insert(urn.clone(), row.line);
    }
    let name = row.text(&c.name).to_string();
    if name.is_empty() {
        row.problem(&c.name, Code::Empty, "EstablishmentName is empty".into());
    }

    // Ages and phases. The statutory high age is the age pupils leave at.
    let low = count_of(row, &c.low);
    let high = count_of(row, &c.high);
    let ages = match (low, high) {
        (Some(l), Some(h)) if l < h && h <= 30 => Some((l as u8, h as u8)),
        (Some(l), Some(h)) => {
            row.problem(
                &c.high,
                Code::AgeOutOfRange,
                format!("StatutoryHighAge {h} (the leaving age) must be above StatutoryLowAge {l} and at most 30"),
            );
            None
        }
        _ => None,
    };
    let taught = ages.map(|(l, h)| phases_taught(l, h));
    let mut phases = match (phase_of_education(row.text(&c.phase)), taught) {
        (Some(p), Some(t)) => {
            // Both given: the phases of the name that the age range teaches (a primary 3-11
            // has a nursery class, but its phase of education is primary).
            let both = p
                .iter()
                .filter(|x| t.contains(*x))
                .fold(PhaseSet::default(), |s, x| s.with(x));
            if both.is_empty() {
                p
            } else {
                both
            }
        }
        (Some(p), None) => p,
        (None, Some(t)) => t,
        (None, None) => {
            let t = row.text(&c.phase).to_string();
            let col = if row.text(&c.phase).is_empty() {
                c.low.clone()
            } else {
                c.phase.clone()
            };
            row.problem(
                &col,
                Code::UnknownPhase,
                format!(
                    "cannot tell the phases: PhaseOfEducation is '{t}' and there is no statutory age range"
                ),
            );
            PhaseSet::default()
        }
    };
    if norm(row.text(&c.sixth)) == "has a sixth form"
        && taught.is_none_or(|t| t.contains(Phase::Post16))
    {
        phases = phases.with(Phase::Post16);
    }
    if kind == SchoolKind::Post16 && !phases.contains(Phase::Post19) {
        // Specialist post-16 institutions serve 16-25 unless their age range says otherwise.
        if ages.is_none_or(|(_, h)| h >= 21) {
            phases = phases.with(Phase::Post16).with(Phase::Post19);
        }
    }

    // Who it admits.
    let gender = match norm(row.text(&c.gender)).as_str() {
        "" | "not applicable" | "not collected" => SchoolGender::Mixed,
        t => match t.parse::<SchoolGender>() {
            Ok(g) => g,
            Err(()) => {
                let t = row.text(&c.gender).to_string();
                row.problem(
                    &c.gender,
                    Code::UnknownGender,
                    format!("unknown Gender '{t}'"),
                );
                SchoolGender::Mixed
            }
        },
    };
    let selective = norm(row.text(&c.admissions)) == "selective";

    // Needs.
    let mut needs = NeedSet::default();
    for col in &c.sen {
        let t = row.text(col).to_string();
        match sen_need(&t) {
            Ok(Some(n)) => needs = needs.with(n),
            Ok(None) => {}
            Err(()) => row.problem(
                col,
                Code::UnknownNeed,
                format!("unknown SEN provision type '{t}'"),
            ),
        }
    }
    if needs.is_empty() {
        needs = NeedSet::all();
    }

    let ll = location(row, c);

    // Existing specialist places.
    let value = |row: &mut Row, cap: &str, roll: &str| -> u32 {
        match count_of(row, cap) {
            Some(v) if v > 0 => v,
            _ => count_of(row, roll).unwrap_or(0),
        }
    };
    let (places, split_phases) = match kind {
        SchoolKind::Mainstream => {
            let rp = value(row, &c.rp_capacity, &c.rp_roll);
            let unit = value(row, &c.unit_capacity, &c.unit_roll);
            // Resourced provision serves the school's statutory phases, not its nursery.
            let ps = phases
                .iter()
                .filter(|p| *p != Phase::EarlyYears)
                .fold(PhaseSet::default(), |s, p| s.with(p));
            (rp + unit, if ps.is_empty() { phases } else { ps })
        }
        _ => (value(row, &c.capacity, &c.pupils), phases),
    };
    let capacity = split_places(places, split_phases, ages)
        .into_iter()
        .map(|(p, n)| (needs, p, n))
        .collect();

    let can_host = kind == SchoolKind::Mainstream
        && host_type
        && opts.host_max_places.is_some_and(|m| m > 0)
        && (phases.contains(Phase::Primary) || phases.contains(Phase::Secondary));
    let ll = ll?;
    if !row.ok || phases.is_empty() {
        return None;
    }
    Some(GiasSchool {
        urn,
        name,
        kind,
        phases,
        lat: ll.0,
        lon: ll.1,
        can_host_base: can_host,
        max_new_places: if can_host {
            opts.host_max_places.unwrap_or(0)
        } else {
            0
        },
        capacity,
        ages,
        gender,
        selective,
        line: row.line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_by_years_of_age_and_add_up() {
        let ps = phases_taught(2, 19);
        assert_eq!(
            ps.iter().collect::<Vec<_>>(),
            vec![
                Phase::EarlyYears,
                Phase::Primary,
                Phase::Secondary,
                Phase::Post16
            ]
        );
        // Ages taught 2-18 (19 is the leaving age): early years get none at a school that
        // teaches older pupils; 5-10 (6), 11-15 (5), 16-18 (3) of 14.
        let split = split_places(100, ps, Some((2, 19)));
        assert_eq!(
            split,
            vec![
                (Phase::Primary, 43),
                (Phase::Secondary, 36),
                (Phase::Post16, 21)
            ]
        );
        // Regression (issue 17): a primary special school 2-11 has no secondary places.
        let primary = phases_taught(2, 11);
        assert_eq!(
            split_places(49, primary, Some((2, 11))),
            vec![(Phase::Primary, 49)]
        );
        assert_eq!(split.iter().map(|x| x.1).sum::<u32>(), 100);
        assert_eq!(split_places(0, ps, None), vec![]);
    }

    #[test]
    fn sen_types_map_to_needs() {
        assert_eq!(
            sen_need("ASD - Autistic Spectrum Disorder"),
            Ok(Some(Need::Asd))
        );
        assert_eq!(
            sen_need("SpLD - Specific Learning Difficulty"),
            Ok(Some(Need::Spld))
        );
        assert_eq!(
            sen_need("SEMH - Social, Emotional and Mental Health"),
            Ok(Some(Need::Semh))
        );
        assert_eq!(
            sen_need("BESD - Behaviour, Emotional and Social Difficulties"),
            Ok(Some(Need::Semh))
        );
        assert_eq!(
            sen_need("OTH - Other Difficulty/Disability"),
            Ok(Some(Need::Oth))
        );
        assert_eq!(sen_need(""), Ok(None));
        assert_eq!(sen_need("XYZ - Unknown"), Err(()));
    }
}
