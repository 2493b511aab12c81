//! Words for the domain that more than one renderer shows, so the workbook and the report use
//! the same ones.

use placeplan_model::finance::CostLine;

/// Human label of a cost line, as used in the workbook and the report.
pub fn cost_line_label(l: CostLine) -> &'static str {
    match l {
        CostLine::ResourcedBase => "Resourced bases (existing)",
        CostLine::NewBase => "New resourced bases",
        CostLine::Special => "Special schools",
        CostLine::IndependentLocal => "Independent (local)",
        CostLine::Post16 => "Post-16 / post-19",
        CostLine::OutOfArea => "Out of area / independent",
        CostLine::OtherAuthority => "Other authorities' schools",
        CostLine::Transport => "Transport",
        CostLine::Capital => "Capital",
        CostLine::BaseSetup => "Base set-up",
        CostLine::Moves => "Pupils brought back (moves)",
        CostLine::ResidualValue => "Value beyond the horizon (credit)",
    }
}
