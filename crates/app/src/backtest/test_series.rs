//! A synthetic SEN2 series for the backtest's tests.

use placeplan_io::import::sen2::Sen2Series;

/// Caseload by band at Januarys `years` and new plans in the calendar year before each.
pub(super) fn synth(
    code: &str,
    old: &str,
    years: std::ops::RangeInclusive<i32>,
    scale: f64,
    growth: f64,
) -> Sen2Series {
    let mut s = Sen2Series {
        la_code: code.into(),
        old_la_code: old.into(),
        name: format!("LA {old}"),
        ..Default::default()
    };
    let stock = [100.0, 600.0, 700.0, 300.0, 100.0];
    let new = [40.0, 60.0, 30.0, 8.0, 2.0];
    for y in years {
        let f = scale * (1.0 + growth).powi(y - 2010);
        let c = stock.map(|v| Some(v * f));
        // Placements: mainstream, resourced provision, special, independent, FE, other.
        let share = [0.45, 0.05, 0.30, 0.05, 0.15, 0.0];
        s.placements
            .insert(y, share.map(|p| p * stock.iter().sum::<f64>() * f));
        s.caseload.insert(y, c);
        s.caseload_total
            .insert(y, Some(stock.iter().sum::<f64>() * f));
        let n = new.map(|v| Some(v * f / (1.0 + growth)));
        s.new_plans.insert(y - 1, n);
        s.new_plans_total
            .insert(y - 1, Some(new.iter().sum::<f64>() * f / (1.0 + growth)));
    }
    s
}

/// `series` with every caseload (by band and total) after January `origin` times `factor`.
pub(super) fn scaled_after(series: &[Sen2Series], origin: i32, factor: f64) -> Vec<Sen2Series> {
    let mut later = series.to_vec();
    for s in &mut later {
        for (y, row) in s.caseload.iter_mut() {
            if *y > origin {
                row.iter_mut().flatten().for_each(|v| *v *= factor);
            }
        }
        for (y, t) in s.caseload_total.iter_mut() {
            if *y > origin {
                t.iter_mut().for_each(|v| *v *= factor);
            }
        }
    }
    later
}
