//! Cohort-progression (stock-flow) forecast of EHC plans and specialist places.
//!
//! State: plans by locality x single year of age 0-25 x need. Each January everyone ages one
//! year and continues with a rate by age; new plans = population(age) x incidence(age, need) x a
//! locality factor x a damped trend. Specialist demand = plans x the share by need and phase that
//! history shows in specialist provision (resourced base, special, independent).
//!
//! Calibration from the scenario's history (LA level, single years of age):
//! * new plans at age a in year y are the residual `plans(y, a) - c(a-1) * plans(y-1, a-1)`
//!   (floored at 0), with c the continuation rates below; incidence = new / population;
//! * the trend g is the log-linear slope of the all-age new-plan rate over the history years,
//!   clamped to +-`max_rate_growth`, and damped by `trend_damping` per year ahead;
//! * the locality factor is (observed + k) / (expected + k) with k = `shrinkage_plans`,
//!   so small areas are pulled towards the LA rate.
//!
//! Policy levers (`[[levers]]`) multiply the new-plan rate, the specialist share of cohorts
//! entering a phase, or post-19 continuation, each from a start year with a linear ramp. The
//! "unmitigated" forecast ignores them; the "mitigated" forecast applies them.
//!
//! Uncertainty: `runs` seeded Monte Carlo draws of the trend (its regression standard error), the
//! base-year level (standard error of the fitted level), year-to-year noise in the new-plan rate
//! (the residual spread of the fit), each phase's specialist share (its spread over the history
//! years) and the leaving rates (a fixed 10% log-scale spread). Every reported cell and total gets
//! the central projection (all draws at their centre) and the P10/P50/P90 over runs; totals are
//! summed within each run before percentiles are taken. Runs are drawn from `(seed, run)` streams,
//! so results do not depend on thread count or order.
//!
//! `calibrate` fits every rate from history, `fit` is the log-linear fit it uses, `project`
//! runs the projection and its Monte Carlo runs for each variant, and `demand` rounds the
//! specialist forecast to whole pupils by demand group.

mod calibrate;
mod demand;
mod fit;
mod project;

use crate::domain::{AgeGroup, Need, Phase, Scenario, N_AGES};

pub use calibrate::{calibrate, Calibration, LEAVING_SD};
pub use demand::{Demand, DemandGroup};
pub use fit::{log_linear_fit, log_linear_growth, LogLinearFit};
pub use project::{forecast, forecast_variant, forecasts};

/// Share of plans at age a still held at age a+1 (index a). National 2024->25 orientation:
/// ~0.97-1.00 at 6-16, 0.95 at 17, 0.85 at 18, 0.78 at 19, 0.64-0.74 at 20-23, 0.18 at 25.
pub const CONTINUATION: [f64; N_AGES] = [
    0.97, 0.97, 0.97, 0.97, 0.97, // into ages 1-5
    0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, 0.985, // into 6-16
    0.95, 0.85, 0.78, // into 17, 18, 19
    0.74, 0.70, 0.67, 0.64, // into 20-23
    0.45, 0.18, // into 24, 25
    0.0,  // nobody continues past 25
];

const N_NEEDS: usize = Need::ALL.len();

const N_PHASES: usize = Phase::ALL.len();

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_rates_are_shares() {
        assert!(CONTINUATION.iter().all(|c| (0.0..=1.0).contains(c)));
        assert_eq!(CONTINUATION[N_AGES - 1], 0.0);
    }
}
