//! placeplan-solver: the allocation model (good_lp), its backends, the independent plan check
//! and the baselines. good_lp types never leave this crate.

pub mod baseline;
pub mod cflp;
pub mod check;
pub mod formulation;
pub mod solve;

pub use check::{check, CheckReport};
pub use formulation::Options;
pub use solve::{solve, Backend, SolveError};
