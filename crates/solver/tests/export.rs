//! The model files `placeplan plan --write-mps/--write-lp` write hold the model placeplan
//! solves: read back by a small MPS reader written here and solved by microlp directly (not
//! through good_lp or placeplan's formulation), the optimum is the plan's objective.

use std::collections::HashMap;

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use placeplan_model::forecast::{Demand, DemandGroup};
use placeplan_model::travel::TravelMatrix;
use placeplan_model::*;
use placeplan_solver::export::{write_model, ModelFormat};
use placeplan_solver::formulation::SCALE;
use placeplan_solver::{solve, Backend, Options};

/// Two localities, a special school beside one with 10 places and a mainstream school beside
/// the other that may host a base (continuous places), 17 ASD primary pupils a year, 3 years.
fn scenario(modular: bool) -> (Scenario, Demand) {
    let school = |id: &str, kind, lon: f64, host: bool| School {
        id: id.into(),
        name: id.into(),
        kind,
        phases: PhaseSet::default().with(Phase::Primary),
        lat: 53.40,
        lon,
        can_host_base: host,
        max_new_places: if host { 20 } else { 0 },
        capex_per_place: None,
        place_cost: None,
        ages: None,
        gender: SchoolGender::Mixed,
        selective: false,
    };
    let locality = |id: &str, lon: f64| Locality {
        id: id.into(),
        name: id.into(),
        lat: 53.40,
        lon,
    };
    let s = Scenario {
        name: "export".into(),
        base_year: 2025,
        horizon: 3,
        discount_rate: 0.035,
        capital_budget: vec![300_000.0; 3],
        bases: BaseRules {
            modular,
            min_size: 4,
            ..BaseRules::default()
        },
        solver: SolverSettings {
            stability: false,
            // Worked by hand with every place usable.
            occupancy_target: 1.0,
            ..SolverSettings::default()
        },
        localities: vec![locality("A", -3.00), locality("B", -2.90)],
        schools: vec![
            school("S", SchoolKind::Special, -3.00, false),
            school("M", SchoolKind::Mainstream, -2.90, true),
        ],
        provisions: vec![ExistingProvision {
            school: 0,
            needs: NeedSet::all(),
            phase: Phase::Primary,
            places: 10,
            other_la_pupils: 0,
        }],
        ..Scenario::default()
    };
    let group = |locality| DemandGroup {
        locality,
        need: Need::Asd,
        phase: Phase::Primary,
    };
    let demand = Demand {
        years: vec![2026, 2027, 2028],
        groups: vec![group(0), group(1)],
        pupils: vec![vec![5, 12]; 3],
    };
    (s, demand)
}

/// Reads the free MPS placeplan writes into a microlp problem.
fn read_mps(text: &str) -> Problem {
    let mut section = "";
    let mut sense: HashMap<String, char> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut cols: Vec<(String, bool)> = Vec::new();
    let mut entries: HashMap<String, Vec<(String, f64)>> = HashMap::new();
    let mut rhs: HashMap<String, f64> = HashMap::new();
    let mut bounds: HashMap<String, (f64, f64)> = HashMap::new();
    let mut integer = false;
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') {
            section = f[0];
            continue;
        }
        match section {
            "ROWS" => {
                sense.insert(f[1].to_string(), f[0].chars().next().unwrap());
                if f[0] != "N" {
                    order.push(f[1].to_string());
                }
            }
            "COLUMNS" if f[1] == "'MARKER'" => integer = f[2] == "'INTORG'",
            "COLUMNS" => {
                if cols.last().map(|c| &c.0) != Some(&f[0].to_string()) {
                    cols.push((f[0].to_string(), integer));
                }
                let e = entries.entry(f[0].to_string()).or_default();
                for pair in f[1..].chunks(2) {
                    e.push((pair[0].to_string(), pair[1].parse().unwrap()));
                }
            }
            "RHS" => {
                rhs.insert(f[1].to_string(), f[2].parse().unwrap());
            }
            "BOUNDS" => {
                let b = bounds
                    .entry(f[2].to_string())
                    .or_insert((0.0, f64::INFINITY));
                match f[0] {
                    "LO" => b.0 = f[3].parse().unwrap(),
                    "UP" => b.1 = f[3].parse().unwrap(),
                    "FR" => *b = (f64::NEG_INFINITY, f64::INFINITY),
                    "MI" => b.0 = f64::NEG_INFINITY,
                    "PL" => b.1 = f64::INFINITY,
                    other => panic!("bound type {other}"),
                }
            }
            _ => panic!("unexpected line in {section}: {line}"),
        }
    }
    let mut p = Problem::new(OptimizationDirection::Minimize);
    let mut rows: HashMap<String, Vec<(microlp::Variable, f64)>> = HashMap::new();
    for (name, is_int) in &cols {
        let obj: f64 = entries[name]
            .iter()
            .filter(|(r, _)| r == "cost")
            .map(|e| e.1)
            .sum();
        let (lo, hi) = bounds.get(name).copied().unwrap_or((0.0, f64::INFINITY));
        let v = if *is_int {
            p.add_integer_var(obj, (lo as i32, hi.min(1e9) as i32))
        } else {
            p.add_var(obj, (lo, hi))
        };
        for (r, c) in &entries[name] {
            if r != "cost" {
                rows.entry(r.clone()).or_default().push((v, *c));
            }
        }
    }
    for r in &order {
        let op = match sense[r] {
            'L' => ComparisonOp::Le,
            'E' => ComparisonOp::Eq,
            'G' => ComparisonOp::Ge,
            other => panic!("row type {other}"),
        };
        let terms = rows.remove(r).unwrap_or_default();
        p.add_constraint(terms, op, rhs.get(r).copied().unwrap_or(0.0));
    }
    p
}

#[test]
fn the_mps_holds_the_model_placeplan_solves() {
    for modular in [false, true] {
        let (s, demand) = scenario(modular);
        let travel = TravelMatrix::build(&s);
        let mps = write_model(&s, &travel, &demand, ModelFormat::Mps);
        // Same scenario, same bytes.
        assert_eq!(mps, write_model(&s, &travel, &demand, ModelFormat::Mps));
        let text = String::from_utf8(mps).unwrap();
        assert_eq!(text.contains("'INTORG'"), modular, "{text}");
        let optimum = read_mps(&text)
            .solve()
            .unwrap()
            .into_solution()
            .unwrap()
            .objective()
            / SCALE;
        // placeplan's own exact answer: microlp on the LP, or branch and bound with whole
        // places on the MIP (HiGHS where built).
        let backend = if modular && cfg!(feature = "highs") {
            Backend::Highs
        } else {
            Backend::Microlp
        };
        let plan = solve(&s, &travel, &demand, &Options::optimise(), backend).unwrap();
        if modular {
            // The plan is whole (rounded or exact): the MIP optimum is at most its cost and at
            // least its bound.
            assert!(
                optimum <= plan.objective * (1.0 + 1e-6),
                "{optimum} vs {plan:?}"
            );
            let bound = plan.bound.unwrap();
            assert!(
                optimum >= bound * (1.0 - 1e-6),
                "{optimum} vs bound {bound}"
            );
        } else {
            assert!(
                (optimum - plan.objective).abs() <= 1e-6 * plan.objective,
                "{optimum} vs {}",
                plan.objective
            );
        }
    }
}

#[test]
fn the_lp_file_has_every_row_and_integer_column() {
    let (s, demand) = scenario(true);
    let travel = TravelMatrix::build(&s);
    let mps = String::from_utf8(write_model(&s, &travel, &demand, ModelFormat::Mps)).unwrap();
    let lp = String::from_utf8(write_model(&s, &travel, &demand, ModelFormat::Lp)).unwrap();
    let rows_mps = mps
        .lines()
        .skip_while(|l| *l != "ROWS")
        .take_while(|l| *l != "COLUMNS")
        .filter(|l| l.starts_with(" L") || l.starts_with(" E"))
        .count();
    let rows_lp = lp
        .lines()
        .skip_while(|l| *l != "Subject To")
        .take_while(|l| *l != "Bounds")
        .filter(|l| l.starts_with(" r"))
        .count();
    assert!(rows_mps > 0);
    assert_eq!(rows_mps, rows_lp);
    assert!(lp.starts_with("\\ placeplan allocation model\nMinimize\n cost:"));
    assert!(lp.contains("\nGeneral\n") && lp.ends_with("End\n"), "{lp}");
}
