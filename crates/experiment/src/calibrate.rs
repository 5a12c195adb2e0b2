//! Pattern-oriented calibration (Grimm et al. 2005; Railsback & Grimm 2019, ch. 20) by
//! approximate Bayesian computation with rejection (Beaumont et al. 2002; van der Vaart et
//! al. 2015 for agent-based models): a finished sweep that samples the poorly known
//! parameters (a Latin hypercube over their plausible ranges, one run per sample) is scored
//! against the patterns of docs/calibration.md, each a range from a source. A run's distance
//! to a pattern is 0 inside the range, else its relative miss (how far beyond the nearer
//! bound, over that bound); its distance to the record is its worst miss. The runs within the
//! targets file's tolerance are accepted (ABC rejection), and so are the closest
//! `closest_share` of all runs (ABC's quantile rule, for when few land within tolerance);
//! the accepted parameters' quantiles are the posterior, set against the prior range and the
//! current default.

use crate::analyze::whole_sweep;
use crate::report::{plain, replace_between, sig};
use crate::spec::Plan;
use crate::sweep::RunRecord;
use crate::table::{Column, Table};
use crate::write::write_atomic;
use anyhow::{Result, bail};
use asymwar_scenario::error::parse_ron;
use asymwar_scenario::overrides::value_at;
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A targets file (assets/calibration/*.ron).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// A run is accepted when its worst relative miss is at most this.
    pub tolerance: f64,
    /// Also accept this share of the runs, the closest first.
    #[serde(default = "default_closest")]
    pub closest_share: f64,
    pub targets: Vec<Target>,
}

fn default_closest() -> f64 {
    0.1
}

/// One pattern: a measure of a run, the range the record puts it in, and the source.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub what: String,
    pub measure: Measure,
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
    pub source: String,
}

/// How a run's summary metrics give the measure.
#[derive(Clone, Debug, Deserialize)]
pub enum Measure {
    /// A summary metric as it is.
    Metric(String),
    /// A count over the run, per 30.4 days.
    PerMonth(String),
    /// a / (a + b): e.g. the army's share of attacks on civilians.
    Share(String, String),
    /// Tankers delivered over the run, over the scenario's normal inflow (its crossings'
    /// tankers a day times the days).
    InflowShare,
}

impl Measure {
    /// The summary metrics the measure reads.
    pub fn metrics(&self) -> Vec<&str> {
        match self {
            Measure::Metric(m) | Measure::PerMonth(m) => vec![m, "days"],
            Measure::Share(a, b) => vec![a, b],
            Measure::InflowShare => vec!["tankers_delivered", "days"],
        }
    }
}

/// Reads and checks a targets file: every problem names the file and the target.
pub fn load_targets(file: &Path) -> Result<Targets> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?;
    let t: Targets = parse_ron(&text, file)?;
    let mut problems = Vec::new();
    if !(t.tolerance >= 0.0 && t.tolerance.is_finite()) {
        problems.push(format!(
            "tolerance: must be a number >= 0, got {}",
            t.tolerance
        ));
    }
    if !(t.closest_share > 0.0 && t.closest_share <= 1.0) {
        problems.push(format!(
            "closest_share: must lie in (0, 1], got {}",
            t.closest_share
        ));
    }
    if t.targets.is_empty() {
        problems.push("targets: at least one target is needed".into());
    }
    for (i, g) in t.targets.iter().enumerate() {
        match (g.low, g.high) {
            (None, None) => problems.push(format!(
                "targets[{i}] ({}): needs a low or a high bound",
                g.id
            )),
            (Some(l), Some(h)) if l > h || l.is_nan() || h.is_nan() => problems.push(format!(
                "targets[{i}] ({}): low {l} must not exceed high {h}",
                g.id
            )),
            _ => {}
        }
    }
    if !problems.is_empty() {
        bail!("{}: {}", file.display(), problems.join("; "));
    }
    Ok(t)
}

/// A run's relative miss of the range [low, high]: 0 inside; beyond a bound, the distance
/// over the bound's size (over the range's width for a bound of 0).
pub fn miss(v: f64, low: Option<f64>, high: Option<f64>) -> f64 {
    let width = match (low, high) {
        (Some(l), Some(h)) => h - l,
        _ => 0.0,
    };
    let scale = |b: f64| if b != 0.0 { b.abs() } else { width.max(1e-9) };
    match (low, high) {
        (Some(l), _) if v < l => (l - v) / scale(l),
        (_, Some(h)) if v > h => (v - h) / scale(h),
        _ => 0.0,
    }
}

/// What `calibrate` found.
pub struct Calibration {
    pub report: String,
    pub markdown: String,
    pub outputs: Vec<PathBuf>,
}

/// One run scored.
struct Scored {
    record: usize,
    values: Vec<Option<f64>>,
    misses: Vec<f64>,
    worst: f64,
}

/// Scores the finished sweep in `dir` against `targets`, writes `calibration.csv` (every
/// run: its parameters, measures, misses, worst miss and acceptance) and `posterior.csv`
/// there, and returns a printed report and a Markdown block for docs/calibration.md.
pub fn calibrate(dir: &Path, targets_file: &Path, exclude: &[String]) -> Result<Calibration> {
    let mut targets = load_targets(targets_file)?;
    // Leaving patterns out (a pattern no run meets, to see what the others say).
    for id in exclude {
        if !targets.targets.iter().any(|t| &t.id == id) {
            bail!(
                "{}: no target {id:?} to exclude (the file has {})",
                targets_file.display(),
                targets
                    .targets
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    targets.targets.retain(|t| !exclude.contains(&t.id));
    let (plan, records) = whole_sweep(dir)?;
    let missing: Vec<String> = targets
        .targets
        .iter()
        .flat_map(|t| {
            t.measure
                .metrics()
                .into_iter()
                .filter(|m| !plan.metrics.iter().any(|p| p == m))
                .map(move |m| format!("{} needs `{m}`", t.id))
        })
        .collect();
    if !missing.is_empty() {
        bail!(
            "{}: the sweep in {} does not collect what the targets need: {} (add the metrics to the sweep's collect.metrics)",
            targets_file.display(),
            dir.display(),
            missing.join(", ")
        );
    }
    let normal_tankers: f64 = match &plan.scenario {
        asymwar_scenario::ScenarioFile::Conflict(s) => {
            s.crossings.iter().map(|c| c.tankers_per_day).sum()
        }
        asymwar_scenario::ScenarioFile::CivilViolence(_) => 0.0,
    };
    let index = |m: &str| plan.metrics.iter().position(|p| p == m);
    let value = |r: &RunRecord, m: &Measure| -> Option<f64> {
        let get = |name: &str| r.metrics[index(name)?];
        match m {
            Measure::Metric(a) => get(a),
            Measure::PerMonth(a) => Some(get(a)? / (get("days")? / 30.4)),
            Measure::Share(a, b) => {
                let (a, b) = (get(a)?, get(b)?);
                (a + b > 0.0).then(|| a / (a + b))
            }
            Measure::InflowShare => {
                let days = get("days")?;
                let delivered = get("tankers_delivered")?;
                (normal_tankers > 0.0).then(|| delivered / (days * normal_tankers))
            }
        }
    };
    let mut scored: Vec<Scored> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let values: Vec<Option<f64>> = targets
                .targets
                .iter()
                .map(|t| value(r, &t.measure))
                .collect();
            // A pattern the run cannot show (a ratio of nothing) counts as missed by 1.
            let misses: Vec<f64> = targets
                .targets
                .iter()
                .zip(&values)
                .map(|(t, v)| v.map_or(1.0, |v| miss(v, t.low, t.high)))
                .collect();
            let worst = misses.iter().copied().fold(0.0, f64::max);
            Scored {
                record: i,
                values,
                misses,
                worst,
            }
        })
        .collect();
    scored.sort_by(|a, b| {
        a.worst
            .total_cmp(&b.worst)
            .then(records[a.record].run.cmp(&records[b.record].run))
    });
    let n = scored.len();
    let within = scored
        .iter()
        .take_while(|s| s.worst <= targets.tolerance)
        .count();
    let closest = ((n as f64 * targets.closest_share).ceil() as usize).clamp(1, n.max(1));
    let mut outputs = Vec::new();
    let path = dir.join("calibration.csv");
    write_atomic(
        &path,
        &runs_table(&plan, &records, &targets, &scored, within, closest).to_csv()?,
    )?;
    outputs.push(path);
    let sets = [("within tolerance", within), ("closest", closest)];
    let post = posterior(&plan, &records, &scored, &sets)?;
    let path = dir.join("posterior.csv");
    write_atomic(&path, &post.table.to_csv()?)?;
    outputs.push(path);

    // The pattern each default-range run misses most, and how the accepted runs do.
    let mut md = String::new();
    writeln!(
        md,
        "*Generated by `asymwar calibrate` (asymwar {}) from `{}` against `{}`: {} runs \
         ({} design, {} parameters, {} of `{}`, one run per sample). Tolerance {}: a run is \
         accepted when it misses no pattern by more than {:.0}% of the pattern's bound.{}*\n",
        env!("CARGO_PKG_VERSION"),
        dir.to_string_lossy().replace('\\', "/"),
        targets_file.to_string_lossy().replace('\\', "/"),
        n,
        plan.spec.design.name(),
        plan.params.len(),
        plan.spec
            .days
            .map_or("the calendar".into(), |d| format!("{d} days")),
        plan.spec.scenario,
        targets.tolerance,
        targets.tolerance * 100.0,
        if exclude.is_empty() {
            String::new()
        } else {
            format!(" Patterns left out: {}.", exclude.join(", "))
        }
    )?;
    writeln!(
        md,
        "**Acceptance.** {within} of {n} runs land within tolerance; the closest {closest} \
         ({:.0}%) have a worst miss of at most {}. Best run: worst miss {}.\n",
        targets.closest_share * 100.0,
        sig(scored.get(closest - 1).map_or(f64::NAN, |s| s.worst)),
        sig(scored.first().map_or(f64::NAN, |s| s.worst)),
    )?;
    writeln!(
        md,
        "**Patterns**: how often each is met, over all runs and over the closest {closest}; \
         the closest runs' median value.\n"
    )?;
    writeln!(
        md,
        "| id | pattern | range | met, all runs | met, closest | closest: median (5%-95%) |"
    )?;
    writeln!(md, "|---|---|---|---|---|---|")?;
    for (t_i, t) in targets.targets.iter().enumerate() {
        let met = |set: &[Scored]| {
            let k = set.iter().filter(|s| s.misses[t_i] == 0.0).count();
            format!("{:.0}%", 100.0 * k as f64 / set.len().max(1) as f64)
        };
        let vals: Vec<f64> = scored[..closest]
            .iter()
            .filter_map(|s| s.values[t_i])
            .collect();
        let q = |p: f64| quantile(&vals, p).map_or("-".into(), sig);
        writeln!(
            md,
            "| {} | {} | {}-{} | {} | {} | {} ({}-{}) |",
            t.id,
            t.what,
            t.low.map_or("".into(), plain),
            t.high.map_or("".into(), plain),
            met(&scored),
            met(&scored[..closest]),
            q(0.5),
            q(0.05),
            q(0.95)
        )?;
    }
    writeln!(
        md,
        "\n**Posterior** (`posterior.csv`): each searched parameter's prior range and current \
         default, and the median (5%-95%) of the accepted runs. A posterior as wide as its \
         prior says the patterns do not constrain the parameter; one off the default says \
         the default misfits.\n"
    )?;
    md.push_str(&post.markdown);
    let mut report = md.replace("**", "").replace('*', "");
    report.push('\n');
    Ok(Calibration {
        report,
        markdown: md,
        outputs,
    })
}

/// Rewrites the `<!-- calibration:NAME -->` block of `doc` with the calibration's Markdown.
pub fn write_block(doc: &Path, name: &str, markdown: &str) -> Result<()> {
    let text = std::fs::read_to_string(doc)
        .map_err(|e| anyhow::anyhow!("{}: cannot read the document: {e}", doc.display()))?;
    let new = replace_between(
        &text,
        &format!("<!-- calibration:{name} -->"),
        &format!("<!-- /calibration:{name} -->"),
        markdown,
        doc,
    )?;
    write_atomic(doc, new.as_bytes())
}

fn quantile(v: &[f64], p: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    // Linear interpolation between order statistics (type 7, R's default).
    let h = (s.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(s[lo] + (h - h.floor()) * (s[hi] - s[lo]))
}

fn runs_table(
    plan: &Plan,
    records: &[RunRecord],
    targets: &Targets,
    scored: &[Scored],
    within: usize,
    closest: usize,
) -> Table {
    let mut by_run: Vec<(usize, &Scored)> = scored.iter().enumerate().collect();
    by_run.sort_by_key(|(_, s)| records[s.record].run);
    let mut t = Table::default();
    t.push(
        "run_id",
        Column::Int(
            by_run
                .iter()
                .map(|(_, s)| records[s.record].run as i64)
                .collect(),
        ),
    );
    for (j, p) in plan.params.iter().enumerate() {
        t.push(
            p.path.clone(),
            Column::Text(
                by_run
                    .iter()
                    .map(|(_, s)| plan.values(records[s.record].point as usize)[j].to_string())
                    .collect(),
            ),
        );
    }
    for (i, g) in targets.targets.iter().enumerate() {
        t.push(
            format!("{}_value", g.id),
            Column::Float(by_run.iter().map(|(_, s)| s.values[i]).collect()),
        );
        t.push(
            format!("{}_miss", g.id),
            Column::Float(by_run.iter().map(|(_, s)| Some(s.misses[i])).collect()),
        );
    }
    t.push(
        "worst_miss",
        Column::Float(by_run.iter().map(|(_, s)| Some(s.worst)).collect()),
    );
    t.push(
        "rank",
        Column::Int(by_run.iter().map(|(rank, _)| *rank as i64 + 1).collect()),
    );
    t.push(
        "within_tolerance",
        Column::Int(
            by_run
                .iter()
                .map(|(rank, _)| i64::from(*rank < within))
                .collect(),
        ),
    );
    t.push(
        "closest",
        Column::Int(
            by_run
                .iter()
                .map(|(rank, _)| i64::from(*rank < closest))
                .collect(),
        ),
    );
    t
}

struct Posterior {
    table: Table,
    markdown: String,
}

/// Quantiles of each parameter over each accepted set, with the prior and the default.
fn posterior(
    plan: &Plan,
    records: &[RunRecord],
    scored: &[Scored],
    sets: &[(&str, usize)],
) -> Result<Posterior> {
    let mut cols: (Vec<String>, Vec<String>, Vec<i64>) = Default::default();
    let mut nums: [Vec<Option<f64>>; 6] = Default::default();
    let mut md = String::new();
    let mut head = vec![
        "parameter".to_string(),
        "prior".to_string(),
        "default".to_string(),
    ];
    head.extend(sets.iter().map(|(name, n)| format!("{name} ({n} runs)")));
    writeln!(md, "| {} |", head.join(" | "))?;
    writeln!(md, "|{}|", vec!["---"; head.len()].join("|"))?;
    for (j, p) in plan.params.iter().enumerate() {
        let (lo, hi) = match &p.domain {
            crate::spec::Domain::Range { lo, hi, .. } => (Some(*lo), Some(*hi)),
            crate::spec::Domain::Values(_) => (None, None),
        };
        let default = value_at(&plan.scenario, &p.full_path)
            .ok()
            .and_then(|v| v.as_f64());
        let mut row = vec![
            format!("`{}`", p.path),
            format!(
                "{}-{}",
                lo.map_or("-".into(), plain),
                hi.map_or("-".into(), plain)
            ),
            default.map_or("-".into(), plain),
        ];
        for (name, count) in sets {
            let v: Vec<f64> = scored[..*count]
                .iter()
                .filter_map(|s| plan.values(records[s.record].point as usize)[j].as_f64())
                .collect();
            let q = |p: f64| quantile(&v, p);
            row.push(match (q(0.5), q(0.05), q(0.95)) {
                (Some(m), Some(a), Some(b)) => format!("{} ({}-{})", sig(m), sig(a), sig(b)),
                _ => "-".into(),
            });
            cols.0.push(p.path.clone());
            cols.1.push(name.to_string());
            cols.2.push(v.len() as i64);
            for (c, x) in nums
                .iter_mut()
                .zip([lo, hi, default, q(0.05), q(0.5), q(0.95)])
            {
                c.push(x);
            }
        }
        writeln!(md, "| {} |", row.join(" | "))?;
    }
    writeln!(md)?;
    let mut table = Table::default();
    table.push("parameter", Column::Text(cols.0));
    table.push("accepted", Column::Text(cols.1));
    table.push("runs", Column::Int(cols.2));
    for (name, c) in ["prior_low", "prior_high", "default", "q05", "median", "q95"]
        .into_iter()
        .zip(nums)
    {
        table.push(name, Column::Float(c));
    }
    Ok(Posterior {
        table,
        markdown: md,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_miss_is_zero_inside_and_relative_outside() {
        assert_eq!(miss(5.0, Some(1.0), Some(10.0)), 0.0);
        // 2,000 against a high of 1,000: missed by 100%.
        assert!((miss(2000.0, Some(200.0), Some(1000.0)) - 1.0).abs() < 1e-12);
        // 11 against a low of 14: missed by 3 / 14.
        assert!((miss(11.0, Some(14.0), Some(56.0)) - 3.0 / 14.0).abs() < 1e-12);
        // A bound of 0 scales by the range's width; an open bound never misses.
        assert!((miss(3.0, Some(0.0), Some(1.0)) - 2.0).abs() < 1e-12);
        assert_eq!(miss(1e9, Some(0.0), None), 0.0);
    }

    #[test]
    fn quantiles_interpolate_like_r() {
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(4.0));
        assert!((quantile(&v, 0.05).unwrap() - 1.15).abs() < 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
    }
}
