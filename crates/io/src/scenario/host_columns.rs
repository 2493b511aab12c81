//! The optional host-rule columns of `schools.csv`: `low_age` and `high_age` (the statutory age
//! range; the high age is the age pupils leave at), `gender` (`mixed`, `boys` or `girls`) and
//! `selective` (yes/no). Empty or absent: no age range, mixed, not selective.

use crate::csvread::Row;
use placeplan_model::domain::{SchoolGender, MAX_AGE};
use placeplan_model::error::Code;

/// The statutory age range (low, leaving age), gender and selection of one school.
pub(super) type HostColumns = (Option<(u8, u8)>, SchoolGender, bool);

/// The host-rule columns of one `schools.csv` row; `None` when a value had a problem (recorded
/// on the row).
pub(super) fn read(row: &mut Row) -> Option<HostColumns> {
    let age = |row: &mut Row, field: &str| -> Option<Option<u8>> {
        if row.text(field).is_empty() {
            return Some(None);
        }
        // A leaving age may be one above the last age placeplan models (a college to 26).
        let t = row.text(field).to_string();
        match t.parse::<u8>() {
            Ok(a) if a <= MAX_AGE + 1 => Some(Some(a)),
            _ => {
                row.problem(
                    field,
                    Code::AgeOutOfRange,
                    format!(
                        "'{field}' must be a whole age 0-{}, found '{t}'",
                        MAX_AGE + 1
                    ),
                );
                None
            }
        }
    };
    let low = age(row, "low_age");
    let high = age(row, "high_age");
    let ages = match (low?, high?) {
        (Some(l), Some(h)) if l < h => Some((l, h)),
        (Some(l), Some(h)) => {
            row.problem(
                "high_age",
                Code::AgeOutOfRange,
                format!("high_age {h} (the age pupils leave at) must be above low_age {l}"),
            );
            return None;
        }
        (None, None) => None,
        (l, _) => {
            let missing = if l.is_none() { "low_age" } else { "high_age" };
            row.problem(
                missing,
                Code::Empty,
                "low_age and high_age go together: give both or neither".into(),
            );
            return None;
        }
    };
    let gender = if row.text("gender").is_empty() {
        SchoolGender::Mixed
    } else {
        row.parsed::<SchoolGender>("gender", Code::UnknownGender, "gender")?
    };
    let selective = row.boolean("selective", false)?;
    Some((ages, gender, selective))
}
