//! Reader for the DfE "Education, health and care plans" (SEN2) underlying data files:
//! `sen2_age_caseload.csv` (statements + EHC plans each January, by geography and age band) and
//! `sen2_age_new_plans.csv` (new plans in each calendar year, by age band).
//!
//! * Only `Local authority` rows are kept; `National` and `Regional` rows (and the other DfE
//!   geographic levels) are recognised and skipped; an unknown level is an error (E121), so a
//!   typo cannot silently drop an authority.
//! * Suppressed or unavailable cells (`x` not available, `c` confidential, `z` not applicable,
//!   `u`, `low`, `:`, `~` and blank) are kept as missing (`None`), never as zero.
//! * Authorities are keyed by `old_la_code` (e.g. 390 Gateshead), which the DfE keeps when the
//!   nine-character ONS code changes without a boundary change (Gateshead E08000020 -> E08000037
//!   in 2014, Northumberland E06000048 -> E06000057, Buckinghamshire E10000002 -> E06000060 in
//!   2021). A boundary change gets a new old code (Dorset 835 -> 838, BCP 839 from 2019,
//!   North/West Northamptonshire 940/941 from 2021), so merged or split authorities are separate
//!   series and their histories stop or start: nothing is spliced.
//! * Every bad row is reported with file:line:column, field and a stable code; reading goes on so
//!   that all problems of a file are reported at once.
//!
//! `series` is one authority's history and the DfE age bands; `kind` tells the SEN2 files
//! apart by their header; `read` reads them into series; `cells` reads a row's year, age
//! band, authority, counts and placements; `report` writes the tidy CSV and the summary;
//! `needs` reads the current release's need breakdown (`sen_needs_all_plans.csv`).

mod cells;
mod kind;
pub mod needs;
mod read;
mod report;
mod series;

pub use cells::SUPPRESSED;
pub use kind::{header_of, Kind};
pub use read::{read_sen2, read_sen2_files};
pub use report::{summary, to_tidy_csv};
pub use series::{Sen2Series, BANDS, BAND_WIDTH, DFE_BAND_LABELS};
