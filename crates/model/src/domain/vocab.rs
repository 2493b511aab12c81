//! The vocabulary of SEND planning: primary needs, age groups, phases, kinds of provision and
//! school, and small sets of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Primary need, as coded in SEN2 and the school census.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Need {
    #[serde(rename = "ASD")]
    Asd,
    #[serde(rename = "SLCN")]
    Slcn,
    #[serde(rename = "SEMH")]
    Semh,
    #[serde(rename = "MLD")]
    Mld,
    #[serde(rename = "SLD")]
    Sld,
    #[serde(rename = "PMLD")]
    Pmld,
    #[serde(rename = "SpLD")]
    Spld,
    #[serde(rename = "HI")]
    Hi,
    #[serde(rename = "VI")]
    Vi,
    #[serde(rename = "MSI")]
    Msi,
    #[serde(rename = "PD")]
    Pd,
    #[serde(rename = "OTH")]
    Oth,
}

impl Need {
    pub const ALL: [Need; 12] = [
        Need::Asd,
        Need::Slcn,
        Need::Semh,
        Need::Mld,
        Need::Sld,
        Need::Pmld,
        Need::Spld,
        Need::Hi,
        Need::Vi,
        Need::Msi,
        Need::Pd,
        Need::Oth,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Need::Asd => "ASD",
            Need::Slcn => "SLCN",
            Need::Semh => "SEMH",
            Need::Mld => "MLD",
            Need::Sld => "SLD",
            Need::Pmld => "PMLD",
            Need::Spld => "SpLD",
            Need::Hi => "HI",
            Need::Vi => "VI",
            Need::Msi => "MSI",
            Need::Pd => "PD",
            Need::Oth => "OTH",
        }
    }

    /// Position in [`Need::ALL`], for dense arrays.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Need {
    type Err = ();
    /// Case-insensitive; `OTHER` is accepted for `OTH`.
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim();
        Need::ALL
            .iter()
            .copied()
            .find(|n| n.code().eq_ignore_ascii_case(t))
            .or_else(|| t.eq_ignore_ascii_case("OTHER").then_some(Need::Oth))
            .ok_or(())
    }
}

/// School phase. Each DfE age band maps to exactly one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    EarlyYears,
    Primary,
    Secondary,
    Post16,
    Post19,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::EarlyYears,
        Phase::Primary,
        Phase::Secondary,
        Phase::Post16,
        Phase::Post19,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Phase::EarlyYears => "early_years",
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Post16 => "post16",
            Phase::Post19 => "post19",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The DfE age band taught in this phase.
    pub fn age_group(self) -> AgeGroup {
        AgeGroup::ALL[self.index()]
    }

    /// Phase of a child of this age (in whole years at the January census).
    pub fn of_age(age: u8) -> Phase {
        AgeGroup::of_age(age).phase()
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Phase {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match t.as_str() {
            "early_years" | "ey" | "nursery" => Ok(Phase::EarlyYears),
            "primary" => Ok(Phase::Primary),
            "secondary" => Ok(Phase::Secondary),
            "post16" | "post_16" | "sixth_form" => Ok(Phase::Post16),
            "post19" | "post_19" => Ok(Phase::Post19),
            _ => Err(()),
        }
    }
}

/// DfE age bands used in SEN2 tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AgeGroup {
    #[serde(rename = "0-4")]
    A0to4,
    #[serde(rename = "5-10")]
    A5to10,
    #[serde(rename = "11-15")]
    A11to15,
    #[serde(rename = "16-19")]
    A16to19,
    #[serde(rename = "20-25")]
    A20to25,
}

impl AgeGroup {
    pub const ALL: [AgeGroup; 5] = [
        AgeGroup::A0to4,
        AgeGroup::A5to10,
        AgeGroup::A11to15,
        AgeGroup::A16to19,
        AgeGroup::A20to25,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AgeGroup::A0to4 => "0-4",
            AgeGroup::A5to10 => "5-10",
            AgeGroup::A11to15 => "11-15",
            AgeGroup::A16to19 => "16-19",
            AgeGroup::A20to25 => "20-25",
        }
    }

    /// Inclusive age range.
    pub fn ages(self) -> std::ops::RangeInclusive<u8> {
        match self {
            AgeGroup::A0to4 => 0..=4,
            AgeGroup::A5to10 => 5..=10,
            AgeGroup::A11to15 => 11..=15,
            AgeGroup::A16to19 => 16..=19,
            AgeGroup::A20to25 => 20..=25,
        }
    }

    pub fn of_age(age: u8) -> AgeGroup {
        match age {
            0..=4 => AgeGroup::A0to4,
            5..=10 => AgeGroup::A5to10,
            11..=15 => AgeGroup::A11to15,
            16..=19 => AgeGroup::A16to19,
            _ => AgeGroup::A20to25,
        }
    }

    pub fn phase(self) -> Phase {
        Phase::ALL[self as usize]
    }
}

impl fmt::Display for AgeGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Oldest age (in years at the January census) that placeplan plans for.
pub const MAX_AGE: u8 = 25;
/// Number of single years of age, 0..=25.
pub const N_AGES: usize = MAX_AGE as usize + 1;

/// Where a child or young person with a plan is educated (history file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProvisionKind {
    /// Mainstream school with support: no specialist place.
    Mainstream,
    /// Resourced provision or SEN unit inside a mainstream school.
    ResourcedBase,
    /// Maintained or academy special school.
    Special,
    /// Independent or non-maintained special school, in or out of area.
    Independent,
    /// FE college or other post-16 mainstream setting.
    FurtherEducation,
    /// Early-years settings, alternative provision, not in education, other.
    Other,
    /// Another authority's school, for the authority's pupils placed there before the plan
    /// (`placed_elsewhere.csv`). Not a history setting: history counts these pupils in the
    /// setting they are in (special, independent, resourced).
    OtherAuthority,
}

impl ProvisionKind {
    pub const ALL: [ProvisionKind; 6] = [
        ProvisionKind::Mainstream,
        ProvisionKind::ResourcedBase,
        ProvisionKind::Special,
        ProvisionKind::Independent,
        ProvisionKind::FurtherEducation,
        ProvisionKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProvisionKind::Mainstream => "mainstream",
            ProvisionKind::ResourcedBase => "resourced_base",
            ProvisionKind::Special => "special",
            ProvisionKind::Independent => "independent",
            ProvisionKind::FurtherEducation => "fe",
            ProvisionKind::Other => "other",
            ProvisionKind::OtherAuthority => "other_authority",
        }
    }

    /// True for provision that needs a specialist place (what placeplan plans).
    pub fn is_specialist(self) -> bool {
        matches!(
            self,
            ProvisionKind::ResourcedBase
                | ProvisionKind::Special
                | ProvisionKind::Independent
                | ProvisionKind::OtherAuthority
        )
    }
}

impl FromStr for ProvisionKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        let t = s.trim().to_ascii_lowercase();
        ProvisionKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == t)
            .or(match t.as_str() {
                "rb" | "rp" | "sen_unit" | "unit" | "resourced_provision" => {
                    Some(ProvisionKind::ResourcedBase)
                }
                "inmss" => Some(ProvisionKind::Independent),
                _ => None,
            })
            .ok_or(())
    }
}

/// Kind of school in `schools.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolKind {
    Mainstream,
    Special,
    Independent,
    Post16,
    /// A candidate site for a new special school: no pupils today.
    Site,
}

impl SchoolKind {
    pub fn code(self) -> &'static str {
        match self {
            SchoolKind::Mainstream => "mainstream",
            SchoolKind::Special => "special",
            SchoolKind::Independent => "independent",
            SchoolKind::Post16 => "post16",
            SchoolKind::Site => "site",
        }
    }
}

impl FromStr for SchoolKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.trim().to_ascii_lowercase().as_str() {
            "mainstream" => Ok(SchoolKind::Mainstream),
            "special" => Ok(SchoolKind::Special),
            "independent" => Ok(SchoolKind::Independent),
            "post16" | "post_16" | "fe" => Ok(SchoolKind::Post16),
            "site" => Ok(SchoolKind::Site),
            _ => Err(()),
        }
    }
}

/// A set of phases, as a bit set over [`Phase::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PhaseSet(u8);

impl PhaseSet {
    pub fn with(self, p: Phase) -> PhaseSet {
        PhaseSet(self.0 | 1 << p.index())
    }
    pub fn contains(self, p: Phase) -> bool {
        self.0 & (1 << p.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Phase> {
        Phase::ALL.into_iter().filter(move |p| self.contains(*p))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A set of needs, as a bit set over [`Need::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeedSet(u16);

impl NeedSet {
    pub fn all() -> NeedSet {
        NeedSet((1 << Need::ALL.len()) - 1)
    }
    pub fn with(self, n: Need) -> NeedSet {
        NeedSet(self.0 | 1 << n.index())
    }
    pub fn contains(self, n: Need) -> bool {
        self.0 & (1 << n.index()) != 0
    }
    pub fn iter(self) -> impl Iterator<Item = Need> {
        Need::ALL.into_iter().filter(move |n| self.contains(*n))
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// `ASD;SLCN`, or `ANY` for every need.
    pub fn label(self) -> String {
        if self == NeedSet::all() {
            return "ANY".to_string();
        }
        self.iter().map(Need::code).collect::<Vec<_>>().join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn need_codes_round_trip() {
        for n in Need::ALL {
            assert_eq!(n.code().parse::<Need>(), Ok(n));
            assert_eq!(Need::ALL[n.index()], n);
        }
        assert_eq!("spld".parse::<Need>(), Ok(Need::Spld));
        assert!("XYZ".parse::<Need>().is_err());
    }
    #[test]
    fn ages_map_to_dfe_bands_and_phases() {
        assert_eq!(AgeGroup::of_age(4), AgeGroup::A0to4);
        assert_eq!(AgeGroup::of_age(5), AgeGroup::A5to10);
        assert_eq!(AgeGroup::of_age(10), AgeGroup::A5to10);
        assert_eq!(AgeGroup::of_age(11), AgeGroup::A11to15);
        assert_eq!(AgeGroup::of_age(16), AgeGroup::A16to19);
        assert_eq!(AgeGroup::of_age(19), AgeGroup::A16to19);
        assert_eq!(AgeGroup::of_age(20), AgeGroup::A20to25);
        assert_eq!(Phase::of_age(11), Phase::Secondary);
        for g in AgeGroup::ALL {
            assert_eq!(g.phase().age_group(), g);
            for a in g.ages() {
                assert_eq!(AgeGroup::of_age(a), g);
            }
        }
    }
    #[test]
    fn sets() {
        let s = NeedSet::default().with(Need::Asd).with(Need::Semh);
        assert!(s.contains(Need::Asd) && !s.contains(Need::Mld));
        assert_eq!(s.label(), "ASD;SEMH");
        assert_eq!(NeedSet::all().label(), "ANY");
        let p = PhaseSet::default().with(Phase::Primary);
        assert_eq!(p.iter().collect::<Vec<_>>(), vec![Phase::Primary]);
    }
}
