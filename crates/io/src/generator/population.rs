//! Residents aged 0-25 by locality, year and single year of age.

use std::borrow::Cow;

use placeplan_model::domain::N_AGES;

use super::rng::{pow, Rng};
use super::{group_of, BASE_YEAR, FIRST_YEAR, LAST_YEAR, N_GROUPS};

/// Relative population by single year of age (fewer young adults: students leave the borough).
const AGE_PROFILE: [f64; N_AGES] = [
    0.93, 0.95, 0.97, 0.99, 1.01, // 0-4
    1.03, 1.04, 1.05, 1.06, 1.07, 1.08, // 5-10
    1.09, 1.09, 1.08, 1.08, 1.07, // 11-15
    1.05, 1.03, 0.95, 0.86, // 16-19
    0.84, 0.86, 0.89, 0.92, 0.95, 0.97, // 20-25
];
/// Yearly population change by age band (falling births, a bulge moving into secondary).
const POP_DRIFT: [f64; N_GROUPS] = [-0.012, -0.006, 0.007, 0.009, 0.002];

/// A locality (a ward of the demo; a ward or LSOA of [`crate::synth`]): name, centroid, all-age
/// residents, share aged 0-25, relative plan rate.
pub(crate) struct Ward {
    pub(crate) name: Cow<'static, str>,
    pub(crate) lat: f64,
    pub(crate) lon: f64,
    pub(crate) residents: u32,
    pub(crate) young_share: f64,
    pub(crate) plan_factor: f64,
}

/// Residents aged 0-25: `[ward][year - FIRST_YEAR][age]`, for FIRST_YEAR..=LAST_YEAR.
pub(crate) type Population = Vec<Vec<[u32; N_AGES]>>;

/// Each locality's residents aged 0-25 for every year: a common age profile, tilted younger where
/// the plan rate is high and jittered a little, scaled to the locality's young residents in the
/// base year and drifting by age band from it.
pub(crate) fn population(wards: &[Ward], rng: &mut Rng) -> Population {
    wards
        .iter()
        .map(|w| {
            // Deprived wards are younger, the low-rate ones older.
            let tilt = (w.plan_factor - 1.0).clamp(-0.5, 1.0);
            let shape: Vec<f64> = (0..N_AGES)
                .map(|a| {
                    let young_tilt = 1.0 + 0.08 * tilt * (12.5 - a as f64) / 12.5;
                    AGE_PROFILE[a] * young_tilt * rng.between(0.96, 1.04)
                })
                .collect();
            let young = w.residents as f64 * w.young_share;
            let scale = young / shape.iter().sum::<f64>();
            (FIRST_YEAR..=LAST_YEAR)
                .map(|y| {
                    let mut row = [0u32; N_AGES];
                    for (a, c) in row.iter_mut().enumerate() {
                        let drift = pow(1.0 + POP_DRIFT[group_of(a)], y - BASE_YEAR);
                        *c = (shape[a] * scale * drift).round() as u32;
                    }
                    row
                })
                .collect()
        })
        .collect()
}

/// Population used for year `y` (years before the first history year use the first year's).
pub(crate) fn pop_at(pop: &Population, w: usize, y: i32, a: usize) -> f64 {
    let yi = (y.clamp(FIRST_YEAR, LAST_YEAR) - FIRST_YEAR) as usize;
    pop[w][yi][a] as f64
}
