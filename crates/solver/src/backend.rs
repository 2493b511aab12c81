//! The backends placeplan can solve with, and why a solve returns no plan.

use std::fmt;
use std::str::FromStr;

use placeplan_model::error::{Code, CodedError};

/// LP/MIP backends placeplan can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// placeplan's exact min-cost-flow engine ([`crate::flow`]) for runs with continuous places;
    /// runs it cannot prove optimal (modular bases, stability rows) go to microlp. Always built.
    Flow,
    /// Pure-Rust simplex and branch-and-bound (good_lp `microlp`); always built.
    Microlp,
    /// HiGHS (good_lp `highs`); built with the `highs` cargo feature.
    Highs,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flow => "flow",
            Backend::Microlp => "microlp",
            Backend::Highs => "highs",
        }
    }
    /// Whether this build includes the backend.
    pub fn is_available(self) -> bool {
        match self {
            Backend::Flow | Backend::Microlp => true,
            Backend::Highs => cfg!(feature = "highs"),
        }
    }
    /// Every backend compiled into this build.
    pub fn available() -> Vec<Backend> {
        [Backend::Flow, Backend::Microlp, Backend::Highs]
            .into_iter()
            .filter(|b| b.is_available())
            .collect()
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "flow" => Ok(Backend::Flow),
            "microlp" => Ok(Backend::Microlp),
            "highs" => Ok(Backend::Highs),
            other => Err(format!(
                "unknown backend '{other}' (use flow, microlp or highs)"
            )),
        }
    }
}

/// Why no plan came back. Each kind has a stable code ([`SolveError::code`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    /// No plan satisfies the constraints; the strings say why in plain words.
    #[error("no feasible plan:\n  {}", .0.join("\n  "))]
    Infeasible(Vec<String>),
    #[error("backend {0} is not in this build (rebuild with `--features highs`)")]
    Unavailable(Backend),
    #[error("the solver stopped at its time limit before finding any plan")]
    TimeLimit,
    /// The backend failed (numerical trouble, an internal error); the text is the backend's.
    #[error("solver error: {0}")]
    Backend(String),
    /// The backend returned a point that fails the independent re-check of the model.
    #[error("the solver's answer failed the independent check:\n  {}", .0.join("\n  "))]
    CheckFailed(Vec<String>),
}

impl SolveError {
    /// The stable error code of this outcome (docs/errors.md).
    pub fn code(&self) -> Code {
        match self {
            SolveError::Infeasible(_) => Code::NoFeasiblePlan,
            SolveError::Unavailable(_) => Code::BackendUnavailable,
            SolveError::TimeLimit => Code::TimeLimit,
            SolveError::Backend(_) => Code::SolverFailed,
            SolveError::CheckFailed(_) => Code::CheckFailed,
        }
    }

    /// The error with its code, printed as `CODE message` and a hint.
    pub fn coded(&self) -> CodedError {
        CodedError::new(self.code(), self.to_string())
    }
}
