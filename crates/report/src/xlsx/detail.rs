//! The detail sheets: New places, Placements, Forecast and Assumptions.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{
    fit_width, header, print_setup, sum_formula, truncated, Formats, LAST_DATA_ROW, SHEETS,
};
use crate::aggregate::{self, Value};
use crate::run::RunOutputs;
use placeplan_model::finance::unit_cost;
use placeplan_model::forecast::Band;
use placeplan_model::plan::ProvisionRef;

pub(super) fn new_places(
    ws: &mut Worksheet,
    run: &RunOutputs,
    f: &Formats,
) -> Result<(), XlsxError> {
    let s = run.scenario;
    ws.set_name(SHEETS[4])?;
    header(
        ws,
        &[
            ("School URN", 12.0),
            ("School", school_width(run)),
            ("Need", 8.0),
            ("Phase", 12.0),
            ("Year funded", 10.0),
            ("Year places open", 10.0),
            ("New places", 11.0),
            ("Capital per place", 14.0),
            ("Capital", 15.0),
            ("Kind", 26.0),
        ],
        f,
    )?;
    let builds = aggregate::new_places(run);
    let mut r = 1u32;
    for b in &builds {
        let school = &s.schools[b.school];
        ws.write_string(r, 0, &school.id)?;
        ws.write_string(r, 1, &school.name)?;
        ws.write_string(r, 2, b.need.code())?;
        ws.write_string(r, 3, b.phase.code())?;
        ws.write_number_with_format(r, 4, b.funded_year as f64, &f.year)?;
        ws.write_number_with_format(r, 5, b.open_year as f64, &f.year)?;
        ws.write_number_with_format(r, 6, b.places, &f.places)?;
        ws.write_number_with_format(r, 7, b.capex_per_place, &f.money)?;
        ws.write_number_with_format(r, 8, b.capital, &f.money)?;
        ws.write_string(r, 9, b.kind.label())?;
        r += 1;
    }
    if builds.is_empty() {
        ws.write_string_with_format(1, 0, "No new places in this plan.", &f.note)?;
        ws.autofilter(0, 0, 1, 9)?;
        return print_setup(ws, 0, Some(0), 1, 9);
    }
    ws.autofilter(0, 0, r - 1, 9)?;
    ws.write_string_with_format(r, 0, "Total", &f.total_label)?;
    for col in 1..=5 {
        ws.write_blank(r, col, &f.total_label)?;
    }
    let places: f64 = builds.iter().map(|b| b.places).sum();
    let capital: f64 = builds.iter().map(|b| b.capital).sum();
    ws.write_formula_with_format(r, 6, sum_formula(6, 1, r - 1, places), &f.places_total)?;
    ws.write_blank(r, 7, &f.total_label)?;
    ws.write_formula_with_format(r, 8, sum_formula(8, 1, r - 1, capital), &f.money_total)?;
    ws.write_blank(r, 9, &f.total_label)?;
    print_setup(ws, 0, Some(0), r, 9)
}

pub(super) fn placements(
    ws: &mut Worksheet,
    run: &RunOutputs,
    f: &Formats,
) -> Result<(), XlsxError> {
    let (s, plan, d, travel) = (run.scenario, run.plan, run.demand, run.travel);
    ws.set_name(SHEETS[5])?;
    header(
        ws,
        &[
            ("Year", 8.0),
            ("Locality", 10.0),
            ("Locality name", locality_width(run)),
            ("Need", 8.0),
            ("Phase", 12.0),
            ("Provision", 13.0),
            ("School URN", 11.0),
            ("School", school_width(run)),
            ("Pupils", 9.0),
            ("Journey minutes", 10.0),
            ("Road km", 9.0),
            ("Place cost per pupil", 13.0),
            ("Transport per pupil", 13.0),
            ("Annual cost", 15.0),
        ],
        f,
    )?;
    let mut r = 1u32;
    for p in &plan.placements {
        if r >= LAST_DATA_ROW {
            truncated(ws, r, "placements.csv", f)?;
            break;
        }
        let (Some(g), Some(year)) = (d.groups.get(p.group), plan.years.get(p.year)) else {
            continue;
        };
        let (_, revenue, transport) = unit_cost(s, travel, &plan.candidates, g, p.provision);
        let (kind, school) = match p.provision {
            ProvisionRef::Existing(k) => ("existing", s.provisions.get(k).map(|x| x.school)),
            ProvisionRef::NewBase(c) => ("new base", plan.candidates.get(c).map(|x| x.school)),
            ProvisionRef::OutOfArea => ("out of area", None),
            ProvisionRef::Elsewhere(_) => ("other authority", None),
        };
        let loc = &s.localities[g.locality];
        ws.write_number_with_format(r, 0, *year as f64, &f.year)?;
        ws.write_string(r, 1, &loc.id)?;
        ws.write_string(r, 2, &loc.name)?;
        ws.write_string(r, 3, g.need.code())?;
        ws.write_string(r, 4, g.phase.code())?;
        ws.write_string(r, 5, kind)?;
        if let Some(sc) = school {
            ws.write_string(r, 6, &s.schools[sc].id)?;
            ws.write_string(r, 7, &s.schools[sc].name)?;
            ws.write_number_with_format(r, 9, travel.minutes(g.locality, sc), &f.places)?;
            ws.write_number_with_format(r, 10, travel.km(g.locality, sc), &f.decimal)?;
        }
        ws.write_number_with_format(r, 8, p.pupils, &f.decimal)?;
        ws.write_number_with_format(r, 11, revenue, &f.money)?;
        ws.write_number_with_format(r, 12, transport, &f.money_pence)?;
        ws.write_number_with_format(r, 13, p.pupils * (revenue + transport), &f.money)?;
        r += 1;
    }
    if r > 1 {
        ws.autofilter(0, 0, r - 1, 13)?;
    }
    print_setup(ws, 0, Some(0), r.saturating_sub(1), 13)
}

pub(super) fn forecast(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    let (s, fc) = (run.scenario, run.forecast);
    ws.set_name(SHEETS[6])?;
    header(
        ws,
        &[
            ("Variant", 12.0),
            ("Year", 8.0),
            ("Locality", 10.0),
            ("Locality name", locality_width(run)),
            ("Age group", 9.0),
            ("Need", 8.0),
            ("EHC plans (central)", 11.0),
            ("Plans P10", 10.0),
            ("Plans P50", 10.0),
            ("Plans P90", 10.0),
            ("Specialist places (central)", 12.0),
            ("Specialist P10", 10.0),
            ("Specialist P50", 10.0),
            ("Specialist P90", 10.0),
        ],
        f,
    )?;
    let variant = fc.variant.code();
    let mut r = 1u32;
    let band = |ws: &mut Worksheet, r: u32, col: u16, b: &Band| -> Result<(), XlsxError> {
        for (i, v) in [b.central, b.p10, b.p50, b.p90].into_iter().enumerate() {
            ws.write_number_with_format(r, col + i as u16, v, &f.places)?;
        }
        Ok(())
    };
    // LA totals first, then every cell.
    for t in &fc.totals {
        ws.write_string(r, 0, variant)?;
        ws.write_number_with_format(r, 1, t.year as f64, &f.year)?;
        ws.write_string(r, 2, "ALL")?;
        ws.write_string(r, 3, "All localities")?;
        ws.write_string(r, 4, t.age_group.map_or("ALL", |g| g.label()))?;
        ws.write_string(r, 5, "ALL")?;
        band(ws, r, 6, &t.plans)?;
        band(ws, r, 10, &t.specialist)?;
        r += 1;
    }
    for c in &fc.cells {
        if r >= LAST_DATA_ROW {
            truncated(ws, r, "forecast.csv", f)?;
            break;
        }
        let Some(loc) = s.localities.get(c.locality) else {
            continue;
        };
        ws.write_string(r, 0, variant)?;
        ws.write_number_with_format(r, 1, c.year as f64, &f.year)?;
        ws.write_string(r, 2, &loc.id)?;
        ws.write_string(r, 3, &loc.name)?;
        ws.write_string(r, 4, c.age_group.label())?;
        ws.write_string(r, 5, c.need.code())?;
        band(ws, r, 6, &c.plans)?;
        band(ws, r, 10, &c.specialist)?;
        r += 1;
    }
    if r > 1 {
        ws.autofilter(0, 0, r - 1, 13)?;
    }
    print_setup(ws, 0, Some(0), r.saturating_sub(1), 13)
}

pub(super) fn assumptions(
    ws: &mut Worksheet,
    run: &RunOutputs,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[7])?;
    let rows = aggregate::assumptions(run.scenario);
    let meaning_width = fit_width(40.0, rows.iter().map(|a| a.meaning)).min(120.0);
    header(
        ws,
        &[
            ("Section", fit_width(14.0, rows.iter().map(|a| a.section))),
            (
                "Setting (scenario.toml)",
                fit_width(30.0, rows.iter().map(|a| a.key.as_str())),
            ),
            ("Value", 16.0),
            ("Unit", 10.0),
            ("Meaning", meaning_width),
        ],
        f,
    )?;
    for (i, a) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, a.section)?;
        ws.write_string(r, 1, &a.key)?;
        match &a.value {
            Value::Money(v) => {
                ws.write_number_with_format(r, 2, *v, &f.money)?;
                ws.write_string(r, 3, "£")?;
            }
            Value::Rate(v) => {
                ws.write_number_with_format(r, 2, *v, &f.percent)?;
                ws.write_string(r, 3, "%")?;
            }
            Value::Number(v, unit) => {
                let fmt = if a.key.ends_with("year") {
                    &f.year
                } else if v.fract() == 0.0 {
                    &f.count
                } else {
                    &f.decimal
                };
                ws.write_number_with_format(r, 2, *v, fmt)?;
                ws.write_string(r, 3, *unit)?;
            }
            Value::Text(t) => {
                ws.write_string_with_format(r, 2, t, &f.text)?;
            }
        }
        ws.write_string(r, 4, a.meaning)?;
    }
    if !rows.is_empty() {
        ws.autofilter(0, 0, rows.len() as u32, 4)?;
    }
    print_setup(ws, 0, Some(0), rows.len() as u32, 4)
}

/// Widest school name, as a column width (at most 80).
fn school_width(run: &RunOutputs) -> f64 {
    fit_width(20.0, run.scenario.schools.iter().map(|s| s.name.as_str())).min(80.0)
}

/// Widest locality name, as a column width (at most 80).
fn locality_width(run: &RunOutputs) -> f64 {
    fit_width(
        14.0,
        run.scenario.localities.iter().map(|l| l.name.as_str()),
    )
    .min(80.0)
}
