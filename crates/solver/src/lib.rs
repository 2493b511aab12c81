//! placeplan-solver: the allocation model (good_lp), its engines and backends, warm starts,
//! and the baselines. good_lp types never leave this crate.

mod backend;
pub mod baseline;
pub mod cflp;
pub mod export;
mod extract;
pub mod flow;
pub mod formulation;
mod lp;
pub mod netsimplex;
mod pricing;
mod replace;
mod round;
pub mod solve;
pub mod warm;
mod whole;

pub use cflp::lagrange as cflp_lagrange;
pub use formulation::Options;
pub use solve::{solve, solve_chained, Backend, SolveError};
pub use warm::Chain;
