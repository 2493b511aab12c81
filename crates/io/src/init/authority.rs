//! The authority: which one of the EHC plans files, and its rows in the school register.

use std::path::Path;

use crate::import::gias;
use crate::import::sen2::Sen2Series;
use crate::import::{find_header, read_text, ColumnMap};
use placeplan_model::error::{Code, InputError, Problems};

/// The authority: the one named by `--la`, else the only one in the files.
pub(super) fn select_la(
    from: &Path,
    series: &[Sen2Series],
    la: Option<&str>,
    problems: &mut Problems,
) -> Option<Sen2Series> {
    let names = || {
        let mut v: Vec<String> = series
            .iter()
            .map(|s| format!("{} ({})", s.name, s.la_code))
            .collect();
        v.truncate(5);
        v.join(", ")
    };
    match la {
        Some(code) => match series.iter().find(|s| s.matches(code)) {
            Some(s) => Some(s.clone()),
            None => {
                problems.push(
                    InputError::new(
                        from,
                        Code::UnknownArea,
                        format!("--la {code}: no such local authority in the EHC plans files"),
                    )
                    .field("la"),
                );
                None
            }
        },
        None if series.len() == 1 => Some(series[0].clone()),
        None => {
            problems.push(InputError::new(
                from,
                Code::MissingSource,
                format!(
                    "the EHC plans files hold {} local authorities (such as {}); name one with --la",
                    series.len(),
                    names()
                ),
            ));
            None
        }
    }
}

/// How to pick the authority's rows out of the GIAS file: by `LA (code)`, else the district
/// code, else the name; nothing when the file has none of these columns (a council's own cut).
pub(super) fn la_filter(path: &Path, la: &Sen2Series, columns: &ColumnMap) -> Vec<String> {
    let mut p = Problems::default();
    let header = read_text(path, &mut p).and_then(|t| {
        find_header(path, t, columns, gias::is_gias_header, &mut p).map(|t| t.header)
    });
    let Some(h) = header else {
        return Vec::new();
    };
    if h.find(&["LA (code)"]).is_some() && !la.old_la_code.is_empty() {
        vec![la.old_la_code.clone()]
    } else if h.find(&["DistrictAdministrative (code)"]).is_some() {
        vec![la.la_code.clone()]
    } else if h.find(&["LA (name)"]).is_some() {
        vec![la.name.clone()]
    } else {
        Vec::new()
    }
}
