//! placeplan-solver
