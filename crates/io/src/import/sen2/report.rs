//! The series as a tidy CSV and as a short plain-text summary.

use super::series::{Sen2Series, BANDS};

/// The series as one tidy CSV text: `la_code,old_la_code,name,measure,year,age_group,count`, with
/// `measure` = `caseload` (January) or `new_plans` (calendar year) and an empty count for a
/// suppressed or absent cell. Rows are in code, measure, year, band order.
pub fn to_tidy_csv(series: &[Sen2Series]) -> String {
    let mut out = String::from("la_code,old_la_code,name,measure,year,age_group,count\n");
    let quote = |t: &str| {
        let t = crate::csvcell::text_cell(t);
        if t.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t
        }
    };
    for s in series {
        let name = quote(&s.name);
        let (la_code, old_la_code) = (quote(&s.la_code), quote(&s.old_la_code));
        for (measure, bands, totals) in [
            ("caseload", &s.caseload, &s.caseload_total),
            ("new_plans", &s.new_plans, &s.new_plans_total),
        ] {
            let years: std::collections::BTreeSet<i32> =
                bands.keys().chain(totals.keys()).copied().collect();
            for y in years {
                let row = bands.get(&y).copied().unwrap_or([None; 5]);
                let cells = row
                    .iter()
                    .zip(BANDS)
                    .map(|(v, b)| (b, *v))
                    .chain([("total", totals.get(&y).copied().flatten())]);
                for (band, v) in cells {
                    out.push_str(&format!(
                        "{la_code},{old_la_code},{name},{measure},{y},{band},{}\n",
                        v.map_or(String::new(), |v| v.to_string())
                    ));
                }
            }
        }
    }
    out
}

/// A short plain-text account of what was read: authorities, years, missing cells, code
/// changes and the series that start or stop (boundary changes).
pub fn summary(series: &[Sen2Series]) -> String {
    let years = |f: &dyn Fn(&Sen2Series) -> Vec<i32>| {
        let all: Vec<i32> = series.iter().flat_map(f).collect();
        match (all.iter().min(), all.iter().max()) {
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => "none".to_string(),
        }
    };
    let case_years = years(&|s: &Sen2Series| s.caseload.keys().copied().collect());
    let new_years = years(&|s: &Sen2Series| s.new_plans.keys().copied().collect());
    // Cells of the 20-25 band before the reforms (no DfE rows) are counted apart.
    let (mut missing, mut pre_reform) = (0usize, 0usize);
    for s in series {
        for (first_reform_year, rows) in [(2015, &s.caseload), (2014, &s.new_plans)] {
            for (y, r) in rows {
                for (b, v) in r.iter().enumerate() {
                    if v.is_none() {
                        if b == 4 && *y < first_reform_year {
                            pre_reform += 1;
                        } else {
                            missing += 1;
                        }
                    }
                }
            }
        }
    }
    let mut out = format!(
        "{} local authorities; caseload Januarys {case_years}; new plans calendar years {new_years}; {missing} band cells suppressed or missing, besides {pre_reform} cells of the 20-25 band before the 2014 reforms (no rows)\n",
        series.len()
    );
    let last = series.iter().filter_map(|s| s.years()).map(|y| y.1).max();
    let first = series.iter().filter_map(|s| s.years()).map(|y| y.0).min();
    for s in series {
        if !s.former_codes.is_empty() {
            out.push_str(&format!(
                "code change: {} ({}) was {}\n",
                s.name,
                s.la_code,
                s.former_codes.join(", ")
            ));
        }
        if let Some((a, b)) = s.years() {
            if Some(a) != first || Some(b) != last {
                out.push_str(&format!(
                    "partial series (boundary change): {} ({}, DfE {}) January {a}-{b}\n",
                    s.name, s.la_code, s.old_la_code
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_csv_and_summary() {
        let mut s = Sen2Series {
            la_code: "E08000015".into(),
            old_la_code: "344".into(),
            name: "Wirral, The".into(),
            ..Default::default()
        };
        s.caseload
            .insert(2015, [Some(1.0), None, Some(3.0), Some(4.0), Some(0.0)]);
        s.caseload_total.insert(2015, Some(8.0));
        let csv = to_tidy_csv(&[s.clone()]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(
            lines[1],
            "E08000015,344,\"Wirral, The\",caseload,2015,0-4,1"
        );
        assert_eq!(
            lines[2],
            "E08000015,344,\"Wirral, The\",caseload,2015,5-10,"
        );
        assert_eq!(
            lines[6],
            "E08000015,344,\"Wirral, The\",caseload,2015,total,8"
        );
        let text = summary(&[s]);
        assert!(
            text.starts_with("1 local authorities; caseload Januarys 2015-2015"),
            "{text}"
        );
        assert!(text.contains("1 band cells suppressed or missing, besides 0 cells"));
    }
}
