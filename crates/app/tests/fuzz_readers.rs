//! Mutation fuzzing of the solver crate's readers (sweep files and OR-Library instances), run in
//! CI in bounded time: any edit gives a result or an error, never a panic.

use std::path::{Path, PathBuf};

use placeplan_app::sweep::read_sweep;
use placeplan_solver::cflp::read_cflp;
use proptest::prelude::*;

#[path = "../../../tests/support/data.rs"]
mod data;
#[path = "../../../tests/support/mutate.rs"]
mod mutate;
use mutate::{apply, edit};

fn demo_sweep() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/demo/sweep.toml"))
        .unwrap()
}

fn cap41() -> Option<PathBuf> {
    data::shared_data(&["orlib-cap/cap41.txt"]).map(|d| d.join("orlib-cap/cap41.txt"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: mutate::cases(96), ..ProptestConfig::default() })]

    #[test]
    fn mutated_sweep_files_never_panic(edits in prop::collection::vec(edit(), 1..6)) {
        let mut bytes = demo_sweep();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sweep.toml");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(p) = read_sweep(&path) {
            for e in p.iter() {
                prop_assert!(e.file == path, "{e}");
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn mutated_orlib_instances_never_panic(edits in prop::collection::vec(edit(), 1..6), cap in prop::option::of(0.0f64..10_000.0)) {
        let Some(src) = cap41() else { return Ok(()) };
        let mut bytes = std::fs::read(src).unwrap();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cap.txt");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(e) = read_cflp(&path, cap) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}
