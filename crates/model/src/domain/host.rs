//! What the school register says about a school as a host of a new base: the pupils it admits
//! (boys, girls or both), whether it selects by ability, and the ages it teaches.

use std::fmt;
use std::str::FromStr;

use super::vocab::{Phase, PhaseSet};

/// Who a school admits (GIAS `Gender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum SchoolGender {
    /// Boys and girls.
    #[default]
    Mixed,
    Boys,
    Girls,
}

impl SchoolGender {
    pub const ALL: [SchoolGender; 3] =
        [SchoolGender::Mixed, SchoolGender::Boys, SchoolGender::Girls];

    pub fn code(self) -> &'static str {
        match self {
            SchoolGender::Mixed => "mixed",
            SchoolGender::Boys => "boys",
            SchoolGender::Girls => "girls",
        }
    }

    /// A boys' or a girls' school.
    pub fn single_sex(self) -> bool {
        self != SchoolGender::Mixed
    }
}

impl fmt::Display for SchoolGender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for SchoolGender {
    type Err = ();
    /// `mixed`, `boys` or `girls` (GIAS also writes `Mixed`, `Boys`, `Girls`).
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mixed" | "co-educational" | "coeducational" => Ok(SchoolGender::Mixed),
            "boys" | "boy" | "male" => Ok(SchoolGender::Boys),
            "girls" | "girl" | "female" => Ok(SchoolGender::Girls),
            _ => Err(()),
        }
    }
}

/// Phases a school with statutory age range `low` to `high` teaches. The DfE's high age is the
/// age pupils *leave* at (a primary school is 4-11, a secondary 11-16 or 11-18), so the ages
/// taught are `low ..= high - 1`: a phase is taught when its age band overlaps them.
pub fn phases_taught(low: u8, high: u8) -> PhaseSet {
    let last = high.saturating_sub(1).max(low);
    Phase::ALL
        .iter()
        .filter(|p| {
            let a = p.age_group().ages();
            *a.start() <= last && *a.end() >= low
        })
        .fold(PhaseSet::default(), |s, p| s.with(*p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: PhaseSet) -> Vec<&'static str> {
        s.iter().map(|p| p.code()).collect()
    }

    #[test]
    fn the_high_age_is_the_leaving_age() {
        // A primary school 4-11 teaches no secondary pupil; a special school 2-11 neither.
        assert_eq!(codes(phases_taught(4, 11)), ["early_years", "primary"]);
        assert_eq!(codes(phases_taught(2, 11)), ["early_years", "primary"]);
        assert_eq!(codes(phases_taught(11, 16)), ["secondary"]);
        assert_eq!(codes(phases_taught(11, 18)), ["secondary", "post16"]);
        assert_eq!(
            codes(phases_taught(2, 19)),
            ["early_years", "primary", "secondary", "post16"]
        );
        assert_eq!(codes(phases_taught(16, 25)), ["post16", "post19"]);
    }

    #[test]
    fn genders_parse() {
        assert_eq!("Girls".parse(), Ok(SchoolGender::Girls));
        assert_eq!(" mixed ".parse(), Ok(SchoolGender::Mixed));
        assert!("both".parse::<SchoolGender>().is_err());
        assert!(SchoolGender::Boys.single_sex() && !SchoolGender::Mixed.single_sex());
    }
}
