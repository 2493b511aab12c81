//! What went wrong in a command, and the exit code it gives.

use std::process::ExitCode;

use placeplan_io::atomic::OutputError;
use placeplan_model::Problems;
use placeplan_solver::{Backend, SolveError};

/// What went wrong, mapped to an exit code.
pub enum Failure {
    /// Exit 2: bad input or usage.
    Input(String),
    /// Exit 1: no feasible plan.
    Infeasible(String),
    /// Exit 2 as well: the solver failed (printed with its code).
    Solver(String),
    /// Exit 2 as well: outputs could not be written, or another failure outside the model.
    Other(anyhow::Error),
}

impl From<Problems> for Failure {
    fn from(p: Problems) -> Self {
        Failure::Input(p.to_string())
    }
}

impl From<OutputError> for Failure {
    fn from(e: OutputError) -> Self {
        Failure::Input(e.to_problem().to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl Failure {
    /// Prints the failure on stderr and returns its exit code.
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Input(msg) | Failure::Solver(msg) => {
                eprintln!("{msg}");
                ExitCode::from(2)
            }
            Failure::Infeasible(msg) => {
                eprintln!("{msg}");
                ExitCode::from(1)
            }
            Failure::Other(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(2)
            }
        }
    }
}

/// `backend`, if this build has it; otherwise E504 (exit 2).
pub fn available(backend: Backend) -> Result<Backend, Failure> {
    if backend.is_available() {
        Ok(backend)
    } else {
        Err(Failure::Input(
            SolveError::Unavailable(backend).coded().to_string(),
        ))
    }
}
