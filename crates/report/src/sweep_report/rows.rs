//! Each variant as the sweep report shows it: its key figures or why it has no plan, the facts
//! the sections share (cheapest, settings, horizon), and its name and failure reason as text.

use std::fmt::Write as _;

use crate::html::format::{money, thousands};
use crate::html::page::escape;
use crate::sweep_table::{value_text, Setting, VariantResult};

/// Key figures of one planned variant.
pub(super) struct Figures {
    pub(super) status: &'static str,
    pub(super) npv: f64,
    pub(super) total: f64,
    /// Capital and base set-up, as in `sweep.csv` and the Pareto points.
    pub(super) capital: f64,
    pub(super) new_places: f64,
    pub(super) new_bases: usize,
    pub(super) ooa_final: f64,
    pub(super) years: usize,
    pub(super) final_year: Option<i32>,
    pub(super) saving: Option<f64>,
}

/// One variant as the report shows it.
pub(super) struct Row<'a> {
    pub(super) name: &'a str,
    pub(super) settings: &'a [Setting],
    pub(super) outcome: Result<Figures, (&'static str, &'a str)>,
}

impl<'a> Row<'a> {
    pub(super) fn of(r: &'a VariantResult) -> Row<'a> {
        let outcome = match &r.outcome {
            Ok(f) => Ok(Figures {
                status: f.status.code(),
                npv: f.npv,
                total: f.total,
                capital: f.capital(),
                new_places: f.new_places,
                new_bases: f.new_bases,
                ooa_final: f.out_of_area_final,
                years: f.years.len(),
                final_year: f.years.last().copied(),
                saving: f.saving_vs_do_nothing,
            }),
            Err(reason) => Err((failure_kind(reason), reason.as_str())),
        };
        Row {
            name: &r.spec.name,
            settings: &r.spec.settings,
            outcome,
        }
    }

    pub(super) fn figures(&self) -> Option<&Figures> {
        self.outcome.as_ref().ok()
    }

    /// A setting's value as text: pounds for capital budgets and unit costs.
    pub(super) fn setting(&self, key: &str) -> Option<String> {
        let (_, v) = self.settings.iter().find(|(k, _)| k == key)?;
        let pounds = key == "capital_budget" || key.starts_with("costs.");
        Some(match v {
            toml::Value::Float(f) if pounds => format!("£{}", thousands(*f)),
            toml::Value::Integer(i) if pounds => format!("£{}", thousands(*i as f64)),
            other => value_text(other),
        })
    }
}

/// "infeasible" or "failed", as in `sweep.csv`.
fn failure_kind(reason: &str) -> &'static str {
    if crate::sweep_table::is_infeasible(reason) {
        "infeasible"
    } else {
        "failed"
    }
}

/// Index of the planned row whose NPV wins `better` (first one on ties).
pub(super) fn extreme(rows: &[Row], better: impl Fn(f64, f64) -> bool) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, r) in rows.iter().enumerate() {
        if let Some(f) = r.figures() {
            if best.is_none_or(|(_, v)| better(f.npv, v)) {
                best = Some((i, f.npv));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// Keys of every setting any variant sets, in first-seen order.
pub(super) fn setting_keys(rows: &[Row]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for r in rows {
        for (k, _) in r.settings {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

/// The value shared by every planned row, if they all agree.
pub(super) fn common<T: PartialEq + Copy>(rows: &[Row], f: impl Fn(&Figures) -> T) -> Option<T> {
    let mut it = rows.iter().filter_map(|r| r.figures()).map(f);
    let first = it.next()?;
    it.all(|v| v == first).then_some(first)
}

/// Horizon wording: "5-year" when every planned variant has the same horizon.
pub(super) fn horizon_label(rows: &[Row]) -> String {
    match common(rows, |f| f.years) {
        Some(n) => format!("{n}-year"),
        None => "Horizon".into(),
    }
}

/// Detail lines of a failure reason shown before the rest are folded away.
const REASON_LINES: usize = 3;

/// A failure reason as HTML: each line escaped, lines broken with `<br>`; a long list of
/// reasons shows its first few and folds the rest into a `<details>`.
pub(super) fn reason_html(reason: &str) -> String {
    let lines: Vec<String> = reason
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(escape)
        .collect();
    // The first line is the heading ("no feasible plan:"), the rest are the reasons.
    let shown = (1 + REASON_LINES).min(lines.len());
    if lines.len() <= shown + 1 {
        return lines.join("<br>");
    }
    format!(
        "{}<details><summary>{} more</summary>{}</details>",
        lines[..shown].join("<br>"),
        thousands((lines.len() - shown) as f64),
        lines[shown..].join("<br>")
    )
}

/// The first few lines of a failure reason as plain text, for tooltips.
pub(super) fn reason_short(reason: &str) -> String {
    let lines: Vec<&str> = reason
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let shown = (1 + REASON_LINES).min(lines.len());
    let mut t = lines[..shown].join("\n");
    if lines.len() > shown {
        let _ = write!(
            t,
            "\n\u{2026} and {} more",
            thousands((lines.len() - shown) as f64)
        );
    }
    t
}

/// A signed difference in pounds, short: +£1.2m, -£350k, £0.
pub(super) fn money_delta(v: f64) -> String {
    if v.abs() < 0.5 {
        "£0".into()
    } else if v > 0.0 {
        format!("+{}", money(v))
    } else {
        money(v)
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Up to `n` characters, cut in the middle (names of grid variants differ at both ends).
pub(super) fn truncate_middle(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let head = n.saturating_sub(1).div_ceil(2);
    let tail = n.saturating_sub(1) - head;
    let mut t: String = s.chars().take(head).collect();
    t.push('\u{2026}');
    t.extend(s.chars().skip(count - tail));
    t
}

/// Longest variant name drawn in full beside a bar.
pub(super) const NAME_CHARS: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_reasons_are_shortened_and_escaped() {
        assert_eq!(truncate_middle("abcdefghij", 5), "ab\u{2026}ij");
        assert_eq!(truncate_middle("abc", 5), "abc");
        let reason = "no feasible plan:\n  <a> & b\n  c\n  d\n  e\n  f";
        let h = reason_html(reason);
        assert!(h.starts_with("no feasible plan:<br>&lt;a&gt; &amp; b<br>c<br>d"));
        assert!(h.contains("<details><summary>2 more</summary>e<br>f</details>"));
        assert_eq!(reason_html("x\n  y"), "x<br>y");
        assert_eq!(
            reason_short(reason).lines().last(),
            Some("\u{2026} and 2 more")
        );
    }
}
