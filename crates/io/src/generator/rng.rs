//! Random streams and deterministic arithmetic for the scenario generators: SplitMix64 streams,
//! weighted picks, an even-spread sequence, whole-number apportionment and exact-order powers.

use placeplan_model::rng::SplitMix64;

/// The generators' random streams: SplitMix64, one independent stream per part of a scenario, so
/// that changing one part does not reshuffle the others.
pub(crate) type Rng = SplitMix64;

/// Stream `id` of a generator seeded with `seed`.
pub(crate) fn stream_of(seed: u64, id: u64) -> Rng {
    SplitMix64::new(seed ^ id.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// The index whose share of `weights` covers `u` in [0, 1).
pub(crate) fn pick(weights: &[f64], u: f64) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = u * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0)
}

/// Golden-ratio (Weyl) sequence: successive values cover [0, 1) evenly, so choices made with it
/// match their target shares far more closely than independent draws would.
pub(crate) struct Spread(pub(crate) f64);

impl Spread {
    pub(crate) fn next(&mut self) -> f64 {
        self.0 += 0.618_033_988_749_894_9;
        if self.0 >= 1.0 {
            self.0 -= 1.0;
        }
        self.0
    }
}

/// base^exp by repeated multiplication (exact-order arithmetic on every platform).
pub(crate) fn pow(base: f64, exp: i32) -> f64 {
    let mut r = 1.0;
    for _ in 0..exp.unsigned_abs() {
        r *= base;
    }
    if exp < 0 {
        1.0 / r
    } else {
        r
    }
}

/// Splits `total` whole items over `weights` by the largest-remainder method.
pub(crate) fn apportion(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let quotas: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut out: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (quotas[a] - quotas[a].floor(), quotas[b] - quotas[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let short = total - out.iter().sum::<usize>();
    for &i in order.iter().take(short) {
        out[i] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_hands_out_every_item_by_largest_remainder() {
        assert_eq!(apportion(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0.5, 0.25, 0.25]), vec![3, 2, 2]);
        assert_eq!(apportion(0, &[2.0, 1.0]), vec![0, 0]);
        let split = apportion(90, &[3.3, 1.7, 2.9, 0.4]);
        assert_eq!(split.iter().sum::<usize>(), 90);
    }

    #[test]
    fn pick_follows_the_weights() {
        let w = [0.2, 0.0, 0.8];
        assert_eq!(pick(&w, 0.0), 0);
        assert_eq!(pick(&w, 0.19), 0);
        assert_eq!(pick(&w, 0.21), 2);
        assert_eq!(pick(&w, 0.999_999), 2);
        // Rounding past the end falls on the last positive weight.
        assert_eq!(pick(&[0.5, 0.5, 0.0], 1.0), 1);
    }

    #[test]
    fn pow_multiplies_exactly_in_order() {
        assert_eq!(pow(2.0, 0), 1.0);
        assert_eq!(pow(2.0, 10), 1024.0);
        assert_eq!(pow(2.0, -2), 0.25);
        assert_eq!(pow(1.1, 3), 1.0 * 1.1 * 1.1 * 1.1);
    }

    #[test]
    fn spread_covers_the_unit_interval_evenly() {
        let mut s = Spread(0.0);
        let mut bins = [0u32; 10];
        for _ in 0..1000 {
            let u = s.next();
            assert!((0.0..1.0).contains(&u));
            bins[(u * 10.0) as usize] += 1;
        }
        assert!(bins.iter().all(|b| (95..=105).contains(b)), "{bins:?}");
    }

    #[test]
    fn streams_differ_by_id_and_repeat_by_seed() {
        let draw = |seed, id| {
            let mut r = stream_of(seed, id);
            (r.unit(), r.unit())
        };
        assert_eq!(draw(7, 1), draw(7, 1));
        assert_ne!(draw(7, 1), draw(7, 2));
        assert_ne!(draw(7, 1), draw(8, 1));
    }
}
