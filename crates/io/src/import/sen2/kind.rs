//! Which SEN2 file a file is, told by its header.

use std::path::Path;

use std::io::Read;

/// Which SEN2 file a row came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `sen2_age_caseload.csv` (2022 release and earlier): plans each January by age band.
    Caseload,
    /// `sen2_age_new_plans.csv`: new plans each calendar year by age band.
    NewPlans,
    /// `sen2_estab_caseload.csv`: plans each January by establishment type.
    Establishments,
    /// The current (2023 on) `caseload.csv`: `time_period` 202425, `breakdown_topic`,
    /// `breakdown`, `ehcplans` and one column per placement.
    Current,
}

impl Kind {
    pub(super) fn value_column(self) -> &'static str {
        match self {
            Kind::Caseload | Kind::Establishments => "total_all",
            Kind::NewPlans => "total_new_all",
            Kind::Current => "ehcplans",
        }
    }

    /// The kind of SEN2 file a header (names in any case) is, if it is one placeplan reads.
    pub fn of_header(names: &[String]) -> Option<Kind> {
        let has = |n: &str| names.iter().any(|h| h.trim().eq_ignore_ascii_case(n));
        if !has("time_period") || !has("geographic_level") {
            return None;
        }
        if has("breakdown_topic") && has("breakdown") && has("ehcplans") {
            Some(Kind::Current)
        } else if has("characteristic_age") && has("total_new_all") {
            Some(Kind::NewPlans)
        } else if has("characteristic_age") && has("total_all") {
            Some(Kind::Caseload)
        } else if has("establishment_type") && has("total_all") {
            Some(Kind::Establishments)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Caseload => "DfE SEN2 caseload by age band (2022 layout)",
            Kind::NewPlans => "DfE SEN2 new plans by age band (2022 layout)",
            Kind::Establishments => "DfE SEN2 caseload by establishment type (2022 layout)",
            Kind::Current => "DfE EHC plans caseload (current layout)",
        }
    }
}

/// The header of a CSV file (first line, byte-order mark dropped), or `None` when it cannot
/// be read (the reader then reports why).
pub fn header_of(path: &Path) -> Option<Vec<String>> {
    use std::io::BufRead;
    let f = crate::csvread::open_input(path, crate::csvread::MAX_FILE_BYTES).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(f.take(1 << 20))
        .read_line(&mut line)
        .ok()?;
    let line = line.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    let rec = rdr.records().next()?.ok()?;
    Some(rec.iter().map(|h| h.trim().to_string()).collect())
}
