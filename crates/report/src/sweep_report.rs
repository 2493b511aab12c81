//! `report.html` for a sweep: one self-contained page (no scripts, no network) with the
//! headline of the sweep, a comparison table of every variant, the capital vs running-cost
//! Pareto chart and an NPV-by-variant bar chart. It is built from [`Section`]s and wrapped by
//! [`html::render`], so it looks like the single-run report.
//!
//! Every chart is a `<figure class="chart" data-chart="...">` whose drawn data marks carry
//! `class="datum"`, with a `<title>` tooltip on each mark and a data table beside it. All text
//! from the sweep file or the solver is escaped. The same results give the same bytes.

use std::fmt::Write as _;

use crate::html::{self, escape, money, nice_ticks, places, px, thousands, Section};

use crate::sweep_table::{value_text, ParetoPoint, Setting, VariantResult};

/// The sweep report, as UTF-8 HTML.
pub fn sweep_report(title: &str, results: &[VariantResult], points: &[ParetoPoint]) -> Vec<u8> {
    html::render(title, &sections(results, points))
}

/// The sweep's sections, in page order: headline, comparison table, Pareto chart, NPV chart.
pub fn sections(results: &[VariantResult], points: &[ParetoPoint]) -> Vec<Section> {
    let rows: Vec<Row> = results.iter().map(Row::of).collect();
    let cheapest = extreme(&rows, |a, b| a < b);
    let dearest = extreme(&rows, |a, b| a > b);
    vec![
        headline_section(&rows, cheapest, dearest),
        table_section(&rows, cheapest),
        pareto_section(&rows, points, cheapest),
        npv_section(&rows, cheapest),
    ]
}

// ---------------------------------------------------------------- rows

/// Key figures of one planned variant.
struct Figures {
    status: &'static str,
    npv: f64,
    total: f64,
    /// Capital and base set-up, as in `sweep.csv` and the Pareto points.
    capital: f64,
    new_places: f64,
    new_bases: usize,
    ooa_final: f64,
    years: usize,
    final_year: Option<i32>,
    saving: Option<f64>,
}

/// One variant as the report shows it.
struct Row<'a> {
    name: &'a str,
    settings: &'a [Setting],
    outcome: Result<Figures, (&'static str, &'a str)>,
}

impl<'a> Row<'a> {
    fn of(r: &'a VariantResult) -> Row<'a> {
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

    fn figures(&self) -> Option<&Figures> {
        self.outcome.as_ref().ok()
    }

    /// A setting's value as text: pounds for capital budgets and unit costs.
    fn setting(&self, key: &str) -> Option<String> {
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
fn extreme(rows: &[Row], better: impl Fn(f64, f64) -> bool) -> Option<usize> {
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
fn setting_keys(rows: &[Row]) -> Vec<String> {
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
fn common<T: PartialEq + Copy>(rows: &[Row], f: impl Fn(&Figures) -> T) -> Option<T> {
    let mut it = rows.iter().filter_map(|r| r.figures()).map(f);
    let first = it.next()?;
    it.all(|v| v == first).then_some(first)
}

/// Horizon wording: "5-year" when every planned variant has the same horizon.
fn horizon_label(rows: &[Row]) -> String {
    match common(rows, |f| f.years) {
        Some(n) => format!("{n}-year"),
        None => "Horizon".into(),
    }
}

/// Detail lines of a failure reason shown before the rest are folded away.
const REASON_LINES: usize = 3;

/// A failure reason as HTML: each line escaped, lines broken with `<br>`; a long list of
/// reasons shows its first few and folds the rest into a `<details>`.
fn reason_html(reason: &str) -> String {
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
fn reason_short(reason: &str) -> String {
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

// ---------------------------------------------------------------- formatting

/// Pounds in millions to two decimals, for tables.
fn money_m(v: f64) -> String {
    let r = (v / 1e4).round() / 100.0;
    if r < 0.0 {
        format!("-£{:.2}m", -r)
    } else {
        format!("£{:.2}m", r.abs())
    }
}

/// A signed difference in pounds, short: +£1.2m, -£350k, £0.
fn money_delta(v: f64) -> String {
    if v.abs() < 0.5 {
        "£0".into()
    } else if v > 0.0 {
        format!("+{}", money(v))
    } else {
        money(v)
    }
}

/// Up to `n` characters, cut in the middle (names of grid variants differ at both ends).
fn truncate_middle(s: &str, n: usize) -> String {
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
const NAME_CHARS: usize = 64;

/// Round-number ticks covering `lo..=hi` (about `n` steps), not necessarily from zero.
fn range_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1.0 {
        let pad = (hi.abs() * 0.01).max(1.0);
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() as i64;
    let last = ((hi / step).ceil() as i64).max(first + 1);
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Tick labels in £m with as many decimals as the step needs (at most three).
fn tick_labeller(ticks: &[f64]) -> impl Fn(f64) -> String {
    let step = match ticks {
        [a, b, ..] => (b - a) / 1e6,
        _ => 1.0,
    };
    let dp = (0..=3usize)
        .find(|d| {
            let s = step * 10f64.powi(*d as i32);
            (s - s.round()).abs() < 1e-6
        })
        .unwrap_or(3);
    move |v: f64| {
        let m = v / 1e6;
        let t = format!("{m:.dp$}");
        if t.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "£0".into()
        } else if let Some(pos) = t.strip_prefix('-') {
            format!("-£{pos}m")
        } else {
            format!("£{t}m")
        }
    }
}

/// Colours for groups (Tableau 10), cycled when there are more groups.
const GROUP_COLOURS: [&str; 10] = [
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
    "#ff9da7", "#bab0ac",
];
const GOOD: &str = "#2e7d32";
const BAD: &str = "#c62828";
const MUTED: &str = "#5b6675";
const OTHER: &str = "#9fb7d1";
const EXTRA: &str = "#e8871e";

/// Opening tag of an accessible inline SVG (no namespace URL needed in HTML).
fn svg_open(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         style=\"max-width:{w}px\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
        escape(title),
        escape(desc)
    )
}

fn key(style: &str, label: &str) -> String {
    format!(
        "<span><span class=\"key\" style=\"{style}\"></span>{}</span>",
        escape(label)
    )
}

/// A group's name for people: its settings, or the base scenario's when it has none.
fn group_label(group: &str) -> String {
    if group.is_empty() {
        "Base scenario settings".into()
    } else {
        group.replace(' ', ", ").replace('=', " = ")
    }
}

// ---------------------------------------------------------------- headline

fn headline_section(rows: &[Row], cheapest: Option<usize>, dearest: Option<usize>) -> Section {
    let n = rows.len();
    let planned = rows.iter().filter(|r| r.figures().is_some()).count();
    let infeasible = rows
        .iter()
        .filter(|r| matches!(r.outcome, Err(("infeasible", _))))
        .count();
    let failed = n - planned - infeasible;
    let keys = setting_keys(rows);
    let horizon = horizon_label(rows);

    let mut h = String::from("<div class=\"cards\">");
    let card = |h: &mut String, class: &str, label: &str, value: &str, sub: &str| {
        let _ = write!(
            h,
            "<div class=\"card {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div>\
             <div class=\"sub\" style=\"overflow-wrap:anywhere\">{sub}</div></div>",
            escape(label),
            escape(value),
        );
    };
    card(
        &mut h,
        "",
        "Variants run",
        &n.to_string(),
        &if keys.is_empty() {
            "the base scenario only".to_string()
        } else {
            format!(
                "varying {}",
                keys.iter()
                    .map(|k| format!("<code>{}</code>", escape(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    );
    card(
        &mut h,
        if planned == n { "good" } else { "" },
        "Planned",
        &planned.to_string(),
        "a plan found and passed the independent check",
    );
    card(
        &mut h,
        if planned < n { "warn" } else { "" },
        "Infeasible or failed",
        &(n - planned).to_string(),
        &format!("{infeasible} infeasible, {failed} failed"),
    );
    let planned_figures = |i: Option<usize>| i.and_then(|i| rows[i].figures().map(|f| (i, f)));
    match (planned_figures(cheapest), planned_figures(dearest)) {
        (Some((c, fc)), Some((d, fd))) => {
            card(
                &mut h,
                "good",
                "Cheapest by NPV",
                &money(fc.npv),
                &escape(rows[c].name),
            );
            card(
                &mut h,
                "good",
                "Saving against the most expensive",
                &money(fd.npv - fc.npv),
                &format!(
                    "NPV; the most expensive is {} at {}",
                    escape(rows[d].name),
                    escape(&money(fd.npv))
                ),
            );
            card(
                &mut h,
                "",
                "Capital of the cheapest",
                &money(fc.capital),
                &escape(&format!(
                    "{} new places in {} over the {} horizon",
                    places(fc.new_places),
                    plural(fc.new_bases, "base", "bases"),
                    horizon.to_lowercase()
                )),
            );
        }
        _ => {
            card(
                &mut h,
                "warn",
                "Cheapest by NPV",
                "n/a",
                "no variant produced a plan",
            );
        }
    }
    h.push_str("</div>");

    // Key messages in plain words.
    let _ = write!(
        h,
        "<p class=\"lead\">The sweep ran <strong>{}</strong> of the scenario{}. \
         <strong>{planned}</strong> produced a plan",
        plural(n, "variant", "variants"),
        if keys.is_empty() {
            String::new()
        } else {
            format!(
                ", changing {}",
                keys.iter()
                    .map(|k| format!("<code>{}</code>", escape(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    if planned < n {
        let names: Vec<String> = rows
            .iter()
            .filter(|r| r.figures().is_none())
            .map(|r| format!("<strong>{}</strong>", escape(r.name)))
            .collect();
        let _ = write!(
            h,
            " and {} did not ({}: see the table for why)",
            n - planned,
            names.join(", ")
        );
    }
    h.push('.');
    let planned_figures = |i: Option<usize>| i.and_then(|i| rows[i].figures().map(|f| (i, f)));
    if let (Some((c, fc)), Some((d, fd))) = (planned_figures(cheapest), planned_figures(dearest)) {
        if c == d {
            let _ = write!(
                h,
                " The only plan, <strong>{}</strong>, has an NPV of {}.",
                escape(rows[c].name),
                escape(&money(fc.npv))
            );
        } else {
            let _ = write!(
                h,
                " The cheapest in present value is <strong>{}</strong> (NPV {}, capital {}), \
                 <strong>{}</strong> less than the most expensive, <strong>{}</strong> (NPV {}, \
                 capital {}).",
                escape(rows[c].name),
                escape(&money(fc.npv)),
                escape(&money(fc.capital)),
                escape(&money(fd.npv - fc.npv)),
                escape(rows[d].name),
                escape(&money(fd.npv)),
                escape(&money(fd.capital)),
            );
        }
    }
    h.push_str(
        " Every variant is the same scenario with the settings shown changed; each variant's \
         own outputs are in its folder next to this report, and the figures below are in \
         <code>sweep.csv</code> and <code>pareto.csv</code>.</p>",
    );
    Section {
        id: "sweep-summary".into(),
        title: "Sweep headline".into(),
        html: h,
    }
}

// ---------------------------------------------------------------- comparison table

fn table_section(rows: &[Row], cheapest: Option<usize>) -> Section {
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

// ---------------------------------------------------------------- Pareto chart

fn pareto_section(rows: &[Row], points: &[ParetoPoint], cheapest: Option<usize>) -> Section {
    let horizon = horizon_label(rows);
    let cheapest_name = cheapest.map(|i| rows[i].name);
    let mut groups: Vec<&str> = Vec::new();
    for p in points {
        if !groups.contains(&p.group.as_str()) {
            groups.push(&p.group);
        }
    }
    let colour = |g: &str| {
        let i = groups.iter().position(|x| *x == g).unwrap_or(0);
        GROUP_COLOURS[i % GROUP_COLOURS.len()]
    };
    let mut h = format!(
        "<p>Each point is a variant that produced a plan: what it spends on capital (new places \
         and base set-up) against what it then spends on revenue (placements) and transport over \
         the {} horizon. Variants that differ only in their capital budget form a group, drawn \
         in one colour; filled points joined by a line are the group's frontier (no variant of \
         the group spends less on one without spending more on the other), hollow points are \
         beaten by another of the group. Down and to the left is better.</p>",
        escape(&horizon.to_lowercase())
    );
    h.push_str("<div class=\"legend\">");
    for g in &groups {
        h.push_str(&key(&format!("background:{}", colour(g)), &group_label(g)));
    }
    h.push_str(&key(
        "background:#5b6675;border-radius:50%",
        "On the group's frontier",
    ));
    h.push_str(&key(
        "background:#fff;border:2px solid #5b6675;border-radius:50%",
        "Beaten by another variant of the group",
    ));
    if cheapest_name.is_some() {
        h.push_str(&key(
            &format!(
                "background:#fff;border:2px solid {GOOD};border-radius:50%;width:14px;height:14px"
            ),
            "Cheapest by NPV",
        ));
    }
    h.push_str("</div><figure class=\"chart\" data-chart=\"pareto\">");
    if points.is_empty() {
        h.push_str(
            "<p class=\"note\">No variant produced a plan, so there is nothing to plot.</p>",
        );
    } else {
        let budget = |variant: &str| {
            let row = rows.iter().find(|r| r.name == variant)?;
            let (_, v) = row.settings.iter().find(|(k, _)| k == "capital_budget")?;
            let v = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))?;
            Some(format!("{} a year", money(v)))
        };
        h.push_str(&pareto_svg(
            points,
            &groups,
            &colour,
            &budget,
            cheapest_name,
            &horizon,
        ));
    }
    let _ = write!(
        h,
        "<figcaption>Figure 1. Capital spend against revenue and transport cost ({} totals, \
         undiscounted), one colour per group of variants.</figcaption></figure>",
        escape(&horizon.to_lowercase())
    );
    h.push_str(
        "<details><summary>Data table: capital and running cost of every planned variant</summary>\
         <table><thead><tr><th class=\"text\">Group</th><th class=\"text\">Variant</th>\
         <th>Capital</th><th>Revenue and transport</th><th>NPV</th><th class=\"text\">Frontier</th>\
         </tr></thead><tbody>",
    );
    for p in points {
        let _ = write!(
            h,
            "<tr><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"text\">{}</td></tr>",
            escape(&group_label(&p.group)),
            escape(&p.variant),
            money_m(p.capital),
            money_m(p.running),
            money_m(p.npv),
            if p.on_frontier { "yes" } else { "no" }
        );
    }
    h.push_str("</tbody></table></details>");
    Section {
        id: "sweep-pareto".into(),
        title: "Capital against running cost".into(),
        html: h,
    }
}

fn pareto_svg(
    points: &[ParetoPoint],
    groups: &[&str],
    colour: &dyn Fn(&str) -> &'static str,
    budget: &dyn Fn(&str) -> Option<String>,
    cheapest: Option<&str>,
    horizon: &str,
) -> String {
    let (w, hgt) = (1100.0, 470.0);
    let (l, r, t, b) = (86.0, 28.0, 20.0, 58.0);
    let (pw, ph) = (w - l - r, hgt - t - b);
    let max_cap = points.iter().map(|p| p.capital).fold(0.0, f64::max);
    let xt = nice_ticks(max_cap * 1.06, 8);
    let x_top = xt.last().copied().unwrap_or(1.0);
    let lo = points
        .iter()
        .map(|p| p.running)
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .map(|p| p.running)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = (hi - lo) * 0.06;
    let yt = range_ticks(lo - pad, hi + pad, 5);
    let (y_lo, y_hi) = (yt[0], yt[yt.len() - 1]);
    let x = |v: f64| l + v / x_top * pw;
    let y = |v: f64| t + ph - (v - y_lo) / (y_hi - y_lo) * ph;
    let xl = tick_labeller(&xt);
    let yl = tick_labeller(&yt);

    let desc = points
        .iter()
        .map(|p| {
            format!(
                "{}: capital {}, revenue and transport {}{}",
                p.variant,
                money(p.capital),
                money(p.running),
                if p.on_frontier {
                    ", on its group's frontier"
                } else {
                    ""
                }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = svg_open(
        "pareto",
        w,
        hgt,
        "Capital spend against revenue and transport cost by variant",
        &desc,
    );
    // Grid and axes.
    for &v in &yt {
        let _ = write!(
            o,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"{MUTED}\">{}</text>",
            px(l),
            px(y(v)),
            px(w - r),
            px(y(v)),
            px(l - 6.0),
            px(y(v) + 4.0),
            escape(&yl(v))
        );
    }
    for &v in &xt {
        let _ = write!(
            o,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#eef1f4\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            px(x(v)),
            px(t),
            px(x(v)),
            px(t + ph),
            px(x(v)),
            px(t + ph + 16.0),
            escape(&xl(v))
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">Capital spend over the {} horizon (new places and base set-up)</text>\
         <text transform=\"translate(16 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">Revenue and transport, {} total</text>",
        px(l),
        px(t + ph),
        px(w - r),
        px(t + ph),
        px(l),
        px(t),
        px(l),
        px(t + ph),
        px(l + pw / 2.0),
        px(hgt - 12.0),
        escape(&horizon.to_lowercase()),
        px(t + ph / 2.0),
        escape(&horizon.to_lowercase()),
    );
    // Frontier lines, one per group, by capital.
    for g in groups {
        let mut f: Vec<&ParetoPoint> = points
            .iter()
            .filter(|p| p.group == *g && p.on_frontier)
            .collect();
        f.sort_by(|a, b| {
            a.capital
                .total_cmp(&b.capital)
                .then(a.running.total_cmp(&b.running))
        });
        if f.len() >= 2 {
            let line: Vec<String> = f
                .iter()
                .map(|p| format!("{},{}", px(x(p.capital)), px(y(p.running))))
                .collect();
            let _ = write!(
                o,
                "<polyline class=\"frontier\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.2\" stroke-linejoin=\"round\" stroke-opacity=\"0.85\"><title>Frontier: {}</title></polyline>",
                line.join(" "),
                colour(g),
                escape(&group_label(g))
            );
        }
    }
    // Beaten points first, then frontier points on top.
    for frontier in [false, true] {
        for p in points.iter().filter(|p| p.on_frontier == frontier) {
            let c = colour(&p.group);
            let (fill, kind) = if frontier {
                (c, "on its group's frontier")
            } else {
                ("#fff", "beaten by another variant of its group")
            };
            let _ = write!(
                o,
                "<circle class=\"datum point\" cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{fill}\" stroke=\"{c}\" stroke-width=\"2\"><title>{}\n{}\ncapital {}, revenue and transport {}, NPV {}\n{kind}</title></circle>",
                px(x(p.capital)),
                px(y(p.running)),
                escape(&p.variant),
                escape(&group_label(&p.group)),
                escape(&money_m(p.capital)),
                escape(&money_m(p.running)),
                escape(&money_m(p.npv)),
            );
        }
    }
    // Each point's capital budget, above and to the right.
    for p in points {
        if let Some(label) = budget(&p.variant) {
            let _ = write!(
                o,
                "<text x=\"{}\" y=\"{}\" font-size=\"10.5\" fill=\"{MUTED}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                px(x(p.capital) + 9.0),
                px(y(p.running) - 9.0),
                escape(&label)
            );
        }
    }
    // The cheapest variant by NPV: a ring and its name, below and to the left, where a group's
    // frontier has no points of its own.
    if let Some(p) = cheapest.and_then(|n| points.iter().find(|p| p.variant == n)) {
        let (cx, cy) = (x(p.capital), y(p.running));
        let text = format!(
            "Cheapest NPV: {} ({})",
            truncate_middle(&p.variant, NAME_CHARS),
            money(p.npv)
        );
        let width = text.chars().count() as f64 * 6.6;
        let left = cx - 15.0 - width >= l + 4.0;
        let ty = if cy + 24.0 > t + ph - 4.0 {
            cy - 16.0
        } else {
            cy + 24.0
        };
        let _ = write!(
            o,
            "<circle cx=\"{}\" cy=\"{}\" r=\"11\" fill=\"none\" stroke=\"{GOOD}\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" text-anchor=\"{}\" fill=\"{GOOD}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            px(cx),
            px(cy),
            px(if left { cx - 10.0 } else { cx + 10.0 }),
            px(ty),
            if left { "end" } else { "start" },
            escape(&text),
        );
    }
    o.push_str("</svg>");
    o
}

// ---------------------------------------------------------------- NPV bars

fn npv_section(rows: &[Row], cheapest: Option<usize>) -> Section {
    let mut h = String::from(
        "<p>Net present value of every variant's costs over the horizon, cheapest first. The \
         orange end of each bar, and the figure after it, is how much more the variant costs \
         than the cheapest. Variants without a plan are listed at the bottom.</p>",
    );
    h.push_str("<div class=\"legend\">");
    h.push_str(&key(&format!("background:{GOOD}"), "Cheapest by NPV"));
    h.push_str(&key(&format!("background:{OTHER}"), "Other variants"));
    h.push_str(&key(
        &format!("background:{EXTRA}"),
        "Extra cost over the cheapest",
    ));
    h.push_str("</div><figure class=\"chart\" data-chart=\"npv\">");
    h.push_str(&npv_svg(rows, cheapest));
    h.push_str(
        "<figcaption>Figure 2. NPV by variant, discounted to the first plan year.</figcaption>\
         </figure>",
    );
    Section {
        id: "sweep-npv".into(),
        title: "NPV by variant".into(),
        html: h,
    }
}

fn npv_svg(rows: &[Row], cheapest: Option<usize>) -> String {
    // Planned variants by NPV (sweep order on ties), then the rest in sweep order.
    let mut order: Vec<usize> = (0..rows.len())
        .filter(|i| rows[*i].figures().is_some())
        .collect();
    order.sort_by(|a, b| {
        let (fa, fb) = (rows[*a].figures(), rows[*b].figures());
        let (na, nb) = (fa.map_or(0.0, |f| f.npv), fb.map_or(0.0, |f| f.npv));
        na.total_cmp(&nb).then(a.cmp(b))
    });
    order.extend((0..rows.len()).filter(|i| rows[*i].figures().is_none()));
    let best = cheapest.and_then(|i| rows[i].figures()).map(|f| f.npv);

    let longest = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    let label_w = (longest.min(NAME_CHARS) as f64 * 6.6 + 16.0).clamp(120.0, 460.0);
    let bar_h = 22.0;
    let gap = 8.0;
    let (w, t, b) = (1100.0, 12.0, 44.0);
    let (l, r) = (label_w, 150.0);
    let pw = w - l - r;
    let hgt = t + b + order.len().max(1) as f64 * (bar_h + gap);
    let max_npv = rows
        .iter()
        .filter_map(|r| r.figures())
        .map(|f| f.npv)
        .fold(0.0, f64::max);
    let ticks = nice_ticks(max_npv, 6);
    let top = ticks.last().copied().unwrap_or(1.0);
    let x = |v: f64| l + v.max(0.0) / top * pw;
    let tl = tick_labeller(&ticks);
    let desc = order
        .iter()
        .map(|i| match &rows[*i].outcome {
            Ok(f) => format!("{}: NPV {}", rows[*i].name, money(f.npv)),
            Err((kind, _)) => format!("{}: {kind}", rows[*i].name),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = svg_open("npv", w, hgt, "NPV of costs by variant", &desc);
    let y0 = t;
    let y1 = hgt - b;
    for &v in &ticks {
        let _ = write!(
            o,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            px(x(v)),
            px(y0),
            px(x(v)),
            px(y1),
            px(x(v)),
            px(y1 + 16.0),
            escape(&tl(v))
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">NPV of all costs over the horizon</text>",
        px(l),
        px(y0),
        px(l),
        px(y1),
        px(l + pw / 2.0),
        px(hgt - 8.0),
    );
    for (k, &i) in order.iter().enumerate() {
        let row = &rows[i];
        let yy = t + gap / 2.0 + k as f64 * (bar_h + gap);
        let mid = yy + bar_h / 2.0 + 4.0;
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2733\"{}>{}</text>",
            px(l - 8.0),
            px(mid),
            if cheapest == Some(i) { " font-weight=\"600\"" } else { "" },
            escape(&truncate_middle(row.name, NAME_CHARS))
        );
        match &row.outcome {
            Ok(f) => {
                let is_best = cheapest == Some(i);
                let more = best.map(|b| f.npv - b).unwrap_or(0.0);
                let _ = write!(
                    o,
                    "<rect class=\"datum bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: NPV {}{}</title></rect>",
                    px(l),
                    px(yy),
                    px(x(f.npv) - l),
                    px(bar_h),
                    if is_best { GOOD } else { OTHER },
                    escape(row.name),
                    escape(&money_m(f.npv)),
                    if is_best {
                        ", the cheapest".to_string()
                    } else {
                        format!(", {} more than the cheapest", escape(&money(more)))
                    },
                );
                if let (Some(b), false) = (best, is_best) {
                    if x(f.npv) - x(b) >= 0.05 {
                        let _ = write!(
                            o,
                            "<rect class=\"datum extra\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{EXTRA}\"><title>{}: {} more than the cheapest</title></rect>",
                            px(x(b)),
                            px(yy),
                            px((x(f.npv) - x(b)).max(1.0)),
                            px(bar_h),
                            escape(row.name),
                            escape(&money(more)),
                        );
                    }
                }
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1d2733\">{} <tspan fill=\"{}\" font-weight=\"600\">{}</tspan></text>",
                    px(x(f.npv) + 6.0),
                    px(mid),
                    escape(&money_m(f.npv)),
                    if is_best { GOOD } else { "#b35f00" },
                    if is_best {
                        "cheapest".to_string()
                    } else {
                        escape(&money_delta(more))
                    },
                );
            }
            Err((kind, reason)) => {
                let _ = write!(
                    o,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-style=\"italic\" fill=\"{BAD}\">no plan: {kind}<title>{}</title></text>",
                    px(l + 8.0),
                    px(mid),
                    escape(&reason_short(reason)),
                );
            }
        }
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ticks_cover_the_range_with_round_steps() {
        let t = range_ticks(531.2e6, 557.9e6, 5);
        assert_eq!(t.first(), Some(&530e6));
        assert_eq!(t.last(), Some(&560e6));
        assert_eq!(t.len(), 4, "{t:?}");
        // A single value still gets a range around it.
        let one = range_ticks(42e6, 42e6, 5);
        assert!(one[0] < 42e6 && *one.last().unwrap() > 42e6);
        let label = tick_labeller(&[0.0, 2.5e6, 5e6]);
        assert_eq!(label(0.0), "£0");
        assert_eq!(label(2.5e6), "£2.5m");
        assert_eq!(label(5e6), "£5.0m");
        assert_eq!(tick_labeller(&[500e6, 510e6])(510e6), "£510m");
    }

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
