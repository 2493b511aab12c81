//! Opening and reading input files: only regular files, within a size limit, as UTF-8 text;
//! every other case is one problem that says what the file is.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rustix::fs::{Mode, OFlags};

use placeplan_model::error::{Code, InputError, Problems};

use super::limits::MAX_FILE_BYTES;

/// Opens an input file for reading; every file placeplan reads is opened here. Refuses, as one
/// problem: a path that does not exist (E001); a folder, a symbolic link loop or a file that
/// cannot be opened (E002); anything that is not a regular file (E007: reading a FIFO blocks until
/// something writes to it, a device such as `/dev/zero` never ends); a file larger than `limit`
/// bytes (E005). The file is opened without blocking and checked again once open, so a path
/// replaced by a FIFO in between is refused too. Reads through the result stop after `limit + 1`
/// bytes, so a file that holds more than its size says (files under `/proc`) or grows while it is
/// read is caught as well: the caller reports E005 when more than `limit` bytes arrive.
pub fn open_input(path: &Path, limit: u64) -> Result<std::io::Take<File>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| open_problem(path, &e))?;
    if let Some(p) = kind_problem(path, &meta.file_type()) {
        return Err(p);
    }
    if meta.len() > limit {
        return Err(InputError::new(
            path,
            Code::TooLarge,
            format!("file is {} bytes; the limit is {limit}", meta.len()),
        ));
    }
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC;
    let file = match rustix::fs::open(path, flags, Mode::empty()) {
        Ok(fd) => File::from(fd),
        Err(e) => return Err(open_problem(path, &std::io::Error::from(e))),
    };
    let meta = file
        .metadata()
        .map_err(|e| InputError::new(path, Code::Unreadable, format!("cannot read: {e}")))?;
    if let Some(p) = kind_problem(path, &meta.file_type()) {
        return Err(p);
    }
    Ok(file.take(limit.saturating_add(1)))
}

/// Reads a whole input file of at most `limit` bytes (see [`open_input`]).
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut src = open_input(path, limit)?;
    let mut data = Vec::new();
    src.read_to_end(&mut data)
        .map_err(|e| InputError::new(path, Code::Unreadable, format!("cannot read: {e}")))?;
    if data.len() as u64 > limit {
        return Err(too_large_while_reading(path, limit));
    }
    Ok(data)
}

/// Reads a whole input file of at most `limit` bytes as UTF-8 text. A file in another encoding
/// is one E002 problem saying what it seems to be and where the first byte that is not UTF-8 is.
pub fn read_input_text(path: &Path, limit: u64) -> Result<String, InputError> {
    let data = read_input(path, limit)?;
    if let Some(kind) = utf16_kind(&data) {
        return Err(utf16_problem(path, kind));
    }
    String::from_utf8(data).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = (0..at)
            .rev()
            .find(|&i| ends_line(bytes, i))
            .map_or(0, |i| i + 1);
        let line = (0..line_start).filter(|&i| ends_line(bytes, i)).count() as u64 + 1;
        let col = String::from_utf8_lossy(&bytes[line_start..at])
            .chars()
            .count() as u64
            + 1;
        not_utf8_problem(path, bytes, bytes[at]).at(line, Some(col))
    })
}

/// Reads a whole input file, recording a missing, unreadable or too-large file in `problems`.
pub fn read_bytes(path: &Path, problems: &mut Problems) -> Option<Vec<u8>> {
    match read_input(path, MAX_FILE_BYTES) {
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(e);
            None
        }
    }
}

fn open_problem(path: &Path, e: &std::io::Error) -> InputError {
    if e.kind() == std::io::ErrorKind::NotFound {
        let dangling = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let message = if dangling {
            format!(
                "file not found: {} is a symbolic link to a file that does not exist",
                path.display()
            )
        } else {
            format!("file not found: {}", path.display())
        };
        return InputError::new(path, Code::MissingFile, message);
    }
    if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return InputError::new(
            path,
            Code::Unreadable,
            "a symbolic link loop: the link leads back to itself, so there is no file to read",
        );
    }
    InputError::new(path, Code::Unreadable, format!("cannot read: {e}"))
}

/// The problem with reading something that is not a regular file, if it is not one.
fn kind_problem(path: &Path, t: &std::fs::FileType) -> Option<InputError> {
    use std::os::unix::fs::FileTypeExt;
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(InputError::new(
            path,
            Code::Unreadable,
            "expected a file, found a directory",
        ));
    }
    let what = if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    };
    Some(InputError::new(
        path,
        Code::NotRegularFile,
        format!("not a regular file: this is {what}, which placeplan does not read"),
    ))
}

pub(super) fn too_large_while_reading(path: &Path, limit: u64) -> InputError {
    InputError::new(
        path,
        Code::TooLarge,
        format!("more than {limit} bytes (the limit) arrived while reading, though the file's size said less"),
    )
}

/// Whether `head`, the start of a file, is UTF-16 text, and which kind: with a byte-order mark,
/// or (without one) a NUL byte in most of every other byte, as plain text in UTF-16 has.
pub(crate) fn utf16_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some("UTF-16 little-endian (byte-order mark FF FE)");
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16 big-endian (byte-order mark FE FF)");
    }
    let pairs = (head.len() / 2).min(2048);
    if pairs < 2 {
        return None;
    }
    let nul = |parity: usize| (0..pairs).filter(|&i| head[2 * i + parity] == 0).count();
    let (even, odd) = (nul(0), nul(1));
    if odd * 4 >= pairs * 3 && even * 16 <= pairs {
        Some("UTF-16 little-endian (a NUL byte after most characters)")
    } else if even * 4 >= pairs * 3 && odd * 16 <= pairs {
        Some("UTF-16 big-endian (a NUL byte before most characters)")
    } else {
        None
    }
}

const SAVE_AS_UTF8: &str = "save it as UTF-8 (in Excel: Save As, CSV UTF-8)";

pub(crate) fn utf16_problem(path: &Path, kind: &str) -> InputError {
    InputError::new(
        path,
        Code::Unreadable,
        format!("not UTF-8 text: {kind} detected; {SAVE_AS_UTF8}"),
    )
}

/// The problem for a file that is not UTF-8 text: `byte` is the first that is not.
pub(super) fn not_utf8_problem(path: &Path, head: &[u8], byte: u8) -> InputError {
    let what = if head.starts_with(b"PK\x03\x04") {
        "the file is a zip archive (an Excel workbook?), not text".to_string()
    } else {
        format!(
            "byte 0x{byte:02X} is not UTF-8; the file looks like Windows-1252 (ANSI) or Latin-1 text"
        )
    };
    InputError::new(
        path,
        Code::Unreadable,
        format!("not UTF-8 text: {what}; {SAVE_AS_UTF8}"),
    )
}

/// Whether the byte at `i` ends a line: `\n`, or a `\r` not followed by `\n` (old Mac line
/// endings, which the CSV reader also takes as the end of a record; its own line count does not).
pub(crate) fn ends_line(data: &[u8], i: usize) -> bool {
    match data[i] {
        b'\n' => true,
        b'\r' => data.get(i + 1) != Some(&b'\n'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_told_from_text_with_a_nul() {
        let le: Vec<u8> = "id,name\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "id,name\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(utf16_kind(&le).unwrap().contains("little-endian"));
        assert!(utf16_kind(&be).unwrap().contains("big-endian"));
        assert!(utf16_kind(b"\xFF\xFEi\x00d\x00").unwrap().contains("FF FE"));
        assert!(utf16_kind(b"\xFE\xFF\x00i\x00d").unwrap().contains("FE FF"));
        assert_eq!(utf16_kind(b"id,name\nW01,A\x00B\n"), None);
        assert_eq!(utf16_kind(b"id,n\n"), None);
    }
}
