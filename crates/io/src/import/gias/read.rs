//! Reading a GIAS establishment file: the header, the rows kept, and every problem at once.

use std::collections::HashMap;
use std::path::Path;

use crate::csvread::Row;
use crate::import::{find_header, norm, read_table, read_text, require};
use placeplan_model::domain::SchoolKind;
use placeplan_model::error::{Code, InputError, Problems};

use super::columns::{Cols, GROUP, NAME, TYPE, URN};
use super::establishments::{establishment_group, establishment_kind, school, Kind, HOST_TYPES};
use super::types::{GiasImport, GiasOptions, GiasSchool};

/// Reads a GIAS establishment CSV (the full extract or a search download, UTF-8 or
/// Windows-1252). All problems are returned together.
pub fn read_gias(path: &Path, opts: &GiasOptions) -> Result<GiasImport, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_gias(path, &text, opts)
}

/// Parses GIAS CSV text; `path` is only used in messages.
pub fn parse_gias(path: &Path, text: &str, opts: &GiasOptions) -> Result<GiasImport, Problems> {
    let mut problems = Problems::default();
    let Some(table) = find_header(
        path,
        text.to_string(),
        &opts.columns,
        |names| names.iter().any(|n| norm(n) == "urn"),
        &mut problems,
    ) else {
        return Err(problems);
    };
    if !require(path, &table.header, &[URN, NAME], &mut problems)
        || (table.header.find(TYPE).is_none()
            && !require(path, &table.header, &[TYPE], &mut problems))
    {
        if table.header.find(GROUP).is_none() {
            problems.sort();
            return Err(problems);
        }
        problems = Problems::default();
    }
    let mut out = GiasImport::default();
    let wanted: Vec<String> = opts.la.iter().map(|l| norm(l)).collect();
    let mut la_found: HashMap<String, bool> = wanted.iter().map(|w| (w.clone(), false)).collect();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let c = Cols::new(&table.header);
    let mut skip = |why: String| *out.skipped.entry(why).or_default() += 1;
    let mut schools = Vec::new();
    read_table(path, table, &mut problems, |row| {
        // Selection first: rows of other authorities, closed or out of scope are not checked.
        if !wanted.is_empty() {
            let hit =
                c.la.iter()
                    .map(|col| norm(row.text(col)))
                    .find(|v| la_found.contains_key(v));
            match hit {
                Some(v) => {
                    la_found.insert(v, true);
                }
                None => return,
            }
        }
        let closed = date(row, &c.close_date);
        let _opened = date(row, &c.open_date);
        if !opts.include_closed {
            if c.has_status {
                let st = norm(row.text(&c.status));
                if !(st == "open" || st == "open, but proposed to close") {
                    skip(format!("status: {}", row.text(&c.status)));
                    return;
                }
            } else if closed.is_some() {
                skip("closed (a CloseDate is given)".to_string());
                return;
            }
        }
        let (type_name, kind) = if c.has_type {
            let t = row.text(&c.kind).to_string();
            let k = establishment_kind(&t);
            (t, k)
        } else {
            let t = row.text(&c.group).to_string();
            let k = establishment_group(&t);
            (t, k)
        };
        let kind = match kind {
            Some(Kind::Keep(k)) => k,
            Some(Kind::Skip) => {
                skip(format!("type: {type_name}"));
                return;
            }
            None => {
                skip(format!("type not recognised: {type_name}"));
                return;
            }
        };
        let host_type = HOST_TYPES.contains(&norm(&type_name).as_str())
            || (!c.has_type && kind == SchoolKind::Mainstream);
        if let Some(s) = school(row, &c, kind, host_type, opts, &mut seen) {
            schools.push(s);
        }
    });
    let mut missing: Vec<&String> = la_found
        .iter()
        .filter(|(_, f)| !**f)
        .map(|(k, _)| k)
        .collect();
    missing.sort();
    for m in missing {
        let original = opts
            .la
            .iter()
            .find(|l| norm(l) == *m)
            .cloned()
            .unwrap_or_else(|| m.clone());
        problems.push(
            InputError::new(
                path,
                Code::UnknownArea,
                format!("no establishment of local authority '{original}' in the file"),
            )
            .field("LA (code)"),
        );
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    schools.sort_by(|a: &GiasSchool, b: &GiasSchool| {
        (a.urn.len(), &a.urn).cmp(&(b.urn.len(), &b.urn))
    });
    out.schools = schools;
    Ok(out)
}

/// A GIAS date, `dd-mm-yyyy` (also `dd/mm/yyyy`); `None` when empty or bad (E131 recorded).
/// Returns (year, month, day).
fn date(row: &mut Row, col: &str) -> Option<(i32, u32, u32)> {
    let expected = "a date such as 01-09-2012 (dd-mm-yyyy)";
    crate::import::cell(row, col, parse_date, Code::BadDate, expected)
}

/// `dd-mm-yyyy` or `dd/mm/yyyy` to (year, month, day), checking the day exists.
pub fn parse_date(t: &str) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = t.trim().split(['-', '/']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (d, m, y): (u32, u32, i32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::super::location::metres;
    use super::*;

    const HEADER: &str = "URN,LA (code),LA (name),EstablishmentName,TypeOfEstablishment (name),\
EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,\
OfficialSixthForm (name),SchoolCapacity,NumberOfPupils,TypeOfResourcedProvision (name),\
ResourcedProvisionOnRoll,ResourcedProvisionCapacity,SenUnitOnRoll,SenUnitCapacity,\
SEN1 (name),SEN2 (name),Easting,Northing";

    fn fixture() -> String {
        [
            HEADER,
            // A special school for ASD and SLD, ages 2-19.
            "105704,344,Wirral,Meadow Bank School,Community special school,Open,Not applicable,2,19,Has a sixth form,100,98,Not applicable,,,,,ASD - Autistic Spectrum Disorder,SLD - Severe Learning Difficulty,332000,388000",
            // A primary academy with a 12-place ASD resourced base; a comma in the name.
            "136437,344,Wirral,\"Kelmore Docks Primary Academy, Birkenhead\",Academy converter,Open,Primary,3,11,Not applicable,420,400,Resourced provision,10,12,,,ASD - Autistic Spectrum Disorder,,331000,389000",
            // A secondary with a sixth form and no specialist places.
            "105920,344,Wirral,Marston Vale High School,Foundation school,\"Open, but proposed to close\",Secondary,11,18,Has a sixth form,1200,1100,,,,,,,,333000,387000",
            // An independent special school.
            "140001,344,Wirral,Oak Lodge School,Other independent special school,Open,Not applicable,7,15,Not applicable,40,35,,,,,,\"SEMH - Social, Emotional and Mental Health\",,334000,386000",
            // Skipped: closed, a pupil referral unit, another authority, an unknown type.
            "105001,344,Wirral,Old School,Community school,Closed,Primary,4,11,,200,,,,,,,,,330000,380000",
            "105002,344,Wirral,Wirral Hospitals School,Pupil referral unit,Open,Not applicable,5,16,,50,,,,,,,,,330000,381000",
            "105003,343,Sefton,Far School,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,400000",
            "105004,344,Wirral,Strange Place,Something new,Open,Primary,4,11,,200,,,,,,,,,330000,382000",
        ]
        .join("\n")
            + "\n"
    }

    #[test]
    fn imports_schools_and_capacity_for_one_authority() {
        let opts = GiasOptions {
            la: vec!["wirral".into()],
            include_closed: false,
            host_max_places: Some(20),
            ..Default::default()
        };
        let imp = parse_gias(Path::new("gias.csv"), &fixture(), &opts).unwrap();
        let urns: Vec<&str> = imp.schools.iter().map(|s| s.urn.as_str()).collect();
        assert_eq!(urns, vec!["105704", "105920", "136437", "140001"]);
        assert_eq!(imp.skipped.values().sum::<usize>(), 3);
        assert_eq!(imp.skipped.get("status: Closed"), Some(&1));
        assert_eq!(imp.skipped.get("type: Pupil referral unit"), Some(&1));
        assert_eq!(
            imp.skipped.get("type not recognised: Something new"),
            Some(&1)
        );
        let special = &imp.schools[0];
        assert_eq!(special.kind, SchoolKind::Special);
        assert_eq!(special.phases.iter().count(), 4);
        assert_eq!(special.ages, Some((2, 19)));
        assert_eq!(special.capacity.iter().map(|c| c.2).sum::<u32>(), 100);
        assert!(special.capacity.iter().all(|c| c.0.label() == "ASD;SLD"));
        let (lat, lon) = (special.lat, special.lon);
        assert!(metres((lat, lon), (53.3844479, -3.0238103)) < 5.0);
        let schools = String::from_utf8(imp.schools_csv()).unwrap();
        let capacity = String::from_utf8(imp.capacity_csv()).unwrap();
        assert_eq!(
            schools.lines().next().unwrap(),
            "id,name,kind,phases,lat,lon,can_host_base,max_new_places,capex_per_place,place_cost,low_age,high_age,gender,selective"
        );
        assert!(schools
            .contains("136437,\"Kelmore Docks Primary Academy, Birkenhead\",mainstream,primary,"));
        assert!(schools.contains("105920,Marston Vale High School,mainstream,secondary;post16,"));
        assert!(schools.contains(",yes,20,,,3,11,mixed,no\n"), "{schools}");
        assert!(schools.contains("140001,Oak Lodge School,independent,primary;secondary,"));
        assert!(capacity.contains("136437,ASD,primary,12\n"));
        // Ages taught 7-14: four years of primary, four of secondary.
        assert!(capacity.contains("140001,SEMH,primary,20\n"));
        assert!(capacity.contains("140001,SEMH,secondary,20\n"));
        assert!(!capacity.contains("105920,"));
        assert_eq!(capacity.lines().count(), 1 + 3 + 1 + 2);
    }

    #[test]
    fn imported_files_load_as_a_scenario() {
        // The importer's output passes the scenario loader's checks.
        let imp = parse_gias(
            Path::new("gias.csv"),
            &fixture(),
            &GiasOptions {
                host_max_places: Some(20),
                ..Default::default()
            },
        )
        .unwrap();
        let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo");
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "scenario.toml",
            "localities.csv",
            "population.csv",
            "history.csv",
        ] {
            std::fs::copy(demo.join(f), dir.path().join(f)).unwrap();
        }
        std::fs::write(dir.path().join("schools.csv"), imp.schools_csv()).unwrap();
        std::fs::write(dir.path().join("capacity.csv"), imp.capacity_csv()).unwrap();
        let s = crate::scenario::load_scenario(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.schools.len(), 5);
        assert!(s.provisions.iter().map(|p| p.places).sum::<u32>() >= 100 + 12 + 10);
    }

    #[test]
    fn bad_rows_are_reported_with_line_column_and_code() {
        let text = [
            HEADER,
            "12A,344,Wirral,Bad Urn,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,380000",
            "105010,344,Wirral,No Place,Community school,Open,Primary,4,11,,200,,,,,,,,,,",
            "105011,344,Wirral,Far Away,Community school,Open,Primary,4,11,,200,,,,,,,,,900000,380000",
            "105012,344,Wirral,Odd Need,Community special school,Open,Not applicable,4,11,,20,,,,,,,XYZ - Unknown,,330000,380000",
            "105013,344,Wirral,No Phase,Community school,Open,Not applicable,,,,200,,,,,,,,,330000,380000",
            "105014,344,Wirral,Minus,Academy converter,Open,Primary,4,11,,200,,,,-5,,,,,330000,380000",
            "105014,344,Wirral,Twice,Community school,Open,Primary,4,11,,200,,,,,,,,,330000,380000",
        ]
        .join("\n");
        let opts = GiasOptions {
            la: vec!["344".into(), "999".into()],
            ..Default::default()
        };
        let err = parse_gias(Path::new("g.csv"), &text, &opts).unwrap_err();
        let msgs: Vec<String> = err.iter().map(|e| e.to_string()).collect();
        let has = |p: &str| msgs.iter().any(|m| m.starts_with(p));
        assert!(has("g.csv:2:1: E111 [URN]"), "{msgs:#?}");
        assert!(has("g.csv:3:20: E110 [Easting]"), "{msgs:#?}");
        assert!(has("g.csv:4:20: E130 [Easting]"), "{msgs:#?}");
        assert!(has("g.csv:5:18: E103 [SEN1 (name)]"), "{msgs:#?}");
        assert!(
            has("g.csv:6:7: E104 [PhaseOfEducation (name)]"),
            "{msgs:#?}"
        );
        assert!(
            has("g.csv:7:15: E102 [ResourcedProvisionCapacity]"),
            "{msgs:#?}"
        );
        assert!(has("g.csv:8:1: E201 [URN]"), "{msgs:#?}");
        assert!(
            msgs.iter()
                .any(|m| m.contains("E210") && m.contains("'999'")),
            "{msgs:#?}"
        );
        assert_eq!(err.len(), 8, "{msgs:#?}");
    }

    #[test]
    fn windows_1252_download_reads() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(
            b"\n105704,344,Wirral,St Mary\x92s Cr\xE8che School,Community special school,Open,Not applicable,2,11,,40,,,,,,,,,332000,388000\n",
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("edubasealldata.csv");
        std::fs::write(&p, bytes).unwrap();
        let imp = read_gias(&p, &GiasOptions::default()).unwrap();
        assert_eq!(imp.schools[0].name, "St Mary’s Crèche School");
        let err = read_gias(&dir.path().join("missing.csv"), &GiasOptions::default()).unwrap_err();
        assert_eq!(err.0[0].code, Code::MissingFile);
    }
}
