//! DfE "Get Information About Schools" (GIAS) establishment CSV -> `schools.csv` and
//! `capacity.csv`.
//!
//! Columns used (names as in the GIAS "all establishment data" download, matched
//! case-insensitively): `URN`, `EstablishmentName`, `TypeOfEstablishment (name)`,
//! `EstablishmentStatus (name)`, `PhaseOfEducation (name)`, `StatutoryLowAge`,
//! `StatutoryHighAge`, `OfficialSixthForm (name)`, `Easting`, `Northing` (or `Latitude` /
//! `Longitude`), `SchoolCapacity`, `NumberOfPupils`, `ResourcedProvisionCapacity`,
//! `ResourcedProvisionOnRoll`, `SenUnitCapacity`, `SenUnitOnRoll`, `SEN1 (name)` ..
//! `SEN13 (name)`, and `LA (code)`, `LA (name)`, `DistrictAdministrative (code)` to select
//! authorities. Only `URN`, `EstablishmentName`, `TypeOfEstablishment (name)` and coordinates
//! are required.
//!
//! Mapping:
//! * kind: state special schools (community, foundation, academy and free-school special) ->
//!   `special`; non-maintained and independent special schools -> `independent`; special post-16
//!   institutions -> `post16`; state mainstream schools and academies -> `mainstream`. Other
//!   establishments (independent mainstream, pupil referral units and alternative provision,
//!   FE and HE, children's centres, Welsh and overseas establishments, ...) are skipped and
//!   counted by reason.
//! * phases: `PhaseOfEducation` (middle and all-through schools serve primary and secondary; a
//!   sixth form adds post16); "Not applicable" (most special schools) -> every phase whose age
//!   band overlaps `StatutoryLowAge`..`StatutoryHighAge`.
//! * capacity: special, independent and post-16 schools -> `SchoolCapacity` (else
//!   `NumberOfPupils`); mainstream schools -> resourced provision + SEN unit capacity (else
//!   their numbers on roll). Places are split across the school's phases in proportion to the
//!   years of age each phase covers within the statutory age range (largest remainder, so the
//!   split adds up); needs are the school's `SEN1`..`SEN13` types, or `ANY` when it lists none.
//! * coordinates: British National Grid (OSGB36) eastings and northings -> WGS84 latitude and
//!   longitude ([`osgb36_to_wgs84`]).
//!
//! Only rows that are kept (status, authority and type) are checked; each problem is reported
//! with file:line:column and a stable code.
//!
//! `types` are what an import gives; `columns` finds the GIAS columns in a header;
//! `read` selects the rows to keep; `establishments` maps a kept row's type, phases, ages,
//! gender, admissions and places; `location` converts its coordinates; `write` renders
//! `schools.csv` and `capacity.csv`.

mod columns;
mod establishments;
mod location;
mod read;
mod types;
mod write;

pub use columns::is_gias_header;
pub use location::osgb36_to_wgs84;
pub use read::{parse_date, parse_gias, read_gias};
pub use types::{GiasImport, GiasOptions, GiasSchool};
