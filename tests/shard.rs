//! Sweeps split into shards (`placeplan sweep FILE --shard I/N`) and merged
//! (`placeplan sweep-merge`), run as separate processes, and the scale-out scripts of
//! docs/scale-out.md run locally without a scheduler.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/run.rs"]
mod run;

use run::{placeplan, read_all, root, text};

/// A small sweep over the single-year demo: two budgets x two growths (two budget chains of
/// two), a variant that cannot be planned and one more named variant: four chain pieces, so
/// three shards get 2, 1 and 1 of them.
fn small_sweep(dir: &Path, max_size: &str) -> PathBuf {
    let sweep = dir.join("sweep.toml");
    std::fs::write(
        &sweep,
        format!(
            r#"base = "{}"
baselines = false

[axes]
capital_budget = [1000000.0, 3000000.0]
growth = ["low", "high"]

[[variants]]
name = "no-out-of-area"
solver.allow_out_of_area = false
journey.secondary = 6.0

[[variants]]
name = "big-bases"
"bases.max_size" = {max_size}
"#,
            root().join("scenarios/demo-single-year").display()
        ),
    )
    .unwrap();
    sweep
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn ok(o: Output) -> Output {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    o
}

/// Runs `placeplan sweep FILE --shard i/n --out dir/shard-i` for each `i`.
fn run_shards(sweep: &Path, dir: &Path, n: usize) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let out = dir.join(format!("shard-{i}"));
            let shard = format!("{i}/{n}");
            ok(placeplan(&[
                "sweep",
                s(sweep),
                "--shard",
                &shard,
                "--out",
                s(&out),
            ]));
            out
        })
        .collect()
}

/// Every file of two folders, hidden ones too, is the same byte for byte.
fn assert_same_files(a: &Path, b: &Path) {
    let (fa, fb) = (read_all(a), read_all(b));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&fa), names(&fb));
    for (x, y) in fa.iter().zip(&fb) {
        assert!(x.1 == y.1, "{} differs", x.0);
    }
}

fn unsharded(sweep: &Path, out: &Path) {
    ok(placeplan(&["sweep", s(sweep), "--out", s(out)]));
}

#[test]
fn three_shards_in_three_processes_merge_byte_identically() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = small_sweep(dir.path(), "30");
    let whole = dir.path().join("whole");
    unsharded(&sweep, &whole);
    let shards = run_shards(&sweep, dir.path(), 3);
    // Each shard holds its own variants only: shard 1 the low-growth budget chain and
    // big-bases, shard 2 the high-growth chain, shard 3 the variant without a plan.
    let folders = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        folders(&shards[0]),
        [
            ".placeplan",
            "1_capital_budget-1000000_growth-low",
            "3_capital_budget-3000000_growth-low",
            "big-bases",
            "shard.json"
        ]
    );
    assert_eq!(
        folders(&shards[1]),
        [
            ".placeplan",
            "2_capital_budget-1000000_growth-high",
            "4_capital_budget-3000000_growth-high",
            "shard.json"
        ]
    );
    assert_eq!(folders(&shards[2]), [".placeplan", "shard.json"]);
    let record = std::fs::read_to_string(shards[1].join("shard.json")).unwrap();
    assert!(
        record.contains("\"shard\": 2,\n  \"shards\": 3,"),
        "{record}"
    );

    // Merged in any order, the outputs are the unsharded run's, every file.
    let merged = dir.path().join("merged");
    let o = ok(merge(&[&shards[2], &shards[0], &shards[1]], &merged));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("3 shards merged: 6 variants, 5 planned"),
        "{}",
        text(&o)
    );
    assert_same_files(&whole, &merged);
    // The sweep varies the capital budget, so capital.csv (and the report's capital section)
    // is among the files merged byte for byte.
    assert!(merged.join("capital.csv").is_file());
    // Variants that share a forecast (same growth) share one forecast.csv on disk, as in
    // the shard that wrote them.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ino = |v: &str| {
            std::fs::metadata(merged.join(v).join("forecast.csv"))
                .unwrap()
                .ino()
        };
        assert_eq!(
            ino("1_capital_budget-1000000_growth-low"),
            ino("3_capital_budget-3000000_growth-low")
        );
    }
    // The merged folder is a sweep's: merging again replaces it; a shard folder may not be
    // the merge's output (another kind of output, E401).
    let all: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    ok(merge(&all, &merged));
    assert_same_files(&whole, &merged);
    let o = merge(&all, &shards[0]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E401"));
}

/// `placeplan sweep-merge SHARDS... --out OUT`.
fn merge(shards: &[&Path], out: &Path) -> Output {
    let mut a = vec!["sweep-merge"];
    a.extend(shards.iter().map(|p| s(p)));
    a.extend(["--out", s(out)]);
    placeplan(&a)
}

/// `sweep-merge` with `args`: exit 2, every `codes` in stderr, nothing written to `out`.
fn refused(args: &[&Path], out: &Path, codes: &[&str]) -> String {
    let o = merge(args, out);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    for code in codes {
        assert!(err.contains(code), "{code} expected: {err}");
    }
    assert!(!out.exists(), "nothing may be written: {err}");
    err
}

#[test]
fn overlapping_missing_and_foreign_shards_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sweep = small_sweep(d, "30");
    let shards = run_shards(&sweep, d, 3);
    let (a, b, c) = (&shards[0], &shards[1], &shards[2]);
    let out = d.join("out");

    let err = refused(&[a, b, c, b], &out, &["E308"]);
    assert!(err.contains("shard 2/3 is given twice"), "{err}");
    let err = refused(&[a, c], &out, &["E309"]);
    assert!(err.contains("1 of them is missing: 2/3"), "{err}");
    let err = refused(&[c, c], &out, &["E308", "E309"]);
    assert!(err.contains("2 of them are missing: 1/3, 2/3"), "{err}");

    // A shard of another sweep: one setting differs.
    let other_dir = d.join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let other = small_sweep(&other_dir, "24");
    let foreign = other_dir.join("shard-2");
    ok(placeplan(&[
        "sweep",
        s(&other),
        "--shard",
        "2/3",
        "--out",
        s(&foreign),
    ]));
    let err = refused(&[a, &foreign, c], &out, &["E307"]);
    assert!(err.contains("sweep (variants and settings)"), "{err}");
    // The same sweep split another way.
    let halves = d.join("halves");
    std::fs::create_dir(&halves).unwrap();
    let half = run_shards(&sweep, &halves, 2);
    let err = refused(&[a, b, c, &half[1]], &out, &["E307"]);
    assert!(err.contains("split into 2 shards, not 3"), "{err}");
    // Another base scenario: a copy of the single-year demo with another discount rate.
    let scen = d.join("scenario");
    std::fs::create_dir(&scen).unwrap();
    let src = root().join("scenarios/demo-single-year");
    let toml = std::fs::read_to_string(src.join("scenario.toml"))
        .unwrap()
        .replace("discount_rate = 0.035", "discount_rate = 0.04")
        .replace(
            "\"../demo/",
            &format!("\"{}/", root().join("scenarios/demo").display()),
        );
    std::fs::write(scen.join("scenario.toml"), toml).unwrap();
    let moved = d.join("moved.toml");
    let body = std::fs::read_to_string(&sweep)
        .unwrap()
        .replace(&src.display().to_string(), &scen.display().to_string());
    std::fs::write(&moved, body).unwrap();
    let rebased = d.join("rebased-3");
    ok(placeplan(&[
        "sweep",
        s(&moved),
        "--shard",
        "3/3",
        "--out",
        s(&rebased),
    ]));
    let err = refused(&[a, b, &rebased], &out, &["E307"]);
    assert!(err.contains("base scenario"), "{err}");

    // Not a whole shard: a whole sweep's folder, a missing folder, a changed file.
    let whole = d.join("whole");
    unsharded(&sweep, &whole);
    let err = refused(&[a, b, &whole], &out, &["E306"]);
    assert!(err.contains("not sweep-shard outputs"), "{err}");
    refused(&[a, b, &d.join("nowhere")], &out, &["E306"]);
    let changed = d.join("changed");
    std::fs::create_dir(&changed).unwrap();
    let copy = run_shards(&sweep, &changed, 3);
    let csv = copy[1]
        .join("2_capital_budget-1000000_growth-high")
        .join("plan.csv");
    let mut bytes = std::fs::read(&csv).unwrap();
    bytes.push(b'\n');
    std::fs::write(&csv, bytes).unwrap();
    std::fs::remove_file(copy[0].join("big-bases").join("costs.csv")).unwrap();
    let err = refused(&[&copy[0], &copy[1], &copy[2]], &out, &["E306"]);
    assert!(
        err.contains("was removed after placeplan wrote it"),
        "{err}"
    );
    assert!(
        err.contains("was changed after placeplan wrote it"),
        "{err}"
    );
}

/// A sweep of one variant split in two: shard 2/2 has nothing to run, still writes its folder
/// and merges.
#[test]
fn more_shards_than_pieces_leave_empty_shards_that_merge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sweep = d.join("one.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = \"{}\"\nbaselines = false\n",
            root().join("scenarios/demo-single-year").display()
        ),
    )
    .unwrap();
    let whole = d.join("whole");
    unsharded(&sweep, &whole);
    let shards = run_shards(&sweep, d, 2);
    let record = std::fs::read_to_string(shards[1].join("shard.json")).unwrap();
    assert!(record.contains("\"results\": []"), "{record}");
    let merged = d.join("merged");
    ok(merge(&[&shards[1], &shards[0]], &merged));
    assert_same_files(&whole, &merged);
}

#[test]
fn a_bad_shard_is_a_usage_error_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for (bad, says) in [
        ("0/3", "counted from 1"),
        ("4/3", "I must be 1 to 3"),
        ("1/0", "N, the number of shards, must be 1 to 100000"),
        ("3", "is not I/N"),
        ("1/100001", "must be 1 to 100000"),
    ] {
        // The sweep file does not exist: the shard is refused first.
        let o = placeplan(&["sweep", "missing.toml", "--shard", bad, "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(says) && err.contains("--shard"),
            "{bad}: {err}"
        );
        assert!(!out.exists());
    }
}

/// Runs a script of docs/scale-out with bash (or `sh -c` a command line), with `env` and the
/// built placeplan first on the PATH.
fn script(program: &str, args: &[&str], cwd: &Path, env: &[(&str, String)]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_placeplan")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(program);
    cmd.args(args).current_dir(cwd).env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run the script")
}

/// A temporary folder with the small sweep's file and its unsharded outputs in `whole`.
fn small_sweep_run_whole() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sweep = small_sweep(dir.path(), "30");
    let whole = dir.path().join("whole");
    unsharded(&sweep, &whole);
    (dir, sweep, whole)
}

#[test]
fn slurm_script_runs_each_array_task_and_merges() {
    let (dir, sweep, whole) = small_sweep_run_whole();
    let d = dir.path();
    let shard_script = root().join("docs/scale-out/slurm.sh");
    let env = |extra: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let mut e = vec![
            ("SWEEP", sweep.display().to_string()),
            ("SHARDS_DIR", d.join("shards").display().to_string()),
            ("OUT", d.join("sweep-out").display().to_string()),
        ];
        e.extend_from_slice(extra);
        e
    };
    // Without Slurm's variables the script refuses to run.
    let o = script("bash", &[s(&shard_script)], d, &env(&[]));
    assert_ne!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sbatch --array=1-N"));
    // Each array task as Slurm starts it: --array=1-3.
    for i in 1..=3 {
        ok(script(
            "bash",
            &[s(&shard_script)],
            d,
            &env(&[
                ("SLURM_ARRAY_TASK_ID", i.to_string()),
                ("SLURM_ARRAY_TASK_COUNT", "3".into()),
                ("SLURM_CPUS_PER_TASK", "2".into()),
            ]),
        ));
    }
    let merge_script = root().join("docs/scale-out/slurm-merge.sh");
    ok(script("bash", &[s(&merge_script)], d, &env(&[])));
    assert_same_files(&whole, &d.join("sweep-out"));
}

#[test]
fn indexed_job_and_gnu_parallel_map_the_index_to_shards() {
    let (dir, _, whole) = small_sweep_run_whole();
    let d = dir.path();

    // The Indexed Job's command line, with /data here and JOB_COMPLETION_INDEX 0, 1, 2.
    let manifest = std::fs::read_to_string(root().join("docs/scale-out/indexed-job.yaml")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("- placeplan sweep "))
        .expect("the manifest runs placeplan sweep");
    let command = line.trim().trim_start_matches("- ").replace("/data", s(d));
    assert!(manifest.contains("completions: 16") && manifest.contains("value: \"16\""));
    for index in 0..3 {
        ok(script(
            "sh",
            &["-c", &command],
            d,
            &[
                ("JOB_COMPLETION_INDEX", index.to_string()),
                ("SHARDS", "3".into()),
            ],
        ));
    }
    let merged = d.join("k8s-out");
    let shards: Vec<PathBuf> = (1..=3)
        .map(|i| d.join(format!("shards/shard-{i}")))
        .collect();
    let shards: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    ok(merge(&shards, &merged));
    assert_same_files(&whole, &merged);

    // GNU parallel on this machine (HOSTS=":"), shards and merge.
    if Command::new("parallel").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "GNU parallel is missing in CI: .ci/run must install Debian's parallel package"
        );
        eprintln!("\n*** SKIPPED: GNU parallel not installed (apt-get install parallel) ***\n");
        return;
    }
    let o = ok(script(
        "bash",
        &[s(&root().join("docs/scale-out/parallel.sh"))],
        d,
        &[
            ("HOSTS", ":".into()),
            ("SHARDS", "3".into()),
            ("SWEEP", "sweep.toml".into()),
            ("SHARDS_DIR", "parallel-shards".into()),
            ("OUT", "parallel-out".into()),
        ],
    ));
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 shards merged"));
    assert_same_files(&whole, &d.join("parallel-out"));
}
