//! What a forecast holds: a band (the central projection and percentiles) for every cell and
//! LA total of each plan year, and which variant it is.

use crate::domain::{AgeGroup, Need, Scenario};

/// A forecast quantity: the central projection and the 10th, 50th and 90th percentiles over
/// the Monte Carlo runs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Band {
    /// Projection with every rate at its calibrated value (what the allocation plans for).
    pub central: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Band {
    /// A band with no uncertainty.
    pub fn exact(v: f64) -> Band {
        Band {
            central: v,
            p10: v,
            p50: v,
            p90: v,
        }
    }
}

/// One reported forecast cell.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastCell {
    pub year: i32,
    pub locality: usize,
    pub age_group: AgeGroup,
    pub need: Need,
    /// EHC plans held.
    pub plans: Band,
    /// Of which needing a specialist place.
    pub specialist: Band,
}

/// A total over cells (LA level), summed within each Monte Carlo run before percentiles.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastTotal {
    pub year: i32,
    /// `None` for all ages.
    pub age_group: Option<AgeGroup>,
    pub plans: Band,
    pub specialist: Band,
}

/// The forecast for every plan year.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub variant: Variant,
    pub years: Vec<i32>,
    /// Sorted by year, locality, age group, need; zero cells are left out.
    pub cells: Vec<ForecastCell>,
    /// LA totals by year, for each age group and for all ages.
    pub totals: Vec<ForecastTotal>,
    /// Calibrated yearly trend in the new-plan rate (before damping).
    pub trend: f64,
}

impl Forecast {
    /// Total specialist places by year (central projection).
    pub fn specialist_total(&self, year: i32) -> f64 {
        self.total(year, None).map_or(0.0, |t| t.specialist.central)
    }

    /// The LA total for a year and age group (`None` = all ages).
    pub fn total(&self, year: i32, age_group: Option<AgeGroup>) -> Option<&ForecastTotal> {
        self.totals
            .iter()
            .find(|t| t.year == year && t.age_group == age_group)
    }
}

/// Which forecast: without policy levers, or with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    Unmitigated,
    Mitigated,
}

impl Variant {
    pub fn code(self) -> &'static str {
        match self {
            Variant::Unmitigated => "unmitigated",
            Variant::Mitigated => "mitigated",
        }
    }
}

/// Specialist plans at the base year (LA total), for reports.
pub fn base_year_specialist(s: &Scenario) -> f64 {
    s.history
        .iter()
        .filter(|h| h.year == s.base_year && h.provision.is_specialist())
        .map(|h| h.count)
        .sum()
}
