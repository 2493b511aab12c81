//! Wards as localities from small-area (LSOA) population: when the folder has ward
//! boundaries (ONS codes E05/W05) and LSOA boundaries (E01/W01), and the population is by
//! LSOA, each LSOA goes to the ward whose boundary holds its centroid; a ward's population is
//! the sum of its LSOAs', and its point is the population-weighted mean of their centroids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::boundaries::Boundary;
use crate::import::ons::PopulationRow;
use placeplan_model::domain::MAX_AGE;

fn is_ward(code: &str) -> bool {
    code.starts_with("E05") || code.starts_with("W05")
}

fn is_lsoa(code: &str) -> bool {
    code.starts_with("E01") || code.starts_with("W01")
}

/// The population-weighted mean (lat, lon) of points (lat, lon, weight); `None` when the
/// weights add to nothing.
pub fn weighted_point(points: &[(f64, f64, f64)]) -> Option<(f64, f64)> {
    let w: f64 = points.iter().map(|p| p.2).sum();
    (w > 0.0).then(|| {
        (
            points.iter().map(|p| p.0 * p.2).sum::<f64>() / w,
            points.iter().map(|p| p.1 * p.2).sum::<f64>() / w,
        )
    })
}

/// What [`to_wards`] made.
pub(super) struct Wards {
    pub rows: Vec<(PopulationRow, PathBuf)>,
    /// Each ward's boundary, its point the population-weighted one.
    pub bounds: BTreeMap<String, Boundary>,
    /// LSOA to ward, for a child-level caseload that gives LSOAs.
    pub lsoa_ward: BTreeMap<String, String>,
    pub notes: Vec<String>,
}

/// Wards from LSOA population, when the folder has both levels of boundary and the
/// population is by LSOA; `None` otherwise (the areas are then the localities).
pub(super) fn to_wards(
    rows: &[(PopulationRow, PathBuf)],
    bounds: &BTreeMap<String, Boundary>,
) -> Option<Wards> {
    let areas: BTreeSet<String> = rows
        .iter()
        .map(|(r, _)| r.locality.to_ascii_uppercase())
        .collect();
    let wards: Vec<&Boundary> = bounds.values().filter(|b| is_ward(&b.code)).collect();
    if wards.is_empty() || areas.iter().any(|a| is_ward(a)) || !areas.iter().any(|a| is_lsoa(a)) {
        return None;
    }
    // Each LSOA with a boundary and a population goes to the ward holding its centroid.
    let mut lsoa_ward = BTreeMap::new();
    let mut outside = 0;
    for a in areas.iter().filter(|a| is_lsoa(a)) {
        let Some(l) = bounds.get(a) else { continue };
        match wards.iter().find(|w| w.contains(l.lon, l.lat)) {
            Some(w) => {
                lsoa_ward.insert(a.clone(), w.code.to_ascii_uppercase());
            }
            None => outside += 1,
        }
    }
    if lsoa_ward.is_empty() {
        return None;
    }
    // Weights: each LSOA's population aged 0-25 in the last year it has.
    let last = rows.iter().map(|(r, _)| r.year).max()?;
    let mut weight: BTreeMap<String, f64> = BTreeMap::new();
    let mut cells: BTreeMap<(String, i32, u8), (f64, PathBuf)> = BTreeMap::new();
    for (r, p) in rows {
        let Some(w) = lsoa_ward.get(&r.locality.to_ascii_uppercase()) else {
            continue;
        };
        if r.year == last && r.age <= MAX_AGE {
            *weight.entry(r.locality.to_ascii_uppercase()).or_default() += r.count;
        }
        let c = cells
            .entry((w.clone(), r.year, r.age))
            .or_insert((0.0, p.clone()));
        c.0 += r.count;
    }
    let mut out_bounds = BTreeMap::new();
    for w in &wards {
        let code = w.code.to_ascii_uppercase();
        let pts: Vec<(f64, f64, f64)> = lsoa_ward
            .iter()
            .filter(|(_, ward)| **ward == code)
            .filter_map(|(l, _)| {
                let b = bounds.get(l)?;
                Some((b.lat, b.lon, weight.get(l).copied().unwrap_or(0.0)))
            })
            .collect();
        if let Some((lat, lon)) = weighted_point(&pts) {
            out_bounds.insert(
                code,
                Boundary {
                    lat,
                    lon,
                    ..(*w).clone()
                },
            );
        }
    }
    let rows = cells
        .into_iter()
        .map(|((w, year, age), (count, path))| {
            (
                PopulationRow {
                    name: out_bounds
                        .get(&w)
                        .map(|b| b.name.clone())
                        .unwrap_or_default(),
                    locality: w,
                    year,
                    age,
                    count,
                },
                path,
            )
        })
        .collect();
    let notes = vec![
        format!(
            "Localities are the {} wards: each of the {} LSOAs with a population and a boundary goes to the ward whose boundary holds its centroid ({} LSOA centroids in no ward were left out), and a ward's population is the sum of its LSOAs'.",
            out_bounds.len(),
            lsoa_ward.len(),
            outside
        ),
        format!(
            "Each ward's point is the population-weighted mean of its LSOAs' centroids (weights: each LSOA's population aged 0-{MAX_AGE} in mid-{last})."
        ),
    ];
    Some(Wards {
        rows,
        bounds: out_bounds,
        lsoa_ward,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str, x0: f64, y0: f64, side: f64) -> Boundary {
        let r = vec![
            (x0, y0),
            (x0 + side, y0),
            (x0 + side, y0 + side),
            (x0, y0 + side),
            (x0, y0),
        ];
        Boundary {
            code: code.into(),
            name: code.into(),
            lat: y0 + side / 2.0,
            lon: x0 + side / 2.0,
            rings: vec![r],
        }
    }

    /// Worked by hand: ward W (the square 0..4) holds LSOAs A (centroid lon 1, lat 1, 100
    /// people), B (lon 3, lat 1, 300 people) and C (lon 1, lat 3, 100 people). Its point is
    /// lat (1x100 + 1x300 + 3x100) / 500 = 1.4, lon (1x100 + 3x300 + 1x100) / 500 = 2.2; the
    /// area centroid would be (2, 2). LSOA D (lon 9) is in no ward.
    #[test]
    fn a_wards_point_is_the_population_weighted_mean_of_its_lsoas() {
        let mut bounds = BTreeMap::new();
        for b in [
            square("E05000001", 0.0, 0.0, 4.0),
            square("E01000001", 0.5, 0.5, 1.0),
            square("E01000002", 2.5, 0.5, 1.0),
            square("E01000003", 0.5, 2.5, 1.0),
            square("E01000004", 8.5, 0.5, 1.0),
        ] {
            bounds.insert(b.code.clone(), b);
        }
        let row = |l: &str, age: u8, count: f64| {
            (
                PopulationRow {
                    locality: l.into(),
                    name: String::new(),
                    year: 2019,
                    age,
                    count,
                },
                PathBuf::from("p.csv"),
            )
        };
        let rows = vec![
            row("E01000001", 3, 60.0),
            row("E01000001", 4, 40.0),
            row("E01000002", 3, 300.0),
            row("E01000003", 3, 100.0),
            row("E01000004", 3, 50.0),
        ];
        let w = to_wards(&rows, &bounds).unwrap();
        let b = &w.bounds["E05000001"];
        assert!((b.lat - 1.4).abs() < 1e-12, "{}", b.lat);
        assert!((b.lon - 2.2).abs() < 1e-12, "{}", b.lon);
        let at = |age: u8| {
            w.rows
                .iter()
                .find(|(r, _)| r.age == age)
                .map(|(r, _)| (r.locality.clone(), r.count))
        };
        assert_eq!(at(3), Some(("E05000001".into(), 460.0)));
        assert_eq!(at(4), Some(("E05000001".into(), 40.0)));
        assert_eq!(w.lsoa_ward.len(), 3);
        assert!(w.notes[0].contains("(1 LSOA centroids in no ward were left out)"));
        assert_eq!(weighted_point(&[(1.0, 1.0, 0.0)]), None);
    }
}
