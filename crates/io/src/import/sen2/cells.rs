//! Reading one SEN2 row's cells: its January, age band, authority, counts and placements.

use crate::csvread::Row;
use placeplan_model::domain::ProvisionKind;
use placeplan_model::error::Code;

use super::series::DFE_BAND_LABELS;

/// Cell values that mean "no figure" in DfE files (compared case-insensitively).
pub const SUPPRESSED: [&str; 7] = ["x", "c", "z", "u", "low", ":", "~"];

/// Geographic levels used in DfE underlying data (only `Local authority` is kept).
pub(super) const KNOWN_LEVELS: [&str; 16] = [
    "national",
    "regional",
    "local authority",
    "local authority district",
    "parliamentary constituency",
    "local skills improvement plan area",
    "local enterprise partnership",
    "english devolved area",
    "opportunity area",
    "mayoral combined authority",
    "ward",
    "mat",
    "sponsor",
    "school",
    "provider",
    "institution",
];

/// The January a row counts: `time_period` 2022 (calendar year, 2022 release) or 202122
/// (academic year, current layout: the caseload as at January of the second year).
pub(super) fn january(row: &mut Row) -> Option<i32> {
    let t = row.text("time_period").to_string();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        let first: i32 = t[..4].parse().ok()?;
        let second: i32 = t[4..].parse().ok()?;
        if (first + 1) % 100 == second && (1990..2100).contains(&first) {
            return Some(first + 1);
        }
        row.problem(
            "time_period",
            Code::YearOutOfRange,
            format!("time_period '{t}' is not an academic year such as 202425"),
        );
        return None;
    }
    row.year("time_period")
}

/// Which placement an establishment type of `sen2_estab_caseload.csv` is.
pub(super) fn provision_of(t: &str, group: &str) -> Option<ProvisionKind> {
    use ProvisionKind::*;
    Some(
        if group == "further education" || t.starts_with("specialist post-16") {
            FurtherEducation
        } else if t.contains("sen unit") || t.contains("resourced") {
            ResourcedBase
        } else if t.starts_with("mainstream") {
            Mainstream
        } else if t.starts_with("special - non-maintained")
            || t.starts_with("special - independent")
        {
            Independent
        } else if t.starts_with("special") || t.starts_with("hospital") {
            Special
        } else {
            Other
        },
    )
}

/// Plans by placement from the current layout's placement columns ([`ProvisionKind::ALL`]
/// order): resourced provision and SEN units of each mainstream kind; the rest of mainstream;
/// independent and non-maintained special; the rest of special; FE; and everything else
/// (alternative provision, elective home education, NEET, early years, ...) as the plans not in
/// those totals. `None` when a total the split needs is suppressed.
pub(super) fn current_placements(row: &Row, plans: Option<f64>) -> Option<[f64; 6]> {
    let v = |c: &str| crate::import::parse_number(row.text(c)).unwrap_or(0.0);
    let total = |c: &str| crate::import::parse_number(row.text(c));
    let rb: f64 = ["la_maintained", "academy", "free_school"]
        .iter()
        .map(|k| {
            v(&format!("mainstream_{k}_resourced_provision"))
                + v(&format!("mainstream_{k}_senunit"))
        })
        .sum();
    let mainstream = total("mainstream_total")?;
    let special = total("special_total")?;
    let fe = total("fe_total")?;
    let independent = v("special_independent") + v("special_non_maintained");
    let plans = plans?;
    let other = (plans - mainstream - special - fe).max(0.0);
    Some([
        (mainstream - rb).max(0.0),
        rb,
        (special - independent).max(0.0),
        independent,
        fe,
        other,
    ])
}

/// Index of the age band (5 for `Total`), recording E120 for anything else. Takes the DfE
/// labels (`Under 5`, `Age 5 to 10`, ...) and their variants (`Under age 5`, `Aged 5 to 10`,
/// `5 to 10`, `0 to 4`, `20 and over`).
pub(super) fn age_band(row: &mut Row, field: &str) -> Option<usize> {
    let t = row.required(field)?;
    let band = band_of(&t);
    if band.is_none() {
        row.problem(
            field,
            Code::UnknownAgeBand,
            format!("unknown age band '{t}'"),
        );
    }
    band
}

/// [`age_band`] of a label, recording nothing.
pub(super) fn band_of(t: &str) -> Option<usize> {
    let norm = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if norm.eq_ignore_ascii_case("total") || norm.eq_ignore_ascii_case("all ehc plans") {
        return Some(5);
    }
    if let Some(i) = DFE_BAND_LABELS
        .iter()
        .position(|l| l.eq_ignore_ascii_case(&norm))
    {
        return Some(i);
    }
    let nums: Vec<u32> = norm
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect();
    let under = norm.to_ascii_lowercase().contains("under");
    match nums.as_slice() {
        [5] if under => Some(0),
        [0, 4] => Some(0),
        [5, 10] => Some(1),
        [11, 15] => Some(2),
        [16, 19] => Some(3),
        [20, 25] | [20] => Some(4),
        _ => None,
    }
}

/// (key, new code, name): the key is the old code, or `#` + new code when the old one is blank.
pub(super) fn la_ids(row: &mut Row) -> Option<(String, String, String)> {
    let old = row.text("old_la_code").to_string();
    let new = row.text("new_la_code").to_string();
    let name = row.text("la_name").to_string();
    let mut good = true;
    let old_ok = old.len() == 3 && old.bytes().all(|b| b.is_ascii_digit());
    if !old.is_empty() && !old_ok {
        row.problem(
            "old_la_code",
            Code::BadAreaCode,
            format!("old_la_code must be three digits such as 344, found '{old}'"),
        );
        good = false;
    }
    let new_ok = new.len() == 9
        && new.as_bytes()[0].is_ascii_uppercase()
        && new.bytes().skip(1).all(|b| b.is_ascii_digit());
    if !new.is_empty() && !new_ok {
        row.problem(
            "new_la_code",
            Code::BadAreaCode,
            format!(
                "new_la_code must be a letter and eight digits such as E08000015, found '{new}'"
            ),
        );
        good = false;
    }
    if old.is_empty() && new.is_empty() {
        row.problem(
            "new_la_code",
            Code::Empty,
            "a local authority row needs old_la_code or new_la_code".into(),
        );
        good = false;
    }
    if !good {
        return None;
    }
    let key = if old.is_empty() {
        format!("#{new}")
    } else {
        old
    };
    Some((key, new, name))
}

/// A count cell: `Some(None)` for a suppressed or blank cell, `Some(Some(v))` for a number >= 0,
/// `None` (problem recorded) otherwise.
pub(super) fn count_cell(row: &mut Row, field: &str) -> Option<Option<f64>> {
    let t = row.text(field);
    if t.is_empty() || SUPPRESSED.iter().any(|s| s.eq_ignore_ascii_case(t)) {
        return Some(None);
    }
    row.non_negative(field).map(Some)
}
