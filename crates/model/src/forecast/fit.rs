//! The least-squares line through ln(rate) against year that the trend and its spreads come
//! from.

/// Least-squares line through ln(rate) against year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogLinearFit {
    /// exp(slope) - 1; 0 with fewer than two points.
    pub growth: f64,
    /// Residual standard deviation (n - 2 degrees of freedom); 0 with fewer than three points.
    pub residual_sd: f64,
    n: usize,
    mean_year: f64,
    sxx: f64,
}

impl LogLinearFit {
    /// Standard error of the slope for a residual spread `sd`.
    pub fn slope_se(&self, sd: f64) -> f64 {
        if self.sxx > 0.0 {
            sd / self.sxx.sqrt()
        } else {
            sd
        }
    }
    /// Standard error of the fitted level at `year`.
    pub fn level_se(&self, sd: f64, year: i32) -> f64 {
        if self.n == 0 {
            return sd;
        }
        let dx = year as f64 - self.mean_year;
        let lever = if self.sxx > 0.0 {
            dx * dx / self.sxx
        } else {
            0.0
        };
        sd * (1.0 / self.n as f64 + lever).sqrt()
    }
}

/// Fits ln(rate) = a + b * year.
pub fn log_linear_fit(points: &[(i32, f64)]) -> LogLinearFit {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|(_, r)| *r > 0.0)
        .map(|(y, r)| (*y as f64, r.ln()))
        .collect();
    let n = pts.len();
    if n < 2 {
        return LogLinearFit {
            growth: 0.0,
            residual_sd: 0.0,
            n,
            mean_year: pts.first().map_or(0.0, |p| p.0),
            sxx: 0.0,
        };
    }
    let nf = n as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    let residual_sd = if n > 2 {
        let ss: f64 = pts
            .iter()
            .map(|p| (p.1 - (my + slope * (p.0 - mx))).powi(2))
            .sum();
        (ss / (nf - 2.0)).sqrt()
    } else {
        0.0
    };
    LogLinearFit {
        growth: slope.exp() - 1.0,
        residual_sd,
        n,
        mean_year: mx,
        sxx,
    }
}

/// Yearly growth from a least-squares line through ln(rate) against year; 0 with < 2 points.
pub fn log_linear_growth(points: &[(i32, f64)]) -> f64 {
    log_linear_fit(points).growth
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_of_an_exact_exponential_is_recovered() {
        let pts: Vec<(i32, f64)> = (0..5).map(|i| (2020 + i, 0.01 * 1.08f64.powi(i))).collect();
        assert!((log_linear_growth(&pts) - 0.08).abs() < 1e-12);
        assert_eq!(log_linear_growth(&pts[..1]), 0.0);
    }
}
