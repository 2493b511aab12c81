//! An authority as a scenario with one locality, forecast by the scenario forecast itself
//! (`placeplan_model::forecast`, the one `plan` uses), and the naive baselines beside it.

use placeplan_io::import::sen2::{Sen2Series, BAND_WIDTH};
use placeplan_model::domain::{
    ForecastSettings, HistoryCell, Locality, Need, PopulationCell, ProvisionKind, Scenario, MAX_AGE,
};
use placeplan_model::forecast::{calibrate_with, forecast_variant, TrendPrior, Variant};

use super::report::BacktestSettings;

/// Flat population per single year of age: with one population for every year the new-plan
/// rate per head times the population is the authority's own new-plan level, whatever the
/// number (ONS single-year population by authority exists for one mid-year only, after the
/// origins: using it would bring later data into the forecast).
const FLAT_POPULATION: f64 = 1000.0;

/// Need every SEN2 plan is counted under (the 2022 release has no need by authority and year).
const NEED: Need = Need::Oth;

/// Specialist placements in January `y`: resourced provision and SEN units, special schools
/// (maintained, academy, free, hospital), independent and non-maintained special schools, from
/// the establishment-type file. `None` when the file has no placements that year.
pub(super) fn specialist(s: &Sen2Series, y: i32) -> Option<f64> {
    let p = s.placements.get(&y)?;
    let all: f64 = p.iter().sum();
    (all > 0.0).then(|| {
        ProvisionKind::ALL
            .iter()
            .zip(p)
            .filter(|(k, _)| k.is_specialist())
            .map(|(_, v)| v)
            .sum()
    })
}

/// Specialist share of plans in January `y` (placements over all placements).
fn specialist_share(s: &Sen2Series, y: i32) -> Option<f64> {
    let p = s.placements.get(&y)?;
    let all: f64 = p.iter().sum();
    Some(specialist(s, y)? / all)
}

/// Januarys of history a forecast at origin `o` is calibrated on.
pub(super) fn history(o: i32, st: &BacktestSettings) -> std::ops::RangeInclusive<i32> {
    o - st.history_years.max(1) as i32..=o
}

/// True when every January of the history has the total and bands 0-19 (20-25 counts as none
/// before 2015, when it did not exist).
pub(super) fn has_window(s: &Sen2Series, o: i32, st: &BacktestSettings) -> bool {
    history(o, st)
        .all(|y| s.total(y).is_some_and(|t| t > 0.0) && (0..4).all(|b| s.band(y, b).is_some()))
}

/// True when the specialist share is known in every January of the history.
pub(super) fn has_specialist_window(s: &Sen2Series, o: i32, st: &BacktestSettings) -> bool {
    history(o, st).all(|y| specialist_share(s, y).is_some())
}

/// The authority at origin `o` as a scenario: one locality, flat population, history for the
/// Januarys of [`history`] by single year of age (each band's plans spread evenly over its
/// ages; the DfE total less bands 0-19 is the 20-25 band), one need, and each January's plans
/// split into specialist and mainstream by that January's specialist share (when known).
pub(super) fn scenario(s: &Sen2Series, o: i32, h: u32, st: &BacktestSettings) -> Option<Scenario> {
    if !has_window(s, o, st) {
        return None;
    }
    let with_share = has_specialist_window(s, o, st);
    let years = history(o, st);
    let mut hist = Vec::new();
    for y in years.clone() {
        let total = s.total(y)?;
        let mut bands = [0.0f64; 5];
        for b in 0..4 {
            bands[b] = s.band(y, b)?;
        }
        bands[4] = (total - bands[..4].iter().sum::<f64>()).max(0.0);
        let share = if with_share {
            specialist_share(s, y).unwrap_or(0.0)
        } else {
            0.0
        };
        let mut age = 0u8;
        for (b, &v) in bands.iter().enumerate() {
            let w = BAND_WIDTH[b];
            for _ in 0..w {
                let per_age = v / w as f64;
                for (provision, part) in [
                    (ProvisionKind::Special, share),
                    (ProvisionKind::Mainstream, 1.0 - share),
                ] {
                    if part > 0.0 {
                        hist.push(HistoryCell {
                            year: y,
                            locality: 0,
                            age,
                            need: NEED,
                            provision,
                            count: per_age * part,
                        });
                    }
                }
                age += 1;
            }
        }
    }
    let first = *years.start();
    let last = o + h as i32;
    let population = (first..=last)
        .flat_map(|year| {
            (0..=MAX_AGE).map(move |age| PopulationCell {
                locality: 0,
                year,
                age,
                count: FLAT_POPULATION,
            })
        })
        .collect();
    Some(Scenario {
        name: s.la_code.clone(),
        base_year: o,
        horizon: h,
        capital_budget: vec![0.0; h as usize],
        forecast: ForecastSettings {
            trend_damping: st.damping,
            max_rate_growth: st.max_trend,
            runs: 1,
            ..Default::default()
        },
        localities: vec![Locality {
            id: s.la_code.clone(),
            name: s.name.clone(),
            lat: 52.5,
            lon: -1.5,
        }],
        population,
        history: hist,
        ..Default::default()
    })
}

/// The scenario forecast of an authority for Januarys o+1 ..= o+h: total plans, and specialist
/// places when the specialist share is known over the history; with Monte Carlo runs, also the
/// forecast's own P10 and P90 of each.
pub(super) struct LaPath {
    pub(super) plans: Vec<f64>,
    pub(super) specialist: Option<Vec<f64>>,
    pub(super) plans_band: Vec<(f64, f64)>,
    pub(super) specialist_band: Vec<(f64, f64)>,
}

/// Runs the scenario forecast of the authority at origin `o`: its central projection, and
/// with `runs` > 1 its Monte Carlo P10 and P90 (the scenario's default seed). With a national
/// trend `prior` (at the origin, [`national_trend`]), the new-plan trend ahead is
/// `own_trend_weight` x its own + the rest x the national one, within the cap, as the scenario
/// forecast does with its national trend; without, its own.
pub(super) fn placeplan(
    s: &Sen2Series,
    o: i32,
    h: u32,
    st: &BacktestSettings,
    runs: u32,
    prior: Option<f64>,
) -> Option<LaPath> {
    let mut scn = scenario(s, o, h, st)?;
    scn.forecast.runs = runs.max(1);
    // Never `calibrate`: its national trend is from data after every origin.
    let prior = prior.map(|trend| TrendPrior {
        trend,
        own_weight: st.own_trend_weight,
    });
    let mut cal = calibrate_with(&scn, prior);
    cal.share_method = st.share_method;
    let fc = forecast_variant(&scn, &cal, Variant::Unmitigated);
    let years = scn.plan_years();
    let total = |y: i32| fc.total(y, None);
    let plans = years
        .iter()
        .map(|&y| total(y).map_or(0.0, |t| t.plans.central))
        .collect();
    let with_share = has_specialist_window(s, o, st);
    let specialist = with_share.then(|| {
        years
            .iter()
            .map(|&y| fc.specialist_total(y))
            .collect::<Vec<f64>>()
    });
    let (mut plans_band, mut specialist_band) = (Vec::new(), Vec::new());
    if runs > 1 {
        for &y in &years {
            let b = total(y)
                .map(|t| (t.plans, t.specialist))
                .unwrap_or_default();
            plans_band.push((b.0.p10, b.0.p90));
            specialist_band.push((b.1.p10, b.1.p90));
        }
    }
    Some(LaPath {
        plans,
        specialist,
        plans_band,
        specialist_band,
    })
}

/// Baseline forecasts at o+h of a series `v`: (last value, linear trend, constant growth), from
/// Januarys o-k ..= o.
pub(super) fn baselines(
    v: impl Fn(i32) -> Option<f64>,
    o: i32,
    h: u32,
    k: u32,
) -> Option<(f64, f64, f64)> {
    let k = k.max(1) as i32;
    let ys: Vec<(f64, f64)> = ((o - k)..=o)
        .map(|y| v(y).map(|x| (y as f64, x)))
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

/// The national new-plan trend at origin `o`: the caseload (and placements) of every authority
/// with a full history window at `o` summed over the same Januarys and calibrated as one
/// authority (its own trend, before any blending). Only pre-origin Januarys are read. `None`
/// when no authority has a window or when [`BacktestSettings::own_trend_weight`] is 1 (not
/// needed).
pub fn national_trend(series: &[Sen2Series], o: i32, st: &BacktestSettings) -> Option<f64> {
    if st.own_trend_weight >= 1.0 || !series.iter().any(|s| has_window(s, o, st)) {
        return None;
    }
    let nat = summed(
        series.iter().filter(|s| has_window(s, o, st)),
        history(o, st),
    )?;
    let scn = scenario(&nat, o, 1, st)?;
    Some(calibrate_with(&scn, None).trend)
}

/// The caseload by band, total and placements of `authorities` summed over Januarys `years`,
/// as one series named "national". `None` when one of them lacks a total in one of the years.
pub(super) fn summed<'a>(
    authorities: impl Iterator<Item = &'a Sen2Series> + Clone,
    years: std::ops::RangeInclusive<i32>,
) -> Option<Sen2Series> {
    let mut nat = Sen2Series {
        la_code: "NAT".into(),
        old_la_code: "000".into(),
        name: "national".into(),
        ..Default::default()
    };
    for y in years {
        let mut c = [Some(0.0f64); 5];
        let mut t = 0.0;
        let mut pl = [0.0f64; 6];
        for s in authorities.clone() {
            t += s.total(y)?;
            for (b, v) in c.iter_mut().enumerate() {
                *v = Some(v.unwrap_or(0.0) + s.band(y, b).unwrap_or(0.0));
            }
            if let Some(p) = s.placements.get(&y) {
                for (sum, v) in pl.iter_mut().zip(p) {
                    *sum += v;
                }
            }
        }
        nat.caseload.insert(y, c);
        nat.caseload_total.insert(y, Some(t));
        nat.placements.insert(y, pl);
    }
    Some(nat)
}
