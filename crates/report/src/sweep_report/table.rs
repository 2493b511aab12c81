//! The comparison table: one row per variant with the settings it changes, whether it
//! planned, its costs, or why it has no plan.

use std::fmt::Write as _;

use super::colours::{BAD, GOOD, MUTED};
use super::rows::{common, horizon_label, reason_html, setting_keys, Row};
use crate::html::format::{money_m, places};
use crate::html::page::{escape, Section};

pub(super) fn table_section(rows: &[Row], cheapest: Option<usize>) -> Section {
    let keys = setting_keys(rows);
    let horizon = horizon_label(rows);
    let final_year = common(rows, |f| f.final_year).flatten();
    let mut h = String::from(
        "<p>One row per variant, in sweep order: the settings it changes, whether it produced a \
         plan, and its costs. Capital includes the set-up cost of new bases. The cheapest \
         variant by NPV is highlighted. A dash in a setting column means the base scenario's \
         value.</p><div style=\"overflow-x:auto\"><table class=\"sweep\"><thead><tr>\
         <th class=\"text\">Variant</th>",
    );
    for k in &keys {
        // Dotted keys may break after a dot.
        let _ = write!(
            h,
            "<th class=\"text\"><code>{}</code></th>",
            escape(k).replace('.', ".<wbr>")
        );
    }
    let _ = write!(
        h,
        "<th class=\"text\">Status</th><th>NPV</th><th>{} total</th><th>Capital</th>\
         <th>New places</th><th>Out of area{}</th><th>Saving vs do nothing</th></tr></thead><tbody>",
        escape(&horizon),
        match final_year {
            Some(y) => format!(" {y}"),
            None => ", final year".into(),
        }
    );
    for (i, r) in rows.iter().enumerate() {
        let best = cheapest == Some(i);
        if best {
            h.push_str("<tr class=\"best\" style=\"background:#e8f5e9;font-weight:600\">");
        } else {
            h.push_str("<tr>");
        }
        // Short names stay on one line; long ones may break after an underscore.
        if r.name.chars().count() <= 28 {
            let _ = write!(
                h,
                "<td class=\"text\"><span style=\"white-space:nowrap\">{}</span>",
                escape(r.name)
            );
        } else {
            let _ = write!(
                h,
                "<td class=\"text\">{}",
                escape(r.name).replace('_', "_<wbr>")
            );
        }
        if best {
            let _ = write!(
                h,
                " <span style=\"display:inline-block;margin-left:4px;padding:0 6px;border-radius:8px;\
                 background:{GOOD};color:#fff;font-size:11px;font-weight:600\">cheapest</span>"
            );
        }
        h.push_str("</td>");
        for k in &keys {
            match r.setting(k) {
                Some(v) => {
                    let _ = write!(h, "<td class=\"text\">{}</td>", escape(&v));
                }
                None => {
                    let _ = write!(
                        h,
                        "<td class=\"text\" style=\"color:{MUTED}\">\u{2013}</td>"
                    );
                }
            }
        }
        match &r.outcome {
            Ok(f) => {
                let _ = write!(
                    h,
                    "<td class=\"text\" style=\"color:{GOOD}\">{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td><td>{}</td>",
                    escape(&f.status.replace('_', " ")),
                    money_m(f.npv),
                    money_m(f.total),
                    money_m(f.capital),
                    places(f.new_places),
                    places(f.ooa_final),
                );
                match f.saving {
                    Some(v) => {
                        let colour = if v >= 0.0 { GOOD } else { BAD };
                        let _ = write!(h, "<td style=\"color:{colour}\">{}</td>", money_m(v));
                    }
                    None => {
                        let _ = write!(
                            h,
                            "<td style=\"color:{MUTED}\" title=\"baselines were not solved\">n/a</td>"
                        );
                    }
                }
            }
            Err((kind, reason)) => {
                let _ = write!(
                    h,
                    "<td class=\"text\" style=\"color:{BAD};font-weight:600\">{kind}</td>\
                     <td class=\"text reason\" colspan=\"6\" style=\"color:{BAD};font-size:12.5px\">{}</td>",
                    reason_html(reason)
                );
            }
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></div>");
    if rows
        .iter()
        .filter_map(|r| r.figures())
        .any(|f| f.saving.is_none())
    {
        h.push_str(
            "<p class=\"note\">n/a: the do-nothing baseline was not solved for that variant \
             (the sweep ran with <code>baselines = false</code>, or the baseline had no plan).</p>",
        );
    }
    Section {
        id: "sweep-table".into(),
        title: "Comparison of variants".into(),
        html: h,
    }
}
