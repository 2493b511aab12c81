//! Mutation fuzzing of every scenario input reader, run in CI in bounded time: random byte-level
//! edits of the demo files must give either a scenario or a list of problems, never a panic, and
//! every problem must name its file (and, for row problems, a line).

use std::path::Path;

use placeplan_model::io::load_scenario;
use proptest::prelude::*;

#[path = "../../../tests/support/mutate.rs"]
mod mutate;
use mutate::{apply, edit, Edit};

const FILES: [&str; 6] = [
    "scenario.toml",
    "localities.csv",
    "schools.csv",
    "capacity.csv",
    "population.csv",
    "history.csv",
];

/// The demo, with the two big files cut to their first rows so each case loads quickly.
fn demo_files() -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    placeplan_model::demo::write_demo(dir.path()).unwrap();
    FILES
        .iter()
        .map(|f| {
            let bytes = std::fs::read(dir.path().join(f)).unwrap();
            let bytes = if f.starts_with("population") || f.starts_with("history") {
                let text = String::from_utf8(bytes).unwrap();
                text.lines()
                    .take(300)
                    .collect::<Vec<_>>()
                    .join("\n")
                    .into_bytes()
            } else {
                bytes
            };
            (f.to_string(), bytes)
        })
        .collect()
}

fn load_mutated(files: &[(String, Vec<u8>)], target: usize, edits: &[Edit]) {
    let dir = tempfile::tempdir().unwrap();
    for (i, (name, bytes)) in files.iter().enumerate() {
        let mut b = bytes.clone();
        if i == target {
            for e in edits {
                apply(&mut b, e);
            }
        }
        std::fs::write(dir.path().join(name), b).unwrap();
    }
    if let Err(problems) = load_scenario(dir.path()) {
        assert!(!problems.is_empty());
        for p in problems.iter() {
            assert!(
                p.file.starts_with(dir.path()) || p.file == Path::new(""),
                "{p}"
            );
            assert!(!p.message.is_empty(), "{p}");
            assert!(!p.code.as_str().is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: mutate::cases(96), ..ProptestConfig::default() })]

    #[test]
    fn mutated_inputs_never_panic(target in 0usize..FILES.len(), edits in prop::collection::vec(edit(), 1..6)) {
        thread_local! {
            static FILES_CACHE: Vec<(String, Vec<u8>)> = demo_files();
        }
        FILES_CACHE.with(|files| load_mutated(files, target, &edits));
    }
}

/// Regression cases found or planted by hand.
#[test]
fn pinned_nasty_inputs() {
    let files = demo_files();
    let cases: Vec<(usize, Vec<Edit>)> = vec![
        // Empty scenario.toml.
        (0, vec![Edit::Truncate(0)]),
        // A header only.
        (1, vec![Edit::Truncate(20)]),
        // A quote that never closes.
        (2, vec![Edit::Insert(40, b"\"".to_vec())]),
        // Invalid UTF-8 in a CSV.
        (3, vec![Edit::Insert(30, b"\xff\xfe".to_vec())]),
        // An enormous number where a count belongs.
        (4, vec![Edit::Insert(60, b"1e308".to_vec())]),
        // NUL bytes.
        (5, vec![Edit::Insert(10, b"\x00".to_vec())]),
    ];
    for (target, edits) in cases {
        load_mutated(&files, target, &edits);
    }
}

fn shared_data() -> Option<std::path::PathBuf> {
    let p = std::env::var_os("PLACEPLAN_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: shared data not found at {} (set PLACEPLAN_DATA)",
            p.display()
        );
        None
    }
}

/// The first lines of a real public file.
fn head(path: &Path, lines: usize) -> Vec<u8> {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).to_string();
    text.lines()
        .take(lines)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: mutate::cases(64), ..ProptestConfig::default() })]

    /// The ONS population and DfE SEN2 importers on mutated heads of the real files.
    #[test]
    fn mutated_public_files_never_panic(which in 0usize..2, edits in prop::collection::vec(edit(), 1..6)) {
        let Some(data) = shared_data() else { return Ok(()) };
        let dir = tempfile::tempdir().unwrap();
        let (src, name) = if which == 0 {
            (data.join("ons/lad_population_by_single_year_age.csv"), "ons.csv")
        } else {
            (data.join("dfe-sen2-2022/sen2_age_caseload.csv"), "sen2.csv")
        };
        let mut bytes = head(&src, 40);
        for e in &edits {
            apply(&mut bytes, e);
        }
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        let problems = if which == 0 {
            let opts = placeplan_model::import::ons::OnsOptions { year: 2023, codes: vec![] };
            placeplan_model::import::ons::read_population(&path, &opts).err()
        } else {
            placeplan_model::import::sen2::read_sen2(&path, None).err()
        };
        if let Some(p) = problems {
            for e in p.iter() {
                prop_assert!(e.file.starts_with(dir.path()), "{e}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}
