//! Analyses that fit the designs: replicate means with confidence intervals, how much of the
//! variance lies between design points rather than in replicate noise, and, for grids with
//! common random numbers, paired effects of each parameter and interaction contrasts (the
//! difference of two effects), each with a confidence interval over the replicates.
//!
//! Intervals are Student's t over replicates (paired differences for effects), at the
//! analysis' confidence level.

use crate::spec::Plan;
use crate::sweep::RunRecord;

/// Values by point, metric and replicate (`None`: missing or not finite).
pub type Cells = Vec<Vec<Vec<Option<f64>>>>;

/// Per point, metric and replicate, the run's value.
pub fn by_replicate(plan: &Plan, records: &[RunRecord]) -> Cells {
    let reps = plan.spec.replicates as usize;
    let mut out = vec![vec![vec![None; reps]; plan.metrics.len()]; plan.points()];
    for r in records {
        for (m, v) in r.metrics.iter().enumerate() {
            out[r.point as usize][m][r.replicate as usize] = *v;
        }
    }
    out
}

/// A mean with its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanCi {
    pub n: usize,
    pub mean: f64,
    pub sd: f64,
    pub low: f64,
    pub high: f64,
}

/// Mean of the values and its Student-t interval (none for fewer than two values).
pub fn mean_ci(values: &[f64], confidence: f64) -> Option<MeanCi> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let half = t_quantile(0.5 + confidence / 2.0, (n - 1) as f64) * sd / (n as f64).sqrt();
    Some(MeanCi {
        n,
        mean,
        sd,
        low: mean - half,
        high: mean + half,
    })
}

/// Share of the runs' variance (sum of squares about the grand mean) that lies between the
/// design points' means; the rest is replicate noise within points. `None` when a point
/// has no value or the metric does not vary.
pub fn between_share(cells: &Cells, m: usize) -> Option<f64> {
    let points: Vec<Vec<f64>> = cells
        .iter()
        .map(|c| c[m].iter().flatten().copied().collect())
        .collect();
    if points.iter().any(Vec::is_empty) {
        return None;
    }
    let all: Vec<f64> = points.iter().flatten().copied().collect();
    let grand = all.iter().sum::<f64>() / all.len() as f64;
    let total: f64 = all.iter().map(|x| (x - grand).powi(2)).sum();
    let between: f64 = points
        .iter()
        .map(|p| {
            let mean = p.iter().sum::<f64>() / p.len() as f64;
            p.len() as f64 * (mean - grand).powi(2)
        })
        .sum();
    (total > 0.0).then(|| between / total)
}

/// The effect of moving one parameter from its first to its last level, at one
/// combination of the others, over paired replicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Effect {
    /// The parameter(s): one for an effect, two for an interaction contrast.
    pub params: Vec<usize>,
    /// The other parameters' values, "path=value" joined by "; ".
    pub at: String,
    pub ci: MeanCi,
}

/// For each parameter with several levels and each combination of the other parameters'
/// values: replicate r's difference last level minus first level (paired: same seed under
/// common random numbers). Grids only: every combination must be a design point.
pub fn paired_effects(plan: &Plan, cells: &Cells, m: usize, confidence: f64) -> Vec<Effect> {
    let levels = Levels::of(plan);
    let mut out = Vec::new();
    for j in 0..plan.params.len() {
        let (lo, hi) = levels.ends(j);
        if lo == hi {
            continue;
        }
        for p in 0..plan.points() {
            if levels.at(p, j) != lo {
                continue;
            }
            let Some(q) = levels.find(p, &[(j, hi)]) else {
                continue;
            };
            let d = differences(cells, m, &[(q, 1.0), (p, -1.0)]);
            if let Some(ci) = mean_ci(&d, confidence) {
                out.push(Effect {
                    params: vec![j],
                    at: levels.describe(plan, p, &[j]),
                    ci,
                });
            }
        }
    }
    out
}

/// For each pair of parameters with several levels and each combination of the others:
/// replicate r's (effect of the first at the second's last level) minus (its effect at the
/// second's first level), paired over replicates.
pub fn interactions(plan: &Plan, cells: &Cells, m: usize, confidence: f64) -> Vec<Effect> {
    let levels = Levels::of(plan);
    let mut out = Vec::new();
    let k = plan.params.len();
    for j in 0..k {
        for l in j + 1..k {
            let ((j0, j1), (l0, l1)) = (levels.ends(j), levels.ends(l));
            if j0 == j1 || l0 == l1 {
                continue;
            }
            for p in 0..plan.points() {
                if levels.at(p, j) != j0 || levels.at(p, l) != l0 {
                    continue;
                }
                let (Some(p10), Some(p01), Some(p11)) = (
                    levels.find(p, &[(j, j1)]),
                    levels.find(p, &[(l, l1)]),
                    levels.find(p, &[(j, j1), (l, l1)]),
                ) else {
                    continue;
                };
                let d = differences(cells, m, &[(p11, 1.0), (p01, -1.0), (p10, -1.0), (p, 1.0)]);
                if let Some(ci) = mean_ci(&d, confidence) {
                    out.push(Effect {
                        params: vec![j, l],
                        at: levels.describe(plan, p, &[j, l]),
                        ci,
                    });
                }
            }
        }
    }
    out
}

/// Per replicate present at every point named: the weighted sum of their values.
fn differences(cells: &Cells, m: usize, terms: &[(usize, f64)]) -> Vec<f64> {
    let reps = cells[terms[0].0][m].len();
    (0..reps)
        .filter_map(|r| {
            terms
                .iter()
                .map(|&(p, w)| cells[p][m][r].map(|v| w * v))
                .sum::<Option<f64>>()
        })
        .collect()
}

/// Each point's level (its coordinate in the unit cube) of each parameter.
struct Levels {
    units: Vec<Vec<f64>>,
}

impl Levels {
    fn of(plan: &Plan) -> Self {
        Self {
            units: plan.units.clone(),
        }
    }

    fn at(&self, p: usize, j: usize) -> f64 {
        self.units[p][j]
    }

    /// The lowest and highest level of parameter `j` in the design.
    fn ends(&self, j: usize) -> (f64, f64) {
        self.units
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), u| {
                (lo.min(u[j]), hi.max(u[j]))
            })
    }

    /// The point equal to `p` but for the parameters set in `changes`.
    fn find(&self, p: usize, changes: &[(usize, f64)]) -> Option<usize> {
        let mut want = self.units[p].clone();
        for &(j, v) in changes {
            want[j] = v;
        }
        self.units.iter().position(|u| *u == want)
    }

    fn describe(&self, plan: &Plan, p: usize, except: &[usize]) -> String {
        plan.params
            .iter()
            .zip(plan.values(p))
            .enumerate()
            .filter(|(j, _)| !except.contains(j))
            .map(|(_, (param, v))| format!("{}={v}", param.path))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Partial rank correlation coefficient of each input with the output (Marino et al.
/// 2008): inputs and output are ranked; for input j, the ranks of x_j and of y are each
/// regressed on the ranks of the other inputs, and the PRCC is the correlation of the two
/// residuals. `x[p][j]` is input j at point p, `y[p]` the output there. `None` for an input
/// whose residuals do not vary.
pub fn prcc(x: &[Vec<f64>], y: &[f64]) -> Vec<Option<f64>> {
    let n = y.len();
    let k = x.first().map_or(0, Vec::len);
    let ranked: Vec<Vec<f64>> = (0..k)
        .map(|j| ranks(&x.iter().map(|r| r[j]).collect::<Vec<_>>()))
        .collect();
    let ry = ranks(y);
    (0..k)
        .map(|j| {
            let others: Vec<&Vec<f64>> = (0..k).filter(|&l| l != j).map(|l| &ranked[l]).collect();
            let ex = residuals(&ranked[j], &others, n)?;
            let ey = residuals(&ry, &others, n)?;
            correlation(&ex, &ey)
        })
        .collect()
}

/// Ranks 1..n, ties given their mean rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            out[o] = rank;
        }
        i = j + 1;
    }
    out
}

/// Residuals of the least-squares fit of `t` on an intercept and the columns `cols`
/// (normal equations, Gaussian elimination with partial pivoting).
fn residuals(t: &[f64], cols: &[&Vec<f64>], n: usize) -> Option<Vec<f64>> {
    let m = cols.len() + 1;
    let col = |c: usize, i: usize| if c == 0 { 1.0 } else { cols[c - 1][i] };
    let mut a = vec![vec![0.0; m + 1]; m];
    for (r, row) in a.iter_mut().enumerate() {
        for (c, v) in row.iter_mut().take(m).enumerate() {
            *v = (0..n).map(|i| col(r, i) * col(c, i)).sum();
        }
        row[m] = (0..n).map(|i| col(r, i) * t[i]).sum();
    }
    for c in 0..m {
        let pivot = (c..m).max_by(|&p, &q| a[p][c].abs().total_cmp(&a[q][c].abs()))?;
        if a[pivot][c].abs() < 1e-12 {
            return None;
        }
        a.swap(c, pivot);
        for r in 0..m {
            if r != c {
                let f = a[r][c] / a[c][c];
                let pivot_row = a[c].clone();
                for (v, p) in a[r].iter_mut().zip(&pivot_row) {
                    *v -= f * p;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..m).map(|c| a[c][m] / a[c][c]).collect();
    Some(
        (0..n)
            .map(|i| t[i] - (0..m).map(|c| beta[c] * col(c, i)).sum::<f64>())
            .collect(),
    )
}

fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    (saa > 1e-12 && sbb > 1e-12).then(|| sab / (saa * sbb).sqrt())
}

/// The `p` quantile of Student's t with `df` degrees of freedom (bisection on the
/// distribution function; accurate to about 1e-10).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T <= t) for Student's t with `df` degrees of freedom, t >= 0.
fn t_cdf(t: f64, df: f64) -> f64 {
    1.0 - 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// The regularised incomplete beta function I_x(a, b) (continued fraction, Numerical
/// Recipes 6.4).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = 1.0 / if d.abs() < TINY { TINY } else { d };
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            d = 1.0 / if d.abs() < TINY { TINY } else { d };
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Gamma(x) for x > 0 (Lanczos, g = 7, nine coefficients).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let s: f64 = C[0]
        + C[1..]
            .iter()
            .enumerate()
            .map(|(i, c)| c / (x + i as f64 + 1.0))
            .sum::<f64>();
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_the_tables() {
        for (p, df, want) in [
            (0.975, 1.0, 12.706_204_736),
            (0.975, 4.0, 2.776_445_105),
            (0.975, 9.0, 2.262_157_163),
            (0.95, 29.0, 1.699_127_027),
            (0.995, 4.0, 4.604_094_871),
        ] {
            let got = t_quantile(p, df);
            assert!(
                (got - want).abs() < 1e-6,
                "t({p}, {df}) = {got}, want {want}"
            );
        }
        assert!((t_quantile(0.025, 9.0) + 2.262_157_163).abs() < 1e-6);
    }

    #[test]
    fn mean_ci_is_the_t_interval() {
        let ci = mean_ci(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95).unwrap();
        assert_eq!((ci.n, ci.mean), (5, 3.0));
        let half = 2.776_445_105 * (2.5f64).sqrt() / 5f64.sqrt();
        assert!((ci.high - 3.0 - half).abs() < 1e-6 && (3.0 - ci.low - half).abs() < 1e-6);
        assert!(mean_ci(&[1.0], 0.95).is_none());
    }

    #[test]
    fn prcc_ranks_a_monotone_input_first_and_finds_a_dead_one() {
        // y = x0^3 + 0.2 x1 + noise-free; x2 plays no part.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for p in 0..50u32 {
            let a = f64::from((p * 17) % 50) / 50.0;
            let b = f64::from((p * 31) % 50) / 50.0;
            let c = f64::from((p * 7) % 50) / 50.0;
            x.push(vec![a, b, c]);
            y.push(a.powi(3) + 0.2 * b);
        }
        let r = prcc(&x, &y);
        let (r0, r1, r2) = (r[0].unwrap(), r[1].unwrap(), r[2].unwrap());
        assert!(r0 > 0.9, "{r:?}");
        assert!(r1 > 0.3 && r1 < r0, "{r:?}");
        assert!(r2.abs() < 0.2, "{r:?}");
        // A decreasing effect is a negative coefficient.
        let neg: Vec<f64> = y.iter().map(|v| -v).collect();
        assert!(prcc(&x, &neg)[0].unwrap() < -0.9);
    }

    #[test]
    fn between_share_separates_points_from_noise() {
        // Two points, replicates identical within each: all variance is between points.
        let cells: Cells = vec![
            vec![vec![Some(1.0), Some(1.0)]],
            vec![vec![Some(3.0), Some(3.0)]],
        ];
        assert_eq!(between_share(&cells, 0), Some(1.0));
        // Same means, noise only: none between.
        let noise: Cells = vec![
            vec![vec![Some(1.0), Some(3.0)]],
            vec![vec![Some(3.0), Some(1.0)]],
        ];
        assert_eq!(between_share(&noise, 0), Some(0.0));
    }
}
