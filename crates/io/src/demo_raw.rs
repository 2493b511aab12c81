//! `placeplan demo --raw DIR`: the demo borough as the files a council has, as published, for
//! `placeplan init` to read.
//!
//! Made from the demo scenario's own files, so the two describe one borough:
//!
//! - `edubasealldata_demo.csv`: a GIAS extract (the published column names, quoted header,
//!   CRLF): every demo school, its type, statutory ages (the high age is the leaving age),
//!   SEN1.. designations from its capacity's needs, SchoolCapacity (special, independent and
//!   post-16 schools) or ResourcedProvisionCapacity (mainstream schools with a base) as the sum
//!   of its places, and Easting/Northing found from its latitude and longitude.
//! - `demo_population_by_ward.csv`: ONS wide layout, one row per ward, year and sex
//!   (`Persons`, `Males`, `Females`; males are 51% of persons rounded, females the rest), ages
//!   0-25, every year of the demo (2019-2030).
//! - `demo_wards.geojson`: each ward a square 0.01 degrees across centred on its point, with
//!   ONS property names `WD23CD`, `WD23NM`.
//! - `caseload.csv`: the DfE EHC plans release, current layout: the borough's total each
//!   January (`All EHC plans`).
//! - `demo_child_caseload.csv`: one row per child per January (the demo's history, a row for
//!   each plan), with the SEN2 person-level names `PersonID`, `CensusDate`, `SENType`,
//!   `SENSetting`, and `age` and `ward_code`.
//!
//! The borough's codes are made up: `E08999999` (DfE 999), wards `E05999901`-`E05999922`.

use std::collections::BTreeMap;

use crate::import::gias::osgb36_to_wgs84;

/// The borough's made-up codes.
pub const RAW_LA_CODE: &str = "E08999999";
pub const RAW_OLD_LA_CODE: &str = "999";

/// The ward code of a demo locality id (`W01` -> `E05999901`).
pub fn ward_code(id: &str) -> String {
    format!(
        "E05999{}",
        id.trim_start_matches('W').parse::<u32>().unwrap_or(0) + 900
    )
}

/// National Grid easting and northing (whole metres) of a WGS84 point: Newton's method on
/// [`osgb36_to_wgs84`].
pub fn wgs84_to_grid(lat: f64, lon: f64) -> (f64, f64) {
    let (mut e, mut n) = (330_000.0, 390_000.0);
    for _ in 0..20 {
        let (la, lo) = osgb36_to_wgs84(e, n);
        let h = 1.0;
        let (la_e, lo_e) = osgb36_to_wgs84(e + h, n);
        let (la_n, lo_n) = osgb36_to_wgs84(e, n + h);
        // Jacobian of (lat, lon) by (e, n).
        let (a, b, c, d) = (la_e - la, la_n - la, lo_e - lo, lo_n - lo);
        let det = a * d - b * c;
        if det == 0.0 {
            break;
        }
        let (dl, dg) = (lat - la, lon - lo);
        e += (d * dl - b * dg) / det;
        n += (a * dg - c * dl) / det;
    }
    (e.round(), n.round())
}

fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect()
}

/// Phase ages: (first age taught, leaving age).
fn phase_ages(p: &str) -> (u32, u32) {
    match p {
        "early_years" => (2, 5),
        "primary" => (5, 11),
        "secondary" => (11, 16),
        "post16" => (16, 19),
        _ => (19, 25),
    }
}

fn gias(schools: &str, capacity: &str) -> String {
    let mut places: BTreeMap<&str, (u32, Vec<String>)> = BTreeMap::new();
    for r in rows(capacity) {
        let e = places.entry(r[0]).or_default();
        e.0 += r[3].parse::<u32>().unwrap_or(0);
        for n in r[1].split(';').filter(|n| *n != "ANY") {
            if !e.1.iter().any(|x| x == n) {
                e.1.push(n.to_string());
            }
        }
    }
    let mut head = vec![
        "URN",
        "LA (code)",
        "LA (name)",
        "EstablishmentName",
        "TypeOfEstablishment (name)",
        "EstablishmentStatus (name)",
        "PhaseOfEducation (name)",
        "StatutoryLowAge",
        "StatutoryHighAge",
        "OfficialSixthForm (name)",
        "Gender (name)",
        "AdmissionsPolicy (name)",
        "SchoolCapacity",
        "TypeOfResourcedProvision (name)",
        "ResourcedProvisionCapacity",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    head.extend((1..=13).map(|i| format!("SEN{i} (name)")));
    head.extend(["DistrictAdministrative (code)", "Easting", "Northing"].map(String::from));
    let mut out = head
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(",")
        + "\r\n";
    for r in rows(schools) {
        let (id, name, kind, phases) = (r[0], r[1], r[2], r[3]);
        if kind == "site" {
            // A candidate site for a new school is no establishment: GIAS does not list it.
            continue;
        }
        let ps: Vec<&str> = phases.split(';').collect();
        let low = ps.iter().map(|p| phase_ages(p).0).min().unwrap_or(4);
        let high = ps.iter().map(|p| phase_ages(p).1).max().unwrap_or(11);
        let (ty, phase) = match kind {
            "special" => ("Community special school", "Not applicable"),
            "independent" => ("Other independent special school", "Not applicable"),
            "post16" => ("Special post 16 institution", "16 plus"),
            _ if id.parse::<u32>().unwrap_or(0) >= 136_000 => (
                "Academy converter",
                if ps.contains(&"primary") {
                    "Primary"
                } else {
                    "Secondary"
                },
            ),
            _ => (
                "Community school",
                if ps.contains(&"primary") {
                    "Primary"
                } else {
                    "Secondary"
                },
            ),
        };
        // A mainstream sixth form leaves at 18, as GIAS gives it.
        let high = if kind == "mainstream" && high == 19 {
            18
        } else {
            high
        };
        let (total, needs) = places.get(id).cloned().unwrap_or_default();
        let (cap, rp_type, rp_cap) = match (kind, total) {
            ("mainstream", 0) => (String::new(), "Not applicable", String::new()),
            ("mainstream", t) => (String::new(), "Resourced provision", t.to_string()),
            (_, t) => (t.to_string(), "Not applicable", String::new()),
        };
        let lat: f64 = r[4].parse().unwrap_or(0.0);
        let lon: f64 = r[5].parse().unwrap_or(0.0);
        let (e, n) = wgs84_to_grid(lat, lon);
        let mut cells = vec![
            id.to_string(),
            RAW_OLD_LA_CODE.into(),
            "Demo Borough".into(),
            name.to_string(),
            ty.into(),
            "Open".into(),
            phase.into(),
            low.to_string(),
            high.to_string(),
            if ps.contains(&"post16") {
                "Has a sixth form"
            } else {
                "Does not have a sixth form"
            }
            .into(),
            "Mixed".into(),
            "Not applicable".into(),
            cap,
            rp_type.into(),
            rp_cap,
        ];
        cells.extend((0..13).map(|i| needs.get(i).cloned().unwrap_or_default()));
        cells.extend([
            RAW_LA_CODE.to_string(),
            format!("{e:.0}"),
            format!("{n:.0}"),
        ]);
        out += &(cells.join(",") + "\r\n");
    }
    out
}

fn population(pop: &str, names: &BTreeMap<String, String>) -> String {
    let mut grid: BTreeMap<(&str, &str), Vec<u64>> = BTreeMap::new();
    for r in rows(pop) {
        let v = grid.entry((r[0], r[1])).or_insert_with(|| vec![0; 26]);
        let a: usize = r[2].parse().unwrap_or(0);
        if a < 26 {
            v[a] = r[3].parse().unwrap_or(0);
        }
    }
    let mut out = String::from("code,name,sex,year");
    for a in 0..26 {
        out += &format!(",{a}");
    }
    out.push('\n');
    for ((id, year), v) in &grid {
        let males: Vec<u64> = v.iter().map(|p| (p * 51 + 50) / 100).collect();
        let females: Vec<u64> = v.iter().zip(&males).map(|(p, m)| p - m).collect();
        for (sex, cells) in [("Persons", v), ("Males", &males), ("Females", &females)] {
            out += &format!(
                "{},{},{sex},{year}",
                ward_code(id),
                names.get(*id).cloned().unwrap_or_default()
            );
            for c in cells {
                out += &format!(",{c}");
            }
            out.push('\n');
        }
    }
    out
}

fn boundaries(localities: &str) -> String {
    let features: Vec<String> = rows(localities)
        .iter()
        .map(|r| {
            let (lat, lon): (f64, f64) = (r[2].parse().unwrap_or(0.0), r[3].parse().unwrap_or(0.0));
            let d = 0.005;
            format!(
                "{{\"type\": \"Feature\", \"properties\": {{\"WD23CD\": \"{}\", \"WD23NM\": \"{}\"}}, \"geometry\": {{\"type\": \"Polygon\", \"coordinates\": [[[{:.5}, {:.5}], [{:.5}, {:.5}], [{:.5}, {:.5}], [{:.5}, {:.5}], [{:.5}, {:.5}]]]}}}}",
                ward_code(r[0]), r[1],
                lon - d, lat - d, lon + d, lat - d, lon + d, lat + d, lon - d, lat + d, lon - d, lat - d
            )
        })
        .collect();
    format!(
        "{{\"type\": \"FeatureCollection\", \"features\": [\n{}\n]}}\n",
        features.join(",\n")
    )
}

fn caseload(history: &str) -> String {
    let mut totals: BTreeMap<i32, u64> = BTreeMap::new();
    for r in rows(history) {
        *totals.entry(r[0].parse().unwrap_or(0)).or_default() += r[5].parse::<u64>().unwrap_or(0);
    }
    let mut out = String::from("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,ehcplans\r\n");
    for (y, t) in totals {
        out += &format!(
            "{}{:02},Academic year,Local authority,E92000001,England,E12000002,North West,{RAW_LA_CODE},{RAW_OLD_LA_CODE},Demo Borough,All EHC plans,All EHC plans,{t}\r\n",
            y - 1,
            y % 100
        );
    }
    out
}

fn children(history: &str) -> String {
    let mut out = String::from("PersonID,CensusDate,age,ward_code,SENType,SENSetting\n");
    let mut n: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows(history) {
        for _ in 0..r[5].parse::<u64>().unwrap_or(0) {
            let k = n.entry(r[0]).or_default();
            *k += 1;
            out += &format!(
                "D{}-{:05},18-01-{},{},{},{},{}\n",
                r[0],
                k,
                r[0],
                r[2],
                ward_code(r[1]),
                r[3],
                r[4]
            );
        }
    }
    out
}

/// Every raw file of the demo borough, as (file name, contents).
pub fn raw_files() -> Vec<(&'static str, String)> {
    let demo: BTreeMap<&str, String> = crate::demo::build().into_iter().collect();
    let names: BTreeMap<String, String> = rows(&demo["localities.csv"])
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    vec![
        (
            "edubasealldata_demo.csv",
            gias(&demo["schools.csv"], &demo["capacity.csv"]),
        ),
        (
            "demo_population_by_ward.csv",
            population(&demo["population.csv"], &names),
        ),
        ("demo_wards.geojson", boundaries(&demo["localities.csv"])),
        ("caseload.csv", caseload(&demo["history.csv"])),
        ("demo_child_caseload.csv", children(&demo["history.csv"])),
    ]
}

/// Writes [`raw_files`] into `dir`.
pub fn write_demo_raw(dir: &std::path::Path) -> std::io::Result<()> {
    for (name, text) in raw_files() {
        crate::atomic::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_round_trip_within_a_metre() {
        let (lat, lon) = (53.3789, -3.0567);
        let (e, n) = wgs84_to_grid(lat, lon);
        let (la, lo) = osgb36_to_wgs84(e, n);
        // Whole metres: within about a metre (1e-5 degrees).
        assert!(
            (la - lat).abs() < 1e-5 && (lo - lon).abs() < 1.5e-5,
            "{la} {lo}"
        );
        assert_eq!(ward_code("W07"), "E05999907");
    }
}
