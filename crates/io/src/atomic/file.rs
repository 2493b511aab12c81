//! Single files: one written atomically over the old one, or new files that never replace
//! anything.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::folder::{parent_of, OutputError};

/// Writes `bytes` to `path` atomically, creating parent directories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    complete_temp_file(path, bytes)?
        .persist(path)
        .map_err(|e| e.error)?;
    Ok(())
}

/// Writes new files, each atomically (a temporary file, then a rename that never replaces). If
/// any of them exists already, nothing is written (E401): placeplan never overwrites a file it
/// cannot tell it wrote.
pub fn write_new(files: &[(PathBuf, Vec<u8>)]) -> Result<(), OutputError> {
    let exists = |path: &Path| OutputError::NotOurs {
        path: path.to_path_buf(),
        reason: "the file already exists (move it away or choose another --out)".into(),
    };
    if let Some((path, _)) = files
        .iter()
        .find(|(p, _)| std::fs::symlink_metadata(p).is_ok())
    {
        return Err(exists(path));
    }
    for (path, bytes) in files {
        let written = complete_temp_file(path, bytes)
            .and_then(|tmp| tmp.persist_noclobber(path).map_err(|e| e.error));
        match written {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(path)),
            Err(e) => return Err(OutputError::io(path)(e)),
        }
    }
    Ok(())
}

/// A temporary file beside `path` (its folder created if need be) holding `bytes`, synced to
/// disk and readable like any output, ready to be renamed to `path`.
fn complete_temp_file(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = parent_of(path);
    std::fs::create_dir_all(&dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".placeplan-")
        .suffix(".tmp")
        .tempfile_in(&dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are created private (0600); outputs are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.csv");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.csv")]);
    }
}
