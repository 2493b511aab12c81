//! The model's own track record: how far its forecasts of an authority's total plans and
//! specialist placements fell from what happened, by horizon, in the backtest on the DfE SEN2
//! release (docs/forecasting.md). `forecast.csv`'s P10 and P90 are never narrower than it.

/// The 10th and 90th percentiles of `ln(actual / forecast)` by horizon (index 0 = one year
/// ahead, up to 15), for total plans (`[h][0]`) and specialist placements (`[h][1]`), from
/// every forecast the backtest made of every local authority (as one locality) at origins
/// 2014-2021, scored on every actual to January 2022; an error at horizon h' counts at horizon
/// h scaled by h/h' (docs/forecasting.md, "Intervals: what they mean"). Fixed constants of the
/// model, like the continuation rates; the test `the_models_track_record_is_the_backtests`
/// (crates/app) recomputes them from the data.
/// 10,802 errors; horizons past 8 rest on errors at 1-8 years scaled up (the data has none
/// longer), so they widen in proportion.
pub const TRACK_RECORD: [[[f64; 2]; 2]; 15] = [
    [[-0.052130, 0.101790], [-0.084530, 0.081595]],
    [[-0.091067, 0.206112], [-0.150797, 0.151494]],
    [[-0.117893, 0.309536], [-0.207053, 0.223803]],
    [[-0.141678, 0.414694], [-0.263170, 0.294783]],
    [[-0.160400, 0.526126], [-0.309710, 0.371544]],
    [[-0.181173, 0.642005], [-0.354819, 0.453686]],
    [[-0.201549, 0.757175], [-0.402079, 0.539404]],
    [[-0.223189, 0.864052], [-0.450441, 0.618256]],
    [[-0.251087, 0.972058], [-0.506746, 0.695538]],
    [[-0.278986, 1.080065], [-0.563051, 0.772820]],
    [[-0.306885, 1.188071], [-0.619356, 0.850102]],
    [[-0.334783, 1.296078], [-0.675661, 0.927384]],
    [[-0.362682, 1.404084], [-0.731966, 1.004666]],
    [[-0.390580, 1.512090], [-0.788272, 1.081948]],
    [[-0.418479, 1.620097], [-0.844577, 1.159230]],
];

/// Which forecast quantity a band is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    Plans,
    Specialist,
}

/// The track-record band of `central` at `horizon` years ahead: the central projection times
/// `exp` of the 10th and 90th percentiles of past log errors. Horizons past the table (none
/// with scenario horizons of at most 15) and before it take its nearest row.
pub fn track_record_band(central: f64, horizon: usize, q: Quantity) -> (f64, f64) {
    let row = TRACK_RECORD[horizon.clamp(1, TRACK_RECORD.len()) - 1];
    let [lo, hi] = match q {
        Quantity::Plans => row[0],
        Quantity::Specialist => row[1],
    };
    (central * lo.exp(), central * hi.exp())
}
