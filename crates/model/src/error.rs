//! Input problems: every one carries file, line, column, field, a stable code and a hint.
//! Codes are listed with cause and fix in `docs/errors.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Stable error codes. The numeric code never changes meaning once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// E001 a required file is missing.
    MissingFile,
    /// E002 a file cannot be read (permissions, not UTF-8, a directory).
    Unreadable,
    /// E003 a CSV record is malformed (wrong number of fields, bad quoting).
    MalformedRecord,
    /// E004 a required CSV column is missing from the header.
    MissingColumn,
    /// E005 a file is larger than placeplan accepts.
    TooLarge,
    /// E006 a CSV header names a column twice.
    DuplicateColumn,
    /// E007 an input is not a regular file (a FIFO, a device, a socket).
    NotRegularFile,
    /// E101 a value is not a number (or not finite).
    NotANumber,
    /// E102 a value is negative where only zero or more makes sense.
    Negative,
    /// E103 an unknown need code.
    UnknownNeed,
    /// E104 an unknown phase.
    UnknownPhase,
    /// E105 coordinates outside the United Kingdom.
    OutsideUk,
    /// E106 an age outside 0-25.
    AgeOutOfRange,
    /// E107 a yes/no value that is neither.
    NotABool,
    /// E108 an unknown school kind.
    UnknownSchoolKind,
    /// E109 an unknown provision kind.
    UnknownProvision,
    /// E110 a required value is empty.
    Empty,
    /// E111 a value is not a whole number.
    NotAnInteger,
    /// E112 a year outside the plausible range.
    YearOutOfRange,
    /// E113 a value far above anything plausible (e.g. a population count of 1e12).
    ValueTooLarge,
    /// E114 a text value longer than placeplan accepts (names, ids).
    TextTooLong,
    /// E115 an id that starts like a spreadsheet formula (=, +, -, @, tab or carriage return).
    FormulaId,
    /// E116 an unknown school gender (not mixed, boys or girls).
    UnknownGender,
    /// E120 an unknown DfE age band (SEN2 `characteristic_age`).
    UnknownAgeBand,
    /// E121 an unknown DfE geographic level.
    UnknownGeographicLevel,
    /// E122 a malformed local authority code.
    BadAreaCode,
    /// E130 easting/northing outside the British National Grid (or not in the UK).
    OutsideGrid,
    /// E131 a date that is not a day of the calendar in dd-mm-yyyy form (GIAS dates).
    BadDate,
    /// E132 an unknown sex in a population file, or males without females (or the reverse).
    UnknownSex,
    /// E133 a child's home area (LSOA or ward) is not one of the scenario's localities.
    UnknownChildArea,
    /// E134 a child's placement URN is not in the GIAS register and no setting type says what it is.
    UnknownPlacement,
    /// E140 `init`: a file in the folder matches no layout placeplan reads.
    UnrecognisedFile,
    /// E141 `init`: the folder lacks a kind of file the scenario needs, or has two that clash.
    MissingSource,
    /// E142 the year a population file is for cannot be told.
    UnknownYear,
    /// E143 a `--columns` map is malformed or names a column no file has.
    BadColumnMap,
    /// E201 the same id appears twice.
    DuplicateId,
    /// E202 a locality id that `localities.csv` does not define.
    UnknownLocality,
    /// E203 a school id that `schools.csv` does not define.
    UnknownSchool,
    /// E204 capacity for a phase the school does not teach.
    PhaseNotServed,
    /// E205 the same key (e.g. locality, year, age) appears twice.
    DuplicateRow,
    /// E206 population is missing for a locality, year or age the forecast needs.
    MissingPopulation,
    /// E207 history is too short or empty.
    InsufficientHistory,
    /// E208 a school may host a base but cannot (not mainstream, or no phase a base may serve).
    CannotHostBase,
    /// E209 the road network reaches no locality or school.
    UnknownRoadNode,
    /// E210 a local authority the data file does not contain.
    UnknownArea,
    /// E211 existing places at a candidate site for a new special school.
    PlacesAtSite,
    /// E212 more pupils from other authorities than places in a capacity row.
    OtherPupilsOverPlaces,
    /// E301 `scenario.toml` is not valid TOML or has a value of the wrong type.
    TomlSyntax,
    /// E302 a scenario setting is out of range or inconsistent.
    BadSetting,
    /// E303 a sweep file is invalid.
    BadSweep,
    /// E304 a backtest origin or horizon outside the years the data covers.
    BadBacktestWindow,
    /// E305 the optimisation model the scenario needs would be too large to build and solve.
    ModelTooLarge,
    /// E306 a `sweep-merge` input is not a whole shard folder written by `sweep --shard`.
    NotAShard,
    /// E307 `sweep-merge` shards of different sweeps (another sweep file, scenario, shard count
    /// or placeplan version).
    ShardOfAnotherSweep,
    /// E308 `sweep-merge` given the same shard twice.
    ShardOverlap,
    /// E309 `sweep-merge` missing one or more shards of the sweep.
    ShardMissing,
    /// E401 an output folder holds something placeplan did not write (or has been changed since).
    OutputNotOurs,
    /// E402 an output path is a file, a symbolic link or another thing that is not a folder.
    OutputNotAFolder,
    /// E403 outputs could not be written (permissions, a full disk); nothing was changed.
    OutputNotWritten,
    /// E501 the solver reached its time limit before finding any plan.
    TimeLimit,
    /// E502 the solver failed numerically or reported an internal error.
    SolverFailed,
    /// E503 the solver returned a plan that failed the independent check (a solver fault).
    CheckFailed,
    /// E504 the requested backend is not in this build.
    BackendUnavailable,
    /// E505 no plan satisfies the constraints.
    NoFeasiblePlan,
}

impl Code {
    /// Every code, in numeric order.
    pub const ALL: [Code; 64] = [
        Code::MissingFile,
        Code::Unreadable,
        Code::MalformedRecord,
        Code::MissingColumn,
        Code::TooLarge,
        Code::DuplicateColumn,
        Code::NotRegularFile,
        Code::NotANumber,
        Code::Negative,
        Code::UnknownNeed,
        Code::UnknownPhase,
        Code::OutsideUk,
        Code::AgeOutOfRange,
        Code::NotABool,
        Code::UnknownSchoolKind,
        Code::UnknownProvision,
        Code::Empty,
        Code::NotAnInteger,
        Code::YearOutOfRange,
        Code::ValueTooLarge,
        Code::TextTooLong,
        Code::FormulaId,
        Code::UnknownGender,
        Code::UnknownAgeBand,
        Code::UnknownGeographicLevel,
        Code::BadAreaCode,
        Code::OutsideGrid,
        Code::BadDate,
        Code::UnknownSex,
        Code::UnknownChildArea,
        Code::UnknownPlacement,
        Code::UnrecognisedFile,
        Code::MissingSource,
        Code::UnknownYear,
        Code::BadColumnMap,
        Code::DuplicateId,
        Code::UnknownLocality,
        Code::UnknownSchool,
        Code::PhaseNotServed,
        Code::DuplicateRow,
        Code::MissingPopulation,
        Code::InsufficientHistory,
        Code::CannotHostBase,
        Code::UnknownRoadNode,
        Code::UnknownArea,
        Code::PlacesAtSite,
        Code::OtherPupilsOverPlaces,
        Code::TomlSyntax,
        Code::BadSetting,
        Code::BadSweep,
        Code::BadBacktestWindow,
        Code::ModelTooLarge,
        Code::NotAShard,
        Code::ShardOfAnotherSweep,
        Code::ShardOverlap,
        Code::ShardMissing,
        Code::OutputNotOurs,
        Code::OutputNotAFolder,
        Code::OutputNotWritten,
        Code::TimeLimit,
        Code::SolverFailed,
        Code::CheckFailed,
        Code::BackendUnavailable,
        Code::NoFeasiblePlan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::MissingFile => "E001",
            Code::Unreadable => "E002",
            Code::MalformedRecord => "E003",
            Code::MissingColumn => "E004",
            Code::TooLarge => "E005",
            Code::DuplicateColumn => "E006",
            Code::NotRegularFile => "E007",
            Code::NotANumber => "E101",
            Code::Negative => "E102",
            Code::UnknownNeed => "E103",
            Code::UnknownPhase => "E104",
            Code::OutsideUk => "E105",
            Code::AgeOutOfRange => "E106",
            Code::NotABool => "E107",
            Code::UnknownSchoolKind => "E108",
            Code::UnknownProvision => "E109",
            Code::Empty => "E110",
            Code::NotAnInteger => "E111",
            Code::YearOutOfRange => "E112",
            Code::ValueTooLarge => "E113",
            Code::TextTooLong => "E114",
            Code::FormulaId => "E115",
            Code::UnknownGender => "E116",
            Code::UnknownAgeBand => "E120",
            Code::UnknownGeographicLevel => "E121",
            Code::BadAreaCode => "E122",
            Code::OutsideGrid => "E130",
            Code::BadDate => "E131",
            Code::UnknownSex => "E132",
            Code::UnknownChildArea => "E133",
            Code::UnknownPlacement => "E134",
            Code::UnrecognisedFile => "E140",
            Code::MissingSource => "E141",
            Code::UnknownYear => "E142",
            Code::BadColumnMap => "E143",
            Code::DuplicateId => "E201",
            Code::UnknownLocality => "E202",
            Code::UnknownSchool => "E203",
            Code::PhaseNotServed => "E204",
            Code::DuplicateRow => "E205",
            Code::MissingPopulation => "E206",
            Code::InsufficientHistory => "E207",
            Code::CannotHostBase => "E208",
            Code::UnknownRoadNode => "E209",
            Code::UnknownArea => "E210",
            Code::PlacesAtSite => "E211",
            Code::OtherPupilsOverPlaces => "E212",
            Code::TomlSyntax => "E301",
            Code::BadSetting => "E302",
            Code::BadSweep => "E303",
            Code::BadBacktestWindow => "E304",
            Code::ModelTooLarge => "E305",
            Code::NotAShard => "E306",
            Code::ShardOfAnotherSweep => "E307",
            Code::ShardOverlap => "E308",
            Code::ShardMissing => "E309",
            Code::OutputNotOurs => "E401",
            Code::OutputNotAFolder => "E402",
            Code::OutputNotWritten => "E403",
            Code::TimeLimit => "E501",
            Code::SolverFailed => "E502",
            Code::CheckFailed => "E503",
            Code::BackendUnavailable => "E504",
            Code::NoFeasiblePlan => "E505",
        }
    }

    /// What usually fixes it.
    pub fn hint(self) -> &'static str {
        match self {
            Code::MissingFile => "create the file or fix its path under [files] in scenario.toml",
            Code::Unreadable => "check the file exists, is readable and is UTF-8 text",
            Code::MalformedRecord => "every row needs as many fields as the header; quote fields that contain commas",
            Code::MissingColumn => "add the column to the header row (names are case-insensitive); see docs/scenario-format.md",
            Code::TooLarge => "split the area into smaller scenarios or aggregate localities",
            Code::DuplicateColumn => "remove or rename the repeated column",
            Code::NotRegularFile => "name an ordinary file saved on disk, not a pipe, device or socket",
            Code::NotANumber => "write a plain finite number such as 12 or 51.39 (no units, no thousands separators)",
            Code::Negative => "use zero or a positive number",
            Code::UnknownNeed => "use one of ASD, SLCN, SEMH, MLD, SLD, PMLD, SpLD, HI, VI, MSI, PD, OTH",
            Code::UnknownPhase => "use early_years, primary, secondary, post16 or post19 (separate several with ';')",
            Code::OutsideUk => "latitude must be 49.8..60.9 and longitude -8.7..1.8 (WGS84 degrees); check they are not swapped or in eastings/northings",
            Code::AgeOutOfRange => "ages are whole years 0 to 25",
            Code::NotABool => "write yes/no, true/false or 1/0",
            Code::UnknownSchoolKind => "use mainstream, special, independent or post16",
            Code::UnknownProvision => "use mainstream, resourced_base, special, independent, fe or other",
            Code::Empty => "fill in the value",
            Code::NotAnInteger => "write a whole number",
            Code::YearOutOfRange => "years are four-digit calendar years between 1990 and 2100",
            Code::ValueTooLarge => "check the value and its units; counts per row are at most 10 million, places per row at most 100,000 and pounds per row at most 1e9",
            Code::TextTooLong => "shorten the text to at most 500 characters",
            Code::FormulaId => "start the id with a letter or digit: ids go into every CSV output, where a spreadsheet would run a cell starting with =, +, -, @, a tab or a carriage return as a formula",
            Code::UnknownGender => "use mixed, boys or girls",
            Code::UnknownAgeBand => "use the DfE labels Under 5, Age 5 to 10, Age 11 to 15, Age 16 to 19, Age 20 to 25 or Total",
            Code::UnknownGeographicLevel => "use a DfE level such as National, Regional or Local authority (only Local authority rows are used)",
            Code::BadAreaCode => "old_la_code is three digits (344); new_la_code is a letter and eight digits (E08000015)",
            Code::OutsideGrid => "Easting is 0-700000 and Northing 0-1300000 metres on the British National Grid (OSGB36); check the columns are not swapped or in another projection",
            Code::BadDate => "write dates as dd-mm-yyyy (as GIAS does), e.g. 01-09-2012",
            Code::UnknownSex => "use persons (or all), males and females (or 1 and 2); give persons rows, or both males and females",
            Code::UnknownChildArea => "give the LSOA or ward code of the child's home as in the population and boundary files (the same vintage, e.g. LSOA 2021), or add that area's population and boundary",
            Code::UnknownPlacement => "give the setting type (mainstream, resourced_base, special, independent, fe or other) in the setting column, or add the school to the GIAS register",
            Code::UnrecognisedFile => "remove the file from the folder, or name its columns with --columns KNOWN=THEIRS (docs/init.md lists the layouts)",
            Code::MissingSource => "put the published file in the folder (docs/init.md lists what init needs), and only one of each kind where one is needed",
            Code::UnknownYear => "add a year, period or date column, give --year (placeplan import population), or put the year in the file name (e.g. population_mid2019.csv)",
            Code::BadColumnMap => "write --columns KNOWN=THEIRS with a column name the file has, e.g. --columns EstablishmentName=\"school name\"",
            Code::DuplicateId => "ids must be unique: remove the repeated row or give it its own id",
            Code::UnknownLocality => "add the locality to localities.csv or correct the id",
            Code::UnknownSchool => "add the school to schools.csv or correct the id",
            Code::PhaseNotServed => "add the phase to the school's phases or correct the capacity row",
            Code::DuplicateRow => "merge the repeated rows into one",
            Code::MissingPopulation => "population.csv needs every locality, every age 0-25 and every year from the first history year to base_year + horizon",
            Code::InsufficientHistory => "history.csv needs at least two consecutive Januarys ending at base_year",
            Code::CannotHostBase => "only mainstream schools that teach a phase listed in [bases] phases can host a base; set can_host_base to no",
            Code::UnknownRoadNode => "road ends must include the locality and school ids (other ids are junctions)",
            Code::UnknownArea => "use a current or former nine-character code (E08000015), the three-digit DfE code (344) or the name as in the file",
            Code::PlacesAtSite => "a site (kind = site) is where a new special school could go and has no places yet; give an open school kind special or post16",
            Code::OtherPupilsOverPlaces => "other_la_pupils counts pupils from other authorities in the row's places, so it is at most places; check both columns",
            Code::TomlSyntax => "fix the TOML at the position shown; see docs/scenario-format.md for every key",
            Code::BadSetting => "see docs/scenario-format.md for the allowed range",
            Code::BadSweep => "see docs/scenario-format.md, section Sweeps",
            Code::BadBacktestWindow => "choose an origin with caseload for it and the 4 Januarys before it in the file, actuals after it, and a horizon of 1 to 10 years",
            Code::ModelTooLarge => "allow fewer host schools (can_host_base, max_new_places), fewer needs or phases in [bases], shorter journey limits, or aggregate localities; see docs/performance.md for the limits",
            Code::NotAShard => "give sweep-merge the --out folders of finished `placeplan sweep FILE --shard I/N` runs, unchanged; run a shard again if its folder is incomplete",
            Code::ShardOfAnotherSweep => "merge only shards of one sweep: the same sweep file and base scenario, the same N in --shard I/N and the same placeplan version; run the odd shard again",
            Code::ShardOverlap => "give each shard's folder once; if a shard was run twice, keep one of its folders",
            Code::ShardMissing => "run the missing shards (placeplan sweep FILE --shard I/N) and give every shard's folder, 1/N to N/N",
            Code::OutputNotOurs => "give --out a new or empty folder, or a folder placeplan wrote and nobody has changed since; placeplan never deletes or overwrites files it did not write",
            Code::OutputNotAFolder => "give --out a folder path (new or written by placeplan), not a file or a symbolic link",
            Code::OutputNotWritten => "check the disk has space and the folder is writable; the previous outputs, if any, are unchanged",
            Code::TimeLimit => "raise [solver] time_limit_s, try --backend highs, or make the model smaller (fewer host schools, shorter journey limits, modular = false, stability = false)",
            Code::SolverFailed => "check that costs and capacities are in plausible units; try another backend (--backend microlp or highs); if it persists, report it with the scenario",
            Code::CheckFailed => "the plan was not written; this is a solver fault, not an input problem: try another backend and report it with the scenario",
            Code::BackendUnavailable => "use --backend flow or microlp, or rebuild with `--features highs`",
            Code::NoFeasiblePlan => "allow out-of-area placements, raise the capital budget or site limits, or lengthen journey limits",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem in one input file.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// 1-based column (CSV field number, or TOML character column), when known.
    pub column: Option<u64>,
    /// Field or setting name, when known.
    pub field: Option<String>,
    pub code: Code,
    pub message: String,
}

impl InputError {
    pub fn new(file: &Path, code: Code, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: None,
            code,
            message: message.into(),
        }
    }
    pub fn at(mut self, line: u64, column: Option<u64>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    pub fn hint(&self) -> &'static str {
        self.code.hint()
    }
    /// Writes the problem as every input problem is shown, with `hint` in place of the code's:
    /// for a reader that knows a more precise one (the OR-Library reader names the sizes the
    /// file's header asks for).
    pub fn fmt_with_hint(&self, f: &mut fmt::Formatter<'_>, hint: &str) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.code)?;
        if let Some(field) = &self.field {
            write!(f, " [{field}]")?;
        }
        write!(f, " {}\n    hint: {hint}", self.message)
    }
}

impl fmt::Display for InputError {
    /// `file:line:column: E103 [need] unknown need 'AUT' (hint: ...)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_with_hint(f, self.hint())
    }
}

/// A failure that belongs to no input file (a solver outcome): a stable code and a message.
/// Displays as `E501 message` and, on the next line, the code's hint.
#[derive(Debug, Clone, PartialEq)]
pub struct CodedError {
    pub code: Code,
    pub message: String,
}

impl CodedError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        CodedError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for CodedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}\n    hint: {}",
            self.code,
            self.message,
            self.code.hint()
        )
    }
}

impl std::error::Error for CodedError {}

/// Problems listed for one file and one code; beyond this only their number is reported.
pub const SHOWN_PER_FILE_AND_CODE: usize = 100;

/// All problems found in a scenario, in file then line order. Of each file's problems with one
/// code, the first [`SHOWN_PER_FILE_AND_CODE`] are kept and the rest only counted, so that a
/// file with a million bad rows gives a short report (and takes little memory).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems(pub Vec<InputError>, Tally);

/// Per file and code: problems kept in the list, and problems found.
#[derive(Debug, Clone, Default, PartialEq)]
struct Tally(BTreeMap<PathBuf, BTreeMap<Code, (usize, u64)>>);

impl Tally {
    fn of(&mut self, file: &Path, code: Code) -> &mut (usize, u64) {
        let codes = self.0.entry(file.to_path_buf()).or_default();
        codes.entry(code).or_default()
    }
}

impl Problems {
    pub fn push(&mut self, e: InputError) {
        let (kept, found) = self.1.of(&e.file, e.code);
        *found += 1;
        if *kept < SHOWN_PER_FILE_AND_CODE {
            *kept += 1;
            self.0.push(e);
        }
    }
    /// Adds every problem of `other` (those it only counted too).
    pub fn extend(&mut self, other: Problems) {
        let omitted: Vec<(PathBuf, Code, u64)> = other
            .omitted()
            .map(|(f, c, n)| (f.to_path_buf(), c, n))
            .collect();
        for e in other.0 {
            self.push(e);
        }
        for (file, code, n) in omitted {
            self.1.of(&file, code).1 += n;
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Problems found, listed or not.
    pub fn len(&self) -> usize {
        self.0.len() + self.omitted().map(|(_, _, n)| n as usize).sum::<usize>()
    }
    /// The problems listed.
    pub fn iter(&self) -> impl Iterator<Item = &InputError> {
        self.0.iter()
    }
    /// Problems found but not listed: file, code and how many, by file then code.
    pub fn omitted(&self) -> impl Iterator<Item = (&Path, Code, u64)> {
        self.1 .0.iter().flat_map(|(file, codes)| {
            codes.iter().filter_map(move |(code, (kept, found))| {
                let n = found.saturating_sub(*kept as u64);
                (n > 0).then_some((file.as_path(), *code, n))
            })
        })
    }
    /// Sorts by file, line, column so reports read top to bottom.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.file, a.line, a.column, a.code).cmp(&(&b.file, b.line, b.column, b.code))
        });
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: u64) -> String {
    crate::numfmt::thousands(n as f64)
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        for (file, code, n) in self.omitted() {
            writeln!(
                f,
                "... and {} more {code} problem{} in {}",
                thousands(n),
                if n == 1 { "" } else { "s" },
                file.display()
            )?;
        }
        let n = self.len();
        write!(
            f,
            "{} problem{} found",
            thousands(n as u64),
            if n == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_once_and_unique() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md"),
        )
        .expect("docs/errors.md");
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} used twice", c.as_str());
            assert!(
                doc.contains(&format!("| {} |", c.as_str())),
                "{} is not in docs/errors.md",
                c.as_str()
            );
            assert!(!c.hint().is_empty());
        }
    }

    #[test]
    fn million_problems_are_capped_per_file_and_code() {
        let mut p = Problems::default();
        let loc = Path::new("d/localities.csv");
        for i in 0..1_000_000u64 {
            p.push(InputError::new(loc, Code::NotANumber, format!("row {i}")).at(i + 2, Some(3)));
        }
        p.push(InputError::new(loc, Code::OutsideUk, "far away").at(7, Some(3)));
        let mut other = Problems::default();
        for i in 0..150u64 {
            other.push(
                InputError::new(Path::new("d/history.csv"), Code::NotANumber, "x").at(i + 2, None),
            );
        }
        p.extend(other);
        assert_eq!(p.len(), 1_000_001 + 150);
        // 100 of the E101s in localities.csv, the E105, 100 of history.csv's.
        assert_eq!(p.iter().count(), 201);
        let omitted: Vec<_> = p.omitted().collect();
        assert_eq!(
            omitted,
            vec![
                (Path::new("d/history.csv"), Code::NotANumber, 50),
                (loc, Code::NotANumber, 999_900),
            ]
        );
        p.sort();
        let text = p.to_string();
        // The first hundred rows (lines 2 to 101) are the ones listed.
        assert!(text.contains("d/localities.csv:101:3: E101 row 99\n"));
        assert!(!text.contains("d/localities.csv:102:3:"));
        assert!(text.contains("... and 999,900 more E101 problems in d/localities.csv\n"));
        assert!(text.contains("... and 50 more E101 problems in d/history.csv\n"));
        assert!(
            text.ends_with("\n1,000,151 problems found"),
            "{}",
            &text[text.len() - 200..]
        );
        assert_eq!(text.lines().filter(|l| l.contains(": E")).count(), 201);
    }

    #[test]
    fn display_has_position_code_field_and_hint() {
        let e = InputError::new(
            Path::new("d/history.csv"),
            Code::UnknownNeed,
            "unknown need 'AUT'",
        )
        .at(7, Some(4))
        .field("need");
        assert_eq!(
            e.to_string(),
            format!(
                "d/history.csv:7:4: E103 [need] unknown need 'AUT'\n    hint: {}",
                Code::UnknownNeed.hint()
            )
        );
    }
}
