//! The map section: localities sized by the places they need and the share out of area,
//! schools with new places, and where pupils travel to them, on a scaled map with a legend.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::charts::{nice_ticks, svg_open};
use super::format::{places, px, thousands, truncate};
use super::page::{escape, Section};
use crate::aggregate;
use crate::run::RunOutputs;
use placeplan_model::domain::SchoolKind;
use placeplan_model::plan::ProvisionRef;

pub(super) fn map_section(run: &RunOutputs) -> Section {
    let s = run.scenario;
    let years = &run.plan.years;
    let last_t = years.len().saturating_sub(1);
    let last = years.last().copied().unwrap_or(s.base_year + 1);
    let demand = aggregate::demand_by_locality(run);
    let ooa = aggregate::out_of_area_by_locality(run);
    let builds = aggregate::new_places(run);
    let new_by_school = aggregate::new_places_by_school(s, &builds);
    let existing = aggregate::existing_places_by_school(s);

    // Flows into new bases in the last year: (locality, school) -> pupils.
    let mut flows: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for p in &run.plan.placements {
        if p.year != last_t {
            continue;
        }
        if let (ProvisionRef::NewBase(c), Some(g)) = (p.provision, run.demand.groups.get(p.group)) {
            if let Some(cand) = run.plan.candidates.get(c) {
                *flows.entry((g.locality, cand.school)).or_default() += p.pupils;
            }
        }
    }

    let mut h = String::new();
    let _ = write!(
        h,
        "<p>Localities (blue) sized by the specialist places their children and young people \
         need in {last}, with the share placed out of area in red; schools receiving new places \
         (orange) sized by those places, with lines showing where pupils travel to them in \
         {last}. Special schools are purple squares; other schools grey dots.</p>"
    );
    h.push_str("<figure class=\"chart\" data-chart=\"map\">");

    let (w, hgt, pad) = (1100.0, 660.0, 48.0);
    let pts = s
        .localities
        .iter()
        .map(|l| (l.lat, l.lon))
        .chain(s.schools.iter().map(|x| (x.lat, x.lon)))
        .chain(
            s.outlines
                .iter()
                .flatten()
                .flatten()
                .map(|&(lon, lat)| (lat, lon)),
        );
    let (mut lat0, mut lat1, mut lon0, mut lon1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (la, lo) in pts {
        lat0 = lat0.min(la);
        lat1 = lat1.max(la);
        lon0 = lon0.min(lo);
        lon1 = lon1.max(lo);
    }
    if lat0 > lat1 {
        (lat0, lat1, lon0, lon1) = (53.0, 53.1, -3.0, -2.9);
    }
    let mid_lat = (lat0 + lat1) / 2.0;
    let k = mid_lat.to_radians().cos().max(0.1);
    let dx = ((lon1 - lon0) * k).max(0.005);
    let dy = (lat1 - lat0).max(0.005);
    let scale = ((w - 2.0 * pad - 250.0) / dx).min((hgt - 2.0 * pad) / dy);
    let ox = pad + ((w - 2.0 * pad - 250.0) - dx * scale) / 2.0;
    let oy = pad + ((hgt - 2.0 * pad) - dy * scale) / 2.0;
    let proj = |lat: f64, lon: f64| -> (f64, f64) {
        (ox + (lon - lon0) * k * scale, oy + (lat1 - lat) * scale)
    };

    let max_d = demand
        .iter()
        .map(|d| d.get(last_t).copied().unwrap_or(0.0))
        .fold(0.0, f64::max)
        .max(1.0);
    let r_loc = |v: f64| 34.0 * (v.max(0.0) / max_d).sqrt();
    let max_new = new_by_school.iter().copied().fold(0.0, f64::max).max(1.0);
    let r_new = |v: f64| 4.0 + 9.0 * (v / max_new).sqrt();
    let max_flow = flows.values().copied().fold(0.0, f64::max).max(1.0);

    let desc = format!(
        "{} localities and {} schools. {}",
        s.localities.len(),
        s.schools.len(),
        s.localities
            .iter()
            .enumerate()
            .map(|(i, l)| format!(
                "{} needs {} places in {last}, {} out of area",
                l.name,
                places(demand[i].get(last_t).copied().unwrap_or(0.0)),
                places(ooa[i].get(last_t).copied().unwrap_or(0.0))
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    let mut o = svg_open(
        "map",
        w,
        hgt,
        &format!("Map of localities and schools with new places, {last}"),
        &desc,
    );
    let _ = write!(
        o,
        "<rect x=\"2\" y=\"2\" width=\"{}\" height=\"{}\" fill=\"#f7f9fb\" stroke=\"#d6dce3\"/>",
        px(w - 254.0),
        px(hgt - 4.0)
    );
    // Locality boundaries, when the scenario has them (`[files] boundaries`).
    for (i, rings) in s.outlines.iter().enumerate() {
        if rings.is_empty() {
            continue;
        }
        let name = s.localities.get(i).map_or("", |l| l.name.as_str());
        let _ = write!(
            o,
            "<path class=\"outline\" d=\"{}\" fill=\"#eef2f6\" fill-rule=\"evenodd\" stroke=\"#b3bfcc\" stroke-width=\"0.8\"><title>{}</title></path>",
            outline_path(rings, &proj),
            escape(name)
        );
    }
    // Localities: demand, and out of area inside.
    for (i, l) in s.localities.iter().enumerate() {
        let (cx, cy) = proj(l.lat, l.lon);
        let d = demand[i].get(last_t).copied().unwrap_or(0.0);
        let oo = ooa[i].get(last_t).copied().unwrap_or(0.0);
        let _ = write!(
            o,
            "<circle class=\"datum locality\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#6a9fd4\" fill-opacity=\"0.35\" stroke=\"#2f6ca8\" stroke-width=\"1\"><title>{} ({}): {} specialist places needed in {last}, {} out of area</title></circle>",
            px(cx),
            px(cy),
            px(r_loc(d).max(2.0)),
            escape(&l.name),
            escape(&l.id),
            places(d),
            places(oo)
        );
        if oo > 0.0 {
            let _ = write!(
                o,
                "<circle class=\"datum ooa\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#d9453d\" fill-opacity=\"0.75\"><title>{}: {} out of area in {last}</title></circle>",
                px(cx),
                px(cy),
                px(r_loc(oo).max(1.0)),
                escape(&l.name),
                places(oo)
            );
        }
    }
    // Flows.
    for ((l, sc), v) in &flows {
        let (x1, y1) = proj(s.localities[*l].lat, s.localities[*l].lon);
        let (x2, y2) = proj(s.schools[*sc].lat, s.schools[*sc].lon);
        let _ = write!(
            o,
            "<line class=\"datum flow\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e8871e\" stroke-opacity=\"0.55\" stroke-width=\"{}\" stroke-linecap=\"round\"><title>{} \u{2192} {}: {} pupils in {last}</title></line>",
            px(x1),
            px(y1),
            px(x2),
            px(y2),
            px(0.8 + 5.0 * v / max_flow),
            escape(&s.localities[*l].name),
            escape(&s.schools[*sc].name),
            places(*v)
        );
    }
    // Schools.
    for (i, sc) in s.schools.iter().enumerate() {
        let (cx, cy) = proj(sc.lat, sc.lon);
        if new_by_school[i] > 0.0 {
            continue;
        }
        if matches!(sc.kind, SchoolKind::Special | SchoolKind::Independent) {
            let _ = write!(
                o,
                "<rect class=\"datum school special\" x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" fill=\"#7b4fa0\" stroke=\"#fff\" stroke-width=\"0.8\"><title>{} ({}): {} school, {} existing specialist places</title></rect>",
                px(cx - 4.5),
                px(cy - 4.5),
                escape(&sc.name),
                escape(&sc.id),
                sc.kind.code(),
                thousands(existing[i] as f64)
            );
        } else {
            let _ = write!(
                o,
                "<circle class=\"datum school\" cx=\"{}\" cy=\"{}\" r=\"2.4\" fill=\"#8a96a3\"><title>{} ({}): {}, {} existing specialist places</title></circle>",
                px(cx),
                px(cy),
                escape(&sc.name),
                escape(&sc.id),
                sc.kind.code(),
                thousands(existing[i] as f64)
            );
        }
    }
    // New-base schools above the other marks; their labels go on top of everything.
    let mut new_labels = String::new();
    for (i, sc) in s.schools.iter().enumerate() {
        let v = new_by_school[i];
        if v <= 0.0 {
            continue;
        }
        let (cx, cy) = proj(sc.lat, sc.lon);
        let detail = builds
            .iter()
            .filter(|b| b.school == i)
            .map(|b| {
                format!(
                    "{} {} {} from {}",
                    b.need.code(),
                    b.phase.code(),
                    places(b.places),
                    b.open_year
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            o,
            "<circle class=\"datum school new\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#f28e2b\" fill-opacity=\"0.85\" stroke=\"#8a4b08\" stroke-width=\"1.2\"><title>{} ({}): {} new places ({})</title></circle>",
            px(cx),
            px(cy),
            px(r_new(v)),
            escape(&sc.name),
            escape(&sc.id),
            places(v),
            escape(&detail),
        );
        let _ = write!(
            new_labels,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" font-weight=\"700\" fill=\"#8a4b08\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">+{}</text>",
            px(cx + r_new(v) * 0.7 + 2.0),
            px(cy - r_new(v) * 0.7 - 1.0),
            places(v)
        );
    }
    // Locality labels over the circles.
    for l in &s.localities {
        let (cx, cy) = proj(l.lat, l.lon);
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#1d2733\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            px(cx),
            px(cy + 4.0),
            escape(&truncate(&l.name, 24))
        );
    }
    o.push_str(&new_labels);
    // Scale bar (km) and north arrow.
    let km_per_px = 111.32 / scale;
    let target_km = km_per_px * 120.0;
    let bar_km = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .iter()
        .copied()
        .rfind(|k| *k <= target_km)
        .unwrap_or(0.5);
    let bar_px = bar_km / km_per_px;
    let (sx, sy) = (20.0, hgt - 24.0);
    let _ = write!(
        o,
        "<g aria-hidden=\"true\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#1d2733\" stroke-width=\"3\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#1d2733\">{} km</text>\
         <text x=\"{}\" y=\"34\" font-size=\"14\" font-weight=\"700\" text-anchor=\"middle\" fill=\"#1d2733\">N</text>\
         <path d=\"M{} 38 L{} 58 L{} 52 L{} 58 Z\" fill=\"#1d2733\"/></g>",
        px(sx),
        px(sy),
        px(sx + bar_px),
        px(sy),
        px(sx),
        px(sy - 7.0),
        bar_km,
        px(w - 280.0),
        px(w - 280.0),
        px(w - 287.0),
        px(w - 280.0),
        px(w - 273.0)
    );
    // Legend on the right.
    let lx = w - 236.0;
    let mut ly = 36.0;
    let _ = write!(
        o,
        "<g class=\"legend-map\"><text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2733\">Legend ({last})</text>",
        px(lx),
        px(ly - 10.0)
    );
    let ref_d = nice_ticks(max_d, 2).get(1).copied().unwrap_or(max_d);
    let entries: [(String, String); 6] = [
        (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#6a9fd4\" fill-opacity=\"0.35\" stroke=\"#2f6ca8\"/>",
                px(lx + 16.0),
                px(ly + 14.0),
                px(r_loc(ref_d).min(16.0))
            ),
            format!("Places needed (circle = {})", places(ref_d.min(max_d))),
        ),
        (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"#d9453d\" fill-opacity=\"0.75\"/>",
                px(lx + 16.0),
                px(ly + 48.0)
            ),
            "Of which out of area".into(),
        ),
        (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"9\" fill=\"#f28e2b\" stroke=\"#8a4b08\"/>",
                px(lx + 16.0),
                px(ly + 78.0)
            ),
            "School with new places (+N)".into(),
        ),
        (
            format!(
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e8871e\" stroke-opacity=\"0.7\" stroke-width=\"3\"/>",
                px(lx + 4.0),
                px(ly + 108.0),
                px(lx + 28.0),
                px(ly + 108.0)
            ),
            "Pupils to a new base".into(),
        ),
        (
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"9\" height=\"9\" fill=\"#7b4fa0\"/>",
                px(lx + 11.5),
                px(ly + 133.5)
            ),
            "Special / independent school".into(),
        ),
        (
            format!(
                "<circle cx=\"{}\" cy=\"{}\" r=\"2.4\" fill=\"#8a96a3\"/>",
                px(lx + 16.0),
                px(ly + 168.0)
            ),
            "Other school".into(),
        ),
    ];
    let offsets = [14.0, 48.0, 78.0, 108.0, 138.0, 168.0];
    for ((shape, label), off) in entries.iter().zip(offsets) {
        let _ = write!(
            o,
            "{shape}<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1d2733\">{}</text>",
            px(lx + 38.0),
            px(ly + off + 4.0),
            escape(label)
        );
    }
    ly += 200.0;
    let _ = write!(
        o,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6675\">Circle areas are proportional</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6675\">to pupils or places. Positions</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#5b6675\">are locality centroids (WGS84).</text></g></svg>",
        px(lx),
        px(ly),
        px(lx),
        px(ly + 15.0),
        px(lx),
        px(ly + 30.0)
    );
    h.push_str(&o);
    let _ = write!(
        h,
        "<figcaption>Figure 4. Localities and schools, {last}. The same data is in plan.geojson \
         for QGIS.</figcaption></figure>"
    );

    // Locality table.
    h.push_str("<details><summary>Data table: specialist places needed and pupils out of area by locality</summary><table><thead><tr><th class=\"text\">Locality</th><th class=\"text\">Id</th>");
    for y in years {
        let _ = write!(h, "<th>Needed {y}</th>");
    }
    for y in years {
        let _ = write!(h, "<th>Out of area {y}</th>");
    }
    h.push_str("</tr></thead><tbody>");
    for (i, l) in s.localities.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td>",
            escape(&l.name),
            escape(&l.id)
        );
        for v in &demand[i] {
            let _ = write!(h, "<td>{}</td>", places(*v));
        }
        for v in &ooa[i] {
            let _ = write!(h, "<td>{}</td>", places(*v));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></details>");
    Section {
        id: "map".into(),
        title: "Map of localities and new places".into(),
        html: h,
    }
}

/// An SVG path of boundary rings ((lon, lat) points), projected, leaving out points closer
/// than a pixel to the last one drawn so real boundaries stay small.
fn outline_path(rings: &[Vec<(f64, f64)>], proj: &impl Fn(f64, f64) -> (f64, f64)) -> String {
    let mut d = String::new();
    for ring in rings {
        let mut last: Option<(f64, f64)> = None;
        let mut drawn = 0;
        for &(lon, lat) in ring {
            let (x, y) = proj(lat, lon);
            if let Some((lx, ly)) = last {
                if (x - lx).hypot(y - ly) < 1.0 {
                    continue;
                }
            }
            let _ = write!(
                d,
                "{}{} {}",
                if drawn == 0 { "M" } else { " L" },
                px(x),
                px(y)
            );
            last = Some((x, y));
            drawn += 1;
        }
        if drawn > 0 {
            d.push_str(" Z ");
        }
    }
    d.trim_end().to_string()
}
