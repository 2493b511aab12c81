//! One data row and its typed accessors, which record problems instead of failing.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use placeplan_model::domain::{Need, NeedSet, Phase, PhaseSet, MAX_AGE};
use placeplan_model::error::{Code, InputError, Problems};

use super::limits::{MAX_TEXT_CHARS, UK_LAT, UK_LON};

/// One data row, with typed accessors that record problems instead of failing.
pub struct Row<'a> {
    pub(super) path: &'a Path,
    pub(super) cols: &'a HashMap<String, usize>,
    pub(super) rec: &'a csv::StringRecord,
    pub line: u64,
    pub(super) problems: &'a mut Problems,
    /// False once any field of this row had a problem.
    pub ok: bool,
}

impl Row<'_> {
    /// Position of a column: by the name as given, else lower-case (the header keys are lower
    /// case; importers pass the names as published, e.g. `SEN1 (name)`, to show them in messages).
    fn col(&self, field: &str) -> Option<usize> {
        match self.cols.get(field) {
            Some(c) => Some(*c),
            None => self.cols.get(&field.to_ascii_lowercase()).copied(),
        }
    }

    fn err(&mut self, field: &str, code: Code, message: String) {
        let col = self.col(field).map(|c| c as u64 + 1);
        self.problems.push(
            InputError::new(self.path, code, message)
                .at(self.line, col)
                .field(field),
        );
        self.ok = false;
    }

    /// Raw text of an optional column ("" when absent or empty).
    pub fn text(&self, field: &str) -> &str {
        self.col(field).and_then(|c| self.rec.get(c)).unwrap_or("")
    }

    /// A required non-empty text value of at most [`MAX_TEXT_CHARS`] characters.
    pub fn required(&mut self, field: &str) -> Option<String> {
        if self.text(field).is_empty() {
            self.err(field, Code::Empty, format!("'{field}' is empty"));
            return None;
        }
        self.name(field)
    }

    /// An optional text value (empty allowed) of at most [`MAX_TEXT_CHARS`] characters.
    pub fn name(&mut self, field: &str) -> Option<String> {
        let t = self.text(field);
        if t.len() > MAX_TEXT_CHARS && t.chars().count() > MAX_TEXT_CHARS {
            let n = t.chars().count();
            self.err(
                field,
                Code::TextTooLong,
                format!("'{field}' has {n} characters; at most {MAX_TEXT_CHARS} are accepted"),
            );
            return None;
        }
        Some(t.to_string())
    }

    /// A required finite number.
    pub fn number(&mut self, field: &str) -> Option<f64> {
        let t = self.required(field)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                self.err(
                    field,
                    Code::NotANumber,
                    format!("'{field}' must be a number, found '{t}'"),
                );
                None
            }
        }
    }

    /// A required number >= 0.
    pub fn non_negative(&mut self, field: &str) -> Option<f64> {
        let v = self.number(field)?;
        if v < 0.0 {
            self.err(
                field,
                Code::Negative,
                format!("'{field}' must be zero or more, found {v}"),
            );
            return None;
        }
        Some(v)
    }

    /// A required number in 0..=max.
    pub fn bounded(&mut self, field: &str, max: f64) -> Option<f64> {
        let v = self.non_negative(field)?;
        if v > max {
            self.err(
                field,
                Code::ValueTooLarge,
                format!("'{field}' = {v} is above the largest plausible value {max}"),
            );
            return None;
        }
        Some(v)
    }

    /// A required whole number >= 0.
    pub fn count(&mut self, field: &str) -> Option<u32> {
        let v = self.non_negative(field)?;
        if v.fract() != 0.0 || v > u32::MAX as f64 {
            self.err(
                field,
                Code::NotAnInteger,
                format!("'{field}' must be a whole number, found {v}"),
            );
            return None;
        }
        Some(v as u32)
    }

    /// A calendar year.
    pub fn year(&mut self, field: &str) -> Option<i32> {
        let t = self.required(field)?;
        match t.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => Some(y),
            Ok(y) => {
                self.err(
                    field,
                    Code::YearOutOfRange,
                    format!("year {y} is outside 1990-2100"),
                );
                None
            }
            Err(_) => {
                self.err(
                    field,
                    Code::NotAnInteger,
                    format!("'{field}' must be a year such as 2025, found '{t}'"),
                );
                None
            }
        }
    }

    /// An age in whole years 0..=25.
    pub fn age(&mut self, field: &str) -> Option<u8> {
        let t = self.required(field)?;
        match t.parse::<i64>() {
            Ok(a) if (0..=MAX_AGE as i64).contains(&a) => Some(a as u8),
            Ok(a) => {
                self.err(
                    field,
                    Code::AgeOutOfRange,
                    format!("age {a} is outside 0-{MAX_AGE}"),
                );
                None
            }
            Err(_) => {
                self.err(
                    field,
                    Code::NotAnInteger,
                    format!("'{field}' must be a whole age, found '{t}'"),
                );
                None
            }
        }
    }

    /// yes/no, true/false, 1/0 (empty = default).
    pub fn boolean(&mut self, field: &str, default: bool) -> Option<bool> {
        let t = self.name(field)?.to_ascii_lowercase();
        match t.as_str() {
            "" => Some(default),
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                self.err(
                    field,
                    Code::NotABool,
                    format!("'{field}' must be yes or no, found '{t}'"),
                );
                None
            }
        }
    }

    /// A value parsed by `FromStr` into one of a fixed set, with the code to report otherwise.
    pub fn parsed<T: FromStr>(&mut self, field: &str, code: Code, what: &str) -> Option<T> {
        let t = self.required(field)?;
        match t.parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.err(field, code, format!("unknown {what} '{t}'"));
                None
            }
        }
    }

    pub fn need(&mut self, field: &str) -> Option<Need> {
        self.parsed(field, Code::UnknownNeed, "need")
    }

    /// `ASD;SLCN` or `ANY`.
    pub fn needs(&mut self, field: &str) -> Option<NeedSet> {
        let t = self.required(field)?;
        if t.eq_ignore_ascii_case("any") || t == "*" {
            return Some(NeedSet::all());
        }
        let mut set = NeedSet::default();
        let mut good = true;
        for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<Need>() {
                Ok(n) => set = set.with(n),
                Err(_) => {
                    self.err(field, Code::UnknownNeed, format!("unknown need '{part}'"));
                    good = false;
                }
            }
        }
        if good && set.is_empty() {
            self.err(field, Code::Empty, format!("'{field}' lists no need"));
            return None;
        }
        good.then_some(set)
    }

    pub fn phase(&mut self, field: &str) -> Option<Phase> {
        self.parsed(field, Code::UnknownPhase, "phase")
    }

    /// `primary;secondary`.
    pub fn phases(&mut self, field: &str) -> Option<PhaseSet> {
        let t = self.required(field)?;
        let mut set = PhaseSet::default();
        let mut good = true;
        for part in t.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            match part.parse::<Phase>() {
                Ok(p) => set = set.with(p),
                Err(_) => {
                    self.err(field, Code::UnknownPhase, format!("unknown phase '{part}'"));
                    good = false;
                }
            }
        }
        if good && set.is_empty() {
            self.err(field, Code::Empty, format!("'{field}' lists no phase"));
            return None;
        }
        good.then_some(set)
    }

    /// Latitude and longitude in WGS84 degrees, inside the UK.
    pub fn lat_lon(&mut self, lat_field: &str, lon_field: &str) -> Option<(f64, f64)> {
        let lat = self.number(lat_field);
        let lon = self.number(lon_field);
        let (lat, lon) = (lat?, lon?);
        let mut good = true;
        if !(UK_LAT.0..=UK_LAT.1).contains(&lat) {
            self.err(
                lat_field,
                Code::OutsideUk,
                format!("latitude {lat} is outside the UK"),
            );
            good = false;
        }
        if !(UK_LON.0..=UK_LON.1).contains(&lon) {
            self.err(
                lon_field,
                Code::OutsideUk,
                format!("longitude {lon} is outside the UK"),
            );
            good = false;
        }
        good.then_some((lat, lon))
    }

    /// Record a problem found by the caller about a field of this row.
    pub fn problem(&mut self, field: &str, code: Code, message: String) {
        self.err(field, code, message);
    }
}
