//! Numbers and text as the reports show them: places, pounds, SVG coordinates, shortened names.

pub use placeplan_model::numfmt::thousands;

/// Places or pupils: whole numbers plainly, fractions to one decimal.
pub fn places(v: f64) -> String {
    let tenths = (v * 10.0).round();
    if tenths % 10.0 == 0.0 {
        thousands(v)
    } else {
        let whole = (tenths / 10.0).trunc();
        let digit = (tenths - whole * 10.0).abs();
        let sign = if v < 0.0 && whole == 0.0 { "-" } else { "" };
        format!("{sign}{}.{digit:.0}", thousands(whole))
    }
}

/// Pounds, short: £593.1m, £950k, £800.
pub fn money(v: f64) -> String {
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    if a >= 1e9 {
        format!("{sign}£{:.2}bn", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}£{:.1}m", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}£{:.0}k", a / 1e3)
    } else {
        format!("{sign}£{a:.0}")
    }
}

/// Pounds in millions to two decimals, for tables.
pub(crate) fn money_m(v: f64) -> String {
    let r = (v / 1e4).round() / 100.0;
    if r < 0.0 {
        format!("-£{:.2}m", -r)
    } else {
        format!("£{:.2}m", r.abs())
    }
}

/// Coordinates in SVG: one decimal, no "-0.0".
pub fn px(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Up to `n` characters, with an ellipsis when cut.
pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('\u{2026}');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(-999.6), "-1,000");
        assert_eq!(thousands(0.2), "0");
        assert_eq!(money(593_147_740.0), "£593.1m");
        assert_eq!(money(-12_800.0), "-£13k");
        assert_eq!(places(142.857), "142.9");
        assert_eq!(places(143.0), "143");
    }
}
