//! Checks of a CFLP instance before solving and of the returned point after, without trusting
//! the backend.

use crate::backend::SolveError;

use super::instance::CflpInstance;

/// Feasibility tolerance for the post-solve verification (relative to the row's scale).
const VERIFY_TOL: f64 = 1e-6;

/// Reasons the instance cannot be feasible, found before solving.
pub(super) fn diagnose(inst: &CflpInstance) -> Vec<String> {
    let mut out = Vec::new();
    let shape_ok = inst.fixed.len() == inst.sites()
        && inst.cost.len() == inst.customers()
        && inst.cost.iter().all(|r| r.len() == inst.sites());
    if !shape_ok {
        out.push(format!(
            "instance {} is malformed: {} capacities, {} fixed costs, {} demands and {} cost rows (each must have one cost per site)",
            inst.name,
            inst.sites(),
            inst.fixed.len(),
            inst.customers(),
            inst.cost.len()
        ));
        return out;
    }
    if inst.sites() == 0 {
        out.push(format!("instance {} has no sites", inst.name));
    }
    let data = [&inst.capacity, &inst.fixed, &inst.demand];
    let mut all = data.into_iter().flatten().chain(inst.cost.iter().flatten());
    if all.any(|v| !v.is_finite()) {
        out.push(format!(
            "instance {} holds a value that is not a finite number",
            inst.name
        ));
    }
    if inst.capacity.iter().chain(&inst.demand).any(|&v| v < 0.0) {
        out.push(format!(
            "instance {} has a negative capacity or demand",
            inst.name
        ));
    }
    let cap: f64 = inst.capacity.iter().sum();
    let dem: f64 = inst.demand.iter().sum();
    // A hair of round-off in the sums (ten sites of 1.1 add up to just under 11) is not a gap.
    if cap < dem - 1e-9 * dem.max(1.0) {
        out.push(format!(
            "all {} sites together hold {cap} but customers demand {dem}; raise capacities",
            inst.sites()
        ));
    }
    out
}

/// Re-checks the returned point against (1)-(3) and integrality without trusting the backend.
pub(super) fn verify(inst: &CflpInstance, x: &[&[f64]], y: &[f64]) -> Result<(), SolveError> {
    let fail = |what: String| Err(SolveError::CheckFailed(vec![what]));
    if x.len() != inst.customers() {
        return fail(format!("{} customer rows returned", x.len()));
    }
    for (i, &v) in y.iter().enumerate() {
        if v != 0.0 && v != 1.0 {
            return fail(format!("site {} open = {v}, not 0 or 1", i + 1));
        }
    }
    let mut load = vec![0.0; inst.sites()];
    for (j, row) in x.iter().enumerate() {
        let mut served = 0.0;
        for (i, &v) in row.iter().enumerate() {
            if v < -VERIFY_TOL || v > y[i] + VERIFY_TOL {
                return fail(format!(
                    "customer {} share {v} at site {} (open = {})",
                    j + 1,
                    i + 1,
                    y[i]
                ));
            }
            served += v;
            load[i] += inst.demand[j] * v;
        }
        if (served - 1.0).abs() > VERIFY_TOL {
            return fail(format!("customer {} served {served} times", j + 1));
        }
    }
    for (i, &l) in load.iter().enumerate() {
        let cap = inst.capacity[i] * y[i];
        if l > cap + VERIFY_TOL * inst.capacity[i].max(1.0) {
            return fail(format!("site {} carries {l} over capacity {cap}", i + 1));
        }
    }
    Ok(())
}
