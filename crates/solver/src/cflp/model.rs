//! The split-demand CFLP as a good_lp model: variables, objective and constraints (1)-(4) of
//! [`crate::cflp`].

use good_lp::{variable, Constraint, Expression, ProblemVariables, Variable};

use super::instance::CflpInstance;

/// The MIP of the module docs, built over the sites the bounds leave open to choice.
pub(super) struct CflpModel {
    pub(super) vars: ProblemVariables,
    pub(super) objective: Expression,
    pub(super) constraints: Vec<Constraint>,
    /// The sites in the model (those not fixed closed), ascending.
    pub(super) sites: Vec<usize>,
    /// `x[j][k]`: share of customer j served by site `sites[k]`.
    pub(super) x: Vec<Vec<Variable>>,
    /// `y[k]`: site `sites[k]` is open (bounds 1..1 when fixed open).
    pub(super) y: Vec<Variable>,
}

/// Builds variables, objective and constraints (1)-(4) of the module docs over the sites that
/// `fixed` does not close (`fixed[i] = Some(true)` fixes a site open).
pub(super) fn build(inst: &CflpInstance, fixed: &[Option<bool>]) -> CflpModel {
    let sites: Vec<usize> = (0..inst.sites())
        .filter(|&i| fixed[i] != Some(false))
        .collect();
    let n = inst.customers();
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(sites.len() * (n + 1));
    let y: Vec<Variable> = sites
        .iter()
        .map(|&i| {
            let open = fixed[i] == Some(true);
            vars.add(variable().binary().min(if open { 1.0 } else { 0.0 }))
        })
        .collect();
    for (&i, &v) in sites.iter().zip(&y) {
        objective.add_mul(inst.fixed[i], v);
    }
    let mut x = Vec::with_capacity(n);
    for j in 0..n {
        let row: Vec<Variable> = sites
            .iter()
            .map(|_| vars.add(variable().min(0.0).max(1.0)))
            .collect();
        for (&i, &v) in sites.iter().zip(&row) {
            objective.add_mul(inst.cost[j][i], v);
        }
        x.push(row);
    }
    let mut constraints = Vec::with_capacity(n + sites.len() * (n + 1) + 1);
    served_in_full(&x, &mut constraints);
    capacity_of_open_sites(inst, &sites, &x, &y, &mut constraints);
    strong_linking(&x, &y, &mut constraints);
    enough_capacity_opened(inst, &sites, &y, &mut constraints);
    CflpModel {
        vars,
        objective,
        constraints,
        sites,
        x,
        y,
    }
}

/// Constraint (1): `sum_i x[i,j] = 1`.
fn served_in_full(x: &[Vec<Variable>], out: &mut Vec<Constraint>) {
    for row in x {
        let mut e = Expression::with_capacity(row.len());
        for &v in row {
            e.add_mul(1.0, v);
        }
        out.push(e.eq(1.0));
    }
}

/// Constraint (2): `sum_j d[j] x[i,j] - cap[i] y[i] <= 0`.
fn capacity_of_open_sites(
    inst: &CflpInstance,
    sites: &[usize],
    x: &[Vec<Variable>],
    y: &[Variable],
    out: &mut Vec<Constraint>,
) {
    for (k, (&i, &yi)) in sites.iter().zip(y).enumerate() {
        let mut e = Expression::with_capacity(x.len() + 1);
        for (j, row) in x.iter().enumerate() {
            if inst.demand[j] > 0.0 {
                e.add_mul(inst.demand[j], row[k]);
            }
        }
        e.add_mul(-inst.capacity[i], yi);
        out.push(e.leq(0.0));
    }
}

/// Constraint (3): `x[i,j] - y[i] <= 0`.
fn strong_linking(x: &[Vec<Variable>], y: &[Variable], out: &mut Vec<Constraint>) {
    for row in x {
        for (i, &v) in row.iter().enumerate() {
            let mut e = Expression::with_capacity(2);
            e.add_mul(1.0, v);
            e.add_mul(-1.0, y[i]);
            out.push(e.leq(0.0));
        }
    }
}

/// Constraint (4): `sum_i cap[i] y[i] >= sum_j d[j]`.
fn enough_capacity_opened(
    inst: &CflpInstance,
    sites: &[usize],
    y: &[Variable],
    out: &mut Vec<Constraint>,
) {
    let mut e = Expression::with_capacity(y.len());
    for (&i, &v) in sites.iter().zip(y) {
        e.add_mul(inst.capacity[i], v);
    }
    out.push(e.geq(inst.demand.iter().sum::<f64>()));
}

/// The bounding pass's best plan as a MIP start: its shares, and every site that serves a
/// share (or is fixed open) open.
#[cfg(feature = "highs")]
pub(super) fn mip_start(
    model: &CflpModel,
    fixed: &[Option<bool>],
    plan: &[(usize, usize, f64)],
) -> Vec<(Variable, f64)> {
    let mut open: Vec<bool> = model
        .sites
        .iter()
        .map(|&i| fixed[i] == Some(true))
        .collect();
    let mut start = Vec::with_capacity(plan.len() + model.sites.len());
    for &(j, i, share) in plan {
        if let Ok(k) = model.sites.binary_search(&i) {
            open[k] = true;
            start.push((model.x[j][k], share));
        }
    }
    for (k, &y) in model.y.iter().enumerate() {
        start.push((y, if open[k] { 1.0 } else { 0.0 }));
    }
    start
}
