//! placeplan-model: the SEND specialist-place planning domain and everything that needs no solver:
//! scenario loading and validation, the demand forecast, travel times, plans as data, and finance.

mod aggregate;
pub mod atomic;
pub mod backtest;
pub mod compare;
pub mod csvread;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod finance;
pub mod forecast;
pub mod geojson;
pub mod html;
pub mod import;
pub mod io;
pub mod plan;
pub mod rng;
pub mod size;
pub mod synth;
pub mod travel;
pub mod validate;
pub mod xlsx;

pub use domain::*;
pub use error::{Code, CodedError, InputError, Problems};
