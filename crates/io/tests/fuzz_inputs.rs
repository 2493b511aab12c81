//! Mutation fuzzing of every scenario input reader and of the GIAS importer, run in CI in bounded
//! time: random byte-level edits of a valid input must give either a result or a list of
//! problems, never a panic, and every problem must name its file (and, for row problems, a line
//! of that file).
//!
//! Each reader has its own test, so one reader can be given a long run on its own:
//! `PLACEPLAN_FUZZ_CASES=200000 cargo test --release -p placeplan-model --test fuzz_inputs -- --exact mutated_history_csv`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use placeplan_io::import::gias::{read_gias, GiasOptions};
use placeplan_io::scenario::load_scenario;
use placeplan_model::error::{Code, InputError};
use proptest::prelude::*;

#[path = "../../../tests/support/data.rs"]
mod data;
#[path = "../../../tests/support/mutate.rs"]
mod mutate;
use mutate::{apply, edit, lines, Edit};

const FILES: [&str; 7] = [
    "scenario.toml",
    "localities.csv",
    "schools.csv",
    "capacity.csv",
    "population.csv",
    "history.csv",
    "roads.csv",
];

/// A road network over the demo: every locality and school joins one of six junctions, which
/// form a ring.
fn demo_roads(dir: &Path) -> Vec<u8> {
    let ids = |f: &str| -> Vec<String> {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        text.lines()
            .skip(1)
            .filter_map(|l| l.split(',').next().map(String::from))
            .collect()
    };
    let mut out = String::from("from,to,minutes,km\n");
    for j in 0..6 {
        out += &format!("J{j},J{},6.5,3.2\n", (j + 1) % 6);
    }
    for (i, id) in ids("localities.csv")
        .iter()
        .chain(&ids("schools.csv"))
        .enumerate()
    {
        let minutes = 2.0 + (i % 7) as f64 * 0.5;
        let km = if i % 3 == 0 {
            String::new()
        } else {
            format!("{:.1}", minutes * 0.4)
        };
        out += &format!("{id},J{},{minutes},{km}\n", i % 6);
    }
    out.into_bytes()
}

/// Localities of the demo kept in the fuzz seed, so that each case loads quickly.
const SEED_LOCALITIES: [&str; 2] = ["W01", "W02"];

/// Keeps the header and the rows whose `column` is one of [`SEED_LOCALITIES`].
fn seed_rows(bytes: Vec<u8>, column: usize) -> Vec<u8> {
    let text = String::from_utf8(bytes).unwrap();
    let mut rows = text.lines();
    let mut out = vec![rows.next().unwrap()];
    out.extend(rows.filter(|l| {
        let id = l.split(',').nth(column).unwrap();
        SEED_LOCALITIES.contains(&id)
    }));
    (out.join("\n") + "\n").into_bytes()
}

/// The seed of the scenario fuzz tests: the demo cut to two localities (every school kept),
/// with a road network. It loads without a problem. Built once per test binary.
fn demo_files() -> &'static [(String, Vec<u8>)] {
    static FILES_CACHE: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES_CACHE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        placeplan_io::demo::write_demo(dir.path()).unwrap();
        let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
        std::fs::write(
            dir.path().join("localities.csv"),
            seed_rows(read("localities.csv"), 0),
        )
        .unwrap();
        let roads = demo_roads(dir.path());
        FILES
            .iter()
            .map(|&f| {
                let bytes = match f {
                    "roads.csv" => roads.clone(),
                    "scenario.toml" => {
                        let text = String::from_utf8(read(f)).unwrap();
                        assert!(text.contains("roads = \"\""));
                        text.replace("roads = \"\"", "roads = \"roads.csv\"")
                            .into_bytes()
                    }
                    "population.csv" => seed_rows(read(f), 0),
                    "history.csv" => seed_rows(read(f), 1),
                    _ => read(f),
                };
                (f.to_string(), bytes)
            })
            .collect()
    })
}

/// Checks one problem: it names a file of the scenario (in its folder, or a path that
/// `scenario.toml` gives), says something, and a line it gives is a line of that file (`lines`
/// counts the lines of each file written).
fn check_problem(dir: &Path, toml: &str, lines: &HashMap<PathBuf, u64>, p: &InputError) {
    let named = |f: &Path| {
        f.to_str()
            .is_some_and(|f| !f.is_empty() && toml.contains(f))
    };
    assert!(
        p.file.starts_with(dir) || named(&p.file) || p.file == Path::new(""),
        "{p}"
    );
    assert!(!p.message.is_empty(), "{p}");
    assert!(!p.code.as_str().is_empty());
    if let (Some(line), Some(&n)) = (p.line, lines.get(&p.file)) {
        assert!((1..=n).contains(&line), "line {line} of {n}: {p}");
    }
}

/// Writes the demo files with `edits` applied to `target`, loads the scenario and checks any
/// problems; returns their codes.
fn load_mutated(files: &[(String, Vec<u8>)], target: &str, edits: &[Edit]) -> Vec<Code> {
    assert!(FILES.contains(&target), "{target}");
    let dir = tempfile::tempdir().unwrap();
    let mut line_counts = HashMap::new();
    for (name, bytes) in files {
        let mut b = bytes.clone();
        if name == target {
            for e in edits {
                apply(&mut b, e);
            }
        }
        let path = dir.path().join(name);
        line_counts.insert(path.clone(), lines(&b));
        std::fs::write(path, b).unwrap();
    }
    match load_scenario(dir.path()) {
        Ok(_) => Vec::new(),
        Err(problems) => {
            assert!(!problems.is_empty());
            let toml = std::fs::read(dir.path().join("scenario.toml")).unwrap();
            let toml = String::from_utf8_lossy(&toml);
            for p in problems.iter() {
                check_problem(dir.path(), &toml, &line_counts, p);
            }
            problems.iter().map(|p| p.code).collect()
        }
    }
}

/// One test per scenario file reader; `cases` each in CI (the seven together take about as long
/// as the single test that fuzzed a random file per case did).
macro_rules! reader_fuzz_tests {
    ($($test:ident => $file:literal),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig { cases: mutate::cases(16), ..ProptestConfig::default() })]
            $(
                #[test]
                fn $test(edits in prop::collection::vec(edit(), 1..6)) {
                    load_mutated(demo_files(), $file, &edits);
                }
            )*
        }
    };
}

reader_fuzz_tests! {
    mutated_scenario_toml => "scenario.toml",
    mutated_localities_csv => "localities.csv",
    mutated_schools_csv => "schools.csv",
    mutated_capacity_csv => "capacity.csv",
    mutated_population_csv => "population.csv",
    mutated_history_csv => "history.csv",
    mutated_roads_csv => "roads.csv",
}

/// Regression cases found or planted by hand.
#[test]
fn pinned_nasty_inputs() {
    let files = demo_files();
    let cases: Vec<(&str, Vec<Edit>)> = vec![
        // Empty scenario.toml.
        ("scenario.toml", vec![Edit::Truncate(0)]),
        // A header only.
        ("localities.csv", vec![Edit::Truncate(20)]),
        // A quote that never closes.
        ("schools.csv", vec![Edit::Insert(40, b"\"".to_vec())]),
        // Invalid UTF-8 in a CSV.
        ("capacity.csv", vec![Edit::Insert(30, b"\xff\xfe".to_vec())]),
        // An enormous number where a count belongs.
        ("population.csv", vec![Edit::Insert(60, b"1e308".to_vec())]),
        // NUL bytes.
        ("history.csv", vec![Edit::Insert(10, b"\x00".to_vec())]),
        // Roads that touch no locality or school (only the junction ring is left).
        ("roads.csv", vec![Edit::Truncate(103)]),
    ];
    // The seed itself loads.
    assert_eq!(load_mutated(files, "roads.csv", &[]), vec![]);
    // Found by fuzzing (a test bug, not a reader bug): a flipped byte made the roads file
    // "/oads.csv", an absolute path, reported as missing under that name.
    let toml = &files[0].1;
    let at = toml
        .windows(11)
        .position(|w| w == b"\"roads.csv\"")
        .unwrap()
        + 1;
    let codes = load_mutated(files, "scenario.toml", &[Edit::Flip(at, b'/')]);
    assert_eq!(codes, vec![Code::MissingFile]);
    for (target, edits) in cases {
        let codes = load_mutated(files, target, &edits);
        if target == "roads.csv" {
            assert_eq!(codes, vec![Code::UnknownRoadNode]);
        }
    }
}

/// A GIAS "all establishment data" extract as downloaded (`edubasealldata<date>.csv`: its 135
/// columns in their order, Windows-1252, CRLF); the 20 establishments and their values are made
/// up. Wirral (LA 344) plus one Sefton school; special, independent special, post-16, mainstream
/// with resourced provision and SEN units, and rows the importer skips (closed, proposed, PRU,
/// FE, independent, children's centre).
const GIAS_SEED: &[u8] = include_bytes!("data/gias_edubase_seed.csv");

fn gias_options() -> impl Strategy<Value = GiasOptions> {
    let la = prop::sample::select(vec![
        vec![],
        vec!["344".to_string()],
        vec!["Wirral".to_string(), "E08000015".to_string()],
    ]);
    (la, any::<bool>(), prop::option::of(0u32..40)).prop_map(
        |(la, include_closed, host_max_places)| GiasOptions {
            la,
            include_closed,
            host_max_places,
            ..Default::default()
        },
    )
}

/// Imports the GIAS seed with `edits` applied. An import keeps rows of the file only; a
/// rejection lists problems that each carry the file and a line of it, except E210 (an
/// authority asked for has no row in the file) and E002 for a file in UTF-16 (seen from its
/// first bytes), which are about the whole file.
fn import_mutated_gias(edits: &[Edit], opts: &GiasOptions) {
    let mut bytes = GIAS_SEED.to_vec();
    for e in edits {
        apply(&mut bytes, e);
    }
    let n = lines(&bytes);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edubasealldata.csv");
    std::fs::write(&path, &bytes).unwrap();
    match read_gias(&path, opts) {
        Ok(imp) => {
            for s in &imp.schools {
                assert!((2..=n).contains(&s.line), "{} on line {}", s.urn, s.line);
                assert!(s.lat.is_finite() && s.lon.is_finite(), "{s:?}");
            }
            assert!(!imp.schools_csv().is_empty());
            assert!(!imp.capacity_csv().is_empty());
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for p in problems.iter() {
                assert_eq!(p.file, path, "{p}");
                assert!(!p.message.is_empty(), "{p}");
                match p.line {
                    Some(line) => assert!((1..=n).contains(&line), "line {line} of {n}: {p}"),
                    // About the whole file: the authority asked for has no row in it, or
                    // the file is not UTF-8 text at all (UTF-16, from its first bytes).
                    None => assert!(
                        matches!(p.code, Code::UnknownArea | Code::Unreadable),
                        "no line: {p}"
                    ),
                }
                assert!(
                    p.to_string().starts_with(&format!("{}:", path.display())),
                    "{p}"
                );
            }
        }
    }
}

#[test]
fn gias_seed_imports_cleanly() {
    let path = Path::new("edubasealldata.csv");
    let text = placeplan_io::import::decode(GIAS_SEED);
    let all = placeplan_io::import::gias::parse_gias(path, &text, &GiasOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(all.schools.len(), 14);
    assert_eq!(all.skipped.values().sum::<usize>(), 6);
    for la in ["344", "Wirral", "E08000015"] {
        let opts = GiasOptions {
            la: vec![la.into()],
            include_closed: true,
            host_max_places: Some(20),
            ..Default::default()
        };
        let wirral = placeplan_io::import::gias::parse_gias(path, &text, &opts)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(wirral.schools.len(), 15, "{la}");
    }
}

/// GIAS regression cases found by fuzzing.
#[test]
fn pinned_gias_inputs() {
    let header_end = GIAS_SEED.iter().position(|&b| b == b'\n').unwrap();
    // The header's CRLF became CR + '0': every row was said to be on line 1 (the header's).
    import_mutated_gias(&[Edit::Flip(header_end, b'0')], &GiasOptions::default());
    // The whole file with old Mac line endings.
    let cr: Vec<Edit> = (0..GIAS_SEED.len())
        .rev()
        .filter(|&i| GIAS_SEED[i] == b'\n')
        .map(|i| Edit::Delete(i, 1))
        .collect();
    import_mutated_gias(&cr, &GiasOptions::default());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: mutate::cases(96), ..ProptestConfig::default() })]

    #[test]
    fn mutated_gias_csv(edits in prop::collection::vec(edit(), 1..6), opts in gias_options()) {
        import_mutated_gias(&edits, &opts);
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
        let Some(data) = data::shared_data(&[
            "ons/lad_population_by_single_year_age.csv",
            "dfe-sen2-2022/sen2_age_caseload.csv",
        ]) else {
            return Ok(());
        };
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
            let opts = placeplan_io::import::ons::OnsOptions { year: Some(2023), ..Default::default() };
            placeplan_io::import::ons::read_population(&path, &opts).err()
        } else {
            placeplan_io::import::sen2::read_sen2(&path, None).err()
        };
        if let Some(p) = problems {
            for e in p.iter() {
                prop_assert!(e.file.starts_with(dir.path()), "{e}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}
