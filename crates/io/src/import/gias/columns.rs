//! The GIAS columns placeplan reads, found in a header by any of their accepted names.

use crate::import::{norm, Header};

/// Column names as the file spells them, looked up once (an absent column reads as empty).
pub(super) struct Cols {
    pub(super) urn: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) group: String,
    pub(super) status: String,
    pub(super) close_date: String,
    pub(super) open_date: String,
    pub(super) phase: String,
    pub(super) low: String,
    pub(super) high: String,
    pub(super) sixth: String,
    pub(super) gender: String,
    pub(super) admissions: String,
    pub(super) easting: String,
    pub(super) northing: String,
    pub(super) lat: String,
    pub(super) lon: String,
    pub(super) capacity: String,
    pub(super) pupils: String,
    pub(super) rp_capacity: String,
    pub(super) rp_roll: String,
    pub(super) unit_capacity: String,
    pub(super) unit_roll: String,
    pub(super) la: Vec<String>,
    pub(super) sen: Vec<String>,
    /// Which optional columns the file has.
    pub(super) has_type: bool,
    pub(super) has_status: bool,
    pub(super) has_easting: bool,
}

pub(super) const URN: &[&str] = &["URN"];
pub(super) const NAME: &[&str] = &[
    "EstablishmentName",
    "Establishment name",
    "school name",
    "name",
];
pub(super) const TYPE: &[&str] = &[
    "TypeOfEstablishment (name)",
    "TypeOfEstablishment",
    "Type of establishment",
];
pub(super) const GROUP: &[&str] = &[
    "EstablishmentTypeGroup (name)",
    "EstablishmentTypeGroup",
    "Establishment type group",
];

impl Cols {
    pub(super) fn new(h: &Header) -> Cols {
        let f = |names: &[&str]| h.col(names);
        let mut sen: Vec<(u32, String)> = h
            .names
            .iter()
            .filter_map(|n| {
                let k = norm(n);
                let k = k.strip_suffix(" (name)").unwrap_or(&k);
                let k = k.strip_prefix("sen")?;
                k.parse::<u32>().ok().map(|k| (k, n.clone()))
            })
            .collect();
        sen.sort();
        Cols {
            urn: f(URN),
            name: f(NAME),
            kind: f(TYPE),
            group: f(GROUP),
            status: f(&[
                "EstablishmentStatus (name)",
                "EstablishmentStatus",
                "Status",
            ]),
            close_date: f(&["CloseDate", "Close date"]),
            open_date: f(&["OpenDate", "Open date"]),
            phase: f(&[
                "PhaseOfEducation (name)",
                "PhaseOfEducation",
                "Phase of education",
            ]),
            low: f(&["StatutoryLowAge", "Statutory low age"]),
            high: f(&["StatutoryHighAge", "Statutory high age"]),
            sixth: f(&["OfficialSixthForm (name)", "OfficialSixthForm"]),
            gender: f(&["Gender (name)", "Gender"]),
            admissions: f(&[
                "AdmissionsPolicy (name)",
                "AdmissionsPolicy",
                "Admissions policy",
            ]),
            easting: f(&["Easting"]),
            northing: f(&["Northing"]),
            lat: f(&["Latitude", "lat"]),
            lon: f(&["Longitude", "lon", "long"]),
            capacity: f(&["SchoolCapacity", "School capacity"]),
            pupils: f(&["NumberOfPupils", "Number of pupils"]),
            rp_capacity: f(&["ResourcedProvisionCapacity"]),
            rp_roll: f(&["ResourcedProvisionOnRoll"]),
            unit_capacity: f(&["SenUnitCapacity"]),
            unit_roll: f(&["SenUnitOnRoll"]),
            la: ["LA (code)", "LA (name)", "DistrictAdministrative (code)"]
                .iter()
                .filter_map(|n| h.find(&[n]))
                .collect(),
            sen: sen.into_iter().map(|x| x.1).collect(),
            has_type: h.find(TYPE).is_some(),
            has_status: h
                .find(&[
                    "EstablishmentStatus (name)",
                    "EstablishmentStatus",
                    "Status",
                ])
                .is_some(),
            has_easting: h.find(&["Easting"]).is_some(),
        }
    }
}

/// Whether a header row is a GIAS establishment table (after a column map).
pub fn is_gias_header(names: &[String]) -> bool {
    let has = |cands: &[&str]| {
        names
            .iter()
            .any(|n| cands.iter().any(|c| norm(c) == norm(n)))
    };
    has(URN) && has(NAME) && (has(TYPE) || has(GROUP))
}
