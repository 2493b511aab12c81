//! A council's own child-level EHC plan caseload: one row per child per January.
//!
//! Columns are found by name (case-insensitive, after any `--columns` map); the DfE SEN2
//! person-level collection's item names are accepted where it has one:
//!
//! | field | names accepted |
//! |---|---|
//! | January | `CensusYear`, `census_year`, `january`, `year`; or a date `CensusDate`, `census_date`, `snapshot_date` (dd-mm-yyyy; its year) |
//! | child (optional) | `PersonID`, `person_id`, `UPN`, `child_id` |
//! | date of birth | `PersonBirthDate`, `date_of_birth`, `dob`, `birth_date` (dd-mm-yyyy) |
//! | age (when no date of birth) | `age` |
//! | home area | `LSOA`, `lsoa_code`, `LSOA21CD`, `LSOA11CD`, `ward`, `ward_code`, `WD23CD`, `WD22CD`, `WD13CD`, `locality` |
//! | primary need | `SENType`, `primary_need`, `need` (ASD, SLCN, SEMH, MLD, SLD, PMLD, SpLD, HI, VI, MSI, PD, OTH) |
//! | need rank (optional) | `SENTypeRank`: rows ranked other than 1 are left out |
//! | placement URN | `URN`, `placement_urn` |
//! | setting type | `SENSetting`, `setting`, `setting_type`, `provision` |
//!
//! A home postcode (`PostCode`, `postcode`) is not used: placeplan has no postcode lookup, so
//! each row needs its LSOA or ward. The age is the child's age on 31 August before the January
//! (the school-year age) when a date of birth is given. The setting type, when given, is the
//! placement; else the URN's school in the GIAS register says it (special school: special;
//! independent or non-maintained special: independent; specialist post-16: fe; mainstream:
//! mainstream).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use crate::import::gias::parse_date;
use crate::import::{find_header, norm, read_table, read_text, ColumnMap, Header};
use placeplan_model::domain::{Need, ProvisionKind, MAX_AGE};
use placeplan_model::error::{Code, InputError, Problems};

const YEAR: [&str; 4] = ["CensusYear", "census_year", "january", "year"];
const DATE: [&str; 3] = ["CensusDate", "census_date", "snapshot_date"];
const CHILD: [&str; 4] = ["PersonID", "person_id", "UPN", "child_id"];
const DOB: [&str; 4] = ["PersonBirthDate", "date_of_birth", "dob", "birth_date"];
const AGE: [&str; 1] = ["age"];
const AREA: [&str; 10] = [
    "LSOA",
    "lsoa_code",
    "LSOA21CD",
    "LSOA11CD",
    "ward",
    "ward_code",
    "WD23CD",
    "WD22CD",
    "WD13CD",
    "locality",
];
const NEED: [&str; 3] = ["SENType", "primary_need", "need"];
const RANK: [&str; 1] = ["SENTypeRank"];
const URN: [&str; 2] = ["URN", "placement_urn"];
const SETTING: [&str; 4] = ["SENSetting", "setting", "setting_type", "provision"];

/// Whether a header is a child-level caseload: a primary need column and a date of birth or
/// age column.
pub fn is_children_header(names: &[String]) -> bool {
    let has = |cands: &[&str]| {
        names
            .iter()
            .any(|n| cands.iter().any(|c| norm(c) == norm(n)))
    };
    has(&NEED) && (has(&DOB) || has(&AGE))
}

/// What a child's row is checked against: the scenario's localities and the GIAS register.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Locality codes, upper case.
    pub areas: BTreeSet<String>,
    /// Areas that stand for a locality (an LSOA for its ward), upper case.
    pub aliases: BTreeMap<String, String>,
    /// The placement kind of each URN in the register.
    pub urns: HashMap<String, ProvisionKind>,
    /// Check the rows only: any home area is taken and an unknown URN is no problem (for
    /// reporting a file's own problems before the localities and schools are known).
    pub lenient: bool,
}

/// Plans by (January, locality, age, need, provision).
pub type Counts = BTreeMap<(i32, String, u8, Need, ProvisionKind), u64>;

/// A read caseload: counts and how each placement was told.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Children {
    pub counts: Counts,
    /// Children by January.
    pub by_year: BTreeMap<i32, u64>,
    pub by_setting: u64,
    pub by_urn: u64,
    /// Rows left out because their need was ranked other than 1.
    pub other_ranks: u64,
    /// Ages from a date of birth, and from an age column.
    pub from_dob: u64,
    pub from_age: u64,
}

/// A setting type: placeplan's provision codes, or the words councils use for them.
pub fn setting_of(t: &str) -> Option<ProvisionKind> {
    if let Ok(k) = t.parse::<ProvisionKind>() {
        return Some(k);
    }
    let t = norm(t).replace([' ', '-'], "_");
    Some(match t.as_str() {
        "mainstream_school" | "mainstream_schools" | "msch" => ProvisionKind::Mainstream,
        "resourced_base" | "resourced_provision" | "sen_unit" | "send_unit" => {
            ProvisionKind::ResourcedBase
        }
        "special_school" | "state_special" | "maintained_special" => ProvisionKind::Special,
        "independent_special" | "non_maintained_special" | "nmss" | "ism" => {
            ProvisionKind::Independent
        }
        "further_education" | "post_16" | "post16" | "college" | "specialist_post_16" => {
            ProvisionKind::FurtherEducation
        }
        "home_education"
        | "elective_home_education"
        | "ehe"
        | "alternative_provision"
        | "ap"
        | "pru"
        | "neet"
        | "none" => ProvisionKind::Other,
        _ => return None,
    })
}

/// The child's age on 31 August before January `year` (the school-year age).
pub fn school_year_age(year: i32, dob: (i32, u32, u32)) -> i64 {
    let (by, bm, _) = dob;
    let older = if bm > 8 { 1 } else { 0 };
    (year - 1 - by) as i64 - older
}

/// Reads a child-level caseload file.
pub fn read_children(
    path: &Path,
    columns: &ColumnMap,
    known: &Known,
) -> Result<Children, Problems> {
    let mut problems = Problems::default();
    let Some(text) = read_text(path, &mut problems) else {
        return Err(problems);
    };
    parse_children(path, &text, columns, known)
}

/// The columns of a child-level file, by field.
struct Cols {
    year: Option<String>,
    date: Option<String>,
    child: Option<String>,
    dob: Option<String>,
    age: Option<String>,
    area: String,
    need: String,
    rank: Option<String>,
    urn: Option<String>,
    setting: Option<String>,
}

fn columns_of(path: &Path, h: &Header, problems: &mut Problems) -> Option<Cols> {
    let mut missing = |field: &str, names: &[&str]| {
        problems.push(
            InputError::new(
                path,
                Code::MissingColumn,
                format!(
                    "a child-level caseload needs a {field} column ({})",
                    names.join(", ")
                ),
            )
            .at(h.line, None)
            .field(names[0]),
        );
    };
    let c = Cols {
        year: h.find(&YEAR),
        date: h.find(&DATE),
        child: h.find(&CHILD),
        dob: h.find(&DOB),
        age: h.find(&AGE),
        area: h.find(&AREA).unwrap_or_default(),
        need: h.find(&NEED).unwrap_or_default(),
        rank: h.find(&RANK),
        urn: h.find(&URN),
        setting: h.find(&SETTING),
    };
    if c.year.is_none() && c.date.is_none() {
        missing(
            "January (year or census date)",
            &[YEAR[0], YEAR[3], DATE[0]],
        );
    }
    if c.area.is_empty() {
        missing("home area (LSOA or ward code)", &AREA);
    }
    if c.need.is_empty() {
        missing("primary need", &NEED);
    }
    if c.urn.is_none() && c.setting.is_none() {
        missing("placement (URN or setting type)", &[URN[0], SETTING[0]]);
    }
    let ok = (c.year.is_some() || c.date.is_some())
        && !c.area.is_empty()
        && !c.need.is_empty()
        && (c.urn.is_some() || c.setting.is_some());
    ok.then_some(c)
}

/// Parses child-level caseload text: every problem in every row is returned at once.
pub fn parse_children(
    path: &Path,
    text: &str,
    columns: &ColumnMap,
    known: &Known,
) -> Result<Children, Problems> {
    let mut problems = Problems::default();
    let Some(table) = find_header(
        path,
        text.to_string(),
        columns,
        is_children_header,
        &mut problems,
    ) else {
        return Err(problems);
    };
    let Some(c) = columns_of(path, &table.header, &mut problems) else {
        problems.sort();
        return Err(problems);
    };
    let mut out = Children::default();
    let mut seen: HashMap<(i32, String), u64> = HashMap::new();
    read_table(path, table, &mut problems, |row| {
        let year = match (&c.year, &c.date) {
            (Some(yc), _) => row.year(yc),
            (None, Some(dc)) => crate::import::cell(
                row,
                dc,
                parse_date,
                Code::BadDate,
                "a date such as 18-01-2024 (dd-mm-yyyy)",
            )
            .map(|d| d.0)
            .or_else(|| {
                if row.text(dc).is_empty() {
                    row.problem(dc, Code::Empty, format!("'{dc}' is empty"));
                }
                None
            }),
            (None, None) => None,
        };
        if let Some(rc) = &c.rank {
            if !matches!(row.text(rc).trim(), "" | "1") {
                out.other_ranks += 1;
                return;
            }
        }
        let dob_text = c.dob.as_ref().map(|d| row.text(d).to_string());
        let age = match (&c.dob, dob_text.as_deref()) {
            (Some(dc), Some(t)) if !t.is_empty() => {
                let d = crate::import::cell(
                    row,
                    dc,
                    parse_date,
                    Code::BadDate,
                    "a date such as 01-09-2012 (dd-mm-yyyy)",
                );
                match (d, year) {
                    (Some(d), Some(y)) => {
                        let a = school_year_age(y, d);
                        if (0..=MAX_AGE as i64).contains(&a) {
                            out.from_dob += 1;
                            Some(a as u8)
                        } else {
                            row.problem(
                                dc,
                                Code::AgeOutOfRange,
                                format!(
                                    "born {t}: aged {a} on 31 August {}, outside 0-{MAX_AGE}",
                                    y - 1
                                ),
                            );
                            None
                        }
                    }
                    _ => None,
                }
            }
            _ => match &c.age {
                Some(ac) => {
                    let a = row.age(ac);
                    out.from_age += a.is_some() as u64;
                    a
                }
                None => {
                    let dc = c.dob.clone().unwrap_or_default();
                    row.problem(&dc, Code::Empty, format!("'{dc}' is empty"));
                    None
                }
            },
        };
        let area = row.required(&c.area).and_then(|a| {
            let up = a.trim().to_ascii_uppercase();
            let up = known.aliases.get(&up).cloned().unwrap_or(up);
            if known.lenient || known.areas.contains(&up) {
                Some(up)
            } else {
                row.problem(
                    &c.area,
                    Code::UnknownChildArea,
                    format!("home area '{a}' is not one of the scenario's localities"),
                );
                None
            }
        });
        let need = row.need(&c.need);
        let urn = c
            .urn
            .as_ref()
            .map(|u| (u.clone(), row.text(u).trim().to_string()));
        let setting = match &c.setting {
            Some(sc) if !row.text(sc).is_empty() => {
                let t = row.text(sc).to_string();
                let k = setting_of(&t);
                if k.is_none() {
                    row.problem(
                        sc,
                        Code::UnknownProvision,
                        format!("unknown setting type '{t}'"),
                    );
                }
                Some(k)
            }
            _ => None,
        };
        let provision = match (setting, urn) {
            (Some(k), _) => {
                out.by_setting += k.is_some() as u64;
                k
            }
            (None, Some((uc, u))) if !u.is_empty() => match known.urns.get(&u) {
                Some(k) => {
                    out.by_urn += 1;
                    Some(*k)
                }
                None if known.lenient => None,
                None => {
                    row.problem(
                        &uc,
                        Code::UnknownPlacement,
                        format!("placement URN '{u}' is not in the GIAS register, and no setting type is given"),
                    );
                    None
                }
            },
            (None, _) => {
                let col = c.setting.clone().or(c.urn.clone()).unwrap_or_default();
                row.problem(
                    &col,
                    Code::Empty,
                    "neither a placement URN nor a setting type is given".into(),
                );
                None
            }
        };
        if let (Some(cc), Some(y)) = (&c.child, year) {
            let id = row.text(cc).trim().to_string();
            if !id.is_empty() {
                if let Some(first) = seen.insert((y, id.clone()), row.line) {
                    row.problem(
                        cc,
                        Code::DuplicateRow,
                        format!("child '{id}' is already in January {y} on line {first}"),
                    );
                    return;
                }
            }
        }
        if let (Some(y), Some(a), Some(l), Some(n), Some(k)) = (year, age, area, need, provision) {
            if row.ok {
                *out.counts.entry((y, l, a, n, k)).or_default() += 1;
                *out.by_year.entry(y).or_default() += 1;
            }
        }
    });
    if !problems.is_empty() {
        problems.sort();
        return Err(problems);
    }
    if out.by_year.is_empty() {
        problems.push(InputError::new(
            path,
            Code::Empty,
            "the child-level caseload has no rows",
        ));
        return Err(problems);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            areas: ["E01000001", "E01000002"].map(String::from).into(),
            urns: HashMap::from([("100001".to_string(), ProvisionKind::Special)]),
            aliases: BTreeMap::new(),
            lenient: false,
        }
    }

    const HEADER: &str =
        "PersonID,CensusDate,PersonBirthDate,PostCode,LSOA,SENType,SENTypeRank,URN,SENSetting";

    #[test]
    fn counts_children_by_january_area_age_need_and_placement() {
        let text = format!(
            "{HEADER}\n\
             C1,20-01-2022,15-03-2012,CH41 0EZ,E01000001,ASD,1,100001,\n\
             C1,20-01-2022,15-03-2012,CH41 0EZ,E01000001,SLCN,2,100001,\n\
             C2,20-01-2022,01-09-2010,,e01000002,SEMH,1,,independent\n\
             C1,21-01-2021,15-03-2012,,E01000001,asd,1,999999,resourced provision\n"
        );
        let c = parse_children(Path::new("c.csv"), &text, &ColumnMap::default(), &known()).unwrap();
        // Born March 2012: 9 on 31 August 2021; born 1 September 2010: 10 (not yet 11).
        let want: Counts = [
            (
                (
                    2021,
                    "E01000001".into(),
                    8,
                    Need::Asd,
                    ProvisionKind::ResourcedBase,
                ),
                1,
            ),
            (
                (
                    2022,
                    "E01000001".into(),
                    9,
                    Need::Asd,
                    ProvisionKind::Special,
                ),
                1,
            ),
            (
                (
                    2022,
                    "E01000002".into(),
                    10,
                    Need::Semh,
                    ProvisionKind::Independent,
                ),
                1,
            ),
        ]
        .into();
        assert_eq!(c.counts, want);
        assert_eq!((c.by_setting, c.by_urn, c.other_ranks), (2, 1, 1));
        assert_eq!(c.by_year, BTreeMap::from([(2021, 1), (2022, 2)]));
    }

    #[test]
    fn every_bad_row_is_reported_with_line_column_code() {
        let text = format!(
            "{HEADER}\n\
             C1,20-01-2022,31-02-2012,,E01000001,ASD,1,100001,\n\
             C2,20-01-2022,01-01-2012,,E09999999,XYZ,1,200002,\n\
             C3,2022,01-01-1990,,E01000001,ASD,1,,castle\n\
             C4,20-01-2022,01-01-2012,,,ASD,1,,\n\
             C5,20-01-2022,01-01-2012,,E01000001,ASD,1,100001,\n\
             C5,20-01-2022,01-01-2012,,E01000001,ASD,1,100001,\n"
        );
        let p =
            parse_children(Path::new("c.csv"), &text, &ColumnMap::default(), &known()).unwrap_err();
        let got: Vec<String> = p.iter().map(|e| e.to_string()).collect();
        for want in [
            "c.csv:2:3: E131 [PersonBirthDate]",
            "c.csv:3:5: E133 [LSOA] home area 'E09999999'",
            "c.csv:3:6: E103 [SENType] unknown need 'XYZ'",
            "c.csv:3:8: E134 [URN] placement URN '200002'",
            "c.csv:4:2: E131 [CensusDate]",
            "c.csv:4:9: E109 [SENSetting] unknown setting type 'castle'",
            "c.csv:5:5: E110 [LSOA]",
            "c.csv:5:9: E110 [SENSetting] neither a placement URN nor a setting type",
            "c.csv:7:1: E205 [PersonID] child 'C5' is already in January 2022 on line 6",
        ] {
            assert!(
                got.iter().any(|g| g.starts_with(want)),
                "missing '{want}' in {got:#?}"
            );
        }
        // An age outside 0-25 from the date of birth.
        let text = format!("{HEADER}\nC1,20-01-2022,01-01-1990,,E01000001,ASD,1,100001,\n");
        let p =
            parse_children(Path::new("c.csv"), &text, &ColumnMap::default(), &known()).unwrap_err();
        assert!(
            p.iter().any(|e| e.to_string().starts_with(
                "c.csv:2:3: E106 [PersonBirthDate] born 01-01-1990: aged 31 on 31 August 2021"
            )),
            "{p:?}"
        );
    }

    #[test]
    fn an_lsoa_counts_in_its_ward() {
        let mut k = known();
        k.areas.insert("E05000001".into());
        k.aliases.insert("E01000009".into(), "E05000001".into());
        let text = "year,age,lsoa,need,setting\n2022,7,E01000009,PD,special\n2022,8,E05000001,PD,special\n";
        let c = parse_children(Path::new("c.csv"), text, &ColumnMap::default(), &k).unwrap();
        assert_eq!(c.counts.keys().filter(|k| k.1 == "E05000001").count(), 2);
    }

    #[test]
    fn setting_words() {
        for (t, k) in [
            ("special school", ProvisionKind::Special),
            ("Resourced Provision", ProvisionKind::ResourcedBase),
            ("college", ProvisionKind::FurtherEducation),
            ("home education", ProvisionKind::Other),
            ("fe", ProvisionKind::FurtherEducation),
        ] {
            assert_eq!(setting_of(t), Some(k), "{t}");
        }
        assert_eq!(setting_of("castle"), None);
    }

    #[test]
    fn a_councils_own_names_and_missing_columns() {
        let map =
            ColumnMap::parse(&["SENType=main need,LSOA=home lsoa,CensusYear=jan".into()]).unwrap();
        let text = "jan,age,home lsoa,main need,setting\n2022,7,E01000001,PD,special\n";
        let c = parse_children(Path::new("c.csv"), text, &map, &known()).unwrap();
        assert_eq!(c.from_age, 1);
        let p = parse_children(
            Path::new("c.csv"),
            "age,need\n7,PD\n",
            &ColumnMap::default(),
            &known(),
        )
        .unwrap_err();
        let msgs: Vec<String> = p.iter().map(|e| e.to_string()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(
            msgs.iter().all(|m| m.starts_with("c.csv:1: E004")),
            "{msgs:?}"
        );
    }
}
