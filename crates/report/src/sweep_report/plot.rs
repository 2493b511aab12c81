//! The frame of the sweep report's scatter charts (capital against running cost, NPV against
//! capital budget): pounds on both axes, x from zero, y around the data, with grid lines, axes,
//! their labels, and lines through points.

use std::fmt::Write as _;

use super::colours::MUTED;
use crate::html::charts::{nice_ticks, range_ticks, tick_labeller, x_grid, y_grid};
use crate::html::format::px;
use crate::html::page::escape;

/// A chart 1100 wide with room for tick labels on the left and below.
pub(super) struct Frame {
    pub(super) w: f64,
    pub(super) hgt: f64,
    pub(super) l: f64,
    pub(super) r: f64,
    pub(super) t: f64,
    pw: f64,
    ph: f64,
    xt: Vec<f64>,
    yt: Vec<f64>,
}

impl Frame {
    /// A frame `hgt` high whose x axis runs from 0 past the largest x of `points` and whose y
    /// axis covers their y values with a little room.
    pub(super) fn new(hgt: f64, points: impl Iterator<Item = (f64, f64)>) -> Frame {
        let (w, l, r, t, b) = (1100.0, 86.0, 28.0, 20.0, 58.0);
        let (mut max_x, mut lo, mut hi) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
        for (x, y) in points {
            max_x = f64::max(max_x, x);
            lo = lo.min(y);
            hi = hi.max(y);
        }
        let pad = (hi - lo) * 0.06;
        Frame {
            w,
            hgt,
            l,
            r,
            t,
            pw: w - l - r,
            ph: hgt - t - b,
            xt: nice_ticks(max_x * 1.06, 8),
            yt: range_ticks(lo - pad, hi + pad, 5),
        }
    }

    /// Bottom of the plot area.
    pub(super) fn bottom(&self) -> f64 {
        self.t + self.ph
    }

    pub(super) fn x(&self, v: f64) -> f64 {
        let top = self.xt.last().copied().unwrap_or(1.0);
        self.l + v / top * self.pw
    }

    pub(super) fn y(&self, v: f64) -> f64 {
        let (lo, hi) = (self.yt[0], self.yt[self.yt.len() - 1]);
        self.t + self.ph - (v - lo) / (hi - lo) * self.ph
    }

    /// Grid lines with £m labels, both axes and their labels.
    pub(super) fn axes(&self, o: &mut String, x_label: &str, y_label: &str) {
        let (l, t, pw, ph) = (self.l, self.t, self.pw, self.ph);
        y_grid(
            o,
            &self.yt,
            l,
            self.w - self.r,
            |v| self.y(v),
            tick_labeller(&self.yt),
        );
        x_grid(
            o,
            &self.xt,
            t,
            t + ph,
            "#eef1f4",
            |v| self.x(v),
            tick_labeller(&self.xt),
        );
        let _ = write!(
            o,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
             <line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8a96a3\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>\
             <text transform=\"translate(16 {}) rotate(-90)\" font-size=\"12\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
            px(l),
            px(t + ph),
            px(self.w - self.r),
            px(t + ph),
            px(l),
            px(t),
            px(l),
            px(t + ph),
            px(l + pw / 2.0),
            px(self.hgt - 12.0),
            escape(x_label),
            px(t + ph / 2.0),
            escape(y_label),
        );
    }

    /// A line through `points` (data values, in order) in `colour`, with class `class` and a
    /// tooltip `title`; nothing for fewer than two points.
    pub(super) fn polyline(
        &self,
        o: &mut String,
        points: &[(f64, f64)],
        class: &str,
        colour: &str,
        title: &str,
    ) {
        if points.len() < 2 {
            return;
        }
        let line: Vec<String> = points
            .iter()
            .map(|(a, b)| format!("{},{}", px(self.x(*a)), px(self.y(*b))))
            .collect();
        let _ = write!(
            o,
            "<polyline class=\"{class}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2.2\" stroke-linejoin=\"round\" stroke-opacity=\"0.85\"><title>{}</title></polyline>",
            line.join(" "),
            escape(title)
        );
    }

    /// A data point (`class="datum point"`) at data values `at`, of radius `r`, with the SVG
    /// attributes `style` (fill and stroke) and the tooltip `title`.
    pub(super) fn point(&self, o: &mut String, at: (f64, f64), r: f64, style: &str, title: &str) {
        let _ = write!(
            o,
            "<circle class=\"datum point\" cx=\"{}\" cy=\"{}\" r=\"{r}\" {style}><title>{}</title></circle>",
            px(self.x(at.0)),
            px(self.y(at.1)),
            escape(title)
        );
    }
}
