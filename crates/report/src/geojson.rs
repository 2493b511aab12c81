//! `plan.geojson`: the plan on a map, as an RFC 7946 FeatureCollection (WGS84, coordinates in
//! longitude, latitude order) that QGIS, ArcGIS, geojson.io or Leaflet open directly.
//!
//! One Point per school (`"feature": "school"`) with its kind, phases, existing specialist places
//! and the new places the plan funds (in total, by year opened, and one entry per need, phase
//! and year), then one Point per locality (`"feature": "locality"`) with the specialist places
//! its children and young people need and the pupils placed out of area, by plan year.
//! Properties are flat where a GIS needs them for styling (`new_places`, `demand_2030`, ...);
//! the detail is also given as arrays. Keys are sorted and numbers rounded, so identical inputs
//! give identical bytes.

use serde_json::{json, Map, Value};

use crate::aggregate::{self, round};
use crate::run::RunOutputs;

/// The FeatureCollection as pretty-printed UTF-8 JSON, ending with a newline.
pub fn geojson(run: &RunOutputs) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(&collection(run)).unwrap_or_default();
    v.push(b'\n');
    v
}

/// The FeatureCollection as a JSON value.
pub fn collection(run: &RunOutputs) -> Value {
    let s = run.scenario;
    let years = &run.plan.years;
    let builds = aggregate::new_places(run);
    let new_by_school = aggregate::new_places_by_school(s, &builds);
    let existing = aggregate::existing_places_by_school(s);
    let mut features = Vec::with_capacity(s.schools.len() + s.localities.len());

    for (i, sc) in s.schools.iter().enumerate() {
        let mut p = Map::new();
        p.insert("feature".into(), json!("school"));
        p.insert("id".into(), json!(sc.id));
        p.insert("name".into(), json!(sc.name));
        p.insert("kind".into(), json!(sc.kind.code()));
        p.insert(
            "phases".into(),
            json!(sc
                .phases
                .iter()
                .map(|x| x.code())
                .collect::<Vec<_>>()
                .join(";")),
        );
        p.insert("can_host_base".into(), json!(sc.can_host_base));
        p.insert("existing_places".into(), json!(existing[i]));
        let existing_detail: Vec<Value> = s
            .provisions
            .iter()
            .filter(|x| x.school == i)
            .map(|x| {
                json!({
                    "needs": x.needs.label(),
                    "phase": x.phase.code(),
                    "places": x.places,
                })
            })
            .collect();
        p.insert("existing".into(), Value::Array(existing_detail));
        p.insert("new_places".into(), num(new_by_school[i]));
        let mine: Vec<&aggregate::NewPlaces> = builds.iter().filter(|b| b.school == i).collect();
        for &y in years {
            let opened: f64 = mine
                .iter()
                .filter(|b| b.open_year == y)
                .map(|b| b.places)
                .sum();
            p.insert(format!("new_places_open_{y}"), num(opened));
        }
        p.insert(
            "new_capital".into(),
            num2(mine.iter().map(|b| b.capital).sum()),
        );
        let detail: Vec<Value> = mine
            .iter()
            .map(|b| {
                json!({
                    "need": b.need.code(),
                    "phase": b.phase.code(),
                    "funded_year": b.funded_year,
                    "open_year": b.open_year,
                    "places": num(b.places),
                    "capital": num2(b.capital),
                })
            })
            .collect();
        p.insert(
            "new_bases".into(),
            json!(detail
                .iter()
                .map(|d| format!(
                    "{} {} {} (open {})",
                    d["need"].as_str().unwrap_or(""),
                    d["phase"].as_str().unwrap_or(""),
                    d["places"],
                    d["open_year"]
                ))
                .collect::<Vec<_>>()
                .join("; ")),
        );
        p.insert("new_places_detail".into(), Value::Array(detail));
        features.push(point(sc.lon, sc.lat, p));
    }

    let demand = aggregate::demand_by_locality(run);
    let ooa = aggregate::out_of_area_by_locality(run);
    for (l, loc) in s.localities.iter().enumerate() {
        let mut p = Map::new();
        p.insert("feature".into(), json!("locality"));
        p.insert("id".into(), json!(loc.id));
        p.insert("name".into(), json!(loc.name));
        let d: Vec<Value> = demand[l].iter().map(|v| num(*v)).collect();
        let o: Vec<Value> = ooa[l].iter().map(|v| num(*v)).collect();
        for (t, y) in years.iter().enumerate() {
            p.insert(format!("demand_{y}"), d.get(t).cloned().unwrap_or(json!(0)));
            p.insert(
                format!("out_of_area_{y}"),
                o.get(t).cloned().unwrap_or(json!(0)),
            );
        }
        p.insert("years".into(), json!(years));
        p.insert("demand".into(), Value::Array(d));
        p.insert("out_of_area".into(), Value::Array(o));
        features.push(point(loc.lon, loc.lat, p));
    }

    json!({
        "type": "FeatureCollection",
        "name": s.name,
        "features": features,
    })
}

fn point(lon: f64, lat: f64, properties: Map<String, Value>) -> Value {
    json!({
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(lon, 6), round(lat, 6)],
        },
        "properties": properties,
    })
}

/// Pupils and places: whole numbers as integers, otherwise 3 decimals.
fn num(v: f64) -> Value {
    let r = round(v, 3);
    if r.fract() == 0.0 && r.abs() < 9e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

/// Pounds: 2 decimals.
fn num2(v: f64) -> Value {
    let r = round(v, 2);
    if r.fract() == 0.0 && r.abs() < 9e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::fixture::Fixture;

    #[test]
    fn feature_collection_is_rfc7946_points_in_lon_lat_order() {
        let fx = Fixture::demo();
        let run = fx.run();
        let v: Value = serde_json::from_slice(&geojson(&run)).unwrap();
        assert_eq!(v["type"], "FeatureCollection");
        assert!(v.get("crs").is_none(), "RFC 7946 has no crs member");
        let features = v["features"].as_array().unwrap();
        let s = run.scenario;
        assert_eq!(features.len(), s.schools.len() + s.localities.len());
        for f in features {
            assert_eq!(f["type"], "Feature");
            assert_eq!(f["geometry"]["type"], "Point");
            let c = f["geometry"]["coordinates"].as_array().unwrap();
            let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            assert!((-8.7..1.8).contains(&lon) && (49.8..60.9).contains(&lat));
        }
        let first = &features[0];
        assert_eq!(first["properties"]["id"], json!(s.schools[0].id));
        assert!(
            (first["geometry"]["coordinates"][0].as_f64().unwrap() - s.schools[0].lon).abs() < 1e-6
        );
        // New places in the features add up to the plan's.
        let total: f64 = features
            .iter()
            .filter(|f| f["properties"]["feature"] == "school")
            .map(|f| f["properties"]["new_places"].as_f64().unwrap())
            .sum();
        assert!((total - run.plan.new_places()).abs() < 1e-6);
        assert!(total > 0.0);
        // Locality demand adds up to the demand total, year by year.
        for (t, y) in run.plan.years.iter().enumerate() {
            let d: f64 = features
                .iter()
                .filter(|f| f["properties"]["feature"] == "locality")
                .map(|f| f["properties"][format!("demand_{y}")].as_f64().unwrap())
                .sum();
            assert_eq!(d as u64, run.demand.total(t));
            let o: f64 = features
                .iter()
                .filter(|f| f["properties"]["feature"] == "locality")
                .map(|f| {
                    f["properties"][format!("out_of_area_{y}")]
                        .as_f64()
                        .unwrap()
                })
                .sum();
            assert!((o - run.plan.out_of_area(t)).abs() < 1e-6);
        }
    }

    #[test]
    fn same_run_same_bytes() {
        let fx = Fixture::demo();
        assert_eq!(geojson(&fx.run()), geojson(&fx.run()));
    }
}
