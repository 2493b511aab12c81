//! The kit the demo and the synthetic scenarios are generated with. Given localities (name,
//! centroid, residents, plan rate) and plan targets, it makes every scenario file
//! deterministically from seeded streams:
//!
//! - `rng`: the random streams ([`rng::stream_of`]), weighted picks, an even-spread sequence,
//!   whole-number apportionment and exact-order powers;
//! - `population`: the localities ([`population::Ward`]) and their residents aged 0-25 by year
//!   and age ([`population::population`]);
//! - `caseload`: plan targets ([`caseload::Targets`]), new-plan rates calibrated to them
//!   ([`caseload::calibrate`]) and the cohort simulation of the plan history
//!   ([`caseload::simulate`]);
//! - `schools`: mainstream schools and their names, the specialist designations and the existing
//!   capacity set from the base-year caseload ([`schools::capacity`]);
//! - `files`: the writers of `scenario.toml` (from `[files]` on) and the five CSV files.
//!
//! Each module uses only the ones listed above it. No transcendental maths and fixed formatting,
//! so the same inputs always give the same bytes.

pub(crate) mod caseload;
pub(crate) mod files;
pub(crate) mod population;
pub(crate) mod rng;
pub(crate) mod schools;

use placeplan_model::domain::{AgeGroup, Need, ProvisionKind};

/// First January of the history and of the population.
pub(crate) const FIRST_YEAR: i32 = 2019;
/// Last January with history.
pub(crate) const BASE_YEAR: i32 = 2025;
/// Plan years after the base year.
pub(crate) const HORIZON: i32 = 5;
/// Last plan year (the population runs to it).
pub(crate) const LAST_YEAR: i32 = BASE_YEAR + HORIZON;
pub(crate) const N_POP_YEARS: usize = (LAST_YEAR - FIRST_YEAR + 1) as usize;

pub(crate) const N_NEEDS: usize = Need::ALL.len();
pub(crate) const N_GROUPS: usize = AgeGroup::ALL.len();
pub(crate) const N_PROV: usize = ProvisionKind::ALL.len();

/// The DfE age band (as an index into [`AgeGroup::ALL`]) of a single year of age.
pub(crate) fn group_of(age: usize) -> usize {
    AgeGroup::of_age(age as u8) as usize
}
