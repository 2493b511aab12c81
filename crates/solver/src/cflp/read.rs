//! The reader of Beasley's OR-Library "cap" file format, with a file, line and column and a
//! stable code for every problem.

use std::fmt;
use std::path::Path;

use placeplan_model::error::{Code, InputError};

use super::instance::CflpInstance;

/// Largest number of sites or customers the reader accepts.
pub const MAX_SIZE: usize = 100_000;

/// Where in a file a token starts (1-based line and column, columns counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// What went wrong while reading a CFLP file, finer than the error's stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CflpErrorKind {
    /// The file could not be read (missing, unreadable, not UTF-8 text).
    Io,
    /// A token that should be a number is not one.
    BadNumber,
    /// The file ends before the header's sizes are satisfied.
    Truncated,
    /// A capacity, cost or demand is below zero.
    Negative,
    /// A value is infinite or NaN.
    NonFinite,
    /// m or n is zero or above [`MAX_SIZE`].
    BadSize,
    /// Tokens remain after the last expected number.
    Trailing,
    /// A capacity is the word `capacity` and no override was given.
    MissingCapacity,
    /// The capacity override itself is negative or not finite.
    BadOverride,
}

/// A CFLP input error: the problem as every input problem is told (an [`InputError`]: file,
/// line and column, absent only for I/O errors; a stable code, docs/errors.md; what was
/// expected), its kind, and a hint more precise than the code's. Displays as every input
/// problem does: `file:line:col: CODE message` and the hint on the next line.
#[derive(Debug, Clone, PartialEq)]
pub struct CflpError {
    pub problem: Box<InputError>,
    pub kind: CflpErrorKind,
    pub hint: String,
}

impl fmt::Display for CflpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.problem.fmt_with_hint(f, &self.hint)
    }
}

impl std::error::Error for CflpError {}

impl CflpError {
    /// Where in the file the problem is (`None` for I/O errors).
    pub fn at(&self) -> Option<Position> {
        Some(Position {
            line: usize::try_from(self.problem.line?).ok()?,
            col: usize::try_from(self.problem.column?).ok()?,
        })
    }

    /// The stable code (docs/errors.md).
    pub fn code(&self) -> Code {
        self.problem.code
    }
}

impl CflpErrorKind {
    /// The stable code of most errors of this kind (a missing file, a size too large and a
    /// negative override have a more precise one).
    fn stable_code(self) -> Code {
        match self {
            CflpErrorKind::Io => Code::Unreadable,
            CflpErrorKind::BadNumber | CflpErrorKind::NonFinite | CflpErrorKind::BadOverride => {
                Code::NotANumber
            }
            CflpErrorKind::Truncated | CflpErrorKind::Trailing | CflpErrorKind::BadSize => {
                Code::MalformedRecord
            }
            CflpErrorKind::Negative => Code::Negative,
            CflpErrorKind::MissingCapacity => Code::Empty,
        }
    }
}

struct Token<'a> {
    text: &'a str,
    at: Position,
}

/// Splits on whitespace, keeping each token's position. Returns the tokens and the position
/// just after the last character (where a truncated file "ends").
fn tokenize(text: &str) -> (Vec<Token<'_>>, Position) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut tokens = Vec::new();
    let (mut line, mut col) = (1, 1);
    let mut start: Option<(usize, Position)> = None;
    for (b, ch) in text.char_indices() {
        if ch.is_whitespace() {
            if let Some((s, at)) = start.take() {
                tokens.push(Token {
                    text: &text[s..b],
                    at,
                });
            }
            if ch == '\n' {
                line += 1;
                col = 1;
                continue;
            }
        } else if start.is_none() {
            start = Some((b, Position { line, col }));
        }
        col += 1;
    }
    if let Some((s, at)) = start {
        tokens.push(Token {
            text: &text[s..],
            at,
        });
    }
    (tokens, Position { line, col })
}

const NUMBER_HINT: &str =
    "numbers look like 7500, 7500. or 1.5e3; a stray word or a missing value usually means a row has too few or too many entries";
const VALUE_HINT: &str =
    "capacities, fixed costs, demands and costs must be finite and zero or more";

struct Reader<'a> {
    file: &'a Path,
    tokens: Vec<Token<'a>>,
    next: usize,
    end: Position,
    /// (m, n, total numbers expected) once the header is read.
    sizes: Option<(usize, usize, usize)>,
}

impl<'a> Reader<'a> {
    fn err(&self, at: Position, kind: CflpErrorKind, message: String, hint: &str) -> CflpError {
        let problem = InputError::new(self.file, kind.stable_code(), message)
            .at(at.line as u64, Some(at.col as u64));
        CflpError {
            problem: Box::new(problem),
            kind,
            hint: hint.to_string(),
        }
    }

    fn take(&mut self, what: &dyn Fn() -> String) -> Result<&Token<'a>, CflpError> {
        let i = self.next;
        if i >= self.tokens.len() {
            let (message, hint) = match self.sizes {
                Some((m, n, total)) => (
                    format!(
                        "file ends after {i} of {total} expected numbers, while reading {}",
                        what()
                    ),
                    format!(
                        "the header says {m} sites and {n} customers, so the file needs 2 + 2*{m} + {n}*({m}+1) = {total} numbers; check the file is complete and the header is right"
                    ),
                ),
                None => (
                    format!(
                        "file ends after {i} numbers, while reading {}",
                        what()
                    ),
                    "an OR-Library cap file starts with `m n` (sites, customers), e.g. `16 50`".to_string(),
                ),
            };
            return Err(self.err(self.end, CflpErrorKind::Truncated, message, &hint));
        }
        self.next += 1;
        Ok(&self.tokens[i])
    }

    fn size(&mut self, what: &dyn Fn() -> String) -> Result<usize, CflpError> {
        let tok = self.take(what)?;
        let (text, at) = (tok.text, tok.at);
        let hint = "the file starts with `m n`: whole numbers of sites and customers, e.g. `16 50`";
        let Ok(v) = text.parse::<usize>() else {
            let message = format!("expected a whole number for {}, found '{text}'", what());
            return Err(self.err(at, CflpErrorKind::BadNumber, message, hint));
        };
        if v == 0 || v > MAX_SIZE {
            let message = format!("{} is {v}; it must be between 1 and {MAX_SIZE}", what());
            let mut e = self.err(at, CflpErrorKind::BadSize, message, hint);
            if v > MAX_SIZE {
                e.problem.code = Code::TooLarge;
            }
            return Err(e);
        }
        Ok(v)
    }

    /// A finite, non-negative number; `word` is a literal accepted instead (returns `None`).
    fn number(
        &mut self,
        what: &dyn Fn() -> String,
        word: Option<&str>,
    ) -> Result<(Option<f64>, Position), CflpError> {
        let tok = self.take(what)?;
        let (text, at) = (tok.text, tok.at);
        if word.is_some_and(|w| text.eq_ignore_ascii_case(w)) {
            return Ok((None, at));
        }
        let Ok(v) = text.parse::<f64>() else {
            let message = format!("expected a number for {}, found '{text}'", what());
            return Err(self.err(at, CflpErrorKind::BadNumber, message, NUMBER_HINT));
        };
        if !v.is_finite() {
            let message = format!("{} is not a finite number ('{text}')", what());
            return Err(self.err(at, CflpErrorKind::NonFinite, message, VALUE_HINT));
        }
        if v < 0.0 {
            let message = format!("{} is negative ({text})", what());
            return Err(self.err(at, CflpErrorKind::Negative, message, VALUE_HINT));
        }
        Ok((Some(v), at))
    }

    fn value(&mut self, what: &dyn Fn() -> String) -> Result<f64, CflpError> {
        match self.number(what, None)? {
            (Some(v), _) => Ok(v),
            // Unreachable: no literal word was allowed; keep a typed error rather than panic.
            (None, at) => Err(self.err(
                at,
                CflpErrorKind::BadNumber,
                format!("expected a number for {}", what()),
                NUMBER_HINT,
            )),
        }
    }
}

/// Reads an OR-Library capacitated warehouse location file.
///
/// Format (whitespace-separated tokens, line breaks not significant): `m n`; m pairs
/// `capacity fixed_cost`; then per customer `demand` followed by m costs. In capa/capb/capc
/// every capacity is the word `capacity`; `capacity_override` must then give it. An override
/// also replaces numeric capacities. Every error names the file, line and column.
pub fn read_cflp(path: &Path, capacity_override: Option<f64>) -> Result<CflpInstance, CflpError> {
    let max = placeplan_io::csvread::MAX_FILE_BYTES;
    let read = placeplan_io::csvread::read_input_text(path, max);
    let text = read.map_err(|e| CflpError {
        problem: Box::new(InputError::new(
            path,
            e.code,
            format!("cannot read the file: {}", e.message),
        )),
        kind: CflpErrorKind::Io,
        hint: "check the path; the file must be plain text (OR-Library cap format)".to_string(),
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_cflp(path, &name, &text, capacity_override)
}

fn parse_cflp(
    file: &Path,
    name: &str,
    text: &str,
    capacity_override: Option<f64>,
) -> Result<CflpInstance, CflpError> {
    let (tokens, end) = tokenize(text);
    let mut r = Reader {
        file,
        tokens,
        next: 0,
        end,
        sizes: None,
    };
    let m = r.size(&|| "the number of sites m".to_string())?;
    let n = r.size(&|| "the number of customers n".to_string())?;
    // m, n <= MAX_SIZE so this cannot overflow on 64-bit; stay checked for 32-bit targets.
    let total = n
        .checked_mul(m + 1)
        .and_then(|v| v.checked_add(2 + 2 * m))
        .unwrap_or(usize::MAX);
    r.sizes = Some((m, n, total));

    // Allocate by what the file can actually hold, not by what the header claims.
    let room = r.tokens.len();
    let mut capacity = Vec::with_capacity(m.min(room));
    let mut fixed = Vec::with_capacity(m.min(room));
    for i in 1..=m {
        let (cap, at) = r.number(&|| format!("the capacity of site {i}"), Some("capacity"))?;
        let cap = match (capacity_override, cap) {
            (Some(o), _) if !o.is_finite() || o < 0.0 => {
                let mut e = r.err(
                    at,
                    CflpErrorKind::BadOverride,
                    format!("the capacity override {o} is not a finite number of zero or more"),
                    "pass the capacity from the data README table, e.g. 8000 for capa",
                );
                if o < 0.0 {
                    e.problem.code = Code::Negative;
                }
                return Err(e);
            }
            (Some(o), _) => o,
            (None, Some(c)) => c,
            (None, None) => {
                return Err(r.err(
                    at,
                    CflpErrorKind::MissingCapacity,
                    format!(
                        "the capacity of site {i} is the word 'capacity' and no capacity override was given"
                    ),
                    "capa, capb and capc leave the capacity to be chosen: pass an override such as 8000 (capa) or 5000 (capb, capc); see the data README",
                ));
            }
        };
        capacity.push(cap);
        fixed.push(r.value(&|| format!("the fixed cost of site {i}"))?);
    }
    let mut demand = Vec::with_capacity(n.min(room));
    let mut cost = Vec::with_capacity(n.min(room));
    for j in 1..=n {
        demand.push(r.value(&|| format!("the demand of customer {j}"))?);
        let mut row = Vec::with_capacity(m);
        for i in 1..=m {
            row.push(r.value(&|| format!("the cost of serving customer {j} from site {i}"))?);
        }
        cost.push(row);
    }
    if let Some(extra) = r.tokens.get(r.next) {
        let left = r.tokens.len() - r.next;
        return Err(r.err(
            extra.at,
            CflpErrorKind::Trailing,
            format!(
                "{left} extra token(s) after the {total} numbers the header asks for, starting with '{}'",
                extra.text
            ),
            &format!(
                "the header says {m} sites and {n} customers; if the file holds more, the header is wrong or two files were joined"
            ),
        ));
    }
    Ok(CflpInstance {
        name: name.to_string(),
        capacity,
        fixed,
        demand,
        cost,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, o: Option<f64>) -> Result<CflpInstance, CflpError> {
        parse_cflp(Path::new("t.txt"), "t", text, o)
    }

    #[test]
    fn reads_a_small_instance() {
        let inst = parse("2 1\n10 5.\n 20 7\n3 1.5 2.5\n", None);
        let inst = inst.map_err(|e| e.to_string());
        assert_eq!(
            inst,
            Ok(CflpInstance {
                name: "t".into(),
                capacity: vec![10.0, 20.0],
                fixed: vec![5.0, 7.0],
                demand: vec![3.0],
                cost: vec![vec![1.5, 2.5]],
            })
        );
    }

    #[test]
    fn positions_count_lines_and_columns_from_one() {
        let e = parse("1 1\n5 x\n", None).err();
        let e = e.map(|e| (e.kind, e.at(), e.to_string()));
        assert_eq!(
            e,
            Some((
                CflpErrorKind::BadNumber,
                Some(Position { line: 2, col: 3 }),
                format!(
                    "t.txt:2:3: E101 expected a number for the fixed cost of site 1, found 'x'\n    hint: {NUMBER_HINT}"
                )
            ))
        );
    }

    #[test]
    fn rejects_non_finite_negative_sizes_and_trailing() {
        let kind = |t: &str| parse(t, None).err().map(|e| e.kind);
        assert_eq!(kind("1 1 5 inf 1 1"), Some(CflpErrorKind::NonFinite));
        assert_eq!(kind("1 1 5 NaN 1 1"), Some(CflpErrorKind::NonFinite));
        assert_eq!(kind("1 1 5 1 -1 1"), Some(CflpErrorKind::Negative));
        assert_eq!(kind("0 1"), Some(CflpErrorKind::BadSize));
        assert_eq!(kind("1 100001"), Some(CflpErrorKind::BadSize));
        assert_eq!(kind("1.5 1"), Some(CflpErrorKind::BadNumber));
        assert_eq!(kind("1 1 5 1 1 1 9"), Some(CflpErrorKind::Trailing));
        assert_eq!(kind(""), Some(CflpErrorKind::Truncated));
        assert_eq!(kind("100000 100000 1"), Some(CflpErrorKind::Truncated));
    }

    /// Regression: reader problems had no code of the kind every other input problem has.
    #[test]
    fn reader_problems_have_stable_codes() {
        let code = |t: &str, o: Option<f64>| parse(t, o).err().map(|e| e.code().as_str());
        assert_eq!(code("1 1 5 x 1 1", None), Some("E101"));
        assert_eq!(code("1 1 5 inf 1 1", None), Some("E101"));
        assert_eq!(code("1 1 5 1 -1 1", None), Some("E102"));
        assert_eq!(code("0 1", None), Some("E003"));
        assert_eq!(code("1 100001", None), Some("E005"));
        assert_eq!(code("1 1 5 1 1", None), Some("E003"));
        assert_eq!(code("1 1 5 1 1 1 9", None), Some("E003"));
        assert_eq!(code("1 1 capacity 1 1 1", None), Some("E110"));
        assert_eq!(code("1 1 5 1 1 1", Some(-1.0)), Some("E102"));
        assert_eq!(code("1 1 5 1 1 1", Some(f64::NAN)), Some("E101"));
        let missing = read_cflp(Path::new("/nonexistent/cap41.txt"), None);
        assert_eq!(missing.err().map(|e| e.code().as_str()), Some("E001"));
    }

    #[test]
    fn capacity_word_needs_an_override_which_replaces_numbers_too() {
        let e = parse("1 1 capacity 1 1 1", None).err().map(|e| e.kind);
        assert_eq!(e, Some(CflpErrorKind::MissingCapacity));
        let cap = |t: &str| parse(t, Some(8.0)).map(|i| i.capacity).ok();
        assert_eq!(cap("1 1 capacity 1 1 1"), Some(vec![8.0]));
        assert_eq!(cap("1 1 5 1 1 1"), Some(vec![8.0]));
        let e = parse("1 1 5 1 1 1", Some(-1.0)).err().map(|e| e.kind);
        assert_eq!(e, Some(CflpErrorKind::BadOverride));
    }
}
