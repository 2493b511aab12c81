//! Byte-level mutations for the reader fuzz tests (included with `#[path]`).

use proptest::prelude::*;

/// Cases per fuzz test: `default` in CI, or `PLACEPLAN_FUZZ_CASES` for a long run, e.g.
/// `PLACEPLAN_FUZZ_CASES=200000 cargo test --release -p placeplan-model --test fuzz_inputs`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PLACEPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
pub enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
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

pub fn apply(bytes: &mut Vec<u8>, e: &Edit) {
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

/// Number of lines in `bytes`, ended by LF, CRLF or a lone CR as the CSV reader ends records
/// (a last line without a line end counts).
#[allow(dead_code)]
pub fn lines(bytes: &[u8]) -> u64 {
    let lone_cr = bytes
        .windows(2)
        .filter(|w| w[0] == b'\r' && w[1] != b'\n')
        .count()
        + usize::from(bytes.last() == Some(&b'\r'));
    (bytes.iter().filter(|&&b| b == b'\n').count() + lone_cr) as u64 + 1
}
