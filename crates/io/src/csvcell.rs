//! Cells of the CSV files placeplan writes, safe to open in a spreadsheet.

/// Characters that make a spreadsheet read a cell as a formula when they start it: `=`, `+`,
/// `-`, `@`, tab and carriage return (OWASP, "CSV injection").
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// True when `s` starts with one of [`FORMULA_START`].
pub fn starts_like_formula(s: &str) -> bool {
    s.starts_with(FORMULA_START)
}

/// A text cell for a CSV file that is safe to open in a spreadsheet: text starting with one of
/// [`FORMULA_START`] gets a leading single quote, so a name such as `=HYPERLINK(...)` shows as
/// text instead of running. Every CSV file placeplan writes passes its text cells (names, ids,
/// labels, messages) through this; numbers are written as they are, so -5 stays a number.
pub fn text_cell(s: &str) -> String {
    if starts_like_formula(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::text_cell;

    #[test]
    fn text_cells_that_start_like_a_formula_get_a_quote() {
        for (text, cell) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Kelmore Docks", "Kelmore Docks"),
            ("a=b", "a=b"),
            ("'=1", "'=1"),
            ("", ""),
        ] {
            assert_eq!(text_cell(text), cell, "{text:?}");
        }
    }
}
