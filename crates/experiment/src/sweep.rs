//! Running a sweep: runs in parallel, each result durable as soon as its run ends, resumable
//! after a crash, shardable across machines, and final outputs that depend only on the
//! spec (not on the number of threads, the order runs finished in, or interruptions).
//!
//! A sweep directory holds:
//!
//! | file | what |
//! |------|------|
//! | `sweep.ron` | the spec as written |
//! | `scenario.ron` | the base scenario as loaded (the directory is self-contained) |
//! | `sweep.json` | the manifest: sizes, shard, parameter and metric columns |
//! | `journal.jsonl` | one line per finished run, appended and fsynced as runs end |
//! | `runs.csv`, `runs.parquet` | one row per run, in run order (written at the end) |
//! | `timeseries.csv`, `timeseries.parquet` | when asked: one row per run and recorded day |
//! | `settlements.csv`, `settlements.parquet` | when asked (`collect.panel`): one row per run, recorded day and settlement |
//!
//! The final files are always written from the journal, read back and sorted by run id:
//! an uninterrupted sweep, a resumed one and merged shards give the same bytes.

use crate::run::{RunOptions, run};
use crate::spec::{Domain, Plan};
use crate::table::{Column, Table};
use crate::write::write_atomic;
use anyhow::{Context, Result, bail};
use asymwar_model::pathfinding::PathStore;
use asymwar_scenario::ScenarioFile;
use asymwar_scenario::overrides::ParamValue;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Memory a sweep's runs may share flow fields and paths in: the Mali map's fields for
/// ten seeds (ten replicates) take about 170 MB.
const SWEEP_PATH_STORE_BYTES: usize = 512 << 20;

pub const SPEC_FILE: &str = "sweep.ron";
pub const SCENARIO_FILE: &str = "scenario.ron";
pub const MANIFEST_FILE: &str = "sweep.json";
pub const JOURNAL_FILE: &str = "journal.jsonl";
pub const RUNS_CSV: &str = "runs.csv";
pub const RUNS_PARQUET: &str = "runs.parquet";
pub const TIMESERIES_CSV: &str = "timeseries.csv";
pub const TIMESERIES_PARQUET: &str = "timeseries.parquet";
pub const SETTLEMENTS_CSV: &str = "settlements.csv";
pub const SETTLEMENTS_PARQUET: &str = "settlements.parquet";

/// Which part of a sweep a process runs: shard K of N takes the runs whose id is K - 1
/// modulo N. Round-robin rather than blocks, so that every shard gets a fair share of
/// slow and fast corners of the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    pub fn contains(&self, run: u64) -> bool {
        run % u64::from(self.count) == u64::from(self.index - 1)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("'{s}': a shard is K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// What a sweep directory is: enough to check a resume or a merge against, and to write
/// the outputs without the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub name: String,
    pub design: String,
    pub points: u64,
    pub replicates: u32,
    pub runs: u64,
    pub shard: Shard,
    pub params: Vec<String>,
    pub metrics: Vec<String>,
    pub series_index: String,
    pub series_metrics: Vec<String>,
}

impl Manifest {
    pub fn new(plan: &Plan, shard: Shard) -> Self {
        Manifest {
            format: 1,
            name: plan.spec.name.clone(),
            design: plan.spec.design.name().to_string(),
            points: plan.points() as u64,
            replicates: plan.spec.replicates,
            runs: plan.runs(),
            shard,
            params: plan.params.iter().map(|p| p.path.clone()).collect(),
            metrics: plan.metrics.clone(),
            series_index: plan.series_index.clone(),
            series_metrics: plan.series_metrics.clone(),
        }
    }
}

/// The recorded time series of one run: the index (day) of each row and the chosen daily
/// metrics, row-major.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub index: Vec<u32>,
    pub values: Vec<Option<f64>>,
}

/// One finished run, as journalled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run: u64,
    pub point: u64,
    pub replicate: u32,
    pub seed: u64,
    /// The plan's summary metrics, in order; `None` for no value (or a non-finite one).
    pub metrics: Vec<Option<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelRecord>,
}

/// A run's per-settlement panel as the journal keeps it (long format, row-major values).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PanelRecord {
    pub columns: Vec<String>,
    pub names: Vec<String>,
    pub days: Vec<u32>,
    pub places: Vec<u32>,
    pub values: Vec<Option<f64>>,
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// Runs run `id` of the plan on `scenario`, its design point's scenario; also gives the
/// time spent in the model itself (the rest is the sweep's overhead).
pub fn run_one(plan: &Plan, id: u64, scenario: &ScenarioFile) -> (RunRecord, Duration) {
    let point = plan.point_of(id);
    let seed = plan.seed(id);
    let opts = RunOptions {
        seed: Some(seed),
        days: plan.spec.days,
        ticks: None,
        collect_every_days: Some(plan.spec.collect.timeseries_every_days),
    };
    let started = Instant::now();
    let out = run(scenario, &opts, |_, _| {});
    let model = started.elapsed();
    let metrics = plan.metrics.iter().map(|m| finite(out.metric(m))).collect();
    let series = if plan.series_metrics.is_empty() {
        None
    } else {
        let ts = &out.series;
        let cols: Vec<Option<usize>> = plan
            .series_metrics
            .iter()
            .map(|m| ts.columns.iter().position(|c| c == m))
            .collect();
        let mut values = Vec::with_capacity(ts.len() * cols.len());
        for r in 0..ts.len() {
            let row = ts.row(r);
            values.extend(cols.iter().map(|c| finite(c.map(|c| row[c]))));
        }
        Some(Series {
            index: ts.days.clone(),
            values,
        })
    };
    let panel = plan
        .spec
        .collect
        .panel
        .then(|| {
            out.panel.as_ref().map(|p| PanelRecord {
                columns: p.columns.iter().map(|c| c.to_string()).collect(),
                names: p.names.clone(),
                days: p.days.clone(),
                places: p.places.clone(),
                values: p.values.iter().map(|&v| finite(Some(v))).collect(),
            })
        })
        .flatten();
    let record = RunRecord {
        run: id,
        point: point as u64,
        replicate: plan.replicate_of(id),
        seed,
        metrics,
        series,
        panel,
    };
    (record, model)
}

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct SweepOptions {
    pub out: PathBuf,
    /// Threads (at least 1).
    pub jobs: usize,
    pub shard: Shard,
    /// Continue the sweep already in `out` (or start one if there is none).
    pub resume: bool,
}

/// What a sweep did.
#[derive(Clone, Debug)]
pub struct SweepReport {
    pub runs_total: u64,
    pub runs_in_shard: u64,
    /// Runs found finished in the journal (resume).
    pub already_done: u64,
    pub ran: u64,
    pub wall_secs: f64,
    /// Wall time of the runs alone (without the checks before and the outputs after).
    pub runs_secs: f64,
    /// Time spent in the model (building and stepping worlds), summed over threads; the
    /// rest of `wall_secs x jobs` is the sweep's overhead and idle threads.
    pub model_secs: f64,
    pub outputs: Vec<PathBuf>,
}

/// Reads the journal: every complete record, and the byte length they take. A last line
/// without its newline is a write cut short by a crash; anything else unreadable is
/// corruption and an error.
pub fn read_journal(path: &Path) -> Result<(Vec<RunRecord>, u64)> {
    let mut text = String::new();
    match File::open(path) {
        Ok(mut f) => {
            f.read_to_string(&mut text)
                .with_context(|| format!("{}: cannot read", path.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot open", path.display())),
    }
    let complete = text.rfind('\n').map_or(0, |i| i + 1);
    let mut records = Vec::new();
    for (i, line) in text[..complete].lines().enumerate() {
        let rec: RunRecord = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{}: not a run record (the journal is damaged; move it away to start over)",
                path.display(),
                i + 1
            )
        })?;
        records.push(rec);
    }
    Ok((records, complete as u64))
}

/// Checks that journalled records belong to this plan and shard, once each.
pub(crate) fn check_records<'a>(
    plan: &Plan,
    shard: Shard,
    records: impl IntoIterator<Item = &'a RunRecord>,
    source: &Path,
) -> Result<()> {
    let mut seen = BTreeMap::new();
    for r in records {
        let ok = r.run < plan.runs()
            && shard.contains(r.run)
            && r.point == plan.point_of(r.run) as u64
            && r.replicate == plan.replicate_of(r.run)
            && r.seed == plan.seed(r.run)
            && r.metrics.len() == plan.metrics.len()
            && r.series.is_some() != plan.series_metrics.is_empty()
            && (r.panel.is_some() || !plan.spec.collect.panel);
        if !ok {
            bail!(
                "{}: run {} does not belong to shard {shard} of this sweep ({} runs, seeds from master seed {})",
                source.display(),
                r.run,
                plan.runs(),
                plan.spec.master_seed
            );
        }
        if seen.insert(r.run, ()).is_some() {
            bail!("{}: run {} is recorded twice", source.display(), r.run);
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Makes new directory entries durable; not possible (nor needed) on every platform.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The stored parts of a sweep directory, checked against each other.
pub fn open_dir(dir: &Path) -> Result<(Plan, Manifest)> {
    let read = |f: &str| {
        std::fs::read_to_string(dir.join(f)).with_context(|| {
            format!(
                "{}: cannot read (is this a sweep directory?)",
                dir.join(f).display()
            )
        })
    };
    let manifest: Manifest = serde_json::from_str(&read(MANIFEST_FILE)?).with_context(|| {
        format!(
            "{}: not a sweep manifest",
            dir.join(MANIFEST_FILE).display()
        )
    })?;
    let scenario_path = dir.join(SCENARIO_FILE);
    let base = asymwar_scenario::parse_str(&read(SCENARIO_FILE)?, &scenario_path)?;
    let plan = Plan::from_parts(
        read(SPEC_FILE)?,
        &dir.join(SPEC_FILE),
        base,
        manifest.metrics.clone(),
        manifest.series_index.clone(),
        manifest.series_metrics.clone(),
    )?;
    if Manifest::new(&plan, manifest.shard) != manifest {
        bail!(
            "{}: does not match {} (edited by hand?)",
            dir.join(MANIFEST_FILE).display(),
            dir.join(SPEC_FILE).display()
        );
    }
    Ok((plan, manifest))
}

/// Runs (or resumes) a sweep into `opts.out`. Every design point is checked before any
/// run starts. `progress(done, total)` is called as runs finish, from any thread.
pub fn sweep(
    plan: &Plan,
    opts: &SweepOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<SweepReport> {
    let started = Instant::now();
    plan.check_points()?;
    // Runs on the same terrain (replicate r of every point shares its seed, hence its map)
    // share their flow fields and A* searches; no run's outputs change (see PathStore).
    if PathStore::shared().is_none() {
        PathStore::share(Some(SWEEP_PATH_STORE_BYTES));
    }
    let dir = &opts.out;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the output directory", dir.display()))?;
    let manifest = Manifest::new(plan, opts.shard);
    if dir.join(MANIFEST_FILE).exists() {
        if !opts.resume {
            bail!(
                "{}: holds a sweep already; pass --resume to finish it, or choose another --out",
                dir.display()
            );
        }
        let (stored, stored_manifest) = open_dir(dir)?;
        if stored.spec != plan.spec {
            bail!(
                "{}: the spec differs from the one this sweep was started with ({}); start a new sweep in another directory",
                plan.file.display(),
                dir.join(SPEC_FILE).display()
            );
        }
        if stored.base != plan.base {
            bail!(
                "{}: the base scenario '{}' changed since this sweep started (the old one is in {})",
                plan.file.display(),
                plan.spec.scenario,
                dir.join(SCENARIO_FILE).display()
            );
        }
        if stored_manifest != manifest {
            bail!(
                "{}: this directory holds shard {} of the sweep, not {}",
                dir.display(),
                stored_manifest.shard,
                opts.shard
            );
        }
    } else {
        // The manifest goes last: its presence says the other two are whole.
        write_atomic(&dir.join(SPEC_FILE), plan.spec_text.as_bytes())?;
        write_atomic(
            &dir.join(SCENARIO_FILE),
            asymwar_scenario::to_ron(&plan.base).as_bytes(),
        )?;
        write_atomic(
            &dir.join(MANIFEST_FILE),
            &serde_json::to_vec_pretty(&manifest)?,
        )?;
    }

    let journal_path = dir.join(JOURNAL_FILE);
    let journal = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&journal_path)
        .with_context(|| format!("{}: cannot open", journal_path.display()))?;
    // Two processes appending to one journal would run everything twice (a job array with
    // one --out for all shards): the second is stopped here. The lock goes with the process.
    if let Err(e) = journal.try_lock() {
        bail!(
            "{}: another asymwar sweep is writing this directory ({e})",
            dir.display()
        );
    }
    let (done, valid_len) = read_journal(&journal_path)?;
    check_records(plan, opts.shard, &done, &journal_path)?;
    // Drop a last line cut short by a crash; its run is run again.
    let len = journal
        .metadata()
        .with_context(|| format!("{}: cannot read", journal_path.display()))?
        .len();
    if len != valid_len {
        journal
            .set_len(valid_len)
            .and_then(|()| journal.sync_all())
            .with_context(|| format!("{}: cannot cut the last line", journal_path.display()))?;
    }

    let finished: std::collections::HashSet<u64> = done.iter().map(|r| r.run).collect();
    let todo: Vec<u64> = (0..plan.runs())
        .filter(|&r| opts.shard.contains(r) && !finished.contains(&r))
        .collect();
    let in_shard = (0..plan.runs()).filter(|&r| opts.shard.contains(r)).count() as u64;
    let already = finished.len() as u64;
    drop(done);

    let runs_started = Instant::now();
    let counter = AtomicU64::new(already);
    let model_nanos = AtomicU64::new(0);
    progress(already, in_shard);
    if !todo.is_empty() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.jobs.max(1))
            .build()?;
        let (tx, rx) = mpsc::channel::<RunRecord>();
        std::thread::scope(|scope| -> Result<()> {
            let counter = &counter;
            let writer =
                scope.spawn(move || journal_writer(dir, journal, rx, counter, in_shard, progress));
            let ran = pool.install(|| {
                // Each split of the work keeps the scenario of its last design point:
                // replicates of a point are adjacent, so most runs reuse it.
                todo.par_iter().try_for_each_init(
                    || (tx.clone(), None::<(usize, ScenarioFile)>),
                    |(tx, cache), &id| -> Result<()> {
                        let point = plan.point_of(id);
                        if cache.as_ref().is_none_or(|(p, _)| *p != point) {
                            let s = plan
                                .checked_scenario_at(point)
                                .with_context(|| describe_run(plan, id))?;
                            *cache = Some((point, s));
                        }
                        let scenario = &cache.as_ref().expect("just set").1;
                        let (rec, model) =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                run_one(plan, id, scenario)
                            }))
                            .map_err(|payload| {
                                let msg = payload
                                    .downcast_ref::<&str>()
                                    .map(|s| s.to_string())
                                    .or_else(|| payload.downcast_ref::<String>().cloned())
                                    .unwrap_or_else(|| "panic".into());
                                anyhow::anyhow!("the model panicked: {msg}")
                            })
                            .with_context(|| describe_run(plan, id))?;
                        model_nanos.fetch_add(model.as_nanos() as u64, Ordering::Relaxed);
                        tx.send(rec)
                            .map_err(|_| anyhow::anyhow!("the journal writer stopped"))
                    },
                )
            });
            // With the last sender gone, the writer drains the channel and stops.
            drop(tx);
            let written = writer.join().expect("the journal writer does not panic");
            written.and(ran)
        })?;
    }

    let runs_secs = runs_started.elapsed().as_secs_f64();
    let outputs = finish(dir, plan, opts.shard)?;
    Ok(SweepReport {
        runs_total: plan.runs(),
        runs_in_shard: in_shard,
        already_done: already,
        ran: todo.len() as u64,
        wall_secs: started.elapsed().as_secs_f64(),
        runs_secs,
        model_secs: model_nanos.load(Ordering::Relaxed) as f64 * 1e-9,
        outputs,
    })
}

/// A run named so that it can be repeated alone with `asymwar run`.
fn describe_run(plan: &Plan, id: u64) -> String {
    let p = plan.point_of(id);
    format!(
        "run {id} (point {p}: {}; replicate {}, seed {})",
        plan.describe_point(p),
        plan.replicate_of(id),
        plan.seed(id)
    )
}

/// Appends records as they come, and makes them durable: everything that arrived while the
/// disk was busy is written, then one fsync covers it (group commit), so a slow disk
/// never holds up the runs.
fn journal_writer(
    dir: &Path,
    file: File,
    rx: mpsc::Receiver<RunRecord>,
    counter: &AtomicU64,
    total: u64,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<()> {
    let path = dir.join(JOURNAL_FILE);
    // A full disk names the file it filled.
    let failed = |what: &str| format!("{}: {what}", path.display());
    let mut w = BufWriter::new(file);
    let mut line = Vec::new();
    let mut first_sync = true;
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        for rec in &batch {
            line.clear();
            serde_json::to_writer(&mut line, rec)?;
            line.push(b'\n');
            w.write_all(&line).with_context(|| failed("cannot write"))?;
        }
        w.flush().with_context(|| failed("cannot write"))?;
        w.get_ref()
            .sync_data()
            .with_context(|| failed("cannot sync"))?;
        if first_sync {
            // A new journal's directory entry must be durable too, once.
            sync_dir(dir);
            first_sync = false;
        }
        let n = counter.fetch_add(batch.len() as u64, Ordering::Relaxed) + batch.len() as u64;
        progress(n, total);
    }
    Ok(())
}

/// Writes the final outputs of a complete sweep directory from its journal.
pub fn finish(dir: &Path, plan: &Plan, shard: Shard) -> Result<Vec<PathBuf>> {
    let journal_path = dir.join(JOURNAL_FILE);
    let (mut records, _) = read_journal(&journal_path)?;
    check_records(plan, shard, &records, &journal_path)?;
    let expected = (0..plan.runs()).filter(|&r| shard.contains(r)).count();
    if records.len() != expected {
        bail!(
            "{}: {} of {expected} runs are finished; run the sweep again with --resume",
            dir.display(),
            records.len()
        );
    }
    records.sort_by_key(|r| r.run);
    write_tables(dir, plan, &records)
}

/// The value columns of the varied parameters, typed by what they hold.
fn param_column(domain: &Domain, values: Vec<ParamValue>) -> Column {
    let all = |f: fn(&ParamValue) -> bool| values.iter().all(f);
    let integer = match domain {
        Domain::Range { integer, .. } => *integer,
        Domain::Values(_) => all(|v| matches!(v, ParamValue::Int(_))),
    };
    if integer {
        return Column::Int(
            values
                .iter()
                .map(|v| match v {
                    ParamValue::Int(i) => *i,
                    other => other.as_f64().unwrap_or(0.0) as i64,
                })
                .collect(),
        );
    }
    if all(|v| matches!(v, ParamValue::Bool(_))) {
        return Column::Bool(values.iter().map(|v| v.as_f64() == Some(1.0)).collect());
    }
    if all(|v| matches!(v, ParamValue::Int(_) | ParamValue::Float(_))) {
        return Column::Float(values.iter().map(ParamValue::as_f64).collect());
    }
    Column::Text(values.iter().map(ToString::to_string).collect())
}

/// `runs` and (when collected) `timeseries` tables, in CSV and Parquet.
fn write_tables(dir: &Path, plan: &Plan, records: &[RunRecord]) -> Result<Vec<PathBuf>> {
    let mut runs = Table::default();
    runs.push(
        "run_id",
        Column::Int(records.iter().map(|r| r.run as i64).collect()),
    );
    runs.push(
        "point",
        Column::Int(records.iter().map(|r| r.point as i64).collect()),
    );
    runs.push(
        "replicate",
        Column::Int(records.iter().map(|r| i64::from(r.replicate)).collect()),
    );
    runs.push(
        "seed",
        Column::UInt(records.iter().map(|r| r.seed).collect()),
    );
    let point_values: BTreeMap<u64, Vec<ParamValue>> = records
        .iter()
        .map(|r| (r.point, plan.values(r.point as usize)))
        .collect();
    for (i, param) in plan.params.iter().enumerate() {
        let values = records
            .iter()
            .map(|r| point_values[&r.point][i].clone())
            .collect();
        runs.push(param.path.clone(), param_column(&param.domain, values));
    }
    for (i, m) in plan.metrics.iter().enumerate() {
        runs.push(
            m.clone(),
            Column::Float(records.iter().map(|r| r.metrics[i]).collect()),
        );
    }
    let mut outputs = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<()> {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        outputs.push(path);
        Ok(())
    };
    put(RUNS_CSV, runs.to_csv()?)?;
    #[cfg(feature = "parquet")]
    put(RUNS_PARQUET, crate::parquet_out::to_parquet(&runs, "runs")?)?;

    if !plan.series_metrics.is_empty() {
        let mut ts = Table::default();
        let mut run_ids = Vec::new();
        let mut index = Vec::new();
        let w = plan.series_metrics.len();
        let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); w];
        for r in records {
            let s = r
                .series
                .as_ref()
                .expect("checked: every record has a series");
            for (row, &day) in s.index.iter().enumerate() {
                run_ids.push(r.run as i64);
                index.push(i64::from(day));
                for (c, col) in cols.iter_mut().enumerate() {
                    col.push(s.values[row * w + c]);
                }
            }
        }
        ts.push("run_id", Column::Int(run_ids));
        ts.push(plan.series_index.clone(), Column::Int(index));
        for (name, col) in plan.series_metrics.iter().zip(cols) {
            ts.push(name.clone(), Column::Float(col));
        }
        put(TIMESERIES_CSV, ts.to_csv()?)?;
        #[cfg(feature = "parquet")]
        put(
            TIMESERIES_PARQUET,
            crate::parquet_out::to_parquet(&ts, "timeseries")?,
        )?;
    }
    if plan.spec.collect.panel {
        let panel = panel_table(records)?;
        put(SETTLEMENTS_CSV, panel.to_csv()?)?;
        #[cfg(feature = "parquet")]
        put(
            SETTLEMENTS_PARQUET,
            crate::parquet_out::to_parquet(&panel, "settlements")?,
        )?;
    }
    Ok(outputs)
}

/// The sweep's per-settlement panel: run_id, day, settlement, then every place metric.
fn panel_table(records: &[RunRecord]) -> Result<Table> {
    let columns = records
        .iter()
        .find_map(|r| r.panel.as_ref())
        .map(|p| p.columns.clone())
        .unwrap_or_default();
    let w = columns.len();
    let (mut run_ids, mut days, mut towns) = (Vec::new(), Vec::new(), Vec::new());
    let mut cols: Vec<Vec<Option<f64>>> = vec![Vec::new(); w];
    for r in records {
        let p = r.panel.as_ref().context("a run recorded no panel")?;
        if p.columns != columns || p.values.len() != p.days.len() * w {
            bail!(
                "run {}: its panel has other columns than the sweep's",
                r.run
            );
        }
        for (row, (&day, &place)) in p.days.iter().zip(&p.places).enumerate() {
            run_ids.push(r.run as i64);
            days.push(i64::from(day));
            towns.push(
                p.names
                    .get(place as usize)
                    .cloned()
                    .with_context(|| format!("run {}: place {place} has no name", r.run))?,
            );
            for (c, col) in cols.iter_mut().enumerate() {
                col.push(p.values[row * w + c]);
            }
        }
    }
    let mut t = Table::default();
    t.push("run_id", Column::Int(run_ids));
    t.push("day", Column::Int(days));
    t.push("settlement", Column::Text(towns));
    for (name, col) in columns.into_iter().zip(cols) {
        t.push(name, Column::Float(col));
    }
    Ok(t)
}

/// Joins the shard directories of one sweep into `out`, refusing runs that are missing or
/// recorded twice. The merged directory is a whole sweep (shard 1/1): `analyze` reads it,
/// and its outputs equal those of the sweep run in one piece.
pub fn merge(dirs: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>> {
    let Some(first) = dirs.first() else {
        bail!("merge needs at least one sweep directory");
    };
    let (plan, first_manifest) = open_dir(first)?;
    let mut owner: BTreeMap<u64, (usize, RunRecord)> = BTreeMap::new();
    for (d, dir) in dirs.iter().enumerate() {
        let (p, m) = if d == 0 {
            (plan.clone(), first_manifest.clone())
        } else {
            open_dir(dir)?
        };
        if p.spec != plan.spec || p.base != plan.base {
            bail!(
                "{}: is a different sweep from {} (spec or base scenario differ)",
                dir.display(),
                first.display()
            );
        }
        let journal = dir.join(JOURNAL_FILE);
        let (records, _) = read_journal(&journal)?;
        check_records(&plan, m.shard, &records, &journal)?;
        for rec in records {
            if let Some((other, _)) = owner.get(&rec.run) {
                bail!(
                    "run {} is in both {} and {}: each shard must be merged once",
                    rec.run,
                    dirs[*other].display(),
                    dir.display()
                );
            }
            owner.insert(rec.run, (d, rec));
        }
    }
    let missing: Vec<u64> = (0..plan.runs())
        .filter(|r| !owner.contains_key(r))
        .collect();
    if !missing.is_empty() {
        let shards: std::collections::BTreeSet<String> = missing
            .iter()
            .map(|r| {
                format!(
                    "{}/{}",
                    r % u64::from(first_manifest.shard.count) + 1,
                    first_manifest.shard.count
                )
            })
            .collect();
        let shown: Vec<String> = missing.iter().take(8).map(u64::to_string).collect();
        bail!(
            "{} of {} runs are missing (runs {}{}), from shard(s) {}: finish those with --resume, or add their directories",
            missing.len(),
            plan.runs(),
            shown.join(", "),
            if missing.len() > 8 { ", ..." } else { "" },
            shards.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the output directory", out.display()))?;
    if out.join(MANIFEST_FILE).exists() {
        bail!(
            "{}: holds a sweep already; merge into a new directory",
            out.display()
        );
    }
    let mut journal = Vec::new();
    for (_, rec) in owner.values() {
        serde_json::to_writer(&mut journal, rec)?;
        journal.push(b'\n');
    }
    write_atomic(&out.join(SPEC_FILE), plan.spec_text.as_bytes())?;
    write_atomic(
        &out.join(SCENARIO_FILE),
        asymwar_scenario::to_ron(&plan.base).as_bytes(),
    )?;
    write_atomic(&out.join(JOURNAL_FILE), &journal)?;
    write_atomic(
        &out.join(MANIFEST_FILE),
        &serde_json::to_vec_pretty(&Manifest::new(&plan, Shard::WHOLE))?,
    )?;
    finish(out, &plan, Shard::WHOLE)
}
