//! The new places section: bars of new specialist places by school and need, and one
//! table row per new base.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::charts::{key, nice_ticks, svg_open};
use super::format::{money, places, px, truncate};
use super::page::{escape, Section};
use crate::aggregate;
use crate::run::RunOutputs;
use placeplan_model::domain::{Need, Phase};
use placeplan_model::plan::BuildKind;

fn need_colour(n: Need) -> &'static str {
    match n {
        Need::Asd => "#4e79a7",
        Need::Slcn => "#f28e2b",
        Need::Semh => "#e15759",
        Need::Mld => "#76b7b2",
        Need::Sld => "#59a14f",
        Need::Pmld => "#edc948",
        Need::Spld => "#b07aa1",
        Need::Hi => "#ff9da7",
        Need::Vi => "#9c755f",
        Need::Msi => "#bab0ac",
        Need::Pd => "#86bcb6",
        Need::Oth => "#d4a6c8",
    }
}

pub(super) fn places_section(run: &RunOutputs) -> Section {
    let s = run.scenario;
    let builds = aggregate::new_places(run);
    let mut h = String::new();
    if builds.is_empty() {
        h.push_str("<p>The plan funds no new places: existing provision and out-of-area placements meet demand at the lowest cost.</p>");
        h.push_str("<figure class=\"chart\" data-chart=\"places\" data-empty=\"true\"></figure>");
        return Section {
            id: "places".into(),
            title: "New places by school and need".into(),
            html: h,
        };
    }
    // Per school: places by need.
    let mut by_school: BTreeMap<usize, BTreeMap<Need, f64>> = BTreeMap::new();
    for b in &builds {
        *by_school
            .entry(b.school)
            .or_default()
            .entry(b.need)
            .or_default() += b.places;
    }
    let mut rows: Vec<(usize, f64)> = by_school
        .iter()
        .map(|(sc, m)| (*sc, m.values().sum()))
        .collect();
    rows.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| s.schools[a.0].name.cmp(&s.schools[b.0].name))
    });
    let needs: Vec<Need> = Need::ALL
        .iter()
        .copied()
        .filter(|n| builds.iter().any(|b| b.need == *n))
        .collect();
    let _ = write!(
        h,
        "<p>Where the plan puts new specialist places (resourced bases, special-school and post-16 \
         expansions, new special schools): {} places at {} schools. Bars show each school's new \
         places by need, over all phases and years; the table gives each one's kind.</p>",
        places(builds.iter().map(|b| b.places).sum()),
        rows.len()
    );
    h.push_str("<div class=\"legend\">");
    for n in &needs {
        h.push_str(&key(need_colour(*n), n.code()));
    }
    h.push_str("</div><figure class=\"chart\" data-chart=\"places\">");

    let row_h = 24.0;
    let (w, l, r, t, b) = (1100.0, 300.0, 70.0, 12.0, 46.0);
    let hgt = t + b + row_h * rows.len() as f64;
    let pw = w - l - r;
    let maxv = rows.iter().map(|x| x.1).fold(0.0, f64::max);
    let ticks = nice_ticks(maxv, 6);
    let top = ticks.last().copied().unwrap_or(1.0);
    let x = |v: f64| l + v / top * pw;
    let desc = rows
        .iter()
        .map(|(sc, tot)| {
            format!(
                "{}: {} new places ({})",
                s.schools[*sc].name,
                places(*tot),
                by_school[sc]
                    .iter()
                    .map(|(n, v)| format!("{} {}", n.code(), places(*v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut o = svg_open("places", w, hgt, "New places by school and need", &desc);
    for &tk in &ticks {
        let xx = x(tk);
        let _ = write!(
            o,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6675\">{}</text>",
            px(xx),
            px(t),
            px(xx),
            px(hgt - b),
            px(xx),
            px(hgt - b + 15.0),
            places(tk)
        );
    }
    for (i, (sc, tot)) in rows.iter().enumerate() {
        let yy = t + row_h * i as f64;
        let school = &s.schools[*sc];
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2733\">{}</text>",
            px(l - 8.0),
            px(yy + row_h / 2.0 + 4.0),
            escape(&truncate(&school.name, 44))
        );
        let mut acc = 0.0;
        for (n, v) in &by_school[sc] {
            let _ = write!(
                o,
                "<rect class=\"datum\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: {} {} places</title></rect>",
                px(x(acc)),
                px(yy + 4.0),
                px((x(acc + v) - x(acc)).max(0.5)),
                px(row_h - 8.0),
                need_colour(*n),
                escape(&school.name),
                places(*v),
                n.code()
            );
            acc += v;
        }
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"600\" fill=\"#1d2733\">{}</text>",
            px(x(*tot) + 6.0),
            px(yy + row_h / 2.0 + 4.0),
            places(*tot)
        );
    }
    let _ = write!(
        o,
        "<line x1=\"{l}\" y1=\"{}\" x2=\"{l}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6675\">New places funded over the plan</text></svg>",
        px(t),
        px(hgt - b),
        px(l + pw / 2.0),
        px(hgt - 8.0)
    );
    h.push_str(&o);
    h.push_str(
        "<figcaption>Figure 3. New specialist places by school and need.</figcaption></figure>",
    );

    // Table: one row per new base (school, need, phase), with when its places open.
    h.push_str("<table><thead><tr><th class=\"text\">Kind</th><th class=\"text\">School</th><th class=\"text\">URN</th><th class=\"text\">Need</th><th class=\"text\">Phase</th><th>Places</th><th class=\"text\">Places opening (year: places)</th><th>Capital</th></tr></thead><tbody>");
    let mut bases: BTreeMap<(BuildKind, &str, usize, Need, Phase), Vec<&aggregate::NewPlaces>> =
        BTreeMap::new();
    for bl in &builds {
        bases
            .entry((
                bl.kind,
                s.schools[bl.school].name.as_str(),
                bl.school,
                bl.need,
                bl.phase,
            ))
            .or_default()
            .push(bl);
    }
    for ((kind, name, school, need, phase), list) in &bases {
        let mut opening: BTreeMap<i32, f64> = BTreeMap::new();
        for bl in list {
            *opening.entry(bl.open_year).or_default() += bl.places;
        }
        let _ = write!(
            h,
            "<tr><td class=\"text\">{}</td><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td></tr>",
            kind.label(),
            escape(name),
            escape(&s.schools[*school].id),
            need.code(),
            phase.code(),
            places(list.iter().map(|b| b.places).sum()),
            opening
                .iter()
                .map(|(y, v)| format!("{y}: {}", places(*v)))
                .collect::<Vec<_>>()
                .join(", "),
            money(list.iter().map(|b| b.capital).sum())
        );
    }
    let _ = write!(
        h,
        "<tr class=\"total\"><td>Total</td><td></td><td></td><td></td><td></td><td>{}</td><td></td><td>{}</td></tr></tbody></table>",
        places(builds.iter().map(|b| b.places).sum()),
        money(builds.iter().map(|b| b.capital).sum())
    );
    Section {
        id: "places".into(),
        title: "New places by school and need".into(),
        html: h,
    }
}
