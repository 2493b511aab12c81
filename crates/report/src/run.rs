//! What one planning run hands to the renderers: the scenario, its forecast and demand, the
//! checked plan, its costs and headline numbers, and the do-nothing baseline when it was solved.

use placeplan_model::finance::Costing;
use placeplan_model::forecast::{Demand, Forecast};
use placeplan_model::plan::Plan;
use placeplan_model::summary::Summary;
use placeplan_model::travel::TravelMatrix;
use placeplan_model::Scenario;

/// Everything one `plan` run produced, for the exporters (CSV, XLSX, GeoJSON, HTML).
#[derive(Debug, Clone, Copy)]
pub struct RunOutputs<'a> {
    pub scenario: &'a Scenario,
    pub travel: &'a TravelMatrix,
    pub forecast: &'a Forecast,
    pub demand: &'a Demand,
    /// The optimised, checked plan.
    pub plan: &'a Plan,
    pub costing: &'a Costing,
    pub summary: &'a Summary,
    /// The do-nothing baseline and its costs, when it was solved.
    pub do_nothing: Option<(&'a Plan, &'a Costing)>,
    /// The unmitigated forecast's demand placed with no new places (the do-nothing plan of the
    /// unmitigated demand): the DSG grid's unmitigated rows, when the run has it.
    pub unmitigated: Option<(&'a Demand, &'a Plan)>,
}
