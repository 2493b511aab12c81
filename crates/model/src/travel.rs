//! Journey times and distances from each locality centroid to each school.
//!
//! Without a road network: road km = great-circle km (geo's haversine) x detour factor, and
//! minutes = fixed minutes + km / average speed. With `roads.csv`: shortest-time paths over the
//! network (petgraph's Dijkstra; roads are two-way), with km along that path.

use std::collections::HashMap;
use std::ops::Add;

use geo::{Distance, Haversine, Point};
use petgraph::algo::dijkstra;
use petgraph::graph::{NodeIndex, UnGraph};

use crate::domain::{Road, Scenario};

/// Dense locality x school matrix. Unreachable pairs hold `f64::INFINITY`.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelMatrix {
    pub n_localities: usize,
    pub n_schools: usize,
    minutes: Vec<f64>,
    km: Vec<f64>,
}

impl TravelMatrix {
    pub fn minutes(&self, locality: usize, school: usize) -> f64 {
        self.minutes[locality * self.n_schools + school]
    }
    pub fn km(&self, locality: usize, school: usize) -> f64 {
        self.km[locality * self.n_schools + school]
    }

    /// Builds the matrix for a scenario, from its road network if it has one.
    pub fn build(s: &Scenario) -> TravelMatrix {
        if s.roads.is_empty() {
            straight_line(s)
        } else {
            network(s)
        }
    }
}

/// Great-circle distance in km between two WGS84 points.
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// Road km and minutes for a straight-line distance under the scenario's travel settings.
pub fn straight_line_journey(s: &Scenario, km_crow: f64) -> (f64, f64) {
    let km = km_crow * s.travel.detour_factor;
    let minutes = s.travel.fixed_minutes + km / s.travel.speed_kmh * 60.0;
    (km, minutes)
}

fn straight_line(s: &Scenario) -> TravelMatrix {
    let (nl, ns) = (s.localities.len(), s.schools.len());
    let mut minutes = Vec::with_capacity(nl * ns);
    let mut km = Vec::with_capacity(nl * ns);
    for l in &s.localities {
        for sc in &s.schools {
            let (k, m) = straight_line_journey(s, great_circle_km(l.lat, l.lon, sc.lat, sc.lon));
            km.push(k);
            minutes.push(m);
        }
    }
    TravelMatrix {
        n_localities: nl,
        n_schools: ns,
        minutes,
        km,
    }
}

/// Path length in minutes, with km carried along; ordered by minutes then km.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd)]
struct Journey {
    minutes: f64,
    km: f64,
}

impl Add for Journey {
    type Output = Journey;
    fn add(self, o: Journey) -> Journey {
        Journey {
            minutes: self.minutes + o.minutes,
            km: self.km + o.km,
        }
    }
}

fn network(s: &Scenario) -> TravelMatrix {
    let mut g: UnGraph<(), Journey> = UnGraph::default();
    let mut nodes: HashMap<&str, NodeIndex> = HashMap::new();
    fn node<'a>(
        g: &mut UnGraph<(), Journey>,
        nodes: &mut HashMap<&'a str, NodeIndex>,
        id: &'a str,
    ) -> NodeIndex {
        *nodes.entry(id).or_insert_with(|| g.add_node(()))
    }
    let loc_nodes: Vec<NodeIndex> = s
        .localities
        .iter()
        .map(|l| node(&mut g, &mut nodes, &l.id))
        .collect();
    let school_nodes: Vec<NodeIndex> = s
        .schools
        .iter()
        .map(|sc| node(&mut g, &mut nodes, &sc.id))
        .collect();
    for Road {
        from,
        to,
        minutes,
        km,
    } in &s.roads
    {
        let (a, b) = (node(&mut g, &mut nodes, from), node(&mut g, &mut nodes, to));
        let km = km.unwrap_or(minutes / 60.0 * s.travel.speed_kmh);
        g.add_edge(
            a,
            b,
            Journey {
                minutes: *minutes,
                km,
            },
        );
    }
    let (nl, ns) = (s.localities.len(), s.schools.len());
    let mut minutes = vec![f64::INFINITY; nl * ns];
    let mut km = vec![f64::INFINITY; nl * ns];
    for (li, &ln) in loc_nodes.iter().enumerate() {
        let dist = dijkstra(&g, ln, None, |e| *e.weight());
        for (si, sn) in school_nodes.iter().enumerate() {
            if let Some(j) = dist.get(sn) {
                minutes[li * ns + si] = s.travel.fixed_minutes + j.minutes;
                km[li * ns + si] = j.km;
            }
        }
    }
    TravelMatrix {
        n_localities: nl,
        n_schools: ns,
        minutes,
        km,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_known_distance() {
        // Liverpool Lime Street to Birkenhead Hamilton Square: about 2.8 km apart.
        let km = great_circle_km(53.4076, -2.9773, 53.3937, -3.0130);
        assert!((km - 2.80).abs() < 0.1, "{km}");
        // One degree of latitude is about 111.2 km.
        let d = great_circle_km(53.0, -3.0, 54.0, -3.0);
        assert!((d - 111.2).abs() < 0.3, "{d}");
    }

    fn scenario_with_roads(roads: Vec<Road>) -> Scenario {
        let loc = |id: &str| crate::domain::Locality {
            id: id.into(),
            name: id.into(),
            lat: 53.4,
            lon: -3.0,
        };
        let school = |id: &str| crate::domain::School {
            id: id.into(),
            name: id.into(),
            kind: crate::domain::SchoolKind::Special,
            phases: crate::domain::PhaseSet::default().with(crate::domain::Phase::Primary),
            lat: 53.4,
            lon: -3.0,
            can_host_base: false,
            max_new_places: 0,
            capex_per_place: None,
            place_cost: None,
            ages: None,
            gender: crate::domain::SchoolGender::Mixed,
            selective: false,
        };
        Scenario {
            name: "roads".into(),
            base_year: 2025,
            horizon: 1,
            discount_rate: 0.0,
            capital_budget: vec![0.0],
            costs: Default::default(),
            journey: Default::default(),
            travel: Default::default(),
            bases: Default::default(),
            expansion: Default::default(),
            new_school: Default::default(),
            outlines: Default::default(),
            capital: Default::default(),
            forecast: Default::default(),
            solver: Default::default(),
            levers: vec![],
            localities: vec![loc("A"), loc("B")],
            schools: vec![school("S"), school("T")],
            provisions: vec![],
            population: vec![],
            history: vec![],
            roads,
            placed_elsewhere: vec![],
        }
    }

    /// A -(10 min, 4 km)- X -(5 min)- S, and a slow direct road A -(30 min)- S: the fastest path
    /// goes through X. T is not connected. Roads are two-way (B reaches S backwards).
    #[test]
    fn road_network_uses_the_fastest_path() {
        let r = |from: &str, to: &str, minutes: f64, km: Option<f64>| Road {
            from: from.into(),
            to: to.into(),
            minutes,
            km,
        };
        let s = scenario_with_roads(vec![
            r("A", "X", 10.0, Some(4.0)),
            r("X", "S", 5.0, None),
            r("A", "S", 30.0, Some(9.0)),
            r("S", "B", 7.0, Some(3.0)),
        ]);
        let m = TravelMatrix::build(&s);
        let fixed = s.travel.fixed_minutes;
        assert_eq!(m.minutes(0, 0), fixed + 15.0);
        // 5 minutes at the default 25 km/h is 2.0833 km.
        assert!((m.km(0, 0) - (4.0 + 5.0 / 60.0 * 25.0)).abs() < 1e-12);
        assert_eq!(m.minutes(1, 0), fixed + 7.0);
        assert_eq!(m.minutes(0, 1), f64::INFINITY);
    }
}
