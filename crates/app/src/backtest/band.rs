//! The band-level stock-flow model: the data it reads from a SEN2 series, its calibration
//! (continuation rates and the national new-plan trend) and its forecasts, beside the naive
//! baselines it is scored against.

use placeplan_io::import::sen2::Sen2Series;

use super::report::{BacktestSettings, NB, WIDTH};

// ---------------------------------------------------------------------------------------------
// Data access

/// Plans in January `y` by model band, when bands 0-15 and the total are known.
fn stock(s: &Sen2Series, y: i32) -> Option<[f64; NB]> {
    let t = s.total(y)?;
    let b = [s.band(y, 0)?, s.band(y, 1)?, s.band(y, 2)?];
    Some([b[0], b[1], b[2], (t - b[0] - b[1] - b[2]).max(0.0)])
}

/// New plans made in calendar year `y` by model band.
fn inflow(s: &Sen2Series, y: i32) -> Option<[f64; NB]> {
    let t = s.new_total(y)?;
    let b = [s.new_band(y, 0)?, s.new_band(y, 1)?, s.new_band(y, 2)?];
    Some([b[0], b[1], b[2], (t - b[0] - b[1] - b[2]).max(0.0)])
}

/// The pool each continuation rate applies to.
fn base(p: &[f64; NB]) -> [f64; NB] {
    [
        (1.0 - 1.0 / WIDTH[0]) * p[0],
        (1.0 - 1.0 / WIDTH[1]) * p[1] + p[0] / WIDTH[0],
        (1.0 - 1.0 / WIDTH[2]) * p[2] + p[1] / WIDTH[1],
        p[3] + p[2] / WIDTH[2],
    ]
}

/// One January ahead.
fn step(p: &[f64; NB], n: &[f64; NB], c: &[f64; NB]) -> [f64; NB] {
    let b = base(p);
    let mut q = [0.0; NB];
    for i in 0..NB {
        q[i] = (n[i] + c[i] * b[i]).max(0.0);
    }
    q
}

/// Years of the fitting window for origin `o`.
pub(super) struct Window {
    /// Januarys of caseload needed.
    pub(super) stock: std::ops::RangeInclusive<i32>,
    /// Calendar years of new plans needed.
    pub(super) new: std::ops::RangeInclusive<i32>,
}

pub(super) fn window(o: i32, st: &BacktestSettings) -> Window {
    let back = st.fit_years.max(st.baseline_years).max(1) as i32;
    let nb = st.trend_years.max(st.level_years).max(2) as i32;
    Window {
        stock: o - back..=o,
        new: o - nb..=o - 1,
    }
}

pub(super) fn has_window(s: &Sen2Series, w: &Window) -> bool {
    w.stock
        .clone()
        .all(|y| stock(s, y).is_some_and(|p| p.iter().sum::<f64>() > 0.0))
        && w.new.clone().all(|y| inflow(s, y).is_some())
}

// ---------------------------------------------------------------------------------------------
// Calibration

/// Sums behind one authority's continuation rates.
#[derive(Default, Clone, Copy)]
struct RateSums {
    num: [f64; NB],
    den: [f64; NB],
}

fn rate_sums(s: &Sen2Series, o: i32, st: &BacktestSettings) -> RateSums {
    let mut r = RateSums::default();
    for y in (o - st.fit_years.max(1) as i32)..o {
        let (Some(p), Some(q), Some(n)) = (stock(s, y), stock(s, y + 1), inflow(s, y)) else {
            continue;
        };
        let b = base(&p);
        let bands = if y == o - 1 { 0..NB } else { 0..NB - 1 };
        for i in bands {
            r.num[i] += q[i] - n[i];
            r.den[i] += b[i];
        }
    }
    r
}

/// National rates and trend at an origin.
pub(super) struct National {
    pub(super) c: [f64; NB],
    /// Log-growth per year of new plans.
    pub(super) g: f64,
    pub(super) pool: usize,
}

pub(super) fn national(series: &[Sen2Series], o: i32, st: &BacktestSettings) -> Option<National> {
    let w = window(o, st);
    let pool: Vec<&Sen2Series> = series.iter().filter(|s| has_window(s, &w)).collect();
    if pool.is_empty() {
        return None;
    }
    let mut sums = RateSums::default();
    for s in &pool {
        let r = rate_sums(s, o, st);
        for i in 0..NB {
            sums.num[i] += r.num[i];
            sums.den[i] += r.den[i];
        }
    }
    let mut c = [1.0; NB];
    for i in 0..NB {
        if sums.den[i] > 0.0 {
            c[i] = sums.num[i] / sums.den[i];
        }
    }
    let t = st.trend_years.max(2) as i32;
    let pts: Vec<(f64, f64)> = ((o - t)..o)
        .map(|y| {
            let total: f64 = pool
                .iter()
                .filter_map(|s| inflow(s, y))
                .map(|n| n.iter().sum::<f64>())
                .sum();
            (y as f64, total)
        })
        .collect();
    let g = log_slope(&pts).clamp(-st.max_trend, st.max_trend);
    Some(National {
        c,
        g,
        pool: pool.len(),
    })
}

/// Least-squares slope of ln(value) against x over the positive values; 0 with fewer than two.
pub fn log_slope(points: &[(f64, f64)]) -> f64 {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.1 > 0.0 && p.1.is_finite())
        .map(|p| (p.0, p.1.ln()))
        .collect();
    if pts.len() < 2 {
        return 0.0;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx > 0.0 {
        sxy / sxx
    } else {
        0.0
    }
}

/// placeplan's totals for Januarys o+1 ..= o+h (None when the authority lacks the window).
pub(super) fn placeplan(
    s: &Sen2Series,
    o: i32,
    h: u32,
    nat: &National,
    st: &BacktestSettings,
) -> Option<Vec<f64>> {
    if !has_window(s, &window(o, st)) {
        return None;
    }
    let sums = rate_sums(s, o, st);
    let k = st.shrink_plans.max(0.0);
    let mut c = nat.c;
    for i in 0..NB {
        if sums.den[i] + k > 0.0 {
            c[i] = (sums.num[i] + k * nat.c[i]) / (sums.den[i] + k);
        }
    }
    let l = st.level_years.max(1) as i32;
    let mut level = [0.0; NB];
    for y in (o - l)..o {
        let n = inflow(s, y)?;
        let adj = (nat.g * (o - 1 - y) as f64).exp();
        for i in 0..NB {
            level[i] += n[i] * adj / l as f64;
        }
    }
    let mut p = stock(s, o)?;
    let mut out = Vec::with_capacity(h as usize);
    let mut damp_sum = 0.0;
    for j in 0..h {
        damp_sum += st.damping.powi(j as i32 + 1);
        let grow = (nat.g * damp_sum).exp();
        let n = level.map(|v| v * grow);
        p = step(&p, &n, &c);
        out.push(p.iter().sum());
    }
    Some(out)
}

/// Baseline forecasts of the total at o+h: (last value, linear trend, constant growth).
pub(super) fn baselines(s: &Sen2Series, o: i32, h: u32, k: u32) -> Option<(f64, f64, f64)> {
    let k = k.max(1) as i32;
    let ys: Vec<(f64, f64)> = ((o - k)..=o)
        .map(|y| s.total(y).map(|v| (y as f64, v)))
        .collect::<Option<_>>()?;
    let last = ys.last()?.1;
    let n = ys.len() as f64;
    let mx = ys.iter().map(|p| p.0).sum::<f64>() / n;
    let my = ys.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = ys.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = ys.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let linear = (my + slope * ((o + h as i32) as f64 - mx)).max(0.0);
    let first = ys[0].1;
    let growth = if first > 0.0 && last > 0.0 {
        last * (last / first).powf(h as f64 / k as f64)
    } else {
        last
    };
    Some((last, linear, growth))
}
