//! The output-folder promises, through the `placeplan` binary: placeplan never deletes, replaces
//! or merges into anything it did not write; a run's outputs appear whole or not at all, even
//! when the run is killed while it writes, when two runs write to one folder at once, or when
//! the disk is full.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

#[path = "support/run.rs"]
mod run;

use run::{placeplan, read_all, root, text};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

/// Two small scenarios with different plans, in one temporary folder: the single-year demo
/// (`a`) and the same with a smaller capital budget (`b`); both read the demo's data files.
struct Scenarios {
    dir: tempfile::TempDir,
}

impl Scenarios {
    fn new() -> Scenarios {
        let dir = tempfile::tempdir().unwrap();
        let demo = dir.path().join("demo");
        std::fs::create_dir(&demo).unwrap();
        for e in std::fs::read_dir(root().join("scenarios/demo")).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), demo.join(e.file_name())).unwrap();
        }
        let single =
            std::fs::read_to_string(root().join("scenarios/demo-single-year/scenario.toml"))
                .unwrap();
        for (name, budget) in [("a", "3000000.0"), ("b", "1000000.0")] {
            let d = dir.path().join(name);
            std::fs::create_dir(&d).unwrap();
            let t = single.replacen(
                "capital_budget = 3000000.0",
                &format!("capital_budget = {budget}"),
                1,
            );
            assert!(t.contains(&format!("capital_budget = {budget}")));
            std::fs::write(d.join("scenario.toml"), t).unwrap();
        }
        Scenarios { dir }
    }

    fn a(&self) -> PathBuf {
        self.dir.path().join("a")
    }

    fn b(&self) -> PathBuf {
        self.dir.path().join("b")
    }
}

/// Writes a sweep file at `path` over the scenario beside it: the flow engine, no baselines, CSV
/// outputs, one variant per capital budget.
fn flow_sweep(path: &Path, budgets: &[f64]) {
    let budgets: Vec<String> = budgets.iter().map(|b| format!("{b:.1}")).collect();
    std::fs::write(
        path,
        format!(
            "base = \".\"\nbackend = \"flow\"\nbaselines = false\nformats = \"csv\"\n\n[axes]\ncapital_budget = [{}]\n",
            budgets.join(", ")
        ),
    )
    .unwrap();
}

fn plan_args<'a>(scenario: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec!["plan", s(scenario), "--out", s(out), "--formats", "csv"]
}

/// Runs `args`, watches the folder `out` will be staged in, and kills the run (SIGKILL) the
/// moment its first output file appears in its staging folder, that is inside the write phase.
/// Returns whether the kill landed there (the staging folder still held files after the kill;
/// a run that finished first returns false).
fn kill_in_write_phase(args: &[&str], out: &Path) -> bool {
    let parent = out.parent().unwrap();
    let prefix = format!(
        ".{}.placeplan-staging-",
        out.file_name().unwrap().to_string_lossy()
    );
    let staged_files = || -> Vec<PathBuf> {
        let mut found = Vec::new();
        for e in std::fs::read_dir(parent).unwrap().flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                if let Ok(inner) = std::fs::read_dir(e.path()) {
                    found.extend(
                        inner
                            .flatten()
                            .filter(|f| !f.file_name().to_string_lossy().starts_with(".placeplan"))
                            .map(|f| f.path()),
                    );
                }
            }
        }
        found
    };
    let before = staged_files().len();
    let mut child = Command::new(env!("CARGO_BIN_EXE_placeplan"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if staged_files().len() > before {
            child.kill().unwrap();
            child.wait().unwrap();
            return staged_files().len() > before;
        }
    }
}

/// The outputs in `out`, without the marker, or `None` if there is no folder.
fn outputs(out: &Path) -> Option<Files> {
    out.exists().then(|| {
        read_all(out)
            .into_iter()
            .filter(|(p, _)| p != ".placeplan")
            .collect()
    })
}

/// After any number of kills, `out` is absent or holds exactly one complete run, and no
/// temporary file anywhere in it.
fn assert_whole(out: &Path, complete: &[&Files], what: &str) {
    if let Some(found) = outputs(out) {
        assert!(
            complete.iter().any(|c| **c == found),
            "{what}: the folder holds a mix or a part of runs: {:?}",
            found.iter().map(|(p, _)| p).collect::<Vec<_>>()
        );
        assert!(out.join(".placeplan").is_file(), "{what}: marker missing");
    }
}

/// The fault: a sweep given the scenario folder itself as `--out` (with `base = "."`) merged
/// into it and marked it as placeplan's, and the second run then swapped the whole folder out,
/// deleting the user's scenario. Now both runs refuse, and the folder is left byte for byte.
#[test]
fn sweep_twice_into_the_scenario_folder_deletes_nothing() {
    let sc = Scenarios::new();
    let dir = sc.a();
    flow_sweep(&dir.join("sweep.toml"), &[1e6, 2e6]);
    std::fs::write(dir.join("notes.txt"), "my notes").unwrap();
    let before = read_all(&dir);
    for round in 0..2 {
        let o = placeplan(&["sweep", s(&dir.join("sweep.toml")), "--out", s(&dir)]);
        assert_eq!(o.status.code(), Some(2), "round {round}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("E401"), "round {round}: {}", text(&o));
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains("variants"),
            "refused before any variant ran: {}",
            text(&o)
        );
        assert_eq!(read_all(&dir), before, "round {round}: the folder changed");
    }
    assert_eq!(
        names(sc.dir.path()),
        ["a", "b", "demo"],
        "nothing beside it"
    );
}

/// Same rule for `plan`: a folder holding the user's files is refused before the solve, and is
/// never marked; a file or a symbolic link as `--out` is refused with its own code.
#[test]
fn plan_into_a_folder_of_user_files_is_refused_before_any_work() {
    let sc = Scenarios::new();
    let work = tempfile::tempdir().unwrap();
    let mine = work.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("budget.xlsx"), "not placeplan's").unwrap();
    let before = read_all(&mine);
    for _ in 0..2 {
        let o = placeplan(&plan_args(&sc.a(), &mine));
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("E401"),
            "{}",
            text(&o)
        );
        assert!(o.stdout.is_empty(), "nothing planned: {}", text(&o));
        assert_eq!(read_all(&mine), before);
    }
    // `--out` naming a regular file.
    let file = work.path().join("out.csv");
    std::fs::write(&file, "mine").unwrap();
    let o = placeplan(&plan_args(&sc.a(), &file));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E402") && err.contains("is a file"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    assert_eq!(names(work.path()), ["mine", "out.csv"]);
}

/// A sweep whose `--out` is a symbolic link failed only after every variant had run; now it is
/// refused at once and the link and its folder are left alone.
#[cfg(unix)]
#[test]
fn sweep_out_symlink_is_refused_before_the_sweep_runs() {
    let sc = Scenarios::new();
    let dir = sc.a();
    flow_sweep(&dir.join("sweep.toml"), &[1e6, 2e6]);
    let work = tempfile::tempdir().unwrap();
    let real = work.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = work.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = placeplan(&["sweep", s(&dir.join("sweep.toml")), "--out", s(&link)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E402") && err.contains("symbolic link"),
        "{}",
        text(&o)
    );
    assert!(o.stdout.is_empty(), "{}", text(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(names(&real).is_empty());
    assert_eq!(names(work.path()), ["link", "real"]);
}

/// placeplan replaces its own outputs whole (no file of the previous run lingers), but not once
/// someone has added a file to them or edited one.
#[test]
fn own_outputs_are_replaced_whole_but_not_once_changed() {
    let sc = Scenarios::new();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let o = placeplan(&plan_args(&sc.a(), &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = placeplan(&["plan", s(&sc.b()), "--out", s(&out), "--formats", "geojson"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(names(&out), [".placeplan", "plan.geojson"]);

    std::fs::write(out.join("plan.geojson"), "edited").unwrap();
    let o = placeplan(&plan_args(&sc.a(), &out));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("E401") && err.contains("plan.geojson was changed"),
        "{}",
        text(&o)
    );
    assert_eq!(std::fs::read(out.join("plan.geojson")).unwrap(), b"edited");

    // `forecast` writes the same kind of folder as `plan`, a sweep's is another kind.
    std::fs::remove_dir_all(&out).unwrap();
    let o = placeplan(&["forecast", s(&sc.a()), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = placeplan(&plan_args(&sc.a(), &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    flow_sweep(&sc.a().join("sweep.toml"), &[1e6]);
    let o = placeplan(&["sweep", s(&sc.a().join("sweep.toml")), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not sweep outputs"),
        "{}",
        text(&o)
    );
}

/// Importers write new files only: an existing `schools.csv` is never overwritten, and when one
/// of the two files exists neither is written.
#[test]
fn import_never_overwrites_an_existing_file() {
    let gias = root().join("crates/io/tests/data/gias_edubase_seed.csv");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("scenario");
    let o = placeplan(&["import", "gias", s(&gias), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(names(&out), ["capacity.csv", "schools.csv"]);
    std::fs::write(out.join("schools.csv"), "my edited schools").unwrap();
    std::fs::remove_file(out.join("capacity.csv")).unwrap();
    let o = placeplan(&["import", "gias", s(&gias), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E401"),
        "{}",
        text(&o)
    );
    assert_eq!(names(&out), ["schools.csv"]);
    assert_eq!(
        std::fs::read(out.join("schools.csv")).unwrap(),
        b"my edited schools"
    );
}

type Files = Vec<(String, Vec<u8>)>;

/// A command line of placeplan writing to the folder it is given.
type Cmd<'a> = Box<dyn Fn(&Path) -> Vec<String> + 'a>;

fn run_cmd(cmd: &Cmd, out: &Path) -> Output {
    let args = cmd(out);
    placeplan(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The complete outputs of each command, run to the end into a folder of its own (removed
/// afterwards).
fn reference(work: &Path, cmds: &[Cmd]) -> Vec<Files> {
    let complete: Vec<Files> = cmds
        .iter()
        .enumerate()
        .map(|(i, cmd)| {
            let out = work.join(format!("ref{i}"));
            let o = run_cmd(cmd, &out);
            assert_eq!(o.status.code(), Some(0), "{}", text(&o));
            let found = outputs(&out).unwrap();
            std::fs::remove_dir_all(&out).unwrap();
            found
        })
        .collect();
    assert_ne!(complete[0], complete[1], "the two runs must differ");
    complete
}

/// Runs the commands alternately into `work/out`, killing each inside its write phase, until
/// 50 kills have landed there; after every kill the folder holds one whole run or none. Then a
/// run left to finish writes its whole outputs and leaves nothing beside the folder.
fn kill_loop(work: &Path, cmds: &[Cmd]) {
    let complete = reference(work, cmds);
    let out = work.join("out");
    let (mut kills, mut landed) = (0, 0);
    for i in 0..200 {
        if landed >= 50 {
            break;
        }
        let args = cmds[i % 2](&out);
        if kill_in_write_phase(&args.iter().map(String::as_str).collect::<Vec<_>>(), &out) {
            landed += 1;
        }
        kills += 1;
        assert_whole(
            &out,
            &[&complete[0], &complete[1]],
            &format!("kill {kills}"),
        );
    }
    assert!(
        landed >= 50,
        "only {landed} of {kills} kills landed while writing"
    );
    eprintln!("{landed} of {kills} kills landed while writing");
    let o = run_cmd(&cmds[1], &out);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(outputs(&out).unwrap(), complete[1]);
    for n in names(work).iter().filter(|n| *n != "out") {
        let d = work.join(n);
        eprintln!(
            "leftover {n}: {:?}, marker {:?}",
            names(&d),
            std::fs::read_to_string(d.join(".placeplan")).ok()
        );
    }
    assert_eq!(names(work), ["out"], "leftovers beside the output");
}

fn plan_cmd(scenario: PathBuf) -> Cmd<'static> {
    Box::new(move |out| {
        plan_args(&scenario, out)
            .into_iter()
            .map(String::from)
            .collect()
    })
}

/// Kills `plan` inside its write phase, at least 50 times, alternating two scenarios with
/// different plans into one folder: the folder always holds one whole run (or none), never a
/// mix, and never a temporary file; the run left to finish leaves nothing beside the folder.
#[test]
fn plan_killed_while_writing_never_leaves_a_mix() {
    let sc = Scenarios::new();
    let work = tempfile::tempdir().unwrap();
    kill_loop(work.path(), &[plan_cmd(sc.a()), plan_cmd(sc.b())]);
}

/// The same for `sweep`: a folder of variants and tables, killed while it writes.
#[test]
fn sweep_killed_while_writing_never_leaves_a_mix() {
    let sc = Scenarios::new();
    let cmds: Vec<Cmd> = [("s1.toml", 1e6), ("s2.toml", 2e6)]
        .iter()
        .map(|(name, budget)| {
            let p = sc.a().join(name);
            flow_sweep(&p, &[*budget, 3e6]);
            let cmd: Cmd = Box::new(move |out: &Path| {
                ["sweep", s(&p), "--out", s(out), "--threads", "1"]
                    .iter()
                    .map(|a| a.to_string())
                    .collect()
            });
            cmd
        })
        .collect();
    let work = tempfile::tempdir().unwrap();
    kill_loop(work.path(), &cmds);
}

/// Two runs writing to one folder at the same moment: each puts a whole folder in place, so
/// the folder ends up holding one of them whole, never a mix.
#[test]
fn concurrent_plans_into_one_folder_never_mix() {
    let sc = Scenarios::new();
    let work = tempfile::tempdir().unwrap();
    let complete = reference(work.path(), &[plan_cmd(sc.a()), plan_cmd(sc.b())]);
    let out = work.path().join("out");
    for round in 0..10 {
        let children: Vec<_> = [sc.a(), sc.b()]
            .iter()
            .map(|d| {
                Command::new(env!("CARGO_BIN_EXE_placeplan"))
                    .args(plan_args(d, &out))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0), "round {round}: {}", text(&o));
        }
        assert_whole(
            &out,
            &[&complete[0], &complete[1]],
            &format!("round {round}"),
        );
        assert!(outputs(&out).is_some());
        assert_eq!(names(work.path()), ["out"], "round {round}: leftovers");
    }
}

/// A full disk while writing: the run fails with E403 and the previous outputs stay whole; no
/// staging folder or temporary file is left. Needs a small file system of its own (a tmpfs,
/// mounted as root); under CI a machine that cannot mount one fails the test.
#[cfg(target_os = "linux")]
#[test]
fn full_disk_leaves_the_previous_outputs_whole() {
    let sc = Scenarios::new();
    let mnt = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tmpfs", s(mnt.path())])
        .status()
        .is_ok_and(|st| st.success());
    if !mounted {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: cannot mount a tmpfs for the full-disk test (needs root)"
        );
        eprintln!("SKIPPED full_disk_leaves_the_previous_outputs_whole: cannot mount a tmpfs");
        return;
    }
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(mnt.path());
    let out = mnt.path().join("out");
    let o = placeplan(&plan_args(&sc.a(), &out));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let first = outputs(&out).unwrap();
    // Fill the disk but for a little room: not enough for a second set of outputs.
    let used: u64 = first.iter().map(|(_, b)| b.len() as u64).sum();
    let fill = mnt.path().join("fill");
    let mut size = 2 * 1024 * 1024 - used - 64 * 1024;
    while std::fs::write(&fill, vec![0u8; size as usize]).is_err() && size > 4096 {
        size -= 16 * 1024;
    }
    let o = placeplan(&plan_args(&sc.b(), &out));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("E403"),
        "{}",
        text(&o)
    );
    assert_eq!(
        outputs(&out).unwrap(),
        first,
        "the previous outputs changed"
    );
    assert_eq!(names(mnt.path()), ["fill", "out"], "leftovers");
}
