//! Cross-file checks that need more than one row: history covers consecutive years ending at the
//! base year, and population covers every locality, age and year the forecast needs.

use std::collections::{BTreeSet, HashMap};

use crate::domain::{Scenario, N_AGES};
use crate::error::{Code, InputError, Problems};
use crate::io::ResolvedFiles;

pub fn cross_check(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    check_history(s, files, problems);
    check_population(s, files, problems);
}

/// Years present in history, sorted.
pub fn history_years(s: &Scenario) -> Vec<i32> {
    s.history
        .iter()
        .map(|h| h.year)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn check_history(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    if s.localities.is_empty() {
        // localities.csv problems are already reported; nothing more to say here.
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

fn check_population(s: &Scenario, files: &ResolvedFiles, problems: &mut Problems) {
    let hist = history_years(s);
    let first = hist.first().copied().unwrap_or(s.base_year);
    let last = s.base_year + s.horizon as i32;
    if s.localities.is_empty() || last < first {
        return;
    }
    let mut have: HashMap<(usize, i32), u32> = HashMap::new();
    for c in &s.population {
        if (first..=last).contains(&c.year) {
            *have.entry((c.locality, c.year)).or_default() += 1;
        }
    }
    for (li, l) in s.localities.iter().enumerate() {
        let missing_years: Vec<i32> = (first..=last)
            .filter(|y| have.get(&(li, *y)).copied().unwrap_or(0) < N_AGES as u32)
            .collect();
        if !missing_years.is_empty() {
            problems.push(
                InputError::new(
                    &files.population,
                    Code::MissingPopulation,
                    format!(
                        "locality '{}' lacks some of ages 0-25 in year(s) {}",
                        l.id,
                        join_years(&missing_years)
                    ),
                )
                .field("locality"),
            );
        }
    }
}

fn join_years(ys: &[i32]) -> String {
    ys.iter()
        .map(|y| y.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
