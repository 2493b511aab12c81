//! Snapping solver values to whole numbers (simplex round-off).

/// How close to a whole number a value must lie to be snapped to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Near {
    /// Strictly within this distance.
    Absolute(f64),
    /// Strictly within this distance times the whole number's size (at least 1).
    Relative(f64),
}

/// `v` as the nearest whole number when it lies within `near` of it, else `v` unchanged.
pub(crate) fn snap(v: f64, near: Near) -> f64 {
    let r = v.round();
    let tol = match near {
        Near::Absolute(t) => t,
        Near::Relative(t) => t * r.abs().max(1.0),
    };
    if (v - r).abs() < tol {
        r
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snaps_only_within_the_tolerance() {
        assert_eq!(snap(2.0 + 1e-8, Near::Absolute(1e-7)), 2.0);
        assert_eq!(snap(2.0 + 1e-6, Near::Absolute(1e-7)), 2.0 + 1e-6);
        assert_eq!(snap(-1e-8, Near::Absolute(1e-7)), 0.0);
        assert_eq!(snap(0.5, Near::Absolute(1e-7)), 0.5);
        assert_eq!(snap(1e6 + 1e-4, Near::Absolute(1e-7)), 1e6 + 1e-4);
        // Relative: the distance allowed grows with the whole number.
        assert_eq!(snap(1e6 + 1e-4, Near::Relative(1e-9)), 1e6);
        assert_eq!(snap(1e6 + 1e-2, Near::Relative(1e-9)), 1e6 + 1e-2);
        assert_eq!(snap(1e-10, Near::Relative(1e-9)), 0.0);
        assert_eq!(snap(0.3, Near::Relative(1e-9)), 0.3);
    }
}
