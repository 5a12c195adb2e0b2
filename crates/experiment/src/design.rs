//! Experiment designs on the unit hypercube: full factorial grids, Latin hypercubes,
//! Saltelli's scheme on a Sobol sequence, and Morris trajectories.
//!
//! A design here is a list of points in [0, 1]^k; the sweep spec maps each coordinate to
//! a parameter value (a range scaled, a list of values indexed). Keeping the designs free
//! of parameters means the analysis can rebuild the exact design from the spec alone, and
//! that the estimators can be tested on analytic functions (Ishigami) without the model.
//!
//! Every design is a pure function of its sizes and a seed: the same spec gives the same
//! points on every machine.

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Most Sobol points per dimension the generator supports (sobol_burley's limit).
pub const MAX_SOBOL_SAMPLES: u32 = 1 << 16;
/// Most dimensions of the Sobol generator; Saltelli's scheme uses two per parameter.
pub const MAX_SOBOL_DIMENSIONS: usize = sobol_burley::NUM_DIMENSIONS as usize;

fn rng(seed: u64, purpose: u64) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(asymwar_model::rng::mix(seed, purpose))
}

/// Every combination of the given levels, the last parameter changing fastest (the order
/// of nested loops over the parameters as listed).
pub fn grid(levels: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut points = vec![Vec::with_capacity(levels.len())];
    for dim in levels {
        points = points
            .into_iter()
            .flat_map(|p| {
                dim.iter().map(move |&u| {
                    let mut q = p.clone();
                    q.push(u);
                    q
                })
            })
            .collect();
    }
    points
}

/// `n` points in [0, 1)^k, one in each of the `n` equal strata of every dimension, placed
/// uniformly at random inside its stratum (McKay, Beckman & Conover 1979).
pub fn latin_hypercube(n: usize, k: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rng(seed, 0x1A7E);
    let mut points = vec![vec![0.0; k]; n];
    let mut strata: Vec<usize> = (0..n).collect();
    for d in 0..k {
        // Fisher-Yates with the seeded generator (not `SliceRandom`, whose algorithm may
        // change between rand versions and would silently change published designs).
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        for (p, &s) in points.iter_mut().zip(&strata) {
            p[d] = (s as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    points
}

/// The points of Saltelli's scheme for Sobol indices (Saltelli 2002; Saltelli et al. 2010):
/// base matrices A and B from the first and second k dimensions of an Owen-scrambled Sobol
/// sequence (Joe-Kuo direction numbers), and for each parameter i the matrix AB_i, which is
/// A with column i taken from B. With `second_order`, also BA_i, which is B with column i
/// taken from A: BA_i and AB_j share exactly columns i and j, which is what the
/// second-order estimator needs. Laid out row by row as SALib does: A_j, AB_1j, ..., AB_kj,
/// [BA_1j, ..., BA_kj,] B_j for j in 0..n, so n (k + 2) points, or n (2k + 2).
pub fn saltelli(n: u32, k: usize, second_order: bool, seed: u64) -> Vec<Vec<f64>> {
    assert!(n <= MAX_SOBOL_SAMPLES && 2 * k <= MAX_SOBOL_DIMENSIONS);
    // The scramble seed: each master seed gives an independent randomised QMC design.
    let scramble = asymwar_model::rng::mix(seed, 0x5A17) as u32;
    let stride = saltelli_stride(k, second_order);
    let mut points = Vec::with_capacity(n as usize * stride);
    for j in 0..n {
        let a: Vec<f64> = (0..k)
            .map(|d| f64::from(sobol_burley::sample(j, d as u32, scramble)))
            .collect();
        let b: Vec<f64> = (0..k)
            .map(|d| f64::from(sobol_burley::sample(j, (k + d) as u32, scramble)))
            .collect();
        points.push(a.clone());
        for i in 0..k {
            let mut ab = a.clone();
            ab[i] = b[i];
            points.push(ab);
        }
        if second_order {
            for i in 0..k {
                let mut ba = b.clone();
                ba[i] = a[i];
                points.push(ba);
            }
        }
        points.push(b);
    }
    points
}

/// Points per base row of a Saltelli design: k + 2, or 2k + 2 with the BA_i matrices.
pub fn saltelli_stride(k: usize, second_order: bool) -> usize {
    if second_order { 2 * k + 2 } else { k + 2 }
}

/// Where a point of a Saltelli design sits: row `j` of matrix A, B, AB_i or BA_i.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaltelliRole {
    A(usize),
    B(usize),
    /// (i, j): row j of AB_i.
    AB(usize, usize),
    /// (i, j): row j of BA_i (second-order designs only).
    BA(usize, usize),
}

/// The role of point `p` in a Saltelli design of `k` parameters.
pub fn saltelli_role(p: usize, k: usize, second_order: bool) -> SaltelliRole {
    let stride = saltelli_stride(k, second_order);
    let (j, r) = (p / stride, p % stride);
    match r {
        0 => SaltelliRole::A(j),
        r if r == stride - 1 => SaltelliRole::B(j),
        r if r <= k => SaltelliRole::AB(r - 1, j),
        r => SaltelliRole::BA(r - k - 1, j),
    }
}

/// The step of a Morris design with `levels` levels: p / (2 (p - 1)), so that every step
/// moves between two levels of the grid and the levels are visited with equal
/// probability (Morris 1991).
pub fn morris_delta(levels: u32) -> f64 {
    f64::from(levels) / (2.0 * f64::from(levels - 1))
}

/// `r` Morris trajectories of k + 1 points on a grid of `levels` levels in [0, 1]^k
/// (Morris 1991, in the form of Campolongo et al. 2007): a random base point, then one
/// parameter at a time, in random order, moved by +/- delta. Points of trajectory t are
/// t (k + 1) .. (t + 1)(k + 1).
pub fn morris(r: usize, k: usize, levels: u32, seed: u64) -> Vec<Vec<f64>> {
    assert!(levels >= 2 && levels.is_multiple_of(2));
    let mut rng = rng(seed, 0x3022);
    let step = 1.0 / f64::from(levels - 1);
    let delta = morris_delta(levels);
    // Base levels from which a step of +delta stays inside [0, 1].
    let base_levels = levels / 2;
    let mut points = Vec::with_capacity(r * (k + 1));
    for _ in 0..r {
        let base: Vec<f64> = (0..k)
            .map(|_| f64::from(rng.random_range(0..base_levels)) * step)
            .collect();
        let up: Vec<bool> = (0..k).map(|_| rng.random::<bool>()).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        // A factor that steps down starts one step up.
        let mut x: Vec<f64> = (0..k)
            .map(|d| if up[d] { base[d] } else { base[d] + delta })
            .collect();
        points.push(x.clone());
        for &d in &order {
            x[d] = if up[d] { base[d] + delta } else { base[d] };
            points.push(x.clone());
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_full_factorial_in_loop_order() {
        let g = grid(&[vec![0.0, 1.0], vec![0.1, 0.2, 0.3]]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![0.0, 0.1]);
        assert_eq!(g[1], vec![0.0, 0.2]);
        assert_eq!(g[3], vec![1.0, 0.1]);
        assert_eq!(grid(&[]), vec![Vec::<f64>::new()]);
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum() {
        let n = 37;
        let pts = latin_hypercube(n, 4, 9);
        for d in 0..4 {
            let mut seen = vec![false; n];
            for p in &pts {
                assert!((0.0..1.0).contains(&p[d]));
                let s = (p[d] * n as f64) as usize;
                assert!(!seen[s], "stratum {s} of dimension {d} has two points");
                seen[s] = true;
            }
        }
        assert_eq!(pts, latin_hypercube(n, 4, 9));
        assert_ne!(pts, latin_hypercube(n, 4, 10));
    }

    #[test]
    fn saltelli_rows_share_columns_as_the_scheme_says() {
        let (n, k) = (8, 3);
        let pts = saltelli(n, k, false, 1);
        assert_eq!(pts.len(), 8 * 5);
        for j in 0..n as usize {
            let a = &pts[j * (k + 2)];
            let b = &pts[j * (k + 2) + k + 1];
            assert_eq!(saltelli_role(j * (k + 2), k, false), SaltelliRole::A(j));
            assert_eq!(
                saltelli_role(j * (k + 2) + k + 1, k, false),
                SaltelliRole::B(j)
            );
            for i in 0..k {
                let p = j * (k + 2) + 1 + i;
                assert_eq!(saltelli_role(p, k, false), SaltelliRole::AB(i, j));
                for (d, &x) in pts[p].iter().enumerate() {
                    assert_eq!(x, if d == i { b[d] } else { a[d] });
                }
            }
        }
        // A Sobol sequence is balanced: 8 points put 4 in each half of every dimension.
        let a_rows = || pts.iter().step_by(k + 2).take(n as usize);
        for d in 0..k {
            let low = a_rows().filter(|row| row[d] < 0.5).count();
            assert_eq!(low, 4, "dimension {d}");
        }
    }

    #[test]
    fn a_second_order_saltelli_design_adds_ba_rows_and_keeps_the_others() {
        let (n, k) = (8, 3);
        let first = saltelli(n, k, false, 1);
        let pts = saltelli(n, k, true, 1);
        assert_eq!(pts.len(), 8 * (2 * 3 + 2));
        let stride = 2 * k + 2;
        for j in 0..n as usize {
            // A, the AB_i and B are the points of the first-order design.
            assert_eq!(
                pts[j * stride..j * stride + k + 1],
                first[j * (k + 2)..j * (k + 2) + k + 1]
            );
            assert_eq!(pts[j * stride + stride - 1], first[j * (k + 2) + k + 1]);
            let (a, b) = (&pts[j * stride], &pts[j * stride + stride - 1]);
            assert_eq!(
                saltelli_role(j * stride + stride - 1, k, true),
                SaltelliRole::B(j)
            );
            for i in 0..k {
                let p = j * stride + 1 + k + i;
                assert_eq!(saltelli_role(p, k, true), SaltelliRole::BA(i, j));
                assert_eq!(
                    saltelli_role(j * stride + 1 + i, k, true),
                    SaltelliRole::AB(i, j)
                );
                for (d, &x) in pts[p].iter().enumerate() {
                    assert_eq!(x, if d == i { a[d] } else { b[d] });
                }
            }
        }
    }

    #[test]
    fn morris_moves_one_factor_per_step_by_delta() {
        let (r, k, p) = (20, 5, 4);
        let pts = morris(r, k, p, 3);
        assert_eq!(pts.len(), r * (k + 1));
        let delta = morris_delta(p);
        for t in 0..r {
            let traj = &pts[t * (k + 1)..(t + 1) * (k + 1)];
            let mut moved = vec![false; k];
            for w in traj.windows(2) {
                let changed: Vec<usize> = (0..k).filter(|&d| w[0][d] != w[1][d]).collect();
                assert_eq!(changed.len(), 1);
                let d = changed[0];
                assert!(((w[1][d] - w[0][d]).abs() - delta).abs() < 1e-12);
                assert!(!moved[d], "factor {d} moved twice");
                moved[d] = true;
            }
            for x in traj.iter().flatten() {
                assert!((0.0..=1.0 + 1e-12).contains(x));
                // On the grid of p levels.
                let l = x * f64::from(p - 1);
                assert!((l - l.round()).abs() < 1e-9);
            }
        }
    }
}
