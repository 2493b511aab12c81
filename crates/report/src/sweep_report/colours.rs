//! Colours the sweep report's sections share.

pub(super) const GOOD: &str = "#2e7d32";
pub(super) const BAD: &str = "#c62828";
pub(super) const MUTED: &str = "#5b6675";
