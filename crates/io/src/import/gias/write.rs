//! `schools.csv` and `capacity.csv` from an import.

use crate::csvcell::text_cell;

use super::types::GiasImport;

impl GiasImport {
    /// `schools.csv` in the scenario format, with the host-rule columns.
    pub fn schools_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "id",
            "name",
            "kind",
            "phases",
            "lat",
            "lon",
            "can_host_base",
            "max_new_places",
            "capex_per_place",
            "place_cost",
            "low_age",
            "high_age",
            "gender",
            "selective",
        ]);
        for s in &self.schools {
            let (low, high) = s.ages.map_or((String::new(), String::new()), |(l, h)| {
                (l.to_string(), h.to_string())
            });
            let _ = w.write_record([
                text_cell(&s.urn).as_str(),
                &text_cell(&s.name),
                s.kind.code(),
                &s.phases
                    .iter()
                    .map(|p| p.code())
                    .collect::<Vec<_>>()
                    .join(";"),
                &format!("{:.5}", s.lat),
                &format!("{:.5}", s.lon),
                if s.can_host_base { "yes" } else { "no" },
                &s.max_new_places.to_string(),
                "",
                "",
                &low,
                &high,
                s.gender.code(),
                if s.selective { "yes" } else { "no" },
            ]);
        }
        w.into_inner().unwrap_or_default()
    }

    /// `capacity.csv` in the scenario format.
    pub fn capacity_csv(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(["school", "needs", "phase", "places"]);
        for s in &self.schools {
            for (needs, phase, places) in &s.capacity {
                let _ = w.write_record([
                    text_cell(&s.urn).as_str(),
                    &needs.label(),
                    phase.code(),
                    &places.to_string(),
                ]);
            }
        }
        w.into_inner().unwrap_or_default()
    }
}
