//! The CSV tables (forecast, plan, placements, costs) and `summary.json` of a run, as bytes.
//! Numbers use fixed decimals so the same inputs give byte-identical files.

use placeplan_io::csvcell::text_cell;
use placeplan_model::summary::Summary;

use placeplan_model::finance::{unit_cost, CostLine, Costing};
use placeplan_model::forecast::{Band, Demand, Forecast};
use placeplan_model::plan::{Plan, ProvisionRef};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

pub(crate) fn csv_bytes(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    w.into_inner().unwrap_or_default()
}

/// Fixed-decimal text for CSV output, never "-0.000".
pub fn fixed(v: f64, dp: usize) -> String {
    f(v, dp)
}

/// A count of places or pupils: a whole number without decimals (every plan with whole bases),
/// else three decimals (the continuous model's fractional places).
pub(crate) fn count(v: f64) -> String {
    if v.is_finite() && v == v.round() {
        f(v, 0)
    } else {
        f(v, 3)
    }
}

fn f(v: f64, dp: usize) -> String {
    let s = format!("{v:.dp$}");
    // Avoid "-0.000".
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// `forecast.csv`: for each variant (unmitigated, and mitigated when levers are set), year,
/// locality, age group and need, the plans and the specialist places needed as the central
/// projection and the P10/P50/P90 of the Monte Carlo runs; then LA totals (locality and need
/// `ALL`) by age group and for all ages (`ALL`), summed within each run before percentiles.
pub fn forecast_csv(s: &Scenario, forecasts: &[Forecast]) -> Vec<u8> {
    let mut rows = Vec::new();
    for fc in forecasts {
        let variant = fc.variant.code();
        for c in &fc.cells {
            for (measure, b) in [("plans", &c.plans), ("specialist", &c.specialist)] {
                rows.push(band_row(
                    variant,
                    c.year,
                    &s.localities[c.locality].id,
                    c.age_group.label(),
                    c.need.code(),
                    measure,
                    b,
                ));
            }
        }
        for t in &fc.totals {
            let g = t.age_group.map_or("ALL", |g| g.label());
            for (measure, b) in [("plans", &t.plans), ("specialist", &t.specialist)] {
                rows.push(band_row(variant, t.year, "ALL", g, "ALL", measure, b));
            }
        }
    }
    csv_bytes(
        &[
            "variant",
            "year",
            "locality",
            "age_group",
            "need",
            "measure",
            "central",
            "p10",
            "p50",
            "p90",
        ],
        rows,
    )
}

fn band_row(
    variant: &str,
    year: i32,
    locality: &str,
    age_group: &str,
    need: &str,
    measure: &str,
    b: &Band,
) -> Vec<String> {
    vec![
        variant.to_string(),
        year.to_string(),
        text_cell(locality),
        age_group.to_string(),
        need.to_string(),
        measure.to_string(),
        f(b.central, 3),
        f(b.p10, 3),
        f(b.p50, 3),
        f(b.p90, 3),
    ]
}

/// `plan.csv`: new places by school, need and phase, with their kind of provision and the year
/// funded and first used.
pub fn plan_csv(s: &Scenario, plan: &Plan) -> Vec<u8> {
    csv_bytes(
        &[
            "kind",
            "school",
            "school_name",
            "need",
            "phase",
            "year",
            "funded_year",
            "places",
            "capital",
        ],
        plan.builds.iter().map(|b| {
            let c = &plan.candidates[b.candidate];
            let school = &s.schools[c.school];
            let open = plan.years[0] + plan.first_use(s, b) as i32;
            vec![
                c.kind.code().to_string(),
                text_cell(&school.id),
                text_cell(&school.name),
                c.need.code().to_string(),
                c.phase.code().to_string(),
                open.to_string(),
                plan.years[b.funded].to_string(),
                count(b.places),
                f(b.places * s.candidate_capex(c), 2),
            ]
        }),
    )
}

/// `placements.csv`: where each demand group is placed each year, with journey and unit costs.
pub fn placements_csv(
    s: &Scenario,
    travel: &TravelMatrix,
    demand: &Demand,
    plan: &Plan,
) -> Vec<u8> {
    csv_bytes(
        &[
            "year",
            "locality",
            "need",
            "phase",
            "provision",
            "school",
            "school_name",
            "pupils",
            "minutes",
            "km",
            "place_cost",
            "transport_cost",
        ],
        plan.placements.iter().map(|p| {
            let g = &demand.groups[p.group];
            let (_, revenue, transport) = unit_cost(s, travel, &plan.candidates, g, p.provision);
            let (kind, school) = provision_cells(s, plan, p.provision);
            let (id, name, minutes, km) = match school {
                Some(sc) => (
                    text_cell(&s.schools[sc].id),
                    text_cell(&s.schools[sc].name),
                    f(travel.minutes(g.locality, sc), 1),
                    f(travel.km(g.locality, sc), 2),
                ),
                None => (String::new(), String::new(), String::new(), String::new()),
            };
            vec![
                plan.years[p.year].to_string(),
                text_cell(&s.localities[g.locality].id),
                g.need.code().to_string(),
                g.phase.code().to_string(),
                kind.to_string(),
                id,
                name,
                count(p.pupils),
                minutes,
                km,
                f(revenue, 2),
                f(transport, 2),
            ]
        }),
    )
}

/// The `provision` code of placements.csv and moves.csv, and the school, if any.
fn provision_cells(s: &Scenario, plan: &Plan, p: ProvisionRef) -> (&'static str, Option<usize>) {
    match p {
        ProvisionRef::Existing(k) => ("existing", Some(s.provisions[k].school)),
        ProvisionRef::NewBase(c) => ("new_base", Some(plan.candidates[c].school)),
        ProvisionRef::OutOfArea => ("out_of_area", None),
        ProvisionRef::Elsewhere(_) => ("other_authority", None),
    }
}

/// `moves.csv`: pupils brought back mid-phase (`[solver] bring_back`), one row per year, group,
/// where they were and where they go, with the one-off cost of the row's moves.
pub fn moves_csv(s: &Scenario, demand: &Demand, plan: &Plan) -> Vec<u8> {
    csv_bytes(
        &[
            "year",
            "locality",
            "need",
            "phase",
            "from",
            "to",
            "school",
            "school_name",
            "pupils",
            "move_cost",
        ],
        plan.moves.iter().map(|m| {
            let g = &demand.groups[m.group];
            let (from, _) = provision_cells(s, plan, m.from);
            let (to, school) = provision_cells(s, plan, m.to);
            let (id, name) = match school {
                Some(sc) => (text_cell(&s.schools[sc].id), text_cell(&s.schools[sc].name)),
                None => (String::new(), String::new()),
            };
            vec![
                plan.years[m.year].to_string(),
                text_cell(&s.localities[g.locality].id),
                g.need.code().to_string(),
                g.phase.code().to_string(),
                from.to_string(),
                to.to_string(),
                id,
                name,
                count(m.pupils),
                f(s.costs.move_cost * m.pupils, 2),
            ]
        }),
    )
}

/// `costs.csv`: one row per year with every cost line, the total and its discounted value,
/// then a `total` row.
pub fn costs_csv(c: &Costing) -> Vec<u8> {
    let mut header = vec!["year"];
    header.extend(CostLine::ALL.iter().map(|l| l.code()));
    header.extend(["total", "discount_factor", "discounted"]);
    let mut rows: Vec<Vec<String>> = c
        .years
        .iter()
        .map(|y| {
            let mut r = vec![y.year.to_string()];
            r.extend(y.lines.iter().map(|v| f(*v, 2)));
            r.extend([f(y.total, 2), f(y.discount_factor, 6), f(y.discounted, 2)]);
            r
        })
        .collect();
    let mut total = vec!["total".to_string()];
    total.extend(CostLine::ALL.iter().map(|l| f(c.line_total(*l), 2)));
    total.extend([f(c.total, 2), String::new(), f(c.npv, 2)]);
    rows.push(total);
    csv_bytes(&header, rows)
}

/// `summary.json`: the run's headline numbers, pretty-printed.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(summary).unwrap_or_default();
    v.push(b'\n');
    v
}
