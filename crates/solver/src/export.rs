//! The allocation model as built, written for any solver: free MPS and CPLEX LP format.
//!
//! The file holds exactly the model [`crate::solve`] hands its backends for the scenario's
//! default choice of new places ([`Options::optimise`]): the same variables, bounds,
//! integrality, rows and objective (in thousands of pounds, [`crate::formulation::SCALE`]).
//! Columns are named `x<i>` (placements), `y<i>` (new places funded) and `v<i>` (any other
//! variable: openings, whole classes, budget parameters) in the order the model holds them, rows
//! `r<i>` in the order they were built, so the same scenario always gives the same bytes.
//! A constant part of the cost (capital of fixed builds) is not in the file.

use std::fmt::Write as _;

use good_lp::{IntoAffineExpression, Variable};
use placeplan_model::forecast::Demand;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;
use rustc_hash::FxHashMap;

use crate::formulation::{build_model, build_network, Index, Lp, Model, Options};

/// Model file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    /// Free-format MPS.
    Mps,
    /// CPLEX LP format.
    Lp,
}

/// Whether a row is `<=` or `=` (good_lp keeps every row as `expression <= 0` or `= 0`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sense {
    Le,
    Eq,
}

/// One column: what it is (`x` a placement, `y` new places, `v` any other), bounds and
/// integrality. Its name in a model file is that letter and its position ([`names`]).
pub(crate) struct Column {
    pub(crate) kind: char,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) integer: bool,
}

/// A row: its sense, right-hand side and (column, coefficient) pairs sorted by column.
pub(crate) struct Row {
    pub(crate) sense: Sense,
    pub(crate) rhs: f64,
    pub(crate) coefficients: Vec<(usize, f64)>,
}

/// The model in a solver-neutral form.
pub(crate) struct Flat {
    pub(crate) columns: Vec<Column>,
    pub(crate) objective: Vec<(usize, f64)>,
    pub(crate) rows: Vec<Row>,
}

impl Flat {
    /// The objective coefficient of every column (0 where it has none).
    pub(crate) fn costs(&self) -> Vec<f64> {
        let mut cost = vec![0.0; self.columns.len()];
        for &(j, c) in &self.objective {
            cost[j] = c;
        }
        cost
    }
}

/// Writes the model placeplan builds to plan `demand` in `format`.
pub fn write_model(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    format: ModelFormat,
) -> Vec<u8> {
    let opt = Options::optimise();
    let net = build_network(s, travel, demand, &opt);
    let flat = flatten(build_model(s, demand, &net, &opt));
    let text = match format {
        ModelFormat::Mps => mps(&flat),
        ModelFormat::Lp => lp(&flat),
    };
    text.into_bytes()
}

fn flatten(model: Model) -> Flat {
    flatten_parts(&model.lp, &model.index).0
}

/// The LP in solver-neutral form, and the column of each of its variables.
pub(crate) fn flatten_parts(lp: &Lp, index: &Index) -> (Flat, FxHashMap<Variable, usize>) {
    let mut kind: FxHashMap<Variable, char> = FxHashMap::default();
    for x in &index.x {
        kind.insert(x.var, 'x');
    }
    for &(_, _, v) in &index.y {
        kind.insert(v, 'y');
    }
    let mut col_of: FxHashMap<Variable, usize> = FxHashMap::default();
    col_of.reserve(lp.vars.len());
    let mut columns = Vec::with_capacity(lp.vars.len());
    for (i, (v, def)) in lp.vars.iter_variables_with_def().enumerate() {
        col_of.insert(v, i);
        columns.push(Column {
            kind: kind.get(&v).copied().unwrap_or('v'),
            min: def.get_min(),
            max: def.get_max(),
            integer: def.is_integer(),
        });
    }
    let sorted = |pairs: &mut dyn Iterator<Item = (Variable, f64)>| {
        let mut out: Vec<(usize, f64)> = pairs
            .filter(|(_, c)| *c != 0.0)
            .filter_map(|(v, c)| col_of.get(&v).map(|&i| (i, c)))
            .collect();
        out.sort_by_key(|p| p.0);
        out
    };
    let objective = sorted(&mut (&lp.objective).linear_coefficients());
    let rows = lp
        .constraints
        .iter()
        .map(|c| {
            let e = c.expression();
            Row {
                sense: if c.is_equality() {
                    Sense::Eq
                } else {
                    Sense::Le
                },
                rhs: -e.constant(),
                coefficients: sorted(&mut e.linear_coefficients()),
            }
        })
        .collect();
    let flat = Flat {
        columns,
        objective,
        rows,
    };
    (flat, col_of)
}

/// A number as MPS and LP readers take it: shortest round-trip form, never `inf` or `NaN`
/// (the model has none).
fn num(v: f64) -> String {
    format!("{v:?}")
}

/// Each column's name in a model file: its kind's letter and its position (`x0`, `y812`).
fn names(f: &Flat) -> Vec<String> {
    f.columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}{i}", c.kind))
        .collect()
}

fn mps(f: &Flat) -> String {
    let names = names(f);
    let mut o = String::from("NAME placeplan\nROWS\n N  cost\n");
    for (i, r) in f.rows.iter().enumerate() {
        let t = if r.sense == Sense::Eq { 'E' } else { 'L' };
        let _ = writeln!(o, " {t}  r{i}");
    }
    // Entries per column: the objective, then rows in order.
    let mut by_col: Vec<Vec<(String, f64)>> = vec![Vec::new(); f.columns.len()];
    for &(c, v) in &f.objective {
        by_col[c].push(("cost".into(), v));
    }
    for (i, r) in f.rows.iter().enumerate() {
        for &(c, v) in &r.coefficients {
            by_col[c].push((format!("r{i}"), v));
        }
    }
    o.push_str("COLUMNS\n");
    let mut in_int = false;
    let mut marker = 0;
    for (c, col) in f.columns.iter().enumerate() {
        if col.integer != in_int {
            let which = if col.integer { "INTORG" } else { "INTEND" };
            let _ = writeln!(o, "    M{marker} 'MARKER' '{which}'");
            marker += 1;
            in_int = col.integer;
        }
        if by_col[c].is_empty() {
            // A column in no row still exists: give it a zero cost.
            let _ = writeln!(o, "    {} cost 0", names[c]);
        }
        for (row, v) in &by_col[c] {
            let _ = writeln!(o, "    {} {row} {}", names[c], num(*v));
        }
    }
    if in_int {
        let _ = writeln!(o, "    M{marker} 'MARKER' 'INTEND'");
    }
    o.push_str("RHS\n");
    for (i, r) in f.rows.iter().enumerate() {
        if r.rhs != 0.0 {
            let _ = writeln!(o, "    rhs r{i} {}", num(r.rhs));
        }
    }
    o.push_str("BOUNDS\n");
    for (col, n) in f.columns.iter().zip(&names) {
        match (col.min.is_finite(), col.max.is_finite()) {
            (false, false) => {
                let _ = writeln!(o, " FR bnd {n}");
            }
            (lo, hi) => {
                if !lo {
                    let _ = writeln!(o, " MI bnd {n}");
                } else if col.min != 0.0 || col.integer {
                    // Integer columns get an explicit lower bound so no reader takes them as
                    // binary by default.
                    let _ = writeln!(o, " LO bnd {n} {}", num(col.min));
                }
                if hi {
                    let _ = writeln!(o, " UP bnd {n} {}", num(col.max));
                } else if col.integer {
                    let _ = writeln!(o, " PL bnd {n}");
                }
            }
        }
    }
    o.push_str("ENDATA\n");
    o
}

/// `+ 2 x1 - 3 y4` for a linear form.
fn terms(o: &mut String, names: &[String], pairs: &[(usize, f64)]) {
    if pairs.is_empty() {
        if let Some(first) = names.first() {
            let _ = write!(o, " 0 {first}");
        }
        return;
    }
    for &(c, v) in pairs {
        let sign = if v < 0.0 { '-' } else { '+' };
        let _ = write!(o, " {sign} {} {}", num(v.abs()), names[c]);
    }
}

fn lp(f: &Flat) -> String {
    let names = names(f);
    let mut o = String::from("\\ placeplan allocation model\nMinimize\n cost:");
    terms(&mut o, &names, &f.objective);
    o.push_str("\nSubject To\n");
    for (i, r) in f.rows.iter().enumerate() {
        let _ = write!(o, " r{i}:");
        terms(&mut o, &names, &r.coefficients);
        let op = if r.sense == Sense::Eq { "=" } else { "<=" };
        let _ = writeln!(o, " {op} {}", num(r.rhs));
    }
    o.push_str("Bounds\n");
    for (col, n) in f.columns.iter().zip(&names) {
        match (col.min.is_finite(), col.max.is_finite()) {
            (false, false) => {
                let _ = writeln!(o, " {n} free");
            }
            (true, true) => {
                let _ = writeln!(o, " {} <= {n} <= {}", num(col.min), num(col.max));
            }
            (true, false) if col.min != 0.0 => {
                let _ = writeln!(o, " {n} >= {}", num(col.min));
            }
            (false, true) => {
                let _ = writeln!(o, " -inf <= {n} <= {}", num(col.max));
            }
            _ => {}
        }
    }
    let ints: Vec<&str> = f
        .columns
        .iter()
        .zip(&names)
        .filter(|(c, _)| c.integer)
        .map(|(_, n)| n.as_str())
        .collect();
    if !ints.is_empty() {
        o.push_str("General\n");
        for chunk in ints.chunks(8) {
            let _ = writeln!(o, " {}", chunk.join(" "));
        }
    }
    o.push_str("End\n");
    o
}
