//! What a GIAS import is asked for and what it gives.

use std::collections::BTreeMap;

use crate::import::ColumnMap;
use placeplan_model::domain::{NeedSet, Phase, PhaseSet, SchoolGender, SchoolKind};

/// What to import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GiasOptions {
    /// Local authorities to keep, each matched case-insensitively against `LA (code)` (e.g.
    /// `344`), `LA (name)` (`Wirral`) or `DistrictAdministrative (code)` (`E08000015`). Empty
    /// keeps every authority. An authority that matches no row is an error (E210).
    pub la: Vec<String>,
    /// Keep closed and proposed establishments too (default: `Open` and `Open, but proposed to
    /// close` only; without a status column, those with no `CloseDate`).
    pub include_closed: bool,
    /// When set, every kept state mainstream school (maintained school, academy or free school)
    /// teaching primary or secondary may host a new resourced base with at most this many new
    /// places (`can_host_base = yes`). Single-sex and selective schools are marked too: the
    /// scenario's `[bases]` rules decide whether they are used.
    pub host_max_places: Option<u32>,
    /// A council's own column names for the GIAS ones (`EstablishmentName=school name`).
    pub columns: ColumnMap,
}

/// One establishment as it goes into `schools.csv` and `capacity.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct GiasSchool {
    pub urn: String,
    pub name: String,
    pub kind: SchoolKind,
    pub phases: PhaseSet,
    pub lat: f64,
    pub lon: f64,
    pub can_host_base: bool,
    pub max_new_places: u32,
    /// Existing specialist places: (needs, phase, places).
    pub capacity: Vec<(NeedSet, Phase, u32)>,
    /// Statutory low and high (leaving) age, when given.
    pub ages: Option<(u8, u8)>,
    pub gender: SchoolGender,
    pub selective: bool,
    /// Line in the GIAS file.
    pub line: u64,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GiasImport {
    /// Kept establishments, by URN.
    pub schools: Vec<GiasSchool>,
    /// Rows left out, counted by reason (e.g. "closed", "type: Pupil referral unit").
    pub skipped: BTreeMap<String, usize>,
}
