//! One local authority's SEN2 history, and the DfE age bands it is counted in.

use std::collections::BTreeMap;

/// The DfE age bands, in order: 0-4, 5-10, 11-15, 16-19, 20-25.
pub const BANDS: [&str; 5] = ["0-4", "5-10", "11-15", "16-19", "20-25"];
/// Width of each band in years of age.
pub const BAND_WIDTH: [u32; 5] = [5, 6, 5, 4, 6];
/// The `characteristic_age` labels the DfE uses for [`BANDS`].
pub const DFE_BAND_LABELS: [&str; 5] = [
    "Under 5",
    "Age 5 to 10",
    "Age 11 to 15",
    "Age 16 to 19",
    "Age 20 to 25",
];

/// One local authority's SEN2 history. Values are counts of plans (statements + EHC plans);
/// `None` is a suppressed, unavailable or absent cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sen2Series {
    /// The authority's current nine-character code (the newest year's `new_la_code`).
    pub la_code: String,
    /// The DfE three-digit code (stable through code-only changes).
    pub old_la_code: String,
    /// The newest year's name.
    pub name: String,
    /// Earlier nine-character codes of the same authority (same old code), oldest first.
    pub former_codes: Vec<String>,
    /// Plans each January by band [`BANDS`]. Before 2015 the DfE has no 20-25 rows (statements
    /// ended at 19), so that band is `None` there.
    pub caseload: BTreeMap<i32, [Option<f64>; 5]>,
    /// The DfE `Total` row each January.
    pub caseload_total: BTreeMap<i32, Option<f64>>,
    /// New plans made in each calendar year (they are in the caseload of the next January).
    pub new_plans: BTreeMap<i32, [Option<f64>; 5]>,
    /// The DfE `Total` row of new plans each calendar year.
    pub new_plans_total: BTreeMap<i32, Option<f64>>,
    /// Plans each January by placement, in [`ProvisionKind::ALL`] order, where the file gives
    /// placements (the current layout's placement columns, or `sen2_estab_caseload.csv`).
    pub placements: BTreeMap<i32, [f64; 6]>,
}

impl Sen2Series {
    /// Total plans in January `year`: the DfE total, else the sum of the bands when bands 0-19 are
    /// all present (a missing 20-25 band counts as none before 2015 only).
    pub fn total(&self, year: i32) -> Option<f64> {
        total_of(
            self.caseload_total.get(&year).copied().flatten(),
            self.caseload.get(&year),
            year,
        )
    }

    /// Total new plans made in calendar `year`, on the same rule as [`Sen2Series::total`].
    pub fn new_total(&self, year: i32) -> Option<f64> {
        total_of(
            self.new_plans_total.get(&year).copied().flatten(),
            self.new_plans.get(&year),
            year + 1,
        )
    }

    /// Plans in January `year` in band `b` (index into [`BANDS`]).
    pub fn band(&self, year: i32, b: usize) -> Option<f64> {
        self.caseload
            .get(&year)
            .and_then(|r| r.get(b).copied().flatten())
    }

    /// New plans made in calendar `year` in band `b`.
    pub fn new_band(&self, year: i32, b: usize) -> Option<f64> {
        self.new_plans
            .get(&year)
            .and_then(|r| r.get(b).copied().flatten())
    }

    /// First and last January with a total.
    pub fn years(&self) -> Option<(i32, i32)> {
        let ys: Vec<i32> = self
            .caseload
            .keys()
            .chain(self.caseload_total.keys())
            .copied()
            .filter(|&y| self.total(y).is_some())
            .collect();
        Some((*ys.iter().min()?, *ys.iter().max()?))
    }

    /// True when `code` names this authority: its current or a former nine-character code, its
    /// three-digit code, or its name (case-insensitive).
    pub fn matches(&self, code: &str) -> bool {
        let c = code.trim();
        self.la_code.eq_ignore_ascii_case(c)
            || self.old_la_code == c
            || self.name.eq_ignore_ascii_case(c)
            || self.former_codes.iter().any(|f| f.eq_ignore_ascii_case(c))
    }
}

fn total_of(total: Option<f64>, bands: Option<&[Option<f64>; 5]>, january: i32) -> Option<f64> {
    if total.is_some() {
        return total;
    }
    let b = bands?;
    let mut sum = 0.0;
    for (i, v) in b.iter().enumerate() {
        match v {
            Some(v) => sum += v,
            // Plans for 20-25 year olds began with the 2014 reforms (first January: 2015).
            None if i == 4 && january < 2015 => {}
            None => return None,
        }
    }
    Some(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_falls_back_to_bands_and_20_25_exists_from_2015() {
        let mut s = Sen2Series::default();
        s.caseload
            .insert(2014, [Some(1.0), Some(2.0), Some(3.0), Some(4.0), None]);
        s.caseload
            .insert(2016, [Some(1.0), Some(2.0), Some(3.0), Some(4.0), None]);
        s.caseload_total.insert(2016, None);
        assert_eq!(s.total(2014), Some(10.0));
        assert_eq!(s.total(2016), None);
        assert_eq!(s.total(2020), None);
    }
}
