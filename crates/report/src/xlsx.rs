//! The finance workbook (`plan.xlsx`), written with rust_xlsxwriter.
//!
//! Sheets: Summary, Costs by year, New places, Placements, Forecast, Assumptions. Every figure
//! is a real number with a number format (pounds as `£#,##0`), header rows are frozen and data
//! sheets carry an autofilter. Totals are SUM formulas whose cached results are the values
//! placeplan computed, so a spreadsheet shows them before recalculating and a reader that does
//! not calculate (calamine, pandas) still sees them; the "Costs by year" totals row equals the
//! `total` row of `costs.csv`.
//!
//! The bytes are deterministic: the document creation time is fixed (rust_xlsxwriter otherwise
//! stamps the current time) and the zip entries carry a fixed timestamp.

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

use crate::aggregate::{self, Value};
use crate::export::RunOutputs;
use placeplan_model::finance::{unit_cost, CostLine, Costing};
use placeplan_model::forecast::Band;
use placeplan_model::plan::ProvisionRef;

/// Sheet names, in workbook order.
pub const SHEETS: [&str; 6] = [
    "Summary",
    "Costs by year",
    "New places",
    "Placements",
    "Forecast",
    "Assumptions",
];

const MONEY: &str = "£#,##0;[Red]-£#,##0";
const MONEY_PENCE: &str = "£#,##0.00;[Red]-£#,##0.00";
const PLACES: &str = "#,##0.0";
const COUNT: &str = "#,##0";
const PERCENT: &str = "0.0%";
const FACTOR: &str = "0.000000";
const DECIMAL: &str = "#,##0.0##";

/// Last worksheet row placeplan fills with data (Excel's limit is 1,048,576 rows); longer sheets
/// end with a note pointing to the CSV file that holds every row.
const LAST_DATA_ROW: u32 = 1_048_570;

/// Writes the "rows left out" note in row `r`.
fn truncated(ws: &mut Worksheet, r: u32, csv: &str, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(
        r,
        0,
        format!("Rows beyond Excel's limit are left out here: see {csv} for all of them."),
        &f.note,
    )?;
    Ok(())
}

/// Human label of a cost line, as used in the workbook and the report.
pub fn cost_line_label(l: CostLine) -> &'static str {
    match l {
        CostLine::ResourcedBase => "Resourced bases (existing)",
        CostLine::NewBase => "New resourced bases",
        CostLine::Special => "Special schools",
        CostLine::IndependentLocal => "Independent (local)",
        CostLine::Post16 => "Post-16 / post-19",
        CostLine::OutOfArea => "Out of area / independent",
        CostLine::Transport => "Transport",
        CostLine::Capital => "Capital",
        CostLine::BaseSetup => "Base set-up",
    }
}

/// Cell formats shared by every sheet.
struct Formats {
    title: Format,
    header: Format,
    text: Format,
    bold: Format,
    money: Format,
    money_pence: Format,
    money_total: Format,
    places: Format,
    places_total: Format,
    count: Format,
    percent: Format,
    factor: Format,
    decimal: Format,
    year: Format,
    total_label: Format,
    note: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0x1F3A5F))
            .set_font_color(Color::White)
            .set_border_bottom(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let total = |f: Format| {
            f.set_bold()
                .set_border_top(FormatBorder::Thin)
                .set_border_bottom(FormatBorder::Double)
        };
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header,
            text: Format::new(),
            bold: Format::new().set_bold(),
            money: Format::new().set_num_format(MONEY),
            money_pence: Format::new().set_num_format(MONEY_PENCE),
            money_total: total(Format::new().set_num_format(MONEY)),
            places: Format::new().set_num_format(PLACES),
            places_total: total(Format::new().set_num_format(PLACES)),
            count: Format::new().set_num_format(COUNT),
            percent: Format::new().set_num_format(PERCENT),
            factor: Format::new().set_num_format(FACTOR),
            decimal: Format::new().set_num_format(DECIMAL),
            year: Format::new()
                .set_num_format("0")
                .set_align(FormatAlign::Left),
            total_label: total(Format::new()),
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x555555)),
        }
    }
}

/// Builds the workbook. Errors (from the writer, e.g. a cell text longer than Excel allows)
/// come back as text.
pub fn workbook(run: &RunOutputs) -> Result<Vec<u8>, String> {
    build(run).map_err(|e| format!("building the workbook: {e}"))
}

fn build(run: &RunOutputs) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation time keeps the bytes identical for identical inputs.
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{}: SEND place plan", run.scenario.name))
            .set_author("placeplan")
            .set_comment("Generated by placeplan; figures in pounds")
            .set_creation_datetime(&created),
    );
    let f = Formats::new();
    summary(wb.add_worksheet(), run, &f)?;
    costs(wb.add_worksheet(), run, &f)?;
    new_places(wb.add_worksheet(), run, &f)?;
    placements(wb.add_worksheet(), run, &f)?;
    forecast(wb.add_worksheet(), run, &f)?;
    assumptions(wb.add_worksheet(), run, &f)?;
    wb.save_to_buffer()
}

/// Writes a header row in row 0, freezes it and sets column widths.
fn header(ws: &mut Worksheet, cols: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    for (c, (name, width)) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *name, &f.header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// `=SUM(col first..=last)` with the cached result.
fn sum_formula(col: u16, first: u32, last: u32, result: f64) -> Formula {
    let name = column_name(col);
    Formula::new(format!("=SUM({name}{}:{name}{})", first + 1, last + 1))
        .set_result(number_text(result))
}

/// Excel column letters of a 0-based column.
fn column_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A cached formula result: the shortest text that reads back as the same f64.
fn number_text(v: f64) -> String {
    if v.is_finite() {
        format!("{}", if v == 0.0 { 0.0 } else { v })
    } else {
        "0".into()
    }
}

fn summary(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    let (s, sm, c) = (run.scenario, run.summary, run.costing);
    ws.set_name(SHEETS[0])?;
    ws.set_column_width(0, 38)?;
    ws.set_column_width(1, 20)?;
    ws.set_column_width(2, 20)?;
    ws.set_column_width(3, 20)?;
    ws.set_column_width(4, 20)?;
    ws.set_column_width(5, 20)?;
    let years = &run.plan.years;
    let span = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => String::new(),
    };
    ws.write_string_with_format(
        0,
        0,
        format!("{}: SEND place plan {span}", s.name),
        &f.title,
    )?;
    ws.write_string_with_format(
        1,
        0,
        "Pounds, undiscounted unless marked NPV. Generated by placeplan.",
        &f.note,
    )?;
    let mut r = 3u32;
    let text = |ws: &mut Worksheet, r: &mut u32, k: &str, v: &str| -> Result<(), XlsxError> {
        ws.write_string_with_format(*r, 0, k, &f.bold)?;
        ws.write_string(*r, 1, v)?;
        *r += 1;
        Ok(())
    };
    text(ws, &mut r, "Scenario", &s.name)?;
    text(ws, &mut r, "Plan years", &span)?;
    text(ws, &mut r, "Forecast", run.forecast.variant.code())?;
    text(
        ws,
        &mut r,
        "Solver",
        &format!("{} ({})", sm.backend, sm.status),
    )?;
    text(
        ws,
        &mut r,
        "Independent check",
        &format!("{} ({} facts checked)", sm.check, sm.check_facts),
    )?;
    r += 1;
    let num = |ws: &mut Worksheet,
               r: &mut u32,
               k: &str,
               v: Option<f64>,
               fmt: &Format|
     -> Result<(), XlsxError> {
        if let Some(v) = v {
            ws.write_string_with_format(*r, 0, k, &f.bold)?;
            ws.write_number_with_format(*r, 1, v, fmt)?;
            *r += 1;
        }
        Ok(())
    };
    num(
        ws,
        &mut r,
        "Total cost over the plan years",
        Some(c.total),
        &f.money,
    )?;
    num(
        ws,
        &mut r,
        &format!("NPV at {:.1}%", s.discount_rate * 100.0),
        Some(c.npv),
        &f.money,
    )?;
    num(
        ws,
        &mut r,
        "Capital for new places",
        Some(c.line_total(CostLine::Capital)),
        &f.money,
    )?;
    num(
        ws,
        &mut r,
        "Do nothing: total cost",
        sm.do_nothing_total_cost,
        &f.money,
    )?;
    num(ws, &mut r, "Do nothing: NPV", sm.do_nothing_npv, &f.money)?;
    num(
        ws,
        &mut r,
        "Saving against doing nothing (NPV)",
        sm.saving_vs_do_nothing,
        &f.money,
    )?;
    text(
        ws,
        &mut r,
        "Capital repaid by (cumulative savings vs doing nothing)",
        &sm.payback_year
            .map_or("not within the horizon".to_string(), |y| y.to_string()),
    )?;
    num(
        ws,
        &mut r,
        "Nearest-school greedy: NPV",
        sm.greedy_npv,
        &f.money,
    )?;
    num(
        ws,
        &mut r,
        "Saving against nearest-school greedy (NPV)",
        sm.saving_vs_greedy,
        &f.money,
    )?;
    num(
        ws,
        &mut r,
        "New places funded",
        Some(sm.new_places),
        &f.places,
    )?;
    num(
        ws,
        &mut r,
        "New bases (school x need x phase)",
        Some(sm.new_bases as f64),
        &f.count,
    )?;
    r += 1;

    // By year.
    let cols = [
        "Year",
        "Specialist places needed",
        "Pupils out of area",
        "Cost",
        "Discounted cost",
        "Do-nothing cost",
    ];
    for (i, h) in cols.iter().enumerate() {
        ws.write_string_with_format(r, i as u16, *h, &f.header)?;
    }
    ws.set_row_height(r, 30)?;
    r += 1;
    let dn = run.do_nothing.map(|(_, c)| c);
    for (t, y) in c.years.iter().enumerate() {
        ws.write_number_with_format(r, 0, y.year as f64, &f.year)?;
        if let Some(d) = sm.demand.get(t) {
            ws.write_number_with_format(r, 1, *d as f64, &f.count)?;
        }
        if let Some(o) = sm.pupils_out_of_area.get(t) {
            ws.write_number_with_format(r, 2, *o, &f.places)?;
        }
        ws.write_number_with_format(r, 3, y.total, &f.money)?;
        ws.write_number_with_format(r, 4, y.discounted, &f.money)?;
        if let Some(dy) = dn.and_then(|d| d.years.get(t)) {
            ws.write_number_with_format(r, 5, dy.total, &f.money)?;
        }
        r += 1;
    }
    Ok(())
}

fn costs(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[1])?;
    let mut cols: Vec<(&str, f64)> = vec![("Year", 10.0)];
    cols.extend(CostLine::ALL.iter().map(|l| (cost_line_label(*l), 16.0)));
    cols.extend([
        ("Total", 17.0),
        ("Discount factor", 11.0),
        ("Discounted (NPV)", 17.0),
    ]);
    header(ws, &cols, f)?;
    let n_lines = CostLine::ALL.len() as u16;
    let next = cost_block(ws, 1, "Total", run.costing, n_lines, f)?;
    if let Some((_, dn)) = run.do_nothing {
        let r = next + 1;
        ws.write_string_with_format(r, 0, "Do nothing (no new places)", &f.bold)?;
        let after = cost_block(ws, r + 1, "Total (do nothing)", dn, n_lines, f)?;
        ws.write_string_with_format(after, 0, "Saving", &f.total_label)?;
        let total_col = 1 + n_lines;
        let plan_total_row = next - 1;
        let dn_total_row = after - 1;
        for col in [total_col, total_col + 2] {
            let name = column_name(col);
            let (plan_v, dn_v) = if col == total_col {
                (run.costing.total, dn.total)
            } else {
                (run.costing.npv, dn.npv)
            };
            ws.write_formula_with_format(
                after,
                col,
                Formula::new(format!(
                    "={name}{}-{name}{}",
                    dn_total_row + 1,
                    plan_total_row + 1
                ))
                .set_result(number_text(dn_v - plan_v)),
                &f.money_total,
            )?;
        }
    }
    ws.set_landscape();
    Ok(())
}

/// Writes one costing's year rows from `first_row`, then its totals row labelled `label`.
/// Returns the row after the totals.
fn cost_block(
    ws: &mut Worksheet,
    first_row: u32,
    label: &str,
    c: &Costing,
    n_lines: u16,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let total_col = 1 + n_lines;
    let mut r = first_row;
    for y in &c.years {
        ws.write_number_with_format(r, 0, y.year as f64, &f.year)?;
        for (i, v) in y.lines.iter().enumerate() {
            ws.write_number_with_format(r, 1 + i as u16, *v, &f.money)?;
        }
        let row_formula = Formula::new(format!(
            "=SUM(B{n}:{last}{n})",
            n = r + 1,
            last = column_name(n_lines)
        ))
        .set_result(number_text(y.total));
        ws.write_formula_with_format(r, total_col, row_formula, &f.money)?;
        ws.write_number_with_format(r, total_col + 1, y.discount_factor, &f.factor)?;
        let disc = Formula::new(format!(
            "={}{n}*{}{n}",
            column_name(total_col),
            column_name(total_col + 1),
            n = r + 1
        ))
        .set_result(number_text(y.discounted));
        ws.write_formula_with_format(r, total_col + 2, disc, &f.money)?;
        r += 1;
    }
    let last = r.saturating_sub(1);
    ws.write_string_with_format(r, 0, label, &f.total_label)?;
    for l in CostLine::ALL {
        let col = 1 + l.index() as u16;
        ws.write_formula_with_format(
            r,
            col,
            sum_formula(col, first_row, last, c.line_total(l)),
            &f.money_total,
        )?;
    }
    ws.write_formula_with_format(
        r,
        total_col,
        sum_formula(total_col, first_row, last, c.total),
        &f.money_total,
    )?;
    ws.write_blank(r, total_col + 1, &f.total_label)?;
    ws.write_formula_with_format(
        r,
        total_col + 2,
        sum_formula(total_col + 2, first_row, last, c.npv),
        &f.money_total,
    )?;
    Ok(r + 1)
}

fn new_places(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    let s = run.scenario;
    ws.set_name(SHEETS[2])?;
    header(
        ws,
        &[
            ("School URN", 12.0),
            ("School", 36.0),
            ("Need", 8.0),
            ("Phase", 12.0),
            ("Year funded", 10.0),
            ("Year places open", 10.0),
            ("New places", 11.0),
            ("Capital per place", 14.0),
            ("Capital", 15.0),
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
        ws.write_number_with_format(r, 7, s.capex_per_place(school), &f.money)?;
        ws.write_number_with_format(r, 8, b.capital, &f.money)?;
        r += 1;
    }
    if builds.is_empty() {
        ws.write_string_with_format(1, 0, "No new places in this plan.", &f.note)?;
        return Ok(());
    }
    ws.autofilter(0, 0, r - 1, 8)?;
    ws.write_string_with_format(r, 0, "Total", &f.total_label)?;
    for col in 1..=5 {
        ws.write_blank(r, col, &f.total_label)?;
    }
    let places: f64 = builds.iter().map(|b| b.places).sum();
    let capital: f64 = builds.iter().map(|b| b.capital).sum();
    ws.write_formula_with_format(r, 6, sum_formula(6, 1, r - 1, places), &f.places_total)?;
    ws.write_blank(r, 7, &f.total_label)?;
    ws.write_formula_with_format(r, 8, sum_formula(8, 1, r - 1, capital), &f.money_total)?;
    Ok(())
}

fn placements(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    let (s, plan, d, travel) = (run.scenario, run.plan, run.demand, run.travel);
    ws.set_name(SHEETS[3])?;
    header(
        ws,
        &[
            ("Year", 8.0),
            ("Locality", 10.0),
            ("Locality name", 22.0),
            ("Need", 8.0),
            ("Phase", 12.0),
            ("Provision", 13.0),
            ("School URN", 11.0),
            ("School", 34.0),
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
    Ok(())
}

fn forecast(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    let (s, fc) = (run.scenario, run.forecast);
    ws.set_name(SHEETS[4])?;
    header(
        ws,
        &[
            ("Variant", 12.0),
            ("Year", 8.0),
            ("Locality", 10.0),
            ("Locality name", 22.0),
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
    Ok(())
}

fn assumptions(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[5])?;
    header(
        ws,
        &[
            ("Section", 14.0),
            ("Setting (scenario.toml)", 30.0),
            ("Value", 16.0),
            ("Unit", 10.0),
            ("Meaning", 80.0),
        ],
        f,
    )?;
    for (i, a) in aggregate::assumptions(run.scenario).iter().enumerate() {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_run_same_bytes() {
        let fx = crate::aggregate::fixture::Fixture::demo();
        let a = workbook(&fx.run()).unwrap();
        let b = workbook(&fx.run()).unwrap();
        assert!(a.len() > 10_000);
        assert!(a == b, "two workbooks of the same run differ");
        assert_eq!(&a[..2], b"PK");
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn cached_results_read_back_exactly() {
        for v in [0.0, -0.0, 1.5, 593147740.8123, 1e-7, -12.25] {
            let t = number_text(v);
            assert_eq!(t.parse::<f64>().unwrap(), if v == 0.0 { 0.0 } else { v });
        }
    }
}
