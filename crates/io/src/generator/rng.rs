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
