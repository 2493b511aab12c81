//! The bytes of a CSV file on their way to the CSV reader, checked as they pass, and the lines
//! they hold, counted as records are read.

use std::io::Read;

use super::input::utf16_kind;

/// Why a [`Source`] stopped early.
pub(super) enum Stop {
    /// More than the limit arrived.
    TooLarge,
    /// The file is UTF-16 text (which kind).
    Utf16(&'static str),
    /// The byte at this offset is not UTF-8.
    NotUtf8(u64),
    Io(String),
}

/// The bytes of a CSV file as the CSV reader takes them: at most `limit`, checked to be UTF-8 as
/// they pass, and kept from the start of the current record on, so that lines can be counted
/// without holding the whole file. On a problem it stops (reads end) and says why in `stop`.
pub(super) struct Source {
    inner: Box<dyn Read>,
    pub(super) limit: u64,
    /// The bytes handed out from offset `base` of the file on.
    window: Vec<u8>,
    base: u64,
    /// Bytes before this offset are UTF-8 (a character cut by the end of a read waits here).
    checked: u64,
    /// The first bytes of the file, to tell what a file that is not UTF-8 is.
    pub(super) head: Vec<u8>,
    pub(super) stop: Option<Stop>,
}

impl Source {
    pub(super) fn new(inner: Box<dyn Read>, limit: u64) -> Source {
        Source {
            inner,
            limit,
            window: Vec::new(),
            base: 0,
            checked: 0,
            head: Vec::new(),
            stop: None,
        }
    }

    /// Offset after the last byte handed out.
    fn end(&self) -> u64 {
        self.base + self.window.len() as u64
    }

    pub(super) fn byte(&self, at: u64) -> Option<u8> {
        let i = at.checked_sub(self.base)?;
        self.window.get(usize::try_from(i).ok()?).copied()
    }

    /// Whether the byte at `at` ends a line (see [`ends_line`]).
    fn ends_line(&self, at: u64) -> bool {
        match self.byte(at) {
            Some(b'\n') => true,
            Some(b'\r') => self.byte(at + 1) != Some(b'\n'),
            _ => false,
        }
    }

    /// Lets go of the bytes before `offset` (the start of a record whose line has been counted),
    /// a large piece at a time.
    pub(super) fn forget_before(&mut self, offset: u64) {
        let n = offset
            .saturating_sub(self.base)
            .min(self.window.len() as u64) as usize;
        if n >= 1 << 16 && n * 2 >= self.window.len() {
            self.window.drain(..n);
            self.base += n as u64;
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.is_some() {
            return Ok(0);
        }
        let n = loop {
            match self.inner.read(buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.stop = Some(Stop::Io(e.to_string()));
                    return Ok(0);
                }
            }
        };
        if n == 0 {
            if self.checked < self.end() {
                // The file ends inside a character.
                self.stop = Some(Stop::NotUtf8(self.checked));
            }
            return Ok(0);
        }
        if self.end() + n as u64 > self.limit {
            self.stop = Some(Stop::TooLarge);
            return Ok(0);
        }
        let first = self.end() == 0;
        self.window.extend_from_slice(&buf[..n]);
        if self.head.len() < 4096 {
            let more = (4096 - self.head.len()).min(n);
            self.head.extend_from_slice(&buf[..more]);
        }
        if first {
            if let Some(kind) = utf16_kind(&buf[..n]) {
                self.stop = Some(Stop::Utf16(kind));
                return Ok(0);
            }
        }
        let from = (self.checked - self.base) as usize;
        match std::str::from_utf8(&self.window[from..]) {
            Ok(_) => self.checked = self.end(),
            Err(e) => {
                let at = self.checked + e.valid_up_to() as u64;
                if e.error_len().is_some() {
                    self.stop = Some(Stop::NotUtf8(at));
                    return Ok(0);
                }
                self.checked = at;
            }
        }
        Ok(n)
    }
}

/// 1-based line numbers from byte offsets, counted incrementally as records are read in order.
/// (The CSV reader's own line number points at a blank line before a record, not the record,
/// and counts only `\n`.)
#[derive(Default)]
pub(super) struct LineCounter {
    /// Offset counted up to (a record start), and the line ends before it.
    byte: u64,
    line: u64,
}

impl LineCounter {
    /// A counter whose first line is line `first` of the file (a cut-off preamble before it).
    pub(super) fn from_line(first: u64) -> LineCounter {
        LineCounter {
            byte: 0,
            line: first.saturating_sub(1),
        }
    }

    pub(super) fn line_of(&mut self, src: &Source, start: u64) -> u64 {
        let start = start.min(src.end());
        if start > self.byte {
            let from = self.byte.max(src.base);
            self.line += (from..start).filter(|&i| src.ends_line(i)).count() as u64;
            self.byte = start;
        }
        // Skip the blank lines the reader passed over before this record.
        let mut line = self.line;
        let mut i = start;
        while let Some(b'\n' | b'\r') = src.byte(i) {
            line += src.ends_line(i) as u64;
            i += 1;
        }
        line + 1
    }

    /// The last line of a record from `start` to `end`, line ends at its end left out.
    pub(super) fn last_line(&self, src: &Source, start: u64, end: u64) -> Option<u64> {
        let mut end = end.min(src.end());
        while end > start && matches!(src.byte(end - 1), Some(b'\n' | b'\r')) {
            end -= 1;
        }
        let first = self.line + 1;
        Some(first + (start..end).filter(|&i| src.ends_line(i)).count() as u64)
    }

    /// Line and character column of the byte at `at`, at or after the counted offset.
    pub(super) fn position_of(&self, src: &Source, at: u64) -> (u64, u64) {
        let from = self.byte.max(src.base);
        let at = at.clamp(from, src.end());
        let mut line = self.line;
        let mut line_start = from;
        for i in from..at {
            if src.ends_line(i) {
                line += 1;
                line_start = i + 1;
            }
        }
        let lo = (line_start - src.base) as usize;
        let hi = (at - src.base) as usize;
        let col = String::from_utf8_lossy(&src.window[lo..hi]).chars().count() as u64 + 1;
        (line + 1, col)
    }
}
