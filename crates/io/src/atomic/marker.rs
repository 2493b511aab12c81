//! The marker file of an output folder: its kind and, once committed, every entry with the
//! size and hash of each file; reading it back, and walking a folder to compare.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::folder::OutputKind;

/// Name of the marker file in every output folder placeplan writes.
pub const MARKER: &str = ".placeplan";

/// First line of every marker.
const MARKER_HEAD: &str = "placeplan output folder: ";

/// The marker's text: its kind, a note for people who open it, and (once committed) one line
/// per entry: `d PATH` for a folder, `f SIZE HASH PATH` for a file (the hash of its bytes, so
/// the marker, like every output, is the same for the same inputs), paths relative and
/// separated by `/`, sorted.
pub(super) fn marker_text(kind: OutputKind, entries: Option<&BTreeMap<String, Entry>>) -> String {
    let mut s = format!(
        "{MARKER_HEAD}{}\n# Written by placeplan. placeplan replaces this folder whole on its next run to it,\n# but only while it holds just the entries listed here, unchanged.\n",
        kind.code()
    );
    match entries {
        None => s.push_str("staging\n"),
        Some(entries) => {
            for (path, e) in entries {
                match e {
                    Entry::Dir => s.push_str(&format!("d {path}\n")),
                    Entry::File { size, hash } => {
                        s.push_str(&format!("f {size} {hash:016x} {path}\n"))
                    }
                }
            }
        }
    }
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    Dir,
    File { size: u64, hash: u64 },
}

/// The marker of `dir`, parsed: its kind and entries (`None` entries for a staging marker).
/// `None` if there is no marker placeplan could have written.
pub(super) fn read_marker(dir: &Path) -> Option<(OutputKind, Option<BTreeMap<String, Entry>>)> {
    let path = dir.join(MARKER);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    // A marker is a small regular file; anything else is not placeplan's.
    if !meta.is_file() || meta.len() > 64 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let mut lines = text.lines();
    let kind = OutputKind::parse(lines.next()?.strip_prefix(MARKER_HEAD)?)?;
    let mut entries = BTreeMap::new();
    for line in lines {
        if line.starts_with('#') {
            continue;
        }
        if line == "staging" {
            return Some((kind, None));
        }
        if let Some(p) = line.strip_prefix("d ") {
            entries.insert(p.to_string(), Entry::Dir);
        } else if let Some(rest) = line.strip_prefix("f ") {
            let mut parts = rest.splitn(3, ' ');
            let size = parts.next()?.parse().ok()?;
            let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
            entries.insert(parts.next()?.to_string(), Entry::File { size, hash });
        } else {
            return None;
        }
    }
    Some((kind, Some(entries)))
}

/// Every entry under `dir` but its marker, by relative path. Symbolic links and other special
/// files are returned as `Err` (placeplan never writes them).
pub(super) fn walk(dir: &Path) -> std::io::Result<Result<BTreeMap<String, Entry>, String>> {
    let mut out = BTreeMap::new();
    // Hard links (a sweep's variants share one forecast.csv) are read and hashed once.
    let mut hashed: HashMap<(u64, u64), u64> = HashMap::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let name = e.file_name().to_string_lossy().to_string();
            if rel.is_empty() && name == MARKER {
                continue;
            }
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let meta = std::fs::symlink_metadata(e.path())?;
            if meta.is_dir() {
                out.insert(path.clone(), Entry::Dir);
                stack.push((e.path(), path));
            } else if meta.is_file() {
                let hash = match file_id(&meta) {
                    Some(id) => match hashed.get(&id) {
                        Some(h) => *h,
                        None => *hashed.entry(id).or_insert(content_hash(&e.path())?),
                    },
                    None => content_hash(&e.path())?,
                };
                out.insert(
                    path,
                    Entry::File {
                        size: meta.len(),
                        hash,
                    },
                );
            } else {
                return Ok(Err(format!("{path} is not a regular file or folder")));
            }
        }
    }
    Ok(Ok(out))
}

/// The device and inode of a file with more than one link (`None` for a file with one link, or
/// off Unix).
pub fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.nlink() > 1).then(|| (meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// FNV-1a (64-bit) of a file's bytes: fixed by its definition, so markers written by one build
/// of placeplan are read the same by any other.
fn content_hash(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            return Ok(h);
        }
        for &b in &buf[..n] {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Writes the marker of `dir` in one step (a temporary file, then a rename): a run killed at any
/// moment leaves the old marker or the new one, never a part.
pub(super) fn write_marker(dir: &Path, text: &str) -> std::io::Result<()> {
    let tmp = dir.join(".placeplan.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(MARKER))
}

/// Records everything under `staged` in its marker.
pub(super) fn write_manifest(staged: &Path, kind: OutputKind) -> std::io::Result<()> {
    let entries = match walk(staged)? {
        Ok(e) => e,
        Err(reason) => return Err(std::io::Error::other(reason)),
    };
    write_marker(staged, &marker_text(kind, Some(&entries)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hard-linked file (a sweep's shared forecast.csv) is hashed once per walk, with the same
    /// hash as a copy of it.
    #[cfg(unix)]
    #[test]
    fn hard_links_get_the_hash_of_their_bytes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("v")).unwrap();
        std::fs::write(dir.path().join("a.csv"), b"year,p50\n").unwrap();
        std::fs::hard_link(dir.path().join("a.csv"), dir.path().join("v/a.csv")).unwrap();
        std::fs::write(dir.path().join("copy.csv"), b"year,p50\n").unwrap();
        let found = walk(dir.path()).unwrap().unwrap();
        let hash = |p: &str| match found[p] {
            Entry::File { hash, .. } => hash,
            Entry::Dir => panic!("{p} is a file"),
        };
        assert_eq!(
            hash("a.csv"),
            content_hash(&dir.path().join("copy.csv")).unwrap()
        );
        assert_eq!(hash("v/a.csv"), hash("a.csv"));
        assert_eq!(hash("copy.csv"), hash("a.csv"));
        // FNV-1a 64 published test vectors: "" and "a".
        std::fs::write(dir.path().join("empty"), b"").unwrap();
        std::fs::write(dir.path().join("one"), b"a").unwrap();
        assert_eq!(
            content_hash(&dir.path().join("empty")).unwrap(),
            0xcbf2_9ce4_8422_2325
        );
        assert_eq!(
            content_hash(&dir.path().join("one")).unwrap(),
            0xaf63_dc4c_8601_ec8c
        );
    }
}
