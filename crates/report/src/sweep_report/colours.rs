//! Colours the sweep report's sections share, and the names of groups of variants drawn in them.

pub(super) const GOOD: &str = "#2e7d32";
pub(super) const BAD: &str = "#c62828";
pub(super) const MUTED: &str = "#5b6675";

/// Colours for groups (Tableau 10), cycled when there are more groups.
pub(super) const GROUP_COLOURS: [&str; 10] = [
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
    "#ff9da7", "#bab0ac",
];

/// A group's name for people: its settings, or the base scenario's when it has none.
pub(super) fn group_label(group: &str) -> String {
    if group.is_empty() {
        "Base scenario settings".into()
    } else {
        group.replace(' ', ", ").replace('=', " = ")
    }
}
