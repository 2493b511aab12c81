//! placeplan-solver: the allocation model (good_lp), its backends, the independent plan check
//! and the baselines. good_lp types never leave this crate.

pub mod baseline;
pub mod cflp;
pub mod cflp_lagrange;
pub mod check;
pub mod flow;
pub mod formulation;
pub mod netsimplex;
pub mod pipeline;
pub mod solve;
pub mod sweep;
pub mod sweep_report;
pub mod warm;

pub use check::{check, CheckReport};
pub use formulation::Options;
pub use pipeline::{plan_run, Run, RunError};
pub use solve::{solve, solve_chained, Backend, SolveError};
pub use warm::BudgetChain;
