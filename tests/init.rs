//! `placeplan init` through the binary: a real authority (Wirral) from published files, and bad
//! input reported with file, line, column, code and hint, exit 2, nothing written.

use std::path::{Path, PathBuf};

#[path = "support/data.rs"]
mod data;
#[path = "support/run.rs"]
mod run;

use run::{placeplan, read_all, root, text};

const CURRENT: &str = "wirral-public/dfe-ehcp-2025/caseload_wirral_upto_202122.csv";
const POPULATION: &str = "wirral-public/population/hfal_liv_wir_sy_pop_wirral_lsoa11_mid2019.csv";
const LSOAS: &str = "wirral-public/boundaries/martinjc_lsoa_by_lad_E08000015.json";
const BANDS: &str = "dfe-sen2-2022/sen2_age_caseload.csv";
const ESTAB: &str = "dfe-sen2-2022/sen2_estab_caseload.csv";
const GUIDANCE: &str = "dfe-sen2-2022/data-guidance.txt";

fn gias_fixture() -> PathBuf {
    root().join("tests/fixtures/init/edubasealldata_wirral_sample.csv")
}

/// A folder holding the given shared-data files and the GIAS fixture.
fn folder(data: &Path, files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let from = data.join(f);
        std::fs::copy(&from, dir.path().join(from.file_name().unwrap())).unwrap();
    }
    std::fs::copy(
        gias_fixture(),
        dir.path().join("edubasealldata_wirral_sample.csv"),
    )
    .unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn wirral_from_published_files_validates_and_plans() {
    let Some(data) = data::shared_data(&[CURRENT, POPULATION, LSOAS, BANDS, ESTAB, GUIDANCE])
    else {
        return;
    };
    let from = folder(&data, &[CURRENT, POPULATION, LSOAS, BANDS, ESTAB, GUIDANCE]);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("wirral");

    // Several authorities in the 2022 release: --la is needed.
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E141") && err.contains("name one with --la"),
        "{err}"
    );
    assert!(!out.exists());

    let o = placeplan(&[
        "init",
        "--from",
        s(from.path()),
        "--out",
        s(&out),
        "--la",
        "344",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for line in [
        "read caseload_wirral_upto_202122.csv: DfE EHC plans caseload (current layout)",
        "read data-guidance.txt: not read (only CSV and GeoJSON files are)",
        "read edubasealldata_wirral_sample.csv: GIAS establishment register",
        "read hfal_liv_wir_sy_pop_wirral_lsoa11_mid2019.csv: population by single year of age",
        "read martinjc_lsoa_by_lad_E08000015.json: GeoJSON boundaries",
        "read sen2_age_caseload.csv: DfE SEN2 caseload by age band (2022 layout)",
        "read sen2_estab_caseload.csv: DfE SEN2 caseload by establishment type (2022 layout)",
    ] {
        assert!(stdout.contains(line), "missing '{line}':\n{stdout}");
    }
    let summary = format!(
        "wrote Wirral to {}: 206 localities, 12 schools (7 may host a new base), EHC plans January 2016-2022, population 2016-2027; valid",
        out.display()
    );
    assert!(stdout.contains(&summary), "{stdout}");
    assert!(stdout.contains("ASSUMPTIONS.md"), "{stdout}");

    // What was assumed, with the numbers measured on the real files.
    let a = std::fs::read_to_string(out.join("ASSUMPTIONS.md")).unwrap();
    for claim in [
        "206 localities: the areas that have both a boundary and a population",
        "long layout, 206 areas, mid-year 2019 (the year 2019 taken from the file name",
        "no persons rows: males and females added up (5356 area-age-year cells)",
        "Projected forward to 2020-2027",
        "Projected back to 2016-2018",
        "Januarys 2016-2022",
        "January 2022: 3291 plans, from the DfE age bands (adding to 3291): 0-4 84.0, 5-10 895.0, 11-15 992.0, 16-19 762.0, 20-25 558.0",
        "Left out 1: status: Closed.",
        "Left out 1: type: Pupil referral unit.",
        "2 of them are single-sex and 2 selective",
    ] {
        assert!(a.contains(claim), "missing '{claim}' in ASSUMPTIONS.md:\n{a}");
    }
    // History adds up to the DfE totals each January (2,121 in 2019, 3,291 in 2022).
    let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
    let total = |y: &str| -> u64 {
        history
            .lines()
            .filter(|l| l.starts_with(y))
            .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
            .sum()
    };
    assert_eq!(total("2019,"), 2121);
    assert_eq!(total("2022,"), 3291);
    // Schools: the leaving age, gender and selection as published.
    let schools = std::fs::read_to_string(out.join("schools.csv")).unwrap();
    assert!(
        schools.contains("136501,Upton Hall School FCJ,mainstream,secondary;post16,53.38")
            && schools.contains(",yes,20,,,11,18,girls,yes"),
        "{schools}"
    );
    assert!(
        schools.contains("Wirral Hospitals’ School"),
        "Windows-1252 name: {schools}"
    );
    let capacity = std::fs::read_to_string(out.join("capacity.csv")).unwrap();
    // Regression (issue 17): special schools 2-11 have no secondary and no early-years places.
    assert!(
        capacity.contains("105089,ASD;SLD;PMLD,primary,110\n"),
        "{capacity}"
    );
    assert!(
        !capacity.contains("105089,ASD;SLD;PMLD,secondary"),
        "{capacity}"
    );
    assert!(!capacity.contains("early_years"), "{capacity}");

    let o = placeplan(&["validate", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Same files, same scenario, byte for byte; a second init replaces its own folder.
    let first = read_all(&out);
    let again = work.path().join("again");
    let o = placeplan(&[
        "init",
        "--from",
        s(from.path()),
        "--out",
        s(&again),
        "--la",
        "E08000015",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(first, read_all(&again));

    // The localities' boundaries go with the scenario, for the report's map.
    let toml = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(
        toml.contains("boundaries = \"boundaries.geojson\""),
        "{toml}"
    );
    let outlines = std::fs::read_to_string(out.join("boundaries.geojson")).unwrap();
    assert_eq!(outlines.matches("\"type\":\"Feature\"").count(), 206);

    // It plans, and no base goes to a single-sex or selective school; the report's map draws
    // every locality's boundary.
    let run = work.path().join("run");
    let o = placeplan(&["plan", s(&out), "--out", s(&run), "--formats", "csv,html"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert_eq!(html.matches("<path class=\"outline\"").count(), 206);
    let plan = std::fs::read_to_string(run.join("plan.csv")).unwrap();
    assert!(plan.lines().count() > 1, "{plan}");
    for host in ["136501", "136502"] {
        assert!(
            !plan.contains(&format!("\n{host},")),
            "{host} hosts a base:\n{plan}"
        );
    }
}

/// A folder with a bad GIAS row, a population file with males only for one area and an
/// unknown sex, and a file of no known layout: every problem at once, exit 2, nothing written.
#[test]
fn bad_input_is_every_problem_with_position_code_and_hint_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let gias = std::fs::read(gias_fixture()).unwrap();
    // Windows-1252 bytes kept as they are (one char per byte).
    let latin: String = gias.iter().map(|&b| b as char).collect();
    let mut lines: Vec<String> = latin.split("\r\n").map(String::from).collect();
    // Line 3 (Elleray Park): an unknown gender.
    lines[2] = lines[2].replacen(",\"Mixed\",", ",\"Both\",", 1);
    let bytes: Vec<u8> = lines.join("\r\n").chars().map(|c| c as u8).collect();
    std::fs::write(dir.path().join("gias.csv"), bytes).unwrap();
    std::fs::write(
        dir.path().join("pop_2019.csv"),
        "code,age,sex,value\nE1,0,1,5\nE1,0,2,6\nE2,0,1,5\nE2,1,X,3\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.csv"), "what,when\na,b\n").unwrap();
    let out = dir.path().join("out");
    let o = placeplan(&["init", "--from", s(dir.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let p = |f: &str| dir.path().join(f).display().to_string();
    for want in [
        format!("{}:1: E140", p("notes.csv")),
        format!("{}: E141 no DfE EHC plans caseload", dir.path().display()),
    ] {
        assert!(err.contains(&want), "missing '{want}':\n{err}");
    }
    assert!(err.contains("hint: "), "{err}");
    assert!(!out.exists(), "nothing is written");

    // With an EHC plans file the readers run and report every row problem.
    std::fs::remove_file(dir.path().join("notes.csv")).unwrap();
    std::fs::write(
        dir.path().join("caseload.csv"),
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,ehcplans\n\
         202122,Academic year,Local authority,E92000001,England,E12000002,North West,E08000015,344,Wirral,All EHC plans,All EHC plans,3291\n",
    )
    .unwrap();
    let o = placeplan(&["init", "--from", s(dir.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    for want in [
        format!(
            "{}:3:28: E116 [Gender (name)] unknown Gender 'Both'",
            p("gias.csv")
        ),
        format!("{}:5:3: E132 [sex] unknown sex 'X'", p("pop_2019.csv")),
        format!(
            "{}:4: E132 area 'E2' in 2019 at age 0 has males but no females",
            p("pop_2019.csv")
        ),
    ] {
        assert!(err.contains(&want), "missing '{want}':\n{err}");
    }
    assert!(!out.exists(), "nothing is written");
}

#[test]
fn a_column_map_names_a_councils_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.csv"), "a,b\n1,2\n").unwrap();
    let out = dir.path().join("out");
    let o = placeplan(&[
        "init",
        "--from",
        s(dir.path()),
        "--out",
        s(&out),
        "--columns",
        "URN",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E143"),
        "{}",
        text(&o)
    );
    let o = placeplan(&[
        "init",
        "--from",
        s(dir.path()),
        "--out",
        s(&out),
        "--columns",
        "URN=school urn",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E143 [school urn] --columns names column 'school urn'"),
        "{err}"
    );
    assert!(!out.exists());
}

/// A council's own child-level caseload (one row per child per January) replaces the
/// apportionment: history.csv is its counts; bad rows are every problem at once, nothing written.
#[test]
fn a_child_level_caseload_gives_the_history() {
    let Some(data) = data::shared_data(&[CURRENT, POPULATION, LSOAS]) else {
        return;
    };
    let from = folder(&data, &[CURRENT, POPULATION, LSOAS]);
    let children = "PersonID,CensusDate,PersonBirthDate,PostCode,LSOA,SENType,SENTypeRank,URN,SENSetting,age\n\
        C1,20-01-2022,15-03-2012,CH41 0EZ,E01007110,ASD,1,105089,,\n\
        C1,20-01-2022,15-03-2012,CH41 0EZ,E01007110,SLCN,2,105089,,\n\
        C2,20-01-2022,01-10-2010,,E01007111,SEMH,1,,independent,\n\
        C1,21-01-2021,15-03-2012,,E01007110,ASD,1,105094,resourced_base,\n\
        C3,21-01-2021,,,E01007112,MLD,1,105094,,7\n";
    std::fs::write(from.path().join("sen2_person_level.csv"), children).unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("wirral");
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("read sen2_person_level.csv: child-level EHC plans caseload"),
        "{stdout}"
    );
    assert!(
        stdout.contains("EHC plans January 2021-2022, population 2021-2027; valid"),
        "{stdout}"
    );
    let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
    assert_eq!(
        history,
        "year,locality,age,need,provision,count\n\
         2021,E01007110,8,ASD,resourced_base,1\n\
         2021,E01007112,7,MLD,mainstream,1\n\
         2022,E01007110,9,ASD,special,1\n\
         2022,E01007111,10,SEMH,independent,1\n"
    );
    let a = std::fs::read_to_string(out.join("ASSUMPTIONS.md")).unwrap();
    for claim in [
        "History counted from the child-level caseload sen2_person_level.csv (one row per child per January), not apportioned",
        "January 2021: 2 children (DfE total 3053).",
        "January 2022: 2 children (DfE total 3291).",
        "Ages: 3 from the date of birth (the age on 31 August before the January), 1 from the age column. Placements: 2 from the setting type, 2 from the placement URN's school in the GIAS register.",
        "1 rows with a need ranked other than 1 (SENTypeRank) were left out",
    ] {
        assert!(a.contains(claim), "missing '{claim}' in ASSUMPTIONS.md:\n{a}");
    }
    let o = placeplan(&["validate", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Bad rows: every problem with file:line:column, code and hint; exit 2; nothing written.
    let bad = "PersonID,CensusDate,PersonBirthDate,LSOA,SENType,URN,SENSetting\n\
        C1,20-01-2022,31-02-2012,E01007110,ASD,105089,\n\
        C2,20-01-2022,15-03-2012,E09999999,AUT,777777,\n\
        C3,20-01-2021,15-03-2012,E01007110,ASD,,castle\n";
    std::fs::write(from.path().join("sen2_person_level.csv"), bad).unwrap();
    let out2 = work.path().join("bad");
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out2)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let f = from
        .path()
        .join("sen2_person_level.csv")
        .display()
        .to_string();
    for want in [
        format!("{f}:2:3: E131 [PersonBirthDate]"),
        format!(
            "{f}:3:4: E133 [LSOA] home area 'E09999999' is not one of the scenario's localities"
        ),
        format!("{f}:3:5: E103 [SENType] unknown need 'AUT'"),
        format!("{f}:3:6: E134 [URN] placement URN '777777' is not in the GIAS register"),
        format!("{f}:4:7: E109 [SENSetting] unknown setting type 'castle'"),
    ] {
        assert!(err.contains(&want), "missing '{want}':\n{err}");
    }
    assert!(err.contains("hint: give the setting type"), "{err}");
    assert!(!out2.exists(), "nothing is written");

    // With a bad row in another file too, the caseload's own row problems are reported with it.
    std::fs::write(
        from.path().join("pop_extra_2019.csv"),
        "code,age,sex,value\nE01007110,0,X,3\n",
    )
    .unwrap();
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out2)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    let extra = from.path().join("pop_extra_2019.csv").display().to_string();
    for want in [
        format!("{extra}:2:3: E132 [sex] unknown sex 'X'"),
        format!("{f}:2:3: E131 [PersonBirthDate]"),
        format!("{f}:3:5: E103 [SENType] unknown need 'AUT'"),
        format!("{f}:4:7: E109 [SENSetting] unknown setting type 'castle'"),
    ] {
        assert!(err.contains(&want), "missing '{want}':\n{err}");
    }
    assert!(!out2.exists(), "nothing is written");
}

/// The DfE need breakdown (`sen_needs_all_plans.csv`, made-up Wirral rows in the published
/// layout: the real file has Wirral rows only for 2025) gives the authority's need mix, by age
/// band where it has one, instead of the national mix.
#[test]
fn a_need_breakdown_gives_the_authoritys_need_mix() {
    let Some(data) = data::shared_data(&[CURRENT, POPULATION, LSOAS]) else {
        return;
    };
    let from = folder(&data, &[CURRENT, POPULATION, LSOAS]);
    let needs = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,ehc_plans,number_asd,number_slcn,number_semh,number_pd,asd_pc\n\
        202425,Academic year,National,E92000001,England,,,,,,All EHC plans,All EHC plans,638745,200000,130000,130000,20000,31.3\n\
        202425,Academic year,Local authority,E92000001,England,E12000002,North West,E08000015,344,Wirral,All EHC plans,All EHC plans,4000,3000,0,1000,0,75\n\
        202425,Academic year,Local authority,E92000001,England,E12000002,North West,E08000015,344,Wirral,Child or young persons age,Age 16 to 19,500,0,0,0,500,0\n\
        202425,Academic year,Local authority,E92000001,England,E12000002,North West,E08000015,344,Wirral,Sex,Boys,2000,x,x,x,x,x\n";
    std::fs::write(from.path().join("sen_needs_all_plans.csv"), needs).unwrap();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("wirral");
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("read sen_needs_all_plans.csv: DfE EHC plans by primary need"),
        "{}",
        text(&o)
    );
    let a = std::fs::read_to_string(out.join("ASSUMPTIONS.md")).unwrap();
    for claim in [
        "Primary need: Wirral's own mix in sen_needs_all_plans.csv (January 2025), the same for every locality and year, by DfE age band where the file gives one.",
        "Ages 5-10, from all its plans: ASD 75.0%, SLCN 0.0%, SEMH 25.0%",
        "Ages 16-19, from its age band: ASD 0.0%",
    ] {
        assert!(a.contains(claim), "missing '{claim}' in ASSUMPTIONS.md:\n{a}");
    }
    let history = std::fs::read_to_string(out.join("history.csv")).unwrap();
    let needs_at = |ages: std::ops::RangeInclusive<u8>| -> std::collections::BTreeSet<String> {
        history
            .lines()
            .skip(1)
            .filter(|l| ages.contains(&l.split(',').nth(2).unwrap().parse::<u8>().unwrap()))
            .map(|l| l.split(',').nth(3).unwrap().to_string())
            .collect()
    };
    assert_eq!(needs_at(5..=10), ["ASD", "SEMH"].map(String::from).into());
    assert_eq!(needs_at(16..=19), ["PD"].map(String::from).into());
    let o = placeplan(&["validate", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// Ward boundaries beside LSOA boundaries and LSOA population: the localities are the wards,
/// each at the population-weighted mean of its LSOAs' centroids.
#[test]
fn wards_from_lsoa_population_at_population_weighted_points() {
    const WARDS: &str = "wirral-public/boundaries/martinjc_wards_by_lad_E08000015.json";
    let Some(data) = data::shared_data(&[CURRENT, POPULATION, LSOAS, WARDS]) else {
        return;
    };
    let from = folder(&data, &[CURRENT, POPULATION, LSOAS, WARDS]);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("wirral");
    let o = placeplan(&["init", "--from", s(from.path()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(": 22 localities, "), "{stdout}");
    let a = std::fs::read_to_string(out.join("ASSUMPTIONS.md")).unwrap();
    for claim in [
        "Localities are the 22 wards: each of the 206 LSOAs with a population and a boundary goes to the ward whose boundary holds its centroid (0 LSOA centroids in no ward were left out)",
        "Each ward's point is the population-weighted mean of its LSOAs' centroids (weights: each LSOA's population aged 0-25 in mid-2019).",
    ] {
        assert!(a.contains(claim), "missing '{claim}' in ASSUMPTIONS.md:\n{a}");
    }
    assert!(!a.contains("centroid of its boundary's area"), "{a}");
    let localities = std::fs::read_to_string(out.join("localities.csv")).unwrap();
    assert!(
        localities.contains("\nE05000954,Bebington,"),
        "{localities}"
    );
    let o = placeplan(&["validate", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// `import gias` and `import population` take a council's own column names with `--columns`;
/// a population file with no year column, no `--year` and no year in its name is E142.
#[test]
fn importers_take_a_column_map_and_need_a_year() {
    let dir = tempfile::tempdir().unwrap();
    // The GIAS fixture with a council's names for URN and EstablishmentName.
    let gias = std::fs::read(gias_fixture()).unwrap();
    let latin: String = gias.iter().map(|&b| b as char).collect();
    let (head, rest) = latin.split_once("\r\n").unwrap();
    let head = head.replacen("\"URN\"", "\"school urn\"", 1).replacen(
        "\"EstablishmentName\"",
        "\"school name\"",
        1,
    );
    let bytes: Vec<u8> = format!("{head}\r\n{rest}")
        .chars()
        .map(|c| c as u8)
        .collect();
    let cut = dir.path().join("council_cut.csv");
    std::fs::write(&cut, bytes).unwrap();
    let out = dir.path().join("s");
    let o = placeplan(&["import", "gias", s(&cut), "--la", "344", "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = placeplan(&[
        "import",
        "gias",
        s(&cut),
        "--la",
        "344",
        "--columns",
        "URN=school urn,EstablishmentName=school name",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let schools = std::fs::read_to_string(out.join("schools.csv")).unwrap();
    assert!(
        schools.contains("\n105089,Stanley School,special,"),
        "{schools}"
    );

    let pop = dir.path().join("council_population.csv");
    let mut t = String::from("area,age_years,people\n");
    for a in 0..=25 {
        t += &format!("E08000015,{a},{}\n", 100 + a);
    }
    std::fs::write(&pop, t).unwrap();
    let o = placeplan(&[
        "import",
        "population",
        s(&pop),
        "--columns",
        "age=age_years,value=people,code=area",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{}:1: E142", pop.display())) && err.contains("give --year"),
        "{err}"
    );
    let o = placeplan(&[
        "import",
        "population",
        s(&pop),
        "--year",
        "2021",
        "--columns",
        "age=age_years,value=people,code=area",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(out.join("population.csv")).unwrap();
    assert!(written.contains("E08000015,2021,3,103\n"), "{written}");
    // A malformed map is E143.
    let o = placeplan(&[
        "import",
        "population",
        s(&pop),
        "--columns",
        "age",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E143"),
        "{}",
        text(&o)
    );
}

/// `placeplan demo --raw` writes the demo borough as published files; `init` on them rebuilds
/// the demo's localities, population, history and schools (ids, names, kinds, phases, places
/// per school), and the rebuilt scenario validates and plans. What published files cannot
/// carry (the demo's settings, which schools may host a base and with how many places, and
/// how a school's places divide between its phases) differs; with those three files taken
/// from the demo, the plan is the demo's, school for school.
#[test]
fn init_on_the_raw_demo_rebuilds_the_demo_and_its_plan() {
    let work = tempfile::tempdir().unwrap();
    let (raw, scen, demo) = (
        work.path().join("raw"),
        work.path().join("scen"),
        work.path().join("demo"),
    );
    let o = placeplan(&["demo", "--raw", s(&raw)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = placeplan(&["demo", "--out", s(&demo)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = placeplan(&["init", "--from", s(&raw), "--out", s(&scen)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for line in [
        "read caseload.csv: DfE EHC plans caseload (current layout)",
        "read demo_child_caseload.csv: child-level EHC plans caseload",
        "read demo_population_by_ward.csv: population by single year of age",
        "read demo_wards.geojson: GeoJSON boundaries",
        "read edubasealldata_demo.csv: GIAS establishment register",
        "wrote Demo Borough to ",
        ": 22 localities, 121 schools (110 may host a new base), EHC plans January 2019-2025, population 2019-2030; valid",
        "what was assumed, with the numbers: ",
    ] {
        assert!(stdout.contains(line), "missing '{line}':\n{stdout}");
    }
    let read = |d: &Path, f: &str| std::fs::read_to_string(d.join(f)).unwrap();
    // Demo ids W01..W22 are the ward codes E05999901..E05999922.
    let map = |t: &str| {
        let mut out = t.to_string();
        for w in (1..=22).rev() {
            out = out.replace(&format!("W{w:02},"), &format!("E05999{},", 900 + w));
        }
        out
    };
    let lines = |t: &str| -> std::collections::BTreeSet<String> {
        t.lines().skip(1).map(String::from).collect()
    };
    assert_eq!(
        lines(&map(&read(&demo, "history.csv"))),
        lines(&read(&scen, "history.csv"))
    );
    assert_eq!(
        lines(&map(&read(&demo, "population.csv"))),
        lines(&read(&scen, "population.csv"))
    );
    let locs: Vec<String> = read(&demo, "localities.csv")
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string())
        .collect();
    assert_eq!(
        map(&(locs.join("\n") + "\n")),
        read(&scen, "localities.csv")
    );
    // Schools: ids, names, kinds and phases; positions within 2e-5 degrees (whole metres on
    // the National Grid); each school's places in all.
    let schools = |d: &Path| -> std::collections::BTreeMap<String, Vec<String>> {
        read(d, "schools.csv")
            .lines()
            .skip(1)
            .map(|l| {
                let c: Vec<String> = l.split(',').map(String::from).collect();
                (c[0].clone(), c[..6].to_vec())
            })
            .collect()
    };
    let (mut a, b) = (schools(&demo), schools(&scen));
    // The demo's candidate site for a new special school is in no published file.
    a.retain(|_, x| x[2] != "site");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (id, x) in &a {
        let y = &b[id];
        assert_eq!(x[..4], y[..4], "{id}");
        for i in [4, 5] {
            let d = (x[i].parse::<f64>().unwrap() - y[i].parse::<f64>().unwrap()).abs();
            assert!(d <= 2e-5, "{id}: {x:?} {y:?}");
        }
    }
    let places = |d: &Path| -> std::collections::BTreeMap<String, u64> {
        let mut m = std::collections::BTreeMap::new();
        for l in read(d, "capacity.csv").lines().skip(1) {
            let c: Vec<&str> = l.split(',').collect();
            *m.entry(c[0].to_string()).or_default() += c[3].parse::<u64>().unwrap();
        }
        m
    };
    assert_eq!(places(&demo), places(&scen));
    // How places divide between phases differs at the 13 schools that teach several phases of
    // them; every other capacity row is the same. The demo lets 90 schools host, init 110.
    let rows = |d: &Path| -> std::collections::BTreeSet<String> { lines(&read(d, "capacity.csv")) };
    let (x, y) = (rows(&demo), rows(&scen));
    let differ: std::collections::BTreeSet<&str> = x
        .symmetric_difference(&y)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(differ.len(), 13, "{differ:?}");
    assert_eq!(x.intersection(&y).count(), 17);
    assert_eq!(read(&demo, "schools.csv").matches(",yes,").count(), 90);

    // The rebuilt scenario plans.
    let run = work.path().join("run");
    let o = placeplan(&["plan", s(&scen), "--out", s(&run), "--formats", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // With the demo's settings, hosts and capacity, the plan is the demo's.
    let mixed = work.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    for f in ["localities.csv", "population.csv", "history.csv"] {
        std::fs::copy(scen.join(f), mixed.join(f)).unwrap();
    }
    for f in ["scenario.toml", "schools.csv", "capacity.csv"] {
        std::fs::copy(demo.join(f), mixed.join(f)).unwrap();
    }
    let (run_demo, run_mixed) = (work.path().join("rd"), work.path().join("rm"));
    let o = placeplan(&["plan", s(&demo), "--out", s(&run_demo), "--formats", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = placeplan(&[
        "plan",
        s(&mixed),
        "--out",
        s(&run_mixed),
        "--formats",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let plan = read(&run_demo, "plan.csv");
    assert!(plan.lines().count() > 1, "{plan}");
    assert_eq!(plan, read(&run_mixed, "plan.csv"));
}
