//! The chart kit of the HTML reports (the plan's and the sweep's): accessible SVG frames,
//! round-number axis ticks and their labels, grid lines and legend keys. Charts are inline SVG drawn as text, so the same data gives the
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

/// Round-number ticks covering `lo..=hi` (about `n` steps), not necessarily from zero.
pub(crate) fn range_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && lo <= hi {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    if hi - lo < 1.0 {
        let pad = (hi.abs() * 0.01).max(1.0);
        lo -= pad;
        hi += pad;
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() as i64;
    let last = ((hi / step).ceil() as i64).max(first + 1);
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Tick labels in £m with as many decimals as the step needs (at most three).
pub(crate) fn tick_labeller(ticks: &[f64]) -> impl Fn(f64) -> String {
    let step = match ticks {
        [a, b, ..] => (b - a) / 1e6,
        _ => 1.0,
    };
    let dp = (0..=3usize)
        .find(|d| {
            let s = step * 10f64.powi(*d as i32);
            (s - s.round()).abs() < 1e-6
        })
        .unwrap_or(3);
    move |v: f64| {
        let m = v / 1e6;
        let t = format!("{m:.dp$}");
        if t.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            "£0".into()
        } else if let Some(pos) = t.strip_prefix('-') {
            format!("-£{pos}m")
        } else {
            format!("£{t}m")
        }
    }
}

/// A legend key: a swatch of `colour` and its label.
pub(crate) fn key(colour: &str, label: &str) -> String {
    key_styled(&format!("background:{colour}"), label)
}

/// A legend key whose swatch has the inline style `style` (a ring, a dashed line, ...).
pub(crate) fn key_styled(style: &str, label: &str) -> String {
    format!(
        "<span><span class=\"key\" style=\"{style}\"></span>{}</span>",
        escape(label)
    )
}

/// Opening tag of an accessible SVG with its title and description, with the SVG namespace
/// (the plan's report).
pub(crate) fn svg_open(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    svg_open_tag(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" ",
        id,
        w,
        h,
        title,
        desc,
    )
}

/// Opening tag of an accessible inline SVG, without the namespace URL, which SVG inside HTML
/// does not need (the sweep report).
pub(crate) fn inline_svg_open(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    svg_open_tag("<svg ", id, w, h, title, desc)
}

/// `start` (`<svg` and any attributes before the view box), then the view box, the title and
/// description, and a white background.
fn svg_open_tag(start: &str, id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "{start}viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         style=\"max-width:{w}px\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
        escape(title),
        escape(desc)
    )
}

/// Horizontal grid lines with labels on the left, one per tick of a value axis.
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

/// Vertical grid lines from `top` to `bottom` in colour `stroke`, with labels centred below,
/// one per tick of a value axis.
pub(crate) fn x_grid(
    out: &mut String,
    ticks: &[f64],
    top: f64,
    bottom: f64,
    stroke: &str,
    x_of: impl Fn(f64) -> f64,
    label: impl Fn(f64) -> String,
) {
    for &t in ticks {
        let x = x_of(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6675\">{}</text>",
            px(x),
            px(top),
            px(x),
            px(bottom),
            px(x),
            px(bottom + 16.0),
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

    #[test]
    fn range_ticks_cover_the_range_with_round_steps() {
        let t = range_ticks(531.2e6, 557.9e6, 5);
        assert_eq!(t.first(), Some(&530e6));
        assert_eq!(t.last(), Some(&560e6));
        assert_eq!(t.len(), 4, "{t:?}");
        // A single value still gets a range around it.
        let one = range_ticks(42e6, 42e6, 5);
        assert!(one[0] < 42e6 && *one.last().unwrap() > 42e6);
        let label = tick_labeller(&[0.0, 2.5e6, 5e6]);
        assert_eq!(label(0.0), "£0");
        assert_eq!(label(2.5e6), "£2.5m");
        assert_eq!(label(5e6), "£5.0m");
        assert_eq!(tick_labeller(&[500e6, 510e6])(510e6), "£510m");
    }
}
