//! The statutory sheets: the DSG management plan grid and the SCAP SEND forecast layout, the
//! same rows as `dsg_grid.csv` and `scap_send.csv`.

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::{fit_width, header, print_setup, Formats, SHEETS};
use crate::run::RunOutputs;
use crate::statutory::{self as layout, DsgPlacement, ScapProvision, DSG_NEEDS};

pub(super) fn dsg_grid(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[2])?;
    let names = layout::dsg_columns();
    let type_width = fit_width(12.0, DsgPlacement::ALL.map(DsgPlacement::label));
    let cols: Vec<(&str, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let width = match i {
                0 => 12.0,
                1 | 3 => 7.0,
                2 => type_width,
                4..=9 => 9.0,
                _ => 12.0,
            };
            (n.as_str(), width)
        })
        .collect();
    header(ws, &cols, f)?;
    let mut r = 1u32;
    for b in layout::dsg_grid(run) {
        for (t, ty) in DsgPlacement::ALL.iter().enumerate() {
            for (n, need) in DSG_NEEDS.iter().enumerate() {
                ws.write_string(r, 0, b.variant)?;
                ws.write_number_with_format(r, 1, b.year as f64, &f.year)?;
                ws.write_string(r, 2, ty.label())?;
                ws.write_string(r, 3, *need)?;
                if ty.planned() {
                    let cells = &b.cells[t][n];
                    let mut col = 4u16;
                    for (get, fmt) in [
                        (cell_pupils as fn(&layout::Cell) -> f64, &f.decimal),
                        (cell_cost, &f.money),
                    ] {
                        for c in cells {
                            ws.write_number_with_format(r, col, get(c), fmt)?;
                            col += 1;
                        }
                        ws.write_number_with_format(
                            r,
                            col,
                            cells.iter().map(get).sum::<f64>(),
                            fmt,
                        )?;
                        col += 1;
                    }
                }
                r += 1;
            }
        }
    }
    let last_col = cols.len().saturating_sub(1) as u16;
    if r > 1 {
        ws.autofilter(0, 0, r - 1, last_col)?;
    }
    print_setup(ws, 0, Some(0), r.saturating_sub(1), last_col)
}

fn cell_pupils(c: &layout::Cell) -> f64 {
    c.pupils
}

fn cell_cost(c: &layout::Cell) -> f64 {
    c.cost
}

pub(super) fn scap(ws: &mut Worksheet, run: &RunOutputs, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(SHEETS[3])?;
    header(
        ws,
        &[
            ("Year", 8.0),
            ("Phase", 12.0),
            (
                "Provision",
                fit_width(12.0, ScapProvision::ALL.map(ScapProvision::code)),
            ),
            ("Places needed", 12.0),
            ("Places planned", 12.0),
        ],
        f,
    )?;
    let mut r = 1u32;
    for row in layout::scap(run) {
        ws.write_number_with_format(r, 0, row.year as f64, &f.year)?;
        ws.write_string(r, 1, row.phase.code())?;
        ws.write_string(r, 2, row.provision.code())?;
        if row.provision.planned() {
            ws.write_number_with_format(r, 3, row.needed, &f.decimal)?;
            ws.write_number_with_format(r, 4, row.planned, &f.decimal)?;
        }
        r += 1;
    }
    if r > 1 {
        ws.autofilter(0, 0, r - 1, 4)?;
    }
    print_setup(ws, 0, Some(0), r.saturating_sub(1), 4)
}
