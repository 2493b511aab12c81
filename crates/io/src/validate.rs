//! Cross-file checks that need more than one row: history covers consecutive years ending at the
//! base year, and population covers every locality, age and year the forecast needs.

use std::collections::HashMap;
use std::path::PathBuf;

use placeplan_model::domain::{history_years, Scenario, N_AGES};
use placeplan_model::error::{Code, InputError, Problems};

/// Paths the cross-file checks report against, and whether each file read without a problem
/// (for population, also that every row of localities.csv was read).
pub struct ResolvedFiles {
    pub population: PathBuf,
    pub history: PathBuf,
    pub population_clean: bool,
    pub history_clean: bool,
}

pub fn cross_check(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    check_history(s, files, problems);
    check_population(s, files, problems);
}

fn check_history(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    if s.localities.is_empty() || !files.history_clean {
        // localities.csv or history.csv problems are already reported; rows they rejected
        // would be reported again here.
        return;
    }
    let years = history_years(s);
    let mut err = |msg: String| {
        problems.push(InputError::new(
            &files.history,
            Code::InsufficientHistory,
            msg,
        ));
    };
    if years.is_empty() {
        err("history has no rows".into());
        return;
    }
    if years.last() != Some(&s.base_year) {
        err(format!(
            "the last history year is {} but base_year is {}",
            years.last().copied().unwrap_or_default(),
            s.base_year
        ));
    }
    if years.len() < 2 {
        err(format!(
            "history has only the year {}; at least two are needed",
            years[0]
        ));
    }
    for w in years.windows(2) {
        if w[1] != w[0] + 1 {
            err(format!(
                "history jumps from {} to {}: years must be consecutive",
                w[0], w[1]
            ));
        }
    }
}

/// Localities named in the one E206 problem; the rest are counted.
const MISSING_POPULATION_SHOWN: usize = 5;

/// Population must cover every locality and age from the first history year to the last plan
/// year. Reported once for the file: how many localities lack some, and the first few.
fn check_population(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    let hist = history_years(s);
    let first = hist.first().copied().unwrap_or(s.base_year);
    let last = s.base_year + s.horizon as i32;
    if s.localities.is_empty() || last < first || !files.population_clean {
        return;
    }
    let mut have: HashMap<(usize, i32), u32> = HashMap::new();
    for c in &s.population {
        if (first..=last).contains(&c.year) {
            *have.entry((c.locality, c.year)).or_default() += 1;
        }
    }
    let mut lacking = 0usize;
    let mut shown = Vec::new();
    for (li, l) in s.localities.iter().enumerate() {
        let missing_years: Vec<i32> = (first..=last)
            .filter(|y| have.get(&(li, *y)).copied().unwrap_or(0) < N_AGES as u32)
            .collect();
        if !missing_years.is_empty() {
            lacking += 1;
            if shown.len() < MISSING_POPULATION_SHOWN {
                shown.push(format!("'{}' ({})", l.id, join_years(&missing_years)));
            }
        }
    }
    if lacking == 0 {
        return;
    }
    let more = if lacking > shown.len() {
        format!(
            " and {} more",
            placeplan_model::numfmt::thousands((lacking - shown.len()) as f64)
        )
    } else {
        String::new()
    };
    problems.push(
        InputError::new(
            &files.population,
            Code::MissingPopulation,
            format!(
                "{} {} some of ages 0-25 in years {first}-{last} (from the first history year to base_year + horizon): {}{more}",
                placeplan_model::numfmt::thousands(lacking as f64),
                if lacking == 1 { "locality lacks" } else { "localities lack" },
                shown.join(", ")
            ),
        )
        .field("locality"),
    );
}

/// Sorted years, runs written as ranges: `2019-2022, 2025`.
fn join_years(ys: &[i32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ys.len() {
        let mut j = i;
        while j + 1 < ys.len() && ys[j + 1] == ys[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", ys[i], ys[j])
        } else {
            ys[i].to_string()
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn years_are_joined_as_ranges() {
        assert_eq!(
            super::join_years(&[2019, 2020, 2021, 2023, 2025, 2026]),
            "2019-2021, 2023, 2025-2026"
        );
        assert_eq!(super::join_years(&[2024]), "2024");
        assert_eq!(super::join_years(&[]), "");
    }
}
