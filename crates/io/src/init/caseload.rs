//! `history.csv` from a council's own child-level caseload (one row per child per January),
//! counted by locality, age, need and provision: no apportionment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::history::HistoryRow;
use super::recognise::file_name;
use crate::import::children::{self, Children, Known};
use crate::import::gias::GiasImport;
use crate::import::sen2::Sen2Series;
use crate::import::ColumnMap;
use placeplan_model::domain::ProvisionKind;
use placeplan_model::error::{Code, InputError, Problems};
use placeplan_model::SchoolKind;

/// The placement a school of the register stands for.
pub(super) fn kind_of_school(k: SchoolKind) -> ProvisionKind {
    match k {
        // A candidate site teaches no one yet; a placement there would be a special school's.
        SchoolKind::Special | SchoolKind::Site => ProvisionKind::Special,
        SchoolKind::Independent => ProvisionKind::Independent,
        SchoolKind::Post16 => ProvisionKind::FurtherEducation,
        SchoolKind::Mainstream => ProvisionKind::Mainstream,
    }
}

/// The counts of a child-level caseload, its history years (consecutive Januarys ending at
/// its last, at most seven) and what to say of them.
pub(super) struct FromChildren {
    pub children: Children,
    pub years: Vec<i32>,
}

/// Reads the caseload against the scenario's localities and the register's schools.
pub(super) fn read(
    path: &Path,
    columns: &ColumnMap,
    localities: &BTreeSet<String>,
    lsoa_ward: &BTreeMap<String, String>,
    schools: &GiasImport,
) -> Result<FromChildren, Problems> {
    let known = Known {
        areas: localities.clone(),
        aliases: lsoa_ward.clone(),
        lenient: false,
        urns: schools
            .schools
            .iter()
            .map(|s| (s.urn.clone(), kind_of_school(s.kind)))
            .collect(),
    };
    let children = children::read_children(path, columns, &known)?;
    let years = consecutive_ending_at_last(children.by_year.keys().copied().collect());
    if years.len() < 2 {
        let mut p = Problems::default();
        p.push(InputError::new(
            path,
            Code::InsufficientHistory,
            format!(
                "the child-level caseload has Januarys {}: two consecutive Januarys ending at the last are needed",
                children.by_year.keys().map(|y| y.to_string()).collect::<Vec<_>>().join(", ")
            ),
        ));
        return Err(p);
    }
    Ok(FromChildren { children, years })
}

/// The last run of consecutive years (at most seven) of a sorted list.
pub(super) fn consecutive_ending_at_last(mut years: Vec<i32>) -> Vec<i32> {
    while let Some(w) = years.windows(2).rposition(|w| w[1] != w[0] + 1) {
        years.drain(..=w);
    }
    let n = years.len();
    years.drain(..n.saturating_sub(7));
    years
}

/// History rows of the given Januarys; `locs` are the localities in output order.
pub(super) fn rows(f: &FromChildren, locs: &[String]) -> Vec<HistoryRow> {
    let mut out = Vec::new();
    for ((y, l, a, n, k), c) in &f.children.counts {
        if !f.years.contains(y) {
            continue;
        }
        let Some(li) = locs.iter().position(|x| x == l) else {
            continue;
        };
        out.push(HistoryRow {
            year: *y,
            locality: li,
            age: *a,
            need: *n,
            provision: *k,
            count: *c,
        });
    }
    out.sort_by_key(|r| (r.year, r.locality, r.age, r.need, r.provision));
    out
}

/// What ASSUMPTIONS.md says of a history counted from a child-level caseload.
pub(super) fn notes(path: &Path, f: &FromChildren, la: &Sen2Series) -> Vec<String> {
    let c = &f.children;
    let mut v = vec![format!(
        "History counted from the child-level caseload {} (one row per child per January), not apportioned from the authority's totals: Januarys {}-{}, the last {} consecutive Januarys of the file.",
        file_name(path),
        f.years[0],
        f.years[f.years.len() - 1],
        f.years.len()
    )];
    for y in &f.years {
        let dfe = la
            .total(*y)
            .map_or("no DfE total".to_string(), |t| format!("DfE total {t:.0}"));
        v.push(format!(
            "January {y}: {} children ({dfe}).",
            c.by_year.get(y).copied().unwrap_or(0)
        ));
    }
    v.push(format!(
        "Ages: {} from the date of birth (the age on 31 August before the January), {} from the age column. Placements: {} from the setting type, {} from the placement URN's school in the GIAS register.",
        c.from_dob, c.from_age, c.by_setting, c.by_urn
    ));
    if c.other_ranks > 0 {
        v.push(format!(
            "{} rows with a need ranked other than 1 (SENTypeRank) were left out: each child counts once, by primary need.",
            c.other_ranks
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_years_are_the_last_consecutive_run_of_at_most_seven() {
        assert_eq!(
            consecutive_ending_at_last(vec![2010, 2012, 2013, 2014]),
            [2012, 2013, 2014]
        );
        assert_eq!(
            consecutive_ending_at_last((2010..=2020).collect()),
            (2014..=2020).collect::<Vec<_>>()
        );
    }
}
