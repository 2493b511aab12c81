//! Mutation fuzzing of the readers `placeplan init` added: the child-level caseload, the DfE
//! need breakdown and GeoJSON boundaries. Random byte edits and truncations of a valid file
//! never panic and give either a result or coded problems that name the file and, for row
//! problems, a line of it; the columns of a valid CSV in any order read the same.
//!
//! A long run of one reader: `PLACEPLAN_FUZZ_CASES=20000 cargo test --release -p placeplan-io
//! --test fuzz_init_readers -- mutated_child_caseload`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use placeplan_io::import::children::{parse_children, Known};
use placeplan_io::import::sen2::needs::parse_needs;
use placeplan_io::import::{decode, ColumnMap};
use placeplan_io::init::boundaries::read_boundaries;
use placeplan_model::domain::ProvisionKind;
use placeplan_model::error::{InputError, Problems};
use proptest::prelude::*;

#[path = "../../../tests/support/mutate.rs"]
mod mutate;
use mutate::{apply, edit, lines};

const CHILDREN: &str =
    "PersonID,CensusDate,PersonBirthDate,PostCode,LSOA,SENType,SENTypeRank,URN,SENSetting,age\n\
C1,20-01-2022,15-03-2012,CH41 0EZ,E01000001,ASD,1,100001,,\n\
C1,20-01-2022,15-03-2012,CH41 0EZ,E01000001,SLCN,2,100001,,\n\
C2,20-01-2022,01-10-2010,,E01000002,SEMH,1,,independent,\n\
C1,21-01-2021,15-03-2012,,E01000001,ASD,1,100002,resourced_base,\n\
C3,21-01-2021,,,E01000002,MLD,1,100002,,7\n";

const NEEDS: &str = "time_period,time_identifier,geographic_level,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,ehc_plans,number_asd,number_semh,number_pd,asd_pc\n\
202425,Academic year,National,,,,All EHC plans,All EHC plans,638745,200000,130000,20000,31.3\n\
202425,Academic year,Local authority,E08000015,344,Wirral,All EHC plans,All EHC plans,4000,3000,1000,x,75\n\
202425,Academic year,Local authority,E08000015,344,Wirral,Child or young persons age,Age 16 to 19,500,0,0,500,0\n";

const GEOJSON: &str = r#"{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"WD23CD": "E05000001", "WD23NM": "One"}, "geometry": {"type": "Polygon", "coordinates": [[[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]]}},
{"type": "Feature", "properties": {"LSOA21CD": "E01000001", "LSOA21NM": "A"}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]]]}}
]}"#;

fn known() -> Known {
    Known {
        areas: ["E01000001", "E01000002"].map(String::from).into(),
        aliases: BTreeMap::new(),
        lenient: false,
        urns: HashMap::from([
            ("100001".to_string(), ProvisionKind::Special),
            ("100002".to_string(), ProvisionKind::Mainstream),
        ]),
    }
}

/// Every problem names the file, has a message and code, and any line is one of the file's.
fn check(problems: &Problems, path: &Path, lines: u64) {
    assert!(!problems.is_empty());
    for p in problems.iter() {
        let p: &InputError = p;
        assert_eq!(p.file, path, "{p}");
        assert!(!p.message.is_empty(), "{p}");
        assert!(p.code.as_str().starts_with('E'), "{p}");
        if let Some(l) = p.line {
            assert!((1..=lines).contains(&l), "line {l} of {lines}: {p}");
        }
    }
}

/// The rows of a CSV text with its columns in the order `perm`.
fn permute(text: &str, perm: &[usize]) -> String {
    text.lines()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            perm.iter().map(|&i| cells[i]).collect::<Vec<_>>().join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn columns_of(text: &str) -> usize {
    text.lines().next().unwrap().split(',').count()
}

#[test]
fn seeds_read_cleanly() {
    let c = parse_children(
        Path::new("c.csv"),
        CHILDREN,
        &ColumnMap::default(),
        &known(),
    )
    .unwrap();
    assert_eq!(c.by_year.values().sum::<u64>(), 4);
    let n = parse_needs(Path::new("n.csv"), NEEDS, &ColumnMap::default()).unwrap();
    assert_eq!(n.len(), 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("b.geojson");
    std::fs::write(&path, GEOJSON).unwrap();
    let mut p = Problems::default();
    assert_eq!(read_boundaries(&path, &mut p).len(), 2);
    assert!(p.is_empty(), "{p}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: mutate::cases(128), ..ProptestConfig::default() })]

    #[test]
    fn mutated_child_caseload(edits in prop::collection::vec(edit(), 1..6)) {
        let mut bytes = CHILDREN.as_bytes().to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let path = Path::new("children.csv");
        let text = decode(&bytes);
        if let Err(p) = parse_children(path, &text, &ColumnMap::default(), &known()) {
            check(&p, path, lines(&bytes));
        }
    }

    #[test]
    fn mutated_need_breakdown(edits in prop::collection::vec(edit(), 1..6)) {
        let mut bytes = NEEDS.as_bytes().to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let path = Path::new("sen_needs_all_plans.csv");
        let text = decode(&bytes);
        if let Err(p) = parse_needs(path, &text, &ColumnMap::default()) {
            check(&p, path, lines(&bytes));
        }
    }

    #[test]
    fn mutated_boundaries(edits in prop::collection::vec(edit(), 1..6)) {
        let mut bytes = GEOJSON.as_bytes().to_vec();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.geojson");
        std::fs::write(&path, &bytes).unwrap();
        let mut p = Problems::default();
        let got = read_boundaries(&path, &mut p);
        for b in &got {
            prop_assert!(b.lat.is_finite() && b.lon.is_finite(), "{b:?}");
            // Point-in-polygon on whatever rings survived never panics.
            let _ = b.contains(b.lon, b.lat);
        }
        if !p.is_empty() {
            check(&p, &path, lines(&bytes));
        }
    }

    /// The columns of a valid file in any order read the same.
    #[test]
    fn shuffled_columns_read_the_same(
        perm in Just((0..columns_of(CHILDREN)).collect::<Vec<_>>()).prop_shuffle(),
        perm2 in Just((0..columns_of(NEEDS)).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let path = Path::new("c.csv");
        let want = parse_children(path, CHILDREN, &ColumnMap::default(), &known()).unwrap();
        let got = parse_children(path, &permute(CHILDREN, &perm), &ColumnMap::default(), &known());
        prop_assert_eq!(got.unwrap(), want);
        let want = parse_needs(path, NEEDS, &ColumnMap::default()).unwrap();
        let got = parse_needs(path, &permute(NEEDS, &perm2), &ColumnMap::default());
        prop_assert_eq!(got.unwrap(), want);
    }
}
