//! Controlled rounding of a table to whole numbers without losing its totals.
//!
//! Rounding every cell of a table on its own drops or adds pupils: a locality x need x phase
//! table of a few hundred cells each below one pupil rounds to far fewer pupils than it holds.
//! [`controlled_round`] instead rounds a table `x[r][c] >= 0` so that
//!
//! 1. every cell is its value rounded down or up (a whole value is never moved),
//! 2. every row total and every column total is its real total rounded down or up,
//! 3. the grand total is the real grand total rounded to the nearest whole number (halves up).
//!
//! (Cox's controlled rounding of a two-way table: such a rounding always exists.) Method: the
//! table is bordered with minus its row totals, minus its column totals and its grand total, so
//! every line of the bordered table sums to zero. In units of a millionth (so the arithmetic is
//! exact), the cells with a fractional part form a bipartite graph in which every line with one
//! fractional cell has at least two; so a cycle of fractional cells exists, and moving its cells
//! alternately up and down by the same amount keeps every line sum until one of them becomes
//! whole. Repeating this ends with a whole table whose borders are the rounded totals. Of the
//! two directions each cycle may move in, the one that moves the grand total towards its nearest
//! whole number is taken (so it ends there: property 3), then the one that moves more of the
//! totals and cells towards their nearest whole numbers. Deterministic: no randomness, and ties
//! fall to the lowest indices.

/// Millionths of a unit: values are taken to this resolution before rounding.
const SCALE: i64 = 1_000_000;

/// Weights of the direction choice: the grand total first, then row and column totals, then
/// cells (a cycle of a bipartite graph holds each column at most once, so it is short).
const W_GRAND: i64 = 1 << 40;
const W_TOTAL: i64 = 1 << 20;
const W_CELL: i64 = 1;

/// Rounds `x` (row-major, `rows` x `cols`; negative or non-finite values count as 0) to whole
/// numbers with the properties in the module docs.
pub fn controlled_round(x: &[f64], rows: usize, cols: usize) -> Vec<u64> {
    let n = rows * cols;
    let q: Vec<i64> = (0..n)
        .map(|i| {
            let v = x.get(i).copied().unwrap_or(0.0);
            if v.is_finite() && v > 0.0 {
                // Saturates far above any count of pupils.
                (v * SCALE as f64).round().min(1e15) as i64
            } else {
                0
            }
        })
        .collect();
    let (nr, nc) = (rows + 1, cols + 1);
    let mut a = vec![0i64; nr * nc];
    for r in 0..rows {
        for c in 0..cols {
            let v = q[r * cols + c];
            a[r * nc + c] = v;
            a[r * nc + cols] -= v;
            a[rows * nc + c] -= v;
            a[rows * nc + cols] += v;
        }
    }
    let frac = |v: i64| v.rem_euclid(SCALE);
    // Nearest whole value of an entry, halves up (in whole units).
    let nearest_up = |v: i64| 2 * frac(v) >= SCALE;

    // Fractional entries by row and by column (lazily pruned when they become whole).
    let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); nr];
    let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); nc];
    for r in 0..nr {
        for c in 0..nc {
            if frac(a[r * nc + c]) != 0 {
                by_row[r].push(c);
                by_col[c].push(r);
            }
        }
    }
    let corner = rows * nc + cols;
    // Position of each vertex on the current walk (rows 0..nr, then columns).
    let mut pos = vec![usize::MAX; nr + nc];
    let mut start_row = 0;
    loop {
        // A row with a fractional entry left.
        while start_row < nr && !has_fraction(&mut by_row[start_row], |c| a[start_row * nc + c]) {
            start_row += 1;
        }
        if start_row == nr {
            break;
        }
        // Walk row -> column -> row ... along fractional entries until a vertex repeats.
        let mut walk: Vec<usize> = vec![start_row]; // vertex ids: row r = r, column c = nr + c
        let mut edges: Vec<usize> = Vec::new(); // entry index of the step into walk[i + 1]
        pos[start_row] = 0;
        let cycle_from = loop {
            let v = *walk.last().unwrap_or(&start_row);
            let came = edges.last().copied();
            let next = if v < nr {
                let r = v;
                pick(&mut by_row[r], |c| r * nc + c, &a, came).map(|e| (e, nr + e % nc))
            } else {
                let c = v - nr;
                pick(&mut by_col[c], |r| r * nc + c, &a, came).map(|e| (e, e / nc))
            };
            let Some((e, w)) = next else {
                // A line with a single fractional entry cannot happen with exact line sums;
                // should it, round that entry to nearest and carry on.
                if let Some(e) = came {
                    let up = nearest_up(a[e]);
                    a[e] += if up { SCALE - frac(a[e]) } else { -frac(a[e]) };
                }
                break None;
            };
            edges.push(e);
            if pos[w] != usize::MAX {
                break Some(pos[w]);
            }
            pos[w] = walk.len();
            walk.push(w);
        };
        for &v in &walk {
            pos[v] = usize::MAX;
        }
        let Some(from) = cycle_from else {
            continue;
        };
        let cycle = &edges[from..];
        // Entries alternate + and -: direction d moves + entries by d*step, - entries by -d*step.
        let mut best: Option<(i64, i64, i64)> = None; // (score, direction, step)
        for d in [1i64, -1] {
            let mut step = i64::MAX;
            let mut score = 0i64;
            for (k, &e) in cycle.iter().enumerate() {
                let s = if k % 2 == 0 { d } else { -d };
                let f = frac(a[e]);
                step = step.min(if s > 0 { SCALE - f } else { f });
                let w = if e == corner {
                    W_GRAND
                } else if e / nc == rows || e % nc == cols {
                    W_TOTAL
                } else {
                    W_CELL
                };
                score += if (s > 0) == nearest_up(a[e]) { w } else { -w };
            }
            if best.is_none_or(|b| score > b.0) {
                best = Some((score, d, step));
            }
        }
        let Some((_, d, step)) = best else {
            continue;
        };
        for (k, &e) in cycle.iter().enumerate() {
            let s = if k % 2 == 0 { d } else { -d };
            a[e] += s * step;
        }
    }
    (0..n)
        .map(|i| {
            let (r, c) = (i / cols, i % cols);
            (a[r * nc + c].div_euclid(SCALE)).max(0) as u64
        })
        .collect()
}

/// A fractional entry of a line other than `came`, scanning its list from the end and dropping
/// entries that have become whole on the way (so each is dropped once: a long column is not
/// scanned whole at every visit). `entry` maps a list item to its index in `a`.
fn pick(
    list: &mut Vec<usize>,
    entry: impl Fn(usize) -> usize,
    a: &[i64],
    came: Option<usize>,
) -> Option<usize> {
    let mut k = list.len();
    while k > 0 {
        k -= 1;
        let e = entry(list[k]);
        if a[e].rem_euclid(SCALE) == 0 {
            list.swap_remove(k);
        } else if Some(e) != came {
            return Some(e);
        }
    }
    None
}

fn has_fraction(list: &mut Vec<usize>, value: impl Fn(usize) -> i64) -> bool {
    list.retain(|&j| value(j).rem_euclid(SCALE) != 0);
    !list.is_empty()
}

/// Largest-remainder rounding of `x` (non-negative) to whole numbers summing to `total`, each
/// its value rounded down or up when `total` lies between the sums of those; ties fall to the
/// lowest index. Values are taken to a millionth first.
pub fn largest_remainder(x: &[f64], total: u64) -> Vec<u64> {
    let q: Vec<i64> = x
        .iter()
        .map(|&v| {
            if v.is_finite() && v > 0.0 {
                (v * SCALE as f64).round().min(1e15) as i64
            } else {
                0
            }
        })
        .collect();
    let mut out: Vec<u64> = q.iter().map(|v| (v / SCALE) as u64).collect();
    let floor_sum: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..q.len()).collect();
    order.sort_by(|&i, &j| (q[j] % SCALE).cmp(&(q[i] % SCALE)).then(i.cmp(&j)));
    let mut left = total.saturating_sub(floor_sum);
    // First the fractional entries by remainder, then (only if the total asks for more than
    // every value rounded up) whole ones in order.
    for &i in order.iter().chain(order.iter()) {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A value in millionths, as the rounding takes it.
    fn micro(x: f64) -> i64 {
        (x * SCALE as f64).round() as i64
    }

    /// True when `v` is `q` millionths rounded down or up.
    fn within(v: u64, q: i64) -> bool {
        let v = v as i64 * SCALE;
        v >= q - q.rem_euclid(SCALE) && v <= q + (SCALE - q.rem_euclid(SCALE)) % SCALE
    }

    fn nearest(q: i64) -> u64 {
        ((q + SCALE / 2) / SCALE) as u64
    }

    /// Hand-worked: three localities x two needs, each cell 0.4 or 0.6. Independent rounding
    /// gives 0 + 1 + 0 + 1 + 0 + 1 = 3 of 3.0 here but, for a table of six 0.4s, 0 of 2.4.
    #[test]
    fn hand_worked_table_of_small_cells_keeps_its_totals() {
        // Six cells of 0.4: total 2.4 -> 2; rows 0.8 -> 0 or 1; columns 1.2 -> 1 or 2.
        let z = controlled_round(&[0.4; 6], 3, 2);
        assert_eq!(z.iter().sum::<u64>(), 2, "{z:?}");
        for r in 0..3 {
            assert!(z[2 * r] + z[2 * r + 1] <= 1, "{z:?}");
        }
        for c in 0..2 {
            let col: u64 = (0..3).map(|r| z[2 * r + c]).sum();
            assert!((1..=2).contains(&col), "{z:?}");
        }
        // Bigger cells are preferred: 0.9 and 0.8 go up, 0.2 and 0.1 go down.
        let z = controlled_round(&[0.9, 0.1, 0.2, 0.8], 2, 2);
        assert_eq!(z, vec![1, 0, 0, 1]);
        // Whole cells never move.
        let z = controlled_round(&[3.0, 0.5, 0.0, 0.5], 2, 2);
        assert_eq!((z[0], z[2]), (3, 0));
        assert_eq!(z.iter().sum::<u64>(), 4);
    }

    /// Region scale (4,350 localities x 12 needs of small cells): every promised total kept.
    #[test]
    fn region_sized_table_keeps_its_totals() {
        let (rows, cols) = (4350, 12);
        let x: Vec<f64> = (0..rows * cols)
            .map(|i| ((i * 7919) % 1000) as f64 / 997.0)
            .collect();
        let z = controlled_round(&x, rows, cols);
        let q: Vec<i64> = x.iter().map(|v| micro(*v)).collect();
        assert_eq!(z.iter().sum::<u64>(), nearest(q.iter().sum()));
        for c in 0..cols {
            let real: i64 = (0..rows).map(|r| q[r * cols + c]).sum();
            let got: u64 = (0..rows).map(|r| z[r * cols + c]).sum();
            assert!(within(got, real), "col {c}");
        }
        for r in 0..rows {
            let real: i64 = (0..cols).map(|c| q[r * cols + c]).sum();
            let got: u64 = (0..cols).map(|c| z[r * cols + c]).sum();
            assert!(within(got, real), "row {r}");
        }
    }

    #[test]
    fn largest_remainder_hits_the_total() {
        assert_eq!(largest_remainder(&[0.5, 0.3, 0.2], 1), vec![1, 0, 0]);
        assert_eq!(largest_remainder(&[1.5, 0.7, 0.8], 3), vec![1, 1, 1]);
        assert_eq!(largest_remainder(&[0.0, 0.0], 0), vec![0, 0]);
        assert_eq!(largest_remainder(&[], 0), Vec::<u64>::new());
    }

    proptest! {
        #[test]
        fn every_promised_total_is_kept(
            rows in 1usize..60,
            cols in 1usize..13,
            seed in proptest::collection::vec(0u32..4000, 97),
        ) {
            // Mostly small cells (as specialist demand by locality x need is), some whole, some zero.
            let x: Vec<f64> = (0..rows * cols)
                .map(|i| {
                    let s = seed[i % seed.len()];
                    match s % 7 {
                        0 => 0.0,
                        1 => (s / 7) as f64,
                        _ => s as f64 / 997.0,
                    }
                })
                .collect();
            let z = controlled_round(&x, rows, cols);
            let q: Vec<i64> = x.iter().map(|v| micro(*v)).collect();
            for i in 0..rows * cols {
                prop_assert!(within(z[i], q[i]), "cell {} {} -> {}", i, x[i], z[i]);
            }
            for r in 0..rows {
                let real: i64 = (0..cols).map(|c| q[r * cols + c]).sum();
                let got: u64 = (0..cols).map(|c| z[r * cols + c]).sum();
                prop_assert!(within(got, real), "row {} {} -> {}", r, real, got);
            }
            for c in 0..cols {
                let real: i64 = (0..rows).map(|r| q[r * cols + c]).sum();
                let got: u64 = (0..rows).map(|r| z[r * cols + c]).sum();
                prop_assert!(within(got, real), "col {} {} -> {}", c, real, got);
            }
            prop_assert_eq!(z.iter().sum::<u64>(), nearest(q.iter().sum()));
            // Deterministic.
            prop_assert_eq!(controlled_round(&x, rows, cols), z);
        }

        #[test]
        fn largest_remainder_keeps_cells_within_one(
            xs in proptest::collection::vec(0.0f64..5.0, 1..20),
        ) {
            let q: Vec<i64> = xs.iter().map(|v| micro(*v)).collect();
            let total = nearest(q.iter().sum());
            let z = largest_remainder(&xs, total);
            prop_assert_eq!(z.iter().sum::<u64>(), total);
            for (v, q) in z.iter().zip(&q) {
                prop_assert!(within(*v, *q));
            }
        }
    }
}
