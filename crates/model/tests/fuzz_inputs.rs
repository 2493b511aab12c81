//! Mutation fuzzing of every scenario input reader, run in CI in bounded time: random byte-level
//! edits of the demo files must give either a scenario or a list of problems, never a panic, and
//! every problem must name its file (and, for row problems, a line).

use std::path::Path;

use placeplan_model::io::load_scenario;
use proptest::prelude::*;

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

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let nasty = prop::sample::select(vec![
        b",".to_vec(),
        b"\"".to_vec(),
        b"\n".to_vec(),
        b"\r\n".to_vec(),
        b"-".to_vec(),
        b"NaN".to_vec(),
        b"inf".to_vec(),
        b"1e308".to_vec(),
        b"-1e308".to_vec(),
        b"99999999999999999999".to_vec(),
        b"\xff\xfe".to_vec(),
        b"\x00".to_vec(),
        b"[".to_vec(),
        b"= =".to_vec(),
        "é".as_bytes().to_vec(),
        b"".to_vec(),
    ]);
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), nasty).prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, e: &Edit) {
    if bytes.is_empty() {
        return;
    }
    match e {
        Edit::Flip(i, b) => {
            let i = i % bytes.len();
            bytes[i] = *b;
        }
        Edit::Insert(i, s) => {
            let i = i % (bytes.len() + 1);
            bytes.splice(i..i, s.iter().copied());
        }
        Edit::Delete(i, n) => {
            let i = i % bytes.len();
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Edit::Truncate(i) => bytes.truncate(i % bytes.len()),
    }
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
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

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
