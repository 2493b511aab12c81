//! placeplan-io: files in and out. Scenario loading and validation (`scenario.toml` and its CSV
//! files, every problem with file, line, column, code and hint), the importers of published
//! data (DfE SEN2, GIAS, ONS), the demo and synthetic scenario generators, CSV cells that are
//! safe in a spreadsheet, and atomic, ownership-checked output folders.

pub mod atomic;
pub mod csvcell;
pub mod csvread;
pub mod demo;
pub mod demo_raw;
mod generator;
pub mod import;
pub mod init;
pub mod scenario;
pub mod synth;
pub mod validate;

pub use scenario::load_scenario;
