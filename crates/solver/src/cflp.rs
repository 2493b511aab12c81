//! Capacitated facility location (CFLP) on OR-Library "cap" instances: a reader for Beasley's
//! file format and a good_lp model, used to prove the MIP path against published optima.
//!
//! Data: sites i = 1..m with capacity `cap[i]` and fixed opening cost `f[i]`; customers
//! j = 1..n with demand `d[j]`; `c[j][i]` is the cost of serving the WHOLE demand of customer j
//! from site i (OR-Library convention, so the cost of a share x is `c[j][i] * x`).
//!
//! Variables: `x[i,j]` in [0, 1], the share of customer j's demand served by site i (demand may
//! be split); `y[i]` in {0, 1}, site i is open.
//!
//! Objective: minimise `sum_{i,j} c[j][i] x[i,j] + sum_i f[i] y[i]`.
//!
//! Constraints:
//! 1. Every customer is served in full: `sum_i x[i,j] = 1` for every j.
//! 2. Capacity of open sites only: `sum_j d[j] x[i,j] <= cap[i] y[i]` for every i.
//! 3. Strong linking: `x[i,j] <= y[i]` for every i and j. Implied by (1)-(2) for integer y,
//!    but it makes the LP relaxation far tighter, which is what keeps branch and bound small.
//! 4. Valid inequality, enough capacity opened in total: `sum_i cap[i] y[i] >= sum_j d[j]`.
//!    Implied by (1)-(2) for integer y; tightens the relaxation and the search.
//!
//! This split-demand model is the one whose optima OR-Library publishes (Beasley 1988, "An
//! algorithm for solving large capacitated warehouse location problems", EJOR 33, 314-325).
//!
//! Before the MIP, [`crate::cflp_lagrange`] bounds the instance and fixes the sites its bounds
//! decide; the model is then built over the remaining sites only (fixed-open sites keep a `y`
//! with both bounds 1), and HiGHS starts from the best plan the bounding pass found.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use good_lp::solvers::SolutionStatus;
use good_lp::{variable, Constraint, Expression, ProblemVariables, ResolutionError, Solution};
use good_lp::{SolverModel, Variable};
use microlp::TerminationReason;
use placeplan_model::domain::{clamp_time_limit, time_limit_duration};
use placeplan_model::error::Code;

use crate::backend::{Backend, SolveError};
use crate::lp::{columns, highs_error, solve_microlp};
use crate::whole::{snap, Near};

/// Largest number of sites or customers the reader accepts.
pub const MAX_SIZE: usize = 100_000;

/// A capacitated facility location instance in OR-Library terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CflpInstance {
    /// File stem, e.g. `cap41`.
    pub name: String,
    /// Capacity of each site, in demand units.
    pub capacity: Vec<f64>,
    /// Fixed cost of opening each site.
    pub fixed: Vec<f64>,
    /// Demand of each customer.
    pub demand: Vec<f64>,
    /// `cost[j][i]`: cost of serving the whole demand of customer j from site i.
    pub cost: Vec<Vec<f64>>,
}

impl CflpInstance {
    pub fn sites(&self) -> usize {
        self.capacity.len()
    }
    pub fn customers(&self) -> usize {
        self.demand.len()
    }
}

/// Where in a file a token starts (1-based line and column, columns counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub col: usize,
}

/// What went wrong while reading a CFLP file; [`CflpErrorKind::code`] names it. The error's
/// stable code (docs/errors.md) is [`CflpError::code`].
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

impl CflpErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            CflpErrorKind::Io => "cflp-io",
            CflpErrorKind::BadNumber => "cflp-bad-number",
            CflpErrorKind::Truncated => "cflp-truncated",
            CflpErrorKind::Negative => "cflp-negative",
            CflpErrorKind::NonFinite => "cflp-non-finite",
            CflpErrorKind::BadSize => "cflp-bad-size",
            CflpErrorKind::Trailing => "cflp-trailing",
            CflpErrorKind::MissingCapacity => "cflp-missing-capacity",
            CflpErrorKind::BadOverride => "cflp-bad-override",
        }
    }
}

impl fmt::Display for CflpErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A CFLP input error: file, position (absent only for I/O errors), a stable code, what was
/// expected and a hint. Displays like every input problem (docs/errors.md):
/// `file:line:col: CODE message` and the hint on the next line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{}: {code} {message}\n    hint: {hint}", .file.display(), at_suffix(.at))]
pub struct CflpError {
    pub file: PathBuf,
    pub at: Option<Position>,
    pub kind: CflpErrorKind,
    pub code: Code,
    pub message: String,
    pub hint: String,
}

impl CflpErrorKind {
    /// The stable code of most errors of this kind ([`CflpError::code`] can be more precise:
    /// a missing file, a size too large, a negative override).
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

fn at_suffix(at: &Option<Position>) -> String {
    match at {
        Some(p) => format!(":{}:{}", p.line, p.col),
        None => String::new(),
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
        CflpError {
            file: self.file.to_path_buf(),
            at: Some(at),
            kind,
            code: kind.stable_code(),
            message,
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
                e.code = Code::TooLarge;
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
        file: path.to_path_buf(),
        at: None,
        kind: CflpErrorKind::Io,
        code: e.code,
        message: format!("cannot read the file: {}", e.message),
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
                    e.code = Code::Negative;
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

/// How a CFLP solve ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CflpResult {
    /// `sum c x + sum f y`, recomputed from the returned values in the instance's units.
    pub objective: f64,
    /// `"optimal"` (proven, gap 0) or `"stopped_at_limit"` (best plan found within the limit).
    pub status: String,
    /// Wall-clock seconds for building and solving the model.
    pub seconds: f64,
    /// Open sites, 0-based, ascending.
    pub open: Vec<usize>,
    /// The Lagrangian lower bound, when the bounding pass ran.
    pub lower_bound: Option<f64>,
    /// Sites the bounds fixed open and fixed closed before the MIP.
    pub fixed_open: usize,
    pub fixed_closed: usize,
}

/// Shares within this of a whole number are snapped (simplex round-off).
const SNAP: Near = Near::Absolute(1e-7);
/// Open-site values within this of 0 or 1 count as integral (backends accept 1e-6).
const INT_TOL: f64 = 1e-5;
/// Feasibility tolerance for the post-solve verification (relative to the row's scale).
const VERIFY_TOL: f64 = 1e-6;

struct CflpModel {
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    /// The sites in the model (those not fixed closed), ascending.
    sites: Vec<usize>,
    /// `x[j][k]`: share of customer j served by site `sites[k]`.
    x: Vec<Vec<Variable>>,
    /// `y[k]`: site `sites[k]` is open (bounds 1..1 when fixed open).
    y: Vec<Variable>,
}

/// Builds variables, objective and constraints (1)-(4) of the module docs over the sites that
/// `fixed` does not close (`fixed[i] = Some(true)` fixes a site open).
fn build(inst: &CflpInstance, fixed: &[Option<bool>]) -> CflpModel {
    let sites: Vec<usize> = (0..inst.sites())
        .filter(|&i| fixed[i] != Some(false))
        .collect();
    let n = inst.customers();
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(sites.len() * (n + 1));
    let y: Vec<Variable> = sites
        .iter()
        .map(|&i| {
            let open = fixed[i] == Some(true);
            vars.add(variable().binary().min(if open { 1.0 } else { 0.0 }))
        })
        .collect();
    for (&i, &v) in sites.iter().zip(&y) {
        objective.add_mul(inst.fixed[i], v);
    }
    let mut x = Vec::with_capacity(n);
    for j in 0..n {
        let row: Vec<Variable> = sites
            .iter()
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        for (&i, &v) in sites.iter().zip(&row) {
            objective.add_mul(inst.cost[j][i], v);
        }
        x.push(row);
    }
    let mut constraints = Vec::with_capacity(n + sites.len() * (n + 1) + 1);
    served_in_full(&x, &mut constraints);
    capacity_of_open_sites(inst, &sites, &x, &y, &mut constraints);
    strong_linking(&x, &y, &mut constraints);
    enough_capacity_opened(inst, &sites, &y, &mut constraints);
    CflpModel {
        vars,
        objective,
        constraints,
        sites,
        x,
        y,
    }
}

/// Constraint (1): `sum_i x[i,j] = 1`.
fn served_in_full(x: &[Vec<Variable>], out: &mut Vec<Constraint>) {
    for row in x {
        let mut e = Expression::with_capacity(row.len());
        for &v in row {
            e.add_mul(1.0, v);
        }
        out.push(e.eq(1.0));
    }
}

/// Constraint (2): `sum_j d[j] x[i,j] - cap[i] y[i] <= 0`.
fn capacity_of_open_sites(
    inst: &CflpInstance,
    sites: &[usize],
    x: &[Vec<Variable>],
    y: &[Variable],
    out: &mut Vec<Constraint>,
) {
    for (k, (&i, &yi)) in sites.iter().zip(y).enumerate() {
        let mut e = Expression::with_capacity(x.len() + 1);
        for (j, row) in x.iter().enumerate() {
            if inst.demand[j] > 0.0 {
                e.add_mul(inst.demand[j], row[k]);
            }
        }
        e.add_mul(-inst.capacity[i], yi);
        out.push(e.leq(0.0));
    }
}

/// Constraint (3): `x[i,j] - y[i] <= 0`.
fn strong_linking(x: &[Vec<Variable>], y: &[Variable], out: &mut Vec<Constraint>) {
    for row in x {
        for (i, &v) in row.iter().enumerate() {
            let mut e = Expression::with_capacity(2);
            e.add_mul(1.0, v);
            e.add_mul(-1.0, y[i]);
            out.push(e.leq(0.0));
        }
    }
}

/// Constraint (4): `sum_i cap[i] y[i] >= sum_j d[j]`.
fn enough_capacity_opened(
    inst: &CflpInstance,
    sites: &[usize],
    y: &[Variable],
    out: &mut Vec<Constraint>,
) {
    let mut e = Expression::with_capacity(y.len());
    for (&i, &v) in sites.iter().zip(y) {
        e.add_mul(inst.capacity[i], v);
    }
    out.push(e.geq(inst.demand.iter().sum::<f64>()));
}

/// Reasons the instance cannot be feasible, found before solving.
fn diagnose(inst: &CflpInstance) -> Vec<String> {
    let mut out = Vec::new();
    let shape_ok = inst.fixed.len() == inst.sites()
        && inst.cost.len() == inst.customers()
        && inst.cost.iter().all(|r| r.len() == inst.sites());
    if !shape_ok {
        out.push(format!(
            "instance {} is malformed: {} capacities, {} fixed costs, {} demands and {} cost rows (each must have one cost per site)",
            inst.name,
            inst.sites(),
            inst.fixed.len(),
            inst.customers(),
            inst.cost.len()
        ));
        return out;
    }
    if inst.sites() == 0 {
        out.push(format!("instance {} has no sites", inst.name));
    }
    let data = [&inst.capacity, &inst.fixed, &inst.demand];
    let mut all = data.into_iter().flatten().chain(inst.cost.iter().flatten());
    if all.any(|v| !v.is_finite()) {
        out.push(format!(
            "instance {} holds a value that is not a finite number",
            inst.name
        ));
    }
    if inst.capacity.iter().chain(&inst.demand).any(|&v| v < 0.0) {
        out.push(format!(
            "instance {} has a negative capacity or demand",
            inst.name
        ));
    }
    let cap: f64 = inst.capacity.iter().sum();
    let dem: f64 = inst.demand.iter().sum();
    // A hair of round-off in the sums (ten sites of 1.1 add up to just under 11) is not a gap.
    if cap < dem - 1e-9 * dem.max(1.0) {
        out.push(format!(
            "all {} sites together hold {cap} but customers demand {dem}; raise capacities",
            inst.sites()
        ));
    }
    out
}

/// Solves the split-demand CFLP to proven optimality (gap 0) unless the time limit stops it.
/// The time limit is brought into the range `[solver] time_limit_s` accepts
/// ([`clamp_time_limit`]), so no value can make an invalid deadline.
pub fn solve_cflp(
    inst: &CflpInstance,
    backend: Backend,
    time_limit_s: f64,
) -> Result<CflpResult, SolveError> {
    let time_limit_s = clamp_time_limit(time_limit_s);
    if !backend.is_available() {
        return Err(SolveError::Unavailable(backend));
    }
    let reasons = diagnose(inst);
    if !reasons.is_empty() {
        return Err(SolveError::Infeasible(reasons));
    }
    let start = Instant::now();
    // Lagrangian bounds fix the sites they can (module cflp_lagrange); the MIP proves the rest.
    let reduction = crate::cflp_lagrange::reduce(inst);
    let all_free = vec![None; inst.sites()];
    let fixed = reduction.as_ref().map_or(&all_free[..], |r| &r.fixed[..]);
    let model = build(inst, fixed);
    let order: Vec<Variable> = model
        .y
        .iter()
        .chain(model.x.iter().flatten())
        .copied()
        .collect();
    #[cfg(feature = "highs")]
    let first_plan = reduction
        .as_ref()
        .map(|r| mip_start(&model, fixed, &r.plan))
        .unwrap_or_default();
    #[cfg(feature = "highs")]
    let has_start = !first_plan.is_empty();
    let unsolved = model.vars.clone().minimise(&model.objective);
    let (values, status) = match backend {
        // Facility location is a MIP, not a flow: the flow backend uses microlp.
        Backend::Microlp | Backend::Flow => {
            let columns = columns(&model.vars, &order)?;
            let p = unsolved.using(good_lp::microlp).with_all(model.constraints);
            // MIP gap 0: exact proof.
            let limits = (time_limit_duration(time_limit_s), 0.0);
            let (values, reason) = solve_microlp(p.as_inner(), &columns, limits, NO_OPEN_SET)?;
            let status = match reason {
                TerminationReason::ProvenOptimal | TerminationReason::MipGap => "optimal",
                _ => "stopped_at_limit",
            };
            (values, status)
        }
        #[cfg(feature = "highs")]
        Backend::Highs => {
            use good_lp::WithInitialSolution;
            let mut p = unsolved
                .using(good_lp::highs)
                .with_initial_solution(first_plan)
                .set_time_limit(time_limit_s)
                .set_threads(1)
                .set_mip_rel_gap(0.0)
                .map_err(|e| SolveError::Backend(e.to_string()))?;
            p.set_verbose(false);
            if has_start {
                // The bounding pass's plan is the incumbent (often already optimal): HiGHS's
                // time goes to the proof, not to primal heuristics.
                p = p.set_option("mip_heuristic_effort", 0.0);
                for h in [
                    "mip_heuristic_run_feasibility_jump",
                    "mip_heuristic_run_rins",
                    "mip_heuristic_run_rens",
                    "mip_heuristic_run_root_reduced_cost",
                    "mip_heuristic_run_zi_round",
                    "mip_heuristic_run_shifting",
                ] {
                    p = p.set_option(h, false);
                }
            }
            finish(p.with_all(model.constraints).solve(), &order)?
        }
        #[cfg(not(feature = "highs"))]
        Backend::Highs => return Err(SolveError::Unavailable(backend)),
    };
    // Back to every site: fixed-closed sites are shut and serve nobody.
    let (m, k) = (inst.sites(), model.sites.len());
    let mut y = vec![0.0; m];
    for (&i, &v) in model.sites.iter().zip(&values[..k]) {
        y[i] = if (v - v.round()).abs() <= INT_TOL {
            v.round()
        } else {
            v
        };
    }
    let rows: Vec<Vec<f64>> = values[k..]
        .chunks(k.max(1))
        .take(inst.customers())
        .map(|chunk| {
            let mut row = vec![0.0; m];
            for (&i, &v) in model.sites.iter().zip(chunk) {
                row[i] = v;
            }
            row
        })
        .collect();
    let x: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
    verify(inst, &x, &y)?;
    let mut objective = 0.0;
    let mut open = Vec::new();
    for (i, &v) in y.iter().enumerate() {
        if v > 0.5 {
            open.push(i);
            objective += inst.fixed[i];
        }
    }
    for (j, row) in x.iter().enumerate() {
        for (i, &v) in row.iter().enumerate() {
            objective += inst.cost[j][i] * snap(v, SNAP);
        }
    }
    let (fixed_open, fixed_closed) = reduction.as_ref().map_or((0, 0), |r| r.counts());
    Ok(CflpResult {
        objective,
        status: status.to_string(),
        seconds: start.elapsed().as_secs_f64(),
        open,
        lower_bound: reduction.as_ref().map(|r| r.lower_bound),
        fixed_open,
        fixed_closed,
    })
}

/// The bounding pass's best plan as a MIP start: its shares, and every site that serves a
/// share (or is fixed open) open.
#[cfg(feature = "highs")]
fn mip_start(
    model: &CflpModel,
    fixed: &[Option<bool>],
    plan: &[(usize, usize, f64)],
) -> Vec<(Variable, f64)> {
    let mut open: Vec<bool> = model
        .sites
        .iter()
        .map(|&i| fixed[i] == Some(true))
        .collect();
    let mut start = Vec::with_capacity(plan.len() + model.sites.len());
    for &(j, i, share) in plan {
        if let Ok(k) = model.sites.binary_search(&i) {
            open[k] = true;
            start.push((model.x[j][k], share));
        }
    }
    for (k, &y) in model.y.iter().enumerate() {
        start.push((y, if open[k] { 1.0 } else { 0.0 }));
    }
    start
}

/// Why an infeasible instance is infeasible, when the backend says so.
const NO_OPEN_SET: &str = "no set of open sites can serve every customer within capacity";

/// Reads a HiGHS outcome (microlp's are read by [`solve_microlp`]).
#[cfg_attr(not(feature = "highs"), allow(dead_code))]
fn finish<S: Solution>(
    r: Result<S, ResolutionError>,
    order: &[Variable],
) -> Result<(Vec<f64>, &'static str), SolveError> {
    match r {
        Ok(sol) => {
            let status = match sol.status() {
                SolutionStatus::Optimal | SolutionStatus::GapLimit => "optimal",
                SolutionStatus::TimeLimit => "stopped_at_limit",
            };
            Ok((order.iter().map(|v| sol.value(*v)).collect(), status))
        }
        Err(e) => Err(highs_error(e, NO_OPEN_SET)),
    }
}

/// Re-checks the returned point against (1)-(3) and integrality without trusting the backend.
fn verify(inst: &CflpInstance, x: &[&[f64]], y: &[f64]) -> Result<(), SolveError> {
    let fail = |what: String| Err(SolveError::CheckFailed(vec![what]));
    if x.len() != inst.customers() {
        return fail(format!("{} customer rows returned", x.len()));
    }
    for (i, &v) in y.iter().enumerate() {
        if v != 0.0 && v != 1.0 {
            return fail(format!("site {} open = {v}, not 0 or 1", i + 1));
        }
    }
    let mut load = vec![0.0; inst.sites()];
    for (j, row) in x.iter().enumerate() {
        let mut served = 0.0;
        for (i, &v) in row.iter().enumerate() {
            if v < -VERIFY_TOL || v > y[i] + VERIFY_TOL {
                return fail(format!(
                    "customer {} share {v} at site {} (open = {})",
                    j + 1,
                    i + 1,
                    y[i]
                ));
            }
            served += v;
            load[i] += inst.demand[j] * v;
        }
        if (served - 1.0).abs() > VERIFY_TOL {
            return fail(format!("customer {} served {served} times", j + 1));
        }
    }
    for (i, &l) in load.iter().enumerate() {
        let cap = inst.capacity[i] * y[i];
        if l > cap + VERIFY_TOL * inst.capacity[i].max(1.0) {
            return fail(format!("site {} carries {l} over capacity {cap}", i + 1));
        }
    }
    Ok(())
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
        let e = e.map(|e| (e.kind, e.at, e.to_string()));
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
        let code = |t: &str, o: Option<f64>| parse(t, o).err().map(|e| e.code.as_str());
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
        assert_eq!(missing.err().map(|e| e.code.as_str()), Some("E001"));
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

    /// Two sites (cap 10, fixed 5 and 100) and two customers of demand 6: site 1 cannot hold
    /// both, so the optimum opens both or splits. Costs make the split worth reasoning about:
    /// open {1,2}: 5 + 100 + best assignment; open {2} alone: 100 + cost via 2 only.
    #[test]
    fn solves_a_hand_worked_split() {
        let inst = CflpInstance {
            name: "hand".into(),
            capacity: vec![10.0, 12.0],
            fixed: vec![5.0, 100.0],
            demand: vec![6.0, 6.0],
            // Serving either customer wholly from site 1 costs 6, from site 2 costs 60.
            cost: vec![vec![6.0, 60.0], vec![6.0, 60.0]],
        };
        // Open both: site 1 takes 10 of the 12 units (shares summing to 10/6), site 2 the
        // remaining 2/6 of a customer: 5 + 100 + 6*(10/6) + 60*(2/6) = 135.
        // Open site 2 only: 100 + 120 = 220. Site 1 alone is infeasible (10 < 12).
        let r = solve_cflp(&inst, Backend::Microlp, 10.0).map_err(|e| e.to_string());
        let r = r.map(|r| ((r.objective * 1e6).round() / 1e6, r.status, r.open));
        assert_eq!(r, Ok((135.0, "optimal".to_string(), vec![0, 1])));
    }
}
