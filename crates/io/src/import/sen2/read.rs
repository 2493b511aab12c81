//! Reading SEN2 files into one series per local authority, every problem at once.

use std::collections::BTreeMap;
use std::path::Path;

use crate::csvread::read_csv;
use placeplan_model::error::{Code, Problems};

use super::cells::{
    age_band, count_cell, current_placements, january, la_ids, provision_of, KNOWN_LEVELS,
};
use super::kind::{header_of, Kind};
use super::series::Sen2Series;

#[derive(Default)]
struct Builder {
    /// year -> (new code, name), from both files.
    ids: BTreeMap<i32, (String, String)>,
    series: Sen2Series,
}

/// Reads the SEN2 caseload file (either layout, or the caseload by establishment type) and,
/// optionally, the new-plans file; returns every local authority, sorted by current code. All
/// problems in both files are reported at once.
pub fn read_sen2(caseload: &Path, new_plans: Option<&Path>) -> Result<Vec<Sen2Series>, Problems> {
    let kind = header_of(caseload)
        .and_then(|h| Kind::of_header(&h))
        .unwrap_or(Kind::Caseload);
    let mut files = vec![(caseload.to_path_buf(), kind)];
    if let Some(p) = new_plans {
        files.push((p.to_path_buf(), Kind::NewPlans));
    }
    read_sen2_files(&files)
}

/// Reads SEN2 files of any kind into one series per local authority.
pub fn read_sen2_files(files: &[(std::path::PathBuf, Kind)]) -> Result<Vec<Sen2Series>, Problems> {
    let mut problems = Problems::default();
    let mut las: BTreeMap<String, Builder> = BTreeMap::new();
    for (path, kind) in files {
        read_one(path, *kind, &mut las, &mut problems);
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    let mut out: Vec<Sen2Series> = las
        .into_iter()
        .map(|(key, b)| {
            let mut s = b.series;
            s.old_la_code = if key.starts_with('#') {
                String::new()
            } else {
                key
            };
            if let Some((code, name)) = b.ids.values().next_back() {
                s.la_code = code.clone();
                s.name = name.clone();
            }
            for (code, _) in b.ids.values() {
                if *code != s.la_code && !s.former_codes.contains(code) {
                    s.former_codes.push(code.clone());
                }
            }
            s
        })
        .collect();
    out.sort_by(|a, b| (&a.la_code, &a.old_la_code).cmp(&(&b.la_code, &b.old_la_code)));
    Ok(out)
}

fn read_one(path: &Path, kind: Kind, las: &mut BTreeMap<String, Builder>, problems: &mut Problems) {
    let value_col = kind.value_column();
    let by = match kind {
        Kind::Caseload | Kind::NewPlans => "characteristic_age",
        Kind::Establishments => "establishment_type",
        Kind::Current => "breakdown",
    };
    let mut required = vec![
        "time_period",
        "geographic_level",
        "old_la_code",
        "new_la_code",
        "la_name",
        by,
        value_col,
    ];
    if kind == Kind::Current {
        required.push("breakdown_topic");
    }
    // (key, year, band or 5 for Total, or the breakdown) -> first line, to report repeats.
    let mut seen: BTreeMap<(String, i32, String), u64> = BTreeMap::new();
    read_csv(path, &required, problems, |row| {
        let level = row.text("geographic_level").to_ascii_lowercase();
        if level.is_empty() {
            row.problem(
                "geographic_level",
                Code::Empty,
                "'geographic_level' is empty".into(),
            );
            return;
        }
        if !KNOWN_LEVELS.contains(&level.as_str()) {
            let t = row.text("geographic_level").to_string();
            row.problem(
                "geographic_level",
                Code::UnknownGeographicLevel,
                format!("unknown geographic level '{t}'"),
            );
            return;
        }
        if level != "local authority" {
            return;
        }
        let year = january(row);
        // What the row counts: an age band (5 = all plans), or a placement.
        let what = match kind {
            Kind::Caseload | Kind::NewPlans => age_band(row, "characteristic_age").map(Some),
            Kind::Current => {
                let topic = row.text("breakdown_topic").to_ascii_lowercase();
                if topic == "all ehc plans" || topic == "total" {
                    Some(Some(5))
                } else if topic.contains("age") && !topic.contains("start") {
                    age_band(row, "breakdown").map(Some)
                } else {
                    // Sex, ethnicity, years in place, age when the plan started: not used.
                    return;
                }
            }
            Kind::Establishments => Some(None),
        };
        let ids = la_ids(row);
        let value = count_cell(row, value_col);
        let (Some(year), Some(what), Some((key, new_code, name)), Some(value)) =
            (year, what, ids, value)
        else {
            return;
        };
        let label = match what {
            Some(b) => b.to_string(),
            None => format!(
                "{}|{}",
                row.text(by).to_ascii_lowercase(),
                row.text("establishment_group").to_ascii_lowercase()
            ),
        };
        if let Some(first) = seen.insert((key.clone(), year, label), row.line) {
            row.problem(
                by,
                Code::DuplicateRow,
                format!(
                    "{} {year} '{}' repeats line {first}",
                    if name.is_empty() { &key } else { &name },
                    row.text(by)
                ),
            );
            return;
        }
        let b = las.entry(key).or_default();
        if kind != Kind::NewPlans || !b.ids.contains_key(&year) {
            // Caseload names win; new-plans years are calendar years (one earlier).
            b.ids.insert(year, (new_code, name));
        }
        let s = &mut b.series;
        if kind == Kind::Establishments {
            let t = row.text("establishment_type").to_ascii_lowercase();
            let group = row.text("establishment_group").to_ascii_lowercase();
            if t != "total" {
                if let Some(p) = provision_of(&t, &group) {
                    s.placements.entry(year).or_insert([0.0; 6])[p as usize] +=
                        value.unwrap_or(0.0);
                }
            }
            return;
        }
        if kind == Kind::Current && what == Some(5) {
            if let Some(p) = current_placements(row, value) {
                s.placements.insert(year, p);
            }
        }
        let (bands, totals) = match kind {
            Kind::NewPlans => (&mut s.new_plans, &mut s.new_plans_total),
            _ => (&mut s.caseload, &mut s.caseload_total),
        };
        match what {
            Some(5) => {
                totals.insert(year, value);
            }
            Some(band) => bands.entry(year).or_insert([None; 5])[band] = value,
            None => {}
        }
    });
}

#[cfg(test)]
use crate::import::test_data;

#[cfg(test)]
mod tests {
    use super::super::series::DFE_BAND_LABELS;
    use super::*;
    use std::io::Write;

    /// The DfE's current layout (Wirral rows of the 2025 release, January 2019-2022) and the
    /// 2022 release's caseload by establishment type agree on the totals, and both give the
    /// placements.
    #[test]
    fn real_current_layout_and_establishment_file_wirral() {
        let current = "wirral-public/dfe-ehcp-2025/caseload_wirral_upto_202122.csv";
        let estab = "dfe-sen2-2022/sen2_estab_caseload.csv";
        let Some(data) = test_data::shared_data(&[current, estab]) else {
            return;
        };
        let names = header_of(&data.join(current)).unwrap();
        assert_eq!(Kind::of_header(&names), Some(Kind::Current));
        let s = read_sen2(&data.join(current), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.len(), 1);
        let w = &s[0];
        assert_eq!(
            (w.la_code.as_str(), w.old_la_code.as_str()),
            ("E08000015", "344")
        );
        let totals: Vec<_> = (2019..=2022).map(|y| w.total(y)).collect();
        assert_eq!(
            totals,
            [Some(2121.0), Some(2728.0), Some(3053.0), Some(3291.0)]
        );
        // January 2019: mainstream 600 of which 194 in resourced provision or SEN units;
        // special 1160 of which 103 independent or non-maintained; FE 340; 21 elsewhere.
        assert_eq!(
            w.placements[&2019],
            [406.0, 194.0, 1057.0, 103.0, 340.0, 21.0]
        );

        let s = read_sen2(&data.join(estab), None).unwrap_or_else(|e| panic!("{e}"));
        let w = s.iter().find(|s| s.old_la_code == "344").unwrap();
        // January 2022 by establishment type (Total 3291).
        let p = w.placements[&2022];
        assert_eq!(p.iter().sum::<f64>(), 3291.0);
        assert_eq!(p, [643.0, 133.0, 1221.0, 107.0, 452.0, 735.0]);
    }

    const HEADER: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic_age,Total_st,Total_st_pc,Total_ehc,Total_ehc_pc,Total_all,Total_all_pc";
    const NEW_HEADER: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,new_la_code,la_name,characteristic_age,Total_new_st,Total_new_st_pc,Total_new_ehc,Total_new_ehc_pc,Total_new_all,Total_new_all_pc";

    fn row(year: i32, level: &str, old: &str, new: &str, name: &str, age: &str, v: &str) -> String {
        format!("{year},Calendar year,{level},E92000001,England,\"\",\"\",{old},{new},{name},{age},z,z,{v},100,{v},100")
    }

    fn write(dir: &Path, name: &str, header: &str, rows: &[String]) -> std::path::PathBuf {
        let p = dir.join(name);
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, "{header}").unwrap();
        for r in rows {
            writeln!(f, "{r}").unwrap();
        }
        p
    }

    fn full_year(year: i32, old: &str, new: &str, name: &str, vals: [&str; 6]) -> Vec<String> {
        let mut out = vec![row(
            year,
            "Local authority",
            old,
            new,
            name,
            "Total",
            vals[5],
        )];
        for (i, l) in DFE_BAND_LABELS.iter().enumerate() {
            out.push(row(year, "Local authority", old, new, name, l, vals[i]));
        }
        out
    }

    #[test]
    fn reads_las_skips_national_and_keeps_suppressed_cells_missing() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![row(2016, "National", "", "", "", "Total", "256315")];
        rows.push(row(2016, "Regional", "", "", "", "Total", "1000"));
        rows.extend(full_year(
            2016,
            "344",
            "E08000015",
            "Wirral",
            ["100", "x", "300", "c", "z", "1000"],
        ));
        rows.extend(full_year(
            2017,
            "344",
            "E08000015",
            "Wirral",
            ["110", "210", "", "410", "20", "1050"],
        ));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let s = read_sen2(&p, None).unwrap();
        assert_eq!(s.len(), 1);
        let w = &s[0];
        assert_eq!(
            (w.la_code.as_str(), w.old_la_code.as_str(), w.name.as_str()),
            ("E08000015", "344", "Wirral")
        );
        assert_eq!(
            w.caseload[&2016],
            [Some(100.0), None, Some(300.0), None, None]
        );
        assert_eq!(w.caseload[&2017][2], None, "blank cell is missing");
        assert_eq!(w.total(2016), Some(1000.0));
        assert_eq!(w.band(2017, 4), Some(20.0));
        assert!(w.new_plans.is_empty());
    }

    #[test]
    fn bad_numbers_are_reported_with_line_column_field_and_code() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = full_year(
            2016,
            "344",
            "E08000015",
            "Wirral",
            ["1,0", "-5", "3", "4", "5", "12"],
        );
        // line 8: unknown band; line 9: unknown level; line 10: bad codes
        rows.push(row(
            2016,
            "Local authority",
            "344",
            "E08000015",
            "Wirral",
            "Age 26 to 30",
            "1",
        ));
        rows.push(row(
            2016,
            "Local authorty",
            "344",
            "E08000015",
            "Wirral",
            "Total",
            "1",
        ));
        rows.push(row(
            2017,
            "Local authority",
            "34",
            "E0800001",
            "Wirral",
            "Total",
            "1",
        ));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        let got: Vec<(u64, Option<u64>, Code, Option<String>)> = err
            .iter()
            .map(|e| (e.line.unwrap(), e.column, e.code, e.field.clone()))
            .collect();
        // "1,0" is quoted? No: unquoted it splits the row, so line 3 has too many fields.
        assert_eq!(got[0].0, 3);
        assert_eq!(got[0].2, Code::MalformedRecord);
        assert_eq!(
            got[1],
            (4, Some(16), Code::Negative, Some("total_all".into()))
        );
        assert_eq!(
            got[2],
            (
                8,
                Some(11),
                Code::UnknownAgeBand,
                Some("characteristic_age".into())
            )
        );
        assert_eq!(
            got[3],
            (
                9,
                Some(3),
                Code::UnknownGeographicLevel,
                Some("geographic_level".into())
            )
        );
        assert_eq!(
            got[4],
            (10, Some(8), Code::BadAreaCode, Some("old_la_code".into()))
        );
        assert_eq!(
            got[5],
            (10, Some(9), Code::BadAreaCode, Some("new_la_code".into()))
        );
        assert_eq!(got.len(), 6, "{err}");
        let text = err.to_string();
        assert!(text.contains("case.csv:4:16: E102 [total_all]"), "{text}");
    }

    #[test]
    fn a_word_where_a_count_belongs_is_not_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![row(
            2016,
            "Local authority",
            "344",
            "E08000015",
            "Wirral",
            "Total",
            "lots",
        )];
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        assert_eq!(err.len(), 1);
        let e = &err.0[0];
        assert_eq!(
            (e.line, e.column, e.code),
            (Some(2), Some(16), Code::NotANumber)
        );
    }

    #[test]
    fn repeated_rows_missing_columns_and_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let rows = vec![
            row(
                2016,
                "Local authority",
                "344",
                "E08000015",
                "Wirral",
                "Total",
                "1",
            ),
            row(
                2016,
                "Local authority",
                "344",
                "E08000015",
                "Wirral",
                "Total",
                "2",
            ),
        ];
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let err = read_sen2(&p, None).unwrap_err();
        assert_eq!(err.0[0].code, Code::DuplicateRow);
        assert_eq!(err.0[0].line, Some(3));
        assert!(err.0[0].message.contains("repeats line 2"));

        let p = write(dir.path(), "bad.csv", "time_period,geographic_level", &[]);
        let err = read_sen2(&p, None).unwrap_err();
        assert!(err.iter().all(|e| e.code == Code::MissingColumn));
        assert_eq!(err.len(), 5);

        let err = read_sen2(&dir.path().join("nope.csv"), None).unwrap_err();
        assert_eq!(err.0[0].code, Code::MissingFile);
    }

    #[test]
    fn code_changes_join_and_boundary_changes_stay_separate() {
        let dir = tempfile::tempdir().unwrap();
        let mut rows = vec![];
        let v = ["1", "2", "3", "4", "0", "10"];
        rows.extend(full_year(2013, "390", "E08000020", "Gateshead", v));
        rows.extend(full_year(2014, "390", "E08000037", "Gateshead", v));
        rows.extend(full_year(2019, "835", "E10000009", "Dorset", v));
        rows.extend(full_year(2020, "838", "E06000059", "Dorset", v));
        let p = write(dir.path(), "case.csv", HEADER, &rows);
        let mut newp = vec![];
        newp.extend(full_year(2013, "390", "E08000037", "Gateshead", v));
        newp.extend(full_year(2018, "835", "E10000009", "Dorset", v));
        newp.push(row(
            2019,
            "Local authority",
            "838",
            "E06000059",
            "Dorset",
            "Total",
            "x",
        ));
        let np = write(dir.path(), "new.csv", NEW_HEADER, &newp);
        let s = read_sen2(&p, Some(&np)).unwrap();
        let codes: Vec<&str> = s.iter().map(|s| s.la_code.as_str()).collect();
        assert_eq!(codes, ["E06000059", "E08000037", "E10000009"]);
        let g = &s[1];
        assert_eq!(g.former_codes, ["E08000020"]);
        assert_eq!(g.caseload.len(), 2);
        assert_eq!(g.new_total(2013), Some(10.0));
        assert!(g.matches("E08000020") && g.matches("390") && g.matches("gateshead"));
        assert_eq!(s[0].new_plans_total[&2019], None);
        assert_eq!(s[0].new_total(2019), None);
        assert_eq!(s[2].years(), Some((2019, 2019)));
    }
}
