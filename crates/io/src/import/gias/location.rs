//! Where an establishment is: British National Grid or latitude and longitude, to WGS84.

use crate::csvread::{Row, UK_LAT, UK_LON};
use crate::import::number_of;
use placeplan_model::error::Code;

use super::columns::Cols;

/// WGS84 latitude and longitude of a row: from Easting and Northing (British National Grid),
/// else from Latitude and Longitude. `None` with a problem recorded when neither is usable.
pub(super) fn location(row: &mut Row, c: &Cols) -> Option<(f64, f64)> {
    let e = number_of(row, &c.easting);
    let n = number_of(row, &c.northing);
    match (e, n) {
        (Some(e), Some(n)) => {
            if !(0.0..=700_000.0).contains(&e) || !(0.0..=1_300_000.0).contains(&n) {
                row.problem(
                    &c.easting,
                    Code::OutsideGrid,
                    format!("easting {e}, northing {n} is outside the British National Grid"),
                );
                return None;
            }
            let (lat, lon) = osgb36_to_wgs84(e, n);
            if !(UK_LAT.0..=UK_LAT.1).contains(&lat) || !(UK_LON.0..=UK_LON.1).contains(&lon) {
                row.problem(
                    &c.easting,
                    Code::OutsideGrid,
                    format!("easting {e}, northing {n} is at {lat:.4}, {lon:.4}, outside the UK"),
                );
                return None;
            }
            Some((lat, lon))
        }
        _ if row.text(&c.easting).is_empty() && row.text(&c.northing).is_empty() => {
            let lat = number_of(row, &c.lat);
            let lon = number_of(row, &c.lon);
            match (lat, lon) {
                (Some(lat), Some(lon)) => {
                    if (UK_LAT.0..=UK_LAT.1).contains(&lat) && (UK_LON.0..=UK_LON.1).contains(&lon)
                    {
                        Some((lat, lon))
                    } else {
                        row.problem(
                            &c.lat,
                            Code::OutsideUk,
                            format!("latitude {lat}, longitude {lon} is outside the UK"),
                        );
                        None
                    }
                }
                _ => {
                    if row.ok {
                        let col = if c.has_easting { &c.easting } else { &c.lat };
                        row.problem(
                            col,
                            Code::Empty,
                            "no location: Easting and Northing (or Latitude and Longitude) are empty"
                                .into(),
                        );
                    }
                    None
                }
            }
        }
        _ => {
            // One of the two is empty or was not a number (already reported).
            if row.ok {
                let col = if e.is_none() { &c.easting } else { &c.northing };
                row.problem(
                    col,
                    Code::Empty,
                    "Easting and Northing are both needed".into(),
                );
            }
            None
        }
    }
}

/// British National Grid easting and northing (metres, OSGB36 datum) to WGS84 latitude and
/// longitude (degrees).
///
/// Inverse transverse Mercator on the Airy 1830 ellipsoid (Ordnance Survey, "A guide to
/// coordinate systems in Great Britain", annex C), then the OS 7-parameter Helmert shift from
/// OSGB36 to WGS84 (ETRS89). The Helmert shift is good to about 5 m across Great Britain, which
/// is ample for journey estimates; OSTN15 (the 1 cm grid shift) is not needed here.
pub fn osgb36_to_wgs84(easting: f64, northing: f64) -> (f64, f64) {
    let (lat, lon) = grid_to_osgb36(easting, northing);
    // OSGB36 geodetic -> cartesian (Airy 1830, height 0).
    let (a, b) = (6_377_563.396, 6_356_256.909);
    let e2 = 1.0 - (b * b) / (a * a);
    let (sp, cp) = lat.sin_cos();
    let (sl, cl) = lon.sin_cos();
    let nu = a / (1.0 - e2 * sp * sp).sqrt();
    let (x, y, z) = (nu * cp * cl, nu * cp * sl, (1.0 - e2) * nu * sp);
    // Helmert OSGB36 -> WGS84 (the inverse of the OS ETRS89 -> OSGB36 parameters).
    let sec = std::f64::consts::PI / (180.0 * 3600.0);
    let (tx, ty, tz) = (446.448, -125.157, 542.060);
    let s = -20.4894e-6;
    let (rx, ry, rz) = (0.1502 * sec, 0.2470 * sec, 0.8421 * sec);
    let x2 = tx + (1.0 + s) * x - rz * y + ry * z;
    let y2 = ty + rz * x + (1.0 + s) * y - rx * z;
    let z2 = tz - ry * x + rx * y + (1.0 + s) * z;
    // Cartesian -> WGS84 geodetic (GRS80 / WGS84 ellipsoid), by iteration.
    let (a, b) = (6_378_137.0, 6_356_752.314_245);
    let e2 = 1.0 - (b * b) / (a * a);
    let p = (x2 * x2 + y2 * y2).sqrt();
    let mut phi = z2.atan2(p * (1.0 - e2));
    for _ in 0..10 {
        let nu = a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        let next = (z2 + e2 * nu * phi.sin()).atan2(p);
        if (next - phi).abs() < 1e-12 {
            phi = next;
            break;
        }
        phi = next;
    }
    (phi.to_degrees(), y2.atan2(x2).to_degrees())
}

/// Inverse transverse Mercator: National Grid easting/northing to OSGB36 latitude and longitude
/// in radians.
fn grid_to_osgb36(e: f64, n: f64) -> (f64, f64) {
    let (a, b) = (6_377_563.396, 6_356_256.909);
    let f0 = 0.999_601_271_7;
    let phi0 = 49f64.to_radians();
    let lambda0 = (-2f64).to_radians();
    let (n0, e0) = (-100_000.0, 400_000.0);
    let e2 = 1.0 - (b * b) / (a * a);
    let nn = (a - b) / (a + b);
    let (n2, n3) = (nn * nn, nn * nn * nn);
    let meridional = |phi: f64| {
        let (d, s) = (phi - phi0, phi + phi0);
        b * f0
            * ((1.0 + nn + 1.25 * n2 + 1.25 * n3) * d
                - (3.0 * nn + 3.0 * n2 + 21.0 / 8.0 * n3) * d.sin() * s.cos()
                + (15.0 / 8.0 * n2 + 15.0 / 8.0 * n3) * (2.0 * d).sin() * (2.0 * s).cos()
                - 35.0 / 24.0 * n3 * (3.0 * d).sin() * (3.0 * s).cos())
    };
    let mut phi = (n - n0) / (a * f0) + phi0;
    let mut m = meridional(phi);
    for _ in 0..100 {
        if (n - n0 - m).abs() < 1e-5 {
            break;
        }
        phi += (n - n0 - m) / (a * f0);
        m = meridional(phi);
    }
    let (sp, cp) = phi.sin_cos();
    let tp = sp / cp;
    let nu = a * f0 / (1.0 - e2 * sp * sp).sqrt();
    let rho = a * f0 * (1.0 - e2) / (1.0 - e2 * sp * sp).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let (t2, t4, t6) = (tp * tp, tp.powi(4), tp.powi(6));
    let sec = 1.0 / cp;
    let vii = tp / (2.0 * rho * nu);
    let viii = tp / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
    let ix = tp / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
    let x = sec / nu;
    let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
    let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
    let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
    let de = e - e0;
    let lat = phi - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lon = lambda0 + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (lat, lon)
}

/// Metres between two WGS84 points (small distances).
#[cfg(test)]
pub(super) fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dlat = (a.0 - b.0).to_radians() * 6_371_000.0;
    let dlon = (a.1 - b.1).to_radians() * 6_371_000.0 * a.0.to_radians().cos();
    (dlat * dlat + dlon * dlon).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_transverse_mercator_matches_the_os_worked_example() {
        // OS guide, annex C: E 651409.903, N 313177.270 -> 52°39'27.2531"N, 1°43'4.5177"E.
        let (lat, lon) = grid_to_osgb36(651_409.903, 313_177.270);
        let dms = |d: f64, m: f64, s: f64| d + m / 60.0 + s / 3600.0;
        assert!((lat.to_degrees() - dms(52.0, 39.0, 27.2531)).abs() < 1e-7);
        assert!((lon.to_degrees() - dms(1.0, 43.0, 4.5177)).abs() < 1e-7);
    }

    #[test]
    fn grid_to_wgs84_within_five_metres_of_reference_points() {
        // References: PROJ (EPSG:27700 -> EPSG:4326 through the OS Helmert, EPSG:1314); the
        // first is also the published Movable Type example 52°39'28.72"N 1°42'57.79"E.
        let cases = [
            ((651_409.903, 313_177.270), (52.6579786, 1.7160520)),
            ((530_000.0, 180_000.0), (51.5039908, -0.1283539)),
            ((332_000.0, 388_000.0), (53.3844479, -3.0238103)),
            ((200_000.0, 700_000.0), (56.1506208, -5.2214483)),
            ((85_000.0, 10_000.0), (49.9070587, -6.3888125)),
        ];
        for ((e, n), want) in cases {
            let got = osgb36_to_wgs84(e, n);
            let d = metres(got, want);
            assert!(d < 5.0, "({e}, {n}) -> {got:?}, {d:.2} m from {want:?}");
        }
    }
}
