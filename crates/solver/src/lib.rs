//! placeplan-solver: the allocation model (good_lp), its engines and backends, warm starts,
//! and the baselines. good_lp types never leave this crate.

pub mod baseline;
pub mod cflp;
pub mod cflp_lagrange;
pub mod flow;
pub mod formulation;
pub mod netsimplex;
pub mod solve;
pub mod warm;

pub use formulation::Options;
pub use solve::{solve, solve_chained, Backend, SolveError};
pub use warm::BudgetChain;
