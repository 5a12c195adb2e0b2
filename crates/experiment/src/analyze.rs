//! Analysis of a finished sweep: Sobol indices (first order and total, with bootstrap
//! confidence intervals), Morris elementary effects (mu, mu*, sigma), and for grids and
//! Latin hypercubes a table of means and standard deviations per design point.
//!
//! The model is stochastic: a design point's output is the mean of its replicates. The
//! indices describe how that mean depends on the parameters; the replicate noise shows up
//! as variance no parameter explains (first-order indices summing well below 1).

use crate::contrasts;
use crate::design::{SaltelliRole, saltelli_role, saltelli_stride};
use crate::spec::{DesignSpec, Plan};
use crate::sweep::{JOURNAL_FILE, RunRecord, check_records, open_dir, read_journal};
use crate::table::{Column, Table};
use crate::write::write_atomic;
use anyhow::{Result, bail};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// First-order and total Sobol indices of one parameter, with bootstrap intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_interval: (f64, f64),
    pub st: f64,
    pub st_interval: (f64, f64),
}

fn mean(x: impl ExactSizeIterator<Item = f64>) -> f64 {
    let n = x.len() as f64;
    x.sum::<f64>() / n
}

/// A second-order Sobol index S_ij (i < j) with its bootstrap interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SecondOrderIndex {
    pub i: usize,
    pub j: usize,
    pub s2: f64,
    pub interval: (f64, f64),
}

/// Every index a Saltelli design gives: first-order and total for each parameter, and
/// for a second-order design S_ij for each pair (i < j, in the order (0,1), (0,2), ...).
#[derive(Clone, Debug, PartialEq)]
pub struct SobolIndices {
    /// Base rows used (N, or fewer for a convergence check).
    pub n: usize,
    pub first: Vec<SobolIndex>,
    pub second: Vec<SecondOrderIndex>,
}

/// The outputs of a Saltelli design sorted by matrix: f(A), f(B), f(AB_i), f(BA_i).
struct Matrices {
    fa: Vec<f64>,
    fb: Vec<f64>,
    fab: Vec<Vec<f64>>,
    /// Empty for a first-order design.
    fba: Vec<Vec<f64>>,
}

impl Matrices {
    fn of(y: &[f64], k: usize, second_order: bool) -> Matrices {
        let n = y.len() / saltelli_stride(k, second_order);
        let mut m = Matrices {
            fa: vec![0.0; n],
            fb: vec![0.0; n],
            fab: vec![vec![0.0; n]; k],
            fba: vec![vec![0.0; n]; if second_order { k } else { 0 }],
        };
        for (p, &v) in y.iter().enumerate() {
            match saltelli_role(p, k, second_order) {
                SaltelliRole::A(j) => m.fa[j] = v,
                SaltelliRole::B(j) => m.fb[j] = v,
                SaltelliRole::AB(i, j) => m.fab[i][j] = v,
                SaltelliRole::BA(i, j) => m.fba[i][j] = v,
            }
        }
        m
    }
}

/// The pairs (i, j), i < j, of `k` parameters, in the order of [`SobolIndices::second`].
fn pairs(k: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..k).flat_map(move |i| (i + 1..k).map(move |j| (i, j)))
}

/// Point estimates over the base rows `rows` (with repeats, for the bootstrap): S1, ST,
/// and (second-order designs) S_ij in the order of [`pairs`].
fn sobol_estimate(m: &Matrices, rows: &[usize]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let (fa, fb) = (&m.fa, &m.fb);
    // Var(Y) over A and B together, as SALib does.
    let n2 = (2 * rows.len()) as f64;
    let mean_y = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / n2;
    let var = rows
        .iter()
        .map(|&j| (fa[j] - mean_y).powi(2) + (fb[j] - mean_y).powi(2))
        .sum::<f64>()
        / n2;
    let mut s1 = Vec::with_capacity(m.fab.len());
    let mut st = Vec::with_capacity(m.fab.len());
    for abi in &m.fab {
        // Saltelli et al. (2010), eq. (b) of table 2, and Jansen's total effect estimator.
        let first = mean(rows.iter().map(|&j| fb[j] * (abi[j] - fa[j]))) / var;
        let total = 0.5 * mean(rows.iter().map(|&j| (fa[j] - abi[j]).powi(2))) / var;
        s1.push(first);
        st.push(total);
    }
    let mut s2 = Vec::new();
    if !m.fba.is_empty() {
        for (i, j) in pairs(m.fab.len()) {
            // Saltelli (2002), as SALib computes it: BA_i and AB_j share columns i and j
            // and nothing else, so the mean of f(BA_i) f(AB_j) less E[Y]^2 (estimated by
            // f(A) f(B), which share nothing) is V(E[Y | x_i, x_j]) = V_i + V_j + V_ij.
            let closed = mean(
                rows.iter()
                    .map(|&r| m.fba[i][r] * m.fab[j][r] - fa[r] * fb[r]),
            ) / var;
            s2.push(closed - s1[i] - s1[j]);
        }
    }
    (s1, st, s2)
}

/// The `q`-quantile of sorted values (linear interpolation between order statistics).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Sobol indices from outputs `y` of a first-order Saltelli design of `k` parameters (see
/// [`crate::design::saltelli`]), with percentile intervals from `bootstrap` resamples of
/// the base rows at level `confidence`. `None` when the output does not vary.
pub fn sobol_indices(
    y: &[f64],
    k: usize,
    bootstrap: usize,
    confidence: f64,
    seed: u64,
) -> Option<Vec<SobolIndex>> {
    let n = y.len() / (k + 2);
    sobol_analysis(y, k, false, n, bootstrap, confidence, seed).map(|s| s.first)
}

/// Every index of outputs `y` of a Saltelli design of `k` parameters (second-order or
/// not), from its first `n` base rows only (a convergence check uses N/4 and N/2; the
/// first 2^m points of a Sobol sequence are balanced on their own), with percentile
/// intervals from `bootstrap` resamples of those rows at level `confidence`. The
/// resamples are drawn from `seed` alone, so the indices at n = N are the same whether or
/// not smaller n were computed. `None` when the output does not vary.
pub fn sobol_analysis(
    y: &[f64],
    k: usize,
    second_order: bool,
    n: usize,
    bootstrap: usize,
    confidence: f64,
    seed: u64,
) -> Option<SobolIndices> {
    let m = Matrices::of(y, k, second_order);
    assert!(n <= m.fa.len(), "{n} base rows of {}", m.fa.len());
    let rows: Vec<usize> = (0..n).collect();
    let (s1, st, s2) = sobol_estimate(&m, &rows);
    if s1.iter().chain(&st).chain(&s2).any(|x| !x.is_finite()) {
        return None;
    }
    let mut rng = Pcg64Mcg::seed_from_u64(asymwar_model::rng::mix(seed, 0xB007));
    let mut boot_s1 = vec![Vec::with_capacity(bootstrap); k];
    let mut boot_st = vec![Vec::with_capacity(bootstrap); k];
    let mut boot_s2 = vec![Vec::with_capacity(bootstrap); s2.len()];
    let mut sample = vec![0; n];
    for _ in 0..bootstrap {
        for s in sample.iter_mut() {
            *s = rng.random_range(0..n);
        }
        let (b1, bt, b2) = sobol_estimate(&m, &sample);
        for i in 0..k {
            // A resample with no spread has no indices; it says nothing about the interval.
            if b1[i].is_finite() && bt[i].is_finite() {
                boot_s1[i].push(b1[i]);
                boot_st[i].push(bt[i]);
            }
        }
        for (b, v) in boot_s2.iter_mut().zip(b2) {
            if v.is_finite() {
                b.push(v);
            }
        }
    }
    let (lo_q, hi_q) = ((1.0 - confidence) / 2.0, (1.0 + confidence) / 2.0);
    let interval = |v: &mut Vec<f64>, point: f64| {
        if v.is_empty() {
            return (point, point);
        }
        v.sort_by(f64::total_cmp);
        (quantile(v, lo_q), quantile(v, hi_q))
    };
    Some(SobolIndices {
        n,
        first: (0..k)
            .map(|i| SobolIndex {
                s1: s1[i],
                s1_interval: interval(&mut boot_s1[i], s1[i]),
                st: st[i],
                st_interval: interval(&mut boot_st[i], st[i]),
            })
            .collect(),
        second: pairs(k)
            .zip(s2.iter().zip(&mut boot_s2))
            .map(|((i, j), (&v, b))| SecondOrderIndex {
                i,
                j,
                s2: v,
                interval: interval(b, v),
            })
            .collect(),
    })
}

/// The base-row counts of a convergence check on N base rows: N/4, N/2 and N (those of at
/// least two rows, without repeats).
pub fn convergence_sizes(n: usize) -> Vec<usize> {
    let mut sizes: Vec<usize> = [n / 4, n / 2, n].into_iter().filter(|&s| s >= 2).collect();
    sizes.dedup();
    sizes
}

/// Morris statistics of one parameter's elementary effects, in output units per unit of
/// the parameter's normalised range (as SALib reports them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisEffect {
    pub mu: f64,
    /// Mean absolute effect: the importance ranking (Campolongo et al. 2007).
    pub mu_star: f64,
    /// Standard deviation of the effects: interactions and non-linearity.
    pub sigma: f64,
}

/// Morris statistics from outputs `y` at the points `units` of `k`-parameter trajectories
/// (see [`crate::design::morris`]).
pub fn morris_effects(units: &[Vec<f64>], y: &[f64], k: usize) -> Vec<MorrisEffect> {
    let mut effects = vec![Vec::new(); k];
    for t in 0..units.len() / (k + 1) {
        for s in t * (k + 1)..(t + 1) * (k + 1) - 1 {
            let (a, b) = (&units[s], &units[s + 1]);
            if let Some(d) = (0..k).find(|&d| a[d] != b[d]) {
                effects[d].push((y[s + 1] - y[s]) / (b[d] - a[d]));
            }
        }
    }
    effects
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            MorrisEffect { mu, mu_star, sigma }
        })
        .collect()
}

/// Mean, sample standard deviation and count of the values present.
fn moments(values: &[Option<f64>]) -> (usize, Option<f64>, Option<f64>) {
    let v: Vec<f64> = values.iter().flatten().copied().collect();
    let n = v.len();
    if n == 0 {
        return (0, None, None);
    }
    let m = v.iter().sum::<f64>() / n as f64;
    let sd =
        (n > 1).then(|| (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt());
    (n, Some(m), sd)
}

/// What `analyze` found: the tables written and a text report.
#[derive(Clone, Debug)]
pub struct Analysis {
    pub report: String,
    pub outputs: Vec<PathBuf>,
    pub findings: Findings,
}

/// The numbers behind the figures, by metric, as plain data (the binary hands them to
/// asymwar-viz: this crate draws nothing).
#[derive(Clone, Debug, Default)]
pub struct Findings {
    /// "smoke: Grid design, 12 points x 3 replicates = 36 runs", to caption figures.
    pub design: String,
    /// The varied parameters' paths, which the indices below refer to by position.
    pub params: Vec<String>,
    pub confidence: f64,
    pub sobol: Vec<(String, Vec<SobolIndex>)>,
    pub morris: Vec<(String, Vec<MorrisEffect>)>,
    pub effects: Vec<(String, Vec<contrasts::Effect>)>,
    pub interactions: Vec<(String, Vec<contrasts::Effect>)>,
    /// Grids: each parameter's levels against its first, pooled over the others.
    pub mains: Vec<(String, Vec<contrasts::MainEffect>)>,
    /// Grids: (metric, comparison, standard deviation of one replicate's difference,
    /// smallest difference detectable at `POWER`).
    pub detectable: Vec<(String, String, f64, Option<f64>)>,
    /// Grids: the bend of each numeric parameter's response (three levels or more).
    pub curvature: Vec<(String, Vec<contrasts::Curvature>)>,
    /// Designs with replicates: each metric's share of variance between design points.
    pub between: Vec<(String, Option<f64>)>,
}

/// Per point and metric: the replicates' values.
fn by_point(plan: &Plan, records: &[RunRecord]) -> Vec<Vec<Vec<Option<f64>>>> {
    let mut out = vec![vec![Vec::new(); plan.metrics.len()]; plan.points()];
    for r in records {
        for (m, v) in r.metrics.iter().enumerate() {
            out[r.point as usize][m].push(*v);
        }
    }
    out
}

fn fmt(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// The plan and every run of the finished sweep in `dir` (a whole sweep, or merged shards):
/// an error naming the directory when runs are missing.
pub fn whole_sweep(dir: &Path) -> Result<(Plan, Vec<RunRecord>)> {
    let (plan, manifest) = open_dir(dir)?;
    let journal = dir.join(JOURNAL_FILE);
    let (records, _) = read_journal(&journal)?;
    check_records(&plan, manifest.shard, &records, &journal)?;
    if records.len() as u64 != plan.runs() {
        bail!(
            "{}: {} of {} runs are here{}: analyse a whole sweep (finish it with --resume, or merge its shards)",
            dir.display(),
            records.len(),
            plan.runs(),
            if manifest.shard.count > 1 {
                format!(" (shard {})", manifest.shard)
            } else {
                String::new()
            }
        );
    }
    Ok((plan, records))
}

/// Analyses the sweep in `dir` and writes `sobol.csv`, `morris.csv` or `points.csv` there.
pub fn analyze(dir: &Path, bootstrap: usize, confidence: f64) -> Result<Analysis> {
    if !(0.0 < confidence && confidence < 1.0) {
        bail!("the confidence level must lie strictly between 0 and 1, got {confidence}");
    }
    let (plan, records) = whole_sweep(dir)?;
    let cells = by_point(&plan, &records);
    let k = plan.params.len();
    let mut report = String::new();
    let mut outputs = Vec::new();
    let mut findings = Findings {
        design: format!(
            "{}: {} design, {} points x {} replicates = {} runs",
            plan.spec.name,
            plan.spec.design.name(),
            plan.points(),
            plan.spec.replicates,
            plan.runs()
        ),
        params: plan.params.iter().map(|p| p.path.clone()).collect(),
        confidence,
        ..Findings::default()
    };
    writeln!(report, "{}", findings.design)?;
    // Replicate means per point, for the indices; a metric missing anywhere is skipped.
    let point_means = |m: usize| -> Option<Vec<f64>> {
        cells
            .iter()
            .map(|c| {
                moments(&c[m])
                    .1
                    .filter(|_| c[m].iter().all(Option::is_some))
            })
            .collect()
    };
    let mut table = Table::default();
    match plan.spec.design {
        DesignSpec::Sobol { second_order, .. } => {
            let ys: Vec<Option<Vec<f64>>> = (0..plan.metrics.len()).map(point_means).collect();
            sobol_outputs(
                dir,
                &plan,
                &ys,
                second_order,
                bootstrap,
                confidence,
                &mut report,
                &mut outputs,
                &mut findings,
            )?;
        }
        DesignSpec::Morris { .. } => {
            let (mut metric, mut param) = (Vec::new(), Vec::new());
            let mut cols: [Vec<Option<f64>>; 3] = Default::default();
            writeln!(
                report,
                "Morris elementary effects (per unit of each parameter's normalised range):"
            )?;
            for (m, name) in plan.metrics.iter().enumerate() {
                let Some(y) = point_means(m) else {
                    writeln!(report, "\n{name}: not analysed (missing in some runs)")?;
                    continue;
                };
                let effects = morris_effects(&plan.units, &y, k);
                writeln!(report, "\n{name}")?;
                writeln!(
                    report,
                    "  {:<36} {:>11} {:>11} {:>11}",
                    "parameter", "mu*", "mu", "sigma"
                )?;
                let mut order: Vec<usize> = (0..k).collect();
                order.sort_by(|&a, &b| effects[b].mu_star.total_cmp(&effects[a].mu_star));
                for i in order {
                    let e = effects[i];
                    writeln!(
                        report,
                        "  {:<36} {:>11} {:>11} {:>11}",
                        plan.params[i].path,
                        fmt(e.mu_star),
                        fmt(e.mu),
                        fmt(e.sigma)
                    )?;
                }
                findings.morris.push((name.clone(), effects.clone()));
                for (p, e) in plan.params.iter().zip(&effects) {
                    metric.push(name.clone());
                    param.push(p.path.clone());
                    for (c, v) in cols.iter_mut().zip([e.mu_star, e.mu, e.sigma]) {
                        c.push(Some(v));
                    }
                }
            }
            table.push("metric", Column::Text(metric));
            table.push("parameter", Column::Text(param));
            for (name, c) in ["mu_star", "mu", "sigma"].into_iter().zip(cols) {
                table.push(name, Column::Float(c));
            }
            let path = dir.join("morris.csv");
            write_atomic(&path, &table.to_csv()?)?;
            outputs.push(path);
        }
        DesignSpec::Grid | DesignSpec::LatinHypercube { .. } => {
            // Tidy: one row per point and metric, ready for plotting.
            let mut point = Vec::new();
            let mut values: Vec<Vec<String>> = vec![Vec::new(); k];
            let (mut metric, mut count, mut means, mut sds) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut lows, mut highs) = (Vec::new(), Vec::new());
            for (p, cell) in cells.iter().enumerate() {
                let vals = plan.values(p);
                for (m, name) in plan.metrics.iter().enumerate() {
                    let (n, mean, sd) = moments(&cell[m]);
                    let present: Vec<f64> = cell[m].iter().flatten().copied().collect();
                    let ci = contrasts::mean_ci(&present, confidence);
                    lows.push(ci.map(|c| c.low));
                    highs.push(ci.map(|c| c.high));
                    point.push(p as i64);
                    for (col, v) in values.iter_mut().zip(&vals) {
                        col.push(v.to_string());
                    }
                    metric.push(name.clone());
                    count.push(n as i64);
                    means.push(mean);
                    sds.push(sd);
                }
            }
            const SHOWN: usize = 40;
            writeln!(
                report,
                "Mean and standard deviation over replicates, per design point{}:",
                if plan.points() > SHOWN {
                    format!(
                        " (the first {SHOWN} of {}; all in points.csv)",
                        plan.points()
                    )
                } else {
                    String::new()
                }
            )?;
            let nm = plan.metrics.len();
            let widths: Vec<usize> = plan
                .params
                .iter()
                .zip(&values)
                .map(|(p, col)| {
                    col.iter()
                        .map(String::len)
                        .chain([p.path.len()])
                        .max()
                        .unwrap_or(0)
                        + 2
                })
                .collect();
            for (m, name) in plan.metrics.iter().enumerate() {
                writeln!(report, "\n{name}")?;
                writeln!(
                    report,
                    "  {:>5}{}  {:>11} {:>11} {:>3}",
                    "point",
                    plan.params
                        .iter()
                        .zip(&widths)
                        .map(|(p, w)| format!("{:>w$}", p.path))
                        .collect::<String>(),
                    "mean",
                    "sd",
                    "n"
                )?;
                for p in 0..plan.points().min(SHOWN) {
                    let row = p * nm + m;
                    writeln!(
                        report,
                        "  {:>5}{}  {:>11} {:>11} {:>3}",
                        p,
                        values
                            .iter()
                            .zip(&widths)
                            .map(|(c, w)| format!("{:>w$}", c[row]))
                            .collect::<String>(),
                        means[row].map(fmt).unwrap_or("-".into()),
                        sds[row].map(fmt).unwrap_or("-".into()),
                        count[row]
                    )?;
                }
            }
            table.push("point", Column::Int(point));
            for (p, col) in plan.params.iter().zip(values) {
                table.push(p.path.clone(), Column::Text(col));
            }
            table.push("metric", Column::Text(metric));
            table.push("n", Column::Int(count));
            table.push("mean", Column::Float(means));
            table.push("sd", Column::Float(sds));
            table.push("ci_low", Column::Float(lows));
            table.push("ci_high", Column::Float(highs));
            let path = dir.join("points.csv");
            write_atomic(&path, &table.to_csv()?)?;
            outputs.push(path);
        }
    }
    designed_contrasts(
        dir,
        &plan,
        &records,
        confidence,
        &mut report,
        &mut outputs,
        &mut findings,
    )?;
    if matches!(plan.spec.design, DesignSpec::LatinHypercube { .. }) {
        partial_rank_correlations(dir, &plan, &records, &mut report, &mut outputs)?;
    }
    Ok(Analysis {
        report,
        outputs,
        findings,
    })
}

/// One line of the convergence summary: the largest change of an index between the two
/// largest sizes, or "-" when there is only one size.
fn largest_change(changes: impl Iterator<Item = (f64, String)>) -> Option<(f64, String)> {
    changes.fold(None, |best: Option<(f64, String)>, (d, what)| match best {
        Some((b, _)) if b >= d => best,
        _ => Some((d, what)),
    })
}

/// For Sobol designs: first-order and total indices (`sobol.csv`), second-order indices
/// when the design has the BA_i matrices (`sobol2.csv`), and every index recomputed on
/// the first N/4, N/2 and N base rows (`sobol_convergence.csv`), with a printed table and
/// the largest change between N/2 and N.
#[allow(clippy::too_many_arguments)]
fn sobol_outputs(
    dir: &Path,
    plan: &Plan,
    ys: &[Option<Vec<f64>>],
    second_order: bool,
    bootstrap: usize,
    confidence: f64,
    report: &mut String,
    outputs: &mut Vec<PathBuf>,
    findings: &mut Findings,
) -> Result<()> {
    let k = plan.params.len();
    let seed = plan.spec.master_seed;
    let n = plan.points() / saltelli_stride(k, second_order);
    let sizes = convergence_sizes(n);
    let name_of = |i: usize| plan.params[i].path.as_str();
    let (mut metric, mut param) = (Vec::new(), Vec::new());
    let mut cols: [Vec<Option<f64>>; 6] = Default::default();
    // sobol2.csv's columns: metric, the pair, then s2 and its interval.
    let (mut s2_metric, mut s2_i, mut s2_j) = (Vec::new(), Vec::new(), Vec::new());
    let mut s2_nums: [Vec<Option<f64>>; 3] = Default::default();
    let mut conv: (Vec<String>, Vec<String>, Vec<&str>, Vec<i64>) = Default::default();
    let mut conv_nums: [Vec<Option<f64>>; 3] = Default::default();
    writeln!(
        report,
        "Sobol indices, {:.0}% bootstrap intervals ({bootstrap} resamples):",
        confidence * 100.0
    )?;
    for (name, y) in plan.metrics.iter().zip(ys) {
        let Some(y) = y else {
            writeln!(report, "\n{name}: not analysed (missing in some runs)")?;
            continue;
        };
        let Some(full) = sobol_analysis(y, k, second_order, n, bootstrap, confidence, seed) else {
            writeln!(report, "\n{name}: constant, no indices")?;
            continue;
        };
        writeln!(report, "\n{name}")?;
        writeln!(
            report,
            "  {:<36} {:>9} {:>21} {:>9} {:>21}",
            "parameter", "S1", "interval", "ST", "interval"
        )?;
        for (p, s) in plan.params.iter().zip(&full.first) {
            writeln!(
                report,
                "  {:<36} {:>9} {:>21} {:>9} {:>21}",
                p.path,
                fmt(s.s1),
                format!("[{}, {}]", fmt(s.s1_interval.0), fmt(s.s1_interval.1)),
                fmt(s.st),
                format!("[{}, {}]", fmt(s.st_interval.0), fmt(s.st_interval.1)),
            )?;
            metric.push(name.clone());
            param.push(p.path.clone());
            for (c, v) in cols.iter_mut().zip([
                s.s1,
                s.s1_interval.0,
                s.s1_interval.1,
                s.st,
                s.st_interval.0,
                s.st_interval.1,
            ]) {
                c.push(Some(v));
            }
        }
        if second_order {
            writeln!(report, "  {:<58} {:>9} {:>21}", "pair", "S2", "interval")?;
            for s in &full.second {
                writeln!(
                    report,
                    "  {:<58} {:>9} {:>21}",
                    format!("{} x {}", name_of(s.i), name_of(s.j)),
                    fmt(s.s2),
                    format!("[{}, {}]", fmt(s.interval.0), fmt(s.interval.1)),
                )?;
                s2_metric.push(name.clone());
                s2_i.push(name_of(s.i).to_string());
                s2_j.push(name_of(s.j).to_string());
                for (c, v) in s2_nums.iter_mut().zip([s.s2, s.interval.0, s.interval.1]) {
                    c.push(Some(v));
                }
            }
        }
        // The same resamples at every size (the seed alone draws them): the N rows are
        // the indices above, reused rather than recomputed.
        let at: Vec<Option<SobolIndices>> = sizes
            .iter()
            .map(|&m| {
                if m == n {
                    Some(full.clone())
                } else {
                    sobol_analysis(y, k, second_order, m, bootstrap, confidence, seed)
                }
            })
            .collect();
        let mut push =
            |who: String, index: &'static str, size: usize, v: Option<(f64, (f64, f64))>| {
                conv.0.push(name.clone());
                conv.1.push(who);
                conv.2.push(index);
                conv.3.push(size as i64);
                conv_nums[0].push(v.map(|v| v.0));
                conv_nums[1].push(v.map(|v| v.1.0));
                conv_nums[2].push(v.map(|v| v.1.1));
            };
        for i in 0..k {
            for (index, get) in [
                (
                    "S1",
                    (|s: &SobolIndex| (s.s1, s.s1_interval)) as fn(&SobolIndex) -> _,
                ),
                ("ST", |s: &SobolIndex| (s.st, s.st_interval)),
            ] {
                for (&size, a) in sizes.iter().zip(&at) {
                    push(
                        name_of(i).to_string(),
                        index,
                        size,
                        a.as_ref().map(|a| get(&a.first[i])),
                    );
                }
            }
        }
        for (q, s) in full.second.iter().enumerate() {
            for (&size, a) in sizes.iter().zip(&at) {
                push(
                    format!("{} x {}", name_of(s.i), name_of(s.j)),
                    "S2",
                    size,
                    a.as_ref().map(|a| (a.second[q].s2, a.second[q].interval)),
                );
            }
        }
        // The summary: how far each kind of index still moved between N/2 and N.
        if let [.., Some(half), Some(whole)] = at.as_slice() {
            let first = largest_change((0..k).map(|i| {
                (
                    (whole.first[i].s1 - half.first[i].s1).abs(),
                    name_of(i).to_string(),
                )
            }));
            let total = largest_change((0..k).map(|i| {
                (
                    (whole.first[i].st - half.first[i].st).abs(),
                    name_of(i).to_string(),
                )
            }));
            let pair = largest_change(whole.second.iter().zip(&half.second).map(|(w, h)| {
                (
                    (w.s2 - h.s2).abs(),
                    format!("{} x {}", name_of(w.i), name_of(w.j)),
                )
            }));
            let mut line = format!("  convergence, largest change from N = {} to {n}:", n / 2);
            for (label, c) in [("S1", first), ("ST", total), ("S2", pair)] {
                if let Some((d, who)) = c {
                    write!(line, " {label} {} ({who});", fmt(d))?;
                }
            }
            writeln!(report, "{}", line.trim_end_matches(';'))?;
        } else {
            writeln!(
                report,
                "  convergence: not checked (N = {n} base samples is too few to halve)"
            )?;
        }
        findings.sobol.push((name.clone(), full.first.clone()));
    }
    let mut table = Table::default();
    table.push("metric", Column::Text(metric));
    table.push("parameter", Column::Text(param));
    for (name, c) in ["s1", "s1_low", "s1_high", "st", "st_low", "st_high"]
        .into_iter()
        .zip(cols)
    {
        table.push(name, Column::Float(c));
    }
    let path = dir.join("sobol.csv");
    write_atomic(&path, &table.to_csv()?)?;
    outputs.push(path);
    if second_order {
        let mut table = Table::default();
        table.push("metric", Column::Text(s2_metric));
        table.push("parameter_i", Column::Text(s2_i));
        table.push("parameter_j", Column::Text(s2_j));
        for (name, c) in ["s2", "s2_low", "s2_high"].into_iter().zip(s2_nums) {
            table.push(name, Column::Float(c));
        }
        let path = dir.join("sobol2.csv");
        write_atomic(&path, &table.to_csv()?)?;
        outputs.push(path);
    }
    let mut table = Table::default();
    table.push("metric", Column::Text(conv.0));
    table.push("parameters", Column::Text(conv.1));
    table.push(
        "index",
        Column::Text(conv.2.into_iter().map(str::to_string).collect()),
    );
    table.push("n", Column::Int(conv.3));
    for (name, c) in ["value", "low", "high"].into_iter().zip(conv_nums) {
        table.push(name, Column::Float(c));
    }
    let path = dir.join("sobol_convergence.csv");
    write_atomic(&path, &table.to_csv()?)?;
    outputs.push(path);
    Ok(())
}

/// For Latin hypercubes: each parameter's partial rank correlation with each metric's
/// replicate mean (`prcc.csv`), the usual screening measure for such designs.
fn partial_rank_correlations(
    dir: &Path,
    plan: &Plan,
    records: &[RunRecord],
    report: &mut String,
    outputs: &mut Vec<PathBuf>,
) -> Result<()> {
    let cells = contrasts::by_replicate(plan, records);
    writeln!(
        report,
        "\nPartial rank correlation coefficients (PRCC) of the replicate means:"
    )?;
    let (mut metric, mut param, mut value) = (Vec::new(), Vec::new(), Vec::new());
    for (m, name) in plan.metrics.iter().enumerate() {
        let means: Option<Vec<f64>> = cells
            .iter()
            .map(|c| {
                let v: Vec<f64> = c[m].iter().flatten().copied().collect();
                (v.len() == c[m].len() && !v.is_empty())
                    .then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect();
        let Some(y) = means else {
            writeln!(report, "\n{name}: not analysed (missing in some runs)")?;
            continue;
        };
        writeln!(report, "\n{name}")?;
        for (p, r) in plan.params.iter().zip(contrasts::prcc(&plan.units, &y)) {
            writeln!(
                report,
                "  {:<36} {:>9}",
                p.path,
                r.map_or("-".into(), |r| format!("{r:.3}"))
            )?;
            metric.push(name.clone());
            param.push(p.path.clone());
            value.push(r);
        }
    }
    let mut table = Table::default();
    table.push("metric", Column::Text(metric));
    table.push("parameter", Column::Text(param));
    table.push("prcc", Column::Float(value));
    let path = dir.join("prcc.csv");
    write_atomic(&path, &table.to_csv()?)?;
    outputs.push(path);
    Ok(())
}

/// For every design with replicates: the share of each metric's variance between design
/// points (`variance.csv`); for grids with common random numbers, each parameter's paired
/// effect and each pair's interaction contrast with their intervals (`effects.csv`,
/// `interactions.csv`).
fn designed_contrasts(
    dir: &Path,
    plan: &Plan,
    records: &[RunRecord],
    confidence: f64,
    report: &mut String,
    outputs: &mut Vec<PathBuf>,
    findings: &mut Findings,
) -> Result<()> {
    if plan.spec.replicates < 2 {
        return Ok(());
    }
    let cells = contrasts::by_replicate(plan, records);
    writeln!(
        report,
        "\nShare of each metric's variance between design points (the rest is replicate noise):"
    )?;
    let mut table = Table::default();
    let (mut names, mut shares) = (Vec::new(), Vec::new());
    for (m, name) in plan.metrics.iter().enumerate() {
        let share = contrasts::between_share(&cells, m);
        writeln!(
            report,
            "  {name:<36} {}",
            share.map_or("-".into(), |s| format!("{:.1}%", 100.0 * s))
        )?;
        names.push(name.clone());
        shares.push(share);
        findings.between.push((name.clone(), share));
    }
    table.push("metric", Column::Text(names));
    table.push("between_points", Column::Float(shares));
    let path = dir.join("variance.csv");
    write_atomic(&path, &table.to_csv()?)?;
    outputs.push(path);
    if !matches!(plan.spec.design, DesignSpec::Grid) {
        return Ok(());
    }
    main_effects_outputs(plan, &cells, confidence, report, findings)?;
    if plan.spec.common_random_numbers {
        paired_outputs(dir, plan, &cells, confidence, report, outputs, findings)?;
    }
    let path = dir.join("main_effects.csv");
    write_atomic(&path, &main_effects_table(plan, findings).to_csv()?)?;
    outputs.push(path);
    if !findings.curvature.is_empty() {
        let path = dir.join("curvature.csv");
        write_atomic(&path, &curvature_table(plan, findings).to_csv()?)?;
        outputs.push(path);
    }
    let path = dir.join("detectable.csv");
    write_atomic(
        &path,
        &detectable_table(plan, &cells, confidence, report, findings)?.to_csv()?,
    )?;
    outputs.push(path);
    Ok(())
}

/// The power the detectable differences are stated at (the convention of Cohen 1988).
pub const POWER: f64 = 0.8;

/// Each parameter's main effects (every level against the first, pooled over the other
/// parameters), printed and kept in the findings.
fn main_effects_outputs(
    plan: &Plan,
    cells: &contrasts::Cells,
    confidence: f64,
    report: &mut String,
    findings: &mut Findings,
) -> Result<()> {
    writeln!(
        report,
        "\nMain effects (each level minus the first, pooled over the other parameters), mean over replicates with {:.0}% t intervals:",
        confidence * 100.0
    )?;
    for (m, name) in plan.metrics.iter().enumerate() {
        if contrasts::between_share(cells, m).is_none() {
            continue;
        }
        let found = contrasts::main_effects(plan, cells, m, confidence);
        if found.is_empty() {
            continue;
        }
        writeln!(report, "\n{name}")?;
        for e in &found {
            let p = &plan.params[e.param];
            writeln!(
                report,
                "  {:<36} {:>18} {:>11} [{}, {}]",
                p.path,
                format!("{} vs {}", e.level, first_level(plan, e.param)),
                fmt(e.ci.mean),
                fmt(e.ci.low),
                fmt(e.ci.high),
            )?;
        }
        findings.mains.push((name.clone(), found));
        let bends = contrasts::curvature(plan, cells, m, confidence);
        for c in &bends {
            writeln!(
                report,
                "  {:<36} {:>18} {:>11} [{}, {}]  (a straight line: 0)",
                plan.params[c.param].path,
                "bend",
                fmt(c.bend.mean),
                fmt(c.bend.low),
                fmt(c.bend.high),
            )?;
        }
        if !bends.is_empty() {
            findings.curvature.push((name.clone(), bends));
        }
    }
    Ok(())
}

/// `curvature.csv`: per metric and numeric parameter with three levels or more, the
/// chord's rise over the range and the bend beyond a straight line, with intervals.
fn curvature_table(plan: &Plan, findings: &Findings) -> Table {
    let (mut metric, mut param, mut n) = (Vec::new(), Vec::new(), Vec::new());
    let mut nums: [Vec<Option<f64>>; 6] = Default::default();
    for (name, found) in &findings.curvature {
        for c in found {
            metric.push(name.clone());
            param.push(plan.params[c.param].path.clone());
            n.push(c.bend.n as i64);
            for (col, v) in nums.iter_mut().zip([
                c.slope.mean,
                c.slope.low,
                c.slope.high,
                c.bend.mean,
                c.bend.low,
                c.bend.high,
            ]) {
                col.push(Some(v));
            }
        }
    }
    let mut table = Table::default();
    table.push("metric", Column::Text(metric));
    table.push("parameter", Column::Text(param));
    table.push("n", Column::Int(n));
    for (name, c) in [
        "rise",
        "rise_low",
        "rise_high",
        "bend",
        "bend_low",
        "bend_high",
    ]
    .into_iter()
    .zip(nums)
    {
        table.push(name, Column::Float(c));
    }
    table
}

/// The value parameter `j` takes at its first level, as the spec spells it.
pub fn first_level(plan: &Plan, j: usize) -> String {
    (0..plan.points())
        .min_by(|&a, &b| plan.units[a][j].total_cmp(&plan.units[b][j]))
        .map(|p| plan.values(p)[j].to_string())
        .unwrap_or_default()
}

fn main_effects_table(plan: &Plan, findings: &Findings) -> Table {
    // metric, parameter, level, reference; then the replicates.
    let mut text: [Vec<String>; 4] = Default::default();
    let mut count = Vec::new();
    let mut nums: [Vec<Option<f64>>; 4] = Default::default();
    for (name, found) in &findings.mains {
        for e in found {
            for (col, v) in text.iter_mut().zip([
                name.clone(),
                plan.params[e.param].path.clone(),
                e.level.clone(),
                first_level(plan, e.param),
            ]) {
                col.push(v);
            }
            count.push(e.ci.n as i64);
            for (c, v) in nums
                .iter_mut()
                .zip([e.ci.mean, e.ci.low, e.ci.high, e.ci.sd])
            {
                c.push(Some(v));
            }
        }
    }
    let mut table = Table::default();
    for (name, col) in ["metric", "parameter", "level", "reference"]
        .into_iter()
        .zip(text)
    {
        table.push(name, Column::Text(col));
    }
    table.push("n", Column::Int(count));
    for (name, c) in ["difference", "ci_low", "ci_high", "sd"]
        .into_iter()
        .zip(nums)
    {
        table.push(name, Column::Float(c));
    }
    table
}

/// The smallest difference the design detects, per metric and kind of comparison, at the
/// analysis' confidence and 80% power: main effects (from the spread of their replicates'
/// differences), a paired effect at one point (common random numbers), or two points'
/// means compared without pairing (independent replicates: the pooled within-point
/// standard deviation, times sqrt 2).
fn detectable_table(
    plan: &Plan,
    cells: &contrasts::Cells,
    confidence: f64,
    report: &mut String,
    findings: &mut Findings,
) -> Result<Table> {
    let rms = |sds: &mut dyn Iterator<Item = f64>| {
        let (sum, n) = sds.fold((0.0, 0usize), |(s, n), sd| (s + sd * sd, n + 1));
        (n > 0).then(|| (sum / n as f64).sqrt())
    };
    let reps = plan.spec.replicates as usize;
    writeln!(
        report,
        "\nSmallest difference detectable ({:.0}% confidence, {:.0}% power, {reps} replicates):",
        confidence * 100.0,
        POWER * 100.0
    )?;
    let mut cols: (Vec<String>, Vec<&str>, Vec<i64>) = Default::default();
    let mut nums: [Vec<Option<f64>>; 2] = Default::default();
    for (m, name) in plan.metrics.iter().enumerate() {
        let mut rows = Vec::new();
        if let Some((_, mains)) = findings.mains.iter().find(|(n, _)| n == name) {
            rows.push(("main effect", rms(&mut mains.iter().map(|e| e.ci.sd))));
        }
        if plan.spec.common_random_numbers {
            if let Some((_, effects)) = findings.effects.iter().find(|(n, _)| n == name) {
                rows.push((
                    "paired effect at a point",
                    rms(&mut effects.iter().map(|e| e.ci.sd)),
                ));
            }
        } else {
            let within = rms(&mut cells.iter().filter_map(|c| {
                let v: Vec<f64> = c[m].iter().flatten().copied().collect();
                contrasts::mean_ci(&v, confidence).map(|ci| ci.sd)
            }));
            rows.push(("two points", within.map(|sd| sd * std::f64::consts::SQRT_2)));
        }
        let mut line = Vec::new();
        for (kind, sd) in rows {
            let Some(sd) = sd else { continue };
            let d = contrasts::detectable_difference(sd, reps, confidence, POWER);
            line.push(format!("{kind} {}", d.map_or("-".into(), fmt)));
            cols.0.push(name.clone());
            cols.1.push(kind);
            cols.2.push(reps as i64);
            nums[0].push(Some(sd));
            nums[1].push(d);
            findings
                .detectable
                .push((name.clone(), kind.to_string(), sd, d));
        }
        if !line.is_empty() {
            writeln!(report, "  {name:<36} {}", line.join(", "))?;
        }
    }
    let mut table = Table::default();
    table.push("metric", Column::Text(cols.0));
    table.push(
        "comparison",
        Column::Text(cols.1.into_iter().map(String::from).collect()),
    );
    table.push("replicates", Column::Int(cols.2));
    for (name, c) in ["sd", "detectable"].into_iter().zip(nums) {
        table.push(name, Column::Float(c));
    }
    Ok(table)
}

/// For grids with common random numbers: paired effects (`effects.csv`) and interaction
/// contrasts (`interactions.csv`).
fn paired_outputs(
    dir: &Path,
    plan: &Plan,
    cells: &contrasts::Cells,
    confidence: f64,
    report: &mut String,
    outputs: &mut Vec<PathBuf>,
    findings: &mut Findings,
) -> Result<()> {
    for (file, title, interactions) in [
        (
            "effects.csv",
            "Paired effects (last level minus first)",
            false,
        ),
        (
            "interactions.csv",
            "Interaction contrasts (difference of two paired effects)",
            true,
        ),
    ] {
        writeln!(
            report,
            "\n{title}, mean over replicates with {:.0}% t intervals:",
            confidence * 100.0
        )?;
        let mut cols: (Vec<String>, Vec<String>, Vec<String>, Vec<i64>) = Default::default();
        let mut nums: [Vec<Option<f64>>; 3] = Default::default();
        for (m, name) in plan.metrics.iter().enumerate() {
            if contrasts::between_share(cells, m).is_none() {
                continue; // constant, or missing in some run
            }
            let found = if interactions {
                contrasts::interactions(plan, cells, m, confidence)
            } else {
                contrasts::paired_effects(plan, cells, m, confidence)
            };
            if found.is_empty() {
                continue;
            }
            writeln!(report, "\n{name}")?;
            if interactions {
                &mut findings.interactions
            } else {
                &mut findings.effects
            }
            .push((name.clone(), found.clone()));
            for e in found {
                let params: Vec<&str> = e
                    .params
                    .iter()
                    .map(|&j| plan.params[j].path.as_str())
                    .collect();
                let params = params.join(" x ");
                writeln!(
                    report,
                    "  {:<44} {:>11} [{}, {}]  at {}",
                    params,
                    fmt(e.ci.mean),
                    fmt(e.ci.low),
                    fmt(e.ci.high),
                    e.at
                )?;
                cols.0.push(name.clone());
                cols.1.push(params);
                cols.2.push(e.at);
                cols.3.push(e.ci.n as i64);
                for (c, v) in nums.iter_mut().zip([e.ci.mean, e.ci.low, e.ci.high]) {
                    c.push(Some(v));
                }
            }
        }
        let mut table = Table::default();
        table.push("metric", Column::Text(cols.0));
        table.push("parameters", Column::Text(cols.1));
        table.push("at", Column::Text(cols.2));
        table.push("n", Column::Int(cols.3));
        for (name, c) in ["difference", "ci_low", "ci_high"].into_iter().zip(nums) {
            table.push(name, Column::Float(c));
        }
        let path = dir.join(file);
        write_atomic(&path, &table.to_csv()?)?;
        outputs.push(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    /// Ishigami & Homma (1990), with the analytic indices from Sobol' & Levitan (1999) /
    /// Saltelli et al. (2008, p. 179): S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
    /// 0.2437).
    #[test]
    fn sobol_indices_of_the_ishigami_function_match_the_published_values() {
        let n = 4096;
        let pts = design::saltelli(n, 3, false, 2025);
        let y: Vec<f64> = pts
            .iter()
            .map(|u| ishigami(&u.iter().map(|&v| -PI + 2.0 * PI * v).collect::<Vec<_>>()))
            .collect();
        let idx = sobol_indices(&y, 3, 200, 0.95, 1).unwrap();
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            eprintln!(
                "x{}: S1 {:.4} {:?} (published {}), ST {:.4} {:?} (published {})",
                i + 1,
                idx[i].s1,
                idx[i].s1_interval,
                s1[i],
                idx[i].st,
                idx[i].st_interval,
                st[i]
            );
            assert!((idx[i].s1 - s1[i]).abs() < 0.03, "S1 of x{}", i + 1);
            assert!((idx[i].st - st[i]).abs() < 0.03, "ST of x{}", i + 1);
            // The intervals cover the truth and are not degenerate.
            let (lo, hi) = idx[i].st_interval;
            assert!(lo < hi && lo <= st[i] + 0.01 && st[i] - 0.01 <= hi);
        }
        // A function of nothing has no indices.
        assert!(sobol_indices(&vec![1.0; y.len()], 3, 10, 0.95, 1).is_none());
    }

    /// Second-order indices of Ishigami: only x1 and x3 interact, V13 = b^2 pi^8 (1/18 -
    /// 1/50), so S13 = 0.2437 and S12 = S23 = 0 (Saltelli et al. 2008, p. 179). The
    /// first-order and total indices of a second-order design are those of the first-order
    /// design on the same points.
    #[test]
    fn second_order_indices_of_the_ishigami_function_match_the_analytic_values() {
        let n = 8192;
        let pts = design::saltelli(n, 3, true, 2025);
        let y: Vec<f64> = pts
            .iter()
            .map(|u| ishigami(&u.iter().map(|&v| -PI + 2.0 * PI * v).collect::<Vec<_>>()))
            .collect();
        let idx = sobol_analysis(&y, 3, true, n as usize, 200, 0.95, 1).unwrap();
        let want = [((0, 1), 0.0), ((0, 2), 0.2437), ((1, 2), 0.0)];
        assert_eq!(idx.second.len(), 3);
        for (s, ((i, j), v)) in idx.second.iter().zip(want) {
            eprintln!(
                "S{}{} {:.4} {:?} (analytic {v})",
                i + 1,
                j + 1,
                s.s2,
                s.interval
            );
            assert_eq!((s.i, s.j), (i, j));
            assert!((s.s2 - v).abs() < 0.05, "S{}{} = {}", i + 1, j + 1, s.s2);
            assert!(s.interval.0 < s.interval.1);
        }
        // The interaction stands out from the pairs that have none.
        assert!(idx.second[1].interval.0 > idx.second[0].interval.1);
        let first = design::saltelli(n, 3, false, 2025);
        let y1: Vec<f64> = first
            .iter()
            .map(|u| ishigami(&u.iter().map(|&v| -PI + 2.0 * PI * v).collect::<Vec<_>>()))
            .collect();
        let only_first = sobol_indices(&y1, 3, 200, 0.95, 1).unwrap();
        for (a, b) in idx.first.iter().zip(&only_first) {
            assert!((a.s1 - b.s1).abs() < 1e-12 && (a.st - b.st).abs() < 1e-12);
        }
    }

    /// The convergence check: indices from the first N/4, N/2 and N base rows approach the
    /// truth, and the sizes are those the report prints.
    #[test]
    fn sobol_indices_converge_as_base_rows_are_added() {
        assert_eq!(convergence_sizes(1024), vec![256, 512, 1024]);
        assert_eq!(convergence_sizes(4), vec![2, 4]);
        assert_eq!(convergence_sizes(2), vec![2]);
        let n = 4096;
        let pts = design::saltelli(n, 3, false, 7);
        let y: Vec<f64> = pts
            .iter()
            .map(|u| ishigami(&u.iter().map(|&v| -PI + 2.0 * PI * v).collect::<Vec<_>>()))
            .collect();
        let st_x1 = 0.5576;
        let err = |m: usize| {
            let idx = sobol_analysis(&y, 3, false, m, 100, 0.95, 1).unwrap();
            let (lo, hi) = idx.first[0].st_interval;
            ((idx.first[0].st - st_x1).abs(), hi - lo)
        };
        let (e_small, w_small) = err(64);
        let (e_big, w_big) = err(4096);
        eprintln!(
            "ST(x1) error {e_small:.4} at 64 rows, {e_big:.4} at 4096; widths {w_small:.4} {w_big:.4}"
        );
        // Intervals shrink about as 1/sqrt(N): 8 times narrower for 64 times the rows.
        assert!(w_big < w_small / 4.0, "{w_small} -> {w_big}");
        assert!(e_big < 0.02);
    }

    #[test]
    fn morris_effects_of_a_linear_function_are_its_slopes() {
        // y = 2 x0 - 3 x1 + 0 x2 on [0, 1]^3: every effect of x0 is 2, of x1 is -3.
        let pts = design::morris(10, 3, 4, 7);
        let y: Vec<f64> = pts.iter().map(|x| 2.0 * x[0] - 3.0 * x[1]).collect();
        let e = morris_effects(&pts, &y, 3);
        assert!((e[0].mu - 2.0).abs() < 1e-9 && (e[0].mu_star - 2.0).abs() < 1e-9);
        assert!((e[1].mu + 3.0).abs() < 1e-9 && (e[1].mu_star - 3.0).abs() < 1e-9);
        assert!(e[0].sigma < 1e-9 && e[2].mu_star == 0.0);
        // A product has interactions: sigma > 0.
        let y: Vec<f64> = pts.iter().map(|x| x[0] * x[1]).collect();
        let e = morris_effects(&pts, &y, 3);
        assert!(e[0].sigma > 0.05, "{e:?}");
    }
}
