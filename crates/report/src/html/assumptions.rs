//! The assumptions section: every setting of the scenario with its meaning.

use std::fmt::Write as _;

use super::format::thousands;
use super::page::{escape, Section};
use crate::aggregate::{self, Value};
use crate::run::RunOutputs;

pub(super) fn assumptions_section(run: &RunOutputs) -> Section {
    let s = run.scenario;
    let mut h = String::from(
        "<p>Every setting of the scenario, as in <code>scenario.toml</code>. Unit costs are per \
         pupil per year unless marked one-off.</p><table><thead><tr><th class=\"text\">Setting</th>\
         <th>Value</th><th class=\"text\">Meaning</th></tr></thead><tbody>",
    );
    for a in aggregate::assumptions(s) {
        let v = match &a.value {
            Value::Money(v) => format!("£{}", thousands(*v)),
            Value::Rate(v) => format!("{:.1}%", v * 100.0),
            Value::Number(v, _) if a.key.ends_with("year") => format!("{v:.0}"),
            Value::Number(v, unit) => {
                let n = if v.fract() == 0.0 {
                    thousands(*v)
                } else {
                    format!("{v}")
                };
                if unit.is_empty() {
                    n
                } else {
                    format!("{n} {unit}")
                }
            }
            Value::Text(t) => t.clone(),
        };
        let _ = write!(
            h,
            "<tr><td class=\"text\"><code>{}</code></td><td>{}</td><td class=\"text\">{}</td></tr>",
            escape(&a.key),
            escape(&v),
            escape(a.meaning)
        );
    }
    h.push_str("</tbody></table>");
    Section {
        id: "assumptions".into(),
        title: "Assumptions".into(),
        html: h,
    }
}
