//! A capacitated facility location instance in OR-Library terms (see [`crate::cflp`]).

/// A capacitated facility location instance in OR-Library terms.
#[derive(Debug, Clone, PartialEq)]
pub struct CflpInstance {
    /// File stem, e.g. `cap41`.
    pub name: String,
    /// Capacity of each site, in demand units.
    pub capacity: Vec<f64>,
    /// Fixed cost of opening each site.
    pub fixed: Vec<f64>,
    /// Demand of each customer.
    pub demand: Vec<f64>,
    /// `cost[j][i]`: cost of serving the whole demand of customer j from site i.
    pub cost: Vec<Vec<f64>>,
}

impl CflpInstance {
    pub fn sites(&self) -> usize {
        self.capacity.len()
    }
    pub fn customers(&self) -> usize {
        self.demand.len()
    }
}
