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

impl MeanCi {
    /// Whether the interval lies wholly above or wholly below zero.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
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
    conditional_effects(&levels, cells, m, confidence)
        .into_iter()
        .map(|(params, p, ci)| Effect {
            at: levels.describe(plan, p, &params),
            params,
            ci,
        })
        .collect()
}

/// `paired_effects` on the unit cube: (parameter, base point at its first level, interval).
fn conditional_effects(
    levels: &Levels,
    cells: &Cells,
    m: usize,
    confidence: f64,
) -> Vec<(Vec<usize>, usize, MeanCi)> {
    let mut out = Vec::new();
    for j in 0..levels.k() {
        let (lo, hi) = levels.ends(j);
        if lo == hi {
            continue;
        }
        for p in 0..levels.units.len() {
            if levels.at(p, j) != lo {
                continue;
            }
            let Some(q) = levels.find(p, &[(j, hi)]) else {
                continue;
            };
            let d = differences(cells, m, &[(q, 1.0), (p, -1.0)]);
            if let Some(ci) = mean_ci(&d, confidence) {
                out.push((vec![j], p, ci));
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
    interaction_contrasts(&levels, cells, m, confidence)
        .into_iter()
        .map(|(params, p, ci)| Effect {
            at: levels.describe(plan, p, &params),
            params,
            ci,
        })
        .collect()
}

/// `interactions` on the unit cube: (the pair, base point at both first levels, interval).
fn interaction_contrasts(
    levels: &Levels,
    cells: &Cells,
    m: usize,
    confidence: f64,
) -> Vec<(Vec<usize>, usize, MeanCi)> {
    let mut out = Vec::new();
    let k = levels.k();
    for j in 0..k {
        for l in j + 1..k {
            let ((j0, j1), (l0, l1)) = (levels.ends(j), levels.ends(l));
            if j0 == j1 || l0 == l1 {
                continue;
            }
            for p in 0..levels.units.len() {
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
                    out.push((vec![j, l], p, ci));
                }
            }
        }
    }
    out
}

/// The effect of moving one parameter from its first level to another, pooled over the
/// other parameters' values.
#[derive(Clone, Debug, PartialEq)]
pub struct MainEffect {
    pub param: usize,
    /// The level compared with the first, as the spec spells it ("escorted_convoys", "2").
    pub level: String,
    pub ci: MeanCi,
}

/// For each parameter and each of its levels after the first: per replicate r, the mean
/// over every combination of the other parameters of (value at that level minus value at
/// the first level), then a t interval over the replicates. Under common random numbers the
/// differences are paired (replicate r shares its seed across points); without them the
/// replicate number only blocks the runs, and the replicates' differences are still
/// independent and identically distributed, so the interval holds for either design (the
/// main effects of a full factorial, Montgomery 2017, ch. 5). Grids only.
pub fn main_effects(plan: &Plan, cells: &Cells, m: usize, confidence: f64) -> Vec<MainEffect> {
    let levels = Levels::of(plan);
    pooled_effects(&levels, cells, m, confidence)
        .into_iter()
        .map(|(j, p, ci)| MainEffect {
            param: j,
            level: plan.values(p)[j].to_string(),
            ci,
        })
        .collect()
}

/// `main_effects` on the unit cube: (parameter, a point at the level, interval).
fn pooled_effects(
    levels: &Levels,
    cells: &Cells,
    m: usize,
    confidence: f64,
) -> Vec<(usize, usize, MeanCi)> {
    let reps = cells.first().map_or(0, |c| c[m].len());
    let mut out = Vec::new();
    for j in 0..levels.k() {
        let values = levels.values(j);
        let Some((&first, rest)) = values.split_first() else {
            continue;
        };
        for &level in rest {
            // Every point at the first level, paired with its twin at `level`.
            let pairs: Vec<(usize, usize)> = (0..levels.units.len())
                .filter(|&p| levels.at(p, j) == first)
                .filter_map(|p| Some((levels.find(p, &[(j, level)])?, p)))
                .collect();
            let Some(&(example, _)) = pairs.first() else {
                continue;
            };
            let per_replicate: Vec<f64> = (0..reps)
                .filter_map(|r| {
                    let sum = pairs
                        .iter()
                        .map(|&(q, p)| Some(cells[q][m][r]? - cells[p][m][r]?))
                        .sum::<Option<f64>>()?;
                    Some(sum / pairs.len() as f64)
                })
                .collect();
            if let Some(ci) = mean_ci(&per_replicate, confidence) {
                out.push((j, example, ci));
            }
        }
    }
    out
}

/// How far a parameter's response bends away from a straight line: per replicate, the
/// level means (pooled over the other parameters) are fitted by least squares with
/// y = a + b t + c t^2, t the parameter's value scaled to [0, 1] over its range; `bend` is c
/// (in the outcome's units: the quadratic's rise over the range beyond the straight line;
/// the fitted curve at mid-range lies c/4 below the chord), `slope` the fitted b + c (the
/// chord's rise over the whole range). A straight-line response has a bend whose interval
/// holds zero; a tipping point bends it.
#[derive(Clone, Debug, PartialEq)]
pub struct Curvature {
    pub param: usize,
    pub slope: MeanCi,
    pub bend: MeanCi,
}

/// The bend of each numeric parameter with three levels or more (grids only).
pub fn curvature(plan: &Plan, cells: &Cells, m: usize, confidence: f64) -> Vec<Curvature> {
    let levels = Levels::of(plan);
    (0..plan.params.len())
        .filter_map(|j| {
            // The parameter's value at each of its levels, if every one is a number.
            let xs: Option<Vec<f64>> = levels
                .values(j)
                .iter()
                .map(|&u| {
                    let p = (0..plan.points()).find(|&p| levels.at(p, j) == u)?;
                    plan.values(p)[j].as_f64()
                })
                .collect();
            let (slope, bend) = quadratic_bend(&levels, j, &xs?, cells, m, confidence)?;
            Some(Curvature {
                param: j,
                slope,
                bend,
            })
        })
        .collect()
}

/// `curvature` for parameter `j` whose levels have the values `xs` (lowest level first).
fn quadratic_bend(
    levels: &Levels,
    j: usize,
    xs: &[f64],
    cells: &Cells,
    m: usize,
    confidence: f64,
) -> Option<(MeanCi, MeanCi)> {
    let units = levels.values(j);
    if units.len() < 3 || xs.len() != units.len() {
        return None;
    }
    let (x0, x1) = (xs[0], xs[xs.len() - 1]);
    if x1 == x0 {
        return None;
    }
    let ts: Vec<f64> = xs.iter().map(|x| (x - x0) / (x1 - x0)).collect();
    let at_level: Vec<Vec<usize>> = units
        .iter()
        .map(|&u| {
            (0..levels.units.len())
                .filter(|&p| levels.at(p, j) == u)
                .collect()
        })
        .collect();
    let reps = cells.first().map_or(0, |c| c[m].len());
    let (mut slopes, mut bends) = (Vec::new(), Vec::new());
    #[allow(clippy::needless_range_loop)] // r indexes the innermost level of cells[p][m][r]
    for r in 0..reps {
        let means: Option<Vec<f64>> = at_level
            .iter()
            .map(|ps| {
                let sum = ps.iter().map(|&p| cells[p][m][r]).sum::<Option<f64>>()?;
                Some(sum / ps.len() as f64)
            })
            .collect();
        let Some(means) = means else { continue };
        let Some([_, b, c]) = fit_quadratic(&ts, &means) else {
            continue;
        };
        slopes.push(b + c);
        bends.push(c);
    }
    Some((mean_ci(&slopes, confidence)?, mean_ci(&bends, confidence)?))
}

/// Least-squares coefficients [a, b, c] of y = a + b t + c t^2 (normal equations solved by
/// Cramer's rule; three distinct t at least).
fn fit_quadratic(t: &[f64], y: &[f64]) -> Option<[f64; 3]> {
    let mut s = [0.0; 5]; // sums of t^0..t^4
    let mut r = [0.0; 3]; // sums of y t^0..t^2
    for (&ti, &yi) in t.iter().zip(y) {
        let mut p = 1.0;
        for (k, sk) in s.iter_mut().enumerate() {
            *sk += p;
            if k < 3 {
                r[k] += yi * p;
            }
            p *= ti;
        }
    }
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let a = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]];
    let d = det3(a);
    if d.abs() < 1e-12 {
        return None;
    }
    let mut out = [0.0; 3];
    for (col, o) in out.iter_mut().enumerate() {
        let mut m = a;
        for row in 0..3 {
            m[row][col] = r[row];
        }
        *o = det3(m) / d;
    }
    Some(out)
}

/// The smallest true difference a two-sided test at `confidence` detects with probability
/// `power`, from `n` paired differences with standard deviation `sd`:
/// (t_{(1+c)/2, n-1} + t_{power, n-1}) sd / sqrt(n) (the usual normal-theory approximation,
/// e.g. Cohen 1988, with Student's t for small n). `None` for fewer than two replicates.
pub fn detectable_difference(sd: f64, n: usize, confidence: f64, power: f64) -> Option<f64> {
    (n >= 2).then(|| {
        let df = (n - 1) as f64;
        (t_quantile(0.5 + confidence / 2.0, df) + t_quantile(power, df)) * sd / (n as f64).sqrt()
    })
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

    fn k(&self) -> usize {
        self.units.first().map_or(0, Vec::len)
    }

    /// Parameter `j`'s distinct levels, lowest first.
    fn values(&self, j: usize) -> Vec<f64> {
        let mut v: Vec<f64> = self.units.iter().map(|u| u[j]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v
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

    /// A 2 x 3 x 2 grid on the unit cube with a known response y = 3a + 2ab (c plays no
    /// part), plus noise: a draw shared by every point of a replicate (common random
    /// numbers: it cancels in pairs) of sd ~3, and a small one of each run.
    fn known_grid(shared: bool) -> (Levels, Cells) {
        let unit = |x: u64| asymwar_model::engine::rng::mix(2025, x) as f64 / u64::MAX as f64 - 0.5;
        let mut units = Vec::new();
        for a in [0.0, 1.0] {
            for b in [0.0, 0.5, 1.0] {
                for c in [0.0, 1.0] {
                    units.push(vec![a, b, c]);
                }
            }
        }
        let reps = 20u64;
        let cells = units
            .iter()
            .enumerate()
            .map(|(p, u)| {
                let values = (0..reps)
                    .map(|r| {
                        let common = if shared { r } else { 1000 + 100 * p as u64 + r };
                        let noise = 10.0 * unit(common) + 0.2 * unit(50_000 + 100 * p as u64 + r);
                        Some(3.0 * u[0] + 2.0 * u[0] * u[1] + noise)
                    })
                    .collect();
                vec![values]
            })
            .collect();
        (Levels { units }, cells)
    }

    fn holds(ci: &MeanCi, truth: f64, width: f64) {
        assert!(
            ci.low <= truth && truth <= ci.high && ci.high - ci.low < width,
            "{truth} not in a tight interval: {ci:?}"
        );
    }

    /// The intervals' confidence in these tests: 26 intervals at 95% would miss the truth
    /// somewhere more often than not.
    const SURE: f64 = 0.999;

    #[test]
    fn paired_contrasts_recover_a_known_response() {
        let (levels, cells) = known_grid(true);
        // The effect of a (0 -> 1) is 3 + 2b at every c; b's (0 -> 1) is 2a; c's is 0.
        let effects = conditional_effects(&levels, &cells, 0, SURE);
        assert_eq!(effects.len(), 6 + 4 + 6);
        for (params, p, ci) in &effects {
            let u = &levels.units[*p];
            let truth = match params[0] {
                0 => 3.0 + 2.0 * u[1],
                1 => 2.0 * u[0],
                _ => 0.0,
            };
            holds(ci, truth, 0.5);
        }
        // The interaction a x b is 2 (b from 0 to 1); the other pairs have none.
        let contrasts = interaction_contrasts(&levels, &cells, 0, SURE);
        assert_eq!(contrasts.len(), 2 + 3 + 2); // (a, b) at each c, (a, c) at each b, (b, c) at each a
        for (params, _, ci) in &contrasts {
            let truth = if params == &[0, 1] { 2.0 } else { 0.0 };
            holds(ci, truth, 0.5);
        }
        // Pooled over the others: a's main effect 3 + 2 mean(b) = 4; b's levels 0.5 and 1
        // add 2 * 0.5 * mean(a) = 0.5 and 1; c none.
        let mains = pooled_effects(&levels, &cells, 0, SURE);
        let truths = [4.0, 0.5, 1.0, 0.0];
        assert_eq!(mains.len(), truths.len());
        for ((_, _, ci), truth) in mains.iter().zip(truths) {
            holds(ci, truth, 0.5);
        }
    }

    #[test]
    fn without_common_random_numbers_the_intervals_widen_but_still_hold() {
        let (levels, cells) = known_grid(false);
        let mains = pooled_effects(&levels, &cells, 0, SURE);
        for ((_, _, ci), truth) in mains.iter().zip([4.0, 0.5, 1.0, 0.0]) {
            holds(ci, truth, 12.0);
            assert!(
                ci.high - ci.low > 1.0,
                "independent noise must show: {ci:?}"
            );
        }
    }

    #[test]
    fn a_bend_is_found_in_a_curved_response_and_not_in_a_straight_one() {
        let unit = |x: u64| asymwar_model::engine::rng::mix(7, x) as f64 / u64::MAX as f64 - 0.5;
        // One parameter at 6 levels 0, 0.2, ..., 1 (values 10-20), 15 replicates with a
        // shared draw and a small own one.
        let units: Vec<Vec<f64>> = (0..6).map(|i| vec![f64::from(i) / 5.0]).collect();
        let xs: Vec<f64> = (0..6).map(|i| 10.0 + 2.0 * f64::from(i)).collect();
        let response = |f: &dyn Fn(f64) -> f64| -> Cells {
            units
                .iter()
                .enumerate()
                .map(|(p, u)| {
                    vec![
                        (0..15u64)
                            .map(|r| {
                                Some(
                                    f(u[0])
                                        + 5.0 * unit(r)
                                        + 0.05 * unit(100 * p as u64 + r + 1000),
                                )
                            })
                            .collect(),
                    ]
                })
                .collect()
        };
        let levels = Levels {
            units: units.clone(),
        };
        // y = 4 t^2: the chord rises by 4, the bend is 4.
        let curved = response(&|t| 4.0 * t * t);
        let (slope, bend) = quadratic_bend(&levels, 0, &xs, &curved, 0, SURE).unwrap();
        holds(&slope, 4.0, 0.2);
        holds(&bend, 4.0, 0.3);
        // y = 3 t: a straight line, no bend.
        let straight = response(&|t| 3.0 * t);
        let (slope, bend) = quadratic_bend(&levels, 0, &xs, &straight, 0, SURE).unwrap();
        holds(&slope, 3.0, 0.2);
        holds(&bend, 0.0, 0.3);
        // A step late in the range (a tipping point) bends the fit too, and two levels have none.
        let step = response(&|t| if t > 0.7 { 3.0 } else { 0.0 });
        let (_, bend) = quadratic_bend(&levels, 0, &xs, &step, 0, SURE).unwrap();
        assert!(bend.excludes_zero(), "{bend:?}");
        let two = Levels {
            units: vec![vec![0.0], vec![1.0]],
        };
        assert!(quadratic_bend(&two, 0, &[0.0, 1.0], &curved, 0, SURE).is_none());
    }

    #[test]
    fn the_detectable_difference_is_the_power_formula() {
        // (t_0.975,9 + t_0.8,9) / sqrt(10) = (2.2622 + 0.8834) / 3.1623.
        let d = detectable_difference(1.0, 10, 0.95, 0.8).unwrap();
        assert!((d - 0.994_74).abs() < 1e-4, "{d}");
        assert!(detectable_difference(1.0, 1, 0.95, 0.8).is_none());
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
