//! placeplan-model: the SEND specialist-place planning domain: scenarios as data, the demand
//! forecast, travel times, plans, the independent plan check, model size and finance. It knows
//! no file format, no renderer and no solver (the compiler holds it to that: it depends on
//! none of them).

pub mod capacity;
pub mod check;
pub mod cohort;
pub mod domain;
pub mod error;
pub mod finance;
pub mod forecast;
pub mod numfmt;
pub mod plan;
pub mod rng;
pub mod size;
pub mod summary;
pub mod travel;

pub use check::{check, CheckReport};
pub use domain::*;
pub use error::{Code, CodedError, InputError, Problems};
