//! The DfE EHC plans release's need breakdown, `sen_needs_all_plans.csv`: plans by primary
//! need for each authority (the `All EHC plans` breakdown) and, where the release breaks them
//! down by the child's age, for each DfE age band.
//!
//! Recognised by `time_period`, `geographic_level`, `breakdown_topic`, `breakdown` and at least
//! one need column. A need's column is a count (`number_asd`, `asd`, `asd_count`) or, when no
//! count is given, a percentage (`asd_pc`, `asd_percent`); only shares are used, so either
//! serves. Suppressed cells (`x`, `c`, `z`, ...) count as none. Only local authority rows are
//! kept; other breakdowns (sex, ethnicity, age bands other than the DfE's five) are left out.

use std::collections::BTreeMap;
use std::path::Path;

use super::cells::{band_of, count_cell, january, la_ids};
use crate::import::{find_header, norm, read_table, read_text, ColumnMap};
use placeplan_model::domain::Need;
use placeplan_model::error::{Code, InputError, Problems};

/// The column names a need may have, counts first: (counts, percentages).
fn need_columns(n: Need) -> ([String; 3], [String; 2]) {
    let c = n.code().to_ascii_lowercase();
    (
        [format!("number_{c}"), c.clone(), format!("{c}_count")],
        [format!("{c}_pc"), format!("{c}_percent")],
    )
}

/// Whether a header is the need breakdown.
pub fn is_needs_header(names: &[String]) -> bool {
    let has = |n: &str| names.iter().any(|h| norm(h) == n);
    has("time_period")
        && has("geographic_level")
        && has("breakdown_topic")
        && has("breakdown")
        && Need::ALL.iter().any(|n| {
            let (a, b) = need_columns(*n);
            a.iter().chain(b.iter()).any(|c| has(c))
        })
}

/// One authority's plans by need: by January, then by age band (`None`: all plans).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeedSplit {
    pub la_code: String,
    pub old_la_code: String,
    pub name: String,
    pub by_year: BTreeMap<i32, BTreeMap<Option<usize>, [f64; 12]>>,
}

impl NeedSplit {
    pub fn matches(&self, la: &super::Sen2Series) -> bool {
        (!self.old_la_code.is_empty() && self.old_la_code == la.old_la_code)
            || (!self.la_code.is_empty() && la.matches(&self.la_code))
    }
}

/// Reads `sen_needs_all_plans.csv`: every authority's split, or every problem.
pub fn read_needs(path: &Path, columns: &ColumnMap) -> Result<Vec<NeedSplit>, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_needs(path, &text, columns)
}

/// [`read_needs`] of text.
pub fn parse_needs(
    path: &Path,
    text: &str,
    columns: &ColumnMap,
) -> Result<Vec<NeedSplit>, Problems> {
    let mut problems = Problems::default();
    let Some(table) = find_header(
        path,
        text.to_string(),
        columns,
        is_needs_header,
        &mut problems,
    ) else {
        return Err(problems);
    };
    let h = &table.header;
    let cols: Vec<Option<String>> = Need::ALL
        .iter()
        .map(|n| {
            let (counts, pcs) = need_columns(*n);
            let f = |v: &[String]| h.find(&v.iter().map(String::as_str).collect::<Vec<_>>());
            f(&counts).or_else(|| f(&pcs))
        })
        .collect();
    let (level, topic, breakdown) = (
        h.col(&["geographic_level"]),
        h.col(&["breakdown_topic"]),
        h.col(&["breakdown"]),
    );
    let mut out: BTreeMap<String, NeedSplit> = BTreeMap::new();
    read_table(path, table, &mut problems, |row| {
        if !norm(row.text(&level)).starts_with("local authority") {
            return;
        }
        let t = norm(row.text(&topic));
        let band = if t == "all ehc plans" || t == "total" {
            None
        } else if t.contains("age") && !t.contains("start") {
            // Bands other than the DfE's five (if a release has them) are left out.
            match band_of(row.text(&breakdown)) {
                Some(5) => None,
                Some(b) => Some(b),
                None => return,
            }
        } else {
            return;
        };
        let Some(y) = january(row) else { return };
        let Some((key, new, name)) = la_ids(row) else {
            return;
        };
        let mut v = [0.0; 12];
        for (i, c) in cols.iter().enumerate() {
            if let Some(c) = c {
                match count_cell(row, c) {
                    Some(x) => v[i] = x.unwrap_or(0.0),
                    None => return,
                }
            }
        }
        let s = out.entry(key.clone()).or_insert_with(|| NeedSplit {
            la_code: new.clone(),
            old_la_code: if key.starts_with('#') {
                String::new()
            } else {
                key.clone()
            },
            name: name.clone(),
            ..Default::default()
        });
        s.by_year.entry(y).or_default().insert(band, v);
    });
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    if out.is_empty() {
        problems.push(InputError::new(
            path,
            Code::Empty,
            "the need breakdown has no local authority rows of All EHC plans or by age",
        ));
        return Err(problems);
    }
    Ok(out.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_counts_by_band_and_all_plans() {
        let text = "time_period,time_identifier,geographic_level,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,ehc_plans,number_asd,number_semh,asd_pc\n\
            202425,Academic year,National,,,,All EHC plans,All EHC plans,638745,200000,130000,31.3\n\
            202425,Academic year,Local authority,E08000015,344,Wirral,All EHC plans,All EHC plans,4000,1500,x,37.5\n\
            202425,Academic year,Local authority,E08000015,344,Wirral,Child or young persons age,Age 5 to 10,1000,600,100,60\n\
            202425,Academic year,Local authority,E08000015,344,Wirral,Sex,Boys,3000,1200,500,40\n";
        let v = parse_needs(Path::new("n.csv"), text, &ColumnMap::default()).unwrap();
        assert_eq!(v.len(), 1);
        let y = &v[0].by_year[&2025];
        assert_eq!(y[&None][0], 1500.0, "the count, not the percentage");
        assert_eq!(y[&None][2], 0.0, "suppressed");
        assert_eq!(y[&Some(1)][2], 100.0);
        assert_eq!(y.len(), 2, "sex rows left out");
        let bad = text.replace(",1500,", ",lots,");
        let p = parse_needs(Path::new("n.csv"), &bad, &ColumnMap::default()).unwrap_err();
        assert!(
            p.iter()
                .any(|e| e.to_string().starts_with("n.csv:3:10: E101 [number_asd]")),
            "{p:?}"
        );
    }
}
