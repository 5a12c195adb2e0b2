//! The figures of a sweep's analysis (`asymwar analyze DIR --plots`, `asymwar report
//! --figures`): the experiment crate's findings and the sweep's runs turned into
//! asymwar-viz's plain figures, written as PNG and SVG.

use anyhow::{Result, anyhow};
use asymwar_experiment::analyze::{Analysis, first_level, whole_sweep};
use asymwar_experiment::contrasts::{MeanCi, mean_ci, prcc};
use asymwar_experiment::spec::{DesignSpec, Plan};
use asymwar_experiment::sweep::RunRecord;
use asymwar_viz::figures::{
    Figure, Interval, IntervalFigure, Line, LineFigure, ScatterFigure, stem,
};
use std::path::{Path, PathBuf};

/// One figure written: its kind ("main effects", ...), its title, the files (PNG first,
/// then SVG unless PNG only was asked).
pub struct Written {
    pub kind: &'static str,
    pub title: String,
    pub files: Vec<PathBuf>,
}

/// Which files each figure gets.
#[derive(Clone, Copy, PartialEq)]
pub enum Formats {
    PngAndSvg,
    /// For documents kept in the repository.
    PngOnly,
}

fn interval(label: String, ci: &MeanCi) -> Interval {
    Interval {
        label,
        value: ci.mean,
        low: Some(ci.low),
        high: Some(ci.high),
    }
}

/// Every figure the sweep's design supports, into `out` (created if needed).
pub fn write_figures(
    dir: &Path,
    analysis: &Analysis,
    out: &Path,
    formats: Formats,
) -> Result<Vec<Written>> {
    std::fs::create_dir_all(out).map_err(|e| anyhow!("{}: cannot create: {e}", out.display()))?;
    let (plan, records) = whole_sweep(dir)?;
    let f = &analysis.findings;
    let conf = format!("{:.0}%", f.confidence * 100.0);
    let caption = |what: &str| format!("{} · {what}", f.design);
    let mut figs: Vec<(&'static str, String, Figure)> = Vec::new();
    let name = |j: usize| plan.params[j].path.clone();
    for (m, es) in &f.mains {
        let rows = es
            .iter()
            .map(|e| {
                interval(
                    format!(
                        "{}: {} vs {}",
                        name(e.param),
                        e.level,
                        first_level(&plan, e.param)
                    ),
                    &e.ci,
                )
            })
            .collect();
        figs.push((
            "main effects",
            m.clone(),
            Figure::Intervals(IntervalFigure {
                title: format!("Main effects on {m}"),
                caption: caption(&format!(
                    "each level minus the first, pooled over the others; {conf} t intervals"
                )),
                x_label: format!("difference in {m}"),
                rows,
            }),
        ));
    }
    for (kind, list, what) in [
        (
            "paired effects",
            &f.effects,
            "last level minus first at each combination of the others",
        ),
        (
            "interaction contrasts",
            &f.interactions,
            "difference of a parameter's paired effects",
        ),
    ] {
        for (m, es) in list {
            let rows = es
                .iter()
                .map(|e| {
                    let params: Vec<String> = e.params.iter().map(|&j| name(j)).collect();
                    let at = if e.at.is_empty() {
                        String::new()
                    } else {
                        format!(" at {}", e.at.replace("; ", ", "))
                    };
                    interval(format!("{}{at}", params.join(" x ")), &e.ci)
                })
                .collect();
            figs.push((
                kind,
                m.clone(),
                Figure::Intervals(IntervalFigure {
                    title: format!("{} on {m}", capitalise(kind)),
                    caption: caption(&format!(
                        "{what}; paired over replicates, {conf} t intervals"
                    )),
                    x_label: format!("difference in {m}"),
                    rows,
                }),
            ));
        }
    }
    if matches!(plan.spec.design, DesignSpec::Grid) && plan.spec.replicates >= 2 {
        response_plots(&plan, &records, f.confidence, &caption, &mut figs);
    }
    for (m, idx) in &f.sobol {
        let rows = idx
            .iter()
            .enumerate()
            .flat_map(|(j, s)| {
                [
                    Interval {
                        label: format!("{} S1", name(j)),
                        value: s.s1,
                        low: Some(s.s1_interval.0),
                        high: Some(s.s1_interval.1),
                    },
                    Interval {
                        label: format!("{} ST", name(j)),
                        value: s.st,
                        low: Some(s.st_interval.0),
                        high: Some(s.st_interval.1),
                    },
                ]
            })
            .collect();
        figs.push((
            "Sobol indices",
            m.clone(),
            Figure::Intervals(IntervalFigure {
                title: format!("Sobol indices of {m}"),
                caption: caption(&format!(
                    "first-order (S1) and total (ST), {conf} bootstrap intervals"
                )),
                x_label: "share of the variance".into(),
                rows,
            }),
        ));
    }
    for (m, es) in &f.morris {
        figs.push((
            "Morris screening",
            m.clone(),
            Figure::Scatter(ScatterFigure {
                title: format!("Morris screening of {m}"),
                caption: caption(
                    "mu*: importance; sigma: interactions and bends (dashed: sigma = mu*)",
                ),
                x_label: "mu* (mean absolute elementary effect)".into(),
                y_label: "sigma".into(),
                points: es
                    .iter()
                    .enumerate()
                    .map(|(j, e)| (name(j), e.mu_star, e.sigma))
                    .collect(),
            }),
        ));
    }
    if matches!(plan.spec.design, DesignSpec::LatinHypercube { .. }) {
        prcc_plots(&plan, &records, &caption, &mut figs);
    }
    series_plots(&plan, &records, &caption, &mut figs);
    if formats == Formats::PngOnly {
        // A document's figures: the tables already hold the paired effects and contrasts,
        // and of the time series only the outcomes the sweep reports (and the capital's
        // fuel and the insurgents' strength) are kept, so the repository stays light.
        figs.retain(|(kind, metric, _)| match *kind {
            "paired effects" | "interaction contrasts" => false,
            "time series" => {
                plan.metrics.contains(metric)
                    || ["capital_fuel_days", "insurgent_fighters"].contains(&metric.as_str())
            }
            _ => true,
        });
    }
    let mut written = Vec::new();
    for (kind, metric, fig) in figs {
        let file_stem = match &fig {
            Figure::Lines(l) if kind == "interaction plots" || kind == "time series" => {
                stem(&[kind, &l.title])
            }
            _ => stem(&[kind, &metric]),
        };
        let files = match formats {
            Formats::PngAndSvg => fig.write(out, &file_stem).map_err(|e| anyhow!(e))?.to_vec(),
            Formats::PngOnly => vec![fig.write_png(out, &file_stem).map_err(|e| anyhow!(e))?],
        };
        written.push(Written {
            kind,
            title: fig.title().to_string(),
            files,
        });
    }
    Ok(written)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A parameter's levels: (unit coordinate, value as written, numeric value if any).
fn levels(plan: &Plan, j: usize) -> Vec<(f64, String, Option<f64>)> {
    let mut out: Vec<(f64, String, Option<f64>)> = Vec::new();
    for p in 0..plan.points() {
        let u = plan.units[p][j];
        if !out.iter().any(|l| l.0 == u) {
            let v = &plan.values(p)[j];
            out.push((u, v.to_string(), v.as_f64()));
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out
}

/// The mean of metric `m` over the replicates of the points where parameter `j` is at
/// `uj` (and `l` at `ul`), pooled per replicate over the other parameters, with its interval.
fn pooled(
    plan: &Plan,
    records: &[RunRecord],
    m: usize,
    fixed: &[(usize, f64)],
    confidence: f64,
) -> Option<MeanCi> {
    let reps = plan.spec.replicates as usize;
    let mut sums = vec![(0.0, 0usize); reps];
    for r in records {
        let p = r.point as usize;
        if fixed.iter().all(|&(j, u)| plan.units[p][j] == u) {
            let v = r.metrics[m]?;
            let s = &mut sums[r.replicate as usize];
            s.0 += v;
            s.1 += 1;
        }
    }
    let means: Vec<f64> = sums
        .iter()
        .filter(|s| s.1 > 0)
        .map(|s| s.0 / s.1 as f64)
        .collect();
    mean_ci(&means, confidence)
}

/// Response plots (one parameter) or interaction plots (each pair: the metric against the
/// levels of the parameter with more levels, one line per level of the other).
fn response_plots(
    plan: &Plan,
    records: &[RunRecord],
    confidence: f64,
    caption: &dyn Fn(&str) -> String,
    figs: &mut Vec<(&'static str, String, Figure)>,
) {
    let k = plan.params.len();
    let axis = |j: usize| {
        let ls = levels(plan, j);
        let numeric = ls.iter().all(|l| l.2.is_some());
        let xs: Vec<f64> = ls
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if numeric {
                    l.2.unwrap_or(0.0)
                } else {
                    i as f64
                }
            })
            .collect();
        let names: Vec<String> = if numeric {
            Vec::new()
        } else {
            ls.iter().map(|l| l.1.clone()).collect()
        };
        (ls, xs, names)
    };
    let band = |cis: &[Option<MeanCi>]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let get =
            |f: fn(&MeanCi) -> f64| cis.iter().map(|c| c.as_ref().map_or(f64::NAN, f)).collect();
        (get(|c| c.mean), get(|c| c.low), get(|c| c.high))
    };
    for (m, metric) in plan.metrics.iter().enumerate() {
        // A metric missing in some run (a day that never came) is left out, as in analyze.
        if records.iter().any(|r| r.metrics[m].is_none()) {
            continue;
        }
        let ci_note = format!(
            "mean over replicates, pooled over the other parameters; band: {:.0}% t interval",
            confidence * 100.0
        );
        if k == 1 {
            let (ls, xs, names) = axis(0);
            let cis: Vec<Option<MeanCi>> = ls
                .iter()
                .map(|l| pooled(plan, records, m, &[(0, l.0)], confidence))
                .collect();
            let (y, low, high) = band(&cis);
            figs.push((
                "response",
                metric.clone(),
                Figure::Lines(LineFigure {
                    title: format!("{metric} against {}", plan.params[0].path),
                    caption: caption(&ci_note),
                    x_label: plan.params[0].path.clone(),
                    y_label: metric.clone(),
                    x_names: names,
                    lines: vec![Line {
                        label: metric.clone(),
                        x: xs,
                        y,
                        low,
                        high,
                    }],
                }),
            ));
            continue;
        }
        for a in 0..k {
            for b in a + 1..k {
                let (na, nb) = (levels(plan, a).len(), levels(plan, b).len());
                if na < 2 || nb < 2 {
                    continue;
                }
                let (x_param, line_param) = if nb > na { (b, a) } else { (a, b) };
                let (xl, xs, names) = axis(x_param);
                let lines = levels(plan, line_param)
                    .iter()
                    .map(|ll| {
                        let cis: Vec<Option<MeanCi>> = xl
                            .iter()
                            .map(|xv| {
                                pooled(
                                    plan,
                                    records,
                                    m,
                                    &[(x_param, xv.0), (line_param, ll.0)],
                                    confidence,
                                )
                            })
                            .collect();
                        let (y, low, high) = band(&cis);
                        Line {
                            label: format!("{} = {}", plan.params[line_param].path, ll.1),
                            x: xs.clone(),
                            y,
                            low,
                            high,
                        }
                    })
                    .collect();
                figs.push((
                    "interaction plots",
                    metric.clone(),
                    Figure::Lines(LineFigure {
                        title: format!(
                            "{metric} by {} and {}",
                            plan.params[x_param].path, plan.params[line_param].path
                        ),
                        caption: caption(&ci_note),
                        x_label: plan.params[x_param].path.clone(),
                        y_label: metric.clone(),
                        x_names: names,
                        lines,
                    }),
                ));
            }
        }
    }
}

/// PRCC of each parameter with each metric's replicate mean (Latin hypercubes).
fn prcc_plots(
    plan: &Plan,
    records: &[RunRecord],
    caption: &dyn Fn(&str) -> String,
    figs: &mut Vec<(&'static str, String, Figure)>,
) {
    let x: Vec<Vec<f64>> = plan.units.clone();
    for (m, metric) in plan.metrics.iter().enumerate() {
        let mut sums = vec![(0.0, 0usize); plan.points()];
        for r in records {
            if let Some(v) = r.metrics[m] {
                sums[r.point as usize].0 += v;
                sums[r.point as usize].1 += 1;
            }
        }
        if sums.iter().any(|s| s.1 == 0) {
            continue;
        }
        let y: Vec<f64> = sums.iter().map(|s| s.0 / s.1 as f64).collect();
        let rows = prcc(&x, &y)
            .into_iter()
            .enumerate()
            .map(|(j, r)| Interval {
                label: plan.params[j].path.clone(),
                value: r.unwrap_or(f64::NAN),
                low: None,
                high: None,
            })
            .collect();
        figs.push((
            "PRCC",
            metric.clone(),
            Figure::Intervals(IntervalFigure {
                title: format!("Partial rank correlations with {metric}"),
                caption: caption(
                    "PRCC of each parameter with the replicate mean (Marino et al. 2008)",
                ),
                x_label: "PRCC".into(),
                rows,
            }),
        ));
    }
}

/// Time series envelopes: per daily metric, one line per design point (at most 8) or per
/// level of the first parameter, the mean over its runs and the 5%-95% band.
fn series_plots(
    plan: &Plan,
    records: &[RunRecord],
    caption: &dyn Fn(&str) -> String,
    figs: &mut Vec<(&'static str, String, Figure)>,
) {
    if plan.series_metrics.is_empty() || records.iter().all(|r| r.series.is_none()) {
        return;
    }
    let by_point = plan.points() <= 8;
    let groups: Vec<(String, Vec<usize>)> = if by_point || plan.params.is_empty() {
        (0..plan.points())
            .map(|p| (plan.describe_point(p), vec![p]))
            .collect()
    } else {
        levels(plan, 0)
            .into_iter()
            .map(|l| {
                let ps = (0..plan.points())
                    .filter(|&p| plan.units[p][0] == l.0)
                    .collect();
                (format!("{} = {}", plan.params[0].path, l.1), ps)
            })
            .collect()
    };
    let nm = plan.series_metrics.len();
    for (k, metric) in plan.series_metrics.iter().enumerate() {
        let lines: Vec<Line> = groups
            .iter()
            .map(|(label, ps)| {
                // Per recorded index: every run's value there.
                let mut at: Vec<(u32, Vec<f64>)> = Vec::new();
                for r in records.iter().filter(|r| ps.contains(&(r.point as usize))) {
                    let Some(s) = &r.series else { continue };
                    for (row, &idx) in s.index.iter().enumerate() {
                        let Some(v) = s.values.get(row * nm + k).copied().flatten() else {
                            continue;
                        };
                        match at.iter_mut().find(|(i, _)| *i == idx) {
                            Some((_, vs)) => vs.push(v),
                            None => at.push((idx, vec![v])),
                        }
                    }
                }
                at.sort_by_key(|(i, _)| *i);
                let q = |vs: &[f64], p: f64| {
                    let mut s = vs.to_vec();
                    s.sort_by(f64::total_cmp);
                    let h = (s.len() - 1) as f64 * p;
                    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
                    s[lo] + (h - h.floor()) * (s[hi] - s[lo])
                };
                Line {
                    label: label.clone(),
                    x: at.iter().map(|(i, _)| f64::from(*i)).collect(),
                    y: at
                        .iter()
                        .map(|(_, vs)| vs.iter().sum::<f64>() / vs.len() as f64)
                        .collect(),
                    low: at.iter().map(|(_, vs)| q(vs, 0.05)).collect(),
                    high: at.iter().map(|(_, vs)| q(vs, 0.95)).collect(),
                }
            })
            .collect();
        figs.push((
            "time series",
            metric.clone(),
            Figure::Lines(LineFigure {
                title: format!("{metric} over time"),
                caption: caption(&format!(
                    "every {} {}s (counts summed, stocks averaged); line: mean over runs; band: 5%-95%",
                    plan.spec.collect.timeseries_every_days, plan.series_index
                )),
                x_label: plan.series_index.clone(),
                y_label: metric.clone(),
                x_names: Vec::new(),
                lines,
            }),
        ));
    }
}
