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
//! Before the MIP, [`lagrange`] bounds the instance and fixes the sites its bounds
//! decide; the model is then built over the remaining sites only (fixed-open sites keep a `y`
//! with both bounds 1), and HiGHS starts from the best plan the bounding pass found.
//!
//! The parts: the instance type (`instance`), the file reader (`read`), the model (`model`),
//! the checks before and after solving (`verify`), the bounding pass ([`lagrange`]) and the
//! solve (`solve`); the public items of each are re-exported here.

mod instance;
pub mod lagrange;
mod model;
mod read;
mod solve;
mod verify;

pub use instance::CflpInstance;
pub use read::{read_cflp, CflpError, CflpErrorKind, Position, MAX_SIZE};
pub use solve::{solve_cflp, CflpResult};
