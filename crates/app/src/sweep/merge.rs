//! `placeplan sweep-merge DIR... --out DIR`: the shards of one sweep ([`super::shard`]) put back
//! together into what an unsharded `placeplan sweep` writes, byte for byte.
//!
//! Every shard folder is checked before anything is written: it must be a whole shard output as
//! placeplan wrote it (E306), all shards must be of one sweep (E307), no shard may be given twice
//! (E308) and none may be missing (E309). Every problem is reported at once.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use placeplan_io::atomic::{file_id, incomplete_output, OutputKind};
use placeplan_model::error::{Code, InputError, Problems};
use placeplan_report::sweep_table::VariantResult;

use super::shard::{ShardRecord, RECORD_FILE};

/// The merged sweep: its report's title, every variant's result in variant order, and the
/// folder of each planned variant in its shard.
#[derive(Debug)]
pub struct MergedSweep {
    pub title: String,
    pub results: Vec<VariantResult>,
    pub folders: Vec<PathBuf>,
    /// Shards merged.
    pub shards: usize,
}

/// A shard folder's record, read and checked on its own.
fn read_one(dir: &Path) -> Result<ShardRecord, InputError> {
    let bad = |msg: String| InputError::new(dir, Code::NotAShard, msg);
    if let Some(reason) = incomplete_output(dir, OutputKind::SweepShard) {
        return Err(bad(format!("not a whole sweep shard folder: {reason}")));
    }
    let path = dir.join(RECORD_FILE);
    let text = placeplan_io::csvread::read_input_text(&path, placeplan_io::csvread::MAX_FILE_BYTES)
        .map_err(|e| bad(format!("{RECORD_FILE} cannot be read: {}", e.message)))?;
    let record = ShardRecord::from_json(&text)
        .map_err(|e| bad(format!("{RECORD_FILE} is not a shard record: {e}")))?;
    for r in &record.results {
        let folder = dir.join(&r.name);
        if r.figures.is_some() && !folder.is_dir() {
            return Err(bad(format!(
                "the folder of variant '{}' is missing",
                r.name
            )));
        }
    }
    Ok(record)
}

/// What two shards of one sweep share; the first that differs is named.
fn differs(a: &ShardRecord, b: &ShardRecord) -> Option<String> {
    let fields = [
        ("placeplan version", &a.placeplan, &b.placeplan),
        ("sweep (variants and settings)", &a.sweep, &b.sweep),
        ("base scenario", &a.scenario, &b.scenario),
    ];
    if a.shards != b.shards {
        return Some(format!(
            "it is shard {}/{}, of a sweep split into {} shards, not {}",
            b.shard, b.shards, b.shards, a.shards
        ));
    }
    for (what, x, y) in fields {
        if x != y {
            return Some(format!("its {what} is {y}, not {x}"));
        }
    }
    (a.variants != b.variants || a.title != b.title)
        .then(|| format!("its sweep has {} variants, not {}", b.variants, a.variants))
}

/// Reads and checks the shard folders `dirs` and merges their results.
pub fn read_shards(dirs: &[PathBuf]) -> Result<MergedSweep, Problems> {
    let mut problems = Problems::default();
    let mut records: Vec<(&PathBuf, ShardRecord)> = Vec::new();
    for dir in dirs {
        match read_one(dir) {
            Ok(r) => records.push((dir, r)),
            Err(e) => problems.push(e),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some((first_dir, first)) = records.first() else {
        problems.push(InputError::new(
            Path::new("sweep-merge"),
            Code::ShardMissing,
            "no shard folders were given",
        ));
        return Err(problems);
    };
    for (dir, r) in &records[1..] {
        if let Some(why) = differs(first, r) {
            problems.push(InputError::new(
                dir,
                Code::ShardOfAnotherSweep,
                format!(
                    "a shard of another sweep than {} (shard {}/{}): {why}",
                    first_dir.display(),
                    first.shard,
                    first.shards
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut by_shard: BTreeMap<usize, &PathBuf> = BTreeMap::new();
    for (dir, r) in &records {
        if let Some(earlier) = by_shard.insert(r.shard, dir) {
            problems.push(InputError::new(
                dir,
                Code::ShardOverlap,
                format!(
                    "shard {}/{} is given twice: here and in {}",
                    r.shard,
                    r.shards,
                    earlier.display()
                ),
            ));
        }
    }
    let missing: Vec<String> = (1..=first.shards)
        .filter(|i| !by_shard.contains_key(i))
        .map(|i| format!("{i}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
        problems.push(InputError::new(
            first_dir,
            Code::ShardMissing,
            format!(
                "the sweep is split into {} shards and {} of them {} missing: {}{}",
                first.shards,
                missing.len(),
                if missing.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if missing.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                }
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    collect(first.title.clone(), first.variants, &records)
}

/// Every variant of the sweep, each from the one shard that ran it.
fn collect(
    title: String,
    variants: usize,
    records: &[(&PathBuf, ShardRecord)],
) -> Result<MergedSweep, Problems> {
    let mut problems = Problems::default();
    let mut slots: Vec<Option<(VariantResult, Option<PathBuf>)>> = vec![None; variants];
    for (dir, record) in records {
        for r in &record.results {
            let bad = |msg: String| InputError::new(dir, Code::NotAShard, msg);
            if slots[r.index].is_some() {
                problems.push(bad(format!(
                    "variant {} ('{}') is in two shards",
                    r.index + 1,
                    r.name
                )));
                continue;
            }
            match r.result() {
                Ok(v) => {
                    let folder = v.outcome.is_ok().then(|| dir.join(&r.name));
                    slots[r.index] = Some((v, folder));
                }
                Err(e) => problems.push(bad(format!("{RECORD_FILE}: {e}"))),
            }
        }
    }
    let mut names = std::collections::BTreeSet::new();
    for (v, _) in slots.iter().flatten() {
        if !names.insert(v.spec.name.as_str()) {
            problems.push(InputError::new(
                records[0].0,
                Code::NotAShard,
                format!("two variants of the shards are named '{}'", v.spec.name),
            ));
        }
    }
    let absent = slots.iter().filter(|s| s.is_none()).count();
    if absent > 0 && problems.is_empty() {
        problems.push(InputError::new(
            records[0].0,
            Code::NotAShard,
            format!("{absent} of the sweep's {variants} variants are in no shard"),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (results, folders): (Vec<_>, Vec<_>) = slots.into_iter().flatten().unzip();
    Ok(MergedSweep {
        title,
        results,
        folders: folders.into_iter().flatten().collect(),
        shards: records.len(),
    })
}

/// Copies each variant folder into `out` under its own name. Files hard-linked to each other
/// in a shard (the variants' shared `forecast.csv`) are hard-linked in `out` too (copied where
/// the file system cannot link).
pub fn copy_folders(folders: &[PathBuf], out: &Path) -> std::io::Result<()> {
    let mut linked: HashMap<(u64, u64), PathBuf> = HashMap::new();
    for from in folders {
        let name = from
            .file_name()
            .ok_or_else(|| std::io::Error::other(format!("{} has no name", from.display())))?;
        copy_tree(from, &out.join(name), &mut linked)?;
    }
    Ok(())
}

fn copy_tree(
    from: &Path,
    to: &Path,
    linked: &mut HashMap<(u64, u64), PathBuf>,
) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let meta = std::fs::symlink_metadata(e.path())?;
        let dest = to.join(e.file_name());
        if meta.is_dir() {
            copy_tree(&e.path(), &dest, linked)?;
        } else if meta.is_file() {
            let id = file_id(&meta);
            match id.and_then(|id| linked.get(&id)) {
                Some(first) if std::fs::hard_link(first, &dest).is_ok() => {}
                _ => {
                    std::fs::copy(e.path(), &dest)?;
                    if let Some(id) = id {
                        linked.insert(id, dest);
                    }
                }
            }
        } else {
            return Err(std::io::Error::other(format!(
                "{} is not a regular file or folder",
                e.path().display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::shard::ResultRecord;
    use super::*;

    fn record(shard: usize, results: &[(usize, &str)]) -> ShardRecord {
        ShardRecord {
            format: "placeplan sweep shard 1".into(),
            placeplan: "0".into(),
            sweep: "s".into(),
            scenario: "c".into(),
            title: "t".into(),
            shard,
            shards: 2,
            variants: 3,
            results: results
                .iter()
                .map(|(index, name)| ResultRecord {
                    index: *index,
                    name: name.to_string(),
                    settings: vec![],
                    figures: None,
                    reason: Some("E505 no feasible plan".into()),
                })
                .collect(),
        }
    }

    fn collected(a: &[(usize, &str)], b: &[(usize, &str)]) -> Result<MergedSweep, String> {
        let dir = PathBuf::from("shard");
        let records = [(&dir, record(1, a)), (&dir, record(2, b))];
        collect("t".into(), 3, &records).map_err(|p| p.to_string())
    }

    /// Shards of one sweep agree on the version, the sweep, the scenario and the shard count;
    /// the first difference is named.
    #[test]
    fn shards_of_another_sweep_say_what_differs() {
        let a = record(1, &[]);
        assert_eq!(differs(&a, &record(2, &[])), None);
        let mut b = record(2, &[]);
        b.placeplan = "9".into();
        assert_eq!(
            differs(&a, &b).unwrap(),
            "its placeplan version is 9, not 0"
        );
        b.shards = 3;
        assert!(differs(&a, &b)
            .unwrap()
            .contains("split into 3 shards, not 2"));
        let mut c = record(2, &[]);
        c.scenario = "d".into();
        assert_eq!(differs(&a, &c).unwrap(), "its base scenario is d, not c");
    }

    /// Records that do not add up to the sweep are refused (E306), whatever their shards say.
    #[test]
    fn records_must_cover_each_variant_once() {
        let merged = collected(&[(0, "a"), (2, "c")], &[(1, "b")]).unwrap();
        let names: Vec<&str> = merged
            .results
            .iter()
            .map(|r| r.spec.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert!(merged.folders.is_empty());
        let twice = collected(&[(0, "a"), (1, "b")], &[(1, "b"), (2, "c")]).unwrap_err();
        assert!(
            twice.contains("E306 variant 2 ('b') is in two shards"),
            "{twice}"
        );
        let none = collected(&[(0, "a")], &[(2, "c")]).unwrap_err();
        assert!(
            none.contains("1 of the sweep's 3 variants are in no shard"),
            "{none}"
        );
        let named = collected(&[(0, "a"), (1, "a")], &[(2, "c")]).unwrap_err();
        assert!(
            named.contains("two variants of the shards are named 'a'"),
            "{named}"
        );
    }
}
