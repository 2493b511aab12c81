//! The finance workbook (`plan.xlsx`), written with rust_xlsxwriter.
//!
//! Sheets: Summary, Costs by year, DSG grid, SCAP SEND, New places, Placements, Forecast,
//! Assumptions. Every figure is a real number with a number format (pounds as `£#,##0`), header
//! rows are frozen and data sheets carry an autofilter. Every sheet is set up to print (A4
//! landscape, one page wide, header rows repeated, a print area; Summary and Costs by year on one
//! page each) with column widths that fit their labels. Totals are SUM formulas whose cached results are the values
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

pub use crate::labels::cost_line_label;
use crate::run::RunOutputs;

mod detail;
mod finance;
mod statutory;

/// Sheet names, in workbook order.
pub const SHEETS: [&str; 8] = [
    "Summary",
    "Costs by year",
    "DSG grid",
    "SCAP SEND",
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

/// The workbook's zip compression level (1, the fastest deflate, to 9; the default is 6).
const XLSX_COMPRESSION: u8 = 3;

/// Builds the workbook. Errors (from the writer, e.g. a cell text longer than Excel allows)
/// come back as text.
pub fn workbook(run: &RunOutputs) -> Result<Vec<u8>, String> {
    build(run).map_err(|e| format!("building the workbook: {e}"))
}

fn build(run: &RunOutputs) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A faster deflate than the default (6): the workbook is the last output a run finishes,
    // and compressing it took 2.3% of the synthetic ward's run (0.11 s of CPU; 1.0% at level
    // 3, 0.6% at level 1), for a file 9% larger (level 1: 61%).
    wb.set_zip_compression_level(XLSX_COMPRESSION);
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
    finance::summary(wb.add_worksheet(), run, &f)?;
    finance::costs(wb.add_worksheet(), run, &f)?;
    statutory::dsg_grid(wb.add_worksheet(), run, &f)?;
    statutory::scap(wb.add_worksheet(), run, &f)?;
    detail::new_places(wb.add_worksheet(), run, &f)?;
    detail::placements(wb.add_worksheet(), run, &f)?;
    detail::forecast(wb.add_worksheet(), run, &f)?;
    detail::assumptions(wb.add_worksheet(), run, &f)?;
    wb.save_to_buffer()
}

/// Writes a header row in row 0, freezes it and sets column widths (each at least as wide as
/// the longest word of its header, the row as tall as the longest wrapped header).
fn header(ws: &mut Worksheet, cols: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    let widths: Vec<f64> = cols
        .iter()
        .map(|(name, width)| width.max(word_width(name)))
        .collect();
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    header_row(ws, 0, &names, &widths, f)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Writes header cells `names` in row `r`, wrapped within `widths`, the row tall enough for the
/// most lines any of them wraps to.
fn header_row(
    ws: &mut Worksheet,
    r: u32,
    names: &[&str],
    widths: &[f64],
    f: &Formats,
) -> Result<(), XlsxError> {
    let mut lines = 1;
    for (c, name) in names.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *name, &f.header)?;
        let width = widths.get(c).copied().unwrap_or(8.43);
        lines = lines.max(wrapped_lines(name, width));
    }
    ws.set_row_height(r, 15.0 * lines as f64 + 3.0)?;
    Ok(())
}

/// Width (Excel's character units) that shows `text` on one line in bold, with room to spare.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 1.15 + 2.0
}

/// Width that fits the longest word of `text` (a wrapped header never breaks inside a word).
fn word_width(text: &str) -> f64 {
    text.split(' ').map(text_width).fold(0.0, f64::max)
}

/// Characters of bold text a column of `width` holds on one line.
fn capacity(width: f64) -> usize {
    (((width - 2.0) / 1.15).floor() as usize).max(1)
}

/// Lines `text` wraps to in a column of `width`: words fill a line until the next would not fit.
fn wrapped_lines(text: &str, width: f64) -> usize {
    let cap = capacity(width);
    let (mut lines, mut used) = (1, 0);
    for word in text.split(' ') {
        let n = word.chars().count();
        if used == 0 {
            used = n;
        } else if used + 1 + n <= cap {
            used += 1 + n;
        } else {
            lines += 1;
            used = n;
        }
        // A word longer than a line is broken across lines.
        while used > cap {
            lines += 1;
            used -= cap;
        }
    }
    lines
}

/// Widest text in `texts`, as a column width of at least `min`.
fn fit_width<'t>(min: f64, texts: impl IntoIterator<Item = &'t str>) -> f64 {
    texts.into_iter().map(text_width).fold(min, f64::max)
}

/// How a sheet prints: A4 landscape, one page wide and `pages_tall` pages tall (0: as many as
/// it takes), rows 0..=`repeat_to` repeated at the top of every page when given, the print area
/// from A1 to (`last_row`, `last_col`), and the sheet name and page number in the footer.
fn print_setup(
    ws: &mut Worksheet,
    pages_tall: u16,
    repeat_to: Option<u32>,
    last_row: u32,
    last_col: u16,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, pages_tall);
    ws.set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3);
    ws.set_footer("&L&A&RPage &P of &N");
    if let Some(r) = repeat_to {
        ws.set_repeat_rows(0, r)?;
    }
    ws.set_print_area(0, 0, last_row, last_col)?;
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

    /// Headers wrap between words, a word longer than a line across lines.
    #[test]
    fn headers_wrap_between_words() {
        assert_eq!(capacity(20.0), 15);
        assert_eq!(wrapped_lines("Year", 10.0), 1);
        // "Capital repaid" | "by (cumulative" | "savings vs" | "doing nothing)"
        let long = "Capital repaid by (cumulative savings vs doing nothing)";
        assert_eq!(wrapped_lines(long, 20.0), 4);
        assert_eq!(wrapped_lines(long, text_width(long)), 1);
        assert_eq!(wrapped_lines("abcdefghijklmnopqrstuvwxyz", 10.0), 5);
        assert!(word_width(long) >= text_width("(cumulative"));
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
