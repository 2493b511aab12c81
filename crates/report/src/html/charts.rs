//! The chart kit of the HTML reports: accessible SVG frames, round-number axis ticks, grid
//! lines and legend keys. Charts are inline SVG drawn as text, so the same data gives the
//! same bytes.

use std::fmt::Write as _;

use super::format::px;
use super::page::escape;

/// Round-number axis ticks from 0 covering `max` (about `n` of them).
pub fn nice_ticks(max: f64, n: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let count = (max / step).ceil() as usize;
    (0..=count.max(1)).map(|i| i as f64 * step).collect()
}

pub(crate) fn key(colour: &str, label: &str) -> String {
    format!(
        "<span><span class=\"key\" style=\"background:{colour}\"></span>{}</span>",
        escape(label)
    )
}

/// Opening tag of an accessible SVG with its title and description.
pub(crate) fn svg_open(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\" style=\"max-width:{w}px\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
        escape(title),
        escape(desc)
    )
}

/// Horizontal grid lines with labels on the left, for a value axis from 0 to the last tick.
pub(crate) fn y_grid(
    out: &mut String,
    ticks: &[f64],
    left: f64,
    right: f64,
    y_of: impl Fn(f64) -> f64,
    label: impl Fn(f64) -> String,
) {
    for &t in ticks {
        let y = y_of(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e3e7ec\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6675\">{}</text>",
            px(left),
            px(y),
            px(right),
            px(y),
            px(left - 6.0),
            px(y + 4.0),
            escape(&label(t))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_from_zero() {
        assert_eq!(
            nice_ticks(3424.0, 4),
            vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0]
        );
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }
}
