//! Locality boundaries from GeoJSON (ONS property names such as `WD23CD`/`WD23NM`,
//! `LSOA11CD`/`LSOA11NM`): each feature's code, name and centroid.

use std::path::Path;

use serde_json::Value;

use crate::csvread::{read_input, MAX_FILE_BYTES};
use placeplan_model::error::{Code, InputError, Problems};

/// One boundary: its code, name, the centroid of its area (WGS84 degrees) and its rings
/// (lon, lat; outer rings and holes alike).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub code: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub rings: Vec<Vec<(f64, f64)>>,
}

impl Boundary {
    /// Whether the point is inside (even-odd rule over every ring, so holes are outside).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let mut inside = false;
        for r in &self.rings {
            for i in 0..r.len() {
                let (x0, y0) = r[i];
                let (x1, y1) = r[(i + 1) % r.len()];
                if (y0 > lat) != (y1 > lat) && lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0) {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

/// The polygons of a Polygon or MultiPolygon geometry: each a list of rings (the first the
/// outer one, then holes) of (lon, lat) points.
type Polygons = Vec<Vec<Vec<(f64, f64)>>>;

fn polygons_of(geometry: &Value) -> Option<Polygons> {
    let coords = geometry.get("coordinates")?.as_array()?;
    let polygons: Vec<&Vec<Value>> = match geometry.get("type")?.as_str()? {
        "Polygon" => vec![coords],
        "MultiPolygon" => coords.iter().filter_map(Value::as_array).collect(),
        _ => return None,
    };
    Some(
        polygons
            .into_iter()
            .map(|p| {
                p.iter()
                    .filter_map(Value::as_array)
                    .map(|r| {
                        r.iter()
                            .filter_map(|p| {
                                let a = p.as_array()?;
                                Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect(),
    )
}

/// Whether the bytes are a GeoJSON FeatureCollection.
pub fn is_geojson(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    head.contains("\"FeatureCollection\"")
}

/// The code and name properties: an ONS `..CD` / `..NM` pair (`LSOA11CD`, `WD23CD`, ...), or
/// `code` / `name`.
fn code_and_name(props: &serde_json::Map<String, Value>) -> Option<(String, String)> {
    let text = |k: &str| props.get(k).and_then(Value::as_str).map(str::to_string);
    let mut keys: Vec<&String> = props.keys().collect();
    keys.sort();
    for k in keys {
        let up = k.to_ascii_uppercase();
        if up.len() <= 10 && up.ends_with("CD") && up.len() > 2 {
            if let Some(code) = text(k) {
                let stem = &k[..k.len() - 2];
                let name = [format!("{stem}NM"), format!("{stem}nm")]
                    .iter()
                    .find_map(|n| text(n))
                    .unwrap_or_default();
                return Some((code, name));
            }
        }
    }
    let code = text("code").or_else(|| text("CODE"))?;
    Some((
        code,
        text("name").or_else(|| text("NAME")).unwrap_or_default(),
    ))
}

/// Signed area and area-weighted centroid (x, y) of one ring, on the plane of lon/lat.
fn ring(pts: &[(f64, f64)]) -> Option<(f64, f64, f64)> {
    if pts.len() < 3 {
        return None;
    }
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..pts.len() {
        let (x0, y0) = pts[i];
        let (x1, y1) = pts[(i + 1) % pts.len()];
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    (a != 0.0).then_some((a / 2.0, cx / (3.0 * a), cy / (3.0 * a)))
}

/// Area-weighted centroid (lon, lat) of polygons: holes subtract.
fn centroid(polygons: &Polygons) -> Option<(f64, f64)> {
    let (mut area, mut x, mut y) = (0.0, 0.0, 0.0);
    for poly in polygons {
        for (i, r) in poly.iter().enumerate() {
            if let Some((a, cx, cy)) = ring(r) {
                // Outer rings add their area, holes take theirs away, whatever their winding.
                let a = if i == 0 { a.abs() } else { -a.abs() };
                area += a;
                x += a * cx;
                y += a * cy;
            }
        }
    }
    (area > 0.0).then(|| (x / area, y / area))
}

/// Reads every feature of a GeoJSON file: problems (not JSON, no code property, no polygon)
/// are recorded; features are returned in file order.
pub fn read_boundaries(path: &Path, problems: &mut Problems) -> Vec<Boundary> {
    let bytes = match read_input(path, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => {
            problems.push(e);
            return Vec::new();
        }
    };
    let v: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            problems.push(
                InputError::new(path, Code::Unreadable, format!("not GeoJSON: {e}"))
                    .at(e.line() as u64, Some(e.column() as u64)),
            );
            return Vec::new();
        }
    };
    let Some(features) = v.get("features").and_then(Value::as_array) else {
        problems.push(InputError::new(
            path,
            Code::UnrecognisedFile,
            "not a GeoJSON FeatureCollection (no features)",
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").and_then(Value::as_object);
        let Some((code, name)) = props.and_then(code_and_name) else {
            problems.push(
                InputError::new(
                    path,
                    Code::Empty,
                    format!(
                        "feature {} has no code property (such as LSOA21CD or WD23CD)",
                        i + 1
                    ),
                )
                .field("properties"),
            );
            continue;
        };
        let polygons = f.get("geometry").and_then(polygons_of).unwrap_or_default();
        match centroid(&polygons) {
            Some((lon, lat)) => out.push(Boundary {
                code,
                name,
                lat,
                lon,
                rings: polygons.into_iter().flatten().collect(),
            }),
            None => problems.push(
                InputError::new(
                    path,
                    Code::Empty,
                    format!("feature {} ({code}) has no polygon", i + 1),
                )
                .field("geometry"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centroid_of_a_square_with_a_hole_and_a_multipolygon() {
        let sq = serde_json::json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]]});
        assert_eq!(centroid(&polygons_of(&sq).unwrap()), Some((1.0, 1.0)));
        // A hole in the left half pulls the centroid right.
        let holed = serde_json::json!({"type": "Polygon", "coordinates": [
            [[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]],
            [[0.0, 0.0], [1.0, 0.0], [1.0, 2.0], [0.0, 2.0], [0.0, 0.0]]]});
        assert_eq!(centroid(&polygons_of(&holed).unwrap()), Some((1.5, 1.0)));
        let multi = serde_json::json!({"type": "MultiPolygon", "coordinates": [
            [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]],
            [[[3.0, 0.0], [4.0, 0.0], [4.0, 1.0], [3.0, 1.0], [3.0, 0.0]]]]});
        assert_eq!(centroid(&polygons_of(&multi).unwrap()), Some((2.0, 0.5)));
    }
}
